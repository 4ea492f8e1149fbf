/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Book E guest debug: the hooks that booke.c and booke_emulate.c call.
 */
#ifndef __KVM_BOOKE_GUEST_DEBUG_H__
#define __KVM_BOOKE_GUEST_DEBUG_H__

#include <linux/kvm_host.h>

void kvmppc_booke_debug_enter(struct kvm_vcpu *vcpu, struct debug_reg *thread_debug);
void kvmppc_booke_debug_leave(struct kvm_vcpu *vcpu, struct debug_reg *thread_debug);
void kvmppc_booke_debug_rearm(struct kvm_vcpu *vcpu);
void kvmppc_booke_debug_latch(struct kvm_vcpu *vcpu);
void kvmppc_booke_debug_sync_msr(struct kvm_vcpu *vcpu);
bool kvmppc_booke_debug_irqs_blocked(struct kvm_vcpu *vcpu);
bool kvmppc_booke_debug_wait_ends(struct kvm_vcpu *vcpu);
void kvmppc_booke_debug_regs_replaced(struct kvm_vcpu *vcpu, unsigned long pc);
int kvmppc_booke_debug_interrupt(struct kvm_vcpu *vcpu);
int kvmppc_booke_debug_sw_breakpoint(struct kvm_vcpu *vcpu);
int kvmppc_booke_debug_after_exit(struct kvm_vcpu *vcpu, unsigned int exit_nr,
				  ulong exit_pc, int r);
bool kvmppc_booke_debug_step_done(struct kvm_vcpu *vcpu);
int kvmppc_booke_debug_mtspr(struct kvm_vcpu *vcpu, int sprn, ulong val);
int kvmppc_booke_debug_mfspr(struct kvm_vcpu *vcpu, int sprn, ulong *val);
int kvmppc_booke_debug_get_one_reg(struct kvm_vcpu *vcpu, u64 id, union kvmppc_one_reg *val);
int kvmppc_booke_debug_set_one_reg(struct kvm_vcpu *vcpu, u64 id, union kvmppc_one_reg *val);

#endif /* __KVM_BOOKE_GUEST_DEBUG_H__ */
