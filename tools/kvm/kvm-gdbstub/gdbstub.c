// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-gdbstub: serves the GDB Remote Serial Protocol for one guest on
 * one vCPU, and turns gdb's requests into KVM_SET_GUEST_DEBUG.
 *
 *   kvm-gdbstub --serial /dev/hvc0 guest.elf
 *
 * The guest starts stopped at its ELF entry.  Software breakpoints are
 * planted in guest memory; hardware breakpoints and watchpoints go to
 * the arch fields of the ioctl; a debug exit that none of them explains
 * is the guest's own, and goes back to it with KVM_GUESTDBG_INJECT_*.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "gdbstub.h"
#include "rsp.h"

#define PAGE_SIZE_4K	4096ull
#define SIGTRAP_NR	5
#define SIGINT_NR	2

/*
 * A breakpoint is restored where it was planted: the guest may map its
 * address elsewhere, or nowhere, by the time gdb removes it.
 */
struct sw_bp {
	uint64_t addr;
	uint64_t gpa;
	uint8_t saved[8];
};

enum run_result {
	RUN_STOPPED,		/* a debug stop of gdb's own */
	RUN_INTERRUPTED,	/* gdb's ^C */
	RUN_EXITED,		/* the guest wrote its exit status */
	RUN_FAILED,		/* KVM_RUN failed, or an exit we cannot serve */
};

static struct vm vm;
static struct rsp rsp;
static struct sw_bp sw_bps[MAX_SW_BREAKPOINTS];
static int nr_sw_bps;
static struct hw_debug hw;
static uint32_t debug_caps;	/* KVM_CAP_SET_GUEST_DEBUG2 */
static uint32_t pending_inject;
static int guest_status;
static struct stop last_stop;
static bool have_stop;
static char line_buf[256];
static size_t line_len;

static bool verbose;
static atomic_int vcpu_running;
static pthread_t vcpu_thread;

/* --- guest memory through the guest's own translation --- */

static uint8_t *gva_ptr(uint64_t gva, uint64_t len)
{
	uint64_t gpa;

	if (arch_translate(&vm, gva, &gpa))
		return NULL;
	return vm_gpa(&vm, gpa, len);
}

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

	for (pass = 0; pass < 2; pass++) {
		uint64_t done = 0;

		while (done < len) {
			uint64_t chunk = PAGE_SIZE_4K - ((gva + done) & (PAGE_SIZE_4K - 1));
			uint8_t *p;

			if (chunk > len - done)
				chunk = len - done;
			p = gva_ptr(gva + done, chunk);
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
static int guest_read(uint64_t gva, uint8_t *buf, uint64_t len)
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

static int sw_bp_poke(const struct sw_bp *bp, bool plant);

/* A write over a planted breakpoint changes what it will restore. */
static int guest_write(uint64_t gva, uint8_t *buf, uint64_t len)
{
	int i, b;

	if (guest_copy(gva, buf, len, true))
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

/* --- software breakpoints --- */

static struct sw_bp *sw_bp_find(uint64_t addr)
{
	int i;

	for (i = 0; i < nr_sw_bps; i++)
		if (sw_bps[i].addr == addr)
			return &sw_bps[i];
	return NULL;
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

static int sw_bp_insert(uint64_t addr, uint64_t kind)
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

static int sw_bp_remove(uint64_t addr)
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

/* --- hardware breakpoints and watchpoints --- */

static int set_guest_debug(bool enable, bool step);

/*
 * KVM checks what the arch code cannot (x86's canonical addresses): a
 * slot it refuses is the Z packet's error, not a failed resume later.
 */
static int hw_commit(struct hw_slot *slot)
{
	uint32_t inject = pending_inject;
	int ret;

	pending_inject = 0;
	ret = set_guest_debug(true, false);
	pending_inject = inject;
	if (ret) {
		slot->used = false;
		return -EINVAL;
	}
	return 0;
}

static int hw_insert(enum hw_kind kind, uint64_t addr, uint64_t len)
{
	struct hw_slot *slots = kind == HW_EXEC ? hw.bp : hw.wp;
	int n = kind == HW_EXEC ? hw.nr_bp : hw.nr_wp, i, free_slot = -1;
	struct kvm_guest_debug scratch = { 0 };

	if (!arch_hw_ok(kind, addr, len))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (slots[i].used && slots[i].kind == kind && slots[i].addr == addr &&
		    slots[i].len == len)
			return 0;
		if (!slots[i].used && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return -ENOSPC;
	slots[free_slot] = (struct hw_slot){ .used = true, .kind = kind, .addr = addr,
					     .len = len };
	/* Slots may share registers (x86's DR0-3): ask the arch if it fits. */
	if (arch_hw_debug(&vm, &hw, &scratch)) {
		slots[free_slot].used = false;
		return -ENOSPC;
	}
	return hw_commit(&slots[free_slot]);
}

static int hw_remove(enum hw_kind kind, uint64_t addr, uint64_t len)
{
	struct hw_slot *slots = kind == HW_EXEC ? hw.bp : hw.wp;
	int n = kind == HW_EXEC ? hw.nr_bp : hw.nr_wp, i;

	for (i = 0; i < n; i++) {
		if (slots[i].used && slots[i].kind == kind && slots[i].addr == addr &&
		    slots[i].len == len) {
			slots[i].used = false;
			return 0;
		}
	}
	return -ENOENT;
}

/* --- running the vCPU --- */

static int set_guest_debug(bool enable, bool step)
{
	struct kvm_guest_debug dbg = { 0 };
	int ret;

	if (enable) {
		dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
		if (arch_hw_debug(&vm, &hw, &dbg))
			return -1;
		if (step)
			dbg.control |= KVM_GUESTDBG_SINGLESTEP |
				       (debug_caps & arch_blockirq());
	}
	dbg.control |= pending_inject;
	ret = ioctl(vm.vcpu_fd, KVM_SET_GUEST_DEBUG, &dbg);
	if (ret) {
		fprintf(stderr, "kvm-gdbstub: KVM_SET_GUEST_DEBUG 0x%x: %s\n",
			dbg.control, strerror(errno));
		return -1;
	}
	pending_inject = 0;
	return 0;
}

static void guest_console(uint8_t c)
{
	if (c != '\n' && line_len < sizeof(line_buf) - 1) {
		line_buf[line_len++] = c;
		return;
	}
	line_buf[line_len] = '\0';
	printf("# guest: %s\n", line_buf);
	fflush(stdout);
	line_len = 0;
}

/* Returns 1 when the guest exited, 0 for an exit served, -1 otherwise. */
static int guest_io(void)
{
	struct kvm_run *run = vm.run;
	uint64_t addr;
	uint8_t val;

	if (run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_OUT &&
	    run->io.size == 1) {
		addr = run->io.port == GUEST_CONSOLE_PORT ? GUEST_MMIO_CONSOLE :
		       run->io.port == GUEST_EXIT_PORT ? GUEST_MMIO_EXIT : 0;
		val = *((uint8_t *)run + run->io.data_offset);
	} else if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write &&
		   run->mmio.len == 1) {
		addr = run->mmio.phys_addr;
		val = run->mmio.data[0];
	} else {
		return -1;
	}
	if (addr == GUEST_MMIO_CONSOLE) {
		guest_console(val);
		return 0;
	}
	if (addr == GUEST_MMIO_EXIT) {
		guest_status = val;
		return 1;
	}
	return -1;
}

static void explain_exit(void)
{
	struct kvm_run *run = vm.run;

	fprintf(stderr, "kvm-gdbstub: unexpected exit %u", run->exit_reason);
	if (run->exit_reason == KVM_EXIT_MMIO)
		fprintf(stderr, " (MMIO %s 0x%llx)", run->mmio.is_write ? "write" : "read",
			(unsigned long long)run->mmio.phys_addr);
	if (run->exit_reason == KVM_EXIT_IO)
		fprintf(stderr, " (port 0x%x)", run->io.port);
	if (!arch_regs_load(&vm))
		fprintf(stderr, " at pc 0x%llx", (unsigned long long)arch_pc());
	fprintf(stderr, "\n");
}

static void log_debug_exit(bool step, const struct stop *stop)
{
	static const char *const causes[] = {
		[STOP_SW_BP] = "sw_bp", [STOP_HW_BP] = "hw_bp", [STOP_WATCH] = "watch",
		[STOP_STEP] = "step", [STOP_GUEST_BP] = "guest_bp", [STOP_GUEST_DB] = "guest_db",
	};
	const __u64 *raw = (const __u64 *)&vm.run->debug.arch;

	printf("kvm-gdbstub: debug exit at pc 0x%llx%s: %s (arch 0x%llx 0x%llx 0x%llx)\n",
	       (unsigned long long)arch_pc(), step ? " stepping" : "", causes[stop->cause],
	       (unsigned long long)raw[0], (unsigned long long)raw[1],
	       (unsigned long long)raw[2]);
}

static enum run_result run_vcpu(bool debug, bool step, struct stop *stop)
{
	for (;;) {
		int ret;

		if (arch_regs_store(&vm) || set_guest_debug(debug, step))
			return RUN_FAILED;
		vcpu_running = 1;
		ret = ioctl(vm.vcpu_fd, KVM_RUN, 0);
		vcpu_running = 0;
		if (ret < 0 && errno == EINTR) {
			vm.run->immediate_exit = 0;
			if (rsp_poll_interrupt(&rsp, 0)) {
				if (arch_regs_load(&vm))
					return RUN_FAILED;
				return RUN_INTERRUPTED;
			}
			continue;
		}
		if (ret < 0) {
			perror("kvm-gdbstub: KVM_RUN");
			return RUN_FAILED;
		}
		if (vm.run->exit_reason == KVM_EXIT_DEBUG) {
			if (arch_regs_load(&vm))
				return RUN_FAILED;
			arch_classify(&vm, &hw, step, !!sw_bp_find(arch_pc()), stop);
			if (verbose)
				log_debug_exit(step, stop);
			if (stop->cause == STOP_GUEST_BP) {
				pending_inject = KVM_GUESTDBG_INJECT_BP;
				continue;
			}
			if (stop->cause == STOP_GUEST_DB) {
				pending_inject = KVM_GUESTDBG_INJECT_DB;
				continue;
			}
			return RUN_STOPPED;
		}
		ret = guest_io();
		if (ret == 1)
			return RUN_EXITED;
		if (ret < 0) {
			explain_exit();
			return RUN_FAILED;
		}
	}
}

/*
 * Resumes the guest.  A breakpoint planted where the vCPU stands is
 * lifted for one step over its instruction, then planted again.
 */
static enum run_result resume(bool step, struct stop *stop)
{
	struct sw_bp *bp = sw_bp_find(arch_pc());
	enum run_result r;

	if (!bp)
		return run_vcpu(true, step, stop);
	if (sw_bp_poke(bp, false))
		return RUN_FAILED;
	r = run_vcpu(true, true, stop);
	if (sw_bp_poke(bp, true))
		return RUN_FAILED;
	if (step || r != RUN_STOPPED || stop->cause != STOP_STEP)
		return r;
	return run_vcpu(true, false, stop);
}

/* Watches the line while the vCPU runs, so that gdb's ^C stops it. */
static void *interrupt_watcher(void *arg)
{
	struct pollfd pfd = { .fd = rsp.fd, .events = POLLIN };

	(void)arg;
	for (;;) {
		if (!vcpu_running) {
			usleep(20000);
			continue;
		}
		if (poll(&pfd, 1, 50) == 1 && vcpu_running) {
			vm.run->immediate_exit = 1;
			pthread_kill(vcpu_thread, SIGUSR1);
			usleep(20000);
		}
	}
	return NULL;
}

static void kick(int sig)
{
	(void)sig;
}

/* --- the protocol --- */

static int send_stop(void)
{
	static const char *const watch_names[] = {
		[HW_WRITE] = "watch", [HW_READ] = "rwatch", [HW_ACCESS] = "awatch",
	};

	rsp_begin(&rsp);
	if (!have_stop) {
		rsp_puts(&rsp, "T05thread:01;");
		return rsp_send(&rsp);
	}
	rsp_putf(&rsp, "T%02xthread:01;", last_stop.cause == STOP_GUEST_DB ? SIGINT_NR :
		 SIGTRAP_NR);
	switch (last_stop.cause) {
	case STOP_SW_BP:
		rsp_puts(&rsp, "swbreak:;");
		break;
	case STOP_HW_BP:
		rsp_puts(&rsp, "hwbreak:;");
		break;
	case STOP_WATCH:
		rsp_putf(&rsp, "%s:%llx;", watch_names[last_stop.kind],
			 (unsigned long long)last_stop.addr);
		break;
	default:
		break;
	}
	return rsp_send(&rsp);
}

static int send_interrupted(void)
{
	have_stop = false;
	return rsp_reply(&rsp, "T02thread:01;");
}

/* Returns 1 when the session is over. */
static int do_resume(bool step)
{
	enum run_result r = resume(step, &last_stop);

	switch (r) {
	case RUN_STOPPED:
		have_stop = true;
		return send_stop() ? 1 : 0;
	case RUN_INTERRUPTED:
		return send_interrupted() ? 1 : 0;
	case RUN_EXITED:
		rsp_begin(&rsp);
		rsp_putf(&rsp, "W%02x", guest_status);
		rsp_send(&rsp);
		printf("kvm-gdbstub: the guest exited with status %d\n", guest_status);
		return 1;
	default:
		rsp_reply(&rsp, "X0b");
		guest_status = 255;
		return 1;
	}
}

static char *target_xml(size_t *len)
{
	static char xml[16384];
	const char *feature = NULL;
	size_t n;
	int i;

	n = snprintf(xml, sizeof(xml),
		     "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
		     "<target version=\"1.0\">\n<architecture>%s</architecture>\n",
		     arch_gdb_name);
	for (i = 0; i < arch_nr_regs && n < sizeof(xml); i++) {
		const struct reg_desc *r = &arch_regs[i];

		if (!feature || strcmp(feature, r->feature)) {
			if (feature)
				n += snprintf(xml + n, sizeof(xml) - n, "</feature>\n");
			feature = r->feature;
			n += snprintf(xml + n, sizeof(xml) - n, "<feature name=\"%s\">\n", feature);
		}
		n += snprintf(xml + n, sizeof(xml) - n,
			      "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" regnum=\"%d\"/>\n",
			      r->name, r->bits, r->type, i);
	}
	if (n < sizeof(xml))
		n += snprintf(xml + n, sizeof(xml) - n, "</feature>\n</target>\n");
	*len = n < sizeof(xml) ? n : 0;
	return xml;
}

static int handle_qxfer(const char *p)
{
	uint64_t off, len;
	size_t total;
	char *xml;

	if (strncmp(p, "target.xml:", 11))
		return rsp_error(&rsp, ENOENT);
	p += 11;
	if (!rsp_parse_hex(&p, &off) || !rsp_expect(&p, ',') || !rsp_parse_hex(&p, &len) ||
	    *p)
		return rsp_error(&rsp, EINVAL);
	xml = target_xml(&total);
	if (len > RSP_PACKET_SIZE - 8)
		len = RSP_PACKET_SIZE - 8;
	rsp_begin(&rsp);
	if (off >= total) {
		rsp_puts(&rsp, "l");
	} else {
		if (len > total - off)
			len = total - off;
		rsp_puts(&rsp, off + len < total ? "m" : "l");
		rsp_put_binary(&rsp, xml + off, len);
	}
	return rsp_send(&rsp);
}

static int handle_query(const char *pkt)
{
	if (!strncmp(pkt, "qSupported", 10))
		return rsp_reply(&rsp, "PacketSize=1000;qXfer:features:read+;swbreak+;"
				 "hwbreak+;vContSupported+;QStartNoAckMode+");
	if (!strncmp(pkt, "qXfer:features:read:", 20))
		return handle_qxfer(pkt + 20);
	if (!strcmp(pkt, "qAttached"))
		return rsp_reply(&rsp, "1");
	if (!strcmp(pkt, "qC"))
		return rsp_reply(&rsp, "QC01");
	if (!strcmp(pkt, "qfThreadInfo"))
		return rsp_reply(&rsp, "m01");
	if (!strcmp(pkt, "qsThreadInfo"))
		return rsp_reply(&rsp, "l");
	if (!strncmp(pkt, "qSymbol", 7))
		return rsp_reply(&rsp, "OK");
	if (!strcmp(pkt, "QStartNoAckMode")) {
		if (rsp_reply(&rsp, "OK"))
			return -1;
		rsp.ack = false;
		return 0;
	}
	return rsp_reply(&rsp, "");
}

static int handle_regs(const char *pkt)
{
	const char *p = pkt + 1;
	uint64_t regno;
	int i;

	if (pkt[0] == 'g') {
		if (*p)
			return rsp_error(&rsp, EINVAL);
		rsp_begin(&rsp);
		for (i = 0; i < arch_nr_regs; i++)
			rsp_put_hex(&rsp, arch_reg(i), arch_regs[i].bits / 8);
		return rsp_send(&rsp);
	}
	if (pkt[0] == 'G') {
		/* Parse it all before changing anything: a bad packet changes nothing. */
		static uint8_t staged[4096];
		size_t off = 0;

		for (i = 0; i < arch_nr_regs; i++) {
			if (!rsp_parse_bytes(&p, staged + off, arch_regs[i].bits / 8))
				return rsp_error(&rsp, EINVAL);
			off += arch_regs[i].bits / 8;
		}
		if (*p)
			return rsp_error(&rsp, EINVAL);
		for (i = 0, off = 0; i < arch_nr_regs; i++) {
			if (arch_reg_read_only(i) &&
			    memcmp(arch_reg(i), staged + off, arch_regs[i].bits / 8))
				return rsp_error(&rsp, EPERM);
			off += arch_regs[i].bits / 8;
		}
		for (i = 0, off = 0; i < arch_nr_regs; i++) {
			memcpy(arch_reg(i), staged + off, arch_regs[i].bits / 8);
			off += arch_regs[i].bits / 8;
		}
		return rsp_reply(&rsp, "OK");
	}
	if (!rsp_parse_hex(&p, &regno) || regno >= (uint64_t)arch_nr_regs)
		return rsp_error(&rsp, EINVAL);
	if (pkt[0] == 'p') {
		if (*p)
			return rsp_error(&rsp, EINVAL);
		rsp_begin(&rsp);
		rsp_put_hex(&rsp, arch_reg(regno), arch_regs[regno].bits / 8);
		return rsp_send(&rsp);
	}
	{
		uint8_t val[16];

		if (!rsp_expect(&p, '=') || !rsp_parse_bytes(&p, val, arch_regs[regno].bits / 8) ||
		    *p)
			return rsp_error(&rsp, EINVAL);
		/* A write that would be dropped is refused, not read back as written. */
		if (arch_reg_read_only(regno) &&
		    memcmp(arch_reg(regno), val, arch_regs[regno].bits / 8))
			return rsp_error(&rsp, EPERM);
		memcpy(arch_reg(regno), val, arch_regs[regno].bits / 8);
		return rsp_reply(&rsp, "OK");
	}
}

static int handle_memory(const char *pkt)
{
	static uint8_t buf[RSP_PACKET_SIZE / 2];
	const char *p = pkt + 1;
	uint64_t addr, len;

	if (!rsp_parse_hex(&p, &addr) || !rsp_expect(&p, ',') || !rsp_parse_hex(&p, &len))
		return rsp_error(&rsp, EINVAL);
	if (pkt[0] == 'm') {
		if (*p || len > sizeof(buf))
			return rsp_error(&rsp, EINVAL);
		if (guest_read(addr, buf, len))
			return rsp_error(&rsp, EFAULT);
		rsp_begin(&rsp);
		rsp_put_hex(&rsp, buf, len);
		return rsp_send(&rsp);
	}
	if (!rsp_expect(&p, ':') || len > sizeof(buf) || !rsp_parse_bytes(&p, buf, len) || *p)
		return rsp_error(&rsp, EINVAL);
	if (guest_write(addr, buf, len))
		return rsp_error(&rsp, EFAULT);
	return rsp_reply(&rsp, "OK");
}

static int handle_breakpoint(const char *pkt)
{
	const char *p = pkt + 1;
	uint64_t type, addr, kind;
	int err;

	if (!rsp_parse_hex(&p, &type) || !rsp_expect(&p, ',') || !rsp_parse_hex(&p, &addr) ||
	    !rsp_expect(&p, ',') || !rsp_parse_hex(&p, &kind) || *p || type > 4)
		return rsp_error(&rsp, EINVAL);
	/* A kind the arch lacks: an empty reply lets gdb fall back. */
	if (type >= 2 && !arch_hw_ok(type - 1, 0, 1))
		return rsp_reply(&rsp, "");
	if (type == 0)
		err = pkt[0] == 'Z' ? sw_bp_insert(addr, kind) : sw_bp_remove(addr);
	else if (type == 1)
		err = pkt[0] == 'Z' ? hw_insert(HW_EXEC, addr, 0) : hw_remove(HW_EXEC, addr, 0);
	else
		err = pkt[0] == 'Z' ? hw_insert(type - 1, addr, kind) :
		      hw_remove(type - 1, addr, kind);
	return err ? rsp_error(&rsp, -err) : rsp_reply(&rsp, "OK");
}

/* Returns 1 when the session is over, with resume's answer sent. */
static int handle_vcont(const char *pkt)
{
	const char *p = pkt + 5;
	char action = 0;

	if (!strcmp(pkt, "vCont?"))
		return rsp_reply(&rsp, "vCont;c;C;s;S") ? 1 : 0;
	/* One thread: the first action for thread 1 (or for all) is ours. */
	while (*p == ';') {
		const char *act = ++p;
		uint64_t tid;

		if (*act != 'c' && *act != 's' && *act != 'C' && *act != 'S')
			return rsp_error(&rsp, EINVAL) ? 1 : 0;
		p++;
		if (*act == 'C' || *act == 'S') {
			uint64_t sig;

			if (!rsp_parse_hex(&p, &sig))
				return rsp_error(&rsp, EINVAL) ? 1 : 0;
		}
		if (*p == ':' && p[1] == '-' && p[2] == '1') {
			p += 3;
		} else if (*p == ':') {
			p++;
			if (!rsp_parse_hex(&p, &tid))
				return rsp_error(&rsp, EINVAL) ? 1 : 0;
			if (tid != 1)
				continue;
		}
		if (!action)
			action = *act | 0x20;
	}
	if (*p || !action)
		return rsp_error(&rsp, EINVAL) ? 1 : 0;
	return do_resume(action == 's');
}

static int detach(void)
{
	struct stop stop;

	while (nr_sw_bps)
		sw_bp_remove(sw_bps[0].addr);
	memset(hw.bp, 0, sizeof(hw.bp));
	memset(hw.wp, 0, sizeof(hw.wp));
	rsp_reply(&rsp, "OK");
	printf("kvm-gdbstub: gdb detached; the guest runs on\n");
	fflush(stdout);
	if (run_vcpu(false, false, &stop) != RUN_EXITED)
		return 255;
	printf("kvm-gdbstub: the guest exited with status %d\n", guest_status);
	return guest_status;
}

/* Serves gdb until it detaches or kills; returns the exit status. */
static int serve(void)
{
	static char pkt[RSP_PACKET_SIZE + 1];
	int len;

	while ((len = rsp_recv(&rsp, pkt)) >= 0) {
		const char *p = pkt + 1;
		int ret = 0;

		switch (pkt[0]) {
		case '?':
			ret = send_stop();
			break;
		case 'q':
		case 'Q':
			ret = handle_query(pkt);
			break;
		case 'H':
			ret = rsp_reply(&rsp, "OK");
			break;
		case 'T': {
			uint64_t tid;

			ret = rsp_reply(&rsp, rsp_parse_hex(&p, &tid) && !*p && tid == 1 ?
					"OK" : "E01");
			break;
		}
		case 'g':
		case 'G':
		case 'p':
		case 'P':
			ret = handle_regs(pkt);
			break;
		case 'm':
		case 'M':
			ret = handle_memory(pkt);
			break;
		case 'Z':
		case 'z':
			ret = handle_breakpoint(pkt);
			break;
		case 'c':
		case 's': {
			uint64_t addr;

			if (*p) {
				if (!rsp_parse_hex(&p, &addr) || *p) {
					ret = rsp_error(&rsp, EINVAL);
					break;
				}
				arch_set_pc(addr);
			}
			if (do_resume(pkt[0] == 's'))
				return guest_status;
			break;
		}
		case 'v':
			if (!strncmp(pkt, "vKill", 5)) {
				rsp_reply(&rsp, "OK");
				printf("kvm-gdbstub: killed by gdb\n");
				return 0;
			}
			if (strncmp(pkt, "vCont", 5) || (pkt[5] != ';' && pkt[5] != '?'))
				ret = rsp_reply(&rsp, "");
			else if (handle_vcont(pkt))
				return guest_status;
			break;
		case 'D':
			return detach();
		case 'k':
			printf("kvm-gdbstub: killed by gdb\n");
			return 0;
		default:
			ret = rsp_reply(&rsp, "");
			break;
		}
		if (ret)
			break;
	}
	fprintf(stderr, "kvm-gdbstub: the line to gdb closed\n");
	return 255;
}

static int open_line(const char *path)
{
	struct termios tio;
	int fd = open(path, O_RDWR | O_NOCTTY);

	if (fd < 0) {
		fprintf(stderr, "kvm-gdbstub: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (isatty(fd)) {
		if (tcgetattr(fd, &tio)) {
			perror("kvm-gdbstub: tcgetattr");
			return -1;
		}
		cfmakeraw(&tio);
		cfsetspeed(&tio, B115200);
		if (tcsetattr(fd, TCSANOW, &tio)) {
			perror("kvm-gdbstub: tcsetattr");
			return -1;
		}
		tcflush(fd, TCIOFLUSH);
	}
	return fd;
}

static void print_usage(void)
{
	fprintf(stderr, "usage: kvm-gdbstub [--verbose] --serial DEVICE GUEST.elf\n"
		"  Runs GUEST.elf on KVM, stopped at its entry, and serves gdb's remote\n"
		"  protocol on DEVICE (a serial port, or any character device).\n"
		"  --verbose prints each KVM_EXIT_DEBUG and what the stub made of it.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "serial", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = kick };
	const char *line = NULL;
	pthread_t watcher;
	int c, fd, ret;

	while ((c = getopt_long(argc, argv, "s:vh", opts, NULL)) != -1) {
		if (c == 's') {
			line = optarg;
		} else if (c == 'v') {
			verbose = true;
		} else {
			print_usage();
			return c == 'h' ? 0 : 2;
		}
	}
	if (!line || optind != argc - 1) {
		print_usage();
		return 2;
	}
	if (vm_create(&vm, argv[optind]))
		return 1;
	ret = ioctl(vm.kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG2);
	debug_caps = ret > 0 ? ret : 0;
	if (arch_hw_limits(&vm, &hw))
		return 1;
	if (arch_regs_load(&vm))
		return 1;
	fd = open_line(line);
	if (fd < 0)
		return 1;
	rsp_init(&rsp, fd);
	sigaction(SIGUSR1, &sa, NULL);
	vcpu_thread = pthread_self();
	if (pthread_create(&watcher, NULL, interrupt_watcher, NULL)) {
		perror("kvm-gdbstub: pthread_create");
		return 1;
	}
	printf("kvm-gdbstub: %s loaded, entry 0x%llx, %d hw breakpoints, %d watchpoints\n",
	       argv[optind], (unsigned long long)vm.entry, hw.nr_bp, hw.nr_wp);
	printf("kvm-gdbstub: waiting for gdb on %s\n", line);
	fflush(stdout);
	ret = serve();
	if (line_len)
		guest_console('\n');
	return ret;
}
