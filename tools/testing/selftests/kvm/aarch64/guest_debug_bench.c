// SPDX-License-Identifier: GPL-2.0-only
/*
 * How fast a debugger can drive an arm64 guest through KVM, and what guest
 * debug that is enabled but never hit costs the guest.  Each figure is one
 * "# bench:" line; make bench runs this on the baseline kernel and on ours,
 * alternately, and compares them.  Only the API both kernels share is used.
 *
 * A hit-and-resume is what a debugger does at each stop: for a BRK, move
 * the PC past it; for a hardware breakpoint or a watchpoint (both stop
 * before the instruction completes), single-step with it disabled, then
 * arm it again.
 */
#include <stdlib.h>

#include "guest_debug.h"
#include "guest_debug_bench.h"
#include "kvm_util.h"
#include "processor.h"
#include "ucall_common.h"

#define DBG_CR_E		BIT(0)
#define DBG_CR_PRIV_EL1		(0x1 << 1)
#define DBGBCR_BAS_A64		(0xf << 5)
#define DBGWCR_LSC_ST		(0x2 << 3)
#define DBGWCR_BAS_8		(0xffu << 5)

#define COMPUTE_ITERS		2000000ul
#define COMPUTE_RUNS		5

enum bench_op { OP_LOOP, OP_BRK, OP_MMIO, OP_COMPUTE };

static uint64_t bench_var;
static uint64_t bench_mmio_gva;
static int bench_scale = 1;

static noinline void guest_loop(void)
{
	uint64_t i = 0;

	for (;;) {
		asm volatile("bench_exec: nop");
		WRITE_ONCE(bench_var, i++);
	}
}

/*
 * The breakpoint that is never hit sits on a page of its own: QEMU TCG
 * checks every instruction of a page that holds a breakpoint, which would
 * slow the compute loop for a reason no CPU has.
 */
void guest_never(void);
asm(".pushsection .text\n"
	".balign 4096\n"
	"guest_never:\n"
	"bench_never:\n"
	"	nop\n"
	"	ret\n"
	".balign 4096\n"
	".popsection");

static void guest_code(uint64_t op)
{
	uint64_t i, sum = 0;

	switch (op) {
	case OP_LOOP:
		guest_loop();
		break;
	case OP_BRK:
		for (;;)
			asm volatile("brk #7");
		break;
	case OP_MMIO:
		for (i = 0;; i++)
			WRITE_ONCE(*(uint64_t *)bench_mmio_gva, i);
		break;
	case OP_COMPUTE:
		for (;;) {
			for (i = 0; i < COMPUTE_ITERS; i++)
				sum = sum * 31 + i;
			GUEST_SYNC(sum);
		}
		break;
	}
	guest_never();
}

static struct kvm_vm *bench_vm(struct kvm_vcpu **vcpu, enum bench_op op)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest_code);
	uint64_t gpa = vm->ucall_mmio_addr + vm->page_size;

	bench_mmio_gva = vm_vaddr_unused_gap(vm, vm->page_size, KVM_UTIL_MIN_VADDR);
	virt_map(vm, bench_mmio_gva, gpa, 1);
	sync_global_to_guest(vm, bench_mmio_gva);
	vcpu_args_set(*vcpu, 1, op);
	return vm;
}

static void set_debug(struct kvm_vcpu *vcpu, uint32_t control,
		      const struct kvm_guest_debug_arch *arch)
{
	struct kvm_guest_debug dbg = { .control = control };

	if (arch)
		dbg.arch = *arch;
	vcpu_guest_debug_set(vcpu, &dbg);
}

static void run_to_debug(struct kvm_vcpu *vcpu)
{
	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_DEBUG, "exit %s, want KVM_EXIT_DEBUG",
		    exit_reason_str(vcpu->run->exit_reason));
}

static double bench_steps(int n)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = bench_vm(&vcpu, OP_LOOP);
	double t0;
	int i;

	set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, NULL);
	run_to_debug(vcpu);
	t0 = bench_now();
	for (i = 0; i < n; i++)
		run_to_debug(vcpu);
	t0 = n / (bench_now() - t0);
	kvm_vm_free(vm);
	return t0;
}

static double bench_brk(int n)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = bench_vm(&vcpu, OP_BRK);
	uint64_t pc;
	double t0;
	int i;

	set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, NULL);
	t0 = bench_now();
	for (i = 0; i < n; i++) {
		run_to_debug(vcpu);
		vcpu_get_reg(vcpu, ARM64_CORE_REG(regs.pc), &pc);
		vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.pc), pc + 4);
	}
	t0 = n / (bench_now() - t0);
	kvm_vm_free(vm);
	return t0;
}

/* Hits of @arch's breakpoint or watchpoint per second, each resumed. */
static double bench_hw(int n, const struct kvm_guest_debug_arch *arch)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = bench_vm(&vcpu, OP_LOOP);
	double t0;
	int i;

	t0 = bench_now();
	for (i = 0; i < n; i++) {
		set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW, arch);
		run_to_debug(vcpu);
		set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, NULL);
		run_to_debug(vcpu);
	}
	t0 = n / (bench_now() - t0);
	kvm_vm_free(vm);
	return t0;
}

static double bench_exits(int n)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = bench_vm(&vcpu, OP_MMIO);
	double t0;
	int i;

	t0 = bench_now();
	for (i = 0; i < n; i++) {
		vcpu_run(vcpu);
		TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_MMIO, "exit %s, want MMIO",
			    exit_reason_str(vcpu->run->exit_reason));
	}
	t0 = n / (bench_now() - t0);
	kvm_vm_free(vm);
	return t0;
}

/* The median time of one compute round under @control and @arch. */
static double bench_compute(uint32_t control, const struct kvm_guest_debug_arch *arch)
{
	double samples[COMPUTE_RUNS], t0;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = bench_vm(&vcpu, OP_COMPUTE);
	struct ucall uc;
	int i;

	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC, "guest did not sync");
	set_debug(vcpu, control, arch);
	for (i = 0; i < COMPUTE_RUNS; i++) {
		t0 = bench_now();
		vcpu_run(vcpu);
		samples[i] = bench_now() - t0;
		TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC, "guest did not sync");
	}
	kvm_vm_free(vm);
	return bench_median(samples, COMPUTE_RUNS);
}

int main(int argc, char *argv[])
{
	struct kvm_guest_debug_arch bp = {}, wp = {}, elsewhere = {};
	double steps, exits, off;

	if (argc > 1)
		bench_scale = atoi(argv[1]) ?: 1;
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_SET_GUEST_DEBUG));

	/* The guest runs this binary at its link address. */
	bp.dbg_bvr[0] = GUEST_LABEL(bench_exec);
	bp.dbg_bcr[0] = DBG_CR_E | DBG_CR_PRIV_EL1 | DBGBCR_BAS_A64;
	wp.dbg_wvr[0] = (uint64_t)&bench_var;
	wp.dbg_wcr[0] = DBG_CR_E | DBG_CR_PRIV_EL1 | DBGWCR_LSC_ST | DBGWCR_BAS_8;
	elsewhere.dbg_bvr[0] = GUEST_LABEL(bench_never);
	elsewhere.dbg_bcr[0] = bp.dbg_bcr[0];

	steps = bench_steps(2000 * bench_scale);
	exits = bench_exits(2000 * bench_scale);
	bench_report("step_per_s", steps);
	bench_report("sw_bp_per_s", bench_brk(1000 * bench_scale));
	bench_report("hw_bp_per_s", bench_hw(500 * bench_scale, &bp));
	bench_report("watch_per_s", bench_hw(500 * bench_scale, &wp));
	bench_report("exit_per_s", exits);
	bench_report("step_vs_exit", steps / exits);
	off = bench_compute(0, NULL);
	bench_report("compute_hw_vs_off",
		     bench_compute(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW, &elsewhere) / off);
	bench_report("compute_sw_vs_off",
		     bench_compute(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, NULL) / off);
	return 0;
}
