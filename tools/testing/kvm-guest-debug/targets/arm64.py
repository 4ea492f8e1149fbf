# SPDX-License-Identifier: GPL-2.0
"""arm64, KVM in VHE mode, on QEMU TCG (virt, virtualization=on)."""

from kgd_builds import ARM64
from kgd_target import GdbLink, Target
from kgd_targets_common import ARM64_QEMU, ARM64_TESTS

TARGET = Target(
	name='arm64', build=ARM64, emulator='qemu', qemu=ARM64_QEMU,
	cmdline='console=ttyAMA0',
	tests=ARM64_TESTS, vm_timeout=900,
	# The stub's line: a virtio console (virt has one PL011, the console's).
	gdb=GdbLink(device='/dev/hvc0', guest_start='arm64.S', guest_base=0x40080000,
		    guest_cflags=('-mgeneral-regs-only', '-mstrict-align'),
		    qemu_args=('-device', 'virtio-serial-device',
			       '-chardev', 'socket,id=gdb,host=127.0.0.1,port=@PORT@,'
			       'server=on,wait=off',
			       '-device', 'virtconsole,chardev=gdb')),
	kernel_log_expect='kvm [1]: VHE mode initialized successfully',
	description='arm64 VHE on QEMU TCG: BRK, HW breakpoints, watchpoints, '
		    'single-step, guest-owned debug')
