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

/*
 * The DR6 B0-3 bits of the breakpoints that @dr7 enables, locally or
 * globally: a match may also be flagged for a slot DR7 leaves disabled.
 */
static inline unsigned long kvm_guest_debug_enabled_slots(unsigned long dr7)
{
	unsigned long any = dr7 | (dr7 >> 1);

	return (any & 1) | ((any >> 1) & 2) | ((any >> 2) & 4) | ((any >> 3) & 8);
}

/**
 * kvm_guest_debug_db_bits() - userspace's share of a #DB
 * @vcpu: the vCPU that took the #DB
 * @payload: the #DB's DR6 bits, with 1 meaning "happened" for every bit
 *           (the form of VMX's exit qualification)
 *
 * Userspace owns BS while it single-steps, and, while its DR0-3 and DR7
 * are the ones in the hardware, B0-3 of the slots its DR7 enables and BD
 * if its DR7 sets GD.  Everything else is the guest's.
 *
 * Return: the bits of @payload that userspace's own mechanisms raised.
 */
static inline unsigned long kvm_guest_debug_db_bits(struct kvm_vcpu *vcpu,
						    unsigned long payload)
{
	unsigned long dr7 = vcpu->arch.guest_debug_dr7;
	unsigned long mine = 0;

	if (vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP)
		mine |= payload & DR6_BS;
	if (vcpu->guest_debug & KVM_GUESTDBG_USE_HW_BP) {
		mine |= payload & kvm_guest_debug_enabled_slots(dr7);
		if (dr7 & DR7_GD)
			mine |= payload & DR6_BD;
	}
	return mine;
}

/**
 * kvm_guest_debug_owns_db() - whether a #DB exits to userspace
 * @vcpu: the vCPU that took the #DB
 * @payload: the #DB's DR6 bits, in the form kvm_guest_debug_db_bits() takes
 *
 * Return: true if any part of it is userspace's (kvm_guest_debug_db_bits());
 * kvm_guest_debug_report() then hands the guest its own part, if any.
 */
static inline bool kvm_guest_debug_owns_db(struct kvm_vcpu *vcpu,
					   unsigned long payload)
{
	return kvm_guest_debug_db_bits(vcpu, payload);
}

void __kvm_guest_debug_watch(struct kvm_vcpu *vcpu, unsigned long addr,
			     unsigned int len, bool write);

/**
 * kvm_guest_debug_watch() - check an access KVM emulates against
 *			     userspace's watchpoints
 * @vcpu: the vCPU whose instruction KVM emulates
 * @addr: the linear address of the access
 * @len: its length in bytes
 * @write: whether it writes
 */
static inline void kvm_guest_debug_watch(struct kvm_vcpu *vcpu,
					 unsigned long addr, unsigned int len,
					 bool write)
{
	if (unlikely(vcpu->guest_debug & KVM_GUESTDBG_USE_HW_BP))
		__kvm_guest_debug_watch(vcpu, addr, len, write);
}

bool kvm_guest_debug_emulate_gd(struct kvm_vcpu *vcpu);
int kvm_guest_debug_report(struct kvm_vcpu *vcpu, u8 vector,
			   unsigned long payload);
int kvm_guest_debug_step_exit(struct kvm_vcpu *vcpu);
int kvm_guest_debug_insn_done(struct kvm_vcpu *vcpu, bool guest_tf);
int kvm_guest_debug_write_done(struct kvm_vcpu *vcpu);
unsigned long kvm_guest_debug_hide_tf(struct kvm_vcpu *vcpu,
				      unsigned long rflags);
unsigned long kvm_guest_debug_apply_tf(struct kvm_vcpu *vcpu,
				       unsigned long rflags);

#endif /* ARCH_X86_KVM_GUEST_DEBUG_H */
