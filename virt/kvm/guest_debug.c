// SPDX-License-Identifier: GPL-2.0-only
/*
 * Common guest-debug handling: the control word of KVM_SET_GUEST_DEBUG is
 * checked here, once, for every architecture that declares the flags it
 * supports; the architecture handles the rest.
 */
#include <linux/kvm_guest_debug.h>

#ifdef KVM_GUESTDBG_VALID_MASK
#define GUESTDBG_SUPPORTED	KVM_GUESTDBG_VALID_MASK
#else
/* Not declared: the architecture checks the control word itself. */
#define GUESTDBG_SUPPORTED	0
#endif

/**
 * kvm_guest_debug_set() - handle KVM_SET_GUEST_DEBUG for a vCPU
 * @vcpu: the vCPU, with vcpu->mutex held
 * @dbg: the request, copied from userspace
 *
 * Refuses control bits that the architecture does not support, before the
 * architecture sees the request, so that a refused request changes nothing.
 *
 * Return: 0 on success, -EINVAL for an unsupported control bit, or the
 * architecture's error.
 */
int kvm_guest_debug_set(struct kvm_vcpu *vcpu, struct kvm_guest_debug *dbg)
{
	if (GUESTDBG_SUPPORTED && (dbg->control & ~GUESTDBG_SUPPORTED))
		return -EINVAL;
	return kvm_arch_vcpu_ioctl_set_guest_debug(vcpu, dbg);
}

/**
 * kvm_guest_debug_cap2() - the value of KVM_CAP_SET_GUEST_DEBUG2
 *
 * Return: the control flags KVM_SET_GUEST_DEBUG accepts, or 0 when the
 * architecture does not declare them.
 */
int kvm_guest_debug_cap2(void)
{
	return GUESTDBG_SUPPORTED;
}

/**
 * kvm_guest_debug_exit() - start a KVM_EXIT_DEBUG exit to userspace
 * @vcpu: the vCPU that stops
 *
 * Sets the exit reason and clears the architecture's exit data, so that
 * no field of an earlier exit leaks into this one; the caller fills in
 * what its architecture reports.
 */
void kvm_guest_debug_exit(struct kvm_vcpu *vcpu)
{
	vcpu->run->exit_reason = KVM_EXIT_DEBUG;
	memset(&vcpu->run->debug.arch, 0, sizeof(vcpu->run->debug.arch));
}
