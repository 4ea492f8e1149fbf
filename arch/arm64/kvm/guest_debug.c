// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest debug on arm64, seen from userspace: what KVM_SET_GUEST_DEBUG
 * accepts, and what a KVM_EXIT_DEBUG reports.
 *
 * The common code has already refused unknown control flags.  What is left
 * here is the register state a VMM hands over with KVM_GUESTDBG_USE_HW,
 * and the re-injection of a debug exception into the guest: both are
 * checked whole before anything is done, so that a refused request leaves
 * the vCPU exactly as it was.
 */
#include <linux/bitfield.h>
#include <linux/kvm_guest_debug.h>

#include <linux/irqchip/arm-gic.h>

#include <asm/esr.h>
#include <asm/hw_breakpoint.h>
#include <asm/kvm_emulate.h>
#include <asm/sysreg.h>

#include <kvm/arm_vgic.h>

#include "trace.h"

/* The enable bit of a DBGBCR<n>_EL1 or DBGWCR<n>_EL1. */
#define GD_CR_E	BIT(0)

/* The DBGBCR<n>_EL1 fields KVM knows; everything else is RES0. */
#define GD_BCR_FIELDS	(GD_CR_E |				\
			 GENMASK(2, 1) |	/* PMC */	\
			 GENMASK(8, 5) |	/* BAS */	\
			 BIT(13) |		/* HMC */	\
			 GENMASK(15, 14) |	/* SSC */	\
			 GENMASK(19, 16) |	/* LBN */	\
			 GENMASK(23, 20))	/* BT */

/* The DBGWCR<n>_EL1 fields KVM knows; everything else is RES0. */
#define GD_WCR_MASK	GENMASK(28, 24)
#define GD_WCR_BAS	GENMASK(12, 5)
#define GD_WCR_FIELDS	(GD_CR_E |				\
			 GENMASK(2, 1) |	/* PAC */	\
			 GENMASK(4, 3) |	/* LSC */	\
			 GD_WCR_BAS |				\
			 BIT(13) |		/* HMC */	\
			 GENMASK(15, 14) |	/* SSC */	\
			 GENMASK(19, 16) |	/* LBN */	\
			 BIT(20) |		/* WT */	\
			 GD_WCR_MASK)

/* Both kinds of address are word aligned: bits 1:0 are RES0. */
#define GD_VR_RES0	GENMASK(1, 0)

/*
 * An address mask of 1 or 2 is reserved, and a masked watchpoint must
 * select all eight bytes: the architecture gives either no meaning.
 */
static bool gd_wp_meaningful(u64 wcr)
{
	u64 mask = FIELD_GET(GD_WCR_MASK, wcr);

	if (mask == 1 || mask == 2)
		return false;
	return !mask || FIELD_GET(GD_WCR_BAS, wcr) == 0xff;
}

/*
 * Only an enabled slot that the CPU has is ever looked at.  VMMs leave
 * stack or heap memory in the slots they do not use, and may fill more
 * slots than a small CPU has; KVM ignores all of these, as it always did.
 */
static int gd_check_hw_state(const struct kvm_guest_debug_arch *hw)
{
	int wrps = get_num_wrps();
	int i;

	for (i = 0; i < wrps; i++) {
		if ((hw->dbg_wcr[i] & GD_CR_E) && !gd_wp_meaningful(hw->dbg_wcr[i]))
			return -EINVAL;
	}
	return 0;
}

/*
 * What the hardware gets: each enabled slot the CPU has, without the bits
 * that are RES0 (crosvm sets two in DBGBCR, and gdb hands over unaligned
 * AArch32 addresses), which the hardware would ignore anyway; zero in every
 * other slot.
 */
static void gd_sanitise_hw_state(struct kvm_guest_debug_arch *hw)
{
	int brps = get_num_brps(), wrps = get_num_wrps();
	int i;

	for (i = 0; i < KVM_ARM_MAX_DBG_REGS; i++) {
		if (i < brps && (hw->dbg_bcr[i] & GD_CR_E)) {
			hw->dbg_bcr[i] &= GD_BCR_FIELDS;
			hw->dbg_bvr[i] &= ~GD_VR_RES0;
		} else {
			hw->dbg_bcr[i] = 0;
			hw->dbg_bvr[i] = 0;
		}
		if (i < wrps && (hw->dbg_wcr[i] & GD_CR_E)) {
			hw->dbg_wcr[i] &= GD_WCR_FIELDS;
			hw->dbg_wvr[i] &= ~GD_VR_RES0;
		} else {
			hw->dbg_wcr[i] = 0;
			hw->dbg_wvr[i] = 0;
		}
	}
}

#define GD_INJECT	(KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_INJECT_DB)

/*
 * Whether the exception of the last debug exit can go back to the guest
 * as @control asks: INJECT_BP for a BRK, INJECT_DB for the other debug
 * exceptions, never both, and only into an AArch64 EL1 that nothing else
 * is about to change.
 */
static int gd_check_inject(struct kvm_vcpu *vcpu, u32 control)
{
	u64 esr = vcpu->arch.debug_exit_esr;
	bool brk = ESR_ELx_EC(esr) == ESR_ELx_EC_BRK64;

	if ((control & GD_INJECT) == GD_INJECT || !esr)
		return -EINVAL;
	if (!!(control & KVM_GUESTDBG_INJECT_BP) != brk)
		return -EINVAL;
	if (vcpu_has_nv(vcpu) || vcpu_mode_is_32bit(vcpu))
		return -EINVAL;
	if (vcpu_get_flag(vcpu, PENDING_EXCEPTION) || vcpu_get_flag(vcpu, INCREMENT_PC))
		return -EBUSY;
	return 0;
}

/*
 * The guest takes the exception as if no hypervisor had been in the way:
 * at its current PC, with the exit's syndrome, and from its own EL, which
 * for a breakpoint, watchpoint or step taken at EL1 is the "current EL"
 * exception class, one above the "lower EL" one that EL2 saw.
 */
static void gd_inject(struct kvm_vcpu *vcpu)
{
	u64 esr = vcpu->arch.debug_exit_esr;
	u8 ec = ESR_ELx_EC(esr);

	if (ec != ESR_ELx_EC_BRK64 && vcpu_mode_priv(vcpu))
		esr = (esr & ~ESR_ELx_EC_MASK) |
		      FIELD_PREP(ESR_ELx_EC_MASK, ec + 1);
	if (ec == ESR_ELx_EC_WATCHPT_LOW)
		vcpu_write_sys_reg(vcpu, vcpu->arch.debug_exit_far, FAR_EL1);
	vcpu_write_sys_reg(vcpu, esr, ESR_EL1);
	kvm_pend_exception(vcpu, EXCEPT_AA64_EL1_SYNC);
	vcpu->arch.debug_exit_esr = 0;
}

/**
 * kvm_arch_vcpu_ioctl_set_guest_debug() - arm64's KVM_SET_GUEST_DEBUG
 * @vcpu: the vCPU, with vcpu->mutex held
 * @dbg: the request; its control flags are already known to be supported
 *
 * With KVM_GUESTDBG_ENABLE clear, userspace stops debugging the guest.
 * Otherwise the flags take effect at the next guest entry, and with
 * KVM_GUESTDBG_USE_HW userspace's breakpoints and watchpoints replace the
 * guest's own in the hardware until debugging stops; the guest's values
 * are kept aside, untouched.  KVM_GUESTDBG_INJECT_BP or INJECT_DB, which
 * act once, with or without KVM_GUESTDBG_ENABLE, hand the exception of the
 * last debug exit back to the guest.
 * KVM_GUESTDBG_BLOCKIRQ holds the vGIC's interrupts back while it is set;
 * without an in-kernel vGIC, every interrupt line is userspace's to hold.
 *
 * Return: 0; -EINVAL if an enabled watchpoint has a reserved or partial
 * address mask, or there is no such exception to hand back; -EBUSY if the
 * guest has another exception pending.  On error the vCPU is unchanged.
 */
int kvm_arch_vcpu_ioctl_set_guest_debug(struct kvm_vcpu *vcpu,
					struct kvm_guest_debug *dbg)
{
	u32 control = dbg->control;
	int ret;

	trace_kvm_set_guest_debug(vcpu, control);

	/* An injection needs no debugging session, as on x86. */
	if (!(control & KVM_GUESTDBG_ENABLE))
		control &= GD_INJECT;
	if (control & KVM_GUESTDBG_USE_HW) {
		ret = gd_check_hw_state(&dbg->arch);
		if (ret)
			return ret;
	}
	if (control & GD_INJECT) {
		ret = gd_check_inject(vcpu, control);
		if (ret)
			return ret;
		gd_inject(vcpu);
	}
	if (control & KVM_GUESTDBG_USE_HW) {
		gd_sanitise_hw_state(&dbg->arch);
		vcpu->arch.external_debug_state = dbg->arch;
	}
	/* A step left pending belongs to the stepping that just ended. */
	if (!(control & KVM_GUESTDBG_SINGLESTEP))
		vcpu_clear_flag(vcpu, DBG_SS_ACTIVE_PENDING);
	vcpu->guest_debug = control & ~GD_INJECT;
	return 0;
}

static enum kvm_guest_debug_cause gd_exit_cause(u64 esr)
{
	switch (ESR_ELx_EC(esr)) {
	case ESR_ELx_EC_BRK64:
	case ESR_ELx_EC_BKPT32:
		return KVM_GUEST_DEBUG_SW_BP;
	case ESR_ELx_EC_BREAKPT_LOW:
		return KVM_GUEST_DEBUG_HW_BP;
	case ESR_ELx_EC_WATCHPT_LOW:
		return KVM_GUEST_DEBUG_WATCHPOINT;
	default:
		return KVM_GUEST_DEBUG_STEP;
	}
}

/**
 * kvm_arm_handle_debug_exit() - report a debug exception to userspace
 * @vcpu: the vCPU that took a BRK, breakpoint, watchpoint or software
 *        step exception while userspace was debugging it
 *
 * Return: 0, to exit to userspace with KVM_EXIT_DEBUG.  debug.arch.hsr and
 * hsr_high carry the syndrome, and debug.arch.far the address a watchpoint
 * hit.
 */
int kvm_arm_handle_debug_exit(struct kvm_vcpu *vcpu)
{
	struct kvm_debug_exit_arch *exit = &vcpu->run->debug.arch;
	u64 esr = kvm_vcpu_get_esr(vcpu);

	kvm_guest_debug_exit(vcpu, gd_exit_cause(esr), *vcpu_pc(vcpu));
	vcpu->arch.debug_exit_esr = esr;
	vcpu->arch.debug_exit_far = 0;
	exit->hsr = lower_32_bits(esr);
	exit->hsr_high = upper_32_bits(esr);
	vcpu->run->flags = KVM_DEBUG_ARCH_HSR_HIGH_VALID;

	if (ESR_ELx_EC(esr) == ESR_ELx_EC_WATCHPT_LOW) {
		exit->far = vcpu->arch.fault.far_el2;
		vcpu->arch.debug_exit_far = exit->far;
	}
	/* The step has been taken: the next entry starts a new one. */
	if (ESR_ELx_EC(esr) == ESR_ELx_EC_SOFTSTP_LOW)
		vcpu_clear_flag(vcpu, DBG_SS_ACTIVE_PENDING);
	return 0;
}

/*
 * An LR whose pending state is held back keeps its active state, so that
 * the guest can still deactivate an interrupt it is handling.  One left
 * with no state at all must not ask for an EOI maintenance interrupt, nor
 * may the vGIC ask for an underflow one: with nothing pending, either
 * would fire at once, and again at every entry.  Returns the LR to load.
 */
static u64 gd_hold_lr(struct kvm_vcpu *vcpu, int i, u64 lr, u64 pending, u64 active,
		      u64 eoi)
{
	if (!(lr & pending))
		return lr;
	vcpu->arch.debug_held_lrs |= BIT_ULL(i);
	if (lr & active)
		return lr & ~pending;
	if (lr & eoi)
		vcpu->arch.debug_held_eoi |= BIT_ULL(i);
	return lr & ~(pending | eoi);
}

/**
 * kvm_arm_guest_debug_hold_irqs() - apply KVM_GUESTDBG_BLOCKIRQ at entry
 * @vcpu: the vCPU about to enter the guest, its list registers filled
 *	  but not yet loaded, with interrupts disabled
 *
 * While userspace blocks interrupts, the pending state of every list
 * register is set aside until the guest exits, so that nothing is
 * signalled to the guest.  ICH_HCR_EL2.En (GICH_HCR.En) stays as the vGIC
 * has it.  Interrupts that GICv4 injects directly are not held back.
 */
void kvm_arm_guest_debug_hold_irqs(struct kvm_vcpu *vcpu)
{
	struct vgic_v3_cpu_if *v3 = &vcpu->arch.vgic_cpu.vgic_v3;
	struct vgic_v2_cpu_if *v2 = &vcpu->arch.vgic_cpu.vgic_v2;
	int i;

	vcpu->arch.debug_held_lrs = 0;
	vcpu->arch.debug_held_eoi = 0;
	if (static_branch_unlikely(&kvm_vgic_global_state.gicv3_cpuif)) {
		for (i = 0; i < v3->used_lrs; i++)
			v3->vgic_lr[i] = gd_hold_lr(vcpu, i, v3->vgic_lr[i], ICH_LR_PENDING_BIT,
						    ICH_LR_ACTIVE_BIT, ICH_LR_EOI);
		v3->vgic_hcr &= ~ICH_HCR_UIE;
	} else {
		for (i = 0; i < v2->used_lrs; i++)
			v2->vgic_lr[i] = gd_hold_lr(vcpu, i, v2->vgic_lr[i], GICH_LR_PENDING_BIT,
						    GICH_LR_ACTIVE_BIT, GICH_LR_EOI);
		v2->vgic_hcr &= ~GICH_HCR_UIE;
	}
}

/**
 * kvm_arm_guest_debug_release_irqs() - undo kvm_arm_guest_debug_hold_irqs()
 * @vcpu: the vCPU that left the guest, its list registers saved but not
 *	  yet folded back into the vGIC, with interrupts disabled
 *
 * An interrupt the guest deactivated meanwhile comes back pending only.
 */
void kvm_arm_guest_debug_release_irqs(struct kvm_vcpu *vcpu)
{
	struct vgic_cpu *vgic = &vcpu->arch.vgic_cpu;
	u64 held = vcpu->arch.debug_held_lrs;
	u64 eoi = vcpu->arch.debug_held_eoi;
	int i;

	for (i = 0; held; i++, held >>= 1, eoi >>= 1) {
		if (!(held & 1))
			continue;
		if (static_branch_unlikely(&kvm_vgic_global_state.gicv3_cpuif))
			vgic->vgic_v3.vgic_lr[i] |= ICH_LR_PENDING_BIT |
						    (eoi & 1 ? ICH_LR_EOI : 0);
		else
			vgic->vgic_v2.vgic_lr[i] |= GICH_LR_PENDING_BIT |
						    (eoi & 1 ? GICH_LR_EOI : 0);
	}
	vcpu->arch.debug_held_lrs = 0;
	vcpu->arch.debug_held_eoi = 0;
}
