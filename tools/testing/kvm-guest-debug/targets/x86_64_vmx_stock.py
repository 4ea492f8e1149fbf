# SPDX-License-Identifier: GPL-2.0
"""x86_64 VMX on Bochs, as x86_64-vmx, but booting Debian's unmodified
6.12 kernel of the baseline's version with our kvm.ko and kvm-intel.ko
(make modules) in place of its own: what a user with an Intel machine on
a stock Debian kernel gets."""

import dataclasses

import kgd_target
from kgd_targets_common import X86_STOCK_TESTS

TARGET = dataclasses.replace(
	kgd_target.load_one('x86_64_vmx'), name='x86_64-vmx-stock',
	tests=X86_STOCK_TESTS, debian_kernel_modules=('kvm', 'kvm-intel'),
	kernel_log_expect='as kvm_intel (enable_apicv=0), taint OE', debug_twin=False,
	# Debian's kernel has the CPU mitigations ours leaves out, and Bochs's
	# Skylake-X model offers no IBRS, so it can only warn.
	kernel_log_not_splats=((r'\] RETBleed: WARNING: Spectre v2 mitigation leaves CPU '
				r'vulnerable to RETBleed attacks',
				'Bochs\'s CPU model has no IBRS for the RETBleed mitigation'),),
	description='x86_64 VMX on Bochs 3.0 with Debian\'s own 6.12 kernel and our '
		    'kvm.ko and kvm-intel.ko')
