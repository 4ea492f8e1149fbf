# SPDX-License-Identifier: GPL-2.0
"""The parts of a gdb script on the demo guest that both gdb sessions run:
gdb on our stub (kgd_gdb) and gdb on Debian's QEMU (kgd_gdb_qemu).

Each part is (commands, regexes): the regexes must show in gdb's output
in order.
"""

# The demo guest's counter when every loop ran (0 + 1 + ... + 19), and
# its own breakpoints that reached its own handler: its last line's
# figures.
COUNTER, OWN_TRAPS = 190, 1


def opening(port):
	"""Connect, and stop at the first tick() with a software breakpoint."""
	return (['set pagination off', 'set confirm off', 'set remotetimeout 60',
		 f'target remote 127.0.0.1:{port}', 'break tick', 'continue', 'print counter'],
		[r'Breakpoint 1 at 0x[0-9a-f]+: file .*demo\.c, line \d+\.',
		 r'Breakpoint 1, tick \(i=0\) at .*demo\.c:\d+', r'\$1 = 0'])


def steps_and_hbreak():
	"""Five stepi, each moving the PC, then tick(1) by a hardware
	breakpoint (number 2)."""
	cmds, want = [], []
	for i in range(1, 6):
		cmds += ['set $before = $pc', 'stepi',
			 f'printf "stepi {i}: pc moved %d\\n", $pc != $before']
		want.append(f'stepi {i}: pc moved 1')
	cmds += ['delete', 'hbreak tick', 'continue', 'print i']
	want += [r'Hardware assisted breakpoint 2 at 0x[0-9a-f]+',
		 r'Breakpoint 2, tick \(i=1\)', r'\$\d+ = 1']
	return cmds, want


def watches_and_end(num, old, new, inferior, rwatch=True, wide=False, detach=True):
	"""watch (number num) from old to new, rwatch (if asked) and awatch,
	each seeing new, and (if asked) a watch on the 16-byte wide, which
	one slot cannot cover; then done(), past the guest's own breakpoint
	instruction, whose trap the guest's handler must see, not gdb; then
	(if asked) detach, gdb naming the inferior as inferior.  Where the
	arch has no load-only watchpoint, the stub's empty reply to Z3 makes
	gdb use an access watchpoint and report only the reads that leave the
	value as it was."""
	cmds = ['delete', 'watch counter', 'continue']
	want = [fr'Hardware watchpoint {num}: counter',
		fr'Hardware watchpoint {num}: counter\s+Old value = {old}\s+New value = {new}']
	num += 1
	if rwatch:
		cmds += ['delete', 'rwatch counter', 'continue']
		want += [fr'Hardware read watchpoint {num}: counter\s+Value = {new}',
			 r'in peek \(\) at .*demo\.c']
		num += 1
	cmds += ['delete', 'awatch counter', 'continue']
	want += [fr'Hardware access \(read/write\) watchpoint {num}: counter\s+Value = {new}']
	num += 1
	if wide:
		# A 32-bit CPU writes wide[1] in two stores: gdb may stop at either.
		cmds += ['delete', 'watch wide', 'continue']
		want += [fr'Hardware watchpoint {num}: wide',
			 fr'Hardware watchpoint {num}: wide\s+Old value = \{{0, 0\}}\s+'
			 r'New value = \{0, [1-9]\d*\}']
		num += 1
	cmds += ['delete', 'break done', 'continue', 'print counter', 'print own_traps']
	want += [fr'Breakpoint {num}, done \(\) at .*demo\.c', fr'\$\d+ = {COUNTER}',
		 fr'\$\d+ = {OWN_TRAPS}']
	if detach:
		cmds.append('detach')
		want.append(fr'\[Inferior 1 \({inferior}\) detached\]')
	return cmds, want
