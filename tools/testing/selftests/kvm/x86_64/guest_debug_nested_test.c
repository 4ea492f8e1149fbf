// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest debug while L1 runs an L2 that intercepts #BP and #DB itself: the
 * debug events that userspace raised (its int3s, its hardware breakpoints,
 * its single-step) stop the vCPU with KVM_EXIT_DEBUG; the ones L2 raised
 * on its own (ICEBP) and the int3 that userspace hands back with
 * KVM_GUESTDBG_INJECT_BP go to L1, as the exits L1 asked for.
 */
#include <asm/debugreg.h>

#include "guest_debug.h"
#include "kvm_util.h"
#include "processor.h"
#include "svm_util.h"
#include "test_expect.h"
#include "vmx.h"

#define L2_STACK_SIZE	256

static void l2_code(void)
{
	asm volatile("gdn_int3: int3\n\t"
		     "gdn_icebp: .byte 0xf1\n\t"
		     "gdn_hw: nop\n\t"
		     "gdn_after: nop");
	GUEST_DONE();
}

/* L1 expects a #BP exit, then a #DB exit, each time moving L2 on. */
static void l1_svm_code(struct svm_test_data *svm)
{
	struct vmcb_control_area *ctrl = &svm->vmcb->control;
	unsigned long l2_stack[L2_STACK_SIZE];

	generic_svm_setup(svm, l2_code, &l2_stack[L2_STACK_SIZE]);
	ctrl->intercept_exceptions |= BIT(BP_VECTOR) | BIT(DB_VECTOR);

	run_guest(svm->vmcb, svm->vmcb_gpa);
	GUEST_ASSERT_EQ(ctrl->exit_code, SVM_EXIT_EXCP_BASE + BP_VECTOR);
	svm->vmcb->save.rip = GUEST_LABEL(gdn_icebp);

	run_guest(svm->vmcb, svm->vmcb_gpa);
	GUEST_ASSERT_EQ(ctrl->exit_code, SVM_EXIT_EXCP_BASE + DB_VECTOR);
	svm->vmcb->save.rip = GUEST_LABEL(gdn_hw);

	run_guest(svm->vmcb, svm->vmcb_gpa);
	GUEST_FAIL("L1 got exit 0x%x after L2's breakpoint", ctrl->exit_code);
}

static void l1_vmx_code(struct vmx_pages *vmx)
{
	unsigned long l2_stack[L2_STACK_SIZE];

	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	GUEST_ASSERT(load_vmcs(vmx));
	prepare_vmcs(vmx, l2_code, &l2_stack[L2_STACK_SIZE]);
	GUEST_ASSERT(!vmwrite(EXCEPTION_BITMAP, BIT(BP_VECTOR) | BIT(DB_VECTOR)));

	GUEST_ASSERT(!vmlaunch());
	GUEST_ASSERT_EQ(vmreadz(VM_EXIT_REASON), EXIT_REASON_EXCEPTION_NMI);
	GUEST_ASSERT_EQ(vmreadz(VM_EXIT_INTR_INFO) & 0xff, BP_VECTOR);
	GUEST_ASSERT(!vmwrite(GUEST_RIP, GUEST_LABEL(gdn_icebp)));

	GUEST_ASSERT(!vmresume());
	GUEST_ASSERT_EQ(vmreadz(VM_EXIT_REASON), EXIT_REASON_EXCEPTION_NMI);
	GUEST_ASSERT_EQ(vmreadz(VM_EXIT_INTR_INFO) & 0xff, DB_VECTOR);
	GUEST_ASSERT(!vmwrite(GUEST_RIP, GUEST_LABEL(gdn_hw)));

	GUEST_ASSERT(!vmresume());
	GUEST_FAIL("L1 got exit %lu after L2's breakpoint", vmreadz(VM_EXIT_REASON));
}

static void __attribute__((__flatten__)) l1_code(void *data)
{
	if (this_cpu_has(X86_FEATURE_SVM))
		l1_svm_code(data);
	else
		l1_vmx_code(data);
}

static bool set_debug(struct kvm_vcpu *vcpu, uint32_t control)
{
	struct kvm_guest_debug dbg = { .control = control };
	int r;

	dbg.arch.debugreg[0] = GUEST_LABEL(gdn_hw);
	dbg.arch.debugreg[7] = 0x400 | DR_LOCAL_ENABLE;
	r = __vcpu_ioctl(vcpu, KVM_SET_GUEST_DEBUG, &dbg);
	return expect(!r, "KVM_SET_GUEST_DEBUG(0x%x) failed: %s", control, strerror(errno));
}

/* Says what L1 or L2 reported instead of a debug exit. */
static void explain_exit(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	if (vcpu->run->exit_reason == KVM_EXIT_IO && get_ucall(vcpu, &uc) == UCALL_ABORT)
		printf("# guest: %s\n", uc.buffer);
}

int main(void)
{
	const uint32_t hw_sw = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP |
			       KVM_GUESTDBG_USE_HW_BP;
	vm_vaddr_t nested_gva;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	bool ok;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_SET_GUEST_DEBUG));
	TEST_REQUIRE(kvm_cpu_has(X86_FEATURE_SVM) || kvm_cpu_has(X86_FEATURE_VMX));
	ksft_print_header();
	ksft_set_plan(4);

	vm = vm_create_with_one_vcpu(&vcpu, l1_code);
	if (kvm_cpu_has(X86_FEATURE_SVM))
		vcpu_alloc_svm(vm, &nested_gva);
	else
		vcpu_alloc_vmx(vm, &nested_gva);
	vcpu_args_set(vcpu, 1, nested_gva);

	ok = set_debug(vcpu, hw_sw);
	if (ok) {
		vcpu_run(vcpu);
		ok = debug_exit_at(vcpu, BP_VECTOR, GUEST_LABEL(gdn_int3), 0);
	}
	if (!ok)
		explain_exit(vcpu);
	ksft_test_result(ok, "L2's int3 under USE_SW_BP exits to userspace\n");

	/* Handed back, the int3 is L1's; L2's ICEBP is L1's too. */
	ok = ok && set_debug(vcpu, hw_sw | KVM_GUESTDBG_INJECT_BP);
	if (ok) {
		vcpu_run(vcpu);
		ok = debug_exit_at(vcpu, DB_VECTOR, GUEST_LABEL(gdn_hw), DR_TRAP0);
		if (!ok)
			explain_exit(vcpu);
	}
	ksft_test_result(ok, "INJECT_BP and L2's ICEBP reach L1; userspace's DR0 in L2 exits\n");

	ok = ok && set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP);
	if (ok) {
		vcpu_run(vcpu);
		ok = debug_exit_at(vcpu, DB_VECTOR, GUEST_LABEL(gdn_after), DR_STEP);
	}
	ksft_test_result(ok, "userspace single-steps L2\n");

	ok = ok && set_debug(vcpu, 0);
	if (ok) {
		vcpu_run(vcpu);
		ok = expect(vcpu->run->exit_reason == KVM_EXIT_IO &&
			    get_ucall(vcpu, &uc) == UCALL_DONE,
			    "L2 did not run to its end");
		if (!ok)
			explain_exit(vcpu);
	}
	ksft_test_result(ok, "L2 runs on once userspace stops debugging\n");
	kvm_vm_free(vm);
	ksft_finished();
}
