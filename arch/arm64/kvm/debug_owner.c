// SPDX-License-Identifier: GPL-2.0-only
/*
 * Who owns a vCPU's debug hardware while the guest runs, and what is put
 * aside meanwhile.
 *
 * - Nobody: the guest has never touched its debug registers.  Accesses
 *   trap (MDCR_EL2.TDA), so KVM sees the first one and marks the vCPU
 *   DEBUG_DIRTY; until then nothing is switched.
 * - The guest: DEBUG_DIRTY is set, or MDSCR_EL1.MDE/KDE is.  Its own
 *   registers, vcpu_debug_state, are loaded at entry and saved at exit,
 *   and it may access them without trapping.
 * - Userspace: KVM_SET_GUEST_DEBUG is on.  Debug exceptions are routed to
 *   EL2 (MDCR_EL2.TDE).  With KVM_GUESTDBG_USE_HW, userspace's registers,
 *   external_debug_state, are loaded in place of the guest's.
 *
 * Userspace's single-step and hardware debugging need MDSCR_EL1.SS/MDE
 * and PSTATE.SS, which are the guest's.  For each run KVM borrows them:
 * the guest's values go to guest_debug_preserved at entry and come back
 * at exit, before any trapped access is handled.  While they are
 * borrowed, every guest access to the debug registers traps, so that the
 * guest only ever sees and changes its own values.  The OS Lock borrows
 * MDSCR_EL1.MDE in the same way, to keep the guest's debug exceptions
 * blocked without blocking the host's.
 */
#include <linux/bitfield.h>
#include <linux/kvm_host.h>
#include <linux/hw_breakpoint.h>

#include <asm/debug-monitors.h>
#include <asm/kvm_asm.h>
#include <asm/kvm_arm.h>
#include <asm/kvm_emulate.h>

#include "trace.h"

/* ID_AA64DFR0_EL1: SPE (PMSVer) and TRBE (TraceBuffer) are implemented. */
#define DFR0_PMSVER		GENMASK_ULL(35, 32)
#define DFR0_TRACEBUFFER	GENMASK_ULL(47, 44)

/* The host's MDCR_EL2 as firmware set it up, for its HPMN field. */
static DEFINE_PER_CPU(u64, host_mdcr_el2);

/**
 * kvm_arm_init_debug() - record this CPU's MDCR_EL2 at hyp initialisation
 */
void kvm_arm_init_debug(void)
{
	__this_cpu_write(host_mdcr_el2, kvm_call_hyp_ret(__kvm_get_mdcr_el2));
}

/* Whether this run borrows the guest's MDSCR_EL1 and PSTATE.SS. */
static bool debug_borrows_guest_state(struct kvm_vcpu *vcpu)
{
	return vcpu->guest_debug || kvm_vcpu_os_lock_enabled(vcpu);
}

static u64 debug_mdcr_el2(struct kvm_vcpu *vcpu)
{
	/*
	 * The host's performance monitors, profiling and trace buffers,
	 * trace filters, debug ROM and OS registers stay out of the guest's
	 * reach; only the event counter partition is the host's choice.
	 */
	u64 mdcr = __this_cpu_read(host_mdcr_el2) & MDCR_EL2_HPMN_MASK;

	mdcr |= MDCR_EL2_TPM | MDCR_EL2_TPMS | MDCR_EL2_TTRF | MDCR_EL2_TPMCR |
		MDCR_EL2_TDRA | MDCR_EL2_TDOSA;
	if (vcpu->guest_debug)
		mdcr |= MDCR_EL2_TDE;
	if (!vcpu_get_flag(vcpu, DEBUG_DIRTY) || debug_borrows_guest_state(vcpu))
		mdcr |= MDCR_EL2_TDA;
	return mdcr;
}

/**
 * kvm_arm_vcpu_init_debug() - set a new vCPU's debug traps
 * @vcpu: the vCPU
 */
void kvm_arm_vcpu_init_debug(struct kvm_vcpu *vcpu)
{
	preempt_disable();
	vcpu->arch.mdcr_el2 = debug_mdcr_el2(vcpu);
	preempt_enable();
}

/**
 * kvm_arm_reset_debug_ptr() - make the guest's own registers the ones loaded
 * @vcpu: the vCPU
 */
void kvm_arm_reset_debug_ptr(struct kvm_vcpu *vcpu)
{
	vcpu->arch.debug_ptr = &vcpu->arch.vcpu_debug_state;
}

static void debug_update_mdscr(struct kvm_vcpu *vcpu, u64 set, u64 clear)
{
	u64 mdscr = vcpu_read_sys_reg(vcpu, MDSCR_EL1);

	vcpu_write_sys_reg(vcpu, (mdscr & ~clear) | set, MDSCR_EL1);
}

/* Puts the guest's MDSCR_EL1 and PSTATE.SS aside and sets userspace's. */
static void debug_borrow(struct kvm_vcpu *vcpu)
{
	unsigned long *pstate = vcpu_cpsr(vcpu);

	vcpu->arch.guest_debug_preserved.mdscr_el1 = vcpu_read_sys_reg(vcpu, MDSCR_EL1);
	vcpu->arch.guest_debug_preserved.pstate_ss = *pstate & DBG_SPSR_SS;

	/*
	 * Userspace's step, or none: the guest's own stepping waits until
	 * userspace is done.  A step that was taken but not yet reported
	 * (active-pending) must be reported before anything else runs, so
	 * PSTATE.SS stays clear for it.
	 */
	if (vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP) {
		if (vcpu_get_flag(vcpu, DBG_SS_ACTIVE_PENDING))
			*pstate &= ~DBG_SPSR_SS;
		else
			*pstate |= DBG_SPSR_SS;
		debug_update_mdscr(vcpu, DBG_MDSCR_SS, 0);
	} else {
		debug_update_mdscr(vcpu, 0, DBG_MDSCR_SS);
	}

	if (vcpu->guest_debug & KVM_GUESTDBG_USE_HW) {
		struct kvm_guest_debug_arch *regs = &vcpu->arch.external_debug_state;

		debug_update_mdscr(vcpu, DBG_MDSCR_MDE, 0);
		vcpu->arch.debug_ptr = regs;
		vcpu_set_flag(vcpu, DEBUG_DIRTY);
		trace_kvm_arm_set_regset("BKPTS", get_num_brps(), &regs->dbg_bcr[0],
					 &regs->dbg_bvr[0]);
		trace_kvm_arm_set_regset("WAPTS", get_num_wrps(), &regs->dbg_wcr[0],
					 &regs->dbg_wvr[0]);
	} else if (kvm_vcpu_os_lock_enabled(vcpu)) {
		/* The OS Lock blocks the guest's debug exceptions, not the host's. */
		debug_update_mdscr(vcpu, 0, DBG_MDSCR_MDE);
	}
}

/* Gives the guest its MDSCR_EL1 and PSTATE.SS back. */
static void debug_give_back(struct kvm_vcpu *vcpu)
{
	unsigned long *pstate = vcpu_cpsr(vcpu);

	/* PSTATE.SS clear: the step happened, its exception is still owed. */
	if ((vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP) && !(*pstate & DBG_SPSR_SS))
		vcpu_set_flag(vcpu, DBG_SS_ACTIVE_PENDING);

	vcpu_write_sys_reg(vcpu, vcpu->arch.guest_debug_preserved.mdscr_el1, MDSCR_EL1);
	if (vcpu->arch.guest_debug_preserved.pstate_ss)
		*pstate |= DBG_SPSR_SS;
	else
		*pstate &= ~DBG_SPSR_SS;

	if (vcpu->guest_debug & KVM_GUESTDBG_USE_HW)
		kvm_arm_reset_debug_ptr(vcpu);
}

/**
 * kvm_arm_setup_debug() - hand the debug hardware to its owner before entry
 * @vcpu: the vCPU about to run, with preemption disabled
 */
void kvm_arm_setup_debug(struct kvm_vcpu *vcpu)
{
	u64 old_mdcr = vcpu->arch.mdcr_el2;

	trace_kvm_arm_setup_debug(vcpu, vcpu->guest_debug);

	vcpu->arch.mdcr_el2 = debug_mdcr_el2(vcpu);
	if (debug_borrows_guest_state(vcpu))
		debug_borrow(vcpu);

	/* Debugging enabled in MDSCR_EL1 makes the registers worth switching. */
	if (vcpu_read_sys_reg(vcpu, MDSCR_EL1) & (DBG_MDSCR_KDE | DBG_MDSCR_MDE))
		vcpu_set_flag(vcpu, DEBUG_DIRTY);

	/* On VHE, vcpu_load already wrote MDCR_EL2. */
	if (has_vhe() && old_mdcr != vcpu->arch.mdcr_el2)
		write_sysreg(vcpu->arch.mdcr_el2, mdcr_el2);

	trace_kvm_arm_set_dreg32("MDCR_EL2", vcpu->arch.mdcr_el2);
	trace_kvm_arm_set_dreg32("MDSCR_EL1", vcpu_read_sys_reg(vcpu, MDSCR_EL1));
}

/**
 * kvm_arm_clear_debug() - take the debug hardware back after an exit
 * @vcpu: the vCPU that exited, before its exit is handled
 */
void kvm_arm_clear_debug(struct kvm_vcpu *vcpu)
{
	trace_kvm_arm_clear_debug(vcpu->guest_debug);

	if (debug_borrows_guest_state(vcpu))
		debug_give_back(vcpu);
}

/* SPE or TRBE is implemented, and its buffer not reserved for a higher EL. */
static bool host_spe_usable(u64 dfr0)
{
	return FIELD_GET(DFR0_PMSVER, dfr0) &&
	       !(read_sysreg_s(SYS_PMBIDR_EL1) & BIT(PMBIDR_EL1_P_SHIFT));
}

static bool host_trbe_usable(u64 dfr0)
{
	return FIELD_GET(DFR0_TRACEBUFFER, dfr0) &&
	       !(read_sysreg_s(SYS_TRBIDR_EL1) & TRBIDR_EL1_P);
}

/**
 * kvm_arch_vcpu_load_debug_state_flags() - note the host's SPE and TRBE
 * @vcpu: the vCPU being loaded
 *
 * On nVHE, the world switch must save and restore the host's profiling
 * and trace buffers when this CPU has them and the host (not firmware)
 * owns them.  VHE hosts keep them across the switch themselves.
 */
void kvm_arch_vcpu_load_debug_state_flags(struct kvm_vcpu *vcpu)
{
	u64 dfr0;

	if (has_vhe())
		return;
	/* This CPU's own ID register: SPE and TRBE may differ between CPUs. */
	dfr0 = read_sysreg(id_aa64dfr0_el1);
	if (host_spe_usable(dfr0))
		vcpu_set_flag(vcpu, DEBUG_STATE_SAVE_SPE);
	if (host_trbe_usable(dfr0))
		vcpu_set_flag(vcpu, DEBUG_STATE_SAVE_TRBE);
}

/**
 * kvm_arch_vcpu_put_debug_state_flags() - forget the host's SPE and TRBE
 * @vcpu: the vCPU being put
 */
void kvm_arch_vcpu_put_debug_state_flags(struct kvm_vcpu *vcpu)
{
	vcpu_clear_flag(vcpu, DEBUG_STATE_SAVE_SPE);
	vcpu_clear_flag(vcpu, DEBUG_STATE_SAVE_TRBE);
}
