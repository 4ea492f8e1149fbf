/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * 32-bit Book E (e500) guest support for the KVM selftests.
 */
#ifndef SELFTEST_KVM_PROCESSOR_H
#define SELFTEST_KVM_PROCESSOR_H

#include <stdint.h>
#include <linux/bits.h>
#include <linux/kvm.h>
#include <linux/stringify.h>

#include "kvm_util.h"

/* Special purpose registers, by number (Book E and the e500 core manuals). */
#define SPRN_DEC	22
#define SPRN_SRR0	26
#define SPRN_SRR1	27
#define SPRN_CSRR0	58
#define SPRN_CSRR1	59
#define SPRN_DEAR	61
#define SPRN_ESR	62
#define SPRN_DECAR	54
#define SPRN_IVPR	63
#define SPRN_DBSR	304
#define SPRN_DBCR0	308
#define SPRN_DBCR1	309
#define SPRN_DBCR2	310
#define SPRN_IAC1	312
#define SPRN_IAC2	313
#define SPRN_DAC1	316
#define SPRN_DAC2	317
#define SPRN_TSR	336
#define SPRN_TCR	340

#define MSR_DE		BIT(9)
#define MSR_ME		BIT(12)
#define MSR_PR		BIT(14)
#define MSR_EE		BIT(15)
#define MSR_CE		BIT(17)
#define MSR_WE		BIT(18)

/* DBCR0 and DBSR share their event bit positions. */
#define DBCR0_IDM	0x40000000u
#define DBCR0_IC	0x08000000u
#define DBCR0_TDE	0x01000000u
#define DBCR0_IAC(n)	(0x00800000u >> ((n) - 1))	/* n = 1..4 */
#define DBCR0_DAC1R	0x00080000u
#define DBCR0_DAC1W	0x00040000u
#define DBCR0_DAC2R	0x00020000u
#define DBCR0_DAC2W	0x00010000u
#define DBSR_IC		DBCR0_IC
#define DBSR_TIE	DBCR0_TDE
#define DBSR_IAC(n)	DBCR0_IAC(n)
#define DBSR_DAC1R	DBCR0_DAC1R
#define DBSR_DAC1W	DBCR0_DAC1W
#define DBSR_DAC2R	DBCR0_DAC2R
#define DBSR_DAC2W	DBCR0_DAC2W

#define ESR_PTR		0x02000000u	/* program interrupt: trap */
#define ESR_PIL		0x08000000u	/* program interrupt: illegal */

#define TSR_DIS		0x08000000u
#define TCR_DIE		0x04000000u
#define TCR_ARE		0x00400000u

#define mfspr(rn)							\
({									\
	unsigned long __v;						\
	asm volatile("mfspr %0, " __stringify(rn) : "=r"(__v));		\
	__v;								\
})

#define mtspr(rn, v)							\
({									\
	asm volatile("mtspr " __stringify(rn) ", %0"			\
		     : : "r"((unsigned long)(v)) : "memory");		\
})

static inline unsigned long msr_read(void)
{
	unsigned long msr;

	asm volatile("mfmsr %0" : "=r"(msr));
	return msr;
}

static inline void msr_write(unsigned long msr)
{
	asm volatile("mtmsr %0; isync" : : "r"(msr) : "memory");
}

/*
 * Interrupt vectors, numbered as their IVORs.  IVOR0-15 are Book E's,
 * IVOR32-35 the e500's SPE and performance monitor ones.
 */
enum booke_vector {
	IVOR_CRITICAL,
	IVOR_MACHINE_CHECK,
	IVOR_DATA_STORAGE,
	IVOR_INST_STORAGE,
	IVOR_EXTERNAL,
	IVOR_ALIGNMENT,
	IVOR_PROGRAM,
	IVOR_FP_UNAVAIL,
	IVOR_SYSCALL,
	IVOR_AP_UNAVAIL,
	IVOR_DECREMENTER,
	IVOR_FIT,
	IVOR_WATCHDOG,
	IVOR_DTLB_MISS,
	IVOR_ITLB_MISS,
	IVOR_DEBUG,
	IVOR_SPE_UNAVAIL,
	IVOR_SPE_FP_DATA,
	IVOR_SPE_FP_ROUND,
	IVOR_PERF_MONITOR,
	NR_BOOKE_VECTORS,
};

/*
 * The state an interrupt saved.  pc and msr come from the save/restore
 * pair of the interrupt's class (SRR, CSRR or MCSRR) and go back through
 * it: a handler may change them to resume elsewhere.
 */
struct ex_regs {
	unsigned long gpr[32];
	unsigned long pc;
	unsigned long msr;
	unsigned long lr;
	unsigned long cr;
	unsigned long ctr;
	unsigned long xer;
	unsigned long vector;
	unsigned long pad;
};

typedef void (*booke_handler_t)(struct ex_regs *regs);

/* The interrupt stubs of handlers.S, 16 bytes each, in enum order. */
extern char booke_vectors[];

/**
 * vm_install_exception_handler() - let guest code take an interrupt
 * @vm: the VM
 * @vector: IVOR number of the interrupt
 * @handler: guest function called with the saved state, or NULL for the
 *	default, which fails the test with the interrupt's state
 */
void vm_install_exception_handler(struct kvm_vm *vm, int vector,
				  booke_handler_t handler);

/**
 * booke_tlb_allow_user() - let the guest's user mode execute and read a
 * mapped guest page
 * @vm: the VM
 * @gva: a guest virtual address that virt_pg_map() mapped
 */
void booke_tlb_allow_user(struct kvm_vm *vm, vm_vaddr_t gva);

/**
 * booke_tlb_set_uncached() - make a mapped guest page cache-inhibited and
 * guarded, as MMIO wants it
 * @vm: the VM
 * @gva: a guest virtual address that virt_pg_map() mapped
 */
void booke_tlb_set_uncached(struct kvm_vm *vm, vm_vaddr_t gva);

/* The instruction KVM_REG_PPC_DEBUG_INST reports, for the vCPU. */
uint32_t vcpu_debug_inst(struct kvm_vcpu *vcpu);

#endif /* SELFTEST_KVM_PROCESSOR_H */
