// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: the vCPU starts at EL1h with the MMU off; gdb sees the
 * org.gnu.gdb.aarch64.core registers; breakpoints and watchpoints are
 * DBGBCR/DBGBVR and DBGWCR/DBGWVR pairs under KVM_GUESTDBG_USE_HW.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "gdbstub.h"

#define CORE_REG(field) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			 (offsetof(struct kvm_regs, field) / sizeof(__u32)))
#define SYS_REG(op0, op1, crn, crm, op2) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | \
	KVM_REG_ARM64_SYSREG | ARM64_SYS_REG(op0, op1, crn, crm, op2))

#define REG_SCTLR_EL1		SYS_REG(3, 0, 1, 0, 0)
#define REG_TTBR0_EL1		SYS_REG(3, 0, 2, 0, 0)
#define REG_TTBR1_EL1		SYS_REG(3, 0, 2, 0, 1)
#define REG_TCR_EL1		SYS_REG(3, 0, 2, 0, 2)

#define PSTATE_SP		0x1u	/* M[0]: SP_ELx rather than SP_EL0 */

#define ESR_EC(esr)		(((esr) >> 26) & 0x3f)
#define EC_BREAKPT_LOW		0x30
#define EC_SOFTSTP_LOW		0x32
#define EC_WATCHPT_LOW		0x34
#define EC_BRK64		0x3c

/* DBGBCR: enabled, EL1 and EL0 (PMC 0b11), all four bytes of an A64 insn. */
#define BCR_EXEC		0x1e7u
/* DBGWCR: enabled, EL1 and EL0 (PAC 0b11); LSC and BAS per watchpoint. */
#define WCR_E_PAC		0x7u
#define WCR_LSC_LOAD		0x8u
#define WCR_LSC_STORE		0x10u

#define NR_REGS			34	/* x0-x30, sp, pc, cpsr */
#define REG_SP			31
#define REG_PC			32
#define REG_CPSR		33

const char *const arch_gdb_name = "aarch64";
/* BRK #0, in the guest's (little-endian) byte order. */
static const uint8_t sw_bp_insn[] = { 0x00, 0x00, 0x20, 0xd4 };
const int arch_sw_bp_len = 4;
const uint64_t arch_mem_gpa = 0x40000000;

#define CORE "org.gnu.gdb.aarch64.core"
#define X(n) { "x" #n, 64, "int", CORE }
const struct reg_desc arch_regs[] = {
	X(0), X(1), X(2), X(3), X(4), X(5), X(6), X(7), X(8), X(9), X(10), X(11),
	X(12), X(13), X(14), X(15), X(16), X(17), X(18), X(19), X(20), X(21),
	X(22), X(23), X(24), X(25), X(26), X(27), X(28), X(29), X(30),
	{ "sp", 64, "data_ptr", CORE },
	{ "pc", 64, "code_ptr", CORE },
	{ "cpsr", 32, "int", CORE },
};

const int arch_nr_regs = NR_REGS;
const int arch_pc_regno = REG_PC;
const int arch_shared_hw_slots;

static uint64_t pstate;

static uint64_t sp_reg_id(void)
{
	return pstate & PSTATE_SP ? CORE_REG(sp_el1) : CORE_REG(regs.sp);
}

static uint64_t reg_id(int i)
{
	if (i < 31)
		return CORE_REG(regs.regs[0]) + i * 2;
	if (i == REG_SP)
		return sp_reg_id();
	if (i == REG_PC)
		return CORE_REG(regs.pc);
	return CORE_REG(regs.pstate);
}

static int one_reg(struct vm *vm, uint64_t id, uint64_t *val, bool set)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)val };

	if (ioctl(vm->vcpu_fd, set ? KVM_SET_ONE_REG : KVM_GET_ONE_REG, &reg)) {
		fprintf(stderr, "kvm-gdbstub: %s 0x%llx: %s\n",
			set ? "KVM_SET_ONE_REG" : "KVM_GET_ONE_REG",
			(unsigned long long)id, strerror(errno));
		return -1;
	}
	return 0;
}

bool arch_reg_read_only(int regno)
{
	(void)regno;
	return false;
}

int arch_vcpu_init(struct vm *vm)
{
	struct kvm_vcpu_init init;
	uint64_t pc = vm->entry;

	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) ||
	    ioctl(vm->vcpu_fd, KVM_ARM_VCPU_INIT, &init)) {
		perror("kvm-gdbstub: KVM_ARM_VCPU_INIT");
		return -1;
	}
	/* KVM_ARM_VCPU_INIT leaves the vCPU at EL1h with DAIF masked. */
	return one_reg(vm, CORE_REG(regs.pc), &pc, true);
}

void arch_sw_bp_insn(struct vm *vm, uint8_t *insn)
{
	(void)vm;
	memcpy(insn, sw_bp_insn, arch_sw_bp_len);
}

int arch_regs_read(struct vm *vm, uint8_t *buf)
{
	uint64_t v;
	int i;

	if (one_reg(vm, CORE_REG(regs.pstate), &pstate, false))
		return -1;
	for (i = 0; i < NR_REGS; i++) {
		if (one_reg(vm, reg_id(i), &v, false))
			return -1;
		reg_put(buf, i, v);
	}
	return 0;
}

/* ONE_REG per register, and only those gdb changed. */
int arch_regs_write(struct vm *vm, const uint8_t *buf, const uint8_t *old)
{
	uint64_t v;
	int i;

	for (i = 0; i < NR_REGS; i++) {
		if (reg_get(buf, i) == reg_get(old, i))
			continue;
		v = reg_get(buf, i);
		/* gdb's cpsr is PSTATE's low 32 bits. */
		if (i == REG_CPSR)
			v |= pstate & ~0xffffffffull;
		if (one_reg(vm, reg_id(i), &v, true))
			return -1;
	}
	return 0;
}

/* TTBRn_EL1.BADDR: bits 47:1 (bit 0 is CnP). */
#define TTBR_BADDR		0x0000fffffffffffeull
#define DESC_OA			0x0000fffffffff000ull

/*
 * The guest's stage 1 translation: none with the MMU off, else a walk of
 * TTBR0 or TTBR1 with the 4K granule (the one our guests use).  An
 * address outside the half's VA size (bits above it not all equal to
 * bit 55, top byte aside where TBI ignores it) has no translation.
 */
int arch_translate(struct vm *vm, uint64_t gva, uint64_t *gpa)
{
	uint64_t sctlr, tcr, ttbr, desc, table, top, idx_mask;
	unsigned int va_bits, level, shift, top_bit;
	bool upper = gva >> 55 & 1;

	if (one_reg(vm, REG_SCTLR_EL1, &sctlr, false))
		return -1;
	if (!(sctlr & 1)) {
		*gpa = gva;
		return 0;
	}
	if (one_reg(vm, REG_TCR_EL1, &tcr, false) ||
	    one_reg(vm, upper ? REG_TTBR1_EL1 : REG_TTBR0_EL1, &ttbr, false))
		return -1;
	if (upper ? (tcr >> 30 & 3) != 2 : (tcr >> 14 & 3) != 0)
		return -1;			/* not the 4K granule */
	va_bits = 64 - (upper ? tcr >> 16 & 0x3f : tcr & 0x3f);
	if (va_bits < 25 || va_bits > 48)
		return -1;
	top_bit = (tcr >> (upper ? 38 : 37) & 1) ? 56 : 64;	/* TBI1, TBI0 */
	top = top_bit == 64 ? gva >> va_bits : (gva & ((1ull << top_bit) - 1)) >> va_bits;
	if (top != (upper ? (1ull << (top_bit - va_bits)) - 1 : 0))
		return -1;
	level = 4 - (va_bits - 12 + 8) / 9;
	shift = 12 + 9 * (3 - level);
	/* The first table holds 2^(va_bits - shift) entries, aligned to its size. */
	idx_mask = (1ull << (va_bits - shift)) - 1;
	table = ttbr & TTBR_BADDR & ~((idx_mask + 1) * 8 - 1);
	for (;; level++) {
		uint64_t *entry;

		shift = 12 + 9 * (3 - level);
		entry = vm_gpa(vm, table + ((gva >> shift & idx_mask) * 8), 8);
		if (!entry)
			return -1;
		desc = *entry;
		if (!(desc & 1))
			return -1;
		if (level == 3 || !(desc & 2))
			break;			/* a page, or a block */
		table = desc & DESC_OA;
		idx_mask = 0x1ff;
	}
	if (level == 3 && !(desc & 2))
		return -1;
	*gpa = (desc & DESC_OA & ~((1ull << shift) - 1)) | (gva & ((1ull << shift) - 1));
	return 0;
}

bool arch_hw_kind(enum hw_kind kind)
{
	(void)kind;
	return true;
}

/* A DBGWVR/DBGWCR pair covers bytes of one aligned doubleword (BAS). */
uint64_t arch_hw_chunk(enum hw_kind kind, uint64_t addr, uint64_t len)
{
	if (addr >> 48 && addr >> 48 != 0xffff)
		return 0;
	if (kind == HW_EXEC)
		return addr & 3 ? 0 : 1;
	return len < 8 - (addr & 7) ? len : 8 - (addr & 7);
}

int arch_hw_debug(const struct hw_debug *hw, struct kvm_guest_debug *dbg)
{
	bool any = false;
	int i;

	for (i = 0; i < hw->nr_bp; i++) {
		if (!hw->bp[i].used)
			continue;
		dbg->arch.dbg_bcr[i] = BCR_EXEC;
		dbg->arch.dbg_bvr[i] = hw->bp[i].addr;
		any = true;
	}
	for (i = 0; i < hw->nr_wp; i++) {
		const struct hw_slot *w = &hw->wp[i];
		uint32_t lsc = w->kind == HW_WRITE ? WCR_LSC_STORE :
			       w->kind == HW_READ ? WCR_LSC_LOAD : WCR_LSC_LOAD | WCR_LSC_STORE;

		if (!w->used)
			continue;
		dbg->arch.dbg_wcr[i] = WCR_E_PAC | lsc |
				       ((1u << w->len) - 1) << (5 + (w->addr & 7));
		dbg->arch.dbg_wvr[i] = w->addr & ~7ull;
		any = true;
	}
	if (any)
		dbg->control |= KVM_GUESTDBG_USE_HW;
	return 0;
}

static const struct hw_slot *watch_hit(const struct hw_debug *hw, uint64_t far)
{
	int i;

	/* FAR may name any byte of the access, which may start before the slot. */
	for (i = 0; i < hw->nr_wp; i++)
		if (hw->wp[i].used && (far & ~7ull) == (hw->wp[i].addr & ~7ull))
			return &hw->wp[i];
	return NULL;
}

void arch_classify(struct vm *vm, const struct hw_debug *hw, bool stepping,
		   bool sw_bp_here, struct stop *stop)
{
	const struct kvm_debug_exit_arch *exit = &vm->run->debug.arch;
	const struct hw_slot *w;

	switch (ESR_EC(exit->hsr)) {
	case EC_BRK64:
		stop->cause = sw_bp_here ? STOP_SW_BP : STOP_GUEST_BP;
		return;
	case EC_BREAKPT_LOW:
		stop->cause = STOP_HW_BP;
		return;
	case EC_WATCHPT_LOW:
		w = watch_hit(hw, exit->far);
		stop->cause = w ? STOP_WATCH : STOP_GUEST_DB;
		if (w) {
			stop->kind = w->kind;
			stop->addr = exit->far < w->addr ? w->addr : exit->far;
		}
		return;
	case EC_SOFTSTP_LOW:
		stop->cause = stepping ? STOP_STEP : STOP_GUEST_DB;
		return;
	default:
		stop->cause = STOP_GUEST_DB;
	}
}
