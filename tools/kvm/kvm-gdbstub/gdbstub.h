/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm-gdbstub: a small VMM that runs one guest ELF on one vCPU and lets
 * gdb debug it through KVM_SET_GUEST_DEBUG and KVM_EXIT_DEBUG.
 *
 * The core (gdbstub.c) speaks the protocol and keeps the breakpoints;
 * vm.c makes the VM and loads the guest; arch_*.c does what differs
 * between arm64, x86_64 and Book E: the vCPU's first state, registers,
 * address translation, and the arch fields of the guest debug ioctl.
 */
#ifndef KVM_GDBSTUB_H
#define KVM_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kernel.h>
#include <linux/kvm.h>

#define MAX_SW_BREAKPOINTS	64
#define MAX_HW_SLOTS		16

/*
 * The guest's way out: guest/ programs write a byte to the console
 * address to print it, and their exit status to the exit address.  x86
 * uses these as I/O ports, the others as MMIO addresses (no memory slot
 * covers them).
 */
#define GUEST_CONSOLE_PORT	0xe9
#define GUEST_EXIT_PORT		0xf4
#define GUEST_MMIO_CONSOLE	0x09000000ull
#define GUEST_MMIO_EXIT		0x09000008ull

struct vm {
	int kvm_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	uint8_t *mem;
	uint64_t mem_gpa, mem_size;
	uint64_t entry;
	/* Book E: the software-managed TLB that KVM reads. */
	void *tlb;
	size_t tlb_entries[2];
};

/* A gdb register: its XML description and its slot in the g packet. */
struct reg_desc {
	const char *name;
	unsigned int bits;
	const char *type;		/* a gdb predefined type */
	const char *feature;		/* the target.xml feature it belongs to */
};

enum hw_kind {
	HW_EXEC,			/* Z1 */
	HW_WRITE,			/* Z2 */
	HW_READ,			/* Z3 */
	HW_ACCESS,			/* Z4 */
};

struct hw_slot {
	bool used;
	enum hw_kind kind;
	uint64_t addr;
	uint64_t len;
};

/* What gdb set up, which the arch turns into kvm_guest_debug.arch. */
struct hw_debug {
	struct hw_slot bp[MAX_HW_SLOTS];
	struct hw_slot wp[MAX_HW_SLOTS];
	int nr_bp, nr_wp;		/* what the vCPU offers */
};

enum stop_cause {
	STOP_SW_BP,
	STOP_HW_BP,
	STOP_WATCH,
	STOP_STEP,
	/* A debug exception that the debugger did not cause: the guest's. */
	STOP_GUEST_BP,
	STOP_GUEST_DB,
};

struct stop {
	enum stop_cause cause;
	uint64_t addr;			/* STOP_WATCH: the data address */
	enum hw_kind kind;		/* STOP_WATCH: which kind fired */
};

/* vm.c */
int vm_create(struct vm *vm, const char *elf_path);
/* Guest physical memory; NULL outside the memory slot. */
void *vm_gpa(struct vm *vm, uint64_t gpa, uint64_t len);

/* arch_*.c */
extern const char *const arch_gdb_name;	/* <architecture> of target.xml */
extern const struct reg_desc arch_regs[];
extern const int arch_nr_regs;
extern const int arch_sw_bp_len;		/* bytes of a breakpoint instruction */
extern const uint64_t arch_mem_gpa;		/* where the memory slot starts */

/* KVM gives no way to write the register: a changed value is refused. */
bool arch_reg_read_only(int regno);
int arch_vm_type(void);
int arch_vcpu_init(struct vm *vm);
/* The breakpoint instruction to plant (Book E: the one KVM names). */
void arch_sw_bp_insn(struct vm *vm, uint8_t *insn);
int arch_regs_load(struct vm *vm);
int arch_regs_store(struct vm *vm);
/* One register, in the guest's byte order, cached since arch_regs_load(). */
void *arch_reg(int regno);
uint64_t arch_pc(void);
void arch_set_pc(uint64_t pc);
int arch_translate(struct vm *vm, uint64_t gva, uint64_t *gpa);
/* Sets the arch fields and flags for the hardware slots in use. */
int arch_hw_debug(struct vm *vm, const struct hw_debug *hw, struct kvm_guest_debug *dbg);
int arch_hw_limits(struct vm *vm, struct hw_debug *hw);
/* Says whether a watchpoint length and alignment is one the arch takes. */
bool arch_hw_ok(enum hw_kind kind, uint64_t addr, uint64_t len);
/* Explains a KVM_EXIT_DEBUG; pc is the stopped vCPU's. */
void arch_classify(struct vm *vm, const struct hw_debug *hw, bool stepping,
		   bool sw_bp_here, struct stop *stop);
uint32_t arch_blockirq(void);

#endif
