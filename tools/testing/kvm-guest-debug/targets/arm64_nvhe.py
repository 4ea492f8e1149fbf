# SPDX-License-Identifier: GPL-2.0
"""arm64, KVM in nVHE mode (kvm-arm.mode=nvhe), on QEMU TCG."""

from kgd_builds import ARM64
from kgd_target import Target
from kgd_targets_common import ARM64_GDB, ARM64_KUT_DEBUG, ARM64_QEMU, ARM64_TESTS

TARGET = Target(
	name='arm64-nvhe', build=ARM64, emulator='qemu', qemu=ARM64_QEMU,
	cmdline='console=ttyAMA0 kvm-arm.mode=nvhe',
	tests=ARM64_TESTS + ARM64_KUT_DEBUG, kut_arch='arm64', vm_timeout=600,
	gdb=ARM64_GDB,
	kernel_log_expect='kvm [1]: Hyp nVHE mode initialized successfully',
	description='arm64 nVHE on QEMU TCG: the same tests through the nVHE '
		    'world switch')
