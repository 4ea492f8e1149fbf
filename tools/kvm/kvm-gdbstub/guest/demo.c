// SPDX-License-Identifier: GPL-2.0
/*
 * The program that gdb debugs in the end-to-end test and in `make demo`:
 * a loop, a function to break on (tick), a variable to watch (counter),
 * a function that only reads it (peek), a 16-byte object written once
 * (wide), and one breakpoint instruction of the guest's own, which its
 * handler must see, not gdb.  A debugger that sets linger keeps the
 * guest spinning before its exit, to detach and come back.
 */
#include "guest.h"

#define LOOPS	20

unsigned long counter;
unsigned long own_traps;
unsigned long seen;
unsigned long long wide[2];
unsigned char linger;

static void guest_puts(const char *s)
{
	while (*s)
		guest_putc(*s++);
}

static void put_dec(unsigned long v)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		guest_putc(buf[--n]);
}

noinline void tick(unsigned long i)
{
	counter = counter + i;
}

noinline void peek(void)
{
	seen = counter;
}

noinline void done(void)
{
	guest_puts("demo: counter ");
	put_dec(counter);
	guest_puts(", own breakpoints handled ");
	put_dec(own_traps);
	guest_puts("\n");
}

void guest_main(void)
{
	unsigned long i;

	guest_puts("demo: start\n");
	for (i = 0; i < LOOPS; i++) {
		tick(i);
		peek();
	}
	wide[1] = 0x0101010101010101ull * LOOPS;
	guest_own_breakpoint();
	done();
	/* gdb writes linger behind the compiler's back. */
	while (linger) {
		barrier();
		guest_relax();
	}
	guest_exit(counter == LOOPS * (LOOPS - 1) / 2 && own_traps == 1 ? 0 : 1);
}
