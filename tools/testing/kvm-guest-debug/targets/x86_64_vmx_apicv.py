# SPDX-License-Identifier: GPL-2.0
"""x86_64 VMX with APICv on, on bookworm's Bochs 2.7: the one Bochs here
whose VM entry takes KVM's posted-interrupt descriptor.  BLOCKIRQ must
inhibit APICv while userspace debugs, or the CPU would deliver a pending
self-IPI between two steps; guest_debug_test's BLOCKIRQ case shows it."""

from kgd_builds import X86_64
from kgd_target import Target, Test

TARGET = Target(
	name='x86_64-vmx-apicv', build=X86_64, emulator='bochs',
	bochs_cpu='corei7_skylake_x',
	cmdline='console=ttyS0,115200 tsc=reliable no_timer_check '
		'tsc_early_khz=2100000 kvm_intel.enable_apicv=1',
	tests=(Test('x86_64/guest_debug_test', timeout=600),),
	vm_timeout=900, debug_twin=False,
	description='x86_64 VMX on Bochs 2.7 with APICv on: guest_debug_test, '
		    'BLOCKIRQ against posted interrupts')
