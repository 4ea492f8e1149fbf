# SPDX-License-Identifier: GPL-2.0
"""x86_64 SVM on our QEMU, as x86_64-svm, but booting Debian's unmodified
6.12 kernel of the baseline's version with our kvm.ko and kvm-amd.ko
(make modules) in place of its own: what a user with an AMD machine on a
stock Debian kernel gets."""

import dataclasses

import kgd_target
from kgd_targets_common import X86_STOCK_TESTS

TARGET = dataclasses.replace(
	kgd_target.load_one('x86_64_svm'), name='x86_64-svm-stock',
	tests=X86_STOCK_TESTS, debian_kernel_modules=('kvm', 'kvm-amd'),
	kernel_log_expect='as kvm_amd (no parameters), taint OE', debug_twin=False,
	description='x86_64 SVM on our QEMU with Debian\'s own 6.12 kernel and our '
		    'kvm.ko and kvm-amd.ko')
