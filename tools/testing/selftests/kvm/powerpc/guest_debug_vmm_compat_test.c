// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_SET_GUEST_DEBUG as a real VMM calls it on Book E.  QEMU is the only
 * VMM with a gdb stub for Book E KVM.  Each case replays one gdb command:
 * the control flags QEMU sets and arch.bp[] as it fills it, with a garbage
 * pattern where it leaves stack memory.  The request must be accepted,
 * the vCPU must stop where gdb expects, and the exit fields QEMU reads
 * (status and address) must lead it to the stop gdb asked for.
 *
 * QEMU 7.2 (Debian 1:7.2+dfsg-7+deb12u18), as its source has it:
 * - kvm_update_guest_debug() in accel/kvm/kvm-all.c keeps struct
 *   kvm_guest_debug on the stack and sets the control flags, with
 *   KVM_GUESTDBG_BLOCKIRQ on a step when KVM_CAP_SET_GUEST_DEBUG2 offers
 *   it;
 * - kvm_arch_update_guest_debug() in target/ppc/kvm.c adds
 *   ENABLE|USE_SW_BP while software breakpoints exist, and only while a
 *   hardware breakpoint or watchpoint exists ENABLE|USE_HW_BP with
 *   arch.bp[] cleared and its entries written in order; otherwise
 *   arch.bp[] stays as the stack left it;
 * - kvm_handle_debug() stops for any exit while stepping; for an exit
 *   with a status, kvm_handle_hw_breakpoint() stops if KVMPPC_DEBUG_BREAKPOINT
 *   is set and the address is one of its hardware breakpoints, or else
 *   if a watch flag is set and the address is one of its watchpoints;
 *   an exit with status 0 stops if the address holds one of its software
 *   breakpoints (KVM_REG_PPC_DEBUG_INST).
 */
#include <errno.h>

#include "guest_debug.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_expect.h"
#include "ucall_common.h"

/* Each byte of the stack memory QEMU leaves in arch.bp[]. */
#define GD_GARBAGE	0xa5

static uint32_t compat_var[2] __aligned(8);

static void guest_code(void)
{
	uint32_t val;

	asm volatile(".globl gd_compat_0, gd_compat_1, gd_compat_load, gd_compat_store\n"
		     "gd_compat_0: nop\n"
		     "gd_compat_1: nop\n"
		     "gd_compat_load: lwz %0, 0(%1)\n"
		     "gd_compat_store: stw %0, 4(%1)\n"
		     "nop" : "=&r"(val) : "b"(compat_var) : "memory");
	GUEST_DONE();
}

enum gd_stop { GD_STOP_NONE, GD_STOP_SW_BP, GD_STOP_HW_BP, GD_STOP_WATCH, GD_STOP_STEP };

static const char *const gd_stop_names[] = {
	"none", "software breakpoint", "hardware breakpoint", "watchpoint", "step",
};

enum gd_where { GD_END, GD_AT_0, GD_AT_1, GD_AT_LOAD, GD_AT_STORE };

/* One gdb command: what QEMU puts in arch.bp[0] and, for two, bp[1]. */
struct gd_point {
	uint32_t type;			/* KVMPPC_DEBUG_*, 0 for none */
	enum gd_where at;		/* a breakpoint's address */
	unsigned int var;		/* a watchpoint's: compat_var[var] */
};

struct gd_request {
	const char *name;
	uint32_t control;
	bool blockirq_if_offered;
	enum gd_where sw_bp_at;		/* where QEMU plants DEBUG_INST */
	struct gd_point bp[2];
	enum gd_where want_at;		/* the PC of the stop */
	uint32_t want_address;		/* 0: the PC */
	enum gd_stop want_stop;
};

#define EN	KVM_GUESTDBG_ENABLE
#define SW	KVM_GUESTDBG_USE_SW_BP
#define HW	KVM_GUESTDBG_USE_HW_BP
#define SS	KVM_GUESTDBG_SINGLESTEP
#define BP	KVMPPC_DEBUG_BREAKPOINT
#define RD	KVMPPC_DEBUG_WATCH_READ
#define WR	KVMPPC_DEBUG_WATCH_WRITE

static const struct gd_request gd_requests[] = {
	{ "QEMU 7.2: break", EN | SW, .sw_bp_at = GD_AT_1,
	  .want_at = GD_AT_1, .want_stop = GD_STOP_SW_BP },
	{ "QEMU 7.2: hbreak", EN | HW, .bp = { { BP, GD_AT_1 } },
	  .want_at = GD_AT_1, .want_stop = GD_STOP_HW_BP },
	{ "QEMU 7.2: watch", EN | HW, .bp = { { WR, .var = 1 } },
	  .want_at = GD_AT_STORE, .want_address = 1, .want_stop = GD_STOP_WATCH },
	{ "QEMU 7.2: rwatch", EN | HW, .bp = { { RD, .var = 0 } },
	  .want_at = GD_AT_LOAD, .want_address = 1, .want_stop = GD_STOP_WATCH },
	{ "QEMU 7.2: awatch", EN | HW, .bp = { { RD | WR, .var = 1 } },
	  .want_at = GD_AT_STORE, .want_address = 1, .want_stop = GD_STOP_WATCH },
	{ "QEMU 7.2: hbreak and rwatch on one load: the breakpoint", EN | HW,
	  .bp = { { BP, GD_AT_LOAD }, { RD, .var = 0 } },
	  .want_at = GD_AT_LOAD, .want_stop = GD_STOP_HW_BP },
	{ "QEMU 7.2: break and hbreak", EN | SW | HW, .sw_bp_at = GD_AT_1,
	  .bp = { { BP, GD_AT_LOAD } }, .want_at = GD_AT_1, .want_stop = GD_STOP_SW_BP },
	{ "QEMU 7.2: stepi", EN | SS, .blockirq_if_offered = true,
	  .want_at = GD_AT_1, .want_stop = GD_STOP_STEP },
	{ "QEMU 7.2: continue, nothing set", 0, .want_at = GD_END },
};

#define GD_NR_REQUESTS	ARRAY_SIZE(gd_requests)

static uint32_t gd_label(enum gd_where where)
{
	switch (where) {
	case GD_AT_0:
		return GUEST_LABEL(gd_compat_0);
	case GD_AT_1:
		return GUEST_LABEL(gd_compat_1);
	case GD_AT_LOAD:
		return GUEST_LABEL(gd_compat_load);
	case GD_AT_STORE:
		return GUEST_LABEL(gd_compat_store);
	default:
		return 0;
	}
}

static uint32_t gd_point_addr(const struct gd_point *p)
{
	return p->type == BP ? gd_label(p->at) : (uintptr_t)&compat_var[p->var];
}

static uint32_t get_pc(struct kvm_vcpu *vcpu)
{
	struct kvm_regs regs;

	vcpu_regs_get(vcpu, &regs);
	return regs.pc;
}

/* kvm_handle_debug() and kvm_handle_hw_breakpoint(), as QEMU reads an exit. */
static enum gd_stop vmm_stop(struct kvm_vcpu *vcpu, const struct gd_request *req)
{
	struct kvm_debug_exit_arch *exit = &vcpu->run->debug.arch;
	bool watch = exit->status & (RD | WR);
	int i;

	if (req->control & SS)
		return GD_STOP_STEP;
	if (!exit->status)
		return req->sw_bp_at && exit->address == gd_label(req->sw_bp_at) ?
		       GD_STOP_SW_BP : GD_STOP_NONE;
	if (!(exit->status & BP) && !watch)
		return GD_STOP_NONE;
	for (i = 0; i < ARRAY_SIZE(req->bp); i++) {
		const struct gd_point *p = &req->bp[i];

		if (!p->type || gd_point_addr(p) != exit->address)
			continue;
		if ((exit->status & BP) && p->type == BP)
			return GD_STOP_HW_BP;
		if (!(exit->status & BP) && p->type != BP)
			return GD_STOP_WATCH;
	}
	return GD_STOP_NONE;
}

/* The guest's code changed under it: make its fetch see the change. */
static void write_insn(struct kvm_vm *vm, uint32_t gva, uint32_t insn)
{
	uint32_t *p = addr_gva2hva(vm, gva);

	*p = insn;
	asm volatile("dcbst 0, %0\n\tsync\n\ticbi 0, %0\n\tsync\n\tisync"
		     : : "r"(p) : "memory");
}

static void fill_request(struct kvm_guest_debug *dbg, const struct gd_request *req)
{
	int i;

	memset(dbg, GD_GARBAGE, sizeof(*dbg));
	dbg->control = req->control;
	if (req->blockirq_if_offered &&
	    (kvm_check_cap(KVM_CAP_SET_GUEST_DEBUG2) & KVM_GUESTDBG_BLOCKIRQ))
		dbg->control |= KVM_GUESTDBG_BLOCKIRQ;
	if (!(req->control & HW))
		return;
	memset(dbg->arch.bp, 0, sizeof(dbg->arch.bp));
	for (i = 0; i < ARRAY_SIZE(req->bp) && req->bp[i].type; i++) {
		dbg->arch.bp[i].type = req->bp[i].type;
		dbg->arch.bp[i].addr = gd_point_addr(&req->bp[i]);
	}
}

/* gdb steps from a stop: the first one, at a software breakpoint. */
static bool stopped_at_0(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	struct kvm_guest_debug dbg = { .control = EN | SW };
	uint32_t at = gd_label(GD_AT_0), insn = *(uint32_t *)addr_gva2hva(vm, at);

	write_insn(vm, at, vcpu_debug_inst(vcpu));
	vcpu_guest_debug_set(vcpu, &dbg);
	vcpu_run(vcpu);
	write_insn(vm, at, insn);
	return expect(vcpu->run->exit_reason == KVM_EXIT_DEBUG && get_pc(vcpu) == at,
		      "exit %s at 0x%x, want the breakpoint at 0x%x",
		      exit_reason_str(vcpu->run->exit_reason), get_pc(vcpu), at);
}

static bool runs_to_end(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	vcpu_run(vcpu);
	if (!expect(vcpu->run->exit_reason != KVM_EXIT_DEBUG,
		    "debug exit at 0x%x, status 0x%x, want none", get_pc(vcpu),
		    vcpu->run->debug.arch.status))
		return false;
	return expect(get_ucall(vcpu, &uc) == UCALL_DONE, "the guest did not reach its end");
}

static bool run_request(const struct gd_request *req)
{
	uint32_t want_pc, want_address, pc;
	struct kvm_debug_exit_arch *exit;
	struct kvm_guest_debug dbg;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	enum gd_stop stop;
	bool ok = false;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	if ((req->control & SS) && !stopped_at_0(vm, vcpu))
		goto out;
	if (req->sw_bp_at)
		write_insn(vm, gd_label(req->sw_bp_at), vcpu_debug_inst(vcpu));
	fill_request(&dbg, req);
	if (!expect(!__vcpu_ioctl(vcpu, KVM_SET_GUEST_DEBUG, &dbg),
		    "KVM_SET_GUEST_DEBUG(0x%x) refused: %s", dbg.control, strerror(errno)))
		goto out;
	if (req->want_at == GD_END) {
		ok = runs_to_end(vcpu);
		goto out;
	}

	vcpu_run(vcpu);
	exit = &vcpu->run->debug.arch;
	want_pc = gd_label(req->want_at);
	want_address = req->want_address ? gd_point_addr(&req->bp[0]) : want_pc;
	pc = get_pc(vcpu);
	if (!expect(vcpu->run->exit_reason == KVM_EXIT_DEBUG, "exit reason %s, want KVM_EXIT_DEBUG",
		    exit_reason_str(vcpu->run->exit_reason)) ||
	    !expect(pc == want_pc && exit->address == want_address,
		    "stopped at 0x%x with address 0x%llx, want 0x%x with 0x%x", pc,
		    (unsigned long long)exit->address, want_pc, want_address))
		goto out;
	stop = vmm_stop(vcpu, req);
	ok = expect(stop == req->want_stop,
		    "QEMU reads status 0x%x, address 0x%llx as \"%s\", want \"%s\"",
		    exit->status, (unsigned long long)exit->address, gd_stop_names[stop],
		    gd_stop_names[req->want_stop]);
out:
	kvm_vm_free(vm);
	return ok;
}

int main(void)
{
	int i;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_SET_GUEST_DEBUG));
	ksft_print_header();
	ksft_set_plan(GD_NR_REQUESTS);
	for (i = 0; i < GD_NR_REQUESTS; i++)
		ksft_test_result(run_request(&gd_requests[i]), "%s\n", gd_requests[i].name);
	ksft_finished();
}
