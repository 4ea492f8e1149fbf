/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry, interrupt vectors and the access helpers whose first
 * instruction is the one an address compare must stop at.
 */

#define SPRN_CSRR0	58
#define SPRN_CSRR1	59
#define SPRN_IVPR	63
#define SPRN_SPRG0	272
#define SPRN_SPRG1	273
#define SPRN_DBSR	304
#define SPRN_DBCR0	308
#define SPRN_IVOR0	400

	.section .text.start, "ax"
	.globl _start
_start:
	lis	%r1, stack_top@ha
	addi	%r1, %r1, stack_top@l
	li	%r0, 0
	stwu	%r0, -16(%r1)
	/* IVPR keeps the upper 16 bits; every IVOR points into vectors. */
	lis	%r3, vectors@h
	mtspr	SPRN_IVPR, %r3
	li	%r3, other_vector - vectors
	mtspr	SPRN_IVOR0 + 0, %r3
	mtspr	SPRN_IVOR0 + 1, %r3
	mtspr	SPRN_IVOR0 + 2, %r3
	mtspr	SPRN_IVOR0 + 3, %r3
	mtspr	SPRN_IVOR0 + 4, %r3
	mtspr	SPRN_IVOR0 + 5, %r3
	mtspr	SPRN_IVOR0 + 6, %r3
	mtspr	SPRN_IVOR0 + 7, %r3
	mtspr	SPRN_IVOR0 + 8, %r3
	mtspr	SPRN_IVOR0 + 9, %r3
	mtspr	SPRN_IVOR0 + 10, %r3
	mtspr	SPRN_IVOR0 + 11, %r3
	mtspr	SPRN_IVOR0 + 12, %r3
	mtspr	SPRN_IVOR0 + 13, %r3
	mtspr	SPRN_IVOR0 + 14, %r3
	li	%r3, debug_vector - vectors
	mtspr	SPRN_IVOR0 + 15, %r3
	isync
	bl	main
1:	b	1b

	.text
	.balign	0x10000
vectors:
	/* Debug (critical class on e500v2): record, clear, disarm, return. */
debug_vector:
	mtspr	SPRN_SPRG0, %r3
	mtspr	SPRN_SPRG1, %r4
	lis	%r4, debug_record@ha
	addi	%r4, %r4, debug_record@l
	mfspr	%r3, SPRN_CSRR0
	stw	%r3, 0(%r4)
	mfspr	%r3, SPRN_CSRR1
	stw	%r3, 4(%r4)
	mfspr	%r3, SPRN_DBSR
	stw	%r3, 8(%r4)
	mtspr	SPRN_DBSR, %r3
	lwz	%r3, 12(%r4)
	addi	%r3, %r3, 1
	stw	%r3, 12(%r4)
	li	%r3, 0
	mtspr	SPRN_DBCR0, %r3
	isync
	mfspr	%r4, SPRN_SPRG1
	mfspr	%r3, SPRN_SPRG0
	rfci

	.balign	16
other_vector:
	mfspr	%r3, SPRN_CSRR0
	mfsrr0	%r4
	bl	unexpected_interrupt
1:	b	1b

	.globl	store_word
store_word:
	stw	%r4, 0(%r3)
	blr

	.globl	load_word
load_word:
	lwz	%r3, 0(%r3)
	blr

	.globl	iac_target
iac_target:
	nop
	blr

	/* Arms DBCR0 with r3 and steps a few instructions below 0xf00. */
	.section .lowtext, "ax"
	.globl	low_step
low_step:
	mtspr	SPRN_DBCR0, %r3
	isync
	nop
	nop
	blr

	.bss
	.balign	16
	.space	8192
stack_top:

	.section .note.GNU-stack, "", @progbits
