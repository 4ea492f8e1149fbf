// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_SET_GUEST_DEBUG as real VMMs call it on arm64.  Each case replays one
 * gdb command of one VMM: the control flags it sets, and the breakpoint
 * and watchpoint registers as it fills them, with a garbage pattern where
 * it leaves memory unwritten.  The request must be accepted, the vCPU must
 * stop where gdb expects, and the exit fields that VMM reads must lead it
 * to the stop gdb asked for.
 *
 * The VMMs' behaviour is written down here from their sources, named in
 * each case (file and function at the commit or Debian version given):
 *
 * - QEMU 7.2 (Debian 1:7.2+dfsg-7+deb12u18): kvm_update_guest_debug() in
 *   accel/kvm/kvm-all.c keeps struct kvm_guest_debug on the stack and sets
 *   the control flags, with KVM_GUESTDBG_BLOCKIRQ on a step when
 *   KVM_CAP_SET_GUEST_DEBUG2 offers it.  kvm_arch_update_guest_debug() in
 *   target/arm/kvm.c fills arch only while a hardware breakpoint or
 *   watchpoint exists; kvm_arm_copy_hw_debug_data() in target/arm/kvm64.c
 *   then clears it and copies every slot up to the count KVM reports from
 *   arrays whose unused entries it never writes.  insert_hw_breakpoint()
 *   writes DBGBCR E, PMC 0b11, BAS 0b1111 and the address sign-extended
 *   from bit 52; insert_hw_watchpoint() writes E, PAC 0b11, LSC and BAS,
 *   with the address aligned down to 8 bytes.  kvm_arm_handle_debug()
 *   stops for a software step while stepping, for a BRK at a PC where it
 *   planted one, for a breakpoint whose DBGBVR equals the PC, and for a
 *   watchpoint whose range holds the FAR.
 * - crosvm f1e797a68dad, set_guest_debug() in hypervisor/src/kvm/aarch64.rs:
 *   zeroed struct, ENABLE, USE_HW only with breakpoints, DBGBCR 0x7f (bits
 *   3 and 4 are RES0, BAS is 0b0011), DBGBVR sign-extended from bit 48;
 *   any KVM_EXIT_DEBUG is a stop.
 * - Firecracker 81b38b9dad60, set_kvm_debug() in
 *   src/vmm/src/gdb/arch/aarch64.rs: zeroed struct, ENABLE|USE_HW|USE_SW_BP
 *   always, DBGBCR 0x1e7, DBGBVR the address's bits 52:0;
 *   get_stop_reason() in src/vmm/src/gdb/target.rs decides by the PC.
 * - cloud-hypervisor ae44c2971c83, set_guest_debug() in
 *   hypervisor/src/kvm/mod.rs: as Firecracker without USE_SW_BP; any
 *   KVM_EXIT_DEBUG is a stop.
 */
#include <errno.h>
#include <linux/bitfield.h>

#include "guest_debug.h"
#include "guest_debug_vgic.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_expect.h"
#include "vgic.h"

/*
 * Each byte of the memory a VMM does not write.  Bit 0, the enable bit,
 * is clear: an enabled garbage slot would be a breakpoint on the baseline
 * too.
 */
#define GD_GARBAGE	0xa4

#define EC_BREAKPT_LOW	0x30
#define EC_SOFTSTP_LOW	0x32
#define EC_WATCHPT_LOW	0x34
#define EC_BRK64	0x3c
#define ESR_EC(esr)	(((esr) >> 26) & 0x3f)

#define DFR0_BRPS	GENMASK(15, 12)

#define GD_BRK		0xd4200000u	/* BRK #0, QEMU's and Firecracker's */

#define QEMU_BCR	(BIT(0) | (0x3 << 1) | (0xf << 5))
#define QEMU_WCR_ST8	(BIT(0) | (0x3 << 1) | (0x2 << 3) | (0xffull << 5))
#define CROSVM_BCR	0x7f
#define FC_BCR		(0x1 | (0x3 << 1) | (0xf << 5))
/* A word-aligned watchpoint on the upper word of compat_var[1]. */
#define WORD_WCR_ST4	(BIT(0) | (0x3 << 1) | (0x2 << 3) | (0x0full << 5))

static uint64_t compat_var[2] __aligned(8);

static void guest_code(void)
{
	asm volatile("gd_compat_0: nop\n\t"
		     "gd_compat_1: nop\n\t"
		     "gd_compat_2: nop\n\t"
		     "gd_compat_store: str %0, [%1]\n\t"
		     "gd_compat_store_hi: str %w0, [%1, #12]\n\t"
		     "nop"
		     : : "r"(1ul), "r"(compat_var) : "memory");
	GUEST_DONE();
}

enum gd_vmm { GD_QEMU, GD_FIRECRACKER, GD_ANY_EXIT };

enum gd_stop { GD_STOP_NONE, GD_STOP_SW_BP, GD_STOP_HW_BP, GD_STOP_WATCH, GD_STOP_STEP };

static const char *const gd_stop_names[] = {
	"none", "software breakpoint", "hardware breakpoint", "watchpoint", "step",
};

enum gd_where { GD_END, GD_AT_0, GD_AT_1, GD_AT_2, GD_AT_STORE, GD_AT_STORE_HI };

struct gd_request {
	const char *name;
	enum gd_vmm vmm;
	uint32_t control;
	bool garbage;			/* arch is stack memory unless filled */
	bool blockirq_if_offered;	/* QEMU's steps */
	/* One breakpoint or watchpoint the VMM fills in slot 0. */
	enum gd_where bp_at;
	uint64_t bcr, bvr_low_bits;
	uint64_t wcr, wvr_offset;	/* watchpoint on compat_var + offset */
	bool unused_slots_garbage;	/* QEMU: slots 1 and up */
	bool slot_beyond_cpu;		/* an enabled breakpoint past the CPU's BRPs */
	enum gd_where brk_at;		/* where the VMM plants a BRK, if it does */
	enum gd_where want_at;
	uint32_t want_ec;
	enum gd_stop want_stop;
};

#define EN	KVM_GUESTDBG_ENABLE
#define SW	KVM_GUESTDBG_USE_SW_BP
#define HW	KVM_GUESTDBG_USE_HW
#define SS	KVM_GUESTDBG_SINGLESTEP

static const struct gd_request gd_requests[] = {
	{ "QEMU 7.2: break", GD_QEMU, EN | SW, .garbage = true, .brk_at = GD_AT_1,
	  .want_at = GD_AT_1, .want_ec = EC_BRK64, .want_stop = GD_STOP_SW_BP },
	{ "QEMU 7.2: hbreak, unused slots left as garbage", GD_QEMU, EN | HW,
	  .bp_at = GD_AT_2, .bcr = QEMU_BCR, .unused_slots_garbage = true,
	  .want_at = GD_AT_2, .want_ec = EC_BREAKPT_LOW, .want_stop = GD_STOP_HW_BP },
	{ "QEMU 7.2: watch (8 bytes), unused slots left as garbage", GD_QEMU, EN | HW,
	  .wcr = QEMU_WCR_ST8, .unused_slots_garbage = true,
	  .want_at = GD_AT_STORE, .want_ec = EC_WATCHPT_LOW, .want_stop = GD_STOP_WATCH },
	{ "QEMU 7.2: stepi", GD_QEMU, EN | SS, .garbage = true, .blockirq_if_offered = true,
	  .want_at = GD_AT_1, .want_ec = EC_SOFTSTP_LOW, .want_stop = GD_STOP_STEP },
	{ "QEMU 7.2: continue, nothing set", GD_QEMU, 0, .garbage = true, .want_at = GD_END },
	{ "QEMU 7.2: hbreak with DBGBVR bits 1:0 set, as for an AArch32 address",
	  GD_ANY_EXIT, EN | HW, .bp_at = GD_AT_2, .bcr = QEMU_BCR, .bvr_low_bits = 0x2,
	  .want_at = GD_AT_2, .want_ec = EC_BREAKPT_LOW, .want_stop = GD_STOP_HW_BP },
	{ "crosvm: hbreak, DBGBCR 0x7f with RES0 bits 3 and 4", GD_ANY_EXIT, EN | HW,
	  .bp_at = GD_AT_2, .bcr = CROSVM_BCR,
	  .want_at = GD_AT_2, .want_ec = EC_BREAKPT_LOW, .want_stop = GD_STOP_HW_BP },
	{ "crosvm: stepi", GD_ANY_EXIT, EN | SS,
	  .want_at = GD_AT_1, .want_ec = EC_SOFTSTP_LOW, .want_stop = GD_STOP_STEP },
	{ "Firecracker: break", GD_FIRECRACKER, EN | HW | SW, .brk_at = GD_AT_2,
	  .want_at = GD_AT_2, .want_ec = EC_BRK64, .want_stop = GD_STOP_SW_BP },
	{ "Firecracker: hbreak", GD_FIRECRACKER, EN | HW | SW,
	  .bp_at = GD_AT_STORE, .bcr = FC_BCR,
	  .want_at = GD_AT_STORE, .want_ec = EC_BREAKPT_LOW, .want_stop = GD_STOP_HW_BP },
	{ "Firecracker: hbreak, one more slot filled than the CPU has", GD_FIRECRACKER,
	  EN | HW | SW, .bp_at = GD_AT_STORE, .bcr = FC_BCR, .slot_beyond_cpu = true,
	  .want_at = GD_AT_STORE, .want_ec = EC_BREAKPT_LOW, .want_stop = GD_STOP_HW_BP },
	{ "Firecracker: stepi", GD_FIRECRACKER, EN | HW | SW | SS,
	  .want_at = GD_AT_1, .want_ec = EC_SOFTSTP_LOW, .want_stop = GD_STOP_STEP },
	{ "cloud-hypervisor: hbreak", GD_ANY_EXIT, EN | HW, .bp_at = GD_AT_1, .bcr = FC_BCR,
	  .want_at = GD_AT_1, .want_ec = EC_BREAKPT_LOW, .want_stop = GD_STOP_HW_BP },
	{ "cloud-hypervisor: stepi", GD_ANY_EXIT, EN | HW | SS,
	  .want_at = GD_AT_1, .want_ec = EC_SOFTSTP_LOW, .want_stop = GD_STOP_STEP },
	{ "architecture: a word-aligned watchpoint (DBGWVR bit 2 set)", GD_ANY_EXIT, EN | HW,
	  .wcr = WORD_WCR_ST4, .wvr_offset = 12,
	  .want_at = GD_AT_STORE_HI, .want_ec = EC_WATCHPT_LOW, .want_stop = GD_STOP_WATCH },
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
	case GD_AT_STORE:
		return GUEST_LABEL(gd_compat_store);
	case GD_AT_STORE_HI:
		return GUEST_LABEL(gd_compat_store_hi);
	default:
		return 0;
	}
}

static uint64_t get_pc(struct kvm_vcpu *vcpu)
{
	uint64_t pc;

	vcpu_get_reg(vcpu, ARM64_CORE_REG(regs.pc), &pc);
	return pc;
}

static uint64_t gd_bvr(const struct gd_request *req)
{
	return gd_label(req->bp_at) | req->bvr_low_bits;
}

static uint64_t gd_wvr(const struct gd_request *req)
{
	return (uint64_t)compat_var + req->wvr_offset;
}

/*
 * QEMU's range test: from DBGWVR plus the lowest selected byte, on by the
 * number of leading ones of BAS as a 32-bit value, which is none: the FAR
 * must be that first byte.
 */
static bool qemu_watch_hit(const struct gd_request *req, uint64_t far)
{
	uint32_t bas = (req->wcr >> 5) & 0xff;
	uint64_t bottom = gd_wvr(req) + __builtin_ctz(bas);

	return far >= bottom && far <= bottom + __builtin_clz(~bas);
}

static enum gd_stop vmm_stop(struct kvm_vcpu *vcpu, const struct gd_request *req)
{
	struct kvm_debug_exit_arch *exit = &vcpu->run->debug.arch;
	uint32_t ec = ESR_EC(exit->hsr);
	uint64_t pc = get_pc(vcpu);

	switch (req->vmm) {
	case GD_QEMU:
		if (ec == EC_SOFTSTP_LOW)
			return req->control & SS ? GD_STOP_STEP : GD_STOP_NONE;
		if (ec == EC_BRK64)
			return req->brk_at && pc == gd_label(req->brk_at) ?
			       GD_STOP_SW_BP : GD_STOP_NONE;
		if (ec == EC_BREAKPT_LOW)
			return req->bp_at && pc == gd_bvr(req) ? GD_STOP_HW_BP : GD_STOP_NONE;
		if (ec == EC_WATCHPT_LOW)
			return req->wcr && qemu_watch_hit(req, exit->far) ?
			       GD_STOP_WATCH : GD_STOP_NONE;
		return GD_STOP_NONE;
	case GD_FIRECRACKER:
		if (req->control & SS)
			return GD_STOP_STEP;
		if (req->brk_at && pc == gd_label(req->brk_at))
			return GD_STOP_SW_BP;
		return req->bp_at && pc == gd_bvr(req) ? GD_STOP_HW_BP : GD_STOP_NONE;
	default:
		if (req->control & SS)
			return GD_STOP_STEP;
		return ec == EC_WATCHPT_LOW ? GD_STOP_WATCH : GD_STOP_HW_BP;
	}
}

/* QEMU copies every slot up to the counts KVM reports; 0 holds its own. */
static void gd_fill_unused(struct kvm_guest_debug_arch *arch)
{
	int i;

	for (i = 1; i < kvm_check_cap(KVM_CAP_GUEST_DEBUG_HW_BPS); i++) {
		memset(&arch->dbg_bcr[i], GD_GARBAGE, sizeof(arch->dbg_bcr[i]));
		memset(&arch->dbg_bvr[i], GD_GARBAGE, sizeof(arch->dbg_bvr[i]));
	}
	for (i = 1; i < kvm_check_cap(KVM_CAP_GUEST_DEBUG_HW_WPS); i++) {
		memset(&arch->dbg_wcr[i], GD_GARBAGE, sizeof(arch->dbg_wcr[i]));
		memset(&arch->dbg_wvr[i], GD_GARBAGE, sizeof(arch->dbg_wvr[i]));
	}
}

static int gd_brps(struct kvm_vcpu *vcpu)
{
	uint64_t dfr0;

	vcpu_get_reg(vcpu, KVM_ARM64_SYS_REG(SYS_ID_AA64DFR0_EL1), &dfr0);
	return FIELD_GET(DFR0_BRPS, dfr0) + 1;
}

static void fill_request(struct kvm_vcpu *vcpu, struct kvm_guest_debug *dbg,
			 const struct gd_request *req)
{
	memset(dbg, req->garbage ? GD_GARBAGE : 0, sizeof(*dbg));
	dbg->control = req->control;
	if (req->blockirq_if_offered &&
	    (kvm_check_cap(KVM_CAP_SET_GUEST_DEBUG2) & KVM_GUESTDBG_BLOCKIRQ))
		dbg->control |= KVM_GUESTDBG_BLOCKIRQ;
	if (!(req->control & HW))
		return;
	if (req->unused_slots_garbage)
		gd_fill_unused(&dbg->arch);
	if (req->bp_at) {
		dbg->arch.dbg_bcr[0] = req->bcr;
		dbg->arch.dbg_bvr[0] = gd_bvr(req);
	}
	if (req->wcr) {
		dbg->arch.dbg_wcr[0] = req->wcr;
		dbg->arch.dbg_wvr[0] = gd_wvr(req);
	}
	/* A breakpoint before the real one, which the CPU cannot have. */
	if (req->slot_beyond_cpu) {
		int brps = gd_brps(vcpu);

		dbg->arch.dbg_bcr[brps] = req->bcr;
		dbg->arch.dbg_bvr[brps] = gd_label(GD_AT_1);
	}
}

static bool runs_to_end(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	vcpu_run(vcpu);
	if (!expect(vcpu->run->exit_reason != KVM_EXIT_DEBUG,
		    "debug exit at 0x%lx, class 0x%llx, want none", get_pc(vcpu),
		    ESR_EC(vcpu->run->debug.arch.hsr)))
		return false;
	return expect(get_ucall(vcpu, &uc) == UCALL_DONE, "the guest did not reach its end");
}

static int run_request(const struct gd_request *req)
{
	struct kvm_debug_exit_arch *exit;
	struct kvm_guest_debug dbg;
	uint64_t want_pc, pc;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	enum gd_stop stop;
	int gic_fd, gic_version;
	bool ok = false;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	/* Every VMM here gives the guest an in-kernel vGIC. */
	gic_fd = gd_vgic_setup(vm, 0, &gic_version);
	__TEST_REQUIRE(gic_fd >= 0, "no vGIC for the guest");
	if (req->slot_beyond_cpu && gd_brps(vcpu) == KVM_ARM_MAX_DBG_REGS) {
		close(gic_fd);
		kvm_vm_free(vm);
		return KSFT_SKIP;
	}
	if (req->control & SS)
		vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.pc), GUEST_LABEL(gd_compat_0));
	if (req->brk_at)
		*(uint32_t *)addr_gva2hva(vm, gd_label(req->brk_at)) = GD_BRK;
	fill_request(vcpu, &dbg, req);
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
	pc = get_pc(vcpu);
	if (!expect(vcpu->run->exit_reason == KVM_EXIT_DEBUG, "exit reason %s, want KVM_EXIT_DEBUG",
		    exit_reason_str(vcpu->run->exit_reason)))
		goto out;
	if (!expect(ESR_EC(exit->hsr) == req->want_ec && pc == want_pc,
		    "class 0x%llx at 0x%lx, want 0x%x at 0x%lx", ESR_EC(exit->hsr), pc,
		    req->want_ec, want_pc))
		goto out;
	stop = vmm_stop(vcpu, req);
	ok = expect(stop == req->want_stop,
		    "the VMM reads class 0x%llx, pc 0x%lx, far 0x%llx as \"%s\", want \"%s\"",
		    ESR_EC(exit->hsr), pc, exit->far, gd_stop_names[stop],
		    gd_stop_names[req->want_stop]);
out:
	close(gic_fd);
	kvm_vm_free(vm);
	return ok ? KSFT_PASS : KSFT_FAIL;
}

int main(void)
{
	int i;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_SET_GUEST_DEBUG));
	ksft_print_header();
	ksft_set_plan(GD_NR_REQUESTS);
	for (i = 0; i < GD_NR_REQUESTS; i++) {
		int r = run_request(&gd_requests[i]);

		if (r == KSFT_SKIP)
			ksft_test_result_skip("%s: the CPU has all %d breakpoints\n",
					      gd_requests[i].name, KVM_ARM_MAX_DBG_REGS);
		else
			ksft_test_result(r == KSFT_PASS, "%s\n", gd_requests[i].name);
	}
	ksft_finished();
}
