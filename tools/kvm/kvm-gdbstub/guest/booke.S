/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Book E (e500v2) start code.  The stub's TLB1 entry maps the image 1:1.
 * IVOR6, the program interrupt, counts the guest's own trap instruction
 * and returns past it; KVM hands such a trap to the guest without an exit.
 */
#define GUEST_MMIO_CONSOLE	0x09000000
#define GUEST_MMIO_EXIT		0x09000008
#define SPRN_IVPR		63
#define SPRN_IVOR6		406

	.section .text.start, "ax"
	.globl _start
_start:
	lis	1, stack_top@ha
	addi	1, 1, stack_top@l
	li	0, 0
	stwu	0, -16(1)
	/* Vectors sit at IVPR[0:15] | IVORn[16:27]. */
	lis	3, program_vector@h
	ori	3, 3, program_vector@l
	mtspr	SPRN_IVPR, 3
	andi.	3, 3, 0xfff0
	mtspr	SPRN_IVOR6, 3
	bl	guest_main
	b	.

	.text
	.globl guest_putc
guest_putc:
	lis	4, GUEST_MMIO_CONSOLE@h
	ori	4, 4, GUEST_MMIO_CONSOLE@l
	stb	3, 0(4)
	blr

	.globl guest_exit
guest_exit:
	lis	4, GUEST_MMIO_EXIT@h
	ori	4, 4, GUEST_MMIO_EXIT@l
	stb	3, 0(4)
	b	.

	.globl guest_own_breakpoint
guest_own_breakpoint:
	trap
	blr

	.globl guest_relax
guest_relax:
	blr

	.balign	16
program_vector:
	mtsprg0	3
	mtsprg1	4
	lis	3, own_traps@ha
	lwz	4, own_traps@l(3)
	addi	4, 4, 1
	stw	4, own_traps@l(3)
	mfsrr0	3
	addi	3, 3, 4
	mtsrr0	3
	mfsprg0	3
	mfsprg1	4
	rfi
