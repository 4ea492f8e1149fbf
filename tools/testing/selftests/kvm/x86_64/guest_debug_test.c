// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86 guest debug, the paths that debug_regs does not cover: INJECT_BP and
 * INJECT_DB reaching the guest's own handlers, the guest's own #BP, #DB,
 * ICEBP and DR7.GD staying the guest's while userspace debugs it, single
 * steps over instructions that exit or that KVM emulates and through the
 * MOV SS and STI shadows, no step trap left behind by an exit in the MOV SS
 * shadow, the trap flag kept off the guest's stack, the guest's DR0-7 kept
 * bit for bit across a debug session, the VMM thread's own hardware
 * breakpoint surviving KVM_RUN, and requests KVM must refuse.
 *
 * Each case runs in a VM of its own, so that one failure cannot hide
 * another.
 */
#include <errno.h>
#include <unistd.h>

#include <asm/debugreg.h>

#include "apic.h"
#include "guest_debug.h"
#include "guest_debug_host_watch.h"
#include "guest_debug_stats.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_expect.h"

#define GD_IO_PORT	0x80
#define GD_MMIO_ADDR	0xc0000000ul
#define GD_MAX_STEPS	2000

#define GD_DR6_RESET	0xffff0ff0ul
#define GD_DR7_FIXED	0x400ul
#define GD_DR7_GD	0x2000ul

/*
 * The guest's own debug registers in the ownership cases: watchpoints on
 * words nothing else touches, so that they never fire.
 */
static uint64_t guest_watched[4];
static const uint64_t guest_db[4] = {
	(uint64_t)&guest_watched[0], (uint64_t)&guest_watched[1] + 2,
	(uint64_t)&guest_watched[2], (uint64_t)&guest_watched[3],
};

/* L0, G1, L3; DR0 4-byte write, DR1 2-byte read/write, DR3 8-byte write. */
#define GUEST_DR7	(GD_DR7_FIXED | 0x49ul | (0xdul << 16) | (0x7ul << 20) | \
			 (0x9ul << 28))

/* What the guest's exception handlers saw, for the host to check. */
static uint64_t db_count, db_rip, db_rflags, db_dr6;
static uint64_t bp_count, bp_rip;
static uint64_t pushed_while_stepped, pushed_after;
static uint64_t read_db[4], read_dr7;
static uint64_t host_watched;
static uint64_t irq_count;
/* Stored to under the guest's own trap flag or userspace's step. */
static uint64_t tf_watched, step_watched;
static uint32_t mmio_loaded;

#define GD_MMIO_DATA	0x5a5a5a5au

/* The guest's own DR0: an 8-byte write watchpoint on step_watched. */
#define GD_DR7_STEP_WATCH	(GD_DR7_FIXED | 1ul | ((uint64_t)(DR_RW_WRITE | DR_LEN_8) << 16))

#define GD_IRQ_VECTOR	0x40

#define GUEST_VAR(vm, var)	(*(typeof(var) *)addr_gva2hva(vm, (vm_vaddr_t)&(var)))

static void guest_db_handler(struct ex_regs *regs)
{
	uint64_t dr6;

	asm volatile("mov %%dr6, %0" : "=r"(dr6));
	asm volatile("mov %0, %%dr6" : : "r"(GD_DR6_RESET));
	db_count++;
	db_rip = regs->rip;
	db_rflags = regs->rflags;
	db_dr6 = dr6;
	/* Stop the guest's own stepping; resume over a code breakpoint. */
	regs->rflags = (regs->rflags & ~GD_RFLAGS_TF) | GD_RFLAGS_RF;
}

static void guest_bp_handler(struct ex_regs *regs)
{
	bp_count++;
	bp_rip = regs->rip;
}

static void guest_irq_handler(struct ex_regs *regs)
{
	irq_count++;
	x2apic_write_reg(APIC_EOI, 0);
}

static void guest_set_own_drs(void)
{
	asm volatile("mov %0, %%dr0" : : "r"(guest_db[0]));
	asm volatile("mov %0, %%dr1" : : "r"(guest_db[1]));
	asm volatile("mov %0, %%dr2" : : "r"(guest_db[2]));
	asm volatile("mov %0, %%dr3" : : "r"(guest_db[3]));
	asm volatile("mov %0, %%dr7" : : "r"(GUEST_DR7));
}

static void guest_read_own_drs(void)
{
	asm volatile("mov %%dr0, %0" : "=r"(read_db[0]));
	asm volatile("mov %%dr1, %0" : "=r"(read_db[1]));
	asm volatile("mov %%dr2, %0" : "=r"(read_db[2]));
	asm volatile("mov %%dr3, %0" : "=r"(read_db[3]));
	asm volatile("mov %%dr7, %0" : "=r"(read_dr7));
}

enum gd_case {
	GD_INT3_GUEST,
	GD_INJECT_BP,
	GD_INJECT_DB,
	GD_ICEBP,
	GD_GUEST_TF,
	GD_STEP_EXITS,
	GD_STEP_SHADOWS,
	GD_PUSHF,
	GD_GD_HOST,
	GD_GD_GUEST,
	GD_GD_GUEST_HW,
	GD_OWNERSHIP,
	GD_HOST_HWBP,
	GD_BLOCKIRQ,
	GD_STEP_MOVSS_EXIT,
	GD_TF_WATCH,
	GD_STEP_GUEST_WATCH,
	GD_INJECT_WHEN,
	GD_MMIO_WATCH,
	GD_BAD_INPUT,
	GD_NR_CASES
};

static void guest_code(uint64_t which)
{
	uint64_t flags;

	switch (which) {
	case GD_INT3_GUEST:
		asm volatile("int3\n\t"
			     "gd_int3_after: nop");
		break;
	case GD_INJECT_BP:
		asm volatile("gd_inject_bp: int3\n\t"
			     "gd_inject_bp_after: nop");
		break;
	case GD_INJECT_DB:
		GUEST_SYNC(0);
		asm volatile("gd_inject_db: nop\n\t"
			     "gd_inject_db_next: nop");
		break;
	case GD_ICEBP:
		asm volatile(".byte 0xf1\n\t"
			     "gd_icebp_after: nop");
		break;
	case GD_GUEST_TF:
		asm volatile("pushf\n\t"
			     "orq $0x100, (%%rsp)\n\t"
			     "popf\n\t"
			     "nop\n\t"
			     "gd_tf_after: nop" : : : "cc", "memory");
		break;
	case GD_STEP_EXITS:
		GUEST_SYNC(0);
		asm volatile("gd_x0: mov $1, %%eax\n\t"
			     "gd_x1: cpuid\n\t"
			     "gd_x2: mov %[apicbase], %%ecx\n\t"
			     "gd_x3: rdmsr\n\t"
			     "gd_x4: wrmsr\n\t"
			     "gd_x5: mov %[port], %%edx\n\t"
			     "gd_x6: outb %%al, %%dx\n\t"
			     "gd_x7: inb %%dx, %%al\n\t"
			     "gd_x8: mov %[mmio], %%ebx\n\t"
			     "gd_x9: movl %%eax, (%%rbx)\n\t"
			     "gd_x10: movl (%%rbx), %%eax\n\t"
			     "gd_x11: wbinvd\n\t"
			     "gd_x12: lea gd_x0(%%rip), %%rsi\n\t"
			     "gd_x13: outsb\n\t"
			     "gd_x14: nop"
			     : : [apicbase] "i"(MSR_IA32_APICBASE), [port] "i"(GD_IO_PORT),
			       [mmio] "i"(GD_MMIO_ADDR)
			     : "rax", "rbx", "rcx", "rdx", "rsi", "memory");
		break;
	case GD_STEP_SHADOWS:
		GUEST_SYNC(0);
		asm volatile("gd_s0: mov %%ss, %%eax\n\t"
			     "gd_s1: mov %%eax, %%ss\n\t"
			     "gd_s2: nop\n\t"
			     "gd_s3: sti\n\t"
			     "gd_s4: nop\n\t"
			     "gd_s5: cli\n\t"
			     "gd_s6: nop" : : : "rax");
		break;
	case GD_PUSHF:
		GUEST_SYNC(0);
		asm volatile("gd_pf0: nop\n\t"
			     "gd_pf1: pushf\n\t"
			     "gd_pf2: pop %0\n\t"
			     "gd_pf3: nop" : "=r"(flags));
		pushed_while_stepped = flags;
		GUEST_SYNC(1);
		asm volatile("pushf\n\t"
			     "pop %0" : "=r"(flags));
		pushed_after = flags;
		break;
	case GD_GD_HOST:
		asm volatile("gd_gd_host: mov %%dr0, %0" : "=r"(flags));
		break;
	case GD_GD_GUEST:
	case GD_GD_GUEST_HW:
		asm volatile("mov %0, %%dr7" : : "r"(GD_DR7_FIXED | GD_DR7_GD));
		asm volatile("gd_gd_guest: mov %%dr0, %0" : "=r"(flags));
		asm volatile("mov %%dr7, %0" : "=r"(read_dr7));
		break;
	case GD_OWNERSHIP:
		guest_set_own_drs();
		GUEST_SYNC(0);
		asm volatile("gd_own_mark: nop");
		guest_read_own_drs();
		GUEST_SYNC(1);
		guest_read_own_drs();
		GUEST_SYNC(2);
		/* The guest's own breakpoint must still work. */
		asm volatile("lea gd_own_bp(%%rip), %%rax\n\t"
			     "mov %%rax, %%dr0\n\t"
			     "mov %0, %%dr7\n\t"
			     "gd_own_bp: nop"
			     : : "r"(GD_DR7_FIXED | 1ul) : "rax");
		break;
	case GD_HOST_HWBP:
		guest_set_own_drs();
		GUEST_SYNC(0);
		asm volatile("gd_hw_mark: nop");
		break;
	case GD_BLOCKIRQ:
		/* A self-IPI, pending from here on behind IF = 0. */
		x2apic_enable();
		asm volatile("cli");
		x2apic_write_reg(APIC_ICR, APIC_DEST_SELF | APIC_INT_ASSERT | APIC_DM_FIXED |
					   GD_IRQ_VECTOR);
		GUEST_SYNC(0);
		asm volatile("gd_i0: sti\n\t"
			     "gd_i1: nop\n\t"
			     "gd_i2: nop\n\t"
			     "gd_i3: cli\n\t"
			     "gd_i4: nop");
		GUEST_SYNC(1);
		asm volatile("sti\n\t"
			     "nop\n\t"
			     "cli");
		break;
	case GD_STEP_MOVSS_EXIT:
		GUEST_SYNC(0);
		asm volatile("gd_m0: mov %%ss, %%eax\n\t"
			     "gd_m1: mov %%eax, %%ss\n\t"
			     "gd_m2: cpuid\n\t"
			     "gd_m3: nop\n\t"
			     "gd_m4: mov %%ss, %%eax\n\t"
			     "gd_m5: mov %%eax, %%ss\n\t"
			     "gd_m6: cpuid\n\t"
			     "gd_m7: nop"
			     : : : "rax", "rbx", "rcx", "rdx");
		break;
	case GD_TF_WATCH:
		/* POPF's TF traps after the next instruction: the store. */
		asm volatile("pushf\n\t"
			     "orq $0x100, (%%rsp)\n\t"
			     "popf\n\t"
			     "gd_tfw_store: movq $1, %[w]\n\t"
			     "gd_tfw_after: nop"
			     : [w] "=m"(tf_watched) : : "cc", "memory");
		break;
	case GD_STEP_GUEST_WATCH:
		asm volatile("mov %0, %%dr0\n\t"
			     "mov %1, %%dr7"
			     : : "r"(&step_watched), "r"(GD_DR7_STEP_WATCH));
		GUEST_SYNC(0);
		asm volatile("gd_sgw0: nop\n\t"
			     "gd_sgw1: movq $1, %[w]\n\t"
			     "gd_sgw2: nop"
			     : [w] "=m"(step_watched) : : "memory");
		break;
	case GD_INJECT_WHEN:
		asm volatile("gd_iw_bp: int3\n\t"
			     "gd_iw_after: nop");
		GUEST_SYNC(0);
		asm volatile("gd_iw_bp2: int3\n\t"
			     "gd_iw_after2: nop");
		break;
	case GD_MMIO_WATCH:
		asm volatile("mov %[mmio], %%ebx\n\t"
			     "gd_mw_store: movl %%eax, (%%rbx)\n\t"
			     "gd_mw_load: movl 8(%%rbx), %%eax\n\t"
			     "gd_mw_after: nop"
			     : "=a"(mmio_loaded) : [mmio] "i"(GD_MMIO_ADDR) : "rbx", "memory");
		break;
	case GD_BAD_INPUT:
		guest_read_own_drs();
		asm volatile("gd_bad_store: movq $1, %[w]\n\t"
			     "gd_bad_hw: nop\n\t"
			     "gd_bad_int3: int3"
			     : [w] "=m"(guest_watched[1]) : : "memory");
		break;
	}
	GUEST_DONE();
}

/* What KVM's debug stats must say for the vCPU of the running case. */
static struct gd_stats gd_want;

static bool set_debug(struct kvm_vcpu *vcpu, uint32_t control, const uint64_t *dr)
{
	struct kvm_guest_debug dbg = { .control = control };
	int i, r;

	for (i = 0; dr && i < 8; i++)
		dbg.arch.debugreg[i] = dr[i];
	r = __vcpu_ioctl(vcpu, KVM_SET_GUEST_DEBUG, &dbg);
	if (!r && (control & (KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_INJECT_DB)))
		gd_want.count[GD_STAT_INJECT]++;
	return expect(!r, "KVM_SET_GUEST_DEBUG(0x%x) failed: %s", control, strerror(errno));
}

/*
 * Counts a debug exit under its cause: #BP a software breakpoint; DR6.BD,
 * or a hit in an enabled data breakpoint, a watchpoint; a hit in an
 * enabled execute breakpoint a hardware breakpoint; DR6.BS alone a step.
 * Several at once count once, under the first of those (guest-debug.rst).
 */
static void gd_count_exit(struct kvm_vcpu *vcpu)
{
	struct kvm_debug_exit_arch *exit = &vcpu->run->debug.arch;
	enum gd_stat stat = GD_STAT_STEP;
	int i;

	if (vcpu->run->exit_reason != KVM_EXIT_DEBUG)
		return;
	if (exit->exception == BP_VECTOR)
		stat = GD_STAT_SW_BP;
	else if (exit->dr6 & GD_DR6_BD)
		stat = GD_STAT_WATCHPOINT;
	for (i = 0; i < 4 && stat != GD_STAT_SW_BP && stat != GD_STAT_WATCHPOINT; i++) {
		if (!(exit->dr6 & BIT(i)) || !(exit->dr7 & (3ul << (i * 2))))
			continue;
		stat = (exit->dr7 >> (16 + i * 4)) & 3 ? GD_STAT_WATCHPOINT : GD_STAT_HW_BP;
	}
	gd_want.count[stat]++;
}

static void gd_run(struct kvm_vcpu *vcpu)
{
	vcpu_run(vcpu);
	gd_count_exit(vcpu);
}

static bool ucall_is(struct kvm_vcpu *vcpu, uint64_t cmd)
{
	struct ucall uc;
	uint64_t got;

	if (!expect(vcpu->run->exit_reason == KVM_EXIT_IO, "exit reason %s, want a ucall",
		    exit_reason_str(vcpu->run->exit_reason)))
		return false;
	got = get_ucall(vcpu, &uc);
	if (got == UCALL_ABORT)
		return expect(false, "guest assertion: %s", uc.buffer);
	return expect(got == cmd, "ucall %lu, want %lu", got, cmd);
}

static bool runs_to(struct kvm_vcpu *vcpu, uint64_t cmd)
{
	gd_run(vcpu);
	return ucall_is(vcpu, cmd);
}

/* Steps until the vCPU stops at @pc. */
static bool step_to(struct kvm_vcpu *vcpu, uint64_t pc)
{
	int i;

	for (i = 0; i < GD_MAX_STEPS; i++) {
		gd_run(vcpu);
		if (!expect(vcpu->run->exit_reason == KVM_EXIT_DEBUG, "step %d: exit reason %s",
			    i, exit_reason_str(vcpu->run->exit_reason)))
			return false;
		if (vcpu->run->debug.arch.pc == pc)
			return true;
	}
	return expect(false, "never stepped onto 0x%lx", pc);
}

/*
 * From the guest's next sync, steps with flags on top of SINGLESTEP to
 * start, then once for each of the n stops, which must come in order.
 */
static bool step_through(struct kvm_vcpu *vcpu, uint32_t flags, uint64_t start,
			 const uint64_t *stops, int n)
{
	int i;

	if (!runs_to(vcpu, UCALL_SYNC) ||
	    !set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | flags, NULL) ||
	    !step_to(vcpu, start))
		return false;
	for (i = 0; i < n; i++) {
		gd_run(vcpu);
		if (!debug_exit_at(vcpu, DB_VECTOR, stops[i], DR_STEP))
			return false;
	}
	return true;
}

static bool tf_hidden(struct kvm_vcpu *vcpu)
{
	struct kvm_regs regs;

	vcpu_regs_get(vcpu, &regs);
	return expect(!(regs.rflags & GD_RFLAGS_TF), "TF in the guest's RFLAGS 0x%llx",
		      regs.rflags);
}

static bool test_int3_guest(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	return runs_to(vcpu, UCALL_DONE) &&
	       expect(GUEST_VAR(vm, bp_count) == 1, "guest #BP handler ran %lu times",
		      GUEST_VAR(vm, bp_count)) &&
	       expect(GUEST_VAR(vm, bp_rip) == GUEST_LABEL(gd_int3_after),
		      "guest #BP at 0x%lx", GUEST_VAR(vm, bp_rip));
}

static bool test_inject_bp(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	uint32_t sw_bp = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;

	if (!set_debug(vcpu, sw_bp, NULL))
		return false;
	gd_run(vcpu);
	if (!debug_exit_at(vcpu, BP_VECTOR, GUEST_LABEL(gd_inject_bp), 0))
		return false;
	/* Not ours: hand it back, as a debugger does with the guest's int3. */
	return set_debug(vcpu, sw_bp | KVM_GUESTDBG_INJECT_BP, NULL) &&
	       runs_to(vcpu, UCALL_DONE) &&
	       expect(GUEST_VAR(vm, bp_count) == 1, "guest #BP handler ran %lu times",
		      GUEST_VAR(vm, bp_count)) &&
	       expect(GUEST_VAR(vm, bp_rip) == GUEST_LABEL(gd_inject_bp_after),
		      "guest #BP returns to 0x%lx", GUEST_VAR(vm, bp_rip));
}

static bool test_inject_db(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	if (!runs_to(vcpu, UCALL_SYNC) ||
	    !set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, NULL) ||
	    !step_to(vcpu, GUEST_LABEL(gd_inject_db)))
		return false;
	gd_run(vcpu);
	if (!debug_exit_at(vcpu, DB_VECTOR, GUEST_LABEL(gd_inject_db_next), DR_STEP))
		return false;
	return set_debug(vcpu, KVM_GUESTDBG_INJECT_DB, NULL) &&
	       runs_to(vcpu, UCALL_DONE) &&
	       expect(GUEST_VAR(vm, db_count) == 1, "guest #DB handler ran %lu times",
		      GUEST_VAR(vm, db_count)) &&
	       expect(GUEST_VAR(vm, db_rip) == GUEST_LABEL(gd_inject_db_next),
		      "guest #DB at 0x%lx", GUEST_VAR(vm, db_rip)) &&
	       expect(!(GUEST_VAR(vm, db_rflags) & GD_RFLAGS_TF),
		      "TF on the guest's stack: RFLAGS 0x%lx", GUEST_VAR(vm, db_rflags));
}

/* Userspace debugs with a breakpoint that never fires. */
static bool debug_elsewhere(struct kvm_vcpu *vcpu)
{
	const uint64_t dr[8] = {
		[0] = (uint64_t)&host_watched,
		[7] = GD_DR7_FIXED | 1,
	};

	return set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr);
}

static bool test_icebp(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	return debug_elsewhere(vcpu) &&
	       runs_to(vcpu, UCALL_DONE) &&
	       expect(GUEST_VAR(vm, db_count) == 1, "guest #DB handler ran %lu times",
		      GUEST_VAR(vm, db_count)) &&
	       expect(GUEST_VAR(vm, db_rip) == GUEST_LABEL(gd_icebp_after),
		      "guest #DB at 0x%lx", GUEST_VAR(vm, db_rip));
}

static bool test_guest_tf(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	return debug_elsewhere(vcpu) &&
	       runs_to(vcpu, UCALL_DONE) &&
	       expect(GUEST_VAR(vm, db_count) == 1, "guest #DB handler ran %lu times",
		      GUEST_VAR(vm, db_count)) &&
	       expect(GUEST_VAR(vm, db_rip) == GUEST_LABEL(gd_tf_after),
		      "guest #DB at 0x%lx", GUEST_VAR(vm, db_rip)) &&
	       expect(GUEST_VAR(vm, db_dr6) & DR_STEP, "guest DR6 0x%lx lacks BS",
		      GUEST_VAR(vm, db_dr6));
}

/* One step, through any exits to userspace that it needs on the way. */
static bool step_once(struct kvm_vcpu *vcpu, uint64_t pc, uint32_t want_exit)
{
	struct kvm_run *run = vcpu->run;
	uint32_t seen = 0;
	bool stopped;

	for (;;) {
		gd_run(vcpu);
		if (run->exit_reason != KVM_EXIT_IO && run->exit_reason != KVM_EXIT_MMIO)
			break;
		if (run->exit_reason == KVM_EXIT_IO &&
		    !expect(run->io.port == GD_IO_PORT, "I/O to port 0x%x", run->io.port))
			return false;
		if (run->exit_reason == KVM_EXIT_MMIO)
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
		seen = run->exit_reason;
	}
	/* Both checks report, so that a failure shows the exit that ended the step. */
	stopped = debug_exit_at(vcpu, DB_VECTOR, pc, DR_STEP);
	return expect(seen == want_exit, "step to 0x%lx: userspace exit %s, want %s", pc,
		      exit_reason_str(seen), exit_reason_str(want_exit)) && stopped;
}

static bool test_step_exits(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	const struct {
		uint64_t pc;
		uint32_t exit;
	} steps[] = {
		{ GUEST_LABEL(gd_x1) }, { GUEST_LABEL(gd_x2) }, { GUEST_LABEL(gd_x3) },
		{ GUEST_LABEL(gd_x4) }, { GUEST_LABEL(gd_x5) }, { GUEST_LABEL(gd_x6) },
		{ GUEST_LABEL(gd_x7), KVM_EXIT_IO }, { GUEST_LABEL(gd_x8), KVM_EXIT_IO },
		{ GUEST_LABEL(gd_x9) }, { GUEST_LABEL(gd_x10), KVM_EXIT_MMIO },
		{ GUEST_LABEL(gd_x11), KVM_EXIT_MMIO }, { GUEST_LABEL(gd_x12) },
		{ GUEST_LABEL(gd_x13) }, { GUEST_LABEL(gd_x14), KVM_EXIT_IO },
	};
	int i;

	virt_map(vm, GD_MMIO_ADDR, GD_MMIO_ADDR, 1);
	if (!runs_to(vcpu, UCALL_SYNC) ||
	    !set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, NULL) ||
	    !step_to(vcpu, GUEST_LABEL(gd_x0)))
		return false;
	for (i = 0; i < ARRAY_SIZE(steps); i++)
		if (!step_once(vcpu, steps[i].pc, steps[i].exit) || !tf_hidden(vcpu))
			return expect(false, "at step %d of %zu", i + 1, ARRAY_SIZE(steps));
	return set_debug(vcpu, 0, NULL) && runs_to(vcpu, UCALL_DONE);
}

static bool test_step_shadows(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	/* MOV SS holds the step's trap back for one instruction; STI does not. */
	const uint64_t stops[] = {
		GUEST_LABEL(gd_s1), GUEST_LABEL(gd_s3), GUEST_LABEL(gd_s4),
		GUEST_LABEL(gd_s5), GUEST_LABEL(gd_s6),
	};

	return step_through(vcpu, 0, GUEST_LABEL(gd_s0), stops, ARRAY_SIZE(stops)) &&
	       set_debug(vcpu, 0, NULL) && runs_to(vcpu, UCALL_DONE);
}

/*
 * CPUID VM-exits inside the MOV SS shadow, where the CPU may save the
 * step's trap in the VMCS while KVM reports the step itself: that trap
 * must not come back as a second step at the same RIP, nor as a #DB for
 * the guest once userspace stops stepping.
 */
static bool test_step_movss_exit(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	const uint64_t stops[] = {
		GUEST_LABEL(gd_m1), GUEST_LABEL(gd_m3), GUEST_LABEL(gd_m4),
		GUEST_LABEL(gd_m5), GUEST_LABEL(gd_m7),
	};

	return step_through(vcpu, 0, GUEST_LABEL(gd_m0), stops, ARRAY_SIZE(stops)) &&
	       set_debug(vcpu, 0, NULL) && runs_to(vcpu, UCALL_DONE) &&
	       expect(GUEST_VAR(vm, db_count) == 0, "the guest took %lu #DB, the last at 0x%lx",
		      GUEST_VAR(vm, db_count), GUEST_VAR(vm, db_rip));
}

/*
 * KVM steps with TF and writes no guest memory, so the copy a stepped PUSHF
 * stores carries TF, as on the baseline and as api.rst says; what must not
 * happen is TF staying in the guest's RFLAGS once the session ends.
 */
static bool test_pushf(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	const uint64_t stops[] = {
		GUEST_LABEL(gd_pf1), GUEST_LABEL(gd_pf2), GUEST_LABEL(gd_pf3),
	};

	return step_through(vcpu, 0, GUEST_LABEL(gd_pf0), stops, ARRAY_SIZE(stops)) &&
	       set_debug(vcpu, 0, NULL) &&
	       runs_to(vcpu, UCALL_SYNC) &&
	       expect(GUEST_VAR(vm, pushed_while_stepped) & GD_RFLAGS_TF,
		      "PUSHF under the step pushed no TF (0x%lx): api.rst says it does",
		      GUEST_VAR(vm, pushed_while_stepped)) &&
	       runs_to(vcpu, UCALL_DONE) &&
	       expect(!(GUEST_VAR(vm, pushed_after) & GD_RFLAGS_TF),
		      "TF left in the guest's RFLAGS after the step: 0x%lx",
		      GUEST_VAR(vm, pushed_after));
}

static bool test_gd_host(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	const uint64_t dr[8] = { [7] = GD_DR7_FIXED | GD_DR7_GD };

	if (!set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr))
		return false;
	gd_run(vcpu);
	return debug_exit_at(vcpu, DB_VECTOR, GUEST_LABEL(gd_gd_host), GD_DR6_BD) &&
	       expect(vcpu->run->debug.arch.dr7 & GD_DR7_GD, "exit DR7 0x%llx lacks GD",
		      vcpu->run->debug.arch.dr7) &&
	       set_debug(vcpu, 0, NULL) && runs_to(vcpu, UCALL_DONE) &&
	       expect(GUEST_VAR(vm, db_count) == 0, "the guest took userspace's #DB");
}

static bool test_gd_guest(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	return runs_to(vcpu, UCALL_DONE) &&
	       expect(GUEST_VAR(vm, db_count) == 1, "guest #DB handler ran %lu times",
		      GUEST_VAR(vm, db_count)) &&
	       expect(GUEST_VAR(vm, db_rip) == GUEST_LABEL(gd_gd_guest),
		      "guest #DB at 0x%lx", GUEST_VAR(vm, db_rip)) &&
	       expect(GUEST_VAR(vm, db_dr6) & GD_DR6_BD, "guest DR6 0x%lx lacks BD",
		      GUEST_VAR(vm, db_dr6)) &&
	       expect(!(GUEST_VAR(vm, read_dr7) & GD_DR7_GD), "GD still set: DR7 0x%lx",
		      GUEST_VAR(vm, read_dr7));
}

static bool test_gd_guest_hw(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	return debug_elsewhere(vcpu) && test_gd_guest(vm, vcpu);
}

static bool guest_drs_intact(struct kvm_vm *vm, struct kvm_vcpu *vcpu, const char *when)
{
	struct kvm_debugregs regs;
	bool ok = true;
	int i;

	vcpu_debugregs_get(vcpu, &regs);
	for (i = 0; i < 4; i++)
		ok &= expect(regs.db[i] == guest_db[i],
			     "%s: KVM_GET_DEBUGREGS DR%d 0x%llx, want 0x%lx",
			     when, i, regs.db[i], guest_db[i]);
	return ok && expect(regs.dr7 == GUEST_DR7, "%s: KVM_GET_DEBUGREGS DR7 0x%llx, want 0x%lx",
			    when, regs.dr7, GUEST_DR7);
}

static bool guest_read_intact(struct kvm_vm *vm, const char *when)
{
	bool ok = true;
	int i;

	for (i = 0; i < 4; i++)
		ok &= expect(GUEST_VAR(vm, read_db)[i] == guest_db[i],
			     "%s: the guest reads DR%d 0x%lx, want 0x%lx",
			     when, i, GUEST_VAR(vm, read_db)[i], guest_db[i]);
	return ok && expect(GUEST_VAR(vm, read_dr7) == GUEST_DR7,
			    "%s: the guest reads DR7 0x%lx, want 0x%lx",
			    when, GUEST_VAR(vm, read_dr7), GUEST_DR7);
}

static bool test_ownership(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	const uint64_t dr[8] = {
		[0] = GUEST_LABEL(gd_own_mark),
		[3] = (uint64_t)&host_watched,
		[7] = GD_DR7_FIXED | 0x41 | ((uint64_t)(DR_RW_WRITE | DR_LEN_8) << 28),
	};
	const uint64_t dr_watch[8] = {
		[3] = (uint64_t)&host_watched,
		[7] = GD_DR7_FIXED | 0x40 | ((uint64_t)(DR_RW_WRITE | DR_LEN_8) << 28),
	};
	uint32_t hw = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;

	if (!runs_to(vcpu, UCALL_SYNC) || !guest_drs_intact(vm, vcpu, "before") ||
	    !set_debug(vcpu, hw, dr))
		return false;
	gd_run(vcpu);
	if (!debug_exit_at(vcpu, DB_VECTOR, GUEST_LABEL(gd_own_mark), DR_TRAP0) ||
	    !expect(vcpu->run->debug.arch.dr7 == dr[7], "exit DR7 0x%llx, want 0x%lx",
		    vcpu->run->debug.arch.dr7, dr[7]) ||
	    !guest_drs_intact(vm, vcpu, "in the session"))
		return false;
	/* Past the breakpoint, the session goes on with the watchpoint alone. */
	if (!set_debug(vcpu, hw, dr_watch) || !runs_to(vcpu, UCALL_SYNC) ||
	    !guest_read_intact(vm, "in the session") || !set_debug(vcpu, 0, NULL) ||
	    !runs_to(vcpu, UCALL_SYNC) || !guest_read_intact(vm, "after the session") ||
	    !guest_drs_intact(vm, vcpu, "after the session"))
		return false;
	return runs_to(vcpu, UCALL_DONE) &&
	       expect(GUEST_VAR(vm, db_count) == 1, "the guest's own DR0 fired %lu times",
		      GUEST_VAR(vm, db_count)) &&
	       expect(GUEST_VAR(vm, db_dr6) & DR_TRAP0, "guest DR6 0x%lx lacks B0",
		      GUEST_VAR(vm, db_dr6));
}

static bool test_host_hwbp(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	const uint64_t dr[8] = {
		[0] = GUEST_LABEL(gd_hw_mark),
		[7] = GD_DR7_FIXED | 1,
	};
	int fd = host_watch_open(&host_watched);
	bool ok;

	if (fd < 0)
		return false;
	host_watch_write(&host_watched, 3);
	/* The guest loads its own DRs, then userspace's take their place. */
	ok = host_watch_count_is(fd, 3, "before KVM_RUN") &&
	     runs_to(vcpu, UCALL_SYNC) &&
	     set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr);
	if (ok) {
		gd_run(vcpu);
		ok = debug_exit_at(vcpu, DB_VECTOR, GUEST_LABEL(gd_hw_mark), DR_TRAP0);
	}
	if (ok) {
		host_watch_write(&host_watched, 3);
		ok = host_watch_count_is(fd, 6, "after a debug exit") &&
		     set_debug(vcpu, 0, NULL) && runs_to(vcpu, UCALL_DONE);
	}
	if (ok) {
		host_watch_write(&host_watched, 3);
		ok = host_watch_count_is(fd, 9, "after the guest ran with its own DRs");
	}
	close(fd);
	return ok;
}

/*
 * BLOCKIRQ only delays an interrupt: steps with one pending stay in line,
 * and the guest takes it, once, after the session.
 */
static bool test_blockirq(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	const uint64_t stops[] = {
		GUEST_LABEL(gd_i1), GUEST_LABEL(gd_i2), GUEST_LABEL(gd_i3),
		GUEST_LABEL(gd_i4),
	};

	if (!step_through(vcpu, KVM_GUESTDBG_BLOCKIRQ, GUEST_LABEL(gd_i0), stops,
			  ARRAY_SIZE(stops)) ||
	    !set_debug(vcpu, 0, NULL) || !runs_to(vcpu, UCALL_SYNC) ||
	    !expect(GUEST_VAR(vm, irq_count) == 0, "the interrupt came during the steps"))
		return false;
	return runs_to(vcpu, UCALL_DONE) &&
	       expect(GUEST_VAR(vm, irq_count) == 1, "the held-back interrupt came %lu times",
		      GUEST_VAR(vm, irq_count));
}

/*
 * The guest's own trap flag on a store that userspace watches: one #DB
 * carries both.  The watchpoint is userspace's, and exits with B0 alone;
 * the step is the guest's, which takes it, with BS alone, when it runs
 * again.  While that #DB waits, an INJECT finds it pending and is refused.
 */
static bool test_tf_watch(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	const uint64_t dr[8] = {
		[0] = (uint64_t)&tf_watched,
		[7] = GD_DR7_FIXED | 1 | ((uint64_t)(DR_RW_WRITE | DR_LEN_8) << 16),
	};
	uint32_t hw = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
	struct kvm_guest_debug busy = { .control = hw | KVM_GUESTDBG_INJECT_DB };
	int r;

	if (!set_debug(vcpu, hw, dr))
		return false;
	gd_run(vcpu);
	if (!debug_exit_at(vcpu, DB_VECTOR, GUEST_LABEL(gd_tfw_after), DR_TRAP0) ||
	    !expect(!(vcpu->run->debug.arch.dr6 & DR_STEP),
		    "the exit's DR6 0x%llx has the guest's BS", vcpu->run->debug.arch.dr6))
		return false;
	memcpy(busy.arch.debugreg, dr, sizeof(dr));
	r = __vcpu_ioctl(vcpu, KVM_SET_GUEST_DEBUG, &busy);
	if (!expect(r == -1 && errno == EBUSY,
		    "INJECT_DB with the guest's #DB pending returned %d (%s), want EBUSY", r,
		    r ? strerror(errno) : "success"))
		return false;
	return runs_to(vcpu, UCALL_DONE) &&
	       expect(GUEST_VAR(vm, db_count) == 1, "guest #DB handler ran %lu times",
		      GUEST_VAR(vm, db_count)) &&
	       expect(GUEST_VAR(vm, db_rip) == GUEST_LABEL(gd_tfw_after),
		      "guest #DB at 0x%lx", GUEST_VAR(vm, db_rip)) &&
	       expect((GUEST_VAR(vm, db_dr6) & (DR_STEP | DR_TRAP0)) == DR_STEP,
		      "guest DR6 0x%lx, want BS without userspace's B0", GUEST_VAR(vm, db_dr6));
}

/*
 * Userspace's step over a store that the guest's own DR0 watches: one #DB
 * carries both.  The step exits with BS alone; the guest takes its
 * watchpoint, with B0, when it runs again.
 */
static bool test_step_guest_watch(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	const uint64_t stops[] = { GUEST_LABEL(gd_sgw1), GUEST_LABEL(gd_sgw2) };

	if (!step_through(vcpu, 0, GUEST_LABEL(gd_sgw0), stops, ARRAY_SIZE(stops)) ||
	    !expect(!(vcpu->run->debug.arch.dr6 & DR_TRAP0),
		    "the step's DR6 0x%llx has the guest's B0", vcpu->run->debug.arch.dr6))
		return false;
	return set_debug(vcpu, 0, NULL) && runs_to(vcpu, UCALL_DONE) &&
	       expect(GUEST_VAR(vm, db_count) == 1, "guest #DB handler ran %lu times",
		      GUEST_VAR(vm, db_count)) &&
	       expect(GUEST_VAR(vm, db_rip) == GUEST_LABEL(gd_sgw2),
		      "guest #DB at 0x%lx", GUEST_VAR(vm, db_rip)) &&
	       expect(GUEST_VAR(vm, db_dr6) & DR_TRAP0, "guest DR6 0x%lx lacks B0",
		      GUEST_VAR(vm, db_dr6));
}

static bool refused_with(struct kvm_vcpu *vcpu, uint32_t control, int err, const char *when)
{
	struct kvm_guest_debug dbg = { .control = control };
	int r;

	r = __vcpu_ioctl(vcpu, KVM_SET_GUEST_DEBUG, &dbg);
	return expect(r == -1 && errno == err, "%s: control 0x%x returned %d (%s), want %s",
		      when, control, r, r ? strerror(errno) : "success", strerror(err));
}

/*
 * INJECT_BP and INJECT_DB hand back the exception of the debug exit that
 * just happened, if it is of their kind, and nothing else: not before any
 * exit, not after an exit of the other kind, not once KVM_SET_REGS or
 * KVM_SET_VCPU_EVENTS has replaced the state it was raised in, not twice,
 * and not once the vCPU has run again.
 */
static bool test_inject_when(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	uint32_t sw_bp = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
	uint32_t inject_bp = sw_bp | KVM_GUESTDBG_INJECT_BP;
	struct kvm_vcpu_events events;
	struct kvm_regs regs;

	if (!refused_with(vcpu, KVM_GUESTDBG_INJECT_BP, EINVAL, "before any exit") ||
	    !refused_with(vcpu, KVM_GUESTDBG_INJECT_DB, EINVAL, "before any exit") ||
	    !set_debug(vcpu, sw_bp, NULL))
		return false;
	gd_run(vcpu);
	if (!debug_exit_at(vcpu, BP_VECTOR, GUEST_LABEL(gd_iw_bp), 0) ||
	    !refused_with(vcpu, sw_bp | KVM_GUESTDBG_INJECT_DB, EINVAL, "after a #BP exit"))
		return false;
	vcpu_regs_get(vcpu, &regs);
	vcpu_regs_set(vcpu, &regs);
	if (!refused_with(vcpu, inject_bp, EINVAL, "after KVM_SET_REGS"))
		return false;
	/* RIP is still at the int3, which exits again. */
	gd_run(vcpu);
	if (!debug_exit_at(vcpu, BP_VECTOR, GUEST_LABEL(gd_iw_bp), 0))
		return false;
	vcpu_events_get(vcpu, &events);
	vcpu_events_set(vcpu, &events);
	if (!refused_with(vcpu, inject_bp, EINVAL, "after KVM_SET_VCPU_EVENTS"))
		return false;
	gd_run(vcpu);
	if (!debug_exit_at(vcpu, BP_VECTOR, GUEST_LABEL(gd_iw_bp), 0) ||
	    !set_debug(vcpu, inject_bp, NULL) ||
	    !refused_with(vcpu, inject_bp, EINVAL, "a second time") ||
	    !runs_to(vcpu, UCALL_SYNC) ||
	    !refused_with(vcpu, inject_bp, EINVAL, "after the vCPU ran again"))
		return false;
	gd_run(vcpu);
	return debug_exit_at(vcpu, BP_VECTOR, GUEST_LABEL(gd_iw_bp2), 0) &&
	       set_debug(vcpu, inject_bp, NULL) && runs_to(vcpu, UCALL_DONE) &&
	       expect(GUEST_VAR(vm, bp_count) == 2, "guest #BP handler ran %lu times",
		      GUEST_VAR(vm, bp_count)) &&
	       expect(GUEST_VAR(vm, bp_rip) == GUEST_LABEL(gd_iw_after2),
		      "guest #BP returns to 0x%lx", GUEST_VAR(vm, bp_rip));
}

static bool mmio_exit(struct kvm_vcpu *vcpu, uint64_t addr, bool write)
{
	struct kvm_run *run = vcpu->run;

	if (!expect(run->exit_reason == KVM_EXIT_MMIO, "exit reason %s, want KVM_EXIT_MMIO",
		    exit_reason_str(run->exit_reason)) ||
	    !expect(run->mmio.phys_addr == addr && run->mmio.is_write == write,
		    "MMIO %s at 0x%llx, want a %s at 0x%lx", run->mmio.is_write ? "write" : "read",
		    run->mmio.phys_addr, write ? "write" : "read", addr))
		return false;
	if (!write)
		memcpy(run->mmio.data, &(uint32_t){ GD_MMIO_DATA }, sizeof(uint32_t));
	return true;
}

/*
 * KVM emulates every MMIO access, so the CPU never matches it against
 * DR0-3: KVM must.  A write watchpoint on one device register and a
 * read/write one on another stop the guest after the store and after the
 * load, each once the access has gone out to userspace and come back.
 */
static bool test_mmio_watch(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	const uint64_t dr[8] = {
		[0] = GD_MMIO_ADDR,
		[1] = GD_MMIO_ADDR + 8,
		[7] = GD_DR7_FIXED | 1 | 4 | ((uint64_t)(DR_RW_WRITE | DR_LEN_4) << 16) |
		      ((uint64_t)(DR_RW_READ | DR_LEN_4) << 20),
	};

	virt_map(vm, GD_MMIO_ADDR, GD_MMIO_ADDR, 1);
	if (!set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr))
		return false;
	gd_run(vcpu);
	if (!mmio_exit(vcpu, GD_MMIO_ADDR, true))
		return false;
	gd_run(vcpu);
	if (!debug_exit_at(vcpu, DB_VECTOR, GUEST_LABEL(gd_mw_load), DR_TRAP0) ||
	    !expect(!(vcpu->run->debug.arch.dr6 & DR_TRAP1), "the store's DR6 0x%llx has B1",
		    vcpu->run->debug.arch.dr6))
		return false;
	gd_run(vcpu);
	if (!mmio_exit(vcpu, GD_MMIO_ADDR + 8, false))
		return false;
	gd_run(vcpu);
	if (!debug_exit_at(vcpu, DB_VECTOR, GUEST_LABEL(gd_mw_after), DR_TRAP1) ||
	    !expect(!(vcpu->run->debug.arch.dr6 & DR_TRAP0), "the load's DR6 0x%llx has B0",
		    vcpu->run->debug.arch.dr6))
		return false;
	return runs_to(vcpu, UCALL_DONE) &&
	       expect(GUEST_VAR(vm, mmio_loaded) == GD_MMIO_DATA, "the load read 0x%x",
		      GUEST_VAR(vm, mmio_loaded)) &&
	       expect(GUEST_VAR(vm, db_count) == 0, "the guest took %lu #DB",
		      GUEST_VAR(vm, db_count));
}

struct bad_request {
	const char *what;
	bool debugregs;		/* KVM_SET_DEBUGREGS rather than KVM_SET_GUEST_DEBUG */
	uint32_t control;
	uint64_t dr[8];
	uint32_t flags;
};

#define HW	(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP)
#define L0	(GD_DR7_FIXED | 1)
#define DR7_0(rw_len)	(GD_DR7_FIXED | 1 | ((uint64_t)(rw_len) << 16))
#define DR7_1(rw_len)	(GD_DR7_FIXED | 4 | ((uint64_t)(rw_len) << 20))

static const struct bad_request bad_requests[] = {
	{ "unknown control bit 2", .control = KVM_GUESTDBG_ENABLE | 0x4 },
	{ "unknown control bit 3", .control = KVM_GUESTDBG_ENABLE | 0x8 },
	{ "unknown control bit 8", .control = KVM_GUESTDBG_ENABLE | 0x100 },
	{ "unknown control bit 21", .control = 0x200000 },
	{ "unknown control bit 31", .control = 0x80000000 },
	{ "INJECT_BP with INJECT_DB",
	  .control = KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_INJECT_DB },
	{ "INJECT_BP with INJECT_DB while debugging",
	  .control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP |
		     KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_INJECT_DB },
	{ "INJECT_BP with no #BP exit to hand back", .control = KVM_GUESTDBG_INJECT_BP },
	{ "INJECT_DB with no #DB exit to hand back",
	  .control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP | KVM_GUESTDBG_INJECT_DB,
	  .dr = { [7] = GD_DR7_FIXED } },
	{ "DR7 bit 32", .control = HW, .dr = { [7] = L0 | (1ull << 32) } },
	{ "DR7 bit 63", .control = HW, .dr = { [7] = L0 | (1ull << 63) } },
	{ "DR7 reserved bit 12", .control = HW, .dr = { [7] = L0 | (1ull << 12) } },
	{ "DR7 reserved bit 14", .control = HW, .dr = { [7] = L0 | (1ull << 14) } },
	{ "DR7 reserved bit 15", .control = HW, .dr = { [7] = L0 | (1ull << 15) } },
	{ "execute breakpoint of 2 bytes", .control = HW,
	  .dr = { [0] = 0x1000, [7] = DR7_0(DR_RW_EXECUTE | DR_LEN_2) } },
	{ "execute breakpoint of 4 bytes", .control = HW,
	  .dr = { [0] = 0x1000, [7] = DR7_0(DR_RW_EXECUTE | DR_LEN_4) } },
	{ "execute breakpoint of 8 bytes", .control = HW,
	  .dr = { [0] = 0x1000, [7] = DR7_0(DR_RW_EXECUTE | DR_LEN_8) } },
	{ "I/O breakpoint", .control = HW,
	  .dr = { [1] = GD_IO_PORT, [7] = DR7_1(0x2) } },
	{ "non-canonical DR0 (bit 63 alone)", .control = HW,
	  .dr = { [0] = 0x8000000000000000ull, [7] = L0 } },
	{ "2-byte watchpoint at an odd address", .control = HW,
	  .dr = { [1] = 0x2001, [7] = DR7_1(DR_RW_WRITE | DR_LEN_2) } },
	{ "4-byte watchpoint 2 bytes off", .control = HW,
	  .dr = { [1] = 0x2002, [7] = DR7_1(DR_RW_READ | DR_LEN_4) } },
	{ "8-byte watchpoint 4 bytes off", .control = HW,
	  .dr = { [1] = 0x2004, [7] = DR7_1(DR_RW_WRITE | DR_LEN_8) } },
	{ "KVM_SET_DEBUGREGS with flags", .debugregs = true, .flags = 1 },
	{ "KVM_SET_DEBUGREGS DR7 bit 32", .debugregs = true,
	  .dr = { [7] = GD_DR7_FIXED | (1ull << 32) } },
	{ "KVM_SET_DEBUGREGS DR6 bit 40", .debugregs = true,
	  .dr = { [6] = GD_DR6_RESET | (1ull << 40), [7] = GD_DR7_FIXED } },
};

#define GD_NR_BAD	ARRAY_SIZE(bad_requests)

static bool refused(struct kvm_vcpu *vcpu, const struct bad_request *bad)
{
	int r;

	if (bad->debugregs) {
		struct kvm_debugregs regs = {
			.flags = bad->flags, .dr6 = bad->dr[6], .dr7 = bad->dr[7],
		};

		r = __vcpu_ioctl(vcpu, KVM_SET_DEBUGREGS, &regs);
	} else {
		struct kvm_guest_debug dbg = { .control = bad->control };

		memcpy(dbg.arch.debugreg, bad->dr, sizeof(bad->dr));
		r = __vcpu_ioctl(vcpu, KVM_SET_GUEST_DEBUG, &dbg);
	}
	return expect(r == -1 && errno == EINVAL, "returned %d (%s), want EINVAL", r,
		      r ? strerror(errno) : "success");
}

/*
 * Every request is refused, and none changes anything.  What KVM uses is
 * shown by running: userspace's write watchpoint (DR1) and execute
 * breakpoint (DR0), armed before the bad requests, still stop the guest
 * in that order, then its int3; the guest reads its own debug registers
 * as they were, and so does KVM_GET_DEBUGREGS.  Each bad request, had KVM
 * taken any part of it, would have moved or disarmed one of them, or
 * given the guest a #DB.
 */
static void test_bad_input(void)
{
	struct kvm_debugregs before = {
		.db = { 0x1000, 0x2000, 0x3000, 0x4000 },
		.dr6 = GD_DR6_RESET, .dr7 = GD_DR7_FIXED,
	}, after;
	uint32_t sw_bp = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
	uint32_t hw = sw_bp | KVM_GUESTDBG_USE_HW_BP;
	uint64_t dr[8] = {}, *seen;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	bool ok = true;
	int i;

	memset(&gd_want, 0, sizeof(gd_want));
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vm_install_exception_handler(vm, DB_VECTOR, guest_db_handler);
	vcpu_args_set(vcpu, 1, GD_BAD_INPUT);
	vcpu_debugregs_set(vcpu, &before);
	dr[0] = GUEST_LABEL(gd_bad_hw);
	dr[1] = (uint64_t)&guest_watched[1];
	dr[7] = DR7_0(DR_RW_EXECUTE | DR_LEN_1) | DR7_1(DR_RW_WRITE | DR_LEN_8);
	TEST_ASSERT(set_debug(vcpu, hw, dr), "arming DR0 and DR1");

	for (i = 0; i < GD_NR_BAD; i++)
		ksft_test_result(refused(vcpu, &bad_requests[i]), "refused: %s\n",
				 bad_requests[i].what);

	vcpu_debugregs_get(vcpu, &after);
	ok &= expect(!memcmp(before.db, after.db, sizeof(before.db)) &&
		     after.dr7 == before.dr7,
		     "KVM_GET_DEBUGREGS changed: DR0 0x%llx DR7 0x%llx",
		     after.db[0], after.dr7);
	gd_run(vcpu);
	ok = ok && debug_exit_at(vcpu, DB_VECTOR, GUEST_LABEL(gd_bad_hw), BIT(1)) &&
	     expect(vcpu->run->debug.arch.dr7 == dr[7], "the exit's DR7 0x%llx, want 0x%lx",
		    vcpu->run->debug.arch.dr7, dr[7]);
	if (ok) {
		gd_run(vcpu);
		ok = debug_exit_at(vcpu, DB_VECTOR, GUEST_LABEL(gd_bad_hw), BIT(0));
	}
	if (ok) {
		TEST_ASSERT(set_debug(vcpu, sw_bp, NULL), "dropping DR0 and DR1");
		gd_run(vcpu);
		ok = debug_exit_at(vcpu, BP_VECTOR, GUEST_LABEL(gd_bad_int3), 0);
	}
	seen = GUEST_VAR(vm, read_db);
	ok = ok &&
	     expect(!memcmp(seen, before.db, sizeof(before.db)) &&
		    GUEST_VAR(vm, read_dr7) == before.dr7,
		    "the guest read DR0 0x%lx DR1 0x%lx DR7 0x%lx, want 0x%llx 0x%llx 0x%llx",
		    seen[0], seen[1], GUEST_VAR(vm, read_dr7), before.db[0], before.db[1],
		    before.dr7) &&
	     expect(GUEST_VAR(vm, db_count) == 0, "the guest took %lu #DB",
		    GUEST_VAR(vm, db_count)) &&
	     expect(GUEST_VAR(vm, bp_count) == 0, "the guest took the int3 itself");
	ok &= gd_stats_match(vcpu, &gd_want);
	ksft_test_result(ok, "after the refused requests the vCPU runs as before\n");
	kvm_vm_free(vm);
}

static const struct {
	const char *name;
	bool (*run)(struct kvm_vm *vm, struct kvm_vcpu *vcpu);
} gd_cases[GD_BAD_INPUT] = {
	[GD_INT3_GUEST] = { "int3 without USE_SW_BP reaches the guest's #BP handler",
			    test_int3_guest },
	[GD_INJECT_BP] = { "INJECT_BP hands the int3 to the guest's #BP handler",
			   test_inject_bp },
	[GD_INJECT_DB] = { "INJECT_DB after a step reaches the guest's #DB handler without TF",
			   test_inject_db },
	[GD_ICEBP] = { "ICEBP under USE_HW_BP is the guest's #DB", test_icebp },
	[GD_GUEST_TF] = { "the guest's own TF under USE_HW_BP is the guest's #DB",
			  test_guest_tf },
	[GD_STEP_EXITS] = { "single-step over CPUID, RDMSR, WRMSR, OUT, IN, MMIO, WBINVD, OUTS",
			    test_step_exits },
	[GD_STEP_SHADOWS] = { "single-step through the MOV SS and STI shadows",
			      test_step_shadows },
	[GD_PUSHF] = { "single-step over PUSHF: TF in the pushed copy, not in RFLAGS", test_pushf },
	[GD_GD_HOST] = { "userspace's DR7.GD exits on the guest's MOV DR", test_gd_host },
	[GD_GD_GUEST] = { "the guest's own DR7.GD raises its #DB", test_gd_guest },
	[GD_GD_GUEST_HW] = { "the guest's own DR7.GD under USE_HW_BP raises its #DB",
			     test_gd_guest_hw },
	[GD_OWNERSHIP] = { "the guest's DR0-3 and DR7 stay its own, bit for bit, across a session",
			   test_ownership },
	[GD_HOST_HWBP] = { "the VMM thread's own hardware watchpoint survives KVM_RUN",
			   test_host_hwbp },
	[GD_BLOCKIRQ] = { "BLOCKIRQ: steps stay in line, the pending interrupt comes after",
			  test_blockirq },
	[GD_STEP_MOVSS_EXIT] = { "a step over MOV SS and an exiting CPUID leaves no #DB behind",
				 test_step_movss_exit },
	[GD_TF_WATCH] = { "the guest's TF on userspace's watchpoint: B0 exits, BS is the guest's",
			  test_tf_watch },
	[GD_STEP_GUEST_WATCH] = { "a step onto the guest's watchpoint: BS exits, B0 is the guest's",
				  test_step_guest_watch },
	[GD_INJECT_WHEN] = { "INJECT only right after a debug exit of its kind, once",
			     test_inject_when },
	[GD_MMIO_WATCH] = { "watchpoints on MMIO registers fire after the store and the load",
			    test_mmio_watch },
};

int main(void)
{
	int i;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_SET_GUEST_DEBUG));
	ksft_print_header();
	ksft_set_plan(GD_BAD_INPUT + GD_NR_BAD + 1);
	for (i = 0; i < GD_BAD_INPUT; i++) {
		struct kvm_vcpu *vcpu;
		bool ok;
		struct kvm_vm *vm;

		vm = vm_create_with_one_vcpu(&vcpu, guest_code);
		vm_install_exception_handler(vm, DB_VECTOR, guest_db_handler);
		vm_install_exception_handler(vm, BP_VECTOR, guest_bp_handler);
		vm_install_exception_handler(vm, GD_IRQ_VECTOR, guest_irq_handler);
		vcpu_args_set(vcpu, 1, i);
		memset(&gd_want, 0, sizeof(gd_want));
		ok = gd_cases[i].run(vm, vcpu);
		ok &= gd_stats_match(vcpu, &gd_want);
		ksft_test_result(ok, "%s\n", gd_cases[i].name);
		kvm_vm_free(vm);
	}
	test_bad_input();
	ksft_finished();
}
