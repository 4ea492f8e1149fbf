/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64 start code.  The stub starts the vCPU in 64-bit mode; this
 * loads a GDT that matches the selectors it used, and an IDT whose one
 * gate, #BP, counts the guest's own int3 and returns past it.
 */
#define GUEST_CONSOLE_PORT	0xe9
#define GUEST_EXIT_PORT		0xf4
#define SEL_CODE		0x08
#define SEL_DATA		0x10
#define VEC_BP			3

	.section .text.start, "ax"
	.code64
	.globl _start
_start:
	lea	stack_top(%rip), %rsp
	lgdt	gdt_desc(%rip)
	pushq	$SEL_CODE
	lea	1f(%rip), %rax
	pushq	%rax
	lretq
1:	mov	$SEL_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	/* The #BP gate: a 64-bit interrupt gate to bp_handler at DPL 0. */
	lea	bp_handler(%rip), %rax
	lea	idt + VEC_BP * 16(%rip), %rdi
	movw	%ax, (%rdi)
	movw	$SEL_CODE, 2(%rdi)
	movw	$0x8e00, 4(%rdi)
	shr	$16, %rax
	movw	%ax, 6(%rdi)
	shr	$16, %rax
	movl	%eax, 8(%rdi)
	lidt	idt_desc(%rip)
	call	guest_main
	hlt

	.text
	.globl guest_putc
guest_putc:
	mov	%edi, %eax
	outb	%al, $GUEST_CONSOLE_PORT
	ret

	.globl guest_exit
guest_exit:
	mov	%edi, %eax
	outb	%al, $GUEST_EXIT_PORT
	hlt

	.globl guest_own_breakpoint
guest_own_breakpoint:
	int3
	ret

/* int3 is a trap: the saved RIP is already past it. */
bp_handler:
	lock incq own_traps(%rip)
	iretq

	.data
	.balign	16
gdt:
	.quad	0
	.quad	0x00af9b000000ffff	/* SEL_CODE: 64-bit code, DPL 0 */
	.quad	0x00cf93000000ffff	/* SEL_DATA: data, DPL 0 */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.quad	gdt

	.balign	16
idt_desc:
	.word	256 * 16 - 1
	.quad	idt

	.bss
	.balign	16
idt:
	.skip	256 * 16
