// SPDX-License-Identifier: GPL-2.0-only
/*
 * ucall through an MMIO store: the guest writes the address of its struct
 * ucall to a page that no memslot backs.
 */
#include "kvm_util.h"
#include "processor.h"

uint32_t *ucall_exit_mmio_addr;

void ucall_arch_init(struct kvm_vm *vm, vm_paddr_t mmio_gpa)
{
	vm_vaddr_t gva = vm_vaddr_unused_gap(vm, vm->page_size, KVM_UTIL_MIN_VADDR);

	virt_map(vm, gva, mmio_gpa, 1);
	booke_tlb_set_uncached(vm, gva);
	vm->ucall_mmio_addr = mmio_gpa;
	write_guest_global(vm, ucall_exit_mmio_addr, (uint32_t *)(uintptr_t)gva);
}

void *ucall_arch_get_ucall(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint32_t uc;

	if (run->exit_reason != KVM_EXIT_MMIO ||
	    run->mmio.phys_addr != vcpu->vm->ucall_mmio_addr)
		return NULL;

	TEST_ASSERT(run->mmio.is_write && run->mmio.len == sizeof(uc),
		    "ucall: expected a 4-byte store, got %s of %u bytes",
		    run->mmio.is_write ? "a store" : "a load", run->mmio.len);
	memcpy(&uc, run->mmio.data, sizeof(uc));
	return (void *)(uintptr_t)uc;
}
