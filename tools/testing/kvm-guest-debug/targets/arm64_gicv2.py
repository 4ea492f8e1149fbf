# SPDX-License-Identifier: GPL-2.0
"""arm64 VHE with a GICv2 (virt, gic-version=2), on QEMU TCG."""

from kgd_builds import ARM64
from kgd_target import Target, Test
from kgd_targets_common import ARM64_QEMU

# The same machine with a GICv2 and its virtualization extensions, so that
# KVM runs its vgic-v2 world switch: KVM_GUESTDBG_BLOCKIRQ's GICv2 path.
ARM64_GICV2_QEMU = tuple('virt,virtualization=on,gic-version=2' if a.startswith('virt,')
			 else a for a in ARM64_QEMU)

TARGET = Target(
	name='arm64-gicv2', build=ARM64, emulator='qemu', qemu=ARM64_GICV2_QEMU,
	cmdline='console=ttyAMA0',
	tests=(Test('aarch64/guest_debug_test', args=('-g', '2'), timeout=300),
	       Test('aarch64/guest_debug_vmm_compat_test', timeout=300)),
	vm_timeout=600,
	kernel_log_expect='kvm [1]: VHE mode initialized successfully',
	known_bugs_of='arm64', debug_twin=False,
	description='arm64 VHE on QEMU TCG with a GICv2: guest_debug_test, '
		    'BLOCKIRQ through the GICv2 list registers, and the VMM '
		    'compatibility cases')
