/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the arm64 guest-debug programs: the address of a label in the
 * guest's code.
 */
#ifndef SELFTEST_KVM_AARCH64_GUEST_DEBUG_H
#define SELFTEST_KVM_AARCH64_GUEST_DEBUG_H

#include <stdint.h>

/*
 * The address of a label in the guest's asm.  The guest runs this very
 * binary at its link address, so the host's view is the guest's.
 */
#define GUEST_LABEL(name)						\
({									\
	uint64_t __addr;						\
									\
	asm("adrp %0, " #name "\n\t"					\
	    "add %0, %0, :lo12:" #name : "=r"(__addr));			\
	__addr;								\
})

#endif /* SELFTEST_KVM_AARCH64_GUEST_DEBUG_H */
