// SPDX-License-Identifier: GPL-2.0
/*
 * Breakpoints and watchpoints: software ones planted in guest memory,
 * hardware ones as slots that the arch code turns into debug registers,
 * and guest memory as gdb reads it, without the planted instructions.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "stub.h"

#define PAGE_SIZE_4K	4096ull

/*
 * A breakpoint is restored where it was planted: the guest may map its
 * address elsewhere, or nowhere, by the time gdb removes it.
 */
struct sw_bp {
	uint64_t addr;
	uint64_t gpa;
	uint8_t saved[8];
};

struct hw_debug hw;
static struct sw_bp sw_bps[MAX_SW_BREAKPOINTS];
static int nr_sw_bps;

static void sync_icache(void *p, size_t len)
{
	__builtin___clear_cache((char *)p, (char *)p + len);
}

/*
 * Copies guest memory page by page, since a range may cross into a page
 * that maps elsewhere, or nowhere.  Every page is translated before the
 * first byte is copied, so that a bad range changes nothing.
 */
static int guest_copy(uint64_t gva, uint8_t *buf, uint64_t len, bool write)
{
	int pass;

	if (len && gva + len - 1 < gva)
		return -1;			/* the range wraps */
	for (pass = 0; pass < 2; pass++) {
		uint64_t done = 0;

		while (done < len) {
			uint64_t chunk = PAGE_SIZE_4K - ((gva + done) & (PAGE_SIZE_4K - 1));
			uint64_t gpa;
			uint8_t *p;

			if (chunk > len - done)
				chunk = len - done;
			if (arch_translate(&vm, gva + done, &gpa))
				return -1;
			p = vm_gpa(&vm, gpa, chunk);
			if (!p)
				return -1;
			if (pass && write) {
				memcpy(p, buf + done, chunk);
				sync_icache(p, chunk);
			} else if (pass) {
				memcpy(buf + done, p, chunk);
			}
			done += chunk;
		}
	}
	return 0;
}

/* The offset in [gva, gva + len) of byte b of a breakpoint, or -1. */
static int64_t bp_byte_in(const struct sw_bp *bp, int b, uint64_t gva, uint64_t len)
{
	uint64_t a = bp->addr + b;

	return a >= gva && a - gva < len ? (int64_t)(a - gva) : -1;
}

/* Planted breakpoints read as the code they replaced: gdb does not shadow Z0. */
int guest_read(uint64_t gva, uint8_t *buf, uint64_t len)
{
	int i, b;

	if (guest_copy(gva, buf, len, false))
		return -1;
	for (i = 0; i < nr_sw_bps; i++) {
		for (b = 0; b < arch_sw_bp_len; b++) {
			int64_t off = bp_byte_in(&sw_bps[i], b, gva, len);

			if (off >= 0)
				buf[off] = sw_bps[i].saved[b];
		}
	}
	return 0;
}

static int sw_bp_poke(const struct sw_bp *bp, bool plant)
{
	uint8_t insn[8];
	uint8_t *p = vm_gpa(&vm, bp->gpa, arch_sw_bp_len);

	if (!p)
		return -1;
	arch_sw_bp_insn(&vm, insn);
	memcpy(p, plant ? insn : bp->saved, arch_sw_bp_len);
	sync_icache(p, arch_sw_bp_len);
	return 0;
}

/* A write over a planted breakpoint changes what it will restore. */
int guest_write(uint64_t gva, const uint8_t *buf, uint64_t len)
{
	int i, b;

	if (guest_copy(gva, (uint8_t *)buf, len, true))
		return -1;
	for (i = 0; i < nr_sw_bps; i++) {
		bool hit = false;

		for (b = 0; b < arch_sw_bp_len; b++) {
			int64_t off = bp_byte_in(&sw_bps[i], b, gva, len);

			if (off >= 0) {
				sw_bps[i].saved[b] = buf[off];
				hit = true;
			}
		}
		if (hit)
			sw_bp_poke(&sw_bps[i], true);
	}
	return 0;
}

static struct sw_bp *sw_bp_find(uint64_t addr)
{
	int i;

	for (i = 0; i < nr_sw_bps; i++)
		if (sw_bps[i].addr == addr)
			return &sw_bps[i];
	return NULL;
}

bool sw_bp_at(uint64_t addr)
{
	return sw_bp_find(addr);
}

int sw_bp_poke_at(uint64_t addr, bool plant)
{
	struct sw_bp *bp = sw_bp_find(addr);

	return bp ? sw_bp_poke(bp, plant) : 0;
}

int sw_bp_insert(uint64_t addr, uint64_t kind)
{
	struct sw_bp *bp;
	uint8_t *p;

	if (kind != (uint64_t)arch_sw_bp_len || addr % arch_sw_bp_len)
		return -EINVAL;
	if (sw_bp_find(addr))
		return 0;
	if (nr_sw_bps == MAX_SW_BREAKPOINTS)
		return -ENOSPC;
	bp = &sw_bps[nr_sw_bps];
	if (arch_translate(&vm, addr, &bp->gpa))
		return -EFAULT;
	p = vm_gpa(&vm, bp->gpa, arch_sw_bp_len);
	if (!p)
		return -EFAULT;
	bp->addr = addr;
	memcpy(bp->saved, p, arch_sw_bp_len);
	if (sw_bp_poke(bp, true))
		return -EFAULT;
	nr_sw_bps++;
	return 0;
}

/* The entry goes even if its page went: the table never keeps a dead one. */
int sw_bp_remove(uint64_t addr)
{
	struct sw_bp *bp = sw_bp_find(addr);
	int ret = 0;

	if (!bp)
		return -ENOENT;
	if (sw_bp_poke(bp, false)) {
		fprintf(stderr, "kvm-gdbstub: breakpoint 0x%llx: page 0x%llx gone, dropped\n",
			(unsigned long long)addr, (unsigned long long)bp->gpa);
		ret = -EFAULT;
	}
	*bp = sw_bps[--nr_sw_bps];
	return ret;
}

void sw_bp_remove_all(void)
{
	while (nr_sw_bps)
		sw_bp_remove(sw_bps[0].addr);
}

int hw_limits(void)
{
	int bps = vm_check_extension(&vm, KVM_CAP_GUEST_DEBUG_HW_BPS);
	int wps = vm_check_extension(&vm, KVM_CAP_GUEST_DEBUG_HW_WPS);

	if (bps < 0 || wps < 0)
		return -1;
	if (!bps && !wps) {
		bps = arch_shared_hw_slots;
		wps = arch_shared_hw_slots;
	}
	hw.nr_bp = bps < MAX_HW_SLOTS ? bps : MAX_HW_SLOTS;
	hw.nr_wp = wps < MAX_HW_SLOTS ? wps : MAX_HW_SLOTS;
	return 0;
}

static bool same_request(const struct hw_slot *s, enum hw_kind kind, uint64_t addr,
			 uint64_t len)
{
	return s->used && s->kind == kind && s->watch_addr == addr && s->watch_len == len;
}

static void hw_drop(enum hw_kind kind, uint64_t addr, uint64_t len)
{
	struct hw_slot *slots = kind == HW_EXEC ? hw.bp : hw.wp;
	int n = kind == HW_EXEC ? hw.nr_bp : hw.nr_wp, i;

	for (i = 0; i < n; i++)
		if (same_request(&slots[i], kind, addr, len))
			slots[i].used = false;
}

/*
 * Takes as many slots as the range needs, as gdbserver splits a
 * watchpoint, or none: not enough slots is -ENOSPC, a range the arch
 * cannot watch -EINVAL, and KVM's refusal (x86's non-canonical
 * addresses) -EINVAL too, with nothing left set.
 */
int hw_insert(enum hw_kind kind, uint64_t addr, uint64_t len)
{
	struct hw_slot *slots = kind == HW_EXEC ? hw.bp : hw.wp;
	int n = kind == HW_EXEC ? hw.nr_bp : hw.nr_wp, i = 0;
	struct kvm_guest_debug probe = { 0 };
	uint64_t a = addr, left = len;

	if (!len || addr + len - 1 < addr)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (same_request(&slots[i], kind, addr, len))
			return 0;
	for (i = 0; left; i++) {
		uint64_t c = arch_hw_chunk(kind, a, left);

		if (!c) {
			hw_drop(kind, addr, len);
			return -EINVAL;
		}
		while (i < n && slots[i].used)
			i++;
		if (i == n) {
			hw_drop(kind, addr, len);
			return -ENOSPC;
		}
		slots[i] = (struct hw_slot){ .used = true, .kind = kind, .addr = a, .len = c,
					     .watch_addr = addr, .watch_len = len };
		a += c;
		left -= c;
	}
	/* Slots may share registers (x86's DR0-3): ask the arch if they fit. */
	if (arch_hw_debug(&hw, &probe)) {
		hw_drop(kind, addr, len);
		return -ENOSPC;
	}
	if (set_guest_debug(true, false)) {
		hw_drop(kind, addr, len);
		return -EINVAL;
	}
	return 0;
}

int hw_remove(enum hw_kind kind, uint64_t addr, uint64_t len)
{
	struct hw_slot *slots = kind == HW_EXEC ? hw.bp : hw.wp;
	int n = kind == HW_EXEC ? hw.nr_bp : hw.nr_wp, i;

	for (i = 0; i < n; i++) {
		if (same_request(&slots[i], kind, addr, len)) {
			hw_drop(kind, addr, len);
			return 0;
		}
	}
	return -ENOENT;
}

void hw_remove_all(void)
{
	memset(hw.bp, 0, sizeof(hw.bp));
	memset(hw.wp, 0, sizeof(hw.wp));
}

bool hw_bp_at(uint64_t addr)
{
	int i;

	for (i = 0; i < hw.nr_bp; i++)
		if (hw.bp[i].used && hw.bp[i].addr == addr)
			return true;
	return false;
}
