/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tracepoint of KVM_EXIT_DEBUG, the same on every architecture: it
 * sits in the "kvm" event system next to kvm_userspace_exit, which only
 * says that a debug exit happened, not why or where.
 */
#if !defined(_TRACE_KVM_GUEST_DEBUG_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_KVM_GUEST_DEBUG_H

#include <linux/kvm_guest_debug.h>
#include <linux/tracepoint.h>

#undef TRACE_SYSTEM
#define TRACE_SYSTEM kvm
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE kvm_guest_debug

TRACE_DEFINE_ENUM(KVM_GUEST_DEBUG_SW_BP);
TRACE_DEFINE_ENUM(KVM_GUEST_DEBUG_HW_BP);
TRACE_DEFINE_ENUM(KVM_GUEST_DEBUG_WATCHPOINT);
TRACE_DEFINE_ENUM(KVM_GUEST_DEBUG_STEP);

TRACE_EVENT(kvm_guest_debug_exit,
	    TP_PROTO(unsigned int vcpu_id, enum kvm_guest_debug_cause cause,
		     u64 pc),
	    TP_ARGS(vcpu_id, cause, pc),

	    TP_STRUCT__entry(__field(unsigned int, vcpu_id)
			     __field(unsigned int, cause)
			     __field(u64, pc)),

	    TP_fast_assign(__entry->vcpu_id = vcpu_id;
			   __entry->cause = cause;
			   __entry->pc = pc;),

	    TP_printk("vcpu %u cause %s pc 0x%llx", __entry->vcpu_id,
		      __print_symbolic(__entry->cause,
				       { KVM_GUEST_DEBUG_SW_BP, "sw_bp" },
				       { KVM_GUEST_DEBUG_HW_BP, "hw_bp" },
				       { KVM_GUEST_DEBUG_WATCHPOINT, "watchpoint" },
				       { KVM_GUEST_DEBUG_STEP, "step" }),
		      __entry->pc)
);

#endif /* _TRACE_KVM_GUEST_DEBUG_H */

/* Outside the guard: define_trace.h includes this file again. */
#include <trace/define_trace.h>
