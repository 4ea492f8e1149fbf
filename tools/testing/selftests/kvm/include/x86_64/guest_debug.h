/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the x86 guest-debug tests: the address of a label in
 * the guest's code, and the check of a KVM_EXIT_DEBUG.
 */
#ifndef SELFTEST_KVM_X86_GUEST_DEBUG_H
#define SELFTEST_KVM_X86_GUEST_DEBUG_H

#include "kvm_util.h"
#include "test_expect.h"

/* processor.h lacks these, and asm/processor-flags.h clashes with it. */
#define GD_RFLAGS_TF	BIT(8)
#define GD_RFLAGS_RF	BIT(16)
#define GD_DR6_BD	BIT(13)

/*
 * The address of a label in the guest's asm.  The guest runs this very
 * binary at its link address, so the host's view is the guest's.
 */
#define GUEST_LABEL(name)						\
({									\
	uint64_t __addr;						\
									\
	asm("lea " #name "(%%rip), %0" : "=r"(__addr));			\
	__addr;								\
})

/*
 * Whether the last exit was KVM_EXIT_DEBUG for @vector at @pc with all of
 * @dr6_bits set in the reported DR6; says why not otherwise.
 */
static inline bool debug_exit_at(struct kvm_vcpu *vcpu, uint32_t vector,
				 uint64_t pc, uint64_t dr6_bits)
{
	struct kvm_debug_exit_arch *exit = &vcpu->run->debug.arch;
	uint32_t reason = vcpu->run->exit_reason;

	if (!expect(reason == KVM_EXIT_DEBUG, "exit reason %s, want KVM_EXIT_DEBUG",
		    exit_reason_str(reason)))
		return false;
	return expect(exit->exception == vector && exit->pc == pc &&
		      (exit->dr6 & dr6_bits) == dr6_bits,
		      "exception %u at 0x%llx with dr6 0x%llx, want %u at 0x%lx with 0x%lx",
		      exit->exception, exit->pc, exit->dr6, vector, pc, dr6_bits);
}

#endif /* SELFTEST_KVM_X86_GUEST_DEBUG_H */
