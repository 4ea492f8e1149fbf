// SPDX-License-Identifier: GPL-2.0-only
/*
 * Common guest-debug handling: the control word of KVM_SET_GUEST_DEBUG is
 * checked here, once, for every architecture that declares the flags it
 * supports; the architecture handles the rest.
 */
#include <linux/kvm_guest_debug.h>

#define CREATE_TRACE_POINTS
#include <trace/events/kvm_guest_debug.h>

#ifdef KVM_GUESTDBG_VALID_MASK
#define GUESTDBG_SUPPORTED	KVM_GUESTDBG_VALID_MASK
#else
/* Not declared: the architecture checks the control word itself. */
#define GUESTDBG_SUPPORTED	0
#endif

#if defined(KVM_GUESTDBG_INJECT_BP) && defined(KVM_GUESTDBG_INJECT_DB)
#define GUESTDBG_INJECT		(KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_INJECT_DB)
#else
#define GUESTDBG_INJECT		0
#endif

/**
 * kvm_guest_debug_set() - handle KVM_SET_GUEST_DEBUG for a vCPU
 * @vcpu: the vCPU, with vcpu->mutex held
 * @dbg: the request, copied from userspace
 *
 * Refuses control bits that the architecture does not support, and
 * KVM_GUESTDBG_INJECT_BP together with INJECT_DB, with or without
 * KVM_GUESTDBG_ENABLE, before the architecture sees the request, so that
 * a refused request changes nothing.  An accepted INJECT_BP or INJECT_DB
 * has queued the exception for the guest, and counts in the vCPU's
 * debug_inject statistic.
 *
 * Return: 0 on success, -EINVAL for an unsupported control bit or both
 * INJECT flags, or the architecture's error.
 */
int kvm_guest_debug_set(struct kvm_vcpu *vcpu, struct kvm_guest_debug *dbg)
{
	int r;

	if (GUESTDBG_SUPPORTED && (dbg->control & ~GUESTDBG_SUPPORTED))
		return -EINVAL;
	if ((GUESTDBG_SUPPORTED & GUESTDBG_INJECT) &&
	    (dbg->control & GUESTDBG_INJECT) == GUESTDBG_INJECT)
		return -EINVAL;
	r = kvm_arch_vcpu_ioctl_set_guest_debug(vcpu, dbg);
	if (!r && (dbg->control & GUESTDBG_SUPPORTED & GUESTDBG_INJECT))
		++vcpu->stat.guest_debug.debug_inject;
	return r;
}

#ifdef KVM_GUESTDBG_IGNORED_MASK
/* Accepted but not implemented: an older ABI's, never offered in CAP2. */
#define GUESTDBG_IGNORED	KVM_GUESTDBG_IGNORED_MASK
#else
#define GUESTDBG_IGNORED	0
#endif

/**
 * kvm_guest_debug_cap2() - the value of KVM_CAP_SET_GUEST_DEBUG2
 *
 * Return: the control flags KVM_SET_GUEST_DEBUG accepts and implements,
 * or 0 when the architecture does not declare them.
 */
int kvm_guest_debug_cap2(void)
{
	return GUESTDBG_SUPPORTED & ~GUESTDBG_IGNORED;
}

/**
 * kvm_guest_debug_exit() - start a KVM_EXIT_DEBUG exit to userspace
 * @vcpu: the vCPU that stops
 * @cause: why it stops
 * @pc: the guest address the exit reports the vCPU at
 *
 * Sets the exit reason and clears the architecture's exit data, so that
 * no field of an earlier exit leaks into this one; the caller fills in
 * what its architecture reports.  The exit counts in the vCPU's statistic
 * for @cause and fires the kvm_guest_debug_exit tracepoint.
 */
void kvm_guest_debug_exit(struct kvm_vcpu *vcpu,
			  enum kvm_guest_debug_cause cause, u64 pc)
{
	struct kvm_vcpu_stat_guest_debug *stat = &vcpu->stat.guest_debug;

	vcpu->run->exit_reason = KVM_EXIT_DEBUG;
	memset(&vcpu->run->debug.arch, 0, sizeof(vcpu->run->debug.arch));

	switch (cause) {
	case KVM_GUEST_DEBUG_SW_BP:
		++stat->debug_exit_sw_bp;
		break;
	case KVM_GUEST_DEBUG_HW_BP:
		++stat->debug_exit_hw_bp;
		break;
	case KVM_GUEST_DEBUG_WATCHPOINT:
		++stat->debug_exit_watchpoint;
		break;
	case KVM_GUEST_DEBUG_STEP:
		++stat->debug_exit_step;
		break;
	}
	trace_kvm_guest_debug_exit(vcpu->vcpu_id, cause, pc);
}
