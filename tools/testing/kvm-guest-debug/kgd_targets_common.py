# SPDX-License-Identifier: GPL-2.0
"""What targets share: the arm64 VHE and nVHE ones, the x86 ones, and the
e500v2 ones."""

import kgd_gdb_qemu
import kgd_kut
from kgd_target import GdbLink, Test

ARM64_QEMU = (
	'qemu-system-aarch64', '-M', 'virt,virtualization=on,gic-version=3',
	'-cpu', 'max', '-smp', '2', '-m', '1024', '-nographic', '-monitor', 'none',
	'-no-reboot', '-net', 'none',
	'-kernel', '@KERNEL@', '-initrd', '@INITRD@', '-append', '@CMDLINE@')

# The arm64 gdb line: a virtio console (virt has one PL011, the console's).
# Debian's QEMU runs the same guest program under its own gdbstub on it;
# the demo's console and exit addresses are virt's PL011, so the guest
# prints there, and the 6 breakpoints are what QEMU's max CPU has.
ARM64_GDB = GdbLink(
	device='/dev/hvc0', guest_start='arm64.S', guest_base=0x40080000,
	guest_cflags=('-mgeneral-regs-only', '-mstrict-align'),
	qemu_args=('-device', 'virtio-serial-device',
		   '-chardev', 'socket,id=gdb,host=127.0.0.1,port=@PORT@,server=on,wait=off',
		   '-device', 'virtconsole,chardev=gdb'),
	debian_qemu=('/usr/bin/qemu-system-aarch64', '-nodefaults',
		     '-machine', 'virt,gic-version=host', '-accel', 'kvm', '-cpu', 'host',
		     '-m', '64') + kgd_gdb_qemu.qemu_gdb_args('/dev/hvc0', '-serial'),
	hbreaks=6)

# The x86 gdb line: the second 16550 (ttyS1).  Under Debian's QEMU the
# demo prints on the debug console (port 0xe9), ends on isa-debug-exit
# (0xf4) and boots through PVH; gdb has DR0-3.
X86_GDB = GdbLink(
	device='/dev/ttyS1', guest_start='x86_64.S', guest_base=0x100000,
	guest_cflags=('-mgeneral-regs-only', '-mno-red-zone'),
	debian_qemu=('/usr/bin/qemu-system-x86_64', '-nodefaults', '-accel', 'kvm',
		     '-cpu', 'host', '-m', '64',
		     '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x4')
	+ kgd_gdb_qemu.qemu_gdb_args('/dev/ttyS1', '-debugcon'),
	hbreaks=4)

# -i bounds the single-step loop: its 10,000 default takes 14-30 s under TCG.
ARM64_TESTS = (
	Test('aarch64/guest_debug_test', args=('-g', '3'), timeout=300),
	Test('aarch64/guest_debug_vmm_compat_test', timeout=300),
	Test('aarch64/debug-exceptions', args=('-i', '1000'), timeout=300),
	Test('guest_debug_trace_test', timeout=120),
	Test('kvm_binary_stats_test', timeout=120),
	Test('guest_debug_fuzz_test', timeout=300),
	Test('guest_debug_step_race_test', timeout=300),
)

# With our_qemu, kgd_qemu builds qemu-system-ppc: Debian's never compares
# IAC/DAC and single-steps only outside 0x100-0xf00.
PPCE500_QEMU = ('qemu-system-ppc', '-M', 'ppce500', '-cpu', 'e500v2', '-m', '512',
		'-nographic', '-monitor', 'none', '-no-reboot', '-net', 'none',
		'-kernel', '@KERNEL@', '-initrd', '@INITRD@', '-append', '@CMDLINE@')

# kvm-unit-tests' x86 debug test (DR0-7, DR6, single-step over many
# instructions, ICEBP, MOV SS, general detect: the guest's own debug
# features) under Debian's QEMU with KVM, started as its x86/run does.
X86_KUT_DEBUG = Test(
	kgd_kut.TEST, source=kgd_kut.RUNNER, timeout=300,
	args=('1', '/usr/bin/qemu-system-x86_64', '-nodefaults', '-accel', 'kvm', '-cpu', 'host',
	      '-m', '128', '-smp', '1', '-display', 'none', '-serial', 'stdio',
	      '-device', 'pc-testdev', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x4',
	      '-device', 'pci-testdev', '-kernel', f'{kgd_kut.INSIDE}/debug.flat'))

# What the targets on Debian's own kernel run with our modules: the x86
# guest-debug paths, the stats and tracepoint the series adds (kvm.ko's
# own), and upstream's debug_regs.
X86_STOCK_TESTS = (
	Test('x86_64/guest_debug_smoke_test', timeout=300),
	Test('x86_64/guest_debug_test', timeout=600),
	Test('x86_64/debug_regs', timeout=300),
	Test('guest_debug_trace_test', timeout=120),
	Test('kvm_binary_stats_test', timeout=300),
)

# kvm-unit-tests' arm64 debug tests (the guest's own breakpoints,
# watchpoints and single step, each also across a live migration), as
# its arm/run starts them: chr-testdev carries the exit status.
_ARM64_KUT_QEMU = (
	'/usr/bin/qemu-system-aarch64', '-nodefaults', '-machine', 'virt,gic-version=host',
	'-accel', 'kvm', '-cpu', 'host', '-device', 'virtio-serial-device',
	'-device', 'virtconsole,chardev=ctd', '-chardev', 'testdev,id=ctd',
	'-device', 'pci-testdev', '-display', 'none', '-serial', 'stdio',
	'-kernel', f'{kgd_kut.INSIDE}/debug.flat', '-smp', '1')
ARM64_KUT_DEBUG = tuple(
	Test(f'{kgd_kut.TEST}-{name}', source=kgd_kut.RUNNER, timeout=300,
	     args=(('-m',) if mode.endswith('-migration') else ()) + ('1',) + _ARM64_KUT_QEMU
	     + ('-append', mode))
	for name, mode in (('bp', 'bp'), ('wp', 'wp'), ('sstep', 'ss'),
			   ('bp-migration', 'bp-migration'), ('wp-migration', 'wp-migration'),
			   ('sstep-migration', 'ss-migration')))
