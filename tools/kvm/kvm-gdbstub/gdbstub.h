/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm-gdbstub: a small VMM that runs one guest ELF on one vCPU and lets
 * gdb debug it through KVM_SET_GUEST_DEBUG and KVM_EXIT_DEBUG.
 *
 * The core speaks the protocol (gdbstub.c), keeps the breakpoints
 * (breakpoints.c), the register cache (regcache.c) and the line to gdb
 * (line.c); vm.c makes the VM and loads the guest; arch_*.c does only
 * what differs between arm64, x86_64 and Book E: the vCPU's first state,
 * how registers reach KVM, address translation, and the arch fields of
 * the guest debug ioctl.
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
/* The largest g packet of any arch, in bytes. */
#define MAX_REG_BYTES		1024

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

/*
 * One breakpoint or watchpoint register's worth.  A gdb watchpoint that
 * one register cannot cover takes several slots, all naming it.
 */
struct hw_slot {
	bool used;
	enum hw_kind kind;
	uint64_t addr;
	uint64_t len;
	uint64_t watch_addr, watch_len;	/* what gdb asked for */
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
int vm_check_extension(struct vm *vm, long cap);

/* regcache.c: gdb's view of the registers, in g packet order. */
int regcache_init(void);
/* Register regno's bytes in buf, a g packet's worth in the guest's byte order. */
void *reg_in(const uint8_t *buf, int regno);
uint64_t reg_get(const uint8_t *buf, int regno);
void reg_put(uint8_t *buf, int regno, uint64_t val);
int regs_load(struct vm *vm);
/* Writes to KVM what gdb changed since regs_load(). */
int regs_store(struct vm *vm);
void *reg_cur(int regno);
uint64_t cur_pc(void);
void set_pc(uint64_t pc);

/* arch_*.c */
extern const char *const arch_gdb_name;	/* <architecture> of target.xml */
extern const struct reg_desc arch_regs[];
extern const int arch_nr_regs;
extern const int arch_pc_regno;
extern const int arch_sw_bp_len;		/* bytes of a breakpoint instruction */
extern const uint64_t arch_mem_gpa;		/* where the memory slot starts */
/*
 * Hardware slots that breakpoints and watchpoints share, where KVM does
 * not count them (KVM_CAP_GUEST_DEBUG_HW_BPS/WPS): x86's DR0-3.
 */
extern const int arch_shared_hw_slots;

/* KVM gives no way to write the register: a changed value is refused. */
bool arch_reg_read_only(int regno);
int arch_vcpu_init(struct vm *vm);
/* The breakpoint instruction to plant (Book E: the one KVM names). */
void arch_sw_bp_insn(struct vm *vm, uint8_t *insn);
/* Fills buf, laid out as reg_in() says, from KVM. */
int arch_regs_read(struct vm *vm, uint8_t *buf);
/* Writes buf to KVM; old is what KVM holds, for arches that write per register. */
int arch_regs_write(struct vm *vm, const uint8_t *buf, const uint8_t *old);
int arch_translate(struct vm *vm, uint64_t gva, uint64_t *gpa);
/* Says whether the arch has watchpoints of this kind at all. */
bool arch_hw_kind(enum hw_kind kind);
/*
 * How many bytes from addr (at most len) one slot of this kind covers;
 * 0 when no slot can take addr.
 */
uint64_t arch_hw_chunk(enum hw_kind kind, uint64_t addr, uint64_t len);
/*
 * Sets the arch fields and flags for the hardware slots in use, or
 * fails with -ENOSPC when they do not fit the registers together.
 */
int arch_hw_debug(const struct hw_debug *hw, struct kvm_guest_debug *dbg);
/*
 * Explains a KVM_EXIT_DEBUG.  STOP_HW_BP means a breakpoint register
 * fired; the core checks that one of gdb's is at the PC.
 */
void arch_classify(struct vm *vm, const struct hw_debug *hw, bool stepping,
		   bool sw_bp_here, struct stop *stop);

#endif
