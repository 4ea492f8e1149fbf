# SPDX-License-Identifier: GPL-2.0
"""x86_64 VMX on trixie's Bochs 3.0 (a Skylake-X CPU model with VMX), with
APICv off: Bochs 3.0 refuses the 64-byte aligned posted-interrupt
descriptor that the SDM allows and KVM programs (a page-alignment check
that Bochs fixed after 3.0).  Bochs 2.7 has no posted interrupts at all,
so APICv runs on no emulator here (see the README)."""

from kgd_builds import X86_64
from kgd_target import Target, Test
from kgd_targets_common import X86_GDB, X86_KUT_DEBUG

TARGET = Target(
	name='x86_64-vmx', build=X86_64, emulator='bochs',
	bochs_cpu='corei7_skylake_x', bochs_suite='trixie',
	cmdline='console=ttyS0,115200 tsc=reliable no_timer_check '
		'tsc_early_khz=2100000 kvm_intel.enable_apicv=0',
	tests=(Test('x86_64/guest_debug_smoke_test', timeout=300),
	       Test('x86_64/guest_debug_test', timeout=600),
	       # Bochs's guest clock runs many times slower than the wall's
	       # (tsc_early_khz is far above its instruction rate): bound the
	       # runs, not the time.
	       Test('x86_64/guest_debug_dr_race_test', args=('-n', '1000'), timeout=300),
	       Test('x86_64/guest_debug_nested_test', timeout=300),
	       Test('x86_64/guest_debug_vmm_compat_test', timeout=300),
	       Test('x86_64/debug_regs', timeout=300),
	       Test('guest_debug_trace_test', timeout=120),
	       Test('kvm_binary_stats_test', timeout=300),
	       Test('guest_debug_fuzz_test', timeout=300),
	       Test('guest_debug_step_race_test', timeout=300),
	       X86_KUT_DEBUG),
	kut_arch='x86',
	# The gdb line: Bochs's com2 on a loopback TCP port (kgd_bochs).
	gdb=X86_GDB,
	vm_timeout=900,
	description='x86_64 VMX on Bochs 3.0 (trixie chroot), APICv off: int3, '
		    'single-step, DR0-3 breakpoints and watchpoints, DR6')
