/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 start code: EL1h, MMU off.  The vector table's one live entry,
 * synchronous exceptions from the current EL, counts and skips the
 * guest's own BRK; any other exception ends the guest with status 2.
 */
#define GUEST_MMIO_CONSOLE	0x09000000
#define GUEST_MMIO_EXIT		0x09000008
#define ESR_EC_BRK64		0x3c

	.section .text.start, "ax"
	.globl _start
_start:
	ldr	x0, =stack_top
	mov	sp, x0
	adr	x0, vectors
	msr	vbar_el1, x0
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
