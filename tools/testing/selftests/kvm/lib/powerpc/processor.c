// SPDX-License-Identifier: GPL-2.0-only
/*
 * 32-bit Book E (e500) guests for the KVM selftests.
 *
 * The guest has no page table.  Its TLB is an array in this process that
 * KVM reads through KVM_CAP_SW_TLB, and virt_pg_map() writes a 4K TLB0
 * entry for each page.  TLB0 is made large enough that the whole test
 * image stays mapped, so the guest never takes a TLB miss of its own.
 */
#include <string.h>
#include <sys/mman.h>

#include "kvm_util.h"
#include "processor.h"
#include "ucall_common.h"

#define TLB0_SETS	1024
#define TLB0_WAYS	8
#define TLB0_ENTRIES	(TLB0_SETS * TLB0_WAYS)
#define TLB1_ENTRIES	16

#define MAS1_VALID	0x80000000u
#define MAS1_TSIZE_4K	(2u << 7)	/* 2^2 KiB, MAV 2.0 encoding */
#define MAS2_G		0x02u
#define MAS2_I		0x08u
#define MAS3_UX		0x20u
#define MAS3_SX		0x10u
#define MAS3_SW		0x04u
#define MAS3_UR		0x02u
#define MAS3_SR		0x01u

#define PAGE_4K_MASK	(~(uint64_t)0xfff)

static booke_handler_t exception_handlers[NR_BOOKE_VECTORS];

static size_t tlb_array_bytes(void)
{
	return (TLB0_ENTRIES + TLB1_ENTRIES) * sizeof(struct kvm_book3e_206_tlb_entry);
}

/* Book E has one flat 32-bit effective address space, not two halves. */
void vm_vaddr_populate_bitmap(struct kvm_vm *vm)
{
	sparsebit_set_num(vm->vpages_valid, 0, (1ULL << vm->va_bits) >> vm->page_shift);
}

void virt_arch_pgd_alloc(struct kvm_vm *vm)
{
	struct kvm_book3e_206_tlb_params *params = &vm->arch.tlb_params;
	void *tlb;

	if (vm->pgd_created)
		return;

	tlb = mmap(NULL, tlb_array_bytes(), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(tlb != MAP_FAILED, "mmap() of the guest TLB failed");

	params->tlb_sizes[0] = TLB0_ENTRIES;
	params->tlb_ways[0] = TLB0_WAYS;
	params->tlb_sizes[1] = TLB1_ENTRIES;
	params->tlb_ways[1] = TLB1_ENTRIES;
	vm->arch.tlb = tlb;
	vm->pgd_created = true;
}

static struct kvm_book3e_206_tlb_entry *tlb0_set(struct kvm_vm *vm, uint64_t gva)
{
	return &vm->arch.tlb[((gva >> 12) % TLB0_SETS) * TLB0_WAYS];
}

static struct kvm_book3e_206_tlb_entry *tlb0_find(struct kvm_vm *vm, uint64_t gva)
{
	struct kvm_book3e_206_tlb_entry *set = tlb0_set(vm, gva);
	int way;

	for (way = 0; way < TLB0_WAYS; way++) {
		if ((set[way].mas1 & MAS1_VALID) &&
		    (set[way].mas2 & PAGE_4K_MASK) == (gva & PAGE_4K_MASK))
			return &set[way];
	}
	return NULL;
}

void virt_arch_pg_map(struct kvm_vm *vm, uint64_t vaddr, uint64_t paddr)
{
	struct kvm_book3e_206_tlb_entry *entry, *set;
	int way;

	TEST_ASSERT(!(vaddr & 0xfff) && !(paddr & 0xfff),
		    "Unaligned mapping, vaddr: 0x%lx paddr: 0x%lx",
		    (unsigned long)vaddr, (unsigned long)paddr);
	TEST_ASSERT(vaddr >> vm->va_bits == 0,
		    "vaddr 0x%llx beyond the %u-bit effective address space",
		    (unsigned long long)vaddr, vm->va_bits);
	TEST_ASSERT(paddr >> vm->pa_bits == 0,
		    "paddr 0x%llx beyond the %u-bit real address space",
		    (unsigned long long)paddr, vm->pa_bits);

	entry = tlb0_find(vm, vaddr);
	set = tlb0_set(vm, vaddr);
	for (way = 0; !entry && way < TLB0_WAYS; way++) {
		if (!(set[way].mas1 & MAS1_VALID))
			entry = &set[way];
	}
	TEST_ASSERT(entry, "TLB0 set %lu is full (%d ways) mapping vaddr 0x%llx",
		    (unsigned long)(set - vm->arch.tlb) / TLB0_WAYS, TLB0_WAYS,
		    (unsigned long long)vaddr);

	/*
	 * KVM reads the array directly on a guest TLB miss, so a new entry
	 * needs no KVM_DIRTY_TLB: no shadow entry can exist for it yet.
	 */
	entry->mas8 = 0;
	entry->mas2 = vaddr;
	entry->mas7_3 = paddr | MAS3_SX | MAS3_SW | MAS3_SR;
	entry->mas1 = MAS1_VALID | MAS1_TSIZE_4K;
}

void booke_tlb_allow_user(struct kvm_vm *vm, vm_vaddr_t gva)
{
	struct kvm_book3e_206_tlb_entry *entry = tlb0_find(vm, gva);

	TEST_ASSERT(entry, "No TLB0 entry maps gva 0x%llx", (unsigned long long)gva);
	entry->mas7_3 |= MAS3_UX | MAS3_UR;
}

void booke_tlb_set_uncached(struct kvm_vm *vm, vm_vaddr_t gva)
{
	struct kvm_book3e_206_tlb_entry *entry = tlb0_find(vm, gva);

	TEST_ASSERT(entry, "No TLB0 entry maps gva 0x%llx", (unsigned long long)gva);
	entry->mas2 |= MAS2_I | MAS2_G;
}

vm_paddr_t addr_arch_gva2gpa(struct kvm_vm *vm, vm_vaddr_t gva)
{
	struct kvm_book3e_206_tlb_entry *entry = tlb0_find(vm, gva);

	TEST_ASSERT(entry, "No TLB0 entry maps gva 0x%llx", (unsigned long long)gva);
	return (entry->mas7_3 & PAGE_4K_MASK) | (gva & 0xfff);
}

void virt_arch_dump(FILE *stream, struct kvm_vm *vm, uint8_t indent)
{
	struct kvm_book3e_206_tlb_entry *entry;
	int i;

	if (!vm->pgd_created)
		return;

	for (i = 0; i < TLB0_ENTRIES; i++) {
		entry = &vm->arch.tlb[i];
		if (!(entry->mas1 & MAS1_VALID))
			continue;
		fprintf(stream, "%*sTLB0[%4d] ea 0x%08llx -> ra 0x%09llx mas1 0x%08x\n",
			indent, "", i, (unsigned long long)(entry->mas2 & PAGE_4K_MASK),
			(unsigned long long)(entry->mas7_3 & PAGE_4K_MASK), entry->mas1);
	}
}

static void vcpu_setup_tlb(struct kvm_vcpu *vcpu)
{
	struct kvm_vm *vm = vcpu->vm;
	struct kvm_config_tlb cfg = {
		.params = (uintptr_t)&vm->arch.tlb_params,
		.array = (uintptr_t)vm->arch.tlb,
		.mmu_type = KVM_MMU_FSL_BOOKE_NOHV,
		.array_len = tlb_array_bytes(),
	};

	virt_pgd_alloc(vm);
	vcpu_enable_cap(vcpu, KVM_CAP_SW_TLB, (uintptr_t)&cfg);
}

static void vcpu_setup_vectors(struct kvm_vcpu *vcpu)
{
	uintptr_t base = (uintptr_t)booke_vectors;
	uintptr_t ivpr = base & ~(uintptr_t)0xffff;
	struct kvm_sregs sregs;
	int i;

	vcpu_sregs_get(vcpu, &sregs);
	sregs.u.e.ivpr = ivpr;
	for (i = 0; i < NR_BOOKE_VECTORS; i++) {
		uint32_t offset = base + 16 * i - ivpr;

		TEST_ASSERT(offset < 0x10000, "Vector %d is beyond IVPR + 64K", i);
		if (i < 16)
			sregs.u.e.ivor_low[i] = offset;
		else
			sregs.u.e.ivor_high[i - 16] = offset;
	}
	sregs.u.e.features |= KVM_SREGS_E_IVOR | KVM_SREGS_E_ARCH206 |
			      KVM_SREGS_E_SPE | KVM_SREGS_E_PM;
	vcpu_sregs_set(vcpu, &sregs);
}

struct kvm_vcpu *vm_arch_vcpu_add(struct kvm_vm *vm, uint32_t vcpu_id)
{
	size_t stack_size = DEFAULT_STACK_PGS * vm->page_size;
	struct kvm_vcpu *vcpu = __vm_vcpu_add(vm, vcpu_id);
	unsigned long sdata;
	vm_vaddr_t stack;
	struct kvm_regs regs;

	vcpu_setup_tlb(vcpu);
	vcpu_setup_vectors(vcpu);

	stack = __vm_vaddr_alloc(vm, stack_size, DEFAULT_GUEST_STACK_VADDR_MIN,
				 MEM_REGION_DATA);

	/*
	 * The guest runs this very executable at its link addresses, so it
	 * shares this process's small data anchor.  r2 is the thread pointer,
	 * which guest code must not use.
	 */
	asm("mr %0, 13" : "=r"(sdata));

	vcpu_regs_get(vcpu, &regs);
	regs.msr = 0;
	regs.gpr[1] = stack + stack_size - 16;
	regs.gpr[2] = 0;
	regs.gpr[13] = sdata;
	vcpu_regs_set(vcpu, &regs);
	/* The ABI's back chain: the first frame ends the list. */
	memset(addr_gva2hva(vm, regs.gpr[1]), 0, 16);

	return vcpu;
}

void vcpu_arch_set_entry_point(struct kvm_vcpu *vcpu, void *guest_code)
{
	struct kvm_regs regs;

	vcpu_regs_get(vcpu, &regs);
	regs.pc = (uintptr_t)guest_code;
	vcpu_regs_set(vcpu, &regs);
}

void vcpu_args_set(struct kvm_vcpu *vcpu, unsigned int num, ...)
{
	struct kvm_regs regs;
	va_list ap;
	unsigned int i;

	TEST_ASSERT(num >= 1 && num <= 8, "Unsupported number of args: %u", num);

	vcpu_regs_get(vcpu, &regs);
	va_start(ap, num);
	for (i = 0; i < num; i++)
		regs.gpr[3 + i] = va_arg(ap, unsigned long);
	va_end(ap);
	vcpu_regs_set(vcpu, &regs);
}

void vcpu_arch_dump(FILE *stream, struct kvm_vcpu *vcpu, uint8_t indent)
{
	struct kvm_regs regs;
	int i;

	vcpu_regs_get(vcpu, &regs);
	fprintf(stream, "%*spc: 0x%08llx msr: 0x%08llx lr: 0x%08llx cr: 0x%08llx\n",
		indent, "", regs.pc, regs.msr, regs.lr, regs.cr);
	for (i = 0; i < 32; i += 4)
		fprintf(stream, "%*sr%-2d 0x%08llx 0x%08llx 0x%08llx 0x%08llx\n",
			indent, "", i, regs.gpr[i], regs.gpr[i + 1],
			regs.gpr[i + 2], regs.gpr[i + 3]);
}

void vm_install_exception_handler(struct kvm_vm *vm, int vector,
				  booke_handler_t handler)
{
	booke_handler_t *slot;

	TEST_ASSERT(vector >= 0 && vector < NR_BOOKE_VECTORS,
		    "No such vector: %d", vector);
	slot = addr_gva2hva(vm, (uintptr_t)&exception_handlers[vector]);
	*slot = handler;
}

uint32_t vcpu_debug_inst(struct kvm_vcpu *vcpu)
{
	uint32_t inst = 0;

	vcpu_get_reg(vcpu, KVM_REG_PPC_DEBUG_INST, &inst);
	return inst;
}

void assert_on_unhandled_exception(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	if (get_ucall(vcpu, &uc) != UCALL_UNHANDLED)
		return;

	TEST_FAIL("Unexpected guest interrupt %llu: pc 0x%llx msr 0x%llx esr 0x%llx dear 0x%llx",
		  (unsigned long long)uc.args[0], (unsigned long long)uc.args[1],
		  (unsigned long long)uc.args[2], (unsigned long long)uc.args[3],
		  (unsigned long long)uc.args[4]);
}

/* Guest code: called by the entry code in handlers.S. */
void route_exception(struct ex_regs *regs);

void route_exception(struct ex_regs *regs)
{
	booke_handler_t handler = NULL;

	if (regs->vector < NR_BOOKE_VECTORS)
		handler = exception_handlers[regs->vector];
	if (handler) {
		handler(regs);
		return;
	}

	ucall(UCALL_UNHANDLED, 5, regs->vector, regs->pc, regs->msr,
	      mfspr(SPRN_ESR), mfspr(SPRN_DEAR));
}
