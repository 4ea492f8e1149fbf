/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the Book E guest-debug programs: the address of a label in
 * the guest's code.
 */
#ifndef SELFTEST_KVM_POWERPC_GUEST_DEBUG_H
#define SELFTEST_KVM_POWERPC_GUEST_DEBUG_H

#include <stdint.h>

/*
 * The address of a label in the guest's asm.  The guest runs this very
 * binary at its link address, so the host's view is the guest's.
 */
#define GUEST_LABEL(name)						\
({									\
	uint32_t __addr;						\
									\
	asm("lis %0, " #name "@ha\n\taddi %0, %0, " #name "@l"	\
	    : "=b"(__addr));						\
	__addr;								\
})

#endif /* SELFTEST_KVM_POWERPC_GUEST_DEBUG_H */
