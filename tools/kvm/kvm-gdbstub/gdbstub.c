// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-gdbstub: serves the GDB Remote Serial Protocol for one guest on
 * one vCPU, and turns gdb's requests into KVM_SET_GUEST_DEBUG.
 *
 *   kvm-gdbstub --serial /dev/hvc0 guest.elf
 *   kvm-gdbstub --listen :1234 guest.elf
 *
 * The guest starts stopped at its ELF entry.  Software breakpoints are
 * planted in guest memory; hardware breakpoints and watchpoints go to
 * the arch fields of the ioctl; a debug exit that none of them explains
 * is the guest's own, and goes back to it with KVM_GUESTDBG_INJECT_*.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "rsp.h"
#include "stub.h"

#define SIGINT_NR	2
#define SIGTRAP_NR	5
/* The stub's exit status when gdb kills the guest, as a shell shows SIGKILL. */
#define EXIT_KILLED	137
#define EXIT_FAILED	255

enum run_result {
	RUN_STOPPED,		/* a debug stop of gdb's own */
	RUN_INTERRUPTED,	/* gdb's ^C */
	RUN_EXITED,		/* the guest wrote its exit status */
	RUN_FAILED,		/* KVM_RUN failed, or an exit we cannot serve */
	RUN_ATTACH,		/* detached, and a gdb came */
	RUN_ON,			/* nothing on the line: the vCPU runs on */
};

enum serve_result {
	SERVE_EXITED,		/* the guest exited, and gdb was told */
	SERVE_KILLED,
	SERVE_FAILED,
	SERVE_DETACHED,		/* gdb detached or went away; the guest runs on */
	SERVE_REATTACH,		/* gdb went away while the guest ran, and another came */
};

struct vm vm;
static struct rsp rsp = { .fd = -1 };
static uint32_t debug_caps;	/* KVM_CAP_SET_GUEST_DEBUG2 */
static uint32_t pending_inject;
static int guest_status;
static struct stop last_stop;
static bool have_stop, interrupted;
static bool attached;		/* gdb is connected and debugging */
static bool line_dead;		/* the serial line hung up */
static char line_buf[256];
static size_t line_len;
/* What KVM was last given in this resume, not to be given again unchanged. */
static struct kvm_guest_debug last_dbg;
static bool last_dbg_valid;
static unsigned long nr_runs, nr_set_debug;

static bool verbose;

/* --- running the vCPU --- */

int set_guest_debug(bool enable, bool step)
{
	struct kvm_guest_debug dbg = { 0 };

	if (enable) {
		dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
		if (arch_hw_debug(&hw, &dbg))
			return -ENOSPC;
		if (step)
			dbg.control |= KVM_GUESTDBG_SINGLESTEP |
				       (debug_caps & KVM_GUESTDBG_BLOCKIRQ);
	}
	dbg.control |= pending_inject;
	if (last_dbg_valid && !memcmp(&dbg, &last_dbg, sizeof(dbg)))
		return 0;
	nr_set_debug++;
	if (ioctl(vm.vcpu_fd, KVM_SET_GUEST_DEBUG, &dbg)) {
		int err = errno;

		fprintf(stderr, "kvm-gdbstub: KVM_SET_GUEST_DEBUG 0x%x: %s\n",
			dbg.control, strerror(err));
		return -err;
	}
	/* The inject flags act once: an equal request later must reach KVM. */
	last_dbg = dbg;
	last_dbg_valid = !pending_inject;
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
	if (!regs_load(&vm))
		fprintf(stderr, " at pc 0x%llx", (unsigned long long)cur_pc());
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
	       (unsigned long long)cur_pc(), step ? " stepping" : "", causes[stop->cause],
	       (unsigned long long)raw[0], (unsigned long long)raw[1],
	       (unsigned long long)raw[2]);
}

static void kick(int sig)
{
	(void)sig;
	vm.run->immediate_exit = 1;
}

static void forget_gdb(const char *why);

/*
 * What came on the line while the vCPU ran.  Attached, only gdb's ^C
 * counts; detached, a packet or a new connection is a gdb coming back,
 * and a stray ^C is noise.  A line that closes is a gdb gone.
 */
static enum run_result line_input(void)
{
	if (!attached && line_is_tcp())
		return line_take_waiting(&rsp) ? RUN_ON : RUN_ATTACH;
	if (line_dead || rsp.fd < 0)
		return RUN_ON;
	if (rsp_fill(&rsp) < 0) {
		if (attached) {
			forget_gdb("the line to gdb closed while the guest ran");
		} else {
			line_dead = !line_is_tcp();
			line_drop(&rsp);
		}
		return RUN_ON;
	}
	if (attached)
		return rsp_skip_past(&rsp, RSP_INTERRUPT) ? RUN_INTERRUPTED : RUN_ON;
	return rsp_skip_to(&rsp, '$') ? RUN_ATTACH : RUN_ON;
}

/* What may end a run: gdb's line, or, detached on TCP, a new connection. */
static int watched_fd(void)
{
	if (!attached && line_is_tcp())
		return line_listen_fd();
	return line_dead ? -1 : rsp.fd;
}

/*
 * Runs the vCPU until gdb has something to hear, or, detached, until
 * the guest exits or a gdb comes.
 */
static enum run_result run_vcpu(bool step, struct stop *stop)
{
	enum run_result r = RUN_FAILED;

	/*
	 * Each resume of gdb's gives KVM the debug state again: x86 arms a
	 * step for the RIP it sees at KVM_SET_GUEST_DEBUG.  The exits the
	 * stub serves on its own (console bytes, signals, the guest's own
	 * debug exceptions) resume with it unchanged.
	 */
	last_dbg_valid = false;
	for (;;) {
		int ret;

		if (regs_store(&vm))
			break;
		vm.run->immediate_exit = 0;
		r = line_input();
		if (r != RUN_ON) {
			if (regs_load(&vm))
				r = RUN_FAILED;
			break;
		}
		r = RUN_FAILED;
		/*
		 * After the line's input, which may have let gdb go: a guest
		 * left running with gdb's debug state would bring its own
		 * breakpoint back as an exit that no one serves.
		 */
		if (set_guest_debug(attached, step && attached))
			break;
		line_watch(watched_fd());
		nr_runs++;
		ret = ioctl(vm.vcpu_fd, KVM_RUN, 0);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			perror("kvm-gdbstub: KVM_RUN");
			break;
		}
		if (vm.run->exit_reason == KVM_EXIT_DEBUG && attached) {
			uint64_t pc;

			if (regs_load(&vm))
				break;
			pc = cur_pc();
			arch_classify(&vm, &hw, step, sw_bp_at(pc), stop);
			if (stop->cause == STOP_HW_BP && !hw_bp_at(pc))
				stop->cause = STOP_GUEST_DB;
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
			r = RUN_STOPPED;
			break;
		}
		ret = guest_io();
		if (ret == 1) {
			r = RUN_EXITED;
			break;
		}
		if (ret < 0) {
			explain_exit();
			break;
		}
	}
	line_watch(-1);
	return r;
}

/*
 * Resumes the guest.  A breakpoint planted where the vCPU stands is
 * lifted for one step over its instruction, then planted again.
 */
static enum run_result resume(bool step, struct stop *stop)
{
	uint64_t pc = cur_pc();
	enum run_result r;

	if (!sw_bp_at(pc))
		return run_vcpu(step, stop);
	if (sw_bp_poke_at(pc, false))
		return RUN_FAILED;
	r = run_vcpu(true, stop);
	if (sw_bp_poke_at(pc, true))
		return RUN_FAILED;
	if (step || r != RUN_STOPPED || stop->cause != STOP_STEP)
		return r;
	return run_vcpu(false, stop);
}

/* --- the protocol --- */

static int send_stop(void)
{
	static const char *const watch_names[] = {
		[HW_WRITE] = "watch", [HW_READ] = "rwatch", [HW_ACCESS] = "awatch",
	};

	rsp_begin(&rsp);
	if (interrupted) {
		rsp_putf(&rsp, "T%02xthread:01;", SIGINT_NR);
		return rsp_send(&rsp);
	}
	rsp_putf(&rsp, "T%02xthread:01;", SIGTRAP_NR);
	if (!have_stop)
		return rsp_send(&rsp);
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

/* How the session with this gdb ends, once a handler knows. */
static int ending = -1;

/* Returns nonzero when the reply could not be sent. */
static int do_resume(bool step)
{
	enum run_result r = resume(step, &last_stop);

	have_stop = r == RUN_STOPPED;
	interrupted = r == RUN_INTERRUPTED;
	switch (r) {
	case RUN_STOPPED:
	case RUN_INTERRUPTED:
		return send_stop();
	case RUN_EXITED:
		printf("kvm-gdbstub: the guest exited with status %d\n", guest_status);
		ending = SERVE_EXITED;
		if (attached) {
			rsp_begin(&rsp);
			rsp_putf(&rsp, "W%02x", guest_status);
			rsp_send(&rsp);
		}
		return 0;
	case RUN_ATTACH:
		ending = SERVE_REATTACH;
		return 0;
	default:
		if (attached)
			rsp_reply(&rsp, "X0b");
		ending = SERVE_FAILED;
		return 0;
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
			rsp_put_hex(&rsp, reg_cur(i), arch_regs[i].bits / 8);
		return rsp_send(&rsp);
	}
	if (pkt[0] == 'G') {
		/* Parse it all before changing anything: a bad packet changes nothing. */
		static uint8_t staged[MAX_REG_BYTES];
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
			    memcmp(reg_cur(i), staged + off, arch_regs[i].bits / 8))
				return rsp_error(&rsp, EPERM);
			off += arch_regs[i].bits / 8;
		}
		for (i = 0, off = 0; i < arch_nr_regs; i++) {
			memcpy(reg_cur(i), staged + off, arch_regs[i].bits / 8);
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
		rsp_put_hex(&rsp, reg_cur(regno), arch_regs[regno].bits / 8);
		return rsp_send(&rsp);
	}
	{
		uint8_t val[16];

		if (!rsp_expect(&p, '=') || !rsp_parse_bytes(&p, val, arch_regs[regno].bits / 8) ||
		    *p)
			return rsp_error(&rsp, EINVAL);
		/* A write that would be dropped is refused, not read back as written. */
		if (arch_reg_read_only(regno) &&
		    memcmp(reg_cur(regno), val, arch_regs[regno].bits / 8))
			return rsp_error(&rsp, EPERM);
		memcpy(reg_cur(regno), val, arch_regs[regno].bits / 8);
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
	bool insert = pkt[0] == 'Z';
	int err;

	if (!rsp_parse_hex(&p, &type) || !rsp_expect(&p, ',') || !rsp_parse_hex(&p, &addr) ||
	    !rsp_expect(&p, ',') || !rsp_parse_hex(&p, &kind) || *p || type > 4)
		return rsp_error(&rsp, EINVAL);
	/* A kind the arch lacks: an empty reply lets gdb fall back. */
	if (type >= 2 && !arch_hw_kind(type - 1))
		return rsp_reply(&rsp, "");
	if (type == 0)
		err = insert ? sw_bp_insert(addr, kind) : sw_bp_remove(addr);
	else if (type == 1)
		err = insert ? hw_insert(HW_EXEC, addr, 1) : hw_remove(HW_EXEC, addr, 1);
	else
		err = insert ? hw_insert(type - 1, addr, kind) : hw_remove(type - 1, addr, kind);
	return err ? rsp_error(&rsp, -err) : rsp_reply(&rsp, "OK");
}

/*
 * A signal gdb passes back: the guest has none, so only the stop's own
 * (SIGTRAP, or SIGINT after ^C) and 0 resume; any other is refused
 * rather than dropped.
 */
static bool signal_ok(uint64_t sig)
{
	return !sig || sig == SIGTRAP_NR || sig == SIGINT_NR;
}

static int handle_vcont(const char *pkt)
{
	const char *p = pkt + 5;
	char action = 0;

	if (!strcmp(pkt, "vCont?"))
		return rsp_reply(&rsp, "vCont;c;C;s;S");
	/* One thread: the first action for thread 1 (or for all) is ours. */
	while (*p == ';') {
		const char *act = ++p;
		uint64_t tid, sig = 0;

		if (*act != 'c' && *act != 's' && *act != 'C' && *act != 'S')
			return rsp_error(&rsp, EINVAL);
		p++;
		if ((*act == 'C' || *act == 'S') && !rsp_parse_hex(&p, &sig))
			return rsp_error(&rsp, EINVAL);
		if (*p == ':' && p[1] == '-' && p[2] == '1') {
			p += 3;
		} else if (*p == ':') {
			p++;
			if (!rsp_parse_hex(&p, &tid))
				return rsp_error(&rsp, EINVAL);
			if (tid != 1)
				continue;
		}
		if (action)
			continue;
		if (!signal_ok(sig)) {
			fprintf(stderr, "kvm-gdbstub: signal %llu: a guest has no signals\n",
				(unsigned long long)sig);
			return rsp_error(&rsp, EINVAL);
		}
		action = *act | 0x20;
	}
	if (*p || !action)
		return rsp_error(&rsp, EINVAL);
	return do_resume(action == 's');
}

/* gdb is gone or detached: what it set is undone, and the guest runs on. */
static void forget_gdb(const char *why)
{
	sw_bp_remove_all();
	hw_remove_all();
	attached = false;
	have_stop = false;
	interrupted = false;
	line_drop(&rsp);
	printf("kvm-gdbstub: %s; the guest runs on\n", why);
	fflush(stdout);
}

static void attach_gdb(void)
{
	static bool again;

	attached = true;
	have_stop = false;
	interrupted = false;
	ending = -1;
	/* A serial line says nothing of the first gdb until it speaks. */
	if (again || line_is_tcp())
		printf("kvm-gdbstub: gdb attached, the guest stopped at pc 0x%llx\n",
		       (unsigned long long)cur_pc());
	fflush(stdout);
	again = true;
}

/* Serves one gdb until it detaches, kills, goes away or the guest ends. */
static enum serve_result serve(void)
{
	static char pkt[RSP_PACKET_SIZE + 1];

	while (rsp_recv(&rsp, pkt) >= 0) {
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
				set_pc(addr);
			}
			ret = do_resume(pkt[0] == 's');
			break;
		}
		case 'v':
			if (!strncmp(pkt, "vKill", 5)) {
				rsp_reply(&rsp, "OK");
				return SERVE_KILLED;
			}
			if (strncmp(pkt, "vCont", 5) || (pkt[5] != ';' && pkt[5] != '?'))
				ret = rsp_reply(&rsp, "");
			else
				ret = handle_vcont(pkt);
			break;
		case 'D':
			rsp_reply(&rsp, "OK");
			forget_gdb("gdb detached");
			return SERVE_DETACHED;
		case 'k':
			return SERVE_KILLED;
		default:
			ret = rsp_reply(&rsp, "");
			break;
		}
		if (ending >= 0)
			return ending;
		if (ret)
			break;
	}
	line_dead = !line_is_tcp() && rsp.fd >= 0 && rsp_fill(&rsp) < 0;
	forget_gdb("the line to gdb closed");
	return SERVE_DETACHED;
}

static void print_usage(void)
{
	fprintf(stderr,
		"usage: kvm-gdbstub [--verbose] {--serial DEVICE | --listen [HOST:]PORT} GUEST.elf\n"
		"  Runs GUEST.elf on KVM, stopped at its entry, and serves gdb's remote\n"
		"  protocol on DEVICE (a serial port, or any character device), or on\n"
		"  TCP (HOST defaults to 127.0.0.1): gdb's target remote :PORT.\n"
		"  gdb may detach and come back; the stub ends when the guest does.\n"
		"  --verbose prints each KVM_EXIT_DEBUG and what the stub made of it.\n");
}

/* Runs gdb's sessions until the guest ends; returns the stub's exit status. */
static int debug_guest(void)
{
	struct stop stop;

	for (;;) {
		enum run_result r;

		if (line_accept(&rsp))
			return EXIT_FAILED;
		attach_gdb();
		switch (serve()) {
		case SERVE_EXITED:
			return guest_status;
		case SERVE_KILLED:
			printf("kvm-gdbstub: killed by gdb\n");
			return EXIT_KILLED;
		case SERVE_FAILED:
			return EXIT_FAILED;
		case SERVE_REATTACH:
			continue;
		case SERVE_DETACHED:
			break;
		}
		r = run_vcpu(false, &stop);
		if (r == RUN_EXITED) {
			printf("kvm-gdbstub: the guest exited with status %d\n", guest_status);
			return guest_status;
		}
		if (r != RUN_ATTACH)
			return EXIT_FAILED;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "serial", required_argument, NULL, 's' },
		{ "listen", required_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = kick };
	const char *serial = NULL, *listen_at = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, "s:l:vh", opts, NULL)) != -1) {
		if (c == 's') {
			serial = optarg;
		} else if (c == 'l') {
			listen_at = optarg;
		} else if (c == 'v') {
			verbose = true;
		} else {
			print_usage();
			return c == 'h' ? 0 : 2;
		}
	}
	if (!serial == !listen_at || optind != argc - 1) {
		print_usage();
		return 2;
	}
	/* Whole lines, so that a log survives a stub that is killed. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (regcache_init() || vm_create(&vm, argv[optind]))
		return 1;
	ret = vm_check_extension(&vm, KVM_CAP_SET_GUEST_DEBUG2);
	debug_caps = ret > 0 ? ret : 0;
	if (hw_limits() || regs_load(&vm))
		return 1;
	if (serial ? line_open_serial(serial) : line_listen(listen_at))
		return 1;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (line_watch_init())
		return 1;
	printf("kvm-gdbstub: %s loaded, entry 0x%llx, %d hw breakpoints, %d watchpoints\n",
	       argv[optind], (unsigned long long)vm.entry, hw.nr_bp, hw.nr_wp);
	printf("kvm-gdbstub: waiting for gdb on %s\n", line_name());
	fflush(stdout);
	ret = debug_guest();
	if (line_len)
		guest_console('\n');
	if (verbose)
		printf("kvm-gdbstub: %lu KVM_RUN, %lu KVM_SET_GUEST_DEBUG\n", nr_runs,
		       nr_set_debug);
	return ret;
}
