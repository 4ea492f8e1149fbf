/* SPDX-License-Identifier: GPL-2.0 */
/* What start.S provides to, and needs from, the C side. */
#ifndef E500V2_START_H
#define E500V2_START_H

#include <stdint.h>

struct debug_record {
	uint32_t pc, msr, dbsr, count;
};

extern struct debug_record debug_record;

/* Each one's first instruction is the access or the instruction compared. */
void store_word(uint32_t *addr, uint32_t val);
uint32_t load_word(uint32_t *addr);
void iac_target(void);
/* Writes DBCR0 and runs a few instructions at 0x800. */
void low_step(uint32_t dbcr0);

void main(void);
void unexpected_interrupt(uint32_t csrr0, uint32_t srr0);

#endif
