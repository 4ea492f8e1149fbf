/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a kvm-gdbstub guest program gets from its arch's start code: a
 * stack, a handler for its own breakpoint instruction, and the console
 * and exit addresses of gdbstub.h.
 */
#ifndef KVM_GDBSTUB_GUEST_H
#define KVM_GDBSTUB_GUEST_H

#include <linux/compiler.h>

/*
 * Counted by the start code's handler of the guest's own breakpoints.
 * The program is built with -O0, so that each C access to a variable is
 * one load or store in memory, where gdb's watchpoints see it.
 */
extern unsigned long own_traps;

void guest_putc(char c);
void guest_exit(unsigned char status) __noreturn;
/* Executes the arch's breakpoint instruction, which the guest handles itself. */
void guest_own_breakpoint(void);
/*
 * One turn of a wait loop.  On x86 it exits to KVM (CPUID), so that the
 * host gets its CPU back now and then: under Bochs's VMX a guest that
 * loops without exits keeps the host's only CPU.
 */
void guest_relax(void);

void guest_main(void);

#endif
