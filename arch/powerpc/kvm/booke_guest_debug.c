// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_SET_GUEST_DEBUG and debug interrupts on Book E (e500v2 and e500mc).
 *
 * A vCPU has two sets of debug registers:
 * - vcpu->arch.guest_dbg_reg, the guest's own, which its mtspr and mfspr
 *   reach and which ONE_REG writes;
 * - vcpu->arch.dbg_reg, what the debug unit holds while the guest runs:
 *   userspace's set while it single-steps or uses hardware breakpoints
 *   ("userspace owns the hardware"), the guest's own set otherwise.
 *
 * While the vCPU runs, current->thread.debug is vcpu->arch.dbg_reg, so that
 * a context switch of the vCPU thread reloads it; the thread's own set
 * (from ptrace) is kept aside and comes back when KVM_RUN returns.
 */

#include <linux/kvm_host.h>
#include <linux/kvm_guest_debug.h>
#include <asm/kvm_ppc.h>
#include <asm/reg.h>
#include <asm/switch_to.h>

#include "booke.h"
#include "booke_guest_debug.h"

#define GD_INJECT	(KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_INJECT_DB)
#define GD_OWNS_HW	(KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_USE_HW_BP)

#define GD_IAC_EVENTS	(DBSR_IAC1 | DBSR_IAC2 | DBSR_IAC3 | DBSR_IAC4)
#define GD_DAC1_EVENTS	(DBSR_DAC1R | DBSR_DAC1W)
#define GD_DAC2_EVENTS	(DBSR_DAC2R | DBSR_DAC2W)
#define GD_READ_EVENTS	(DBSR_DAC1R | DBSR_DAC2R)
#define GD_WRITE_EVENTS	(DBSR_DAC1W | DBSR_DAC2W)

/* The events KVM arms and reports; DBCR0 enables them at DBSR's positions. */
#define GD_EVENTS	(DBSR_IC | DBSR_TIE | GD_IAC_EVENTS | GD_DAC1_EVENTS | \
			 GD_DAC2_EVENTS)

/* What the guest may set in its DBCR0: the events above, and branch taken. */
#define GD_GUEST_DBCR0	(DBCR0_IDM | DBCR0_BT | GD_EVENTS)

/*
 * A software breakpoint is a program interrupt, not a debug event, so it
 * has no DBSR bit of its own; TIE, a trap, stands for it in
 * debug_exit_dbsr and is never reported.
 */
#define GD_EXIT_SW_BP	DBSR_TIE

static bool gd_userspace_owns_hw(struct kvm_vcpu *vcpu)
{
	return vcpu->guest_debug & GD_OWNS_HW;
}

/*
 * A Book E PR guest always runs with MSR[PR] set, in user mode: the
 * privilege qualifiers become "user mode only", which keeps the events out
 * of the host kernel and cannot tell the guest's own modes apart anyway.
 * With EPCR[DUVD], Book E HV needs no qualifier.
 */
static void gd_qualify(struct debug_reg *hw)
{
#ifdef CONFIG_KVM_BOOKE_HV
	hw->dbcr1 = 0;
	hw->dbcr2 = 0;
#else
	hw->dbcr1 = DBCR1_IAC1US | DBCR1_IAC2US | DBCR1_IAC3US | DBCR1_IAC4US;
	hw->dbcr2 = DBCR2_DAC1US | DBCR2_DAC2US;
#endif
}

static void gd_set_iac(struct debug_reg *hw, unsigned int slot, unsigned long addr)
{
	switch (slot) {
	case 0:
		hw->iac1 = addr;
		break;
	case 1:
		hw->iac2 = addr;
		break;
#if CONFIG_PPC_ADV_DEBUG_IACS > 2
	case 2:
		hw->iac3 = addr;
		break;
	case 3:
		hw->iac4 = addr;
		break;
#endif
	}
	hw->dbcr0 |= DBCR0_IAC1 >> slot;
}

static void gd_set_dac(struct debug_reg *hw, unsigned int slot, unsigned long addr,
		       u32 type)
{
	u32 read = slot ? DBCR0_DAC2R : DBCR0_DAC1R;
	u32 write = slot ? DBCR0_DAC2W : DBCR0_DAC1W;

	if (slot)
		hw->dac2 = addr;
	else
		hw->dac1 = addr;
	if (type & KVMPPC_DEBUG_WATCH_READ)
		hw->dbcr0 |= read;
	if (type & KVMPPC_DEBUG_WATCH_WRITE)
		hw->dbcr0 |= write;
}

/*
 * Builds userspace's register set from @control and @dbg->arch.bp[]: each
 * breakpoint entry takes the next IAC and each watchpoint entry the next
 * DAC.  Entries of type KVMPPC_DEBUG_NONE are skipped.
 */
static int gd_build_hw(const struct kvm_guest_debug *dbg, u32 control,
		       struct debug_reg *hw)
{
	unsigned int i, iac = 0, dac = 0;

	memset(hw, 0, sizeof(*hw));
	if (control & KVM_GUESTDBG_SINGLESTEP)
		hw->dbcr0 |= DBCR0_IC;

	for (i = 0; (control & KVM_GUESTDBG_USE_HW_BP) && i < ARRAY_SIZE(dbg->arch.bp); i++) {
		u64 addr = dbg->arch.bp[i].addr;
		u32 type = dbg->arch.bp[i].type;

		if (type == KVMPPC_DEBUG_NONE)
			continue;
		if (addr != (unsigned long)addr)
			return -EINVAL;

		if (type == KVMPPC_DEBUG_BREAKPOINT) {
			if (iac >= CONFIG_PPC_ADV_DEBUG_IACS || (addr & 3))
				return -EINVAL;
			gd_set_iac(hw, iac++, addr);
		} else {
			if (type & ~(KVMPPC_DEBUG_WATCH_READ | KVMPPC_DEBUG_WATCH_WRITE))
				return -EINVAL;
			if (dac >= CONFIG_PPC_ADV_DEBUG_DACS)
				return -EINVAL;
			gd_set_dac(hw, dac++, addr, type);
		}
	}

	if (hw->dbcr0)
		hw->dbcr0 |= DBCR0_IDM;
	gd_qualify(hw);
	return 0;
}

/* The guest's own set, as the debug unit can hold it. */
static void gd_guest_hw(struct kvm_vcpu *vcpu, struct debug_reg *hw)
{
	*hw = vcpu->arch.guest_dbg_reg;
	gd_qualify(hw);
}

/* Loads @hw while the vCPU thread is in KVM_RUN, e.g. from an emulated mtspr. */
static void gd_load_running(struct kvm_vcpu *vcpu, struct debug_reg *hw)
{
	vcpu->arch.dbg_reg = *hw;
	preempt_disable();
	/* switch_booke_debug_regs() looks at the outgoing set: swap after. */
	switch_booke_debug_regs(hw);
	current->thread.debug = *hw;
	preempt_enable();
}

/**
 * kvmppc_booke_debug_sync_msr() - give the guest the MSR[DE] it should run with
 * @vcpu: the vCPU, after any change of its MSR or of the debug owner
 *
 * While userspace owns the debug unit, debug interrupts must stay enabled
 * whatever the guest does with its MSR.  On Book E PR the shadow MSR gets
 * DE and the guest keeps reading and writing its own MSR[DE]; Book E HV
 * has no shadow MSR, so the guest sees DE set and MSRP[DEP] keeps it so.
 */
void kvmppc_booke_debug_sync_msr(struct kvm_vcpu *vcpu)
{
	bool force = gd_userspace_owns_hw(vcpu);

#ifdef CONFIG_KVM_BOOKE_HV
	if (force) {
		vcpu->arch.shared->msr |= MSR_DE;
		vcpu->arch.shadow_msrp |= MSRP_DEP;
	} else {
		vcpu->arch.shadow_msrp &= ~MSRP_DEP;
	}
#else
	vcpu->arch.shadow_msr &= ~MSR_DE;
	if (force || (vcpu->arch.shared->msr & MSR_DE))
		vcpu->arch.shadow_msr |= MSR_DE;
#endif
}

/**
 * kvmppc_booke_debug_enter() - switch the debug unit to the vCPU for KVM_RUN
 * @vcpu: the vCPU about to run, with interrupts hard-disabled
 * @thread_debug: where the thread's own debug registers are kept meanwhile
 */
void kvmppc_booke_debug_enter(struct kvm_vcpu *vcpu, struct debug_reg *thread_debug)
{
	struct debug_reg hw = vcpu->arch.dbg_reg;

	/* An exit can only be injected back before the vCPU runs again. */
	vcpu->arch.debug_exit_dbsr = 0;
	*thread_debug = current->thread.debug;
	switch_booke_debug_regs(&hw);
	current->thread.debug = hw;
	kvmppc_booke_debug_rearm(vcpu);
}

/**
 * kvmppc_booke_debug_leave() - give the debug unit back to the thread
 * @vcpu: the vCPU that ran
 * @thread_debug: what kvmppc_booke_debug_enter() kept aside
 */
void kvmppc_booke_debug_leave(struct kvm_vcpu *vcpu, struct debug_reg *thread_debug)
{
	/*
	 * Preempted between the two, __switch_to() would load the vCPU's
	 * set from current->thread.debug again while the VMM runs.
	 */
	preempt_disable();
	switch_booke_debug_regs(thread_debug);
	current->thread.debug = *thread_debug;
	preempt_enable();
}

/**
 * kvmppc_booke_debug_rearm() - make sure DBCR0 is armed for guest entry
 * @vcpu: the vCPU about to enter the guest, with interrupts hard-disabled
 *
 * A host interrupt taken while an exit is handled (a timer tick through
 * kvmppc_restart_interrupt(), or any interrupt once they are enabled)
 * sees DBCR0[IDM] in current->thread.debug and restores the kernel's
 * global DBCR0 in booke_restore_dbcr0(): the vCPU's events are disarmed
 * until something writes DBCR0 again.  Write it before every entry, and
 * drop the status of events the host itself caused meanwhile.
 */
void kvmppc_booke_debug_rearm(struct kvm_vcpu *vcpu)
{
	u32 dbcr0 = vcpu->arch.dbg_reg.dbcr0;

	if (!(dbcr0 & DBCR0_IDM))
		return;
	if (mfspr(SPRN_DBCR0) != dbcr0)
		mtspr(SPRN_DBCR0, dbcr0);
	kvmppc_clear_dbsr();
}

/**
 * kvmppc_booke_debug_latch() - take the status of a debug interrupt
 * @vcpu: the vCPU that exited with BOOKE_INTERRUPT_DEBUG, before
 *	  preemption is enabled
 */
void kvmppc_booke_debug_latch(struct kvm_vcpu *vcpu)
{
	vcpu->arch.debug_hw_dbsr = mfspr(SPRN_DBSR);
	kvmppc_clear_dbsr();
}

/**
 * kvmppc_booke_debug_irqs_blocked() - whether KVM_GUESTDBG_BLOCKIRQ holds
 * back asynchronous interrupts (external, timers, doorbells, critical)
 * @vcpu: the vCPU
 *
 * Return: true while userspace debugs with KVM_GUESTDBG_BLOCKIRQ; the
 * interrupts stay pending and are delivered once the flag is cleared.
 */
bool kvmppc_booke_debug_irqs_blocked(struct kvm_vcpu *vcpu)
{
	return vcpu->guest_debug & KVM_GUESTDBG_BLOCKIRQ;
}

/**
 * kvmppc_booke_debug_wait_ends() - end a wait state that BLOCKIRQ would make endless
 * @vcpu: the vCPU about to enter with MSR[WE] set, interrupts hard-disabled
 *
 * Only the delivery of an interrupt clears MSR[WE], and BLOCKIRQ forbids
 * it, while the pending interrupt keeps the vCPU runnable: halting would
 * return at once, again and again.  As x86 leaves HLT, the guest leaves
 * its wait state with the interrupt still pending, and a step retires the
 * next instruction.
 *
 * Return: true if the wait state ended, so that the guest is to run.
 */
bool kvmppc_booke_debug_wait_ends(struct kvm_vcpu *vcpu)
{
	if (!kvmppc_booke_debug_irqs_blocked(vcpu) || !vcpu->arch.pending_exceptions)
		return false;
	vcpu->arch.shared->msr &= ~MSR_WE;
	return true;
}

/**
 * kvmppc_booke_debug_regs_replaced() - forget the last debug exit's state
 * @vcpu: the vCPU, loaded, whose registers KVM_SET_REGS is about to replace
 * @pc: the new PC
 *
 * The last exit can no longer be injected: the vCPU it stopped is gone.
 * A step that an MMIO exit left to report was due at the old PC; at
 * another PC nothing has executed, so the guest steps from there.  QEMU
 * writes the registers back unchanged before KVM_RUN, which keeps it.
 */
void kvmppc_booke_debug_regs_replaced(struct kvm_vcpu *vcpu, unsigned long pc)
{
	vcpu->arch.debug_exit_dbsr = 0;
	if (pc != vcpu->arch.regs.nip)
		vcpu->arch.debug_step_pending = false;
}

/* A debug event of the guest's own goes to the guest, as on bare metal. */
static int gd_to_guest(struct kvm_vcpu *vcpu, u32 dbsr)
{
	bool de = vcpu->arch.shared->msr & MSR_DE;

	/* An event taken while the guest had MSR[DE] clear stays pending. */
	dbsr &= ~DBSR_IDE;
	if (!dbsr)
		return RESUME_GUEST;

	vcpu->arch.dbsr |= dbsr;
	if (de && (vcpu->arch.guest_dbg_reg.dbcr0 & DBCR0_IDM))
		kvmppc_core_queue_debug(vcpu);
	if ((dbsr & DBSR_TIE) && !de)
		kvmppc_core_queue_program(vcpu, ESR_PTR);
	return RESUME_GUEST;
}

static enum kvm_guest_debug_cause gd_exit_cause(u32 events)
{
	if (events & GD_IAC_EVENTS)
		return KVM_GUEST_DEBUG_HW_BP;
	if (events & (GD_DAC1_EVENTS | GD_DAC2_EVENTS))
		return KVM_GUEST_DEBUG_WATCHPOINT;
	if (events & DBSR_TIE)
		return KVM_GUEST_DEBUG_SW_BP;
	return KVM_GUEST_DEBUG_STEP;
}

/**
 * kvmppc_booke_debug_interrupt() - handle a debug interrupt taken in the guest
 * @vcpu: the vCPU, whose DBSR kvmppc_booke_debug_latch() took
 *
 * Return: RESUME_HOST with KVM_EXIT_DEBUG for an event of userspace's:
 * debug.arch.status has KVMPPC_DEBUG_BREAKPOINT for an IAC hit,
 * KVMPPC_DEBUG_WATCH_READ or _WRITE for a DAC hit, and the DBSR bits of
 * the events reported; debug.arch.address is the PC, or the DAC's
 * address for a watchpoint.  An instruction that hits an IAC and a DAC
 * at once is reported as the IAC hit alone, as the baseline did: QEMU
 * tests BREAKPOINT first and looks the address up among its breakpoints.
 * The DAC event comes again when the instruction runs.  RESUME_GUEST
 * otherwise.
 */
int kvmppc_booke_debug_interrupt(struct kvm_vcpu *vcpu)
{
	struct kvm_debug_exit_arch *exit = &vcpu->run->debug.arch;
	struct debug_reg *hw = &vcpu->arch.dbg_reg;
	u32 events = vcpu->arch.debug_hw_dbsr;

	vcpu->arch.debug_hw_dbsr = 0;
	if (!gd_userspace_owns_hw(vcpu))
		return gd_to_guest(vcpu, events);

	/* Only what userspace armed: anything else is the host's leftover. */
	events &= GD_EVENTS & hw->dbcr0;
	if (!events)
		return RESUME_GUEST;

	/* Not executed: the DAC event comes again when it is. */
	if (events & GD_IAC_EVENTS)
		events &= ~(GD_DAC1_EVENTS | GD_DAC2_EVENTS);
	kvm_guest_debug_exit(vcpu, gd_exit_cause(events), vcpu->arch.regs.nip);
	exit->address = vcpu->arch.regs.nip;
	exit->status = events;
	if (events & GD_IAC_EVENTS)
		exit->status |= KVMPPC_DEBUG_BREAKPOINT;
	if (events & GD_READ_EVENTS)
		exit->status |= KVMPPC_DEBUG_WATCH_READ;
	if (events & GD_WRITE_EVENTS)
		exit->status |= KVMPPC_DEBUG_WATCH_WRITE;
	if (events & GD_DAC1_EVENTS)
		exit->address = hw->dac1;
	else if (events & GD_DAC2_EVENTS)
		exit->address = hw->dac2;
	vcpu->arch.debug_exit_dbsr = events;
	return RESUME_HOST;
}

/* An instruction completed: report the single step, with DBSR[IC]. */
static void gd_step_exit(struct kvm_vcpu *vcpu)
{
	struct kvm_debug_exit_arch *exit = &vcpu->run->debug.arch;

	kvm_guest_debug_exit(vcpu, KVM_GUEST_DEBUG_STEP, vcpu->arch.regs.nip);
	exit->address = vcpu->arch.regs.nip;
	exit->status = DBSR_IC;
	vcpu->arch.debug_exit_dbsr = DBSR_IC;
}

/**
 * kvmppc_booke_debug_after_exit() - report steps over emulated instructions
 * @vcpu: the vCPU, at the end of handling an exit
 * @exit_nr: the exit's interrupt
 * @exit_pc: the guest PC when the exit happened
 * @r: what the exit handling decided, RESUME_GUEST or RESUME_HOST (with
 *     flags)
 *
 * DBCR0[IC] only sees instructions that complete in the hardware.  One that
 * KVM emulated (a privileged instruction, an MMIO access) moved the PC
 * without a debug event, and stepping would silently skip it.  While
 * userspace single-steps, such an exit ends in KVM_EXIT_DEBUG at the new
 * PC; if it exits to userspace for another reason first (MMIO), the step
 * is reported by the next KVM_RUN, before the guest runs.
 *
 * Return: @r, or RESUME_HOST to report the step now.
 */
int kvmppc_booke_debug_after_exit(struct kvm_vcpu *vcpu, unsigned int exit_nr,
				  ulong exit_pc, int r)
{
	if (!(vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP))
		return r;
	if (exit_nr == BOOKE_INTERRUPT_DEBUG || vcpu->arch.regs.nip == exit_pc)
		return r;
	if (r & RESUME_HOST) {
		vcpu->arch.debug_step_pending = vcpu->run->exit_reason != KVM_EXIT_DEBUG;
		return r;
	}
	gd_step_exit(vcpu);
	return RESUME_HOST | (r & RESUME_FLAG_NV);
}

/**
 * kvmppc_booke_debug_step_done() - report a step left by kvmppc_booke_debug_after_exit()
 * @vcpu: the vCPU, at the start of KVM_RUN
 *
 * Return: true, with KVM_EXIT_DEBUG in vcpu->run, if KVM_RUN must return
 * at once; false if the guest is to run.
 */
bool kvmppc_booke_debug_step_done(struct kvm_vcpu *vcpu)
{
	bool pending = vcpu->arch.debug_step_pending;

	vcpu->arch.debug_step_pending = false;
	if (!pending || !(vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP))
		return false;
	gd_step_exit(vcpu);
	return true;
}

/**
 * kvmppc_booke_debug_sw_breakpoint() - report the KVM_REG_PPC_DEBUG_INST
 * instruction, which the guest just executed
 * @vcpu: the vCPU, stopped at the instruction, with KVM_GUESTDBG_USE_SW_BP
 *
 * Return: RESUME_HOST with KVM_EXIT_DEBUG, status 0 and the PC as address.
 */
int kvmppc_booke_debug_sw_breakpoint(struct kvm_vcpu *vcpu)
{
	kvm_guest_debug_exit(vcpu, KVM_GUEST_DEBUG_SW_BP, vcpu->arch.regs.nip);
	vcpu->run->debug.arch.address = vcpu->arch.regs.nip;
	vcpu->arch.debug_exit_dbsr = GD_EXIT_SW_BP;
	return RESUME_HOST;
}

/*
 * INJECT_BP gives a software breakpoint back as the program interrupt the
 * guest takes for that instruction when nobody debugs it: an illegal
 * instruction, ESR[PIL].  INJECT_DB gives a debug event back as a debug
 * interrupt with its DBSR bits, which the guest takes once its MSR[DE]
 * allows.
 */
static int gd_check_inject(struct kvm_vcpu *vcpu, u32 control)
{
	u32 last = vcpu->arch.debug_exit_dbsr;
	bool sw_bp = last == GD_EXIT_SW_BP;

	if ((control & GD_INJECT) == GD_INJECT || !last)
		return -EINVAL;
	if (!!(control & KVM_GUESTDBG_INJECT_BP) != sw_bp)
		return -EINVAL;
	return 0;
}

static void gd_inject(struct kvm_vcpu *vcpu, u32 control)
{
	if (control & KVM_GUESTDBG_INJECT_BP) {
		kvmppc_core_queue_program(vcpu, ESR_PIL);
	} else {
		vcpu->arch.dbsr |= vcpu->arch.debug_exit_dbsr;
		kvmppc_core_queue_debug(vcpu);
	}
	vcpu->arch.debug_exit_dbsr = 0;
}

/**
 * kvm_arch_vcpu_ioctl_set_guest_debug() - Book E's KVM_SET_GUEST_DEBUG
 * @vcpu: the vCPU, with vcpu->mutex held
 * @dbg: the request; its control flags are already known to be supported
 *
 * With KVM_GUESTDBG_ENABLE clear, userspace stops debugging and the guest
 * gets its own debug registers back.  With KVM_GUESTDBG_SINGLESTEP
 * (DBCR0[IC]) or KVM_GUESTDBG_USE_HW_BP (IACs and DACs from
 * @dbg->arch.bp[]), userspace's set replaces the guest's in the debug unit
 * at once, MSR[DE] included.  KVM_GUESTDBG_INJECT_BP and INJECT_DB act
 * once, with or without KVM_GUESTDBG_ENABLE, and give the last debug exit
 * back to the guest.
 * KVM_GUESTDBG_BLOCKIRQ holds asynchronous interrupts back.
 *
 * Return: 0; -EINVAL for a breakpoint entry of an unknown type, beyond the
 * IACs or DACs the core has, or at an address the core cannot compare,
 * and for an injection without a matching exit.  On error the vCPU is
 * unchanged.
 */
int kvm_arch_vcpu_ioctl_set_guest_debug(struct kvm_vcpu *vcpu,
					struct kvm_guest_debug *dbg)
{
	u32 control = dbg->control;
	struct debug_reg hw;
	int ret;

	/* An injection needs no debugging session, as on x86. */
	if (!(control & KVM_GUESTDBG_ENABLE))
		control &= GD_INJECT;
	ret = gd_build_hw(dbg, control, &hw);
	if (ret)
		return ret;
	if (control & GD_INJECT) {
		ret = gd_check_inject(vcpu, control);
		if (ret)
			return ret;
	}

	vcpu_load(vcpu);
	if (control & GD_INJECT)
		gd_inject(vcpu, control);
	vcpu->guest_debug = control & ~GD_INJECT;
	if (control & GD_OWNS_HW)
		vcpu->arch.dbg_reg = hw;
	else
		gd_guest_hw(vcpu, &vcpu->arch.dbg_reg);
	kvmppc_booke_debug_sync_msr(vcpu);
	vcpu_put(vcpu);
	return 0;
}

static unsigned long *gd_reg(struct debug_reg *regs, int sprn)
{
	switch (sprn) {
	case SPRN_IAC1:
		return &regs->iac1;
	case SPRN_IAC2:
		return &regs->iac2;
#if CONFIG_PPC_ADV_DEBUG_IACS > 2
	case SPRN_IAC3:
		return &regs->iac3;
	case SPRN_IAC4:
		return &regs->iac4;
#endif
	case SPRN_DAC1:
		return &regs->dac1;
	case SPRN_DAC2:
		return &regs->dac2;
	}
	return NULL;
}

/* The guest changed its own set: the debug unit follows unless userspace owns it. */
static void gd_guest_changed(struct kvm_vcpu *vcpu)
{
	struct debug_reg hw;

	if (gd_userspace_owns_hw(vcpu))
		return;
	gd_guest_hw(vcpu, &hw);
	gd_load_running(vcpu, &hw);
}

/**
 * kvmppc_booke_debug_mtspr() - emulate the guest's write of a debug register
 * @vcpu: the vCPU
 * @sprn: the SPR
 * @val: the value
 *
 * The guest's own set changes, never userspace's.
 *
 * Return: EMULATE_DONE, or EMULATE_FAIL if @sprn is no debug register.
 */
int kvmppc_booke_debug_mtspr(struct kvm_vcpu *vcpu, int sprn, ulong val)
{
	struct debug_reg *guest = &vcpu->arch.guest_dbg_reg;
	unsigned long *reg = gd_reg(guest, sprn);

	if (reg) {
		*reg = val;
	} else if (sprn == SPRN_DBCR0) {
		guest->dbcr0 = val & GD_GUEST_DBCR0;
	} else if (sprn == SPRN_DBCR1) {
		guest->dbcr1 = val;
	} else if (sprn == SPRN_DBCR2) {
		guest->dbcr2 = val;
	} else if (sprn == SPRN_DBSR) {
		vcpu->arch.dbsr &= ~val;
		if (!(vcpu->arch.dbsr & ~DBSR_IDE))
			kvmppc_core_dequeue_debug(vcpu);
		return EMULATE_DONE;
	} else {
		return EMULATE_FAIL;
	}

	gd_guest_changed(vcpu);
	return EMULATE_DONE;
}

/**
 * kvmppc_booke_debug_mfspr() - emulate the guest's read of a debug register
 * @vcpu: the vCPU
 * @sprn: the SPR
 * @val: where the value goes
 *
 * The guest reads its own set.  While userspace owns the debug unit,
 * DBCR0[EDM] tells the guest that an external debugger has it.
 *
 * Return: EMULATE_DONE, or EMULATE_FAIL if @sprn is no debug register.
 */
int kvmppc_booke_debug_mfspr(struct kvm_vcpu *vcpu, int sprn, ulong *val)
{
	struct debug_reg *guest = &vcpu->arch.guest_dbg_reg;
	unsigned long *reg = gd_reg(guest, sprn);

	if (reg)
		*val = *reg;
	else if (sprn == SPRN_DBCR0)
		*val = guest->dbcr0 | (gd_userspace_owns_hw(vcpu) ? DBCR0_EDM : 0);
	else if (sprn == SPRN_DBCR1)
		*val = guest->dbcr1;
	else if (sprn == SPRN_DBCR2)
		*val = guest->dbcr2;
	else if (sprn == SPRN_DBSR)
		*val = vcpu->arch.dbsr;
	else
		return EMULATE_FAIL;
	return EMULATE_DONE;
}

static int gd_one_reg_sprn(u64 id)
{
	switch (id) {
	case KVM_REG_PPC_IAC1:
		return SPRN_IAC1;
	case KVM_REG_PPC_IAC2:
		return SPRN_IAC2;
#if CONFIG_PPC_ADV_DEBUG_IACS > 2
	case KVM_REG_PPC_IAC3:
		return SPRN_IAC3;
	case KVM_REG_PPC_IAC4:
		return SPRN_IAC4;
#endif
	case KVM_REG_PPC_DAC1:
		return SPRN_DAC1;
	case KVM_REG_PPC_DAC2:
		return SPRN_DAC2;
	}
	return -1;
}

/**
 * kvmppc_booke_debug_get_one_reg() - read KVM_REG_PPC_IACn or DACn
 * @vcpu: the vCPU
 * @id: the ONE_REG id
 * @val: where the value goes
 *
 * Reads the guest's own register, as the guest's mfspr does, also while
 * userspace's breakpoints and watchpoints hold the debug unit: a VMM that
 * saves these registers and writes them back, as QEMU does on its register
 * syncs and a migration does, must not copy its debugger's addresses into
 * the guest.
 *
 * Return: 0, or -EINVAL if @id is not such a register of this core.
 */
int kvmppc_booke_debug_get_one_reg(struct kvm_vcpu *vcpu, u64 id,
				   union kvmppc_one_reg *val)
{
	int sprn = gd_one_reg_sprn(id);

	if (sprn < 0)
		return -EINVAL;
	*val = get_reg_val(id, *gd_reg(&vcpu->arch.guest_dbg_reg, sprn));
	return 0;
}

/**
 * kvmppc_booke_debug_set_one_reg() - write KVM_REG_PPC_IACn or DACn
 * @vcpu: the vCPU, loaded
 * @id: the ONE_REG id
 * @val: the value
 *
 * Writes the guest's own register, which userspace's set, if any, hides
 * until userspace stops debugging.
 *
 * Return: 0, or -EINVAL if @id is not such a register of this core.
 */
int kvmppc_booke_debug_set_one_reg(struct kvm_vcpu *vcpu, u64 id,
				   union kvmppc_one_reg *val)
{
	int sprn = gd_one_reg_sprn(id);
	struct debug_reg hw;

	if (sprn < 0)
		return -EINVAL;
	*gd_reg(&vcpu->arch.guest_dbg_reg, sprn) = set_reg_val(id, *val);
	if (!gd_userspace_owns_hw(vcpu)) {
		gd_guest_hw(vcpu, &hw);
		vcpu->arch.dbg_reg = hw;
	}
	return 0;
}
