/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a kvm-gdbstub guest program gets from its arch's start code: a
 * stack, a handler for its own breakpoint instruction, and the console
 * and exit addresses of gdbstub.h.
 */
#ifndef KVM_GDBSTUB_GUEST_H
#define KVM_GDBSTUB_GUEST_H

/* Counted by the start code's handler of the guest's own breakpoints. */
extern volatile unsigned long own_traps;

void guest_putc(char c);
void guest_exit(unsigned char status) __attribute__((noreturn));
/* Executes the arch's breakpoint instruction, which the guest handles itself. */
void guest_own_breakpoint(void);

void guest_main(void);

#endif
