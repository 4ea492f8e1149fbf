// SPDX-License-Identifier: GPL-2.0-only
/*
 * How fast a debugger can drive an x86 guest through KVM, and what guest
 * debug that is enabled but never hit costs the guest.  Each figure is one
 * "# bench:" line; make bench runs this on the baseline kernel and on ours,
 * alternately, and compares them.  Only the API both kernels share is used.
 *
 * A hit-and-resume is what a debugger does at each stop: for an int3,
 * move RIP past it; for an execute breakpoint (a fault), single-step with
 * it disabled, then arm it again; a write watchpoint is a trap, so the
 * guest simply runs on.
 */
#include <stdlib.h>

#include "guest_debug.h"
#include "guest_debug_bench.h"
#include "kvm_util.h"
#include "processor.h"
#include "ucall_common.h"

#define BENCH_PORT		0x80
#define COMPUTE_ITERS		2000000ul
#define COMPUTE_RUNS		5

/* DR7: L0 for an execute breakpoint in DR0, L1 with R/W 01 and LEN 10 (8 bytes) in DR1. */
#define DR7_FIXED		0x400ul
#define DR7_EXEC0		(DR7_FIXED | 0x1ul)
#define DR7_WRITE8_1		(DR7_FIXED | 0x4ul | (0x1ul << 20) | (0x2ul << 22))

enum bench_op { OP_LOOP, OP_INT3, OP_IO, OP_COMPUTE };

static uint64_t bench_var;
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
	case OP_INT3:
		for (;;)
			asm volatile("int3");
		break;
	case OP_IO:
		for (;;)
			asm volatile("outb %%al, %%dx" : : "a"(0), "d"(BENCH_PORT));
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

	vcpu_args_set(*vcpu, 1, op);
	return vm;
}

static void set_debug(struct kvm_vcpu *vcpu, uint32_t control, uint64_t dr0, uint64_t dr1,
		      uint64_t dr7)
{
	struct kvm_guest_debug dbg = { .control = control };

	dbg.arch.debugreg[0] = dr0;
	dbg.arch.debugreg[1] = dr1;
	dbg.arch.debugreg[7] = dr7;
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

	set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, 0, 0, 0);
	run_to_debug(vcpu);
	t0 = bench_now();
	for (i = 0; i < n; i++)
		run_to_debug(vcpu);
	t0 = n / (bench_now() - t0);
	kvm_vm_free(vm);
	return t0;
}

static double bench_int3(int n)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = bench_vm(&vcpu, OP_INT3);
	struct kvm_regs regs;
	double t0;
	int i;

	set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, 0, 0, 0);
	t0 = bench_now();
	for (i = 0; i < n; i++) {
		run_to_debug(vcpu);
		vcpu_regs_get(vcpu, &regs);
		regs.rip++;
		vcpu_regs_set(vcpu, &regs);
	}
	t0 = n / (bench_now() - t0);
	kvm_vm_free(vm);
	return t0;
}

static double bench_hw_bp(int n)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = bench_vm(&vcpu, OP_LOOP);
	uint64_t at = GUEST_LABEL(bench_exec);
	double t0;
	int i;

	t0 = bench_now();
	for (i = 0; i < n; i++) {
		set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, at, 0, DR7_EXEC0);
		run_to_debug(vcpu);
		set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, 0, 0, 0);
		run_to_debug(vcpu);
	}
	t0 = n / (bench_now() - t0);
	kvm_vm_free(vm);
	return t0;
}

static double bench_watch(int n)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = bench_vm(&vcpu, OP_LOOP);
	double t0;
	int i;

	set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, 0, (uint64_t)&bench_var,
		  DR7_WRITE8_1);
	t0 = bench_now();
	for (i = 0; i < n; i++)
		run_to_debug(vcpu);
	t0 = n / (bench_now() - t0);
	kvm_vm_free(vm);
	return t0;
}

static double bench_exits(int n)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = bench_vm(&vcpu, OP_IO);
	double t0;
	int i;

	t0 = bench_now();
	for (i = 0; i < n; i++) {
		vcpu_run(vcpu);
		TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO, "exit %s, want IO",
			    exit_reason_str(vcpu->run->exit_reason));
	}
	t0 = n / (bench_now() - t0);
	kvm_vm_free(vm);
	return t0;
}

/* The median time of one compute round under @control and DR0/DR7. */
static double bench_compute(uint32_t control, uint64_t dr0, uint64_t dr7)
{
	double samples[COMPUTE_RUNS], t0;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = bench_vm(&vcpu, OP_COMPUTE);
	struct ucall uc;
	int i;

	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC, "guest did not sync");
	set_debug(vcpu, control, dr0, 0, dr7);
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
	double steps, exits, off;

	if (argc > 1)
		bench_scale = atoi(argv[1]) ?: 1;
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_SET_GUEST_DEBUG));

	steps = bench_steps(1000 * bench_scale);
	exits = bench_exits(1000 * bench_scale);
	bench_report("step_per_s", steps);
	bench_report("sw_bp_per_s", bench_int3(500 * bench_scale));
	bench_report("hw_bp_per_s", bench_hw_bp(250 * bench_scale));
	bench_report("watch_per_s", bench_watch(500 * bench_scale));
	bench_report("exit_per_s", exits);
	bench_report("step_vs_exit", steps / exits);
	off = bench_compute(0, 0, 0);
	bench_report("compute_hw_vs_off",
		     bench_compute(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
				   GUEST_LABEL(bench_never), DR7_EXEC0) / off);
	bench_report("compute_sw_vs_off",
		     bench_compute(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, 0, 0) / off);
	return 0;
}
