// SPDX-License-Identifier: GPL-2.0-only
/*
 * A guest that never configures its TLB (no KVM_CAP_SW_TLB) runs from the
 * 256M TLB1 entry that KVM installs at 0 for it: its first instruction at
 * 0 must execute, and a store within the mapping, where no memslot is,
 * must reach userspace as MMIO.
 */
#include <signal.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"

#define MMIO_GPA	0x0ff00000u	/* inside the initial 256M mapping */
#define RUN_SECONDS	5

/* At guest address 0: lis r3, MMIO_GPA@h; li r4, 0x5a; stw r4, 0(r3); b . */
static const uint32_t guest_code[] = {
	0x3c600000 | (MMIO_GPA >> 16),
	0x3880005a,
	0x90830000,
	0x48000000,
};

static void on_alarm(int sig)
{
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	uint32_t data;
	int r;

	ksft_print_header();
	ksft_set_plan(1);

	vm = vm_create_barebones();
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, 0, 0, 16, 0);
	memcpy(addr_gpa2hva(vm, 0), guest_code, sizeof(guest_code));
	vcpu = __vm_vcpu_add(vm, 0);
	run = vcpu->run;

	/* Without the mapping the guest loops on ITLB misses: stop it. */
	sigaction(SIGALRM, &sa, NULL);
	alarm(RUN_SECONDS);
	r = __vcpu_run(vcpu);
	alarm(0);

	/* Without the initial TLB1 entry, the guest never reaches its store. */
	TEST_ASSERT(r == 0, "KVM_RUN returned %d (errno %d) after up to %ds, want an MMIO exit",
		    r, errno, RUN_SECONDS);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_MMIO, "exit %s, want KVM_EXIT_MMIO",
		    exit_reason_str(run->exit_reason));
	memcpy(&data, run->mmio.data, sizeof(data));
	TEST_ASSERT(run->mmio.is_write && run->mmio.phys_addr == MMIO_GPA &&
		    run->mmio.len == 4 && data == 0x5a,
		    "MMIO %s of %u bytes at 0x%llx (0x%x), want a 4-byte store of 0x5a at 0x%x",
		    run->mmio.is_write ? "store" : "load", run->mmio.len,
		    (unsigned long long)run->mmio.phys_addr, data, MMIO_GPA);

	kvm_vm_free(vm);
	ksft_test_result_pass("guest runs from KVM's initial TLB1 entry to an MMIO store\n");
	ksft_finished();
	return 0;
}
