/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 start code: EL1h, with the MMU on over an identity map, so that
 * every address gdb names goes through the stub's walk of the guest's
 * tables.  The vector table's one live entry, synchronous exceptions
 * from the current EL, counts and skips the guest's own BRK; any other
 * exception ends the guest with status 2.
 */
#define GUEST_MMIO_CONSOLE	0x09000000
#define GUEST_MMIO_EXIT		0x09000008
#define ESR_EC_BRK64		0x3c

/*
 * A 31-bit VA space (T0SZ 33) with the 4K granule starts at level 1 with
 * a table of two 1 GiB blocks: devices below 1 GiB, RAM above.  Such a
 * small table needs only 64-byte alignment; it sits off a page boundary
 * on purpose.  TTBR1 walks are off (EPD1); the PA size is 4 GiB.
 */
#define TCR_T0SZ_31BIT		33
#define TCR_WBWA_INNER_SHARED	((1 << 8) | (1 << 10) | (3 << 12))
#define TCR_EPD1		(1 << 23)
#define MAIR_DEVICE_NORMAL	0xff00	/* attr0 Device-nGnRnE, attr1 Normal WB */
#define BLOCK_AF		(1 << 10)
#define BLOCK_DEVICE		(BLOCK_AF | 1)
#define BLOCK_NORMAL		(BLOCK_AF | (3 << 8) | (1 << 2) | 1)
#define SCTLR_M_C_I		((1 << 0) | (1 << 2) | (1 << 12))

	.section .text.start, "ax"
	.globl _start
_start:
	ldr	x0, =stack_top
	mov	sp, x0
	adr	x0, vectors
	msr	vbar_el1, x0
	adr	x0, level1_table
	msr	ttbr0_el1, x0
	mov	x0, #MAIR_DEVICE_NORMAL
	msr	mair_el1, x0
	ldr	x0, =(TCR_T0SZ_31BIT | TCR_WBWA_INNER_SHARED | TCR_EPD1)
	msr	tcr_el1, x0
	isb
	mrs	x0, sctlr_el1
	ldr	x1, =SCTLR_M_C_I
	orr	x0, x0, x1
	msr	sctlr_el1, x0
	isb
	bl	guest_main
	b	.

	.text
	.globl guest_putc
guest_putc:
	mov	x1, #GUEST_MMIO_CONSOLE
	strb	w0, [x1]
	ret

	.globl guest_exit
guest_exit:
	ldr	x1, =GUEST_MMIO_EXIT
	strb	w0, [x1]
	b	.

	.globl guest_own_breakpoint
guest_own_breakpoint:
	brk	#0x77
	ret

	.globl guest_relax
guest_relax:
	yield
	ret

sync_current_el:
	stp	x0, x1, [sp, #-16]!
	mrs	x0, esr_el1
	lsr	x0, x0, #26
	cmp	x0, #ESR_EC_BRK64
	b.ne	unexpected
	ldr	x0, =own_traps
	ldr	x1, [x0]
	add	x1, x1, #1
	str	x1, [x0]
	mrs	x0, elr_el1
	add	x0, x0, #4
	msr	elr_el1, x0
	ldp	x0, x1, [sp], #16
	eret

unexpected:
	mov	x0, #2
	b	guest_exit

	.balign	2048
vectors:
	.rept	4
	b	unexpected
	.balign	128
	.endr
	b	sync_current_el		/* current EL with SP_ELx, synchronous */
	.balign	128
	.rept	11
	b	unexpected
	.balign	128
	.endr

	.data
	.balign	4096
	.skip	2048
level1_table:
	.quad	0x00000000 | BLOCK_DEVICE
	.quad	0x40000000 | BLOCK_NORMAL
