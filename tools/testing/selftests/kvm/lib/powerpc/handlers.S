/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interrupt entry for 32-bit Book E guests.  Each vector is a 16-byte
 * stub, in enum booke_vector order, so that the IVORs are offsets from one
 * IVPR; the stubs open a frame on the interrupted stack and hand over to
 * the entry code of their interrupt class, which saves the state as a
 * struct ex_regs and calls route_exception().
 */

#define FRAME	176
#define REGS	8
#define GPR(n)	(REGS + 4 * (n))
#define PC	(REGS + 128)
#define MSR	(PC + 4)
#define LR	(PC + 8)
#define CR	(PC + 12)
#define CTR	(PC + 16)
#define XER	(PC + 20)
#define VECTOR	(PC + 24)

#define SRR0	26
#define SRR1	27
#define CSRR0	58
#define CSRR1	59
#define MCSRR0	570
#define MCSRR1	571

/* Not every assembler knows the Book E return instructions by name. */
#define RFI	.long 0x4c000064
#define RFCI	.long 0x4c000066
#define RFMCI	.long 0x4c00004c

.macro stub vector, class
	.balign 16
	stwu	%r1, -FRAME(%r1)
	stw	%r3, GPR(3)(%r1)
	li	%r3, \vector
	b	entry_\class
.endm

.macro entry class, srr0, srr1
entry_\class:
	stw	%r0, GPR(0)(%r1)
	stw	%r2, GPR(2)(%r1)
	stmw	%r4, GPR(4)(%r1)
	stw	%r3, VECTOR(%r1)
	addi	%r0, %r1, FRAME
	stw	%r0, GPR(1)(%r1)
	mfspr	%r0, \srr0
	stw	%r0, PC(%r1)
	mfspr	%r0, \srr1
	stw	%r0, MSR(%r1)
	mflr	%r0
	stw	%r0, LR(%r1)
	mfcr	%r0
	stw	%r0, CR(%r1)
	mfctr	%r0
	stw	%r0, CTR(%r1)
	mfxer	%r0
	stw	%r0, XER(%r1)

	addi	%r3, %r1, REGS
	bl	route_exception

	lwz	%r0, PC(%r1)
	mtspr	\srr0, %r0
	lwz	%r0, MSR(%r1)
	mtspr	\srr1, %r0
	lwz	%r0, LR(%r1)
	mtlr	%r0
	lwz	%r0, CR(%r1)
	mtcr	%r0
	lwz	%r0, CTR(%r1)
	mtctr	%r0
	lwz	%r0, XER(%r1)
	mtxer	%r0
	lwz	%r0, GPR(0)(%r1)
	lwz	%r2, GPR(2)(%r1)
	lwz	%r3, GPR(3)(%r1)
	lmw	%r4, GPR(4)(%r1)
	addi	%r1, %r1, FRAME
.endm

	.text
	/* A page holds every stub, so no stub crosses the IVPR's 64K. */
	.balign 4096
	.globl	booke_vectors
booke_vectors:
	stub	0, critical		/* critical input */
	stub	1, machine_check
	stub	2, base			/* data storage */
	stub	3, base			/* instruction storage */
	stub	4, base			/* external input */
	stub	5, base			/* alignment */
	stub	6, base			/* program */
	stub	7, base			/* FP unavailable */
	stub	8, base			/* system call */
	stub	9, base			/* AP unavailable */
	stub	10, base		/* decrementer */
	stub	11, base		/* fixed interval timer */
	stub	12, critical		/* watchdog */
	stub	13, base		/* data TLB miss */
	stub	14, base		/* instruction TLB miss */
	/* On e500v2 a debug interrupt saves to CSRR0/1, as critical ones do. */
	stub	15, critical		/* debug */
	stub	16, base		/* SPE unavailable */
	stub	17, base		/* SPE FP data */
	stub	18, base		/* SPE FP round */
	stub	19, base		/* performance monitor */

	entry	base, SRR0, SRR1
	RFI
	entry	critical, CSRR0, CSRR1
	RFCI
	entry	machine_check, MCSRR0, MCSRR1
	RFMCI

	.section .note.GNU-stack, "", @progbits
