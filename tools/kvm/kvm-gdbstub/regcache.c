// SPDX-License-Identifier: GPL-2.0
/*
 * The register cache: what KVM held when the vCPU stopped, and what gdb
 * sees and may change, both as a g packet lays them out.  KVM is written
 * only when gdb changed something, just before the vCPU runs again.
 */
#include <stdio.h>
#include <string.h>

#include "gdbstub.h"

static uint8_t loaded[MAX_REG_BYTES], cur[MAX_REG_BYTES];
static unsigned int offsets[MAX_REG_BYTES / 4];

int regcache_init(void)
{
	unsigned int off = 0;
	int i;

	if ((size_t)arch_nr_regs > ARRAY_SIZE(offsets))
		return -1;
	for (i = 0; i < arch_nr_regs; i++) {
		offsets[i] = off;
		off += arch_regs[i].bits / 8;
	}
	if (off > sizeof(cur)) {
		fprintf(stderr, "kvm-gdbstub: %u bytes of registers, room for %zu\n", off,
			sizeof(cur));
		return -1;
	}
	return 0;
}

void *reg_in(const uint8_t *buf, int regno)
{
	return (uint8_t *)buf + offsets[regno];
}

/* Integer registers of up to 64 bits, in the host's (the guest's) byte order. */
uint64_t reg_get(const uint8_t *buf, int regno)
{
	if (arch_regs[regno].bits == 32) {
		uint32_t v;

		memcpy(&v, buf + offsets[regno], sizeof(v));
		return v;
	}
	if (arch_regs[regno].bits == 64) {
		uint64_t v;

		memcpy(&v, buf + offsets[regno], sizeof(v));
		return v;
	}
	return 0;
}

void reg_put(uint8_t *buf, int regno, uint64_t val)
{
	if (arch_regs[regno].bits == 32) {
		uint32_t v = val;

		memcpy(buf + offsets[regno], &v, sizeof(v));
	} else if (arch_regs[regno].bits == 64) {
		memcpy(buf + offsets[regno], &val, sizeof(val));
	}
}

int regs_load(struct vm *vm)
{
	if (arch_regs_read(vm, loaded))
		return -1;
	memcpy(cur, loaded, sizeof(cur));
	return 0;
}

int regs_store(struct vm *vm)
{
	if (!memcmp(cur, loaded, sizeof(cur)))
		return 0;
	if (arch_regs_write(vm, cur, loaded))
		return -1;
	/* What KVM keeps of a write (x86's upper RFLAGS) is read back. */
	return regs_load(vm);
}

void *reg_cur(int regno)
{
	return reg_in(cur, regno);
}

uint64_t cur_pc(void)
{
	return reg_get(cur, arch_pc_regno);
}

void set_pc(uint64_t pc)
{
	reg_put(cur, arch_pc_regno, pc);
}
