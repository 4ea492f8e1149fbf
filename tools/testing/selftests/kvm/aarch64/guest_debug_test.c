// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace guest debug on arm64: what a VMM's debugger gets from
 * KVM_SET_GUEST_DEBUG.  Software breakpoints (BRK), hardware breakpoints on
 * every BRP, watchpoints on every WRP (loads, stores, both; every access
 * size and an unaligned access), single-step over plain instructions, over
 * an HVC that KVM handles, over an MMIO exit and into and out of a guest
 * exception, and the requests that KVM must refuse without a trace.
 *
 * The guest waits in GUEST_SYNC for the host to arm the next case, then
 * runs the code that case names.
 */
#include <errno.h>
#include <unistd.h>
#include <linux/bitfield.h>

#include "arch_timer.h"
#include "gic.h"
#include "guest_debug.h"
#include "guest_debug_vgic.h"
#include "guest_debug_host_watch.h"
#include "guest_debug_stats.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_expect.h"
#include "vgic.h"
#include "ucall_common.h"

/* Exception classes of debug exceptions taken from a lower EL (to EL2). */
#define EC_BREAKPT_LOW	0x30
#define EC_SOFTSTP_LOW	0x32
#define EC_WATCHPT_LOW	0x34
#define EC_BRK64	0x3c
#define ESR_EC(esr)	(((esr) >> 26) & 0x3f)
#define ESR_ISS_WNR	BIT(6)
#define ESR_ISS_BRK_IMM	GENMASK(15, 0)

/* ID_AA64DFR0_EL1: the number of breakpoints and watchpoints, minus one. */
#define DFR0_BRPS	GENMASK(15, 12)
#define DFR0_WRPS	GENMASK(23, 20)

#define MDSCR_SS	BIT(0)
#define MDSCR_TDCC	BIT(12)
#define MDSCR_KDE	BIT(13)
#define MDSCR_MDE	BIT(15)

#define BRK_IMM		0x7	/* as in guest_code */

/* DBGBCR<n>_EL1 / DBGWCR<n>_EL1 fields. */
#define DBGxCR_E	BIT(0)
#define DBGxCR_PRIV_EL1	(0x1 << 1)	/* PMC / PAC: match EL1 accesses */
#define DBGBCR_BAS_A64	(0xf << 5)
#define DBGWCR_LSC_LD	(0x1 << 3)
#define DBGWCR_LSC_ST	(0x2 << 3)
#define DBGWCR_BAS(b)	((uint64_t)(b) << 5)

#define MAX_STEPS	5000

enum gd_op {
	OP_NONE,	/* back to the sync */
	OP_BRK,
	OP_EXEC,
	OP_STORE_THEN_LOAD,
	OP_LOAD_THEN_STORE,
	OP_STEP_PLAIN,
	OP_STEP_HVC,
	OP_STEP_MMIO,
	OP_STEP_SVC,
	OP_GUEST_ARM,
	OP_STEP_IRQ,
	OP_STEP_EOI,
	OP_MDSCR_RW,
	OP_DONE,
};

struct gd_cmd {
	uint64_t op;
	uint64_t addr;
	uint64_t size;
	uint64_t mmio;
};

static struct gd_cmd gd_cmd;
static uint64_t gd_watched[2] __aligned(16);
static uint64_t gd_svc_count;

/* What the guest's own debug handlers saw of an injected exception. */
struct gd_injected {
	uint64_t count;
	uint64_t esr;
	uint64_t far;
};

static struct gd_injected gd_injected;
static uint64_t gd_irq_count;
static uint64_t gd_mdscr_seen;
/* Written by the VMM thread itself, under its own perf watchpoint. */
static uint64_t host_watched;

#define VTIMER_IRQ	27	/* the virtual timer's PPI, KVM's default */

/*
 * A GICv2 host can give the guest only a GICv2, which the library's guest
 * driver does not know: these few registers are all the IRQ cases need.
 */
#define GICD2_CTLR		0x000
#define GICD2_ISENABLER0	0x100
#define GICC2_CTLR		0x000
#define GICC2_PMR		0x004
#define GICC2_IAR		0x00c
#define GICC2_EOIR		0x010
#define GICC2_IAR_INTID		GENMASK(9, 0)

/* 3 or 2: the vGIC the host gave this guest. */
static uint64_t gd_gic_version;
/* -g 2 or -g 3: the vGIC every VM must get, or the run fails. */
static int gd_gic_wanted;

static void gd_gicv2_write(uint64_t base, uint32_t reg, uint32_t val)
{
	writel(val, (void *)(base + reg));
}

static void gd_gic_init_vtimer(void)
{
	if (READ_ONCE(gd_gic_version) == 3) {
		gic_init(GIC_V3, 1);
		gic_irq_enable(VTIMER_IRQ);
		return;
	}
	gd_gicv2_write(GD_GICV2_DIST, GICD2_CTLR, 1);
	gd_gicv2_write(GD_GICV2_DIST, GICD2_ISENABLER0, BIT(VTIMER_IRQ));
	gd_gicv2_write(GD_GICV2_CPU, GICC2_PMR, 0xff);
	gd_gicv2_write(GD_GICV2_CPU, GICC2_CTLR, 1);
}

static unsigned int gd_gic_ack(void)
{
	if (READ_ONCE(gd_gic_version) == 3)
		return gic_get_and_ack_irq();
	return readl((void *)(GD_GICV2_CPU + GICC2_IAR)) & GICC2_IAR_INTID;
}

static void gd_gic_eoi(unsigned int irq)
{
	if (READ_ONCE(gd_gic_version) == 3)
		gic_set_eoi(irq);
	else
		gd_gicv2_write(GD_GICV2_CPU, GICC2_EOIR, irq);
}

static void guest_access(bool store, uint64_t addr, uint64_t size)
{
	switch (size) {
	case 1:
		if (store)
			WRITE_ONCE(*(uint8_t *)addr, 0xa1);
		else
			READ_ONCE(*(uint8_t *)addr);
		break;
	case 2:
		if (store)
			WRITE_ONCE(*(uint16_t *)addr, 0xa2a2);
		else
			READ_ONCE(*(uint16_t *)addr);
		break;
	case 4:
		if (store)
			WRITE_ONCE(*(uint32_t *)addr, 0xa4a4a4a4);
		else
			READ_ONCE(*(uint32_t *)addr);
		break;
	default:
		if (store)
			WRITE_ONCE(*(uint64_t *)addr, 0xa8a8a8a8a8a8a8a8ull);
		else
			READ_ONCE(*(uint64_t *)addr);
		break;
	}
}

static void guest_svc_handler(struct ex_regs *regs)
{
	WRITE_ONCE(gd_svc_count, READ_ONCE(gd_svc_count) + 1);
}

/* The guest's own debug setup: BRP0 on gd_exec, WRP1 on gd_watched[1]. */
#define GUEST_BCR0	(DBGxCR_E | DBGxCR_PRIV_EL1 | DBGBCR_BAS_A64)
#define GUEST_WCR1	(DBGxCR_E | DBGxCR_PRIV_EL1 | DBGWCR_LSC_ST | DBGWCR_BAS(0xff))

static void guest_arm_own_debug(void)
{
	write_sysreg(0, oslar_el1);
	write_sysreg(GUEST_LABEL(gd_exec), dbgbvr0_el1);
	write_sysreg(GUEST_BCR0, dbgbcr0_el1);
	write_sysreg((uint64_t)&gd_watched[1], dbgwvr1_el1);
	write_sysreg(GUEST_WCR1, dbgwcr1_el1);
	write_sysreg(read_sysreg(mdscr_el1) | MDSCR_KDE | MDSCR_MDE, mdscr_el1);
	isb();
	asm volatile("msr daifclr, #8");
}

static void guest_debug_handler(struct ex_regs *regs)
{
	WRITE_ONCE(gd_injected.esr, read_sysreg(esr_el1));
	WRITE_ONCE(gd_injected.far, read_sysreg(far_el1));
	WRITE_ONCE(gd_injected.count, READ_ONCE(gd_injected.count) + 1);
	/*
	 * A breakpoint returns to the instruction it stopped: the guest
	 * disarms its own before it goes back, as a debugger stub would.
	 */
	if (ESR_EC(READ_ONCE(gd_injected.esr)) == ESR_EC_HW_BP_CURRENT) {
		write_sysreg(0, dbgbcr0_el1);
		isb();
	}
	/* A BRK returns to itself: step over it, as a guest kernel does. */
	if (ESR_EC(READ_ONCE(gd_injected.esr)) == EC_BRK64)
		regs->pc += 4;
}

static void guest_irq_handler(struct ex_regs *regs)
{
	unsigned int irq = gd_gic_ack();

	timer_set_ctl(VIRTUAL, CTL_IMASK);
	gd_gic_eoi(irq);
	if (irq == VTIMER_IRQ)
		WRITE_ONCE(gd_irq_count, READ_ONCE(gd_irq_count) + 1);
}

/* Makes the virtual timer's interrupt pending now. */
static void gd_vtimer_fire(void)
{
	timer_set_cval(VIRTUAL, timer_get_cntct(VIRTUAL));
	timer_set_ctl(VIRTUAL, CTL_ENABLE);
	isb();
	while (!(read_sysreg(cntv_ctl_el0) & CTL_ISTATUS))
		cpu_relax();
}

/*
 * Takes the timer interrupt by hand, with interrupts masked, and completes
 * it from gd_eoi0 on, which the host steps under BLOCKIRQ.  Then the timer
 * fires once more: it can reach the guest only if that EOI deactivated the
 * first one.
 */
static void guest_step_through_eoi(void)
{
	unsigned int irq;
	int i;

	gd_gic_init_vtimer();
	gd_vtimer_fire();
	irq = gd_gic_ack();
	GUEST_ASSERT_EQ(irq, VTIMER_IRQ);
	timer_set_ctl(VIRTUAL, CTL_IMASK);
	asm volatile("gd_eoi0: nop" : : : "memory");
	gd_gic_eoi(irq);
	asm volatile("gd_eoi1: nop" : : : "memory");
	GUEST_SYNC(1);
	gd_vtimer_fire();
	local_irq_enable();
	for (i = 0; i < 1000000 && !READ_ONCE(gd_irq_count); i++)
		cpu_relax();
	local_irq_disable();
}

/*
 * Makes the virtual timer interrupt pending, with interrupts masked, then
 * unmasks them at gd_irq0 for a few instructions: the case BLOCKIRQ is for.
 */
static void guest_step_with_irq_pending(void)
{
	gd_gic_init_vtimer();
	gd_vtimer_fire();
	asm volatile("gd_irq0: msr daifclr, #2\n\t"
		     "gd_irq1: nop\n\t"
		     "gd_irq2: nop\n\t"
		     "gd_irq3: msr daifset, #2\n\t"
		     "gd_irq4: nop" : : : "memory");
	local_irq_enable();
	isb();
	local_irq_disable();
}

static void guest_code(void)
{
	for (;;) {
		GUEST_SYNC(0);
		switch (READ_ONCE(gd_cmd.op)) {
		case OP_NONE:
			break;
		case OP_BRK:
			asm volatile("gd_brk: brk #0x7");
			break;
		case OP_EXEC:
			asm volatile("gd_exec: nop");
			break;
		case OP_STORE_THEN_LOAD:
			guest_access(true, gd_cmd.addr, gd_cmd.size);
			guest_access(false, gd_cmd.addr, gd_cmd.size);
			break;
		case OP_LOAD_THEN_STORE:
			guest_access(false, gd_cmd.addr, gd_cmd.size);
			guest_access(true, gd_cmd.addr, gd_cmd.size);
			break;
		case OP_STEP_PLAIN:
			asm volatile("gd_plain0: mov x0, #1\n\t"
				     "gd_plain1: add x0, x0, #2\n\t"
				     "gd_plain2: eor x0, x0, x0\n\t"
				     "gd_plain3: nop"
				     : : : "x0");
			break;
		case OP_STEP_HVC:
			asm volatile("mov x0, %0\n\t"
				     "gd_hvc0: hvc #0\n\t"
				     "gd_hvc1: nop"
				     : : "r"((uint64_t)PSCI_0_2_FN_PSCI_VERSION)
				     : "x0", "x1", "x2", "x3");
			break;
		case OP_STEP_MMIO:
			asm volatile("gd_mmio0: str %w0, [%1]\n\t"
				     "gd_mmio1: nop"
				     : : "r"(0x5a), "r"(gd_cmd.mmio) : "memory");
			break;
		case OP_STEP_SVC:
			asm volatile("gd_svc0: svc #0\n\t"
				     "gd_svc1: nop" : : : "memory");
			break;
		case OP_GUEST_ARM:
			guest_arm_own_debug();
			break;
		case OP_STEP_IRQ:
			guest_step_with_irq_pending();
			break;
		case OP_STEP_EOI:
			guest_step_through_eoi();
			break;
		case OP_MDSCR_RW: {
			uint64_t mdscr;

			asm volatile("gd_mdscr0: mrs %0, mdscr_el1\n\t"
				     "gd_mdscr1: orr %0, %0, %1\n\t"
				     "gd_mdscr2: msr mdscr_el1, %0\n\t"
				     "gd_mdscr3: nop"
				     : "=&r"(mdscr) : "i"(MDSCR_TDCC));
			WRITE_ONCE(gd_mdscr_seen, mdscr & ~MDSCR_TDCC);
			break;
		}
		case OP_DONE:
			GUEST_DONE();
			break;
		default:
			GUEST_FAIL("unknown op %lu", READ_ONCE(gd_cmd.op));
		}
	}
}

struct gd_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	int gic_fd;
	int brps, wrps;
	struct gd_stats want;	/* what KVM's debug stats must say */
};

/* Counts a debug exit under the cause its exception class gives. */
static void gd_count_exit(struct gd_vm *g)
{
	struct kvm_run *run = g->vcpu->run;

	if (run->exit_reason != KVM_EXIT_DEBUG)
		return;
	switch (ESR_EC(run->debug.arch.hsr)) {
	case EC_BRK64:
		g->want.count[GD_STAT_SW_BP]++;
		break;
	case EC_BREAKPT_LOW:
		g->want.count[GD_STAT_HW_BP]++;
		break;
	case EC_WATCHPT_LOW:
		g->want.count[GD_STAT_WATCHPOINT]++;
		break;
	case EC_SOFTSTP_LOW:
		g->want.count[GD_STAT_STEP]++;
		break;
	}
}

static void gd_run(struct gd_vm *g)
{
	vcpu_run(g->vcpu);
	gd_count_exit(g);
}

static uint64_t get_pc(struct kvm_vcpu *vcpu)
{
	uint64_t pc;

	vcpu_get_reg(vcpu, ARM64_CORE_REG(regs.pc), &pc);
	return pc;
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
	return expect(cmd == UCALL_SYNC, "guest stopped with ucall %lu, exit %s, want a sync",
		      cmd, exit_reason_str(g->vcpu->run->exit_reason));
}

static void arm_case(struct gd_vm *g, enum gd_op op, uint64_t addr, uint64_t size)
{
	gd_cmd.op = op;
	gd_cmd.addr = addr;
	gd_cmd.size = size;
	sync_global_to_guest(g->vm, gd_cmd);
}

static bool debug_exit(struct gd_vm *g, uint32_t ec)
{
	struct kvm_run *run = g->vcpu->run;
	uint32_t got;

	if (!expect(run->exit_reason == KVM_EXIT_DEBUG, "exit reason %s, want KVM_EXIT_DEBUG",
		    exit_reason_str(run->exit_reason)))
		return false;
	got = ESR_EC(run->debug.arch.hsr);
	return expect(got == ec, "exception class 0x%x (hsr 0x%x), want 0x%x", got,
		      run->debug.arch.hsr, ec);
}

static bool test_brk(struct gd_vm *g, int n, uint64_t arg)
{
	uint64_t at = GUEST_LABEL(gd_brk);

	arm_case(g, OP_BRK, 0, 0);
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, NULL);
	gd_run(g);
	if (!debug_exit(g, EC_BRK64) ||
	    !expect((g->vcpu->run->debug.arch.hsr & ESR_ISS_BRK_IMM) == BRK_IMM,
		    "BRK immediate 0x%x, want 0x%x",
		    (uint32_t)(g->vcpu->run->debug.arch.hsr & ESR_ISS_BRK_IMM), BRK_IMM) ||
	    !expect(get_pc(g->vcpu) == at, "pc 0x%lx, want the BRK at 0x%lx",
		    get_pc(g->vcpu), at))
		return false;
	/* The debugger owns the BRK: it steps over it and the guest goes on. */
	vcpu_set_reg(g->vcpu, ARM64_CORE_REG(regs.pc), at + 4);
	return run_to_sync(g);
}

static bool test_hw_bp(struct gd_vm *g, int n, uint64_t arg)
{
	struct kvm_guest_debug_arch arch = {};
	uint64_t at = GUEST_LABEL(gd_exec);

	arch.dbg_bvr[n] = at;
	arch.dbg_bcr[n] = DBGxCR_E | DBGxCR_PRIV_EL1 | DBGBCR_BAS_A64;
	arm_case(g, OP_EXEC, 0, 0);
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW, &arch);
	gd_run(g);
	return debug_exit(g, EC_BREAKPT_LOW) &&
	       expect(get_pc(g->vcpu) == at, "BRP%d: pc 0x%lx, want 0x%lx", n,
		      get_pc(g->vcpu), at) &&
	       run_to_sync(g);
}

struct wp_access {
	uint64_t offset;	/* of the access in the watched doubleword */
	uint64_t size;
	uint8_t bas;		/* bytes of the doubleword being watched */
	const char *what;
};

static const struct wp_access wp_accesses[] = {
	{ 3, 1, 0x08, "1 byte" },
	{ 2, 2, 0x0c, "2 bytes" },
	{ 4, 4, 0xf0, "4 bytes" },
	{ 0, 8, 0xff, "8 bytes" },
	/* Unaligned, and only partly inside the watched bytes 4-7. */
	{ 2, 4, 0xf0, "4 bytes unaligned" },
};

/* One watchpoint hit: lsc says what is watched, store what must hit. */
static bool wp_hit(struct gd_vm *g, int n, uint64_t lsc, bool store,
		   const struct wp_access *a)
{
	uint64_t base = (uint64_t)gd_watched;
	uint64_t addr = base + a->offset;
	struct kvm_guest_debug_arch arch = {};
	struct kvm_run *run = g->vcpu->run;
	bool wnr;

	arch.dbg_wvr[n] = base;
	arch.dbg_wcr[n] = DBGxCR_E | DBGxCR_PRIV_EL1 | lsc | DBGWCR_BAS(a->bas);
	/*
	 * A load-only or store-only watchpoint sees the other access first
	 * and must let it pass; a load/store one must stop the first load.
	 */
	arm_case(g, store ? OP_LOAD_THEN_STORE :
		 lsc == DBGWCR_LSC_LD ? OP_STORE_THEN_LOAD : OP_LOAD_THEN_STORE,
		 addr, a->size);
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW, &arch);
	gd_run(g);
	if (!debug_exit(g, EC_WATCHPT_LOW))
		return expect(false, "WRP%d, %s %s", n, a->what, store ? "store" : "load");
	wnr = run->debug.arch.hsr & ESR_ISS_WNR;
	return expect(wnr == store, "WRP%d, %s: WnR %d, want %d", n, a->what, wnr, store) &&
	       expect(run->debug.arch.far >= (addr & ~7ull) &&
		      run->debug.arch.far < addr + a->size,
		      "WRP%d, %s: FAR 0x%llx outside the access at 0x%lx", n, a->what,
		      run->debug.arch.far, addr) &&
	       run_to_sync(g);
}

static bool test_wp(struct gd_vm *g, int n, uint64_t lsc)
{
	bool ok = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(wp_accesses); i++)
		ok &= wp_hit(g, n, lsc, lsc == DBGWCR_LSC_ST, &wp_accesses[i]);
	return ok;
}

/*
 * Runs the guest to label with a hardware breakpoint, and turns on
 * single-step there.  Stepping all the way from the sync would not do:
 * every step clears the exclusive monitor, so the ucall code's
 * load/store-exclusive loops would never complete.
 */
static bool step_from(struct gd_vm *g, uint64_t label)
{
	struct kvm_guest_debug_arch arch = {};

	arch.dbg_bvr[0] = label;
	arch.dbg_bcr[0] = DBGxCR_E | DBGxCR_PRIV_EL1 | DBGBCR_BAS_A64;
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW, &arch);
	gd_run(g);
	if (!debug_exit(g, EC_BREAKPT_LOW) ||
	    !expect(get_pc(g->vcpu) == label, "stopped at 0x%lx, want 0x%lx",
		    get_pc(g->vcpu), label))
		return false;
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, NULL);
	return true;
}

static bool step_exit_at(struct gd_vm *g, uint64_t want)
{
	gd_run(g);
	return debug_exit(g, EC_SOFTSTP_LOW) &&
	       expect(get_pc(g->vcpu) == want, "step stopped at 0x%lx, want 0x%lx",
		      get_pc(g->vcpu), want);
}

static bool test_step_plain(struct gd_vm *g, int n, uint64_t arg)
{
	arm_case(g, OP_STEP_PLAIN, 0, 0);
	return step_from(g, GUEST_LABEL(gd_plain0)) &&
	       step_exit_at(g, GUEST_LABEL(gd_plain1)) &&
	       step_exit_at(g, GUEST_LABEL(gd_plain2)) &&
	       step_exit_at(g, GUEST_LABEL(gd_plain3)) &&
	       run_to_sync(g);
}

static bool test_step_hvc(struct gd_vm *g, int n, uint64_t arg)
{
	uint64_t x0;

	arm_case(g, OP_STEP_HVC, 0, 0);
	if (!step_from(g, GUEST_LABEL(gd_hvc0)) || !step_exit_at(g, GUEST_LABEL(gd_hvc1)))
		return false;
	/* KVM handled the HVC in the kernel while the step was in flight. */
	vcpu_get_reg(g->vcpu, ARM64_CORE_REG(regs.regs[0]), &x0);
	return expect(x0 != PSCI_0_2_FN_PSCI_VERSION, "x0 0x%lx after PSCI_VERSION", x0) &&
	       run_to_sync(g);
}

static bool test_step_mmio(struct gd_vm *g, int n, uint64_t arg)
{
	struct kvm_run *run = g->vcpu->run;

	arm_case(g, OP_STEP_MMIO, 0, 0);
	if (!step_from(g, GUEST_LABEL(gd_mmio0)))
		return false;
	gd_run(g);
	if (!expect(run->exit_reason == KVM_EXIT_MMIO, "exit %s, want the MMIO store",
		    exit_reason_str(run->exit_reason)) ||
	    !expect(run->mmio.is_write && run->mmio.len == 4 && run->mmio.data[0] == 0x5a,
		    "MMIO %s of %u bytes, data 0x%x", run->mmio.is_write ? "write" : "read",
		    run->mmio.len, run->mmio.data[0]))
		return false;
	/* Completing the MMIO must end the step on the next instruction. */
	return step_exit_at(g, GUEST_LABEL(gd_mmio1)) && run_to_sync(g);
}

static bool test_step_svc(struct gd_vm *g, int n, uint64_t arg)
{
	uint64_t vbar, pc, count;
	int i;

	vcpu_get_reg(g->vcpu, KVM_ARM64_SYS_REG(SYS_VBAR_EL1), &vbar);
	arm_case(g, OP_STEP_SVC, 0, 0);
	if (!step_from(g, GUEST_LABEL(gd_svc0)))
		return false;
	gd_run(g);
	pc = get_pc(g->vcpu);
	if (!debug_exit(g, EC_SOFTSTP_LOW) ||
	    !expect(pc >= vbar && pc < vbar + 0x800,
		    "step over SVC stopped at 0x%lx, outside the vectors at 0x%lx", pc, vbar))
		return false;
	/* Step through the handler until the guest is back after the SVC. */
	for (i = 0; i < MAX_STEPS; i++) {
		gd_run(g);
		if (!debug_exit(g, EC_SOFTSTP_LOW))
			return false;
		if (get_pc(g->vcpu) == GUEST_LABEL(gd_svc1))
			break;
	}
	sync_global_from_guest(g->vm, gd_svc_count);
	count = gd_svc_count;
	return expect(i < MAX_STEPS, "stepping never returned from the SVC handler") &&
	       expect(count == 1, "SVC handler ran %lu times", count) &&
	       run_to_sync(g);
}

enum gd_reg { BCR, BVR, WCR, WVR };

struct bad_input {
	const char *what;
	uint32_t control;	/* added to ENABLE | USE_HW */
	enum gd_reg reg;
	int slot;
	uint64_t val;
};

static const struct bad_input bad_inputs[] = {
	{ "control bit 2", BIT(2) },
	{ "control bit 4", BIT(4) },
	{ "control bit 15", BIT(15) },
	{ "control bit 30", BIT(30) },
	{ "INJECT_BP with no debug exit to hand back", KVM_GUESTDBG_INJECT_BP },
	{ "INJECT_DB with no debug exit to hand back", KVM_GUESTDBG_INJECT_DB },
	{ "INJECT_BP and INJECT_DB at once", KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_INJECT_DB },
	{ "DBGWCR reserved MASK 1", 0, WCR, 1, DBGxCR_E | (1 << 24) | DBGWCR_BAS(0xff) },
	{ "DBGWCR reserved MASK 2", 0, WCR, 1, DBGxCR_E | (2 << 24) | DBGWCR_BAS(0xff) },
	{ "DBGWCR MASK with partial BAS", 0, WCR, 1,
	  DBGxCR_E | (3 << 24) | DBGWCR_BAS(0x0f) },
};

static bool bad_input_refused(struct gd_vm *g, const struct bad_input *b)
{
	struct kvm_guest_debug dbg = { .control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW };
	__u64 *regs[] = { dbg.arch.dbg_bcr, dbg.arch.dbg_bvr, dbg.arch.dbg_wcr,
			     dbg.arch.dbg_wvr };
	int r;

	dbg.control |= b->control;
	if (!b->control)
		regs[b->reg][b->slot] = b->val;
	r = __vcpu_ioctl(g->vcpu, KVM_SET_GUEST_DEBUG, &dbg);
	return expect(r == -1 && errno == EINVAL, "%s: ret %d errno %d, want EINVAL",
		      b->what, r, errno);
}

/*
 * Every bad request must be refused whole: with a breakpoint armed before,
 * the guest must still stop on it afterwards.  Each request would also
 * have disarmed that breakpoint, had KVM taken any part of it.
 */
static bool test_bad_input(struct gd_vm *g, int n, uint64_t arg)
{
	struct kvm_guest_debug_arch arch = {};
	uint64_t at = GUEST_LABEL(gd_exec);
	bool ok = true;
	size_t i;

	arch.dbg_bvr[0] = at;
	arch.dbg_bcr[0] = DBGxCR_E | DBGxCR_PRIV_EL1 | DBGBCR_BAS_A64;
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW, &arch);
	for (i = 0; i < ARRAY_SIZE(bad_inputs); i++)
		ok &= bad_input_refused(g, &bad_inputs[i]);
	arm_case(g, OP_EXEC, 0, 0);
	gd_run(g);
	return ok && debug_exit(g, EC_BREAKPT_LOW) &&
	       expect(get_pc(g->vcpu) == at, "pc 0x%lx, want the breakpoint at 0x%lx",
		      get_pc(g->vcpu), at) &&
	       run_to_sync(g);
}

static bool set_debug_fails(struct gd_vm *g, uint32_t control, const char *what)
{
	struct kvm_guest_debug dbg = { .control = control };
	int r = __vcpu_ioctl(g->vcpu, KVM_SET_GUEST_DEBUG, &dbg);

	return expect(r == -1 && errno == EINVAL, "%s: ret %d errno %d, want EINVAL",
		      what, r, errno);
}

/* The guest's handler must have seen the exception once, with this ESR. */
static bool guest_saw(struct gd_vm *g, uint32_t ec, uint64_t exit_esr)
{
	struct gd_injected *seen = addr_gva2hva(g->vm, (vm_vaddr_t)&gd_injected);
	uint64_t iss_mask = GENMASK(24, 0);

	return expect(seen->count == 1, "guest handler ran %lu times, want once",
		      seen->count) &&
	       expect(ESR_EC(seen->esr) == ec, "guest ESR_EL1 0x%lx, want class 0x%x",
		      seen->esr, ec) &&
	       expect((seen->esr & iss_mask) == (exit_esr & iss_mask),
		      "guest ISS 0x%lx, exit ISS 0x%lx", seen->esr & iss_mask,
		      exit_esr & iss_mask);
}

static bool test_inject_bp(struct gd_vm *g, int n, uint64_t arg)
{
	uint64_t esr;

	arm_case(g, OP_BRK, 0, 0);
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, NULL);
	gd_run(g);
	if (!debug_exit(g, EC_BRK64))
		return false;
	esr = g->vcpu->run->debug.arch.hsr;
	/* A BRK is no INJECT_DB: refused, and without a trace. */
	if (!set_debug_fails(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_DB,
			     "INJECT_DB after a BRK"))
		return false;
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_BP, NULL);
	return run_to_sync(g) && guest_saw(g, EC_BRK64, esr);
}

static bool test_inject_db_bp(struct gd_vm *g, int n, uint64_t arg)
{
	struct kvm_guest_debug_arch arch = {};
	uint64_t esr;

	arch.dbg_bvr[0] = GUEST_LABEL(gd_exec);
	arch.dbg_bcr[0] = DBGxCR_E | DBGxCR_PRIV_EL1 | DBGBCR_BAS_A64;
	arm_case(g, OP_EXEC, 0, 0);
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW, &arch);
	gd_run(g);
	if (!debug_exit(g, EC_BREAKPT_LOW))
		return false;
	esr = g->vcpu->run->debug.arch.hsr;
	if (!set_debug_fails(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_BP,
			     "INJECT_BP after a breakpoint"))
		return false;
	/* Disarmed, so that the guest's return re-executes the instruction. */
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_DB, NULL);
	return run_to_sync(g) && guest_saw(g, ESR_EC_HW_BP_CURRENT, esr);
}

static bool test_inject_db_wp(struct gd_vm *g, int n, uint64_t arg)
{
	struct gd_injected *seen = addr_gva2hva(g->vm, (vm_vaddr_t)&gd_injected);
	struct kvm_guest_debug_arch arch = {};
	uint64_t esr, far;

	arch.dbg_wvr[0] = (uint64_t)gd_watched;
	arch.dbg_wcr[0] = DBGxCR_E | DBGxCR_PRIV_EL1 | DBGWCR_LSC_ST | DBGWCR_BAS(0xff);
	arm_case(g, OP_LOAD_THEN_STORE, (uint64_t)gd_watched + 4, 4);
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW, &arch);
	gd_run(g);
	if (!debug_exit(g, EC_WATCHPT_LOW))
		return false;
	esr = g->vcpu->run->debug.arch.hsr;
	far = g->vcpu->run->debug.arch.far;
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_DB, NULL);
	return run_to_sync(g) && guest_saw(g, ESR_EC_WP_CURRENT, esr) &&
	       expect(seen->far == far, "guest FAR_EL1 0x%lx, exit FAR 0x%lx", seen->far, far);
}

struct gd_guest_regs {
	uint64_t bcr0, bvr0, wcr1, wvr1, mdscr;
};

/* The ONE_REG ids of the guest's DBGB/W registers (op0 2, op1 0, CRn 0). */
#define GD_DBGBVR(n)	KVM_ARM64_SYS_REG(sys_reg(2, 0, 0, (n), 4))
#define GD_DBGBCR(n)	KVM_ARM64_SYS_REG(sys_reg(2, 0, 0, (n), 5))
#define GD_DBGWVR(n)	KVM_ARM64_SYS_REG(sys_reg(2, 0, 0, (n), 6))
#define GD_DBGWCR(n)	KVM_ARM64_SYS_REG(sys_reg(2, 0, 0, (n), 7))

static void read_guest_regs(struct gd_vm *g, struct gd_guest_regs *r)
{
	vcpu_get_reg(g->vcpu, GD_DBGBCR(0), &r->bcr0);
	vcpu_get_reg(g->vcpu, GD_DBGBVR(0), &r->bvr0);
	vcpu_get_reg(g->vcpu, GD_DBGWCR(1), &r->wcr1);
	vcpu_get_reg(g->vcpu, GD_DBGWVR(1), &r->wvr1);
	vcpu_get_reg(g->vcpu, KVM_ARM64_SYS_REG(SYS_MDSCR_EL1), &r->mdscr);
}

static bool same_guest_regs(const struct gd_guest_regs *a, const struct gd_guest_regs *b)
{
	return expect(!memcmp(a, b, sizeof(*a)),
		      "guest debug state changed: BCR0 %lx->%lx BVR0 %lx->%lx WCR1 %lx->%lx WVR1 %lx->%lx MDSCR %lx->%lx",
		      a->bcr0, b->bcr0, a->bvr0, b->bvr0, a->wcr1, b->wcr1,
		      a->wvr1, b->wvr1, a->mdscr, b->mdscr);
}

/*
 * The guest debugs itself (its own BRP0 and WRP1, MDSCR_EL1.MDE/KDE) while
 * userspace debugs it with breakpoints and single-step.  Userspace's
 * session must leave the guest's registers bit-exact, and the two must
 * be able to take turns on the same instruction.
 */
static bool test_ownership(struct gd_vm *g, int n, uint64_t arg)
{
	struct gd_injected *seen = addr_gva2hva(g->vm, (vm_vaddr_t)&gd_injected);
	struct kvm_guest_debug_arch arch = {};
	struct gd_guest_regs before, after;
	uint64_t exec = GUEST_LABEL(gd_exec);

	arm_case(g, OP_GUEST_ARM, 0, 0);
	if (!run_to_sync(g))
		return false;
	read_guest_regs(g, &before);
	if (!expect(before.bcr0 == GUEST_BCR0 && before.bvr0 == exec &&
		    before.wcr1 == GUEST_WCR1 && (before.mdscr & MDSCR_MDE),
		    "the guest's own setup did not stick"))
		return false;

	/* Userspace's session: a breakpoint, then single-steps. */
	arch.dbg_bvr[0] = GUEST_LABEL(gd_plain0);
	arch.dbg_bcr[0] = DBGxCR_E | DBGxCR_PRIV_EL1 | DBGBCR_BAS_A64;
	arm_case(g, OP_STEP_PLAIN, 0, 0);
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW, &arch);
	gd_run(g);
	if (!debug_exit(g, EC_BREAKPT_LOW))
		return false;
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, NULL);
	if (!step_exit_at(g, GUEST_LABEL(gd_plain1)) || !run_to_sync(g))
		return false;
	read_guest_regs(g, &after);
	if (!same_guest_regs(&before, &after))
		return false;

	/*
	 * Turns on gd_exec: userspace's breakpoint stops the vCPU first; with
	 * userspace gone, the guest's own breakpoint reaches its handler.
	 */
	arch.dbg_bvr[0] = exec;
	arm_case(g, OP_EXEC, 0, 0);
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW, &arch);
	gd_run(g);
	if (!debug_exit(g, EC_BREAKPT_LOW) ||
	    !expect(seen->count == 0, "the guest saw userspace's breakpoint"))
		return false;
	read_guest_regs(g, &after);
	if (!same_guest_regs(&before, &after) || !run_to_sync(g))
		return false;
	return expect(seen->count == 1 && ESR_EC(seen->esr) == ESR_EC_HW_BP_CURRENT,
		      "guest's own breakpoint: handler ran %lu times, ESR 0x%lx",
		      seen->count, seen->esr);
}

/*
 * The guest reads and writes its own MDSCR_EL1 while userspace steps it:
 * it must read its own value, without userspace's SS bit, and its write
 * must survive the end of the step.
 */
static bool test_mdscr_under_step(struct gd_vm *g, int n, uint64_t arg)
{
	struct gd_guest_regs before, after;
	uint64_t seen;

	arm_case(g, OP_GUEST_ARM, 0, 0);
	if (!run_to_sync(g))
		return false;
	read_guest_regs(g, &before);
	arm_case(g, OP_MDSCR_RW, 0, 0);
	if (!step_from(g, GUEST_LABEL(gd_mdscr0)) ||
	    !step_exit_at(g, GUEST_LABEL(gd_mdscr1)) ||
	    !step_exit_at(g, GUEST_LABEL(gd_mdscr2)) ||
	    !step_exit_at(g, GUEST_LABEL(gd_mdscr3)) ||
	    !run_to_sync(g))
		return false;
	read_guest_regs(g, &after);
	sync_global_from_guest(g->vm, gd_mdscr_seen);
	seen = gd_mdscr_seen;
	return expect(seen == before.mdscr, "guest read MDSCR_EL1 0x%lx, its value is 0x%lx",
		      seen, before.mdscr) &&
	       expect(after.mdscr == (before.mdscr | MDSCR_TDCC),
		      "MDSCR_EL1 0x%lx after the guest's write, want 0x%lx", after.mdscr,
		      before.mdscr | MDSCR_TDCC);
}

/* Runs @op to @label, then single-steps on from there with BLOCKIRQ. */
static bool step_blocked_from(struct gd_vm *g, enum gd_op op, uint64_t label)
{
	arm_case(g, op, 0, 0);
	if (!step_from(g, label))
		return false;
	set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_BLOCKIRQ,
		  NULL);
	return true;
}

/*
 * With the timer interrupt pending and unmasked, every step must stay in
 * line while BLOCKIRQ is set; once it is cleared, the interrupt arrives.
 */
static bool test_blockirq(struct gd_vm *g, int n, uint64_t arg)
{
	const uint64_t want[] = {
		GUEST_LABEL(gd_irq1), GUEST_LABEL(gd_irq2), GUEST_LABEL(gd_irq3),
		GUEST_LABEL(gd_irq4),
	};
	uint64_t count;
	size_t i;

	if (!step_blocked_from(g, OP_STEP_IRQ, GUEST_LABEL(gd_irq0)))
		return false;
	for (i = 0; i < ARRAY_SIZE(want); i++)
		if (!step_exit_at(g, want[i]))
			return false;
	if (!run_to_sync(g))
		return false;
	sync_global_from_guest(g->vm, gd_irq_count);
	count = gd_irq_count;
	return expect(count == 1, "the timer interrupt came %lu times, want once", count);
}

/*
 * BLOCKIRQ holds back what is pending, not what the guest has taken: a
 * step through the EOI of an interrupt the guest is handling completes it,
 * and the timer can fire again afterwards.
 */
static bool test_blockirq_eoi(struct gd_vm *g, int n, uint64_t arg)
{
	uint64_t end = GUEST_LABEL(gd_eoi1);
	uint64_t count;
	int i;

	if (!step_blocked_from(g, OP_STEP_EOI, GUEST_LABEL(gd_eoi0)))
		return false;
	for (i = 0; i < MAX_STEPS && get_pc(g->vcpu) != end; i++) {
		gd_run(g);
		if (!debug_exit(g, EC_SOFTSTP_LOW))
			return false;
	}
	if (!expect(get_pc(g->vcpu) == end, "%d steps never reached 0x%lx", MAX_STEPS, end) ||
	    !run_to_sync(g) || !run_to_sync(g))
		return false;
	sync_global_from_guest(g->vm, gd_irq_count);
	count = gd_irq_count;
	return expect(count == 1,
		      "the timer came %lu times after the stepped EOI, want once: the EOI was lost",
		      count);
}

/*
 * Without an in-kernel vGIC, KVM_CAP_SET_GUEST_DEBUG2 offers BLOCKIRQ all
 * the same, on the system fd (where QEMU asks) and on the VM's: the ioctl
 * must take it, and the step must still stop after one instruction.
 */
static bool test_blockirq_no_vgic(void)
{
	uint32_t control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP |
			   KVM_GUESTDBG_BLOCKIRQ;
	struct kvm_guest_debug dbg = { .control = control };
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	bool ok;
	int ret;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	ok = expect(kvm_check_cap(KVM_CAP_SET_GUEST_DEBUG2) & KVM_GUESTDBG_BLOCKIRQ,
		    "KVM_CAP_SET_GUEST_DEBUG2 on the system fd does not offer BLOCKIRQ") &&
	     expect(vm_check_cap(vm, KVM_CAP_SET_GUEST_DEBUG2) & KVM_GUESTDBG_BLOCKIRQ,
		    "KVM_CAP_SET_GUEST_DEBUG2 on a VM without a vGIC does not offer BLOCKIRQ");
	if (ok) {
		ret = __vcpu_ioctl(vcpu, KVM_SET_GUEST_DEBUG, &dbg);
		ok = expect(!ret, "BLOCKIRQ without a vGIC, offered by the capability: %s",
			    strerror(errno));
	}
	if (ok) {
		vcpu_run(vcpu);
		ok = expect(vcpu->run->exit_reason == KVM_EXIT_DEBUG &&
			    ESR_EC(vcpu->run->debug.arch.hsr) == EC_SOFTSTP_LOW,
			    "exit %s (hsr 0x%x), want a software step exit",
			    exit_reason_str(vcpu->run->exit_reason), vcpu->run->debug.arch.hsr);
	}
	kvm_vm_free(vm);
	return ok;
}

/*
 * The control case: without BLOCKIRQ, the same steps reach the IRQ vector
 * (at the latest after the step that unmasks interrupts).
 */
static bool test_irq_unblocked(struct gd_vm *g, int n, uint64_t arg)
{
	uint64_t vbar, pc = 0;
	int i;

	vcpu_get_reg(g->vcpu, KVM_ARM64_SYS_REG(SYS_VBAR_EL1), &vbar);
	arm_case(g, OP_STEP_IRQ, 0, 0);
	if (!step_from(g, GUEST_LABEL(gd_irq0)))
		return false;
	for (i = 0; i < 4 && pc != vbar + 0x280; i++) {
		gd_run(g);
		if (!debug_exit(g, EC_SOFTSTP_LOW))
			return false;
		pc = get_pc(g->vcpu);
	}
	return expect(pc == vbar + 0x280, "4 steps never reached the IRQ vector at 0x%lx",
		      vbar + 0x280) &&
	       run_to_sync(g);
}

/*
 * The VMM thread's own hw_breakpoint (a perf watchpoint on its memory)
 * sits in the debug registers that userspace's guest session borrows
 * during KVM_RUN: it must count every write before, between and after.
 */
static bool test_host_hwbp(struct gd_vm *g, int n, uint64_t arg)
{
	struct kvm_guest_debug_arch arch = {};
	int fd = host_watch_open(&host_watched);
	bool ok;

	if (fd < 0)
		return false;
	host_watch_write(&host_watched, 3);
	arch.dbg_bvr[0] = GUEST_LABEL(gd_plain0);
	arch.dbg_bcr[0] = DBGxCR_E | DBGxCR_PRIV_EL1 | DBGBCR_BAS_A64;
	arm_case(g, OP_STEP_PLAIN, 0, 0);
	ok = host_watch_count_is(fd, 3, "before KVM_RUN");
	if (ok) {
		set_debug(g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW, &arch);
		gd_run(g);
		ok = debug_exit(g, EC_BREAKPT_LOW);
	}
	if (ok) {
		host_watch_write(&host_watched, 3);
		ok = host_watch_count_is(fd, 6, "after a debug exit");
	}
	if (ok) {
		set_debug(g, 0, NULL);
		ok = run_to_sync(g);
	}
	if (ok) {
		host_watch_write(&host_watched, 3);
		ok = host_watch_count_is(fd, 9, "after the session ended");
	}
	close(fd);
	return ok;
}

static void gd_vm_create(struct gd_vm *g)
{
	uint64_t dfr0, mmio_gva, mmio_gpa;
	int version;

	memset(g, 0, sizeof(*g));
	g->vm = vm_create_with_one_vcpu(&g->vcpu, guest_code);
	g->gic_fd = gd_vgic_setup(g->vm, gd_gic_wanted, &version);
	gd_gic_version = version;
	TEST_ASSERT(g->gic_fd >= 0 || !gd_gic_wanted, "no vGICv%d for the guest", gd_gic_wanted);
	__TEST_REQUIRE(g->gic_fd >= 0, "no vGIC (v3 or v2) for the guest");
	sync_global_to_guest(g->vm, gd_gic_version);
	vm_init_descriptor_tables(g->vm);
	vcpu_init_descriptor_tables(g->vcpu);
	vm_install_sync_handler(g->vm, VECTOR_SYNC_CURRENT, ESR_EC_SVC64, guest_svc_handler);
	vm_install_exception_handler(g->vm, VECTOR_IRQ_CURRENT, guest_irq_handler);
	vm_install_sync_handler(g->vm, VECTOR_SYNC_CURRENT, ESR_EC_BRK_INS, guest_debug_handler);
	vm_install_sync_handler(g->vm, VECTOR_SYNC_CURRENT, ESR_EC_HW_BP_CURRENT,
				guest_debug_handler);
	vm_install_sync_handler(g->vm, VECTOR_SYNC_CURRENT, ESR_EC_WP_CURRENT,
				guest_debug_handler);

	/* An MMIO page of our own, next to the ucall one. */
	mmio_gpa = g->vm->ucall_mmio_addr + g->vm->page_size;
	mmio_gva = vm_vaddr_unused_gap(g->vm, g->vm->page_size, KVM_UTIL_MIN_VADDR);
	virt_map(g->vm, mmio_gva, mmio_gpa, 1);
	gd_cmd.mmio = mmio_gva;

	vcpu_get_reg(g->vcpu, KVM_ARM64_SYS_REG(SYS_ID_AA64DFR0_EL1), &dfr0);
	g->brps = FIELD_GET(DFR0_BRPS, dfr0) + 1;
	g->wrps = FIELD_GET(DFR0_WRPS, dfr0) + 1;
	TEST_ASSERT(run_to_sync(g), "guest did not reach its first sync");
}

/* Every case gets a VM of its own, so that one failure cannot hide another. */
static bool run_case(bool (*fn)(struct gd_vm *g, int n, uint64_t arg), int n, uint64_t arg)
{
	struct gd_vm g;
	bool ok;

	gd_vm_create(&g);
	ok = fn(&g, n, arg);
	if (ok) {
		arm_case(&g, OP_DONE, 0, 0);
		set_debug(&g, 0, NULL);
		gd_run(&g);
		ok = expect(get_ucall(g.vcpu, NULL) == UCALL_DONE, "guest did not run to its end");
	}
	ok &= gd_stats_match(g.vcpu, &g.want);
	close(g.gic_fd);
	kvm_vm_free(g.vm);
	return ok;
}

/*
 * KVM_ARM_VCPU_INIT resets the vCPU: the BRK it stopped at before is gone,
 * and INJECT_BP has nothing left to hand back.  The vCPU is not run again,
 * as the reset also took the guest's page tables and vectors.
 */
static bool test_inject_after_init(void)
{
	struct kvm_vcpu_init init;
	struct gd_vm g;
	bool ok;

	gd_vm_create(&g);
	arm_case(&g, OP_BRK, 0, 0);
	set_debug(&g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, NULL);
	gd_run(&g);
	ok = debug_exit(&g, EC_BRK64);
	if (ok) {
		vm_ioctl(g.vm, KVM_ARM_PREFERRED_TARGET, &init);
		vcpu_ioctl(g.vcpu, KVM_ARM_VCPU_INIT, &init);
		ok = set_debug_fails(&g, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_BP,
				     "INJECT_BP after KVM_ARM_VCPU_INIT");
	}
	close(g.gic_fd);
	kvm_vm_free(g.vm);
	return ok;
}

int main(int argc, char *argv[])
{
	static const struct { uint64_t lsc; const char *name; } wp_kinds[] = {
		{ DBGWCR_LSC_LD, "load" },
		{ DBGWCR_LSC_ST, "store" },
		{ DBGWCR_LSC_LD | DBGWCR_LSC_ST, "load/store" },
	};
	static const struct {
		bool (*fn)(struct gd_vm *g, int n, uint64_t arg);
		const char *name;
	} cases[] = {
		{ test_step_plain, "single-step: plain instructions" },
		{ test_step_hvc, "single-step: over an HVC KVM handles" },
		{ test_step_mmio, "single-step: over an MMIO exit" },
		{ test_step_svc, "single-step: into and out of an exception" },
		{ test_inject_bp, "INJECT_BP: the guest's own handler gets the BRK" },
		{ test_inject_db_bp, "INJECT_DB: the guest's own handler gets the breakpoint" },
		{ test_inject_db_wp, "INJECT_DB: the guest handler gets the watchpoint and FAR" },
		{ test_irq_unblocked, "single-step with an IRQ pending reaches its vector" },
		{ test_blockirq, "BLOCKIRQ: steps stay in line, the IRQ comes after" },
		{ test_blockirq_eoi, "BLOCKIRQ: a stepped EOI completes the guest's interrupt" },
		{ test_ownership, "ownership: the guest's debug state survives and takes turns" },
		{ test_mdscr_under_step, "ownership: the guest MDSCR_EL1 under userspace step" },
		{ test_host_hwbp, "the VMM thread's own hw_breakpoint counts across KVM_RUN" },
		{ test_bad_input, "bad input: unknown flags, nothing to inject, bad watch masks" },
	};
	struct gd_vm probe;
	int brps, wrps, n, k;
	size_t i;

	if (argc == 3 && !strcmp(argv[1], "-g"))
		gd_gic_wanted = atoi(argv[2]);
	TEST_ASSERT(argc == 1 || gd_gic_wanted == 2 || gd_gic_wanted == 3,
		    "usage: %s [-g 2|3]: the vGIC version to insist on", argv[0]);
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_SET_GUEST_DEBUG));
	gd_vm_create(&probe);
	brps = probe.brps;
	wrps = probe.wrps;
	close(probe.gic_fd);
	kvm_vm_free(probe.vm);

	ksft_print_header();
	ksft_set_plan(3 + brps + wrps * ARRAY_SIZE(wp_kinds) + ARRAY_SIZE(cases));
	ksft_print_msg("%d breakpoints, %d watchpoints, vGIC v%lu\n", brps, wrps,
		       gd_gic_version);

	ksft_test_result(run_case(test_brk, 0, 0), "sw_bp: BRK exits with EC 0x3c and resumes\n");
	for (n = 0; n < brps; n++)
		ksft_test_result(run_case(test_hw_bp, n, 0), "hw_bp: BRP%d\n", n);
	for (n = 0; n < wrps; n++)
		for (k = 0; k < ARRAY_SIZE(wp_kinds); k++)
			ksft_test_result(run_case(test_wp, n, wp_kinds[k].lsc),
					 "watchpoint: WRP%d %s, sizes 1-8 and unaligned\n",
					 n, wp_kinds[k].name);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		ksft_test_result(run_case(cases[i].fn, 0, 0), "%s\n",
				 cases[i].name);
	ksft_test_result(test_blockirq_no_vgic(),
			 "BLOCKIRQ without a vGIC: offered, accepted, the step stops\n");
	ksft_test_result(test_inject_after_init(),
			 "INJECT_BP after KVM_ARM_VCPU_INIT has no BRK to hand back\n");
	ksft_finished();
}
