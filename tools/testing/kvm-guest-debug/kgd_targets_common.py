# SPDX-License-Identifier: GPL-2.0
"""What targets share: the arm64 VHE and nVHE ones, and the e500v2 ones."""

from kgd_target import Test

ARM64_QEMU = (
	'qemu-system-aarch64', '-M', 'virt,virtualization=on,gic-version=3',
	'-cpu', 'max', '-smp', '2', '-m', '1024', '-nographic', '-monitor', 'none',
	'-no-reboot', '-net', 'none',
	'-kernel', '@KERNEL@', '-initrd', '@INITRD@', '-append', '@CMDLINE@')

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
