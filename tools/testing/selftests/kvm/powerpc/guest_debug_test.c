// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_SET_GUEST_DEBUG on Book E (e500): software breakpoints, single-step,
 * hardware breakpoints and watchpoints, injection, BLOCKIRQ, who owns the
 * debug registers, and requests KVM must refuse.
 *
 * Usage: guest_debug_test [-n] [-r] [-s]
 *   -n  the CPU (an emulator) raises no IAC/DAC events: check what KVM
 *       programs for hardware breakpoints and watchpoints, and skip their
 *       firing
 *   -r  write the registers back (KVM_SET_REGS) before every KVM_RUN, as
 *       QEMU does, except where a case is about not doing so
 *   -s  the kernel predates the guest-debug statistics (a kernel without
 *       the fixes, run to show its bugs): do not read them
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <unistd.h>
/* After sys/ptrace.h, whose enum the kernel's macros would break. */
#include <asm/ptrace.h>

#include "guest_debug.h"
#include "guest_debug_stats.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_expect.h"
#include "ucall_common.h"

#define DBCR0_EDM	0x80000000u

#define INSN_NOP	0x60000000u
/* wrteei, which not every assembler knows by name */
#define INSN_WRTEEI_1	".long 0x7c008146"
#define INSN_WRTEEI_0	".long 0x7c000146"

#define STEP_LOOPS	200
#define DEC_PERIOD	2000	/* timebase ticks */
#define STRESS_RUNS	50

enum gd_op {
	OP_NONE,
	OP_SWBP,
	OP_EXEC,
	OP_LOAD,
	OP_STORE,
	OP_STEP_PLAIN,
	OP_STEP_EMULATED,
	OP_STEP_MMIO,
	OP_STEP_LOOP,
	OP_OWN_STEP,
	OP_OWN_REGS,
	OP_DE_ON,
	OP_STEP_IRQ,
	OP_LOAD_AT,
	OP_WAIT_HELD,
	OP_USER_IAC,
	OP_USER_SC,
	OP_DONE,
};

struct gd_cmd {
	uint32_t op;
	uint32_t addr;
	uint32_t mmio;
	uint32_t arg;
	uint32_t de;
};

/* What the guest's own handlers and reads saw. */
struct gd_seen {
	uint32_t debug_count;
	uint32_t debug_dbsr;
	uint32_t debug_pc;
	uint32_t program_count;
	uint32_t program_esr;
	uint32_t program_pc;
	uint32_t dec_count;
	uint32_t dbcr0;
	uint32_t iac1;
	uint32_t msr;
	uint32_t dbcr1;
	uint32_t syscall_count;
};

static struct gd_cmd gd_cmd;
static struct gd_seen gd_seen;
static uint32_t gd_watched[4] __aligned(16);
static bool no_addr_events;
static bool set_regs_before_run;
static bool no_stats;

/* A label of the guest's asm, as a pointer. */
#define L(name)		((void *)(uintptr_t)GUEST_LABEL(name))

static void guest_debug_handler(struct ex_regs *regs)
{
	uint32_t dbsr = mfspr(SPRN_DBSR);

	gd_seen.debug_count++;
	gd_seen.debug_dbsr = dbsr;
	gd_seen.debug_pc = regs->pc;
	mtspr(SPRN_DBSR, dbsr);
	mtspr(SPRN_DBCR0, 0);
	regs->msr &= ~MSR_DE;
}

static void guest_program_handler(struct ex_regs *regs)
{
	gd_seen.program_count++;
	gd_seen.program_esr = mfspr(SPRN_ESR);
	gd_seen.program_pc = regs->pc;
	regs->pc += 4;
}

/* The user-mode code's sc: back to supervisor mode, after its rfi. */
static void guest_syscall_handler(struct ex_regs *regs)
{
	gd_seen.syscall_count++;
	regs->msr &= ~MSR_PR;
	regs->pc = GUEST_LABEL(gd_user_ret);
}

static void guest_dec_handler(struct ex_regs *regs)
{
	gd_seen.dec_count++;
	mtspr(SPRN_TCR, 0);
	mtspr(SPRN_TSR, TSR_DIS);
	/* The interrupt ends a wait state: do not return into it. */
	regs->msr &= ~MSR_WE;
}

static noinline void guest_swbp(void)
{
	asm volatile(".globl gd_swbp\ngd_swbp: nop");
}

static noinline void guest_exec(void)
{
	asm volatile(".globl gd_exec\ngd_exec: nop");
}

/* A load at a label, so that an IAC and a DAC can both watch it. */
static noinline void guest_load_at(uint32_t addr)
{
	uint32_t val;

	asm volatile(".globl gd_load\ngd_load: lwz %0, 0(%1)"
		     : "=r"(val) : "b"(addr) : "memory");
}

static noinline void guest_step_plain(void)
{
	asm volatile(".globl gd_plain0, gd_plain1, gd_plain2, gd_plain3, gd_plain4\n"
		     "gd_plain0: li 3, 1\n"
		     "gd_plain1: addi 3, 3, 2\n"
		     "gd_plain2: xor 3, 3, 3\n"
		     "gd_plain3: nop\n"
		     "gd_plain4: nop" : : : "r3");
}

/* mfmsr traps to KVM, which emulates it. */
static noinline void guest_step_emulated(void)
{
	asm volatile(".globl gd_emul0, gd_emul1, gd_emul2\n"
		     "gd_emul0: mfmsr 3\n"
		     "gd_emul1: nop\n"
		     "gd_emul2: nop" : : : "r3");
}

static noinline void guest_step_mmio(uint32_t mmio)
{
	asm volatile(".globl gd_mmio0, gd_mmio1, gd_mmio2\n"
		     "gd_mmio0: stw %0, 0(%1)\n"
		     "gd_mmio1: nop\n"
		     "gd_mmio2: nop" : : "r"(0x5a), "b"(mmio) : "memory");
}

/*
 * Loads from a new page each time round: every load takes a TLB miss
 * that KVM handles without leaving KVM_RUN, a lightweight exit, which a
 * host timer tick may interrupt.
 */
static noinline void guest_step_loop(uint32_t page, uint32_t loops)
{
	asm volatile(".globl gd_loop0, gd_loop1, gd_loop2, gd_loop3\n"
		     "mtctr %1\n"
		     "gd_loop0: lwz 5, 0(%0)\n"
		     "gd_loop1: addi %0, %0, 4096\n"
		     "gd_loop2: bdnz gd_loop0\n"
		     "gd_loop3: nop" : "+b"(page) : "r"(loops) : "r5", "ctr", "memory");
}

/* The guest single-steps itself: DBCR0[IDM|IC] and MSR[DE]. */
static noinline void guest_own_step(void)
{
	mtspr(SPRN_DBSR, mfspr(SPRN_DBSR));
	mtspr(SPRN_DBCR0, DBCR0_IDM | DBCR0_IC);
	msr_write(msr_read() | MSR_DE);
	asm volatile(".globl gd_own0\ngd_own0: nop\nnop\nnop");
}

/* Reads its own debug state, then writes DBCR0, IAC1 and MSR[DE] again. */
static noinline void guest_own_regs(uint32_t dbcr0, uint32_t iac1, uint32_t de)
{
	asm volatile(".globl gd_regs0\ngd_regs0: nop");
	WRITE_ONCE(gd_seen.dbcr0, mfspr(SPRN_DBCR0));
	WRITE_ONCE(gd_seen.iac1, mfspr(SPRN_IAC1));
	WRITE_ONCE(gd_seen.msr, msr_read());
	mtspr(SPRN_IAC1, iac1);
	mtspr(SPRN_DBCR0, dbcr0);
	msr_write((msr_read() & ~MSR_DE) | de);
	asm volatile(".globl gd_regs1\ngd_regs1: nop");
}

/* The decrementer is pending and masked; then EE opens for two nops. */
static noinline void guest_step_irq(void)
{
	mtspr(SPRN_TSR, TSR_DIS);
	mtspr(SPRN_TCR, TCR_DIE);
	mtspr(SPRN_DEC, 1000);
	while (!(mfspr(SPRN_TSR) & TSR_DIS))
		;
	asm volatile(".globl gd_irq0, gd_irq1, gd_irq2, gd_irq3, gd_irq4\n"
		     "gd_irq0: " INSN_WRTEEI_1 "\n"
		     "gd_irq1: nop\n"
		     "gd_irq2: nop\n"
		     "gd_irq3: " INSN_WRTEEI_0 "\n"
		     "gd_irq4: nop" : : : "memory");
	/* Whatever was held back is taken now. */
	asm volatile(INSN_WRTEEI_1 "\nnop\n" INSN_WRTEEI_0 : : : "memory");
}

/* The decrementer is pending; the guest waits for it with EE open. */
static noinline void guest_wait_held(void)
{
	uint32_t msr = msr_read();

	mtspr(SPRN_TSR, TSR_DIS);
	mtspr(SPRN_TCR, TCR_DIE);
	mtspr(SPRN_DEC, 1000);
	while (!(mfspr(SPRN_TSR) & TSR_DIS))
		;
	asm volatile(".globl gd_wait0, gd_wait1, gd_wait2\n"
		     "gd_wait0: mtmsr %0\n"
		     "gd_wait1: nop\n"
		     "gd_wait2: nop" : : "r"(msr | MSR_EE | MSR_WE) : "memory");
	msr_write(msr);
}

/* What the guest runs in its user mode: one instruction, then back. */
asm(".pushsection .text\n\t.balign 4\n\t.globl gd_user0\ngd_user0: nop\n\tsc\n\t.popsection");

/* Runs gd_user0 in the guest's user mode, with @msr otherwise. */
static noinline void guest_user_run(uint32_t msr)
{
	asm volatile("mtsrr0 %0\n"
		     "mtsrr1 %1\n"
		     "rfi\n"
		     ".globl gd_user_ret\n"
		     "gd_user_ret:"
		     : : "r"(GUEST_LABEL(gd_user0)), "r"(msr | MSR_PR) : "memory");
}

/*
 * The guest arms its own IAC1 on gd_user0 with @dbcr1's qualifiers, and
 * runs gd_user0 in its user mode.
 */
static noinline void guest_user_iac(uint32_t dbcr1)
{
	uint32_t msr = msr_read();

	mtspr(SPRN_DBSR, mfspr(SPRN_DBSR));
	mtspr(SPRN_IAC1, GUEST_LABEL(gd_user0));
	mtspr(SPRN_DBCR1, dbcr1);
	mtspr(SPRN_DBCR0, DBCR0_IDM | DBCR0_IAC(1));
	WRITE_ONCE(gd_seen.dbcr1, mfspr(SPRN_DBCR1));
	msr_write(msr | MSR_DE);
	guest_user_run(msr | MSR_DE);
	mtspr(SPRN_DBCR0, 0);
	mtspr(SPRN_DBCR1, 0);
	msr_write(msr);
}

static void guest_code(void)
{
	for (;;) {
		GUEST_SYNC(0);
		switch (READ_ONCE(gd_cmd.op)) {
		case OP_NONE:
			break;
		case OP_SWBP:
			guest_swbp();
			break;
		case OP_EXEC:
			guest_exec();
			break;
		case OP_LOAD:
			READ_ONCE(*(uint32_t *)gd_cmd.addr);
			break;
		case OP_STORE:
			WRITE_ONCE(*(uint32_t *)gd_cmd.addr, 0xa5a5a5a5);
			break;
		case OP_STEP_PLAIN:
			guest_step_plain();
			break;
		case OP_STEP_EMULATED:
			guest_step_emulated();
			break;
		case OP_STEP_MMIO:
			guest_step_mmio(gd_cmd.mmio);
			break;
		case OP_STEP_LOOP:
			/*
			 * An auto-reloading decrementer, masked, keeps the
			 * host's timer interrupts coming, some while KVM
			 * handles the loop's TLB misses.
			 */
			mtspr(SPRN_DECAR, DEC_PERIOD);
			mtspr(SPRN_TCR, TCR_ARE);
			mtspr(SPRN_DEC, DEC_PERIOD);
			guest_step_loop(gd_cmd.addr, gd_cmd.arg);
			mtspr(SPRN_TCR, 0);
			mtspr(SPRN_TSR, TSR_DIS);
			break;
		case OP_OWN_STEP:
			guest_own_step();
			break;
		case OP_OWN_REGS:
			guest_own_regs(gd_cmd.arg, gd_cmd.addr, gd_cmd.de);
			break;
		case OP_DE_ON:
			msr_write(msr_read() | MSR_DE);
			guest_exec();
			break;
		case OP_STEP_IRQ:
			guest_step_irq();
			break;
		case OP_LOAD_AT:
			guest_load_at(gd_cmd.addr);
			break;
		case OP_WAIT_HELD:
			guest_wait_held();
			break;
		case OP_USER_IAC:
			guest_user_iac(gd_cmd.arg);
			break;
		case OP_USER_SC:
			guest_user_run(msr_read());
			break;
		case OP_DONE:
			GUEST_DONE();
			break;
		default:
			GUEST_FAIL("unknown op %u", READ_ONCE(gd_cmd.op));
		}
	}
}

struct gd_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	uint32_t pages;		/* STEP_LOOPS pages for guest_step_loop() */
	uint32_t debug_inst;
	int iacs, dacs;
	struct gd_stats want;	/* what KVM's debug stats must say */
};

static uint32_t get_pc(struct gd_vm *g)
{
	struct kvm_regs regs;

	vcpu_regs_get(g->vcpu, &regs);
	return regs.pc;
}

/*
 * Counts a debug exit under its cause: a DAC event a watchpoint, an IAC
 * event a hardware breakpoint, DBSR[IC] a step, and the status 0 of the
 * KVM_REG_PPC_DEBUG_INST instruction a software breakpoint.
 */
static void gd_count_exit(struct gd_vm *g)
{
	uint32_t status = g->vcpu->run->debug.arch.status;
	enum gd_stat stat = GD_STAT_STEP;

	if (g->vcpu->run->exit_reason != KVM_EXIT_DEBUG)
		return;
	if (status & (KVMPPC_DEBUG_WATCH_READ | KVMPPC_DEBUG_WATCH_WRITE))
		stat = GD_STAT_WATCHPOINT;
	else if (status & KVMPPC_DEBUG_BREAKPOINT)
		stat = GD_STAT_HW_BP;
	else if (!status)
		stat = GD_STAT_SW_BP;
	g->want.count[stat]++;
}

/* KVM_RUN, and with -r the KVM_SET_REGS that QEMU does before it. */
static void gd_run(struct gd_vm *g)
{
	struct kvm_regs regs;

	if (set_regs_before_run) {
		vcpu_regs_get(g->vcpu, &regs);
		vcpu_regs_set(g->vcpu, &regs);
	}
	vcpu_run(g->vcpu);
	gd_count_exit(g);
}

static void set_debug(struct gd_vm *g, uint32_t control, struct kvm_guest_debug_arch *arch)
{
	struct kvm_guest_debug dbg = { .control = control };

	if (arch)
		dbg.arch = *arch;
	vcpu_guest_debug_set(g->vcpu, &dbg);
	if (control & (KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_INJECT_DB))
		g->want.count[GD_STAT_INJECT]++;
}

static int try_set_debug(struct gd_vm *g, uint32_t control, struct kvm_guest_debug_arch *arch)
{
	struct kvm_guest_debug dbg = { .control = control };

	if (arch)
		dbg.arch = *arch;
	return __vcpu_ioctl(g->vcpu, KVM_SET_GUEST_DEBUG, &dbg);
}

static void gd_load(struct gd_vm *g)
{
	sync_global_from_guest(g->vm, gd_seen);
}

static void arm_case(struct gd_vm *g, enum gd_op op, uint32_t addr, uint32_t arg)
{
	gd_cmd.op = op;
	gd_cmd.addr = addr;
	gd_cmd.arg = arg;
	sync_global_to_guest(g->vm, gd_cmd);
}

/* Runs the guest to its next GUEST_SYNC, with guest debug off. */
static bool run_to_sync(struct gd_vm *g)
{
	struct ucall uc;
	uint64_t cmd;

	set_debug(g, 0, NULL);
	gd_run(g);
	cmd = get_ucall(g->vcpu, &uc);
	if (cmd == UCALL_ABORT)
		REPORT_GUEST_ASSERT(uc);
	return expect(cmd == UCALL_SYNC, "guest stopped with ucall %llu, exit %s, want a sync",
		      (unsigned long long)cmd, exit_reason_str(g->vcpu->run->exit_reason));
}

/* The guest wrote an instruction; make the guest's fetch see it. */
static void write_insn(struct gd_vm *g, void *label, uint32_t insn)
{
	uint32_t *p = addr_gva2hva(g->vm, (uintptr_t)label);

	*p = insn;
	asm volatile("dcbst 0, %0\n\tsync\n\ticbi 0, %0\n\tsync\n\tisync"
		     : : "r"(p) : "memory");
}

static uint32_t read_insn(struct gd_vm *g, void *label)
{
	return *(uint32_t *)addr_gva2hva(g->vm, (uintptr_t)label);
}

/* A debug exit at @pc, whatever its status. */
static bool debug_exit_lands(struct gd_vm *g, void *pc)
{
	struct kvm_run *run = g->vcpu->run;

	return expect(run->exit_reason == KVM_EXIT_DEBUG, "exit %s at pc 0x%x, want KVM_EXIT_DEBUG",
		      exit_reason_str(run->exit_reason), get_pc(g)) &&
	       expect(run->debug.arch.address == (uintptr_t)pc,
		      "debug exit address 0x%llx, want %p",
		      (unsigned long long)run->debug.arch.address, pc) &&
	       expect(get_pc(g) == (uintptr_t)pc, "pc 0x%x, want %p", get_pc(g), pc);
}

static bool debug_exit_at(struct gd_vm *g, void *pc, uint32_t status)
{
	struct kvm_run *run = g->vcpu->run;

	if (!expect(run->exit_reason == KVM_EXIT_DEBUG, "exit %s at pc 0x%x, want KVM_EXIT_DEBUG",
		    exit_reason_str(run->exit_reason), get_pc(g)))
		return false;
	if (!expect(run->debug.arch.address == (uintptr_t)pc,
		    "debug exit address 0x%llx, want %p",
		    (unsigned long long)run->debug.arch.address, pc))
		return false;
	if (!expect(get_pc(g) == (uintptr_t)pc, "pc 0x%x, want %p", get_pc(g), pc))
		return false;
	return expect(run->debug.arch.status == status, "status 0x%x, want 0x%x",
		      run->debug.arch.status, status);
}

/*
 * Stops the guest at @label with a software breakpoint, as a debugger
 * would, and puts the instruction back.  Debugging stays on with
 * @control, which the next KVM_RUN uses.
 */
static bool stop_at(struct gd_vm *g, void *label, uint32_t control)
{
	uint32_t insn = read_insn(g, label);
	bool ok;

	write_insn(g, label, g->debug_inst);
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, NULL);
	gd_run(g);
	ok = debug_exit_at(g, label, 0);
	write_insn(g, label, insn);
	if (ok)
		set_debug(g, control, NULL);
	return ok;
}

#define STEP	(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP)

static bool step_to(struct gd_vm *g, void *want)
{
	gd_run(g);
	return debug_exit_at(g, want, DBSR_IC);
}

/* A step that stops at @want; the status is step_to()'s business. */
static bool step_lands(struct gd_vm *g, void *want)
{
	gd_run(g);
	return debug_exit_lands(g, want);
}

static bool test_sw_bp(struct gd_vm *g)
{
	uint32_t insn = read_insn(g, L(gd_swbp));

	arm_case(g, OP_SWBP, 0, 0);
	write_insn(g, L(gd_swbp), g->debug_inst);
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, NULL);
	gd_run(g);
	if (!debug_exit_at(g, L(gd_swbp), 0))
		return false;
	/* The debugger puts the instruction back and resumes right there. */
	write_insn(g, L(gd_swbp), insn);
	return run_to_sync(g) &&
	       expect(get_pc(g) != (uintptr_t)L(gd_swbp), "guest did not move on");
}

static bool test_step_plain(struct gd_vm *g)
{
	arm_case(g, OP_STEP_PLAIN, 0, 0);
	return stop_at(g, L(gd_plain0), STEP) && step_to(g, L(gd_plain1)) &&
	       step_to(g, L(gd_plain2)) && step_to(g, L(gd_plain3)) && step_to(g, L(gd_plain4));
}

static bool test_step_emulated(struct gd_vm *g)
{
	arm_case(g, OP_STEP_EMULATED, 0, 0);
	return stop_at(g, L(gd_emul0), STEP) && step_to(g, L(gd_emul1)) && step_to(g, L(gd_emul2));
}

static bool test_step_mmio(struct gd_vm *g)
{
	struct kvm_run *run = g->vcpu->run;

	arm_case(g, OP_STEP_MMIO, 0, 0);
	if (!stop_at(g, L(gd_mmio0), STEP))
		return false;
	gd_run(g);
	if (!expect(run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write &&
		    run->mmio.phys_addr == g->vm->ucall_mmio_addr + g->vm->page_size,
		    "exit %s, want the guest's MMIO store", exit_reason_str(run->exit_reason)))
		return false;
	/* The store is done: the step ends right after it. */
	return step_to(g, L(gd_mmio1)) && step_to(g, L(gd_mmio2));
}

/* SET_GUEST_DEBUG alone arms single-step: no register write in between. */
static bool test_step_armed_at_once(struct gd_vm *g)
{
	struct kvm_regs regs;

	arm_case(g, OP_STEP_PLAIN, 0, 0);
	if (!stop_at(g, L(gd_plain0), 0))
		return false;
	/* The MSR is written while nobody debugs... */
	vcpu_regs_get(g->vcpu, &regs);
	vcpu_regs_set(g->vcpu, &regs);
	/* ...and is not written again after this. */
	set_debug(g, STEP, NULL);
	gd_run(g);
	return debug_exit_lands(g, L(gd_plain1));
}

/*
 * Steps through a loop across host timer ticks, with a CPU hog competing
 * for the only CPU: every step must stop at the next instruction.
 */
static bool step_loop(struct gd_vm *g)
{
	int i;

	arm_case(g, OP_STEP_LOOP, g->pages, STEP_LOOPS);
	if (!stop_at(g, L(gd_loop0), STEP))
		return false;
	for (i = 0; i < STEP_LOOPS; i++) {
		if (!step_lands(g, L(gd_loop1)) || !step_lands(g, L(gd_loop2)) ||
		    !step_lands(g, i == STEP_LOOPS - 1 ? L(gd_loop3) : L(gd_loop0)))
			return expect(false, "lost the step after %d loops", i);
	}
	return true;
}

static struct gd_vm *gd_vm_create(struct gd_vm *g);
static void gd_vm_free(struct gd_vm *g);

static bool test_step_stress(struct gd_vm *unused)
{
	int run, passed = 0;
	pid_t hog = fork();

	TEST_ASSERT(hog >= 0, "fork() failed");
	if (!hog)
		for (;;)
			;

	for (run = 0; run < STRESS_RUNS; run++) {
		struct gd_vm g;

		gd_vm_create(&g);
		passed += step_loop(&g);
		gd_vm_free(&g);
	}
	kill(hog, SIGKILL);
	waitpid(hog, NULL, 0);
	ksft_print_msg("single-step stress: %d of %d runs of %d steps\n", passed, STRESS_RUNS,
		       3 * STEP_LOOPS);
	return expect(passed == STRESS_RUNS, "%d of %d runs lost a step", STRESS_RUNS - passed,
		      STRESS_RUNS);
}

static bool test_inject_bp(struct gd_vm *g)
{
	uint32_t insn = read_insn(g, L(gd_swbp));
	bool ok;

	arm_case(g, OP_SWBP, 0, 0);
	write_insn(g, L(gd_swbp), g->debug_inst);
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, NULL);
	gd_run(g);
	ok = debug_exit_at(g, L(gd_swbp), 0);
	if (ok) {
		/* The guest's handler skips the instruction, so it may stay. */
		set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_BP, NULL);
		gd_run(g);
		ok = expect(get_ucall(g->vcpu, NULL) == UCALL_SYNC, "guest did not go on");
	}
	write_insn(g, L(gd_swbp), insn);
	if (!ok)
		return false;
	gd_load(g);
	return expect(gd_seen.program_count == 1, "the guest took %u program interrupts, want 1",
		      gd_seen.program_count) &&
	       expect((gd_seen.program_esr & (ESR_PIL | ESR_PTR)) == ESR_PIL,
		      "ESR 0x%x, want PIL alone: an illegal instruction", gd_seen.program_esr) &&
	       expect(gd_seen.program_pc == (uintptr_t)L(gd_swbp), "SRR0 0x%x, want %p",
		      gd_seen.program_pc, L(gd_swbp));
}

static bool test_inject_db(struct gd_vm *g)
{
	arm_case(g, OP_DE_ON, 0, 0);
	if (!stop_at(g, L(gd_exec), STEP) || !step_to(g, (char *)L(gd_exec) + 4))
		return false;
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_DB, NULL);
	if (!run_to_sync(g))
		return false;
	gd_load(g);
	return expect(gd_seen.debug_count == 1, "the guest took %u debug interrupts, want 1",
		      gd_seen.debug_count) &&
	       expect(gd_seen.debug_dbsr & DBSR_IC, "the guest's DBSR 0x%x, want IC",
		      gd_seen.debug_dbsr) &&
	       expect(gd_seen.debug_pc == (uintptr_t)L(gd_exec) + 4, "CSRR0 0x%x, want %p",
		      gd_seen.debug_pc, (char *)L(gd_exec) + 4);
}

/*
 * Without USE_SW_BP the debug instruction is the guest's own illegal
 * instruction: its program interrupt, no exit, whether or not userspace
 * debugs otherwise.
 */
static bool test_debug_inst_unarmed(struct gd_vm *g)
{
	static const uint32_t controls[] = { 0, KVM_GUESTDBG_ENABLE };
	uint32_t insn = read_insn(g, L(gd_swbp));
	struct kvm_run *run = g->vcpu->run;
	bool ok = true;
	size_t i;

	write_insn(g, L(gd_swbp), g->debug_inst);
	for (i = 0; ok && i < ARRAY_SIZE(controls); i++) {
		arm_case(g, OP_SWBP, 0, 0);
		set_debug(g, controls[i], NULL);
		gd_run(g);
		ok = expect(get_ucall(g->vcpu, NULL) == UCALL_SYNC,
			    "control 0x%x: exit %s at pc 0x%x, want the guest's sync",
			    controls[i], exit_reason_str(run->exit_reason), get_pc(g));
		gd_load(g);
		ok = ok && expect(gd_seen.program_count == i + 1,
				  "the guest took %u program interrupts, want %zu",
				  gd_seen.program_count, i + 1) &&
		     expect(gd_seen.program_esr & ESR_PIL, "ESR 0x%x, want PIL",
			    gd_seen.program_esr) &&
		     expect(gd_seen.program_pc == (uintptr_t)L(gd_swbp), "SRR0 0x%x, want %p",
			    gd_seen.program_pc, L(gd_swbp));
	}
	write_insn(g, L(gd_swbp), insn);
	return ok;
}

/*
 * A step left due by an MMIO exit belongs to the PC it was due at: once
 * KVM_SET_REGS moves the vCPU, the guest steps from the new PC; and the
 * last exit cannot be handed back once the registers were replaced.
 */
static bool test_set_regs_moves_pc(struct gd_vm *g)
{
	struct kvm_run *run = g->vcpu->run;
	struct kvm_regs regs;
	int ret;

	arm_case(g, OP_STEP_MMIO, 0, 0);
	if (!stop_at(g, L(gd_mmio0), STEP))
		return false;
	gd_run(g);
	if (!expect(run->exit_reason == KVM_EXIT_MMIO, "exit %s, want the guest's MMIO store",
		    exit_reason_str(run->exit_reason)))
		return false;
	vcpu_regs_get(g->vcpu, &regs);
	regs.pc = (uintptr_t)L(gd_mmio2);
	vcpu_regs_set(g->vcpu, &regs);
	if (!step_to(g, (char *)L(gd_mmio2) + 4))
		return false;
	vcpu_regs_get(g->vcpu, &regs);
	vcpu_regs_set(g->vcpu, &regs);
	ret = try_set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_DB, NULL);
	return expect(ret == -1 && errno == EINVAL,
		      "INJECT_DB after KVM_SET_REGS: got %d errno %d, want EINVAL", ret, errno);
}

/* A debug event the guest enabled itself goes to the guest. */
static bool test_guest_own_step(struct gd_vm *g)
{
	arm_case(g, OP_OWN_STEP, 0, 0);
	if (!run_to_sync(g))
		return false;
	gd_load(g);
	return expect(gd_seen.debug_count == 1, "the guest took %u debug interrupts, want 1",
		      gd_seen.debug_count) &&
	       expect(gd_seen.debug_dbsr & DBSR_IC, "the guest's DBSR 0x%x, want IC",
		      gd_seen.debug_dbsr);
}

/*
 * Under userspace's single-step the guest reads its own DBCR0 (with EDM),
 * IAC1 and MSR[DE], and its writes change only its own registers, which
 * it finds again once userspace is done; clearing MSR[DE] does not stop
 * userspace's stepping.
 */
static void own_regs(struct gd_vm *g, uint32_t iac1, uint32_t dbcr0, uint32_t de)
{
	gd_cmd.de = de;
	arm_case(g, OP_OWN_REGS, iac1, dbcr0);
}

static bool test_ownership(struct gd_vm *g)
{
	const uint32_t own_dbcr0 = DBCR0_IDM | DBCR0_IAC(1);
	const uint32_t own_iac1 = 0x1000;
	struct kvm_run *run = g->vcpu->run;
	bool stepped = true;
	uint32_t steps = 0;
	struct ucall uc;

	own_regs(g, own_iac1, own_dbcr0, MSR_DE);
	if (!run_to_sync(g))
		return false;
	gd_load(g);
	if (!expect(gd_seen.dbcr0 == 0 && gd_seen.iac1 == 0 && !(gd_seen.msr & MSR_DE),
		    "new guest reads DBCR0 0x%x IAC1 0x%x MSR 0x%x", gd_seen.dbcr0,
		    gd_seen.iac1, gd_seen.msr))
		return false;

	/* Again, now stepping every instruction of it. */
	own_regs(g, 0x2000, DBCR0_IDM, 0);
	if (!stop_at(g, L(gd_regs0), STEP))
		return false;
	while (get_pc(g) != (uintptr_t)L(gd_regs1) && steps < 500) {
		gd_run(g);
		if (!expect(run->exit_reason == KVM_EXIT_DEBUG, "exit %s under step after %u steps",
			    exit_reason_str(run->exit_reason), steps)) {
			stepped = false;
			break;
		}
		steps++;
	}
	/*
	 * A lost step still lets the guest reach its sync, with what it read
	 * under the step: report that too, so that one lost step does not
	 * hide what else went wrong.
	 */
	if (!stepped) {
		if (get_ucall(g->vcpu, &uc) != UCALL_SYNC)
			return false;
	} else if (!expect(get_pc(g) == (uintptr_t)L(gd_regs1),
			   "%u steps did not reach the end: clearing MSR[DE] stopped userspace",
			   steps) ||
		   !run_to_sync(g)) {
		return false;
	}
	gd_load(g);
	if (!expect(gd_seen.msr & MSR_DE, "guest read MSR 0x%x: it lost its own DE", gd_seen.msr) ||
	    !expect(gd_seen.dbcr0 == (own_dbcr0 | DBCR0_EDM), "guest read DBCR0 0x%x, want 0x%x",
		    gd_seen.dbcr0, own_dbcr0 | DBCR0_EDM) ||
	    !expect(gd_seen.iac1 == own_iac1, "guest read IAC1 0x%x, want 0x%x",
		    gd_seen.iac1, own_iac1) ||
	    !stepped)
		return false;

	/* The writes made under the step are the guest's. */
	own_regs(g, 0x3000, 0, 0);
	if (!run_to_sync(g))
		return false;
	gd_load(g);
	return expect(gd_seen.dbcr0 == DBCR0_IDM && gd_seen.iac1 == 0x2000 &&
		      !(gd_seen.msr & MSR_DE),
		      "guest read DBCR0 0x%x IAC1 0x%x MSR 0x%x, want 0x%x 0x2000 without DE",
		      gd_seen.dbcr0, gd_seen.iac1, gd_seen.msr, DBCR0_IDM);
}

/* With the decrementer pending, the steps from L(gd_irq0) stay in line. */
static bool test_blockirq(struct gd_vm *g)
{
	arm_case(g, OP_STEP_IRQ, 0, 0);
	if (!stop_at(g, L(gd_irq0), STEP | KVM_GUESTDBG_BLOCKIRQ) ||
	    !step_to(g, L(gd_irq1)) || !step_to(g, L(gd_irq2)) || !step_to(g, L(gd_irq3)) ||
	    !step_to(g, L(gd_irq4)))
		return false;
	gd_load(g);
	if (!expect(gd_seen.dec_count == 0, "decrementer taken %u times under BLOCKIRQ",
		    gd_seen.dec_count))
		return false;
	if (!run_to_sync(g))
		return false;
	gd_load(g);
	return expect(gd_seen.dec_count == 1, "decrementer taken %u times once unblocked, want 1",
		      gd_seen.dec_count);
}

static void on_alarm(int sig)
{
}

/*
 * Under BLOCKIRQ the guest enters its wait state with the decrementer
 * pending: only that interrupt could end the wait, and BLOCKIRQ holds it
 * back.  The step must still end, at once, and the decrementer come
 * once BLOCKIRQ is off.
 */
static bool test_blockirq_wait(struct gd_vm *g)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct sigaction old;
	int ret;

	arm_case(g, OP_WAIT_HELD, 0, 0);
	if (!stop_at(g, L(gd_wait0), STEP | KVM_GUESTDBG_BLOCKIRQ) || !step_to(g, L(gd_wait1)))
		return false;
	sigaction(SIGALRM, &sa, &old);
	alarm(10);
	ret = __vcpu_run(g->vcpu);
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	if (!expect(!ret, "KVM_RUN in the wait state returned %d errno %d: it spun until SIGALRM",
		    ret, errno))
		return false;
	gd_count_exit(g);
	if (!debug_exit_at(g, L(gd_wait2), DBSR_IC))
		return false;
	gd_load(g);
	if (!expect(gd_seen.dec_count == 0, "decrementer taken %u times under BLOCKIRQ",
		    gd_seen.dec_count) ||
	    !run_to_sync(g))
		return false;
	gd_load(g);
	return expect(gd_seen.dec_count == 1, "decrementer taken %u times once unblocked, want 1",
		      gd_seen.dec_count);
}

/*
 * A documented limit: on e500v2 (PR) the whole guest runs in the CPU's
 * user mode, and KVM cannot apply the guest's privilege qualifiers, so
 * its own supervisor-only IAC fires in its user mode too.  The guest
 * reads its DBCR1 back as it wrote it.
 */
#define DBCR1_IAC1US_SUPER	0x80000000u

/*
 * What the IAC case stands on: the guest's system call from its user
 * mode reaches its own handler (on e500v2 it used to exit as an
 * auxiliary processor unavailable interrupt, and the host hit a BUG()).
 */
static bool test_user_syscall(struct gd_vm *g)
{
	arm_case(g, OP_USER_SC, 0, 0);
	if (!run_to_sync(g))
		return false;
	gd_load(g);
	return expect(gd_seen.syscall_count == 1, "the guest took %u system calls, want 1",
		      gd_seen.syscall_count);
}

static bool test_user_iac_limit(struct gd_vm *g)
{
	arm_case(g, OP_USER_IAC, 0, DBCR1_IAC1US_SUPER);
	if (!run_to_sync(g))
		return false;
	gd_load(g);
	return expect(gd_seen.dbcr1 == DBCR1_IAC1US_SUPER, "guest read DBCR1 0x%x, want 0x%x",
		      gd_seen.dbcr1, DBCR1_IAC1US_SUPER) &&
	       expect(gd_seen.debug_count == 1,
		      "the guest took %u debug interrupts in user mode, want 1 (documented limit)",
		      gd_seen.debug_count) &&
	       expect(gd_seen.debug_dbsr & DBSR_IAC(1), "the guest's DBSR 0x%x, want IAC1",
		      gd_seen.debug_dbsr) &&
	       expect(gd_seen.debug_pc == GUEST_LABEL(gd_user0), "CSRR0 0x%x, want 0x%x",
		      gd_seen.debug_pc, GUEST_LABEL(gd_user0));
}

/* Without BLOCKIRQ, the step after EE opens lands in the decrementer's handler. */
static bool test_irq_unblocked(struct gd_vm *g)
{
	uintptr_t vectors = (uintptr_t)booke_vectors;
	uint32_t pc;

	arm_case(g, OP_STEP_IRQ, 0, 0);
	if (!stop_at(g, L(gd_irq0), STEP) || !step_to(g, L(gd_irq1)))
		return false;
	gd_run(g);
	pc = get_pc(g);
	if (!expect(g->vcpu->run->exit_reason == KVM_EXIT_DEBUG, "exit %s, want a step",
		    exit_reason_str(g->vcpu->run->exit_reason)) ||
	    !expect(pc >= vectors && pc < vectors + 4096,
		    "step stopped at 0x%x, not in the vectors at 0x%lx", pc,
		    (unsigned long)vectors))
		return false;
	if (!run_to_sync(g))
		return false;
	gd_load(g);
	return expect(gd_seen.dec_count == 1, "decrementer taken %u times, want 1",
		      gd_seen.dec_count);
}

static const uint64_t iac_reg[] = { KVM_REG_PPC_IAC1, KVM_REG_PPC_IAC2,
				    KVM_REG_PPC_IAC3, KVM_REG_PPC_IAC4 };
static const uint64_t dac_reg[] = { KVM_REG_PPC_DAC1, KVM_REG_PPC_DAC2 };

static uint64_t get_one(struct gd_vm *g, uint64_t id)
{
	uint64_t val;

	vcpu_get_reg(g->vcpu, id, &val);
	return val;
}

/*
 * During userspace's session a register's ONE_REG is the guest's own: it
 * reads @own, and writing back what it read (QEMU's register sync, a
 * migration) leaves the guest's register as it was.
 */
static bool one_reg_is_guests(struct gd_vm *g, uint64_t id, const char *name, int n,
			      uint64_t own)
{
	uint64_t got = get_one(g, id);

	vcpu_set_reg(g->vcpu, id, got);
	return expect(got == own, "%s%d reads 0x%llx during the session, want the guest's 0x%llx",
		      name, n, (unsigned long long)got, (unsigned long long)own);
}

/* Once userspace stops debugging, the register is still the guest's @own. */
static bool one_reg_after_session(struct gd_vm *g, uint64_t id, const char *name, int n,
				  uint64_t own)
{
	uint64_t got;

	set_debug(g, 0, NULL);
	got = get_one(g, id);
	return expect(got == own, "%s%d is 0x%llx after the session, want 0x%llx", name, n,
		      (unsigned long long)got, (unsigned long long)own);
}

/*
 * IAC @slot on gd_exec: earlier slots get other addresses.  The guest's
 * own IAC of that slot holds another, disabled.
 */
static bool test_hw_bp(struct gd_vm *g, int slot, bool fire)
{
	const uint64_t own = 0x2000 + 4 * slot;
	struct kvm_guest_debug_arch arch = {};
	int i;

	vcpu_set_reg(g->vcpu, iac_reg[slot], own);

	for (i = 0; i < slot; i++) {
		arch.bp[i].addr = 0x100 + 4 * i;
		arch.bp[i].type = KVMPPC_DEBUG_BREAKPOINT;
	}
	arch.bp[slot].addr = (uintptr_t)L(gd_exec);
	arch.bp[slot].type = KVMPPC_DEBUG_BREAKPOINT;
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, &arch);
	if (!one_reg_is_guests(g, iac_reg[slot], "IAC", slot + 1, own))
		return false;
	if (!fire)
		return one_reg_after_session(g, iac_reg[slot], "IAC", slot + 1, own);

	arm_case(g, OP_EXEC, 0, 0);
	gd_run(g);
	return debug_exit_at(g, L(gd_exec), KVMPPC_DEBUG_BREAKPOINT | DBSR_IAC(slot + 1));
}

static const struct {
	uint32_t type;
	const char *name;
} wp_kinds[] = {
	{ KVMPPC_DEBUG_WATCH_READ, "read" },
	{ KVMPPC_DEBUG_WATCH_WRITE, "write" },
	{ KVMPPC_DEBUG_WATCH_READ | KVMPPC_DEBUG_WATCH_WRITE, "read/write" },
};

static bool wp_hit(struct gd_vm *g, int slot, enum gd_op op, uint32_t addr, uint32_t status)
{
	struct kvm_run *run = g->vcpu->run;

	arm_case(g, op, addr, 0);
	gd_run(g);
	if (!status)
		return expect(get_ucall(g->vcpu, NULL) == UCALL_SYNC,
			      "DAC%d hit by an access it does not watch", slot + 1);
	return expect(run->exit_reason == KVM_EXIT_DEBUG, "exit %s, want KVM_EXIT_DEBUG",
		      exit_reason_str(run->exit_reason)) &&
	       expect(run->debug.arch.address == addr, "address 0x%llx, want 0x%x",
		      (unsigned long long)run->debug.arch.address, addr) &&
	       expect(run->debug.arch.status == status, "status 0x%x, want 0x%x",
		      run->debug.arch.status, status) &&
	       run_to_sync(g);
}

/* DAC @slot watches gd_watched[slot] for @type. */
static bool test_wp(struct gd_vm *g, int slot, uint32_t type, bool fire)
{
	uint32_t addr = (uintptr_t)&gd_watched[slot];
	struct kvm_guest_debug_arch arch = {};
	uint32_t rd = slot ? DBSR_DAC2R : DBSR_DAC1R;
	uint32_t wr = slot ? DBSR_DAC2W : DBSR_DAC1W;
	uint32_t control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
	const uint64_t own = 0x3000 + 8 * slot;
	int i;

	vcpu_set_reg(g->vcpu, dac_reg[slot], own);
	for (i = 0; i < slot; i++) {
		arch.bp[i].addr = 0x100;
		arch.bp[i].type = KVMPPC_DEBUG_WATCH_WRITE;
	}
	arch.bp[slot].addr = addr;
	arch.bp[slot].type = type;
	set_debug(g, control, &arch);
	if (!one_reg_is_guests(g, dac_reg[slot], "DAC", slot + 1, own))
		return false;
	if (!fire)
		return one_reg_after_session(g, dac_reg[slot], "DAC", slot + 1, own);

	if (!wp_hit(g, slot, OP_LOAD, addr,
		    type & KVMPPC_DEBUG_WATCH_READ ? KVMPPC_DEBUG_WATCH_READ | rd : 0))
		return false;
	set_debug(g, control, &arch);
	return wp_hit(g, slot, OP_STORE, addr,
		      type & KVMPPC_DEBUG_WATCH_WRITE ? KVMPPC_DEBUG_WATCH_WRITE | wr : 0);
}

/*
 * An IAC on a load that a DAC watches: the CPU takes both events in one
 * interrupt, before the load.  QEMU reads such an exit by testing
 * KVMPPC_DEBUG_BREAKPOINT first and looking the address up among its
 * breakpoints, so KVM reports the IAC alone, at the load.  With the IAC
 * gone, as gdb steps over a breakpoint, the DAC stops the load next.
 */
static bool test_iac_and_dac(struct gd_vm *g)
{
	uint32_t control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
	uint32_t addr = (uintptr_t)&gd_watched[0];
	struct kvm_guest_debug_arch arch = {};

	arch.bp[0].addr = (uintptr_t)L(gd_load);
	arch.bp[0].type = KVMPPC_DEBUG_BREAKPOINT;
	arch.bp[1].addr = addr;
	arch.bp[1].type = KVMPPC_DEBUG_WATCH_READ;
	set_debug(g, control, &arch);
	arm_case(g, OP_LOAD_AT, addr, 0);
	gd_run(g);
	if (!debug_exit_at(g, L(gd_load), KVMPPC_DEBUG_BREAKPOINT | DBSR_IAC(1)))
		return false;
	arch.bp[0] = arch.bp[1];
	memset(&arch.bp[1], 0, sizeof(arch.bp[1]));
	set_debug(g, control, &arch);
	gd_run(g);
	return expect(g->vcpu->run->exit_reason == KVM_EXIT_DEBUG, "exit %s, want the DAC's",
		      exit_reason_str(g->vcpu->run->exit_reason)) &&
	       expect(g->vcpu->run->debug.arch.address == addr, "address 0x%llx, want 0x%x",
		      (unsigned long long)g->vcpu->run->debug.arch.address, addr) &&
	       expect(g->vcpu->run->debug.arch.status == (KVMPPC_DEBUG_WATCH_READ | DBSR_DAC1R),
		      "status 0x%x, want 0x%x", g->vcpu->run->debug.arch.status,
		      KVMPPC_DEBUG_WATCH_READ | DBSR_DAC1R) &&
	       expect(get_pc(g) == (uintptr_t)L(gd_load), "pc 0x%x, want %p", get_pc(g),
		      L(gd_load)) &&
	       run_to_sync(g);
}

/* Requests KVM must refuse, each leaving the single-step armed before it. */
struct bad_input {
	const char *what;
	uint32_t control;
	struct { uint64_t addr; uint32_t type; } bp[16];
	enum { EXIT_NONE, EXIT_SW_BP, EXIT_STEP } exit;
};

#define HW	(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP)
#define BP	KVMPPC_DEBUG_BREAKPOINT
#define RD	KVMPPC_DEBUG_WATCH_READ
#define WR	KVMPPC_DEBUG_WATCH_WRITE

static const struct bad_input bad_inputs[] = {
	{ "unknown generic control bit", KVM_GUESTDBG_ENABLE | (1u << 4) },
	{ "unknown arch control bit 22", KVM_GUESTDBG_ENABLE | (1u << 22) },
	{ "unknown arch control bit 31", KVM_GUESTDBG_ENABLE | (1u << 31) },
	{ "unknown generic control bit 3", KVM_GUESTDBG_ENABLE | (1u << 3) },
	{ "breakpoint type 0x10", HW, { { 0x1000, 0x10 } } },
	{ "breakpoint type ~0", HW, { { 0x1000, ~0u } } },
	{ "breakpoint and read watch", HW, { { 0x1000, BP | RD } } },
	{ "breakpoint and write watch", HW, { { 0x1000, BP | WR } } },
	{ "watch type with bit 8", HW, { { 0x1000, RD | 0x100 } } },
	{ "IAC at addr + 1", HW, { { 0x1001, BP } } },
	{ "IAC at addr + 2", HW, { { 0x1002, BP } } },
	{ "IAC above 32 bits", HW, { { 1ull << 32, BP } } },
	{ "DAC above 32 bits", HW, { { 1ull << 32, RD } } },
	{ "one IAC more than the core has", HW,
	  { { 0x1000, BP }, { 0x1004, BP }, { 0x1008, BP }, { 0x100c, BP }, { 0x1010, BP } } },
	{ "three DACs", HW, { { 0x1000, RD }, { 0x1004, WR }, { 0x1008, RD | WR } } },
	{ "extra IAC in slot 15", HW,
	  { { 0x1000, BP }, { 0x1004, BP }, { 0x1008, BP }, { 0x100c, BP },
	    [15] = { 0x1010, BP } } },
	{ "INJECT_BP without an exit", KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_BP },
	{ "INJECT_DB without an exit", KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_DB },
	{ "INJECT_BP and INJECT_DB", KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_BP |
	  KVM_GUESTDBG_INJECT_DB, .exit = EXIT_SW_BP },
	{ "INJECT_DB after a software breakpoint", KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_DB,
	  .exit = EXIT_SW_BP },
	{ "INJECT_BP after a step", KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_BP,
	  .exit = EXIT_STEP },
};

/* IACs the core lacks; nothing to refuse where it has all four. */
static bool bad_input_applies(struct gd_vm *g, const struct bad_input *b)
{
	int iacs = 0, i;

	for (i = 0; i < 16; i++)
		iacs += b->bp[i].type == BP;
	return iacs <= 4 || g->iacs < 4;
}

static bool bad_input_refused(struct gd_vm *g, const struct bad_input *b)
{
	struct kvm_guest_debug_arch arch = {};
	struct kvm_run *run = g->vcpu->run;
	uint32_t pc = 0;
	int i, r;

	for (i = 0; i < 16; i++) {
		arch.bp[i].addr = b->bp[i].addr;
		arch.bp[i].type = b->bp[i].type;
	}
	if (b->exit == EXIT_NONE) {
		/* Right after a sync: no debug exit to inject. */
		set_debug(g, STEP, NULL);
	} else {
		arm_case(g, OP_STEP_PLAIN, 0, 0);
		/* stop_at() leaves the exit of its software breakpoint. */
		if (!stop_at(g, L(gd_plain0), STEP))
			return false;
		if (b->exit == EXIT_STEP && !step_to(g, L(gd_plain1)))
			return false;
		pc = get_pc(g);
	}

	r = try_set_debug(g, b->control, &arch);
	if (!expect(r == -1 && errno == EINVAL, "%s: got %d (errno %d), want EINVAL",
		    b->what, r, errno))
		return false;
	/* Nothing changed: the step armed before is still there. */
	gd_run(g);
	if (!expect(run->exit_reason == KVM_EXIT_DEBUG && run->debug.arch.status == DBSR_IC,
		    "%s: the step armed before is gone (exit %s)", b->what,
		    exit_reason_str(run->exit_reason)))
		return false;
	if (b->exit != EXIT_NONE &&
	    !expect(get_pc(g) == pc + 4, "%s: stepped to 0x%x, want 0x%x", b->what, get_pc(g),
		    pc + 4))
		return false;
	/* Leave the guest where finish() can run it to its end. */
	set_debug(g, 0, NULL);
	return run_to_sync(g);
}

static bool test_stale_inject(struct gd_vm *g)
{
	int r;

	arm_case(g, OP_STEP_PLAIN, 0, 0);
	if (!stop_at(g, L(gd_plain0), STEP) || !step_to(g, L(gd_plain1)) ||
	    !step_to(g, L(gd_plain2)))
		return false;
	/* The vCPU runs again after the exit: nothing is left to inject. */
	set_debug(g, KVM_GUESTDBG_ENABLE, NULL);
	gd_run(g);
	if (!expect(get_ucall(g->vcpu, NULL) == UCALL_SYNC, "guest did not reach its sync"))
		return false;
	r = try_set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_DB, NULL);
	return expect(r == -1 && errno == EINVAL, "stale INJECT_DB: got %d (errno %d), want EINVAL",
		      r, errno);
}

/*
 * Forks a traced VMM: the child makes its own VM, stops the guest at
 * gd_plain0 with the single-step armed, and stops itself before its
 * KVM_RUN.  Returns 0 in the child, with @g, and the child's pid in the
 * parent, once the child has stopped.
 */
static pid_t fork_stepping_vmm(struct gd_vm *g)
{
	pid_t child = fork();
	int status;

	TEST_ASSERT(child >= 0, "fork() failed");
	if (!child) {
		gd_vm_create(g);
		arm_case(g, OP_STEP_PLAIN, 0, 0);
		if (!stop_at(g, L(gd_plain0), STEP))
			_exit(1);
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		return 0;
	}
	TEST_ASSERT(waitpid(child, &status, 0) == child && WIFSTOPPED(status),
		    "the traced VMM did not stop before its KVM_RUN (status 0x%x)", status);
	return child;
}

/*
 * The VMM thread single-stepped by ptrace keeps stepping across a KVM_RUN
 * that single-steps its guest: the thread's own DBCR0 comes back.
 */
static bool test_thread_step(struct gd_vm *unused)
{
	uint32_t *progress = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status = 0, steps = 0, i;
	bool ok = false;
	struct gd_vm g;
	pid_t child;

	TEST_ASSERT(progress != MAP_FAILED, "mmap() failed");
	child = fork_stepping_vmm(&g);
	if (!child) {
		for (i = 0; i < 1000; i++) {
			if (!__vcpu_run(g.vcpu))
				break;
			WRITE_ONCE(progress[2], errno);
			WRITE_ONCE(progress[3], progress[3] + 1);
		}
		WRITE_ONCE(progress[0], g.vcpu->run->exit_reason);
		for (i = 0; i < 100000000; i++)
			WRITE_ONCE(progress[1], progress[1] + 1);
		_exit(0);
	}

	while (steps < 100000) {
		if (ptrace(PTRACE_SINGLESTEP, child, NULL, NULL))
			break;
		if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status))
			break;
		steps++;
		if (READ_ONCE(progress[0]) && READ_ONCE(progress[1]) >= 3) {
			ok = true;
			break;
		}
	}
	ok = expect(ok, "after %d steps the child %s (%u loops after KVM_RUN, %u failed runs)",
		    steps, WIFEXITED(status) ? "ran to its end: its step was lost" : "stopped",
		    progress[1], progress[3]) &&
	     expect(progress[0] == KVM_EXIT_DEBUG, "the guest's step ended in exit %u",
		    progress[0]);
	ksft_print_msg("thread step: %d ptrace steps, KVM_RUN among them, %u interrupted\n",
		       steps, progress[3]);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	munmap(progress, 4096);
	return ok;
}

static uint32_t thread_watched;

/*
 * The VMM thread's own watchpoint, set by ptrace (PPC_PTRACE_SETHWDEBUG,
 * a DAC), is back after a KVM_RUN that single-steps the guest: the
 * thread's store after the run stops it with SIGTRAP at the watched
 * address.  With @fire false, only the watchpoint is set and the run
 * made; the store is not watched for.
 */
static bool thread_watch(bool fire)
{
	struct ppc_hw_breakpoint bp = {
		.version = 1,
		.trigger_type = PPC_BREAKPOINT_TRIGGER_WRITE,
		.addr_mode = PPC_BREAKPOINT_MODE_EXACT,
		.condition_mode = PPC_BREAKPOINT_CONDITION_NONE,
		.addr = (uintptr_t)&thread_watched,
	};
	siginfo_t si = {};
	int status = 0;
	struct gd_vm g;
	long handle;
	bool ok;
	pid_t child = fork_stepping_vmm(&g);

	if (!child) {
		gd_run(&g);
		if (g.vcpu->run->exit_reason != KVM_EXIT_DEBUG)
			_exit(2);
		WRITE_ONCE(thread_watched, 1);
		_exit(0);
	}

	handle = ptrace(PPC_PTRACE_SETHWDEBUG, child, 0, &bp);
	ok = expect(handle > 0, "PPC_PTRACE_SETHWDEBUG: %ld (errno %d)", handle, errno);
	if (ok) {
		ptrace(PTRACE_CONT, child, NULL, NULL);
		waitpid(child, &status, 0);
		if (fire) {
			ok = expect(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP,
				    "the thread's store after KVM_RUN did not trap (status 0x%x)",
				    status);
			if (ok) {
				ptrace(PTRACE_GETSIGINFO, child, NULL, &si);
				ok = expect(si.si_addr == &thread_watched,
					    "SIGTRAP at %p, want %p", si.si_addr,
					    &thread_watched);
			}
		} else {
			ok = expect(WIFEXITED(status) || WIFSTOPPED(status),
				    "the thread did not finish its run (status 0x%x)", status);
		}
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return ok;
}

static struct gd_vm *gd_vm_create(struct gd_vm *g)
{
	uint64_t mmio_gva, mmio_gpa;

	memset(g, 0, sizeof(*g));
	g->vm = __vm_create_with_one_vcpu(&g->vcpu, STEP_LOOPS + 16, guest_code);
	g->pages = vm_vaddr_alloc(g->vm, STEP_LOOPS * g->vm->page_size, KVM_UTIL_MIN_VADDR);
	vm_install_exception_handler(g->vm, IVOR_DEBUG, guest_debug_handler);
	vm_install_exception_handler(g->vm, IVOR_PROGRAM, guest_program_handler);
	vm_install_exception_handler(g->vm, IVOR_DECREMENTER, guest_dec_handler);
	vm_install_exception_handler(g->vm, IVOR_SYSCALL, guest_syscall_handler);
	booke_tlb_allow_user(g->vm, GUEST_LABEL(gd_user0));
	g->debug_inst = vcpu_debug_inst(g->vcpu);
	g->iacs = kvm_check_cap(KVM_CAP_GUEST_DEBUG_HW_BPS);
	g->dacs = kvm_check_cap(KVM_CAP_GUEST_DEBUG_HW_WPS);

	/* An MMIO page of our own, next to the ucall one. */
	mmio_gpa = g->vm->ucall_mmio_addr + g->vm->page_size;
	mmio_gva = vm_vaddr_unused_gap(g->vm, g->vm->page_size, KVM_UTIL_MIN_VADDR);
	virt_map(g->vm, mmio_gva, mmio_gpa, 1);
	booke_tlb_set_uncached(g->vm, mmio_gva);
	gd_cmd.mmio = mmio_gva;
	memset(&gd_seen, 0, sizeof(gd_seen));
	sync_global_to_guest(g->vm, gd_seen);
	TEST_ASSERT(run_to_sync(g), "guest did not reach its first sync");
	return g;
}

static void gd_vm_free(struct gd_vm *g)
{
	kvm_vm_free(g->vm);
}

static bool finish(struct gd_vm *g, bool ok)
{
	uint64_t cmd = UCALL_SYNC;
	int syncs;

	if (ok) {
		/* A case may leave the guest before the sync that ends its op. */
		arm_case(g, OP_DONE, 0, 0);
		set_debug(g, 0, NULL);
		for (syncs = 0; syncs < 2 && cmd == UCALL_SYNC; syncs++) {
			gd_run(g);
			cmd = get_ucall(g->vcpu, NULL);
		}
		ok = expect(cmd == UCALL_DONE, "guest did not run to its end");
	}
	if (!no_stats)
		ok &= gd_stats_match(g->vcpu, &g->want);
	gd_vm_free(g);
	return ok;
}

/* Every case gets a VM of its own, so that one failure cannot hide another. */
static bool run_case(bool (*fn)(struct gd_vm *g))
{
	struct gd_vm g;

	gd_vm_create(&g);
	return finish(&g, fn(&g));
}

static bool bad_input_case(struct gd_vm *unused, int n)
{
	struct gd_vm g;

	gd_vm_create(&g);
	if (!bad_input_applies(&g, &bad_inputs[n])) {
		gd_vm_free(&g);
		return true;
	}
	return finish(&g, bad_input_refused(&g, &bad_inputs[n]));
}

static bool test_bad_inputs(struct gd_vm *g)
{
	int refused = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_inputs); i++)
		refused += bad_input_case(NULL, i);
	ksft_print_msg("bad input: %d of %zu refused cleanly\n", refused, ARRAY_SIZE(bad_inputs));
	return refused == ARRAY_SIZE(bad_inputs);
}

static bool test_cap2(struct gd_vm *g)
{
	uint32_t want = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP |
			KVM_GUESTDBG_USE_SW_BP | KVM_GUESTDBG_USE_HW_BP |
			KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP |
			KVM_GUESTDBG_BLOCKIRQ;
	int cap2 = kvm_check_cap(KVM_CAP_SET_GUEST_DEBUG2);

	return expect(cap2 == (int)want, "KVM_CAP_SET_GUEST_DEBUG2 is 0x%x, want 0x%x", cap2,
		      want) &&
	       expect(g->iacs >= 2 && g->iacs <= 4 && g->dacs == 2,
		      "%d IACs and %d DACs reported", g->iacs, g->dacs);
}

static void run_hw_cases(int iacs, int dacs)
{
	const char *why = "the CPU raises no IAC/DAC events (QEMU 7.2 never compares them)";
	struct gd_vm g;
	int slot, k;

	ksft_test_result(thread_watch(false), "the VMM thread's ptrace watchpoint is set\n");
	if (no_addr_events)
		ksft_test_result_skip("the VMM thread's watchpoint fires after KVM_RUN: %s\n", why);
	else
		ksft_test_result(thread_watch(true),
				 "the VMM thread's watchpoint fires after KVM_RUN\n");

	for (slot = 0; slot < iacs; slot++) {
		gd_vm_create(&g);
		ksft_test_result(finish(&g, test_hw_bp(&g, slot, false)),
				 "hw_bp: IAC%d armed; its ONE_REG stays the guest's\n", slot + 1);
		if (no_addr_events) {
			ksft_test_result_skip("hw_bp: IAC%d fires: %s\n", slot + 1, why);
			continue;
		}
		gd_vm_create(&g);
		ksft_test_result(finish(&g, test_hw_bp(&g, slot, true)),
				 "hw_bp: IAC%d fires\n", slot + 1);
	}
	for (slot = 0; slot < dacs; slot++) {
		for (k = 0; k < (int)ARRAY_SIZE(wp_kinds); k++) {
			gd_vm_create(&g);
			ksft_test_result(finish(&g, test_wp(&g, slot, wp_kinds[k].type, false)),
					 "watchpoint: DAC%d %s armed; its ONE_REG stays the guest's\n",
					 slot + 1, wp_kinds[k].name);
			if (no_addr_events) {
				ksft_test_result_skip("watchpoint: DAC%d %s fires: %s\n", slot + 1,
						      wp_kinds[k].name, why);
				continue;
			}
			gd_vm_create(&g);
			ksft_test_result(finish(&g, test_wp(&g, slot, wp_kinds[k].type, true)),
					 "watchpoint: DAC%d %s fires\n", slot + 1,
					 wp_kinds[k].name);
		}
	}
	ksft_test_result_skip("watchpoint on an MMIO access: %s\n",
			      "DACs compare only the CPU's own accesses (documented limit)");
	if (no_addr_events) {
		ksft_test_result_skip("IAC and DAC on one load: the IAC alone, then the DAC: %s\n",
				      why);
	} else {
		gd_vm_create(&g);
		ksft_test_result(finish(&g, test_iac_and_dac(&g)),
				 "IAC and DAC on one load: the IAC alone, then the DAC\n");
	}
}

int main(int argc, char *argv[])
{
	static const struct {
		bool (*fn)(struct gd_vm *g);
		const char *name;
	} cases[] = {
		{ test_cap2, "KVM_CAP_SET_GUEST_DEBUG2 and the IAC/DAC counts" },
		{ test_sw_bp, "sw_bp: exit at the DEBUG_INST instruction, resume past it" },
		{ test_step_plain, "single-step: every instruction" },
		{ test_step_emulated, "single-step: over an instruction KVM emulates" },
		{ test_step_mmio, "single-step: across an MMIO exit" },
		{ test_step_armed_at_once, "single-step: SET_GUEST_DEBUG alone arms it" },
		{ step_loop, "single-step: a loop across host timer ticks" },
		{ test_step_stress, "single-step: 50 of 50 runs under load" },
		{ test_inject_bp, "INJECT_BP: the guest takes the trap" },
		{ test_inject_db, "INJECT_DB: the guest takes the step" },
		{ test_debug_inst_unarmed,
		  "the debug instruction without USE_SW_BP: the guest's program interrupt" },
		{ test_set_regs_moves_pc,
		  "KVM_SET_REGS to another PC: the step starts there, nothing to inject" },
		{ test_guest_own_step, "guest's own debug event goes to the guest" },
		{ test_user_syscall, "guest's system call from its user mode reaches the guest" },
		{ test_user_iac_limit,
		  "guest's supervisor-only IAC fires in its user mode too (documented limit)" },
		{ test_ownership, "ownership: the guest keeps its own DBCR0, IAC1 and MSR[DE]" },
		{ test_blockirq, "BLOCKIRQ: steps stay in line, the decrementer comes after" },
		{ test_blockirq_wait, "BLOCKIRQ: a step into the wait state ends, without a spin" },
		{ test_irq_unblocked, "without BLOCKIRQ the step reaches the decrementer" },
		{ test_stale_inject, "INJECT_DB is refused once the vCPU ran again" },
		{ test_bad_inputs, "bad input: each refused with EINVAL, leaving no trace" },
		{ test_thread_step, "the VMM thread's ptrace single-step survives KVM_RUN" },
	};
	struct gd_vm probe;
	int iacs, dacs, opt;
	size_t i;

	while ((opt = getopt(argc, argv, "nrs")) != -1) {
		if (opt == 'n')
			no_addr_events = true;
		else if (opt == 'r')
			set_regs_before_run = true;
		else if (opt == 's')
			no_stats = true;
	}

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_SET_GUEST_DEBUG));
	gd_vm_create(&probe);
	iacs = probe.iacs;
	dacs = probe.dacs;
	gd_vm_free(&probe);

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(cases) + 4 + 2 * iacs + 2 * dacs * ARRAY_SIZE(wp_kinds));
	ksft_print_msg("%d IACs, %d DACs, debug instruction 0x%08x\n", iacs, dacs,
		       probe.debug_inst);
	if (no_stats)
		ksft_print_msg("-s: the debug statistics are not checked\n");
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		ksft_test_result(run_case(cases[i].fn), "%s\n", cases[i].name);
	run_hw_cases(iacs, dacs);
	ksft_finished();
	return 0;
}
