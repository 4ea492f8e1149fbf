// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64: the vCPU starts in 64-bit mode on page tables that map the
 * first 1 GiB 1:1; gdb sees the org.gnu.gdb.i386.core and .sse
 * registers; breakpoints and watchpoints share DR0-3, with DR7 saying
 * which is which.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "gdbstub.h"

#define PT_PML4_GPA		0x1000ull
#define PT_PDPT_GPA		0x2000ull
#define PT_PD_GPA		0x3000ull
#define PTE_P			0x1ull
#define PTE_RW			0x2ull
#define PTE_PS			0x80ull
#define SIZE_2M			(2ull << 20)

#define CR0_PE			0x1ull
#define CR0_MP			0x2ull
#define CR0_ET			0x10ull
#define CR0_NE			0x20ull
#define CR0_WP			0x10000ull
#define CR0_PG			0x80000000ull
#define CR4_PAE			0x20ull
#define EFER_LME		0x100ull
#define EFER_LMA		0x400ull

#define DR6_BS			0x4000ull
#define DR7_FIXED_1		0x400ull
#define DR7_L(n)		(1ull << (2 * (n)))
#define DR7_RW(n, rw)		((unsigned long long)(rw) << (16 + 4 * (n)))
#define DR7_LEN(n, len)		((unsigned long long)(len) << (18 + 4 * (n)))
#define DR7_RW_EXEC		0
#define DR7_RW_WRITE		1
#define DR7_RW_ACCESS		3
#define NR_DRS			4

#define SEL_CODE		0x08
#define SEL_DATA		0x10

#define VEC_DB			1
#define VEC_BP			3

const char *const arch_gdb_name = "i386:x86-64";
#define INT3			0xcc
const int arch_sw_bp_len = 1;
const uint64_t arch_mem_gpa;
const int arch_pc_regno = 16;
const int arch_shared_hw_slots = 4;

#define CORE "org.gnu.gdb.i386.core"
#define SSE "org.gnu.gdb.i386.sse"
#define R64(n) { n, 64, "int64", CORE }
#define R32(n) { n, 32, "int32", CORE }
#define ST(n) { "st" #n, 80, "i387_ext", CORE }
#define XMM(n) { "xmm" #n, 128, "uint128", SSE }
const struct reg_desc arch_regs[] = {
	R64("rax"), R64("rbx"), R64("rcx"), R64("rdx"), R64("rsi"), R64("rdi"),
	{ "rbp", 64, "data_ptr", CORE }, { "rsp", 64, "data_ptr", CORE },
	R64("r8"), R64("r9"), R64("r10"), R64("r11"), R64("r12"), R64("r13"),
	R64("r14"), R64("r15"),
	{ "rip", 64, "code_ptr", CORE },
	R32("eflags"), R32("cs"), R32("ss"), R32("ds"), R32("es"), R32("fs"), R32("gs"),
	ST(0), ST(1), ST(2), ST(3), ST(4), ST(5), ST(6), ST(7),
	R32("fctrl"), R32("fstat"), R32("ftag"), R32("fiseg"), R32("fioff"),
	R32("foseg"), R32("fooff"), R32("fop"),
	XMM(0), XMM(1), XMM(2), XMM(3), XMM(4), XMM(5), XMM(6), XMM(7),
	XMM(8), XMM(9), XMM(10), XMM(11), XMM(12), XMM(13), XMM(14), XMM(15),
	{ "mxcsr", 32, "int32", SSE },
};

const int arch_nr_regs = ARRAY_SIZE(arch_regs);

enum {
	REG_RIP = 16, REG_EFLAGS, REG_CS, REG_SS, REG_DS, REG_ES, REG_FS, REG_GS,
	REG_ST0, REG_FCTRL = REG_ST0 + 8, REG_FSTAT, REG_FTAG, REG_FISEG, REG_FIOFF,
	REG_FOSEG, REG_FOOFF, REG_FOP, REG_XMM0, REG_MXCSR = REG_XMM0 + 16,
};

static struct kvm_regs regs;
static struct kvm_sregs sregs;
static struct kvm_fpu fpu;

static __u64 *gpr(int i)
{
	/* struct kvm_regs keeps rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8-r15. */
	static const int kvm_index[16] = { 0, 1, 2, 3, 4, 5, 7, 6, 8, 9, 10, 11, 12,
					    13, 14, 15 };

	return &regs.rax + kvm_index[i];
}

static int set_cpuid(struct vm *vm)
{
	struct kvm_cpuid2 *cpuid;
	int nent = 128, ret;

	cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
	if (!cpuid)
		return -1;
	cpuid->nent = nent;
	ret = ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid);
	if (!ret)
		ret = ioctl(vm->vcpu_fd, KVM_SET_CPUID2, cpuid);
	if (ret)
		perror("kvm-gdbstub: CPUID");
	free(cpuid);
	return ret;
}

int arch_vcpu_init(struct vm *vm)
{
	uint64_t *pml4 = vm_gpa(vm, PT_PML4_GPA, 4096);
	uint64_t *pdpt = vm_gpa(vm, PT_PDPT_GPA, 4096);
	uint64_t *pd = vm_gpa(vm, PT_PD_GPA, 4096);
	struct kvm_segment code = {
		.limit = 0xffffffff, .selector = SEL_CODE, .type = 11, .present = 1,
		.s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment data = {
		.limit = 0xffffffff, .selector = SEL_DATA, .type = 3, .present = 1,
		.s = 1, .db = 1, .g = 1,
	};
	int i;

	for (i = 0; i < 512; i++)
		pd[i] = i * SIZE_2M | PTE_P | PTE_RW | PTE_PS;
	pdpt[0] = PT_PD_GPA | PTE_P | PTE_RW;
	pml4[0] = PT_PDPT_GPA | PTE_P | PTE_RW;

	if (set_cpuid(vm) || ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs)) {
		perror("kvm-gdbstub: KVM_GET_SREGS");
		return -1;
	}
	sregs.cs = code;
	sregs.ds = data;
	sregs.es = data;
	sregs.fs = data;
	sregs.gs = data;
	sregs.ss = data;
	sregs.cr3 = PT_PML4_GPA;
	sregs.cr4 = CR4_PAE;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.efer = EFER_LME | EFER_LMA;
	memset(&regs, 0, sizeof(regs));
	regs.rip = vm->entry;
	regs.rflags = 2;
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs) ||
	    ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs)) {
		perror("kvm-gdbstub: KVM_SET_SREGS/REGS");
		return -1;
	}
	return 0;
}

void arch_sw_bp_insn(struct vm *vm, uint8_t *insn)
{
	(void)vm;
	insn[0] = INT3;
}

/*
 * A selector alone would not change its segment, and the 64-bit FXSAVE
 * layout has no FPU instruction or operand segment.
 */
bool arch_reg_read_only(int regno)
{
	return (regno >= REG_CS && regno <= REG_GS) || regno == REG_FISEG ||
	       regno == REG_FOSEG;
}

/* The tag an x87 register's contents give: valid, zero or special. */
static unsigned int x87_tag(const uint8_t *st)
{
	unsigned int exp = (st[9] & 0x7f) << 8 | st[8];
	uint64_t mant;

	memcpy(&mant, st, sizeof(mant));
	if (exp == 0x7fff)
		return 2;
	if (!exp)
		return mant ? 2 : 1;
	return mant >> 63 ? 0 : 2;
}

/*
 * gdb's ftag is the full tag word, two bits per physical register (3:
 * empty); FXSAVE keeps one bit, set for a register in use.
 */
static uint32_t full_ftag(void)
{
	unsigned int top = (fpu.fsw >> 11) & 7, reg;
	uint32_t tag = 0;

	for (reg = 0; reg < 8; reg++) {
		unsigned int t = 3;

		if (fpu.ftwx & (1u << reg))
			t = x87_tag(fpu.fpr[(reg - top) & 7]);
		tag |= t << (2 * reg);
	}
	return tag;
}

static uint8_t abridged_ftag(uint32_t tag)
{
	uint8_t ftwx = 0;
	int reg;

	for (reg = 0; reg < 8; reg++)
		if (((tag >> (2 * reg)) & 3) != 3)
			ftwx |= 1u << reg;
	return ftwx;
}

static void to_gdb(uint8_t *buf)
{
	const struct kvm_segment *segs[] = { &sregs.cs, &sregs.ss, &sregs.ds, &sregs.es,
					     &sregs.fs, &sregs.gs };
	int i;

	for (i = 0; i < 16; i++)
		reg_put(buf, i, *gpr(i));
	reg_put(buf, REG_RIP, regs.rip);
	reg_put(buf, REG_EFLAGS, (uint32_t)regs.rflags);
	for (i = 0; i < 6; i++)
		reg_put(buf, REG_CS + i, segs[i]->selector);
	for (i = 0; i < 8; i++)
		memcpy(reg_in(buf, REG_ST0 + i), fpu.fpr[i], 10);
	reg_put(buf, REG_FCTRL, fpu.fcw);
	reg_put(buf, REG_FSTAT, fpu.fsw);
	reg_put(buf, REG_FTAG, full_ftag());
	reg_put(buf, REG_FISEG, 0);
	reg_put(buf, REG_FIOFF, (uint32_t)fpu.last_ip);
	reg_put(buf, REG_FOSEG, 0);
	reg_put(buf, REG_FOOFF, (uint32_t)fpu.last_dp);
	reg_put(buf, REG_FOP, fpu.last_opcode);
	for (i = 0; i < 16; i++)
		memcpy(reg_in(buf, REG_XMM0 + i), fpu.xmm[i], 16);
	reg_put(buf, REG_MXCSR, fpu.mxcsr);
}

static void from_gdb(const uint8_t *buf)
{
	int i;

	for (i = 0; i < 16; i++)
		*gpr(i) = reg_get(buf, i);
	regs.rip = reg_get(buf, REG_RIP);
	regs.rflags = (regs.rflags & ~0xffffffffull) | reg_get(buf, REG_EFLAGS);
	for (i = 0; i < 8; i++)
		memcpy(fpu.fpr[i], reg_in(buf, REG_ST0 + i), 10);
	fpu.fcw = reg_get(buf, REG_FCTRL);
	fpu.fsw = reg_get(buf, REG_FSTAT);
	fpu.ftwx = abridged_ftag(reg_get(buf, REG_FTAG));
	fpu.last_opcode = reg_get(buf, REG_FOP);
	fpu.last_ip = reg_get(buf, REG_FIOFF);
	fpu.last_dp = reg_get(buf, REG_FOOFF);
	for (i = 0; i < 16; i++)
		memcpy(fpu.xmm[i], reg_in(buf, REG_XMM0 + i), 16);
	fpu.mxcsr = reg_get(buf, REG_MXCSR);
}

int arch_regs_read(struct vm *vm, uint8_t *buf)
{
	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs) ||
	    ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs) ||
	    ioctl(vm->vcpu_fd, KVM_GET_FPU, &fpu)) {
		perror("kvm-gdbstub: KVM_GET_REGS/SREGS/FPU");
		return -1;
	}
	to_gdb(buf);
	return 0;
}

int arch_regs_write(struct vm *vm, const uint8_t *buf, const uint8_t *old)
{
	(void)old;
	from_gdb(buf);
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs) || ioctl(vm->vcpu_fd, KVM_SET_FPU, &fpu)) {
		perror("kvm-gdbstub: KVM_SET_REGS/FPU");
		return -1;
	}
	return 0;
}

int arch_translate(struct vm *vm, uint64_t gva, uint64_t *gpa)
{
	struct kvm_translation tr = { .linear_address = gva };

	if (ioctl(vm->vcpu_fd, KVM_TRANSLATE, &tr) || !tr.valid)
		return -1;
	*gpa = tr.physical_address;
	return 0;
}

bool arch_hw_kind(enum hw_kind kind)
{
	return kind != HW_READ;		/* x86 has no load-only data breakpoint */
}

/* A DR covers an aligned 1, 2, 4 or 8 bytes. */
uint64_t arch_hw_chunk(enum hw_kind kind, uint64_t addr, uint64_t len)
{
	uint64_t c;

	if (kind == HW_EXEC)
		return 1;
	for (c = 8; c > 1; c /= 2)
		if (c <= len && !(addr & (c - 1)))
			break;
	return c;
}

/* DR0-3 in order: the slots in use, breakpoints first. */
static int assign_drs(const struct hw_debug *hw, const struct hw_slot **dr)
{
	int i, n = 0;

	for (i = 0; i < hw->nr_bp + hw->nr_wp; i++) {
		const struct hw_slot *s = i < hw->nr_bp ? &hw->bp[i] : &hw->wp[i - hw->nr_bp];

		if (!s->used)
			continue;
		if (n == NR_DRS)
			return -ENOSPC;
		dr[n++] = s;
	}
	return n;
}

int arch_hw_debug(const struct hw_debug *hw, struct kvm_guest_debug *dbg)
{
	static const int len_bits[9] = { [1] = 0, [2] = 1, [4] = 3, [8] = 2 };
	const struct hw_slot *dr[NR_DRS];
	uint64_t dr7 = DR7_FIXED_1;
	int i, n = assign_drs(hw, dr);

	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		dbg->arch.debugreg[i] = dr[i]->addr;
		dr7 |= DR7_L(i);
		if (dr[i]->kind != HW_EXEC)
			dr7 |= DR7_RW(i, dr[i]->kind == HW_WRITE ? DR7_RW_WRITE : DR7_RW_ACCESS) |
			       DR7_LEN(i, len_bits[dr[i]->len]);
	}
	if (n) {
		dbg->arch.debugreg[7] = dr7;
		dbg->control |= KVM_GUESTDBG_USE_HW_BP;
	}
	return 0;
}

void arch_classify(struct vm *vm, const struct hw_debug *hw, bool stepping,
		   bool sw_bp_here, struct stop *stop)
{
	const struct kvm_debug_exit_arch *exit = &vm->run->debug.arch;
	const struct hw_slot *dr[NR_DRS];
	int i, n;

	if (exit->exception == VEC_BP) {
		stop->cause = sw_bp_here ? STOP_SW_BP : STOP_GUEST_BP;
		return;
	}
	stop->cause = STOP_GUEST_DB;
	if (exit->exception != VEC_DB)
		return;
	n = assign_drs(hw, dr);
	for (i = 0; i < n; i++) {
		if (!(exit->dr6 & (1ull << i)))
			continue;
		if (dr[i]->kind == HW_EXEC) {
			stop->cause = STOP_HW_BP;
		} else {
			stop->cause = STOP_WATCH;
			stop->kind = dr[i]->kind;
			stop->addr = dr[i]->addr;
		}
		return;
	}
	if ((exit->dr6 & DR6_BS) && stepping)
		stop->cause = STOP_STEP;
}
