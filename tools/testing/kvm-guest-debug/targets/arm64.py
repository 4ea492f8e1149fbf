# SPDX-License-Identifier: GPL-2.0
"""arm64, KVM in VHE mode, on QEMU TCG (virt, virtualization=on)."""

from kgd_builds import ARM64
from kgd_target import Target
from kgd_targets_common import ARM64_GDB, ARM64_KUT_DEBUG, ARM64_QEMU, ARM64_TESTS

TARGET = Target(
	name='arm64', build=ARM64, emulator='qemu', qemu=ARM64_QEMU,
	cmdline='console=ttyAMA0',
	tests=ARM64_TESTS + ARM64_KUT_DEBUG, kut_arch='arm64', vm_timeout=900,
	gdb=ARM64_GDB,
	kernel_log_expect='kvm [1]: VHE mode initialized successfully',
	description='arm64 VHE on QEMU TCG: BRK, HW breakpoints, watchpoints, '
		    'single-step, guest-owned debug')
