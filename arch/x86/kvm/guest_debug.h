/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86 guest-debug policy that the vendor modules (VMX, SVM) and the
 * emulator share: which debug exceptions belong to userspace, what a
 * KVM_EXIT_DEBUG reports, and how the host's trap flag stays out of the
 * guest's sight.
 */
#ifndef ARCH_X86_KVM_GUEST_DEBUG_H
#define ARCH_X86_KVM_GUEST_DEBUG_H

#include <linux/kvm_host.h>

#include <asm/debugreg.h>

/**
 * kvm_guest_debug_wants_bp() - whether #BP must be intercepted
 * @vcpu: the vCPU
 *
 * Return: true while userspace plants software breakpoints in the guest.
 */
static inline bool kvm_guest_debug_wants_bp(struct kvm_vcpu *vcpu)
{
	return vcpu->guest_debug & KVM_GUESTDBG_USE_SW_BP;
}

/**
 * kvm_guest_debug_owns_db() - whether a #DB belongs to userspace
 * @vcpu: the vCPU that took the #DB
 * @payload: the #DB's DR6 bits, with 1 meaning "happened" for every bit
 *           (the form of VMX's exit qualification)
 *
 * Return: true if userspace's single-step or one of userspace's
 * breakpoints raised it, so that it must exit with KVM_EXIT_DEBUG; false
 * if it is the guest's.
 */
static inline bool kvm_guest_debug_owns_db(struct kvm_vcpu *vcpu,
					   unsigned long payload)
{
	if ((vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP) && (payload & DR6_BS))
		return true;
	/*
	 * DR0-3 and DR7 (with its GD bit) in the hardware are userspace's
	 * while it uses them, so any hit in them is too.
	 */
	return (vcpu->guest_debug & KVM_GUESTDBG_USE_HW_BP) &&
	       (payload & (DR_TRAP_BITS | DR6_BD));
}

bool kvm_guest_debug_emulate_gd(struct kvm_vcpu *vcpu);
int kvm_guest_debug_report(struct kvm_vcpu *vcpu, u8 vector,
			   unsigned long payload);
int kvm_guest_debug_step_exit(struct kvm_vcpu *vcpu);
int kvm_guest_debug_write_done(struct kvm_vcpu *vcpu);
unsigned long kvm_guest_debug_hide_tf(struct kvm_vcpu *vcpu,
				      unsigned long rflags);
unsigned long kvm_guest_debug_apply_tf(struct kvm_vcpu *vcpu,
				       unsigned long rflags);

#endif /* ARCH_X86_KVM_GUEST_DEBUG_H */
