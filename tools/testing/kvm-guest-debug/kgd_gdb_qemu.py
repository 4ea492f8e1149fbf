# SPDX-License-Identifier: GPL-2.0
"""gdb through Debian's QEMU and its own gdbstub: gdb-qemu-end-to-end.

Users debug their guests with gdb attached to QEMU, which drives
KVM_SET_GUEST_DEBUG itself: software breakpoints, its own choice of
hardware slots, BLOCKIRQ on steps where KVM_CAP_SET_GUEST_DEBUG2 offers
it, and the guest's own breakpoints handed back to the guest.  After our
stub's session, the VM runs bookworm's QEMU (kgd_debian_qemu) with the
same guest program, stopped, and its gdbstub on the same serial line;
qemu_gdb/qemu_under_gdb.c says when it waits and ends QEMU once the
guest prints its last line.  gdb-multiarch on the host runs a script and
its output must show what each command should do.
"""

import kgd_gdb_script
from kgd_target import Test

LAUNCHER = 'tools/testing/kvm-guest-debug/qemu_gdb/qemu_under_gdb.c'
READY = 'qemu-under-gdb: waiting for gdb on '
TEST = 'qemu-under-gdb'
# Functions of the demo guest that run after tick(1) stopped, for as many
# hardware breakpoints as the arch has.
HBREAK_SPOTS = ('peek', 'tick', 'done', 'guest_puts', 'put_dec', 'guest_putc')


def qemu_gdb_args(device, console):
	"""QEMU's arguments for its gdbstub on device, the guest stopped and
	the device the guest prints on (console: its QEMU option) on QEMU's
	standard output."""
	return ('-display', 'none', console, 'stdio', '-chardev', f'serial,id=gdb,path={device}',
		'-gdb', 'chardev:gdb', '-S')


def test(link, guest_inside, timeout):
	"""The VM's run of QEMU under gdb."""
	return Test(TEST, source=LAUNCHER, timeout=timeout,
		    args=(link.device, str(kgd_gdb_script.COUNTER), str(kgd_gdb_script.OWN_TRAPS))
		    + link.debian_qemu + ('-kernel', guest_inside))


def gdb_script(link, port):
	"""The commands gdb runs, and the regexes its output must show in order."""
	cmds, want = kgd_gdb_script.opening(port)
	steps = kgd_gdb_script.steps_and_hbreak()
	cmds += steps[0]
	want += steps[1]
	# Every slot at once: stopped in tick(1), peek comes next, then tick(2).
	spots = HBREAK_SPOTS[:link.hbreaks]
	cmds += ['delete'] + [f'hbreak {s}' for s in spots] + ['continue', 'continue']
	want += [fr'Hardware assisted breakpoint {3 + i} at 0x[0-9a-f]+'
		 for i in range(len(spots))]
	want += [r'Breakpoint 3, peek \(\)', r'Breakpoint 4, tick \(i=2\)']
	# QEMU's gdbstub speaks gdb's multiprocess extension.  On x86 it
	# answers Z3 with an empty reply, as our stub does, and gdb falls back.
	end = kgd_gdb_script.watches_and_end(3 + len(spots), 1, 3, 'process 1')
	return cmds + end[0], want + end[1]
