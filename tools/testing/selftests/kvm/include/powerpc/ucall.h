/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SELFTEST_KVM_UCALL_H
#define SELFTEST_KVM_UCALL_H

#include "kvm_util.h"

#define UCALL_EXIT_REASON	KVM_EXIT_MMIO

/* A word, not a vm_vaddr_t: a 64-bit store would be two MMIO exits. */
extern uint32_t *ucall_exit_mmio_addr;

static inline void ucall_arch_do_ucall(vm_vaddr_t uc)
{
	WRITE_ONCE(*ucall_exit_mmio_addr, (uint32_t)uc);
}

#endif /* SELFTEST_KVM_UCALL_H */
