// SPDX-License-Identifier: GPL-2.0-only
/*
 * How fast a debugger can drive a Book E guest through KVM, and what guest
 * debug that is enabled but never hit costs the guest.  Each figure is one
 * "# bench:" line, in the format of the arm64 and x86 benchmarks.
 *
 * A hit-and-resume is what a debugger does at each stop: for the
 * KVM_REG_PPC_DEBUG_INST instruction, move the PC past it; an IAC or a
 * DAC stops before its instruction completes, so single-step with it
 * disabled, then arm it again.
 */
#include <stdlib.h>

#include "guest_debug.h"
#include "guest_debug_bench.h"
#include "kvm_util.h"
#include "processor.h"
#include "ucall_common.h"

#define COMPUTE_ITERS		200000u
#define COMPUTE_RUNS		5

enum bench_op { OP_LOOP, OP_SWBP, OP_MMIO, OP_COMPUTE };

static uint32_t bench_var;
static int bench_scale = 1;

static noinline void guest_loop(void)
{
	uint32_t i = 0;

	for (;;) {
		asm volatile("bench_exec: nop");
		WRITE_ONCE(bench_var, i++);
	}
}

/*
 * The breakpoint that is never hit sits on a page of its own, as in the
 * other benchmarks: QEMU checks every instruction of a page that holds an
 * IAC, which would slow the compute loop for a reason no CPU has.
 */
void guest_never(void);
asm(".pushsection .text\n"
	".balign 4096\n"
	"guest_never:\n"
	"bench_never:\n"
	"	nop\n"
	"	blr\n"
	".balign 4096\n"
	".popsection");

/*
 * The host writes the KVM_REG_PPC_DEBUG_INST instruction at bench_swbp.
 * Plain asm, so that the compiler cannot copy the label.
 */
asm(".pushsection .text\n"
	"guest_sw_bp_loop:\n"
	"bench_swbp:\n"
	"	nop\n"
	"	b bench_swbp\n"
	".popsection");

static void guest_code(uint32_t op, uint32_t mmio)
{
	uint32_t i, sum = 0;

	switch (op) {
	case OP_LOOP:
		guest_loop();
		break;
	case OP_SWBP:
		((void (*)(void))(uintptr_t)GUEST_LABEL(guest_sw_bp_loop))();
		break;
	case OP_MMIO:
		for (;;)
			WRITE_ONCE(*(uint32_t *)mmio, 0);
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
	uint64_t mmio_gpa = vm->ucall_mmio_addr + vm->page_size;
	uint64_t mmio_gva = vm_vaddr_unused_gap(vm, vm->page_size, KVM_UTIL_MIN_VADDR);

	virt_map(vm, mmio_gva, mmio_gpa, 1);
	booke_tlb_set_uncached(vm, mmio_gva);
	vcpu_args_set(*vcpu, 2, op, (uint32_t)mmio_gva);
	return vm;
}

static void set_debug(struct kvm_vcpu *vcpu, uint32_t control, uint32_t addr, uint32_t type)
{
	struct kvm_guest_debug dbg = { .control = control };

	if (type) {
		dbg.arch.bp[0].addr = addr;
		dbg.arch.bp[0].type = type;
	}
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

	set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, 0, 0);
	run_to_debug(vcpu);
	t0 = bench_now();
	for (i = 0; i < n; i++)
		run_to_debug(vcpu);
	t0 = n / (bench_now() - t0);
	kvm_vm_free(vm);
	return t0;
}

static double bench_sw_bp(int n)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = bench_vm(&vcpu, OP_SWBP);
	uint32_t *insn = addr_gva2hva(vm, GUEST_LABEL(bench_swbp));
	struct kvm_regs regs;
	double t0;
	int i;

	*insn = vcpu_debug_inst(vcpu);
	asm volatile("dcbst 0, %0\n\tsync\n\ticbi 0, %0\n\tsync\n\tisync"
		     : : "r"(insn) : "memory");
	set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, 0, 0);
	t0 = bench_now();
	for (i = 0; i < n; i++) {
		run_to_debug(vcpu);
		vcpu_regs_get(vcpu, &regs);
		regs.pc += 4;
		vcpu_regs_set(vcpu, &regs);
	}
	t0 = n / (bench_now() - t0);
	kvm_vm_free(vm);
	return t0;
}

/* Hits of one IAC or DAC per second, each resumed with a step. */
static double bench_hw(int n, uint32_t addr, uint32_t type)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = bench_vm(&vcpu, OP_LOOP);
	double t0;
	int i;

	t0 = bench_now();
	for (i = 0; i < n; i++) {
		set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, addr, type);
		run_to_debug(vcpu);
		set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, 0, 0);
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

/* The median time of one compute round under @control, with one IAC at @iac. */
static double bench_compute(uint32_t control, uint32_t iac)
{
	double samples[COMPUTE_RUNS], t0;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = bench_vm(&vcpu, OP_COMPUTE);
	struct ucall uc;
	int i;

	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC, "guest did not sync");
	set_debug(vcpu, control, iac, iac ? KVMPPC_DEBUG_BREAKPOINT : 0);
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
	bench_report("sw_bp_per_s", bench_sw_bp(500 * bench_scale));
	bench_report("hw_bp_per_s", bench_hw(250 * bench_scale, GUEST_LABEL(bench_exec),
					     KVMPPC_DEBUG_BREAKPOINT));
	bench_report("watch_per_s", bench_hw(250 * bench_scale, (uintptr_t)&bench_var,
					     KVMPPC_DEBUG_WATCH_WRITE));
	bench_report("exit_per_s", exits);
	bench_report("step_vs_exit", steps / exits);
	off = bench_compute(0, 0);
	bench_report("compute_hw_vs_off",
		     bench_compute(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
				   GUEST_LABEL(bench_never)) / off);
	bench_report("compute_sw_vs_off",
		     bench_compute(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, 0) / off);
	return 0;
}
