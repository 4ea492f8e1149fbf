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

from kgd_target import Test

LAUNCHER = 'tools/testing/kvm-guest-debug/qemu_gdb/qemu_under_gdb.c'
READY = 'qemu-under-gdb: waiting for gdb on '
TEST = 'qemu-under-gdb'
# The demo guest's counter when every loop ran (0 + 1 + ... + 19), and
# its own breakpoints that reached its own handler: its last line's
# figures.
COUNTER, OWN_TRAPS = 190, 1
# Functions of the demo guest that run after tick(1) stopped, for as many
# hardware breakpoints as the arch has.
HBREAK_SPOTS = ('peek', 'tick', 'done', 'guest_puts', 'put_dec', 'guest_putc')


def qemu_gdb_args(device):
	"""QEMU's arguments for its gdbstub on device, the guest stopped and
	its console on QEMU's standard output."""
	return ('-display', 'none', '-serial', 'stdio', '-chardev', f'serial,id=gdb,path={device}',
		'-gdb', 'chardev:gdb', '-S')


def test(link, guest_inside, timeout):
	"""The VM's run of QEMU under gdb."""
	return Test(TEST, source=LAUNCHER, timeout=timeout,
		    args=(link.device, str(COUNTER), str(OWN_TRAPS)) + link.debian_qemu
		    + ('-kernel', guest_inside))


def gdb_script(link, port):
	"""The commands gdb runs, and the regexes its output must show in order."""
	cmds = ['set pagination off', 'set confirm off', 'set remotetimeout 60',
		f'target remote 127.0.0.1:{port}',
		'break tick', 'continue', 'print counter']
	want = [r'Breakpoint 1 at 0x[0-9a-f]+: file .*demo\.c, line \d+\.',
		r'Breakpoint 1, tick \(i=0\) at .*demo\.c:\d+', r'\$1 = 0']
	for i in range(1, 6):
		cmds += ['set $before = $pc', 'stepi',
			 f'printf "stepi {i}: pc moved %d\\n", $pc != $before']
		want.append(f'stepi {i}: pc moved 1')
	cmds += ['delete', 'hbreak tick', 'continue', 'print i']
	want += [r'Hardware assisted breakpoint 2 at 0x[0-9a-f]+',
		 r'Breakpoint 2, tick \(i=1\)', r'\$\d+ = 1']
	# Every slot at once: stopped in tick(1), peek comes next, then tick(2).
	spots = HBREAK_SPOTS[:link.hbreaks]
	cmds += ['delete'] + [f'hbreak {s}' for s in spots] + ['continue', 'continue']
	want += [fr'Hardware assisted breakpoint {3 + i} at 0x[0-9a-f]+'
		 for i in range(len(spots))]
	want += [r'Breakpoint 3, peek \(\)', r'Breakpoint 4, tick \(i=2\)']
	num = 3 + len(spots)
	cmds += ['delete', 'watch counter', 'continue']
	want += [fr'Hardware watchpoint {num}: counter\s+Old value = 1\s+New value = 3']
	num += 1
	if link.read_watch:
		cmds += ['delete', 'rwatch counter', 'continue']
		want += [fr'Hardware read watchpoint {num}: counter\s+Value = 3',
			 r'in peek \(\) at .*demo\.c']
		num += 1
	cmds += ['delete', 'awatch counter', 'continue']
	want += [fr'Hardware access \(read/write\) watchpoint {num}: counter\s+Value = 3']
	num += 1
	# On the way to done() the guest runs its own BRK: with gdb's
	# breakpoint in, QEMU must hand it to the guest's handler.
	cmds += ['delete', 'break done', 'continue', 'print counter', 'print own_traps',
		 'detach']
	want += [fr'Breakpoint {num}, done \(\) at .*demo\.c', fr'\$\d+ = {COUNTER}',
		 fr'\$\d+ = {OWN_TRAPS}',
		 # QEMU's gdbstub speaks gdb's multiprocess extension.
		 r'\[Inferior 1 \(process 1\) detached\]']
	return cmds, want
