/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64 start code.  The stub starts the vCPU in 64-bit mode; this
 * loads a GDT that matches the selectors it used, and an IDT whose one
 * gate, #BP, counts the guest's own int3 and returns past it.
 *
 * QEMU's -kernel starts an ELF guest only through PVH, in 32-bit
 * protected mode without paging: pvh_start identity-maps the first GiB
 * and enters 64-bit mode at _start, so one ELF serves the stub and QEMU.
 */
#define GUEST_CONSOLE_PORT	0xe9
#define GUEST_EXIT_PORT		0xf4
#define SEL_CODE		0x08
#define SEL_DATA		0x10
#define VEC_BP			3

#define XEN_ELFNOTE_PHYS32_ENTRY	18
#define PTE_PRESENT_RW		0x3
#define PDE_LARGE		0x80
#define LARGE_PAGE_SIZE		0x200000
#define CR0_PG			0x80000000
#define CR4_PAE			0x20
#define MSR_EFER		0xc0000080
#define EFER_LME		0x100

	.section .note.Xen, "a", @note
	.balign	4
	.long	4, 4, XEN_ELFNOTE_PHYS32_ENTRY
	.asciz	"Xen"
	.long	pvh_start

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
	.code32
pvh_start:
	cli
	mov	$pd, %edi
	mov	$PTE_PRESENT_RW | PDE_LARGE, %eax
	mov	$512, %ecx
1:	mov	%eax, (%edi)
	add	$LARGE_PAGE_SIZE, %eax
	add	$8, %edi
	loop	1b
	movl	$pd + PTE_PRESENT_RW, pdpt
	movl	$pdpt + PTE_PRESENT_RW, pml4
	mov	$pml4, %eax
	mov	%eax, %cr3
	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$CR0_PG, %eax
	mov	%eax, %cr0
	lgdt	gdt_desc
	ljmp	$SEL_CODE, $_start

	.code64
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

	.globl guest_relax
guest_relax:
	push	%rbx
	xor	%eax, %eax
	cpuid
	pop	%rbx
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

	/* pvh_start's page tables: one PML4 and PDPT entry, 512 2M pages. */
	.balign	4096
pml4:
	.skip	4096
pdpt:
	.skip	4096
pd:
	.skip	4096
