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

/* What KVM holds (loaded) and what gdb sees and may change (cur). */
static uint64_t loaded[NR_REGS], cur[NR_REGS];
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

int arch_vm_type(void)
{
	return 0;
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

int arch_regs_load(struct vm *vm)
{
	int i;

	if (one_reg(vm, CORE_REG(regs.pstate), &pstate, false))
		return -1;
	for (i = 0; i < NR_REGS; i++)
		if (one_reg(vm, reg_id(i), &loaded[i], false))
			return -1;
	memcpy(cur, loaded, sizeof(cur));
	return 0;
}

int arch_regs_store(struct vm *vm)
{
	int i;

	for (i = 0; i < NR_REGS; i++) {
		if (cur[i] == loaded[i])
			continue;
		if (i == REG_CPSR)
			cur[i] = (loaded[i] & ~0xffffffffull) | (uint32_t)cur[i];
		if (one_reg(vm, reg_id(i), &cur[i], true))
			return -1;
		loaded[i] = cur[i];
	}
	return 0;
}

void *arch_reg(int regno)
{
	return &cur[regno];
}

uint64_t arch_pc(void)
{
	return cur[REG_PC];
}

void arch_set_pc(uint64_t pc)
{
	cur[REG_PC] = pc;
}

/*
 * The guest's stage 1 translation: none with the MMU off, else a walk of
 * TTBR0 or TTBR1 with the 4K granule (the one our guests use).
 */
int arch_translate(struct vm *vm, uint64_t gva, uint64_t *gpa)
{
	uint64_t sctlr, tcr, ttbr, desc, table;
	unsigned int va_bits, level, shift;
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
	level = 4 - (va_bits - 12 + 8) / 9;
	table = ttbr & 0x0000fffffffff000ull;
	for (;; level++) {
		uint64_t *entry;

		shift = 12 + 9 * (3 - level);
		entry = vm_gpa(vm, table + ((gva >> shift & 0x1ff) * 8), 8);
		if (!entry)
			return -1;
		desc = *entry;
		if (!(desc & 1))
			return -1;
		if (level == 3 || !(desc & 2))
			break;			/* a page, or a block */
		table = desc & 0x0000fffffffff000ull;
	}
	if (level == 3 && !(desc & 2))
		return -1;
	*gpa = (desc & 0x0000fffffffff000ull & ~((1ull << shift) - 1)) |
	       (gva & ((1ull << shift) - 1));
	return 0;
}

int arch_hw_limits(struct vm *vm, struct hw_debug *hw)
{
	hw->nr_bp = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_DEBUG_HW_BPS);
	hw->nr_wp = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_DEBUG_HW_WPS);
	if (hw->nr_bp < 0 || hw->nr_wp < 0)
		return -1;
	if (hw->nr_bp > MAX_HW_SLOTS)
		hw->nr_bp = MAX_HW_SLOTS;
	if (hw->nr_wp > MAX_HW_SLOTS)
		hw->nr_wp = MAX_HW_SLOTS;
	return 0;
}

bool arch_hw_ok(enum hw_kind kind, uint64_t addr, uint64_t len)
{
	if (addr >> 48 && addr >> 48 != 0xffff)
		return false;
	if (kind == HW_EXEC)
		return !(addr & 3);
	/* One watchpoint covers bytes of one aligned doubleword. */
	return len >= 1 && len <= 8 && (addr & 7) + len <= 8;
}

int arch_hw_debug(struct vm *vm, const struct hw_debug *hw, struct kvm_guest_debug *dbg)
{
	bool any = false;
	int i;

	(void)vm;
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
	int i;

	switch (ESR_EC(exit->hsr)) {
	case EC_BRK64:
		stop->cause = sw_bp_here ? STOP_SW_BP : STOP_GUEST_BP;
		return;
	case EC_BREAKPT_LOW:
		stop->cause = STOP_GUEST_DB;
		for (i = 0; i < hw->nr_bp; i++)
			if (hw->bp[i].used && hw->bp[i].addr == cur[REG_PC])
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

uint32_t arch_blockirq(void)
{
	return KVM_GUESTDBG_BLOCKIRQ;
}
