// SPDX-License-Identifier: GPL-2.0
/*
 * Bare-metal check of the e500v2 debug unit that KVM's Book E guest
 * debug relies on, with no kernel in between: IAC1-2 and DAC1-2 fire
 * with the right DBSR bits and the right saved PC, honour DBCR0[IDM],
 * MSR[DE], the DBCR1/DBCR2 qualifiers and the DAC read/write enables,
 * instruction complete fires below 0xf00, and the debug interrupt saves
 * state in CSRR0/1 only.  It prints the same KTAP as the VM's /init.
 */

#include <stdint.h>

#include "start.h"

#define SPRN_DSRR0	574
#define SPRN_DBCR0	308
#define SPRN_DBCR1	309
#define SPRN_DBCR2	310
#define SPRN_IAC1	312
#define SPRN_IAC2	313
#define SPRN_DAC1	316
#define SPRN_DAC2	317
#define SPRN_MAS0	624
#define SPRN_MAS1	625
#define SPRN_MAS2	626
#define SPRN_MAS3	627
#define SPRN_MAS7	944

#define MSR_DE		0x00000200
#define DBCR0_IDM	0x40000000
#define DBCR0_ICMP	0x08000000
#define DBCR0_IAC1	0x00800000
#define DBCR0_IAC2	0x00400000
#define DBCR0_DAC1R	0x00080000
#define DBCR0_DAC1W	0x00040000
#define DBCR0_DAC2R	0x00020000
#define DBCR0_DAC2W	0x00010000
#define DBSR_IC		0x08000000
#define DBCR1_IAC1US_USER 0xc0000000
#define DBCR2_DAC1US_SUPER 0x80000000
#define DBCR2_DAC1ER_DS1 0x30000000

/* The SoC registers, at 0xf_e000_0000 on ppce500, mapped at CCSR_VA. */
#define CCSR_VA		0xe0000000u
#define UART_THR	(CCSR_VA + 0x4500)
#define UART_LSR	(CCSR_VA + 0x4505)
#define GUTS_RSTCR	(CCSR_VA + 0xe00b0)

#define DSRR0_UNTOUCHED	0x5a5a5a58u

#define mtspr(n, v)	({ asm volatile("mtspr %0, %1; isync" : : "i"(n), "r"(v) : "memory"); })

/* Written by the debug vector; every event comes from a call into start.S. */
struct debug_record debug_record;
static uint32_t watched[4];
static int test_num, failures;

static uint32_t read_dsrr0(void)
{
	uint32_t v;

	asm volatile("mfspr %0, %1" : "=r"(v) : "i"(SPRN_DSRR0));
	return v;
}

static uint8_t mmio_read8(uint32_t addr)
{
	uint8_t v;

	asm volatile("lbz %0, 0(%1)" : "=r"(v) : "b"(addr) : "memory");
	return v;
}

static void mmio_write8(uint32_t addr, uint8_t v)
{
	asm volatile("stb %0, 0(%1)" : : "r"(v), "b"(addr) : "memory");
}

static void mmio_write32(uint32_t addr, uint32_t v)
{
	asm volatile("stw %0, 0(%1)" : : "r"(v), "b"(addr) : "memory");
}

static void putc_uart(char c)
{
	while (!(mmio_read8(UART_LSR) & 0x20))
		;
	mmio_write8(UART_THR, c);
}

static void puts_uart(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			putc_uart('\r');
		putc_uart(*s);
	}
}

static void put_hex(uint32_t v)
{
	int i;

	puts_uart("0x");
	for (i = 28; i >= 0; i -= 4)
		putc_uart("0123456789abcdef"[(v >> i) & 0xf]);
}

static void put_dec(unsigned int v)
{
	char buf[12];
	int i = sizeof(buf) - 1;

	buf[i] = 0;
	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	puts_uart(&buf[i]);
}

static void map_ccsr(void)
{
	/* TLB1 entry 1: 1 MB, cache-inhibited and guarded, 36-bit RPN. */
	mtspr(SPRN_MAS0, 0x10010000);
	mtspr(SPRN_MAS1, 0xc0000000 | (10 << 7));
	mtspr(SPRN_MAS2, CCSR_VA | 0xa);
	mtspr(SPRN_MAS3, CCSR_VA | 0x5);
	mtspr(SPRN_MAS7, 0xf);
	asm volatile("tlbwe; isync" : : : "memory");
}

static void set_msr_de(int on)
{
	uint32_t msr;

	asm volatile("mfmsr %0" : "=r"(msr));
	msr = on ? msr | MSR_DE : msr & ~MSR_DE;
	asm volatile("mtmsr %0; isync" : : "r"(msr) : "memory");
}

static void arm(uint32_t dbcr0, uint32_t dbcr1, uint32_t dbcr2)
{
	debug_record.count = 0;
	debug_record.pc = 0;
	debug_record.dbsr = 0;
	mtspr(SPRN_DSRR0, DSRR0_UNTOUCHED);
	mtspr(SPRN_DBCR1, dbcr1);
	mtspr(SPRN_DBCR2, dbcr2);
	mtspr(SPRN_DBCR0, dbcr0);
}

static void disarm(void)
{
	mtspr(SPRN_DBCR0, 0);
}

static void result(int ok, const char *name)
{
	test_num++;
	if (!ok)
		failures++;
	puts_uart(ok ? "    ok " : "    not ok ");
	put_dec(test_num);
	puts_uart(" ");
	puts_uart(name);
	puts_uart("\n");
}

static void diag(const char *what, uint32_t got, uint32_t want)
{
	puts_uart("    # ");
	puts_uart(what);
	puts_uart(": ");
	put_hex(got);
	puts_uart(", want ");
	put_hex(want);
	puts_uart("\n");
}

/* One event: exactly once, at pc, with dbsr, MSR[DE] saved, DSRR0 untouched. */
static int fired_once(uint32_t pc, uint32_t dbsr)
{
	int ok = 1;

	if (debug_record.count != 1) {
		diag("debug interrupts", debug_record.count, 1);
		return 0;
	}
	if (debug_record.pc != pc) {
		diag("CSRR0", debug_record.pc, pc);
		ok = 0;
	}
	if (debug_record.dbsr != dbsr) {
		diag("DBSR", debug_record.dbsr, dbsr);
		ok = 0;
	}
	if (!(debug_record.msr & MSR_DE)) {
		diag("CSRR1", debug_record.msr, debug_record.msr | MSR_DE);
		ok = 0;
	}
	if (read_dsrr0() != DSRR0_UNTOUCHED) {
		diag("DSRR0", read_dsrr0(), DSRR0_UNTOUCHED);
		ok = 0;
	}
	return ok;
}

static int silent(void)
{
	if (debug_record.count)
		diag("debug interrupts", debug_record.count, 0);
	return !debug_record.count;
}

static void test_iac(int slot)
{
	uint32_t pc = (uint32_t)(uintptr_t)iac_target;

	if (slot)
		mtspr(SPRN_IAC2, pc);
	else
		mtspr(SPRN_IAC1, pc);
	arm(DBCR0_IDM | (slot ? DBCR0_IAC2 : DBCR0_IAC1), 0, 0);
	iac_target();
	disarm();
	result(fired_once(pc, slot ? DBCR0_IAC2 : DBCR0_IAC1),
	       slot ? "IAC2 fires before the instruction" :
		      "IAC1 fires before the instruction");
}

static void test_dac(int slot, uint32_t enable, int write, const char *name)
{
	uint32_t *addr = &watched[slot + 1];
	uint32_t pc = (uint32_t)(uintptr_t)(write ? (void *)store_word : (void *)load_word);
	uint32_t val = 0x1000 + test_num;

	*addr = 0;
	if (slot)
		mtspr(SPRN_DAC2, (uint32_t)(uintptr_t)addr);
	else
		mtspr(SPRN_DAC1, (uint32_t)(uintptr_t)addr);
	arm(DBCR0_IDM | enable, 0, 0);
	if (write)
		store_word(addr, val);
	else
		load_word(addr);
	disarm();
	/* Taken before the access; the access then completes once. */
	result(fired_once(pc, enable & (write ? DBCR0_DAC1W | DBCR0_DAC2W :
						 DBCR0_DAC1R | DBCR0_DAC2R)) &&
	       (!write || *addr == val), name);
}

void main(void)
{
	uint32_t *other = &watched[3];

	map_ccsr();
	set_msr_de(1);
	puts_uart("KTAP version 1\n1..1\n");
	puts_uart("# kgd-init: running emulator/e500v2_debug_events\n");
	puts_uart("    TAP version 13\n    1..17\n");

	test_iac(0);
	test_iac(1);

	mtspr(SPRN_IAC1, (uint32_t)(uintptr_t)iac_target);
	arm(DBCR0_IDM | DBCR0_IAC1, DBCR1_IAC1US_USER, 0);
	iac_target();
	disarm();
	result(silent(), "IAC1 limited to user mode stays silent in supervisor mode");

	set_msr_de(0);
	arm(DBCR0_IDM | DBCR0_IAC1, 0, 0);
	iac_target();
	disarm();
	set_msr_de(1);
	result(silent(), "IAC1 stays silent with MSR[DE] clear");

	arm(DBCR0_IAC1, 0, 0);
	iac_target();
	disarm();
	result(silent(), "IAC1 stays silent without DBCR0[IDM]");

	test_dac(0, DBCR0_DAC1R, 0, "DAC1 read fires on a load");
	test_dac(0, DBCR0_DAC1W, 1, "DAC1 write fires on a store");
	test_dac(0, DBCR0_DAC1R | DBCR0_DAC1W, 0, "DAC1 read/write fires on a load");
	test_dac(0, DBCR0_DAC1R | DBCR0_DAC1W, 1, "DAC1 read/write fires on a store");
	test_dac(1, DBCR0_DAC2R, 0, "DAC2 read fires on a load");
	test_dac(1, DBCR0_DAC2W, 1, "DAC2 write fires on a store");
	test_dac(1, DBCR0_DAC2R | DBCR0_DAC2W, 1, "DAC2 read/write fires on a store");

	mtspr(SPRN_DAC1, (uint32_t)(uintptr_t)&watched[1]);
	arm(DBCR0_IDM | DBCR0_DAC1R, 0, 0);
	store_word(&watched[1], 7);
	disarm();
	result(silent(), "DAC1 read stays silent on a store");

	arm(DBCR0_IDM | DBCR0_DAC1W, 0, 0);
	store_word(other, 7);
	disarm();
	result(silent(), "DAC1 stays silent for another word");

	mtspr(SPRN_DAC1, (uint32_t)(uintptr_t)&watched[1]);
	arm(DBCR0_IDM | DBCR0_DAC1W, 0, DBCR2_DAC1US_SUPER | DBCR2_DAC1ER_DS1);
	store_word(&watched[1], 7);
	disarm();
	result(silent(), "DAC1 limited to MSR[DS]=1 stays silent with DS=0");

	/* Both are taken before the load executes: one interrupt, both bits. */
	mtspr(SPRN_IAC1, (uint32_t)(uintptr_t)load_word);
	mtspr(SPRN_DAC1, (uint32_t)(uintptr_t)&watched[1]);
	arm(DBCR0_IDM | DBCR0_IAC1 | DBCR0_DAC1R, 0, 0);
	load_word(&watched[1]);
	disarm();
	result(fired_once((uint32_t)(uintptr_t)load_word, DBCR0_IAC1 | DBCR0_DAC1R),
	       "IAC1 on a load that DAC1 watches: one interrupt with both events");

	arm(0, 0, 0);
	low_step(DBCR0_IDM | DBCR0_ICMP);
	result(fired_once((uint32_t)(uintptr_t)low_step + 8, DBSR_IC),
	       "instruction complete fires at 0x808, below 0xf00");

	puts_uart(failures ? "not ok 1 emulator/e500v2_debug_events\n" :
			     "ok 1 emulator/e500v2_debug_events\n");
	puts_uart("# kgd-init: done, ");
	put_dec(!!failures);
	puts_uart(" of 1 failed\n");
	/* Reset the SoC; with -no-reboot QEMU exits. */
	mmio_write32(GUTS_RSTCR, 2);
	for (;;)
		;
}

void unexpected_interrupt(uint32_t csrr0, uint32_t srr0)
{
	puts_uart("    # unexpected interrupt: SRR0 ");
	put_hex(srr0);
	puts_uart(" CSRR0 ");
	put_hex(csrr0);
	puts_uart("\nnot ok 1 emulator/e500v2_debug_events\n# kgd-init: done, 1 of 1 failed\n");
	mmio_write32(GUTS_RSTCR, 2);
	for (;;)
		;
}
