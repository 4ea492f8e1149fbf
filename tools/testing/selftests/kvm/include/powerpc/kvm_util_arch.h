/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SELFTEST_KVM_UTIL_ARCH_H
#define SELFTEST_KVM_UTIL_ARCH_H

#include <linux/kvm.h>

/*
 * The guest TLB lives in this process's memory, shared with KVM through
 * KVM_CAP_SW_TLB; every vCPU of the VM is configured with the same array.
 */
struct kvm_vm_arch {
	struct kvm_book3e_206_tlb_entry *tlb;
	struct kvm_book3e_206_tlb_params tlb_params;
};

#endif /* SELFTEST_KVM_UTIL_ARCH_H */
