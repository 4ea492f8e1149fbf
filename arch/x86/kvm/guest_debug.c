// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest debug on x86 (VMX and SVM), seen from userspace: what
 * KVM_SET_GUEST_DEBUG accepts, which debug exceptions stop the vCPU with
 * KVM_EXIT_DEBUG, and what such an exit reports.
 *
 * Userspace owns the part of a #DB that its own mechanisms raised: the
 * trap flag KVM sets for its single-step, and hits in the DR0-3 slots its
 * DR7 enables while its breakpoints are the ones in the hardware.  The
 * rest (the guest's own trap flag, its own breakpoints, ICEBP) goes to the
 * guest as if no debugger were attached, on both vendors and from L2
 * alike, even when one #DB carries both.  An int3 cannot be told apart
 * that way: with KVM_GUESTDBG_USE_SW_BP every #BP exits, and userspace
 * hands back the ones it did not plant with KVM_GUESTDBG_INJECT_BP, right
 * after the exit.  Accesses that KVM's emulator performs never reach the
 * breakpoint hardware, so KVM matches them against userspace's
 * watchpoints itself.
 */
#include <linux/kvm_guest_debug.h>

#include <asm/debugreg.h>

#include "guest_debug.h"
#include "kvm_cache_regs.h"
#include "x86.h"

#define GD_INJECT	(KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_INJECT_DB)

/* DR7 bits that are neither an architectural control nor fixed to 1. */
#define GD_DR7_RESERVED	(~(u64)(DR7_VOLATILE | DR7_FIXED_1))

/* The R/W and LEN fields of breakpoint @i in DR7. */
#define GD_DR7_RW(dr7, i)	(((dr7) >> (DR_CONTROL_SHIFT + (i) * DR_CONTROL_SIZE)) & 3)
#define GD_DR7_LEN(dr7, i)	(((dr7) >> (DR_CONTROL_SHIFT + (i) * DR_CONTROL_SIZE + 2)) & 3)
#define GD_DR7_RW_IO		2

static bool gd_slot_enabled(u64 dr7, int i)
{
	return dr7 & (3 << (i * DR_ENABLE_SIZE));
}

/* The size in bytes of each LEN encoding: 1, 2, 8 (long mode only), 4. */
static const u8 gd_len_bytes[4] = { 1, 2, 8, 4 };

/*
 * What userspace puts in DR7 and in the slots it enables is loaded into
 * the hardware as it is, so it must be something the CPU accepts and
 * honours: no reserved DR7 bit, a canonical address, no I/O breakpoint
 * (its meaning depends on the guest's CR4.DE), an execute breakpoint only
 * with a length of one byte, and a data breakpoint aligned to its length.
 * A slot that DR7 leaves disabled is not looked at: VMMs leave stack
 * garbage there, and KVM loads zero in its place.
 */
static int gd_check_debugregs(const struct kvm_guest_debug_arch *arch)
{
	u64 dr7 = arch->debugreg[7];
	int i;

	if (dr7 & GD_DR7_RESERVED)
		return -EINVAL;
	for (i = 0; i < KVM_NR_DB_REGS; i++) {
		u64 addr = arch->debugreg[i];
		unsigned int rw = GD_DR7_RW(dr7, i);
		unsigned int len = GD_DR7_LEN(dr7, i);

		if (!gd_slot_enabled(dr7, i))
			continue;
		if (!__is_canonical_address(addr, max_host_virt_addr_bits()))
			return -EINVAL;
		if (rw == GD_DR7_RW_IO)
			return -EINVAL;
		if (rw == DR_RW_EXECUTE ? len : addr & (gd_len_bytes[len] - 1))
			return -EINVAL;
	}
	return 0;
}

/*
 * APICv delivers interrupts behind KVM's back, so it must be off in the
 * whole VM while any vCPU holds its interrupts back.
 */
static void gd_update_blockirq_inhibit(struct kvm *kvm)
{
	struct kvm_vcpu *vcpu;
	unsigned long i;
	bool blocked = false;

	if (!enable_apicv)
		return;
	down_write(&kvm->arch.apicv_update_lock);
	kvm_for_each_vcpu(i, vcpu, kvm)
		blocked |= !!(vcpu->guest_debug & KVM_GUESTDBG_BLOCKIRQ);
	__kvm_set_or_clear_apicv_inhibit(kvm, APICV_INHIBIT_REASON_BLOCKIRQ,
					 blocked);
	up_write(&kvm->arch.apicv_update_lock);
}

/**
 * kvm_arch_vcpu_ioctl_set_guest_debug() - x86's KVM_SET_GUEST_DEBUG
 * @vcpu: the vCPU, with vcpu->mutex held
 * @dbg: the request; its control flags are already known to be supported
 *
 * With KVM_GUESTDBG_ENABLE clear, userspace stops debugging the guest, and
 * the guest's own DR0-3 and DR7 are back in the hardware.  Otherwise
 * KVM_GUESTDBG_USE_HW_BP puts userspace's DR0-3 and DR7 there instead,
 * while the guest keeps reading and writing its own values,
 * KVM_GUESTDBG_SINGLESTEP steps through a trap flag the guest does not see,
 * and KVM_GUESTDBG_BLOCKIRQ holds interrupts, NMIs and SMIs back.
 * KVM_GUESTDBG_INJECT_BP or INJECT_DB, with or without ENABLE, queue a #BP
 * or #DB for the guest, once.
 *
 * An INJECT flag is accepted only right after a KVM_EXIT_DEBUG of its
 * kind, a #BP for INJECT_BP and a #DB for INJECT_DB, and before anything
 * has run the vCPU or replaced its state: only then does the guest take
 * the exception where it was raised, and a #BP with the length of the
 * int3 that raised it.
 *
 * Return: 0; -EINVAL for a protected guest, for debug registers the CPU
 * cannot take, or for an INJECT flag with no such exit to hand back;
 * -EBUSY when an INJECT flag finds another exception pending or being
 * delivered.  On error the vCPU is unchanged.
 */
int kvm_arch_vcpu_ioctl_set_guest_debug(struct kvm_vcpu *vcpu,
					struct kvm_guest_debug *dbg)
{
	u32 control = dbg->control;
	u32 old_blockirq = vcpu->guest_debug & KVM_GUESTDBG_BLOCKIRQ;
	bool use_hw;
	unsigned long rflags;
	int i, r = 0;

	if (vcpu->arch.guest_state_protected)
		return -EINVAL;
	if (!(control & KVM_GUESTDBG_ENABLE))
		control &= GD_INJECT;
	use_hw = control & KVM_GUESTDBG_USE_HW_BP;
	if (use_hw) {
		r = gd_check_debugregs(&dbg->arch);
		if (r)
			return r;
	}

	if ((control & GD_INJECT) &&
	    (control & GD_INJECT) != vcpu->arch.debug_exit_inject)
		return -EINVAL;

	vcpu_load(vcpu);
	if (control & GD_INJECT) {
		if (kvm_is_exception_pending(vcpu) ||
		    vcpu->arch.exception.injected) {
			r = -EBUSY;
			goto out;
		}
		kvm_queue_exception(vcpu, control & KVM_GUESTDBG_INJECT_BP ?
					  BP_VECTOR : DB_VECTOR);
		vcpu->arch.debug_exit_inject = 0;
	}

	/*
	 * A MOV DR exit may have let the guest at its debug registers without
	 * exits, and a signal ended KVM_RUN before the guest ran again.  Take
	 * that access back before userspace's breakpoints can reach the
	 * hardware: the guest has not run since, so its values are all still
	 * in vcpu->arch.
	 */
	if (vcpu->arch.switch_db_regs & KVM_DEBUGREG_WONT_EXIT)
		kvm_x86_call(cancel_dirty_debug_regs)(vcpu);

	/* Read with the old flags, which may still hide a step's TF. */
	rflags = kvm_get_rflags(vcpu);

	vcpu->guest_debug = control & ~GD_INJECT;
	for (i = 0; i < KVM_NR_DB_REGS; i++) {
		if (!use_hw)
			vcpu->arch.eff_db[i] = vcpu->arch.db[i];
		else if (gd_slot_enabled(dbg->arch.debugreg[7], i))
			vcpu->arch.eff_db[i] = dbg->arch.debugreg[i];
		else
			vcpu->arch.eff_db[i] = 0;
	}
	vcpu->arch.guest_debug_dr7 = use_hw ? dbg->arch.debugreg[7] | DR7_FIXED_1 : 0;
	kvm_update_dr7(vcpu);
	if (control & KVM_GUESTDBG_SINGLESTEP)
		vcpu->arch.singlestep_rip = kvm_get_linear_rip(vcpu);
	/* Sets or clears the step's TF under the new flags. */
	kvm_set_rflags(vcpu, rflags);
	kvm_x86_call(update_exception_bitmap)(vcpu);
	/* Only this vCPU's BLOCKIRQ can have changed the VM's answer. */
	if ((control & KVM_GUESTDBG_BLOCKIRQ) != old_blockirq)
		gd_update_blockirq_inhibit(vcpu->kvm);
out:
	vcpu_put(vcpu);
	return r;
}

/**
 * kvm_guest_debug_emulate_gd() - the guest's own DR7.GD, while it is not
 *                                 in the hardware
 * @vcpu: the vCPU, stopped at a MOV to or from a debug register
 *
 * While userspace's DR7 is in the hardware the guest's GD bit has no
 * effect there, so KVM, which intercepts the access, raises the #DB that
 * the guest asked for.
 *
 * Return: true if the guest takes a #DB instead of the access.
 */
bool kvm_guest_debug_emulate_gd(struct kvm_vcpu *vcpu)
{
	if (!(vcpu->guest_debug & KVM_GUESTDBG_USE_HW_BP) ||
	    !(vcpu->arch.dr7 & DR7_GD))
		return false;
	kvm_queue_exception_p(vcpu, DB_VECTOR, DR6_BD);
	return true;
}
EXPORT_SYMBOL_GPL(kvm_guest_debug_emulate_gd);

/*
 * A hit in an enabled data breakpoint, or DR6.BD (an access to the debug
 * registers), is a watchpoint; a hit in an enabled execute breakpoint a
 * hardware breakpoint; DR6.BS alone a step.  DR6 may flag a matching slot
 * that DR7 leaves disabled: that one does not count.
 */
static enum kvm_guest_debug_cause gd_exit_cause(u8 vector, unsigned long payload,
						unsigned long dr7)
{
	bool exec_hit = false;
	int i;

	if (vector == BP_VECTOR)
		return KVM_GUEST_DEBUG_SW_BP;
	if (payload & DR6_BD)
		return KVM_GUEST_DEBUG_WATCHPOINT;
	for (i = 0; i < KVM_NR_DB_REGS; i++) {
		if (!(payload & BIT(i)) || !gd_slot_enabled(dr7, i))
			continue;
		if (GD_DR7_RW(dr7, i))
			return KVM_GUEST_DEBUG_WATCHPOINT;
		exec_hit = true;
	}
	return exec_hit ? KVM_GUEST_DEBUG_HW_BP : KVM_GUEST_DEBUG_STEP;
}

/*
 * What is left of a #DB once userspace's bits are out is an event of the
 * guest's own if it holds the guest's trap flag, or a hit in a breakpoint
 * of the guest's while the guest's DR0-3 and DR7 are in the hardware; a
 * match flagged for a disabled slot is not one.
 */
static bool gd_guest_event(struct kvm_vcpu *vcpu, unsigned long rest)
{
	if (!(vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP) && (rest & DR6_BS))
		return true;
	return !(vcpu->guest_debug & KVM_GUESTDBG_USE_HW_BP) &&
	       (rest & kvm_guest_debug_enabled_slots(vcpu->arch.dr7));
}

/**
 * kvm_guest_debug_report() - stop the vCPU with KVM_EXIT_DEBUG
 * @vcpu: the vCPU, with its RIP at the instruction to run next
 * @vector: DB_VECTOR or BP_VECTOR
 * @payload: for a #DB, its DR6 bits in the form kvm_guest_debug_owns_db()
 *           takes; 0 for a #BP
 *
 * debug.arch.exception gets @vector, pc the linear address of the next
 * instruction (the int3 itself for a #BP), dr6 userspace's bits of the
 * event (kvm_guest_debug_db_bits()) in the form DR6 reads, and dr7 the
 * DR7 that was in effect: userspace's with KVM_GUESTDBG_USE_HW_BP, the
 * guest's otherwise.  A #DB that also carries an event of the guest's own,
 * such as the guest's trap flag on an instruction that hit userspace's
 * watchpoint, leaves the guest a #DB with the rest of the bits, which it
 * takes when it next runs.
 *
 * Return: 0, to exit to userspace.
 */
int kvm_guest_debug_report(struct kvm_vcpu *vcpu, u8 vector,
			   unsigned long payload)
{
	struct kvm_debug_exit_arch *exit = &vcpu->run->debug.arch;
	unsigned long dr7 = vcpu->guest_debug & KVM_GUESTDBG_USE_HW_BP ?
			    vcpu->arch.guest_debug_dr7 : vcpu->arch.dr7;
	unsigned long pc = kvm_get_linear_rip(vcpu);
	unsigned long mine = payload;

	if (vector == DB_VECTOR) {
		mine = kvm_guest_debug_db_bits(vcpu, payload) ?: payload;
		if (gd_guest_event(vcpu, payload & ~mine))
			kvm_queue_exception_p(vcpu, DB_VECTOR, payload & ~mine);
	}
	kvm_guest_debug_exit(vcpu, gd_exit_cause(vector, mine, dr7), pc);
	exit->exception = vector;
	exit->pc = pc;
	exit->dr6 = mine ^ DR6_ACTIVE_LOW;
	exit->dr7 = dr7;
	vcpu->arch.debug_exit_inject = vector == BP_VECTOR ?
				       KVM_GUESTDBG_INJECT_BP :
				       KVM_GUESTDBG_INJECT_DB;
	if (vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP) {
		/*
		 * The next step starts here, with TF back if the emulator
		 * dropped it when it moved RIP on; a #DB intercepted in
		 * hardware left it in place.
		 */
		vcpu->arch.singlestep_rip = exit->pc;
		if (!(kvm_x86_call(get_rflags)(vcpu) & X86_EFLAGS_TF))
			__kvm_set_rflags(vcpu, kvm_get_rflags(vcpu));
	}
	return 0;
}
EXPORT_SYMBOL_GPL(kvm_guest_debug_report);

/**
 * kvm_guest_debug_step_exit() - the KVM_EXIT_DEBUG of the traps of an
 *				 instruction that KVM completed itself
 * @vcpu: the vCPU, with its RIP past the instruction it emulated or
 *	  finished for userspace
 *
 * The traps are the step of userspace's KVM_GUESTDBG_SINGLESTEP and those
 * in vcpu->arch.debug_pending_dr6: the hits of the instruction's emulated
 * accesses in userspace's watchpoints, and the guest's own trap flag.  A
 * KVM_RUN with immediate_exit set only completes pending I/O and fails
 * with EINTR, so the exit then waits for the next KVM_RUN; what userspace
 * no longer asks for by then is dropped.  What is the guest's goes to the
 * guest.
 *
 * Return: 0 to exit to userspace, 1 to go on with KVM_RUN.
 */
int kvm_guest_debug_step_exit(struct kvm_vcpu *vcpu)
{
	unsigned long payload = vcpu->arch.debug_pending_dr6;

	if (vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP)
		payload |= DR6_BS;
	if (kvm_guest_debug_owns_db(vcpu, payload)) {
		if (!vcpu->wants_to_run) {
			vcpu->arch.complete_userspace_io = kvm_guest_debug_step_exit;
			return 1;
		}
		vcpu->arch.debug_pending_dr6 = 0;
		return kvm_guest_debug_report(vcpu, DB_VECTOR, payload);
	}
	vcpu->arch.debug_pending_dr6 = 0;
	/* Without userspace's step, BS can only be the guest's. */
	if (payload & DR6_BS)
		kvm_queue_exception_p(vcpu, DB_VECTOR, DR6_BS);
	return 1;
}

/**
 * kvm_guest_debug_insn_done() - the debug traps of an instruction that KVM
 *				 emulated
 * @vcpu: the vCPU, with its RIP past the instruction
 * @guest_tf: whether the guest's own trap flag was set for it
 *
 * Return: 0 to exit to userspace, 1 to go on with KVM_RUN.
 */
int kvm_guest_debug_insn_done(struct kvm_vcpu *vcpu, bool guest_tf)
{
	if (guest_tf)
		vcpu->arch.debug_pending_dr6 |= DR6_BS;
	return kvm_guest_debug_step_exit(vcpu);
}

/**
 * kvm_guest_debug_write_done() - finish an emulated MMIO or port write
 *				  that went out to userspace
 * @vcpu: the vCPU, with its RIP already past the instruction
 *
 * The emulator completes such an instruction before the exit to userspace,
 * too early for the debug traps that follow it.  They are taken here
 * instead, when the vCPU is about to run again (kvm_guest_debug_step_exit()).
 *
 * Return: 0 to exit to userspace, 1 to go on with KVM_RUN.
 */
int kvm_guest_debug_write_done(struct kvm_vcpu *vcpu)
{
	return kvm_guest_debug_insn_done(vcpu,
					 kvm_get_rflags(vcpu) & X86_EFLAGS_TF);
}

/**
 * __kvm_guest_debug_watch() - an access that KVM emulates, against
 *			       userspace's watchpoints
 * @vcpu: the vCPU whose instruction KVM emulates
 * @addr: the linear address of the access
 * @len: its length in bytes
 * @write: whether it writes
 *
 * The CPU never sees such an access, MMIO above all, so KVM matches it
 * against the data breakpoints of userspace's DR7 as the CPU would: a
 * write breakpoint on a write, a read/write one on either, wherever the
 * access overlaps the breakpoint's bytes.  A hit goes into
 * vcpu->arch.debug_pending_dr6, for the trap once the instruction is done.
 */
void __kvm_guest_debug_watch(struct kvm_vcpu *vcpu, unsigned long addr,
			     unsigned int len, bool write)
{
	unsigned long dr7 = vcpu->arch.guest_debug_dr7;
	int i;

	for (i = 0; i < KVM_NR_DB_REGS; i++) {
		unsigned int rw = GD_DR7_RW(dr7, i);
		unsigned long start = vcpu->arch.eff_db[i];

		if (!gd_slot_enabled(dr7, i) || rw == DR_RW_EXECUTE ||
		    rw == GD_DR7_RW_IO || (rw == DR_RW_WRITE && !write))
			continue;
		if (addr < start + gd_len_bytes[GD_DR7_LEN(dr7, i)] &&
		    start < addr + len)
			vcpu->arch.debug_pending_dr6 |= BIT(i);
	}
}
EXPORT_SYMBOL_GPL(__kvm_guest_debug_watch);

/**
 * kvm_guest_debug_hide_tf() - the guest's view of RFLAGS
 * @vcpu: the vCPU
 * @rflags: RFLAGS as the hardware has them
 *
 * Return: @rflags without the TF of userspace's single-step.
 */
unsigned long kvm_guest_debug_hide_tf(struct kvm_vcpu *vcpu,
				      unsigned long rflags)
{
	if (vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP)
		rflags &= ~X86_EFLAGS_TF;
	return rflags;
}

/**
 * kvm_guest_debug_apply_tf() - the hardware's view of RFLAGS
 * @vcpu: the vCPU
 * @rflags: RFLAGS as the guest is to see them
 *
 * Return: @rflags with TF added while userspace single-steps and the vCPU
 * is still at the instruction the step starts from, that is, not after an
 * event that moved it elsewhere.
 */
unsigned long kvm_guest_debug_apply_tf(struct kvm_vcpu *vcpu,
				       unsigned long rflags)
{
	if ((vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP) &&
	    kvm_is_linear_rip(vcpu, vcpu->arch.singlestep_rip))
		rflags |= X86_EFLAGS_TF;
	return rflags;
}
