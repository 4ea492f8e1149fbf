/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The architecture-neutral part of KVM_SET_GUEST_DEBUG and KVM_EXIT_DEBUG.
 *
 * An architecture that defines KVM_GUESTDBG_VALID_MASK gets, from the
 * common code, one errno policy for the control word and the report of
 * KVM_CAP_SET_GUEST_DEBUG2; its own code then only sees control words that
 * it supports.  Every architecture starts its debug exits with
 * kvm_guest_debug_exit(), so that the statistics and the tracepoint mean
 * the same on all of them.
 */
#ifndef __LINUX_KVM_GUEST_DEBUG_H
#define __LINUX_KVM_GUEST_DEBUG_H

#include <linux/kvm_host.h>

/**
 * enum kvm_guest_debug_cause - why a vCPU stopped with KVM_EXIT_DEBUG
 * @KVM_GUEST_DEBUG_SW_BP: a software breakpoint that userspace planted
 * @KVM_GUEST_DEBUG_HW_BP: a hardware instruction breakpoint
 * @KVM_GUEST_DEBUG_WATCHPOINT: a hardware data watchpoint
 * @KVM_GUEST_DEBUG_STEP: a single step completed
 *
 * One event can have several causes at once (a step that also hit a
 * watchpoint); it is counted once, under the first of watchpoint, hardware
 * breakpoint and step that applies.
 */
enum kvm_guest_debug_cause {
	KVM_GUEST_DEBUG_SW_BP,
	KVM_GUEST_DEBUG_HW_BP,
	KVM_GUEST_DEBUG_WATCHPOINT,
	KVM_GUEST_DEBUG_STEP,
};

int kvm_guest_debug_set(struct kvm_vcpu *vcpu, struct kvm_guest_debug *dbg);
int kvm_guest_debug_cap2(void);
void kvm_guest_debug_exit(struct kvm_vcpu *vcpu,
			  enum kvm_guest_debug_cause cause, u64 pc);

#endif /* __LINUX_KVM_GUEST_DEBUG_H */
