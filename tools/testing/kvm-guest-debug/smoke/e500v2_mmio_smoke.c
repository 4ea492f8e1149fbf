// SPDX-License-Identifier: GPL-2.0-only
/*
 * e500v2 smoke test: the smallest KVM_E500V2 guest that proves a guest
 * runs and exits.  The guest stores to two addresses that no memslot
 * covers; each store must reach userspace as KVM_EXIT_MMIO with the right
 * address and data, and the second one proves that the guest resumes
 * after the first.
 *
 * It stands alone because the kvm selftests library has no booke support
 * yet; it talks to /dev/kvm directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "../../selftests/kselftest.h"

#define GUEST_MEM_SIZE	0x100000
#define GUEST_ENTRY	0x1000	/* QEMU only single-steps above 0x100 */
#define MMIO_BASE	0x0f000000

/* One 256 MiB TLB1 entry, supervisor read/write/execute, maps 0 to 0. */
#define TLB0_ENTRIES	512
#define TLB0_WAYS	4
#define TLB1_ENTRIES	16
#define MAS1_V		0x80000000u
#define MAS1_IPROT	0x40000000u
#define MAS1_TSIZE_256M	(18u << 7)	/* log2(size / 1 KiB), bits 7-11 */
#define MAS3_SR		0x01u
#define MAS3_SW		0x04u
#define MAS3_SX		0x10u

static const uint32_t guest_code[] = {
	0x3c800f00,	/* lis   r4, MMIO_BASE@h */
	0x38600055,	/* li    r3, 0x55 */
	0x90640000,	/* stw   r3, 0(r4) */
	0x386000aa,	/* li    r3, 0xaa */
	0x90640004,	/* stw   r3, 4(r4) */
	0x48000000,	/* b     . */
};

static struct kvm_book3e_206_tlb_entry tlb[TLB0_ENTRIES + TLB1_ENTRIES];

static int vm_fd, vcpu_fd;
static struct kvm_run *run;

static bool setup(void)
{
	struct kvm_book3e_206_tlb_params params = {
		.tlb_sizes = { TLB0_ENTRIES, TLB1_ENTRIES },
		.tlb_ways = { TLB0_WAYS, TLB1_ENTRIES },
	};
	struct kvm_config_tlb cfg = {
		.params = (uintptr_t)&params,
		.array = (uintptr_t)tlb,
		.mmu_type = KVM_MMU_FSL_BOOKE_NOHV,
		.array_len = sizeof(tlb),
	};
	struct kvm_enable_cap cap = { .cap = KVM_CAP_SW_TLB, .args = { (uintptr_t)&cfg } };
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = GUEST_MEM_SIZE,
	};
	static uint8_t dirty[(TLB0_ENTRIES + TLB1_ENTRIES) / 8];
	struct kvm_dirty_tlb dirty_tlb = {
		.bitmap = (uintptr_t)dirty, .num_dirty = TLB0_ENTRIES + TLB1_ENTRIES,
	};
	struct kvm_book3e_206_tlb_entry *tlb1 = &tlb[TLB0_ENTRIES];
	struct kvm_regs regs;
	void *mem;
	int kvm, run_size;

	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0) {
		ksft_print_msg("open /dev/kvm: %s\n", strerror(errno));
		return false;
	}
	vm_fd = ioctl(kvm, KVM_CREATE_VM, 0);
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm_fd < 0 || run_size <= 0) {
		ksft_print_msg("KVM_CREATE_VM: %s\n", strerror(errno));
		return false;
	}
	mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return false;
	memcpy((char *)mem + GUEST_ENTRY, guest_code, sizeof(guest_code));
	region.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region)) {
		ksft_print_msg("KVM_SET_USER_MEMORY_REGION: %s\n", strerror(errno));
		return false;
	}
	vcpu_fd = ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	if (vcpu_fd < 0) {
		ksft_print_msg("KVM_CREATE_VCPU: %s\n", strerror(errno));
		return false;
	}
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fd, 0);
	if (run == MAP_FAILED)
		return false;

	tlb1[0].mas1 = MAS1_V | MAS1_IPROT | MAS1_TSIZE_256M;
	tlb1[0].mas2 = 0;
	tlb1[0].mas7_3 = MAS3_SR | MAS3_SW | MAS3_SX;
	if (ioctl(vcpu_fd, KVM_ENABLE_CAP, &cap)) {
		ksft_print_msg("KVM_ENABLE_CAP(KVM_CAP_SW_TLB): %s\n", strerror(errno));
		return false;
	}
	memset(dirty, 0xff, sizeof(dirty));
	if (ioctl(vcpu_fd, KVM_DIRTY_TLB, &dirty_tlb)) {
		ksft_print_msg("KVM_DIRTY_TLB: %s\n", strerror(errno));
		return false;
	}
	if (ioctl(vcpu_fd, KVM_GET_REGS, &regs))
		return false;
	regs.pc = GUEST_ENTRY;
	regs.msr = 0;
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs)) {
		ksft_print_msg("KVM_SET_REGS: %s\n", strerror(errno));
		return false;
	}
	return true;
}

static bool mmio_store(uint64_t addr, uint32_t value)
{
	uint32_t data;

	if (ioctl(vcpu_fd, KVM_RUN, 0)) {
		ksft_print_msg("KVM_RUN: %s\n", strerror(errno));
		return false;
	}
	if (run->exit_reason != KVM_EXIT_MMIO) {
		ksft_print_msg("exit reason %u, want KVM_EXIT_MMIO (%u)\n",
			       run->exit_reason, KVM_EXIT_MMIO);
		return false;
	}
	memcpy(&data, run->mmio.data, sizeof(data));
	if (run->mmio.phys_addr != addr || !run->mmio.is_write ||
	    run->mmio.len != 4 || data != value) {
		ksft_print_msg("MMIO %s of %u bytes at 0x%llx, data 0x%x\n",
			       run->mmio.is_write ? "write" : "read", run->mmio.len,
			       (unsigned long long)run->mmio.phys_addr, data);
		ksft_print_msg("want a write of 0x%x at 0x%llx\n", value,
			       (unsigned long long)addr);
		return false;
	}
	return true;
}

int main(void)
{
	bool ready;

	ksft_print_header();
	ksft_set_plan(3);
	ready = setup();
	ksft_test_result(ready, "vm, vcpu and guest TLB set up\n");
	ksft_test_result(ready && mmio_store(MMIO_BASE, 0x55), "first store exits as MMIO\n");
	ksft_test_result(ready && mmio_store(MMIO_BASE + 4, 0xaa),
			 "guest resumes to the second MMIO store\n");
	ksft_finished();
}
