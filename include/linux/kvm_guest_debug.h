/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The architecture-neutral part of KVM_SET_GUEST_DEBUG and KVM_EXIT_DEBUG.
 *
 * An architecture that defines KVM_GUESTDBG_VALID_MASK gets, from the
 * common code, one errno policy for the control word and the report of
 * KVM_CAP_SET_GUEST_DEBUG2; its own code then only sees control words that
 * it supports.
 */
#ifndef __LINUX_KVM_GUEST_DEBUG_H
#define __LINUX_KVM_GUEST_DEBUG_H

#include <linux/kvm_host.h>

int kvm_guest_debug_set(struct kvm_vcpu *vcpu, struct kvm_guest_debug *dbg);
int kvm_guest_debug_cap2(void);
void kvm_guest_debug_exit(struct kvm_vcpu *vcpu);

#endif /* __LINUX_KVM_GUEST_DEBUG_H */
