// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_SET_GUEST_DEBUG as real VMMs call it on x86.  Each case replays one
 * gdb command of one VMM: the control flags it sets, and debugreg[] as it
 * fills it, with a garbage pattern wherever it leaves stack memory.  The
 * request must be accepted, the vCPU must stop where gdb expects, and the
 * exit fields that VMM reads must lead it to the stop gdb asked for.
 *
 * The VMMs' behaviour is written down here from their sources, named in
 * each case (file and function at the commit or Debian version given):
 *
 * - QEMU 7.2 (Debian 1:7.2+dfsg-7+deb12u18): kvm_update_guest_debug() in
 *   accel/kvm/kvm-all.c keeps struct kvm_guest_debug on the stack and sets
 *   only the control flags; kvm_arch_update_guest_debug() in
 *   target/i386/kvm/kvm.c then writes DR7 and the first nb_hw_breakpoint
 *   slots, and only if there is a hardware breakpoint.  A step adds
 *   KVM_GUESTDBG_BLOCKIRQ when KVM_CAP_SET_GUEST_DEBUG2 offers it.  On an
 *   exit, kvm_handle_debug() takes DR6.BS for a step, else the DR6 B0-B3
 *   bits with the R/W field of DR7 for a breakpoint or watchpoint, and a
 *   #BP for its own breakpoint if pc is the address it planted an int3 at.
 * - Firecracker 81b38b9dad60: set_kvm_debug() in
 *   src/vmm/src/gdb/arch/x86.rs zeroes the struct, and sets DR7 to 0x600
 *   plus a G bit per breakpoint, always with USE_HW_BP and USE_SW_BP;
 *   get_stop_reason() in src/vmm/src/gdb/target.rs decides by RIP alone,
 *   and hands an int3 it did not plant back with INJECT_BP.
 * - cloud-hypervisor ae44c2971c83 (set_guest_debug() in
 *   hypervisor/src/kvm/mod.rs) and crosvm f1e797a68dad (set_guest_debug()
 *   in hypervisor/src/kvm/x86_64.rs): zeroed struct, ENABLE|USE_HW_BP,
 *   DR7 0x600 plus G bits; any KVM_EXIT_DEBUG is a stop, a step while
 *   stepping and a hardware breakpoint otherwise.
 */
#include <errno.h>

#include <asm/debugreg.h>

#include "guest_debug.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_expect.h"

/*
 * Each byte of the stack memory a VMM does not write: in a DR, the
 * non-canonical 0xa5a5a5a5a5a5a5a5.
 */
#define GD_GARBAGE	0xa5

#define GD_DR7_GE	0x600ull	/* GE and the fixed bit 10 */
#define GD_G(i)		(2ull << ((i) * 2))
#define GD_RW_LEN(i, rw, len)	(((uint64_t)(rw) | ((uint64_t)(len) << 2)) << (16 + (i) * 4))

#define GD_INT3		0xcc

static uint64_t compat_var;
static uint64_t guest_bp_count;

#define GUEST_VAR(vm, var)	(*(typeof(var) *)addr_gva2hva(vm, (vm_vaddr_t)&(var)))

static void guest_bp_handler(struct ex_regs *regs)
{
	guest_bp_count++;
}

/*
 * The instructions gdb stops at.  The guest's own int3 comes last, so that
 * only the cases that run to the end meet it.
 */
static void guest_code(void)
{
	asm volatile("gd_compat_0: nop\n\t"
		     "gd_compat_1: nop\n\t"
		     "gd_compat_2: nop\n\t"
		     "movq $1, compat_var(%%rip)\n\t"
		     "gd_compat_written: movq compat_var(%%rip), %%rax\n\t"
		     "gd_compat_read: nop\n\t"
		     "gd_compat_guest_int3: int3\n\t"
		     "nop"
		     : : : "rax", "memory");
	GUEST_DONE();
}

enum gd_vmm { GD_QEMU, GD_FIRECRACKER, GD_ANY_EXIT };

/* What a VMM tells gdb after an exit. */
enum gd_stop {
	GD_STOP_NONE,		/* not the VMM's: back to the guest */
	GD_STOP_SW_BP,
	GD_STOP_HW_BP,
	GD_STOP_WATCH_WRITE,
	GD_STOP_WATCH_ACCESS,
	GD_STOP_STEP,
};

static const char *const gd_stop_names[] = {
	"none", "software breakpoint", "hardware breakpoint", "write watchpoint",
	"access watchpoint", "step",
};

/* Where the guest stops, in the label's terms, or 0 to run to the end. */
enum gd_where {
	GD_END, GD_AT_0, GD_AT_1, GD_AT_2, GD_AT_WRITTEN, GD_AT_READ, GD_AT_GUEST_INT3
};

struct gd_request {
	const char *name;
	enum gd_vmm vmm;
	uint32_t control;
	/* Filled slots: DR7 value and the slots' addresses as labels. */
	bool fills_drs;
	uint64_t dr7;
	enum gd_where slot[4];
	bool slot_is_var[4];
	int nr_slots;
	bool garbage;			/* the unwritten slots hold stack memory */
	bool blockirq_if_offered;	/* QEMU's steps */
	enum gd_where int3_at;		/* where the VMM plants an int3, if it does */
	enum gd_where want_at;
	enum gd_stop want_stop;
};

#define EN	KVM_GUESTDBG_ENABLE
#define SW	KVM_GUESTDBG_USE_SW_BP
#define HW	KVM_GUESTDBG_USE_HW_BP
#define SS	KVM_GUESTDBG_SINGLESTEP

static const struct gd_request gd_requests[] = {
	{ "QEMU 7.2: break", GD_QEMU, EN | SW, .garbage = true,
	  .int3_at = GD_AT_1, .want_at = GD_AT_1, .want_stop = GD_STOP_SW_BP },
	{ "QEMU 7.2: hbreak, DR1-3 left as stack garbage", GD_QEMU, EN | HW,
	  .fills_drs = true, .dr7 = GD_DR7_GE | GD_G(0), .slot = { GD_AT_1 }, .nr_slots = 1,
	  .garbage = true, .want_at = GD_AT_1, .want_stop = GD_STOP_HW_BP },
	{ "QEMU 7.2: break and two hbreaks, DR2-3 left as stack garbage", GD_QEMU, EN | SW | HW,
	  .fills_drs = true, .dr7 = GD_DR7_GE | GD_G(0) | GD_G(1),
	  .slot = { GD_AT_READ, GD_AT_2 }, .nr_slots = 2, .garbage = true,
	  .int3_at = GD_AT_WRITTEN, .want_at = GD_AT_2, .want_stop = GD_STOP_HW_BP },
	{ "QEMU 7.2: watch (8 bytes), DR1-3 left as stack garbage", GD_QEMU, EN | HW,
	  .fills_drs = true,
	  .dr7 = GD_DR7_GE | GD_G(0) | GD_RW_LEN(0, DR_RW_WRITE, DR_LEN_8),
	  .slot_is_var = { true }, .nr_slots = 1, .garbage = true,
	  .want_at = GD_AT_WRITTEN, .want_stop = GD_STOP_WATCH_WRITE },
	{ "QEMU 7.2: hbreak and awatch (4 bytes), DR2-3 left as stack garbage", GD_QEMU, EN | HW,
	  .fills_drs = true,
	  .dr7 = GD_DR7_GE | GD_G(0) | GD_G(1) | GD_RW_LEN(1, DR_RW_READ, DR_LEN_4),
	  .slot = { GD_AT_GUEST_INT3 }, .slot_is_var = { false, true }, .nr_slots = 2,
	  .garbage = true,
	  /* An access watchpoint fires on the write, before the read. */
	  .want_at = GD_AT_WRITTEN, .want_stop = GD_STOP_WATCH_ACCESS },
	{ "QEMU 7.2: stepi", GD_QEMU, EN | SS, .garbage = true, .blockirq_if_offered = true,
	  .want_at = GD_AT_1, .want_stop = GD_STOP_STEP },
	{ "QEMU 7.2: stepi with a break elsewhere", GD_QEMU, EN | SS | SW, .garbage = true,
	  .blockirq_if_offered = true, .int3_at = GD_AT_READ,
	  .want_at = GD_AT_1, .want_stop = GD_STOP_STEP },
	{ "QEMU 7.2: continue, nothing set", GD_QEMU, 0, .garbage = true, .want_at = GD_END },
	{ "Firecracker: break", GD_FIRECRACKER, EN | HW | SW, .fills_drs = true,
	  .dr7 = GD_DR7_GE, .int3_at = GD_AT_2, .want_at = GD_AT_2, .want_stop = GD_STOP_SW_BP },
	{ "Firecracker: hbreak", GD_FIRECRACKER, EN | HW | SW, .fills_drs = true,
	  .dr7 = GD_DR7_GE | GD_G(0), .slot = { GD_AT_2 }, .nr_slots = 1,
	  .want_at = GD_AT_2, .want_stop = GD_STOP_HW_BP },
	{ "Firecracker: stepi", GD_FIRECRACKER, EN | HW | SW | SS, .fills_drs = true,
	  .dr7 = GD_DR7_GE, .want_at = GD_AT_1, .want_stop = GD_STOP_STEP },
	{ "Firecracker: continue, the guest's own int3 handed back", GD_FIRECRACKER,
	  EN | HW | SW, .fills_drs = true, .dr7 = GD_DR7_GE, .want_at = GD_END },
	{ "cloud-hypervisor: hbreak", GD_ANY_EXIT, EN | HW, .fills_drs = true,
	  .dr7 = GD_DR7_GE | GD_G(0), .slot = { GD_AT_READ }, .nr_slots = 1,
	  .want_at = GD_AT_READ, .want_stop = GD_STOP_HW_BP },
	{ "cloud-hypervisor: stepi", GD_ANY_EXIT, EN | HW | SS, .fills_drs = true,
	  .dr7 = GD_DR7_GE, .want_at = GD_AT_1, .want_stop = GD_STOP_STEP },
	{ "crosvm: two hbreaks", GD_ANY_EXIT, EN | HW, .fills_drs = true,
	  .dr7 = GD_DR7_GE | GD_G(0) | GD_G(1), .slot = { GD_AT_READ, GD_AT_2 }, .nr_slots = 2,
	  .want_at = GD_AT_2, .want_stop = GD_STOP_HW_BP },
	{ "crosvm: stepi", GD_ANY_EXIT, EN | HW | SS, .fills_drs = true,
	  .dr7 = GD_DR7_GE, .want_at = GD_AT_1, .want_stop = GD_STOP_STEP },
};

#define GD_NR_REQUESTS	ARRAY_SIZE(gd_requests)

static uint64_t gd_label(enum gd_where where)
{
	switch (where) {
	case GD_AT_0:
		return GUEST_LABEL(gd_compat_0);
	case GD_AT_1:
		return GUEST_LABEL(gd_compat_1);
	case GD_AT_2:
		return GUEST_LABEL(gd_compat_2);
	case GD_AT_WRITTEN:
		return GUEST_LABEL(gd_compat_written);
	case GD_AT_READ:
		return GUEST_LABEL(gd_compat_read);
	case GD_AT_GUEST_INT3:
		return GUEST_LABEL(gd_compat_guest_int3);
	default:
		return 0;
	}
}

static uint64_t gd_slot_addr(const struct gd_request *req, int i)
{
	return req->slot_is_var[i] ? (uint64_t)&compat_var : gd_label(req->slot[i]);
}

/*
 * QEMU's kvm_handle_debug(): a #BP is its stop if pc is where it planted
 * an int3; a #DB with DR6.BS a step while it steps; otherwise each DR6
 * B<n> bit, by the R/W field of slot <n> in the reported DR7, a breakpoint
 * (00b) or a write (01b) or access (11b) watchpoint on the address QEMU
 * keeps for slot <n>.  Nothing it recognises goes back to the guest.
 */
static enum gd_stop qemu_stop(struct kvm_vcpu *vcpu, const struct gd_request *req,
			      uint64_t *watched)
{
	struct kvm_debug_exit_arch *exit = &vcpu->run->debug.arch;
	enum gd_stop stop = GD_STOP_NONE;
	int n;

	if (exit->exception == BP_VECTOR)
		return req->int3_at && exit->pc == gd_label(req->int3_at) ?
		       GD_STOP_SW_BP : GD_STOP_NONE;
	if (exit->exception != DB_VECTOR)
		return GD_STOP_NONE;
	if (exit->dr6 & DR_STEP)
		return req->control & KVM_GUESTDBG_SINGLESTEP ? GD_STOP_STEP : GD_STOP_NONE;
	for (n = 0; n < 4; n++) {
		if (!(exit->dr6 & BIT(n)))
			continue;
		switch ((exit->dr7 >> (16 + n * 4)) & 3) {
		case 0:
			stop = GD_STOP_HW_BP;
			continue;
		case 1:
			stop = GD_STOP_WATCH_WRITE;
			break;
		case 3:
			stop = GD_STOP_WATCH_ACCESS;
			break;
		default:
			continue;
		}
		*watched = n < req->nr_slots ? gd_slot_addr(req, n) : 0;
	}
	return stop;
}

/*
 * Firecracker's get_stop_reason(): a step while it steps; otherwise RIP
 * where it planted an int3, or one of its hardware breakpoints; anything
 * else is the guest's own.
 */
static uint64_t gd_rip(struct kvm_vcpu *vcpu)
{
	struct kvm_regs regs;

	vcpu_regs_get(vcpu, &regs);
	return regs.rip;
}

static enum gd_stop firecracker_stop(struct kvm_vcpu *vcpu, const struct gd_request *req)
{
	uint64_t rip;
	int i;

	if (req->control & KVM_GUESTDBG_SINGLESTEP)
		return GD_STOP_STEP;
	rip = gd_rip(vcpu);
	if (req->int3_at && rip == gd_label(req->int3_at))
		return GD_STOP_SW_BP;
	for (i = 0; i < req->nr_slots; i++)
		if (rip == gd_slot_addr(req, i))
			return GD_STOP_HW_BP;
	return GD_STOP_NONE;
}

static enum gd_stop vmm_stop(struct kvm_vcpu *vcpu, const struct gd_request *req,
			     uint64_t *watched)
{
	switch (req->vmm) {
	case GD_QEMU:
		return qemu_stop(vcpu, req, watched);
	case GD_FIRECRACKER:
		return firecracker_stop(vcpu, req);
	default:
		return req->control & KVM_GUESTDBG_SINGLESTEP ? GD_STOP_STEP : GD_STOP_HW_BP;
	}
}

static void fill_request(struct kvm_guest_debug *dbg, const struct gd_request *req)
{
	int i;

	if (req->garbage)
		memset(dbg, GD_GARBAGE, sizeof(*dbg));
	else
		memset(dbg, 0, sizeof(*dbg));
	dbg->control = req->control;
	if (req->blockirq_if_offered &&
	    (kvm_check_cap(KVM_CAP_SET_GUEST_DEBUG2) & KVM_GUESTDBG_BLOCKIRQ))
		dbg->control |= KVM_GUESTDBG_BLOCKIRQ;
	if (!req->fills_drs)
		return;
	dbg->arch.debugreg[7] = req->dr7;
	for (i = 0; i < req->nr_slots; i++)
		dbg->arch.debugreg[i] = gd_slot_addr(req, i);
}

/*
 * The guest's own int3 at the end reaches its handler: QEMU without
 * USE_SW_BP never sees it, and Firecracker hands it back with INJECT_BP,
 * as its inject_bp_to_guest() does.
 */
static bool runs_to_end(struct kvm_vm *vm, struct kvm_vcpu *vcpu,
			const struct gd_request *req)
{
	struct kvm_guest_debug inject;
	struct ucall uc;

	vcpu_run(vcpu);
	if (vcpu->run->exit_reason == KVM_EXIT_DEBUG) {
		uint64_t watched = 0;

		if (!expect(vcpu->run->debug.arch.pc == GUEST_LABEL(gd_compat_guest_int3) &&
			    vmm_stop(vcpu, req, &watched) == GD_STOP_NONE,
			    "stopped at 0x%llx, want the guest's own int3 at 0x%lx only",
			    vcpu->run->debug.arch.pc, GUEST_LABEL(gd_compat_guest_int3)))
			return false;
		fill_request(&inject, req);
		inject.control |= KVM_GUESTDBG_INJECT_BP;
		if (!expect(!__vcpu_ioctl(vcpu, KVM_SET_GUEST_DEBUG, &inject),
			    "INJECT_BP refused: %s", strerror(errno)))
			return false;
		vcpu_run(vcpu);
	}
	if (!expect(vcpu->run->exit_reason == KVM_EXIT_IO, "exit reason %s, want the end",
		    exit_reason_str(vcpu->run->exit_reason)))
		return false;
	if (!expect(get_ucall(vcpu, &uc) == UCALL_DONE, "guest failed: %s", uc.buffer))
		return false;
	return expect(GUEST_VAR(vm, guest_bp_count) == 1,
		      "the guest's own int3 reached its handler %lu times",
		      GUEST_VAR(vm, guest_bp_count));
}

static bool run_request(const struct gd_request *req)
{
	struct kvm_debug_exit_arch *exit;
	struct kvm_guest_debug dbg;
	uint64_t watched = 0, want_pc;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	enum gd_stop stop;
	uint8_t *int3 = NULL;
	bool ok = false;
	int r;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vm_install_exception_handler(vm, BP_VECTOR, guest_bp_handler);
	/* gdb's step starts at the first label, as from a stop there. */
	if (req->control & KVM_GUESTDBG_SINGLESTEP) {
		struct kvm_regs regs;

		vcpu_regs_get(vcpu, &regs);
		regs.rip = GUEST_LABEL(gd_compat_0);
		vcpu_regs_set(vcpu, &regs);
	}
	if (req->int3_at) {
		int3 = addr_gva2hva(vm, gd_label(req->int3_at));
		*int3 = GD_INT3;
	}
	fill_request(&dbg, req);
	r = __vcpu_ioctl(vcpu, KVM_SET_GUEST_DEBUG, &dbg);
	if (!expect(!r, "KVM_SET_GUEST_DEBUG(0x%x) refused: %s", dbg.control,
		    strerror(errno)))
		goto out;
	if (req->want_at == GD_END) {
		ok = runs_to_end(vm, vcpu, req);
		goto out;
	}

	vcpu_run(vcpu);
	exit = &vcpu->run->debug.arch;
	want_pc = gd_label(req->want_at);
	if (!expect(vcpu->run->exit_reason == KVM_EXIT_DEBUG, "exit reason %s, want KVM_EXIT_DEBUG",
		    exit_reason_str(vcpu->run->exit_reason)))
		goto out;
	if (!expect(gd_rip(vcpu) == want_pc && exit->pc == want_pc,
		    "stopped with RIP 0x%lx, pc 0x%llx; want 0x%lx",
		    gd_rip(vcpu), exit->pc, want_pc))
		goto out;
	stop = vmm_stop(vcpu, req, &watched);
	if (!expect(stop == req->want_stop,
		    "the VMM reads exception %u, dr6 0x%llx, dr7 0x%llx as \"%s\", want \"%s\"",
		    exit->exception, exit->dr6, exit->dr7, gd_stop_names[stop],
		    gd_stop_names[req->want_stop]))
		goto out;
	ok = expect(stop != GD_STOP_WATCH_WRITE && stop != GD_STOP_WATCH_ACCESS ||
		    watched == (uint64_t)&compat_var,
		    "the watchpoint is reported on 0x%lx, want 0x%lx", watched,
		    (uint64_t)&compat_var);
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
