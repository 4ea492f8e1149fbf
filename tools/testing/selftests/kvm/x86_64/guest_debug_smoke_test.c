// SPDX-License-Identifier: GPL-2.0-only
/*
 * The four basic guest-debug paths, each in a VM of its own so that one
 * failure cannot hide another: an int3 caught with KVM_GUESTDBG_USE_SW_BP,
 * a single step over plain instructions, a DR0 execute breakpoint and a DR1
 * write watchpoint.
 */

#include <asm/debugreg.h>

#include "guest_debug.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_expect.h"

enum smoke_case { SMOKE_INT3, SMOKE_STEP, SMOKE_DR0_EXEC, SMOKE_DR1_WRITE, SMOKE_NR };

static const char *const smoke_names[SMOKE_NR] = {
	"int3 with USE_SW_BP",
	"single-step over plain instructions",
	"DR0 execute breakpoint",
	"DR1 write watchpoint",
};

static uint64_t smoke_watched;

static void guest_code(uint64_t which)
{
	switch (which) {
	case SMOKE_INT3:
		asm volatile("smoke_int3: int3\n\t"
			     "nop");
		break;
	case SMOKE_STEP:
		asm volatile("smoke_step0: mov $1, %%eax\n\t"
			     "smoke_step1: add $2, %%eax\n\t"
			     "smoke_step2: xchg %%eax, %%ecx\n\t"
			     "smoke_step3: nop"
			     : : : "eax", "ecx");
		break;
	case SMOKE_DR0_EXEC:
		asm volatile("smoke_exec: nop");
		break;
	case SMOKE_DR1_WRITE:
		asm volatile("movq $42, %0\n\t"
			     "smoke_after_store: nop"
			     : "=m"(smoke_watched));
		break;
	}
	GUEST_DONE();
}

/* With guest debug off again, the guest must run to its end. */
static bool runs_to_done(struct kvm_vcpu *vcpu)
{
	struct kvm_guest_debug off = {};
	struct ucall uc;

	vcpu_guest_debug_set(vcpu, &off);
	vcpu_run(vcpu);
	return expect(vcpu->run->exit_reason == KVM_EXIT_IO,
		      "exit reason %s after debug off",
		      exit_reason_str(vcpu->run->exit_reason)) &&
	       expect(get_ucall(vcpu, &uc) == UCALL_DONE,
		      "guest did not reach GUEST_DONE");
}

static bool test_int3(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP,
	};
	struct kvm_regs regs;

	vcpu_guest_debug_set(vcpu, &dbg);
	vcpu_run(vcpu);
	if (!debug_exit_at(vcpu, BP_VECTOR, GUEST_LABEL(smoke_int3), 0))
		return false;
	/* The exit reports the int3 itself; resume after its one byte. */
	vcpu_regs_get(vcpu, &regs);
	regs.rip = GUEST_LABEL(smoke_int3) + 1;
	vcpu_regs_set(vcpu, &regs);
	return runs_to_done(vcpu);
}

static bool test_step(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	const uint64_t expect_pc[] = {
		GUEST_LABEL(smoke_step1), GUEST_LABEL(smoke_step2), GUEST_LABEL(smoke_step3),
	};
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP,
	};
	struct kvm_regs regs;
	int i;

	vcpu_guest_debug_set(vcpu, &dbg);
	/* Step from the guest's first instruction up to the block. */
	for (i = 0; i < 1000; i++) {
		vcpu_run(vcpu);
		if (!expect(vcpu->run->exit_reason == KVM_EXIT_DEBUG, "step %d: exit reason %s",
			    i, exit_reason_str(vcpu->run->exit_reason)))
			return false;
		if (vcpu->run->debug.arch.pc == GUEST_LABEL(smoke_step0))
			break;
	}
	if (!expect(i < 1000, "never stepped onto smoke_step0"))
		return false;
	for (i = 0; i < ARRAY_SIZE(expect_pc); i++) {
		vcpu_run(vcpu);
		if (!debug_exit_at(vcpu, DB_VECTOR, expect_pc[i], DR_STEP))
			return false;
	}
	/* The trap flag is the host's: the guest must never see it. */
	vcpu_regs_get(vcpu, &regs);
	return expect(!(regs.rflags & GD_RFLAGS_TF), "TF leaked into guest RFLAGS 0x%llx",
		      regs.rflags) &&
	       runs_to_done(vcpu);
}

static bool test_dr0_exec(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
	};

	dbg.arch.debugreg[0] = GUEST_LABEL(smoke_exec);
	dbg.arch.debugreg[7] = DR_LOCAL_ENABLE |
			       (DR_RW_EXECUTE << DR_CONTROL_SHIFT);
	vcpu_guest_debug_set(vcpu, &dbg);
	vcpu_run(vcpu);
	return debug_exit_at(vcpu, DB_VECTOR, GUEST_LABEL(smoke_exec), DR_TRAP0) &&
	       runs_to_done(vcpu);
}

static bool test_dr1_write(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
	};
	uint64_t *watched = addr_gva2hva(vm, (vm_vaddr_t)&smoke_watched);

	dbg.arch.debugreg[1] = (uint64_t)&smoke_watched;
	dbg.arch.debugreg[7] = (DR_LOCAL_ENABLE << DR_ENABLE_SIZE) |
			       ((DR_RW_WRITE | DR_LEN_8) <<
				(DR_CONTROL_SHIFT + DR_CONTROL_SIZE));
	vcpu_guest_debug_set(vcpu, &dbg);
	vcpu_run(vcpu);
	/* Data breakpoints trap after the access has completed. */
	return debug_exit_at(vcpu, DB_VECTOR, GUEST_LABEL(smoke_after_store), DR_TRAP1) &&
	       expect(*watched == 42, "watched value %lu, want 42", *watched) &&
	       runs_to_done(vcpu);
}

static bool (*const smoke_tests[SMOKE_NR])(struct kvm_vm *, struct kvm_vcpu *) = {
	test_int3, test_step, test_dr0_exec, test_dr1_write,
};

int main(void)
{
	int i;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_SET_GUEST_DEBUG));
	ksft_print_header();
	ksft_set_plan(SMOKE_NR);
	for (i = 0; i < SMOKE_NR; i++) {
		struct kvm_vcpu *vcpu;
		struct kvm_vm *vm;

		vm = vm_create_with_one_vcpu(&vcpu, guest_code);
		vcpu_args_set(vcpu, 1, i);
		ksft_test_result(smoke_tests[i](vm, vcpu), "%s\n", smoke_names[i]);
		kvm_vm_free(vm);
	}
	ksft_finished();
}
