// SPDX-License-Identifier: GPL-2.0
/*
 * Book E (e500v2): the guest's TLB is an array in this process that KVM
 * reads (KVM_CAP_SW_TLB), with one TLB1 entry that maps the first 256 MiB
 * 1:1; gdb sees the org.gnu.gdb.power.core registers; breakpoints are
 * IACs and watchpoints DACs, as kvm_guest_debug_arch.bp[] entries.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "gdbstub.h"

#define TLB0_ENTRIES		512
#define TLB0_WAYS		4
#define TLB1_ENTRIES		16
#define MAS1_VALID		0x80000000u
#define MAS1_TSIZE(log2_kib)	((uint32_t)(log2_kib) << 7)
#define TSIZE_256M		18
#define MAS3_SX			0x10u
#define MAS3_SW			0x04u
#define MAS3_SR			0x01u

#define KVMPPC_MAX_HW_SLOTS	16
#define NR_REGS			38	/* r0-r31, pc, msr, cr, lr, ctr, xer */
#define REG_PC			32

const char *const arch_gdb_name = "powerpc:e500";
/* Only a default: KVM_REG_PPC_DEBUG_INST says which instruction exits. */
static const uint8_t sw_bp_default[] = { 0x00, 0xdd, 0xdd, 0x00 };
const int arch_sw_bp_len = 4;
const uint64_t arch_mem_gpa;

#define CORE "org.gnu.gdb.power.core"
#define R(n) { "r" #n, 32, "uint32", CORE }
const struct reg_desc arch_regs[] = {
	R(0), R(1), R(2), R(3), R(4), R(5), R(6), R(7), R(8), R(9), R(10), R(11),
	R(12), R(13), R(14), R(15), R(16), R(17), R(18), R(19), R(20), R(21),
	R(22), R(23), R(24), R(25), R(26), R(27), R(28), R(29), R(30), R(31),
	{ "pc", 32, "code_ptr", CORE }, { "msr", 32, "uint32", CORE },
	{ "cr", 32, "uint32", CORE }, { "lr", 32, "code_ptr", CORE },
	{ "ctr", 32, "uint32", CORE }, { "xer", 32, "uint32", CORE },
};

const int arch_nr_regs = NR_REGS;
const int arch_pc_regno = REG_PC;
/* kvm_guest_debug_arch.bp[] holds both kinds. */
const int arch_shared_hw_slots = KVMPPC_MAX_HW_SLOTS;

static struct kvm_regs regs;
static uint8_t debug_inst[4];

static __u64 *kvm_reg(int i)
{
	static __u64 *const special[] = { &regs.pc, &regs.msr, &regs.cr, &regs.lr,
					  &regs.ctr, &regs.xer };

	return i < 32 ? &regs.gpr[i] : special[i - 32];
}

bool arch_reg_read_only(int regno)
{
	(void)regno;
	return false;
}

static int setup_tlb(struct vm *vm)
{
	struct kvm_book3e_206_tlb_params params = {
		.tlb_sizes = { TLB0_ENTRIES, TLB1_ENTRIES },
		.tlb_ways = { TLB0_WAYS, TLB1_ENTRIES },
	};
	size_t n = TLB0_ENTRIES + TLB1_ENTRIES;
	struct kvm_book3e_206_tlb_entry *tlb = calloc(n, sizeof(*tlb));
	struct kvm_config_tlb cfg = {
		.params = (uintptr_t)&params,
		.array = (uintptr_t)tlb,
		.mmu_type = KVM_MMU_FSL_BOOKE_NOHV,
		.array_len = n * sizeof(*tlb),
	};
	struct kvm_enable_cap cap = { .cap = KVM_CAP_SW_TLB, .args[0] = (uintptr_t)&cfg };
	static uint8_t dirty[(TLB0_ENTRIES + TLB1_ENTRIES) / 8];
	struct kvm_dirty_tlb dirty_tlb = { .bitmap = (uintptr_t)dirty, .num_dirty = n };

	if (!tlb)
		return -1;
	tlb[TLB0_ENTRIES].mas1 = MAS1_VALID | MAS1_TSIZE(TSIZE_256M);
	tlb[TLB0_ENTRIES].mas2 = 0;
	tlb[TLB0_ENTRIES].mas7_3 = MAS3_SX | MAS3_SW | MAS3_SR;
	vm->tlb = tlb;
	vm->tlb_entries[0] = TLB0_ENTRIES;
	vm->tlb_entries[1] = TLB1_ENTRIES;
	memset(dirty, 0xff, sizeof(dirty));
	if (ioctl(vm->vcpu_fd, KVM_ENABLE_CAP, &cap) ||
	    ioctl(vm->vcpu_fd, KVM_DIRTY_TLB, &dirty_tlb)) {
		perror("kvm-gdbstub: KVM_CAP_SW_TLB");
		return -1;
	}
	return 0;
}

int arch_vcpu_init(struct vm *vm)
{
	struct kvm_one_reg reg = { .id = KVM_REG_PPC_DEBUG_INST, .addr = (uintptr_t)debug_inst };

	if (setup_tlb(vm) || ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs)) {
		perror("kvm-gdbstub: KVM_GET_REGS");
		return -1;
	}
	regs.pc = vm->entry;
	regs.msr = 0;
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs)) {
		perror("kvm-gdbstub: KVM_SET_REGS");
		return -1;
	}
	if (ioctl(vm->vcpu_fd, KVM_GET_ONE_REG, &reg))
		memcpy(debug_inst, sw_bp_default, sizeof(debug_inst));
	return 0;
}

void arch_sw_bp_insn(struct vm *vm, uint8_t *insn)
{
	(void)vm;
	memcpy(insn, debug_inst, sizeof(debug_inst));
}

int arch_regs_read(struct vm *vm, uint8_t *buf)
{
	int i;

	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs)) {
		perror("kvm-gdbstub: KVM_GET_REGS");
		return -1;
	}
	for (i = 0; i < NR_REGS; i++)
		reg_put(buf, i, *kvm_reg(i));
	return 0;
}

int arch_regs_write(struct vm *vm, const uint8_t *buf, const uint8_t *old)
{
	int i;

	(void)old;
	for (i = 0; i < NR_REGS; i++)
		*kvm_reg(i) = reg_get(buf, i);
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs)) {
		perror("kvm-gdbstub: KVM_SET_REGS");
		return -1;
	}
	return 0;
}

/* The guest's TLB, both arrays, as KVM would match it (any PID). */
int arch_translate(struct vm *vm, uint64_t gva, uint64_t *gpa)
{
	const struct kvm_book3e_206_tlb_entry *tlb = vm->tlb;
	size_t i, n = vm->tlb_entries[0] + vm->tlb_entries[1];

	for (i = 0; i < n; i++) {
		uint64_t size, mask;

		if (!(tlb[i].mas1 & MAS1_VALID))
			continue;
		size = 1024ull << (tlb[i].mas1 >> 7 & 0x1f);
		mask = ~(size - 1);
		if ((gva & mask) != (tlb[i].mas2 & mask & 0xffffffffull))
			continue;
		*gpa = (tlb[i].mas7_3 & mask & ~0xfffull) | (gva & ~mask);
		return 0;
	}
	return -1;
}

bool arch_hw_kind(enum hw_kind kind)
{
	(void)kind;
	return true;
}

/*
 * A DAC matches a load or store whose address is the DAC's (the exact
 * mode, the only one KVM offers): one slot serves an aligned object of 1,
 * 2, 4 or 8 bytes, which the guest reads and writes whole.
 */
uint64_t arch_hw_chunk(enum hw_kind kind, uint64_t addr, uint64_t len)
{
	uint64_t c;

	if (addr >> 32)
		return 0;
	if (kind == HW_EXEC)
		return addr & 3 ? 0 : 1;
	for (c = 8; c > 1; c /= 2)
		if (c <= len && !(addr & (c - 1)))
			break;
	return c;
}

int arch_hw_debug(const struct hw_debug *hw, struct kvm_guest_debug *dbg)
{
	int i, n = 0;

	for (i = 0; i < hw->nr_bp + hw->nr_wp; i++) {
		const struct hw_slot *s = i < hw->nr_bp ? &hw->bp[i] : &hw->wp[i - hw->nr_bp];

		if (!s->used)
			continue;
		if (n == KVMPPC_MAX_HW_SLOTS)
			return -ENOSPC;
		dbg->arch.bp[n].addr = s->addr;
		dbg->arch.bp[n].type = s->kind == HW_EXEC ? KVMPPC_DEBUG_BREAKPOINT :
				       s->kind == HW_WRITE ? KVMPPC_DEBUG_WATCH_WRITE :
				       s->kind == HW_READ ? KVMPPC_DEBUG_WATCH_READ :
				       KVMPPC_DEBUG_WATCH_READ | KVMPPC_DEBUG_WATCH_WRITE;
		n++;
	}
	if (n)
		dbg->control |= KVM_GUESTDBG_USE_HW_BP;
	return 0;
}

void arch_classify(struct vm *vm, const struct hw_debug *hw, bool stepping,
		   bool sw_bp_here, struct stop *stop)
{
	const struct kvm_debug_exit_arch *exit = &vm->run->debug.arch;
	int i;

	stop->cause = STOP_GUEST_DB;
	if (exit->status & KVMPPC_DEBUG_BREAKPOINT) {
		stop->cause = STOP_HW_BP;
		return;
	}
	if (exit->status & (KVMPPC_DEBUG_WATCH_READ | KVMPPC_DEBUG_WATCH_WRITE)) {
		for (i = 0; i < hw->nr_wp; i++) {
			if (hw->wp[i].used && hw->wp[i].addr == exit->address) {
				stop->cause = STOP_WATCH;
				stop->kind = hw->wp[i].kind;
				stop->addr = exit->address;
			}
		}
		return;
	}
	if (!exit->status)
		stop->cause = sw_bp_here ? STOP_SW_BP : STOP_GUEST_BP;
	else if (stepping)
		stop->cause = STOP_STEP;
}
