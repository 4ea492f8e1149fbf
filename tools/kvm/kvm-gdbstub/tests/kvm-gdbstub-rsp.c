// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-gdbstub-rsp: checks kvm-gdbstub against gdb's remote protocol with
 * raw packets, no gdb: every packet the stub offers, with good and bad
 * arguments, hostile framing, lines that close mid-packet and mid-run,
 * and a seeded random packet fuzzer.  Each stub runs the demo guest on a
 * pseudo-terminal (and, where the kernel has IPv4, on loopback TCP).
 *
 *   kvm-gdbstub-rsp [--packets N] [--seed S] STUB GUEST.elf
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <linux/elf.h>

#include "kselftest.h"

/* The guest is an ELF of the stub's own class, as vm.c requires. */
#if UINTPTR_MAX > 0xffffffffu
#define ehdr_t	struct elf64_hdr
#define phdr_t	struct elf64_phdr
#define shdr_t	struct elf64_shdr
#define sym_t	struct elf64_sym
#else
#define ehdr_t	struct elf32_hdr
#define phdr_t	struct elf32_phdr
#define shdr_t	struct elf32_shdr
#define sym_t	struct elf32_sym
#endif

/* What differs per arch, as the stub and the demo guest have it. */
#if defined(__x86_64__)
#define BP_KIND			1
#define HAS_READ_WATCH		false
#define UNMAPPED		0x7f0000000000ull
#define PAGE_TABLE		0x3000ull	/* the stub's 1:1 page directory */
#define HW_REFUSED		0x8000000000000000ull	/* non-canonical */
#elif defined(__aarch64__)
#define BP_KIND			4
#define HAS_READ_WATCH		true
#define UNMAPPED		0x10ull
#define PAGE_TABLE		0ull
#define HW_REFUSED		0x8000000000000000ull
#else
#define BP_KIND			4
#define HAS_READ_WATCH		true
#define UNMAPPED		0xf0000000ull
#define PAGE_TABLE		0ull
#define HW_REFUSED		0x100000000ull
#endif

#define PACKET_SIZE		4096
#define REPLY_TIMEOUT_MS	20000
#define START_TIMEOUT_MS	60000
#define EXIT_KILLED		137
#define NR_CASES		71

static const char *stub_path, *guest_path;
static char log_dir[32];

/* --- the guest's symbols --- */

struct syms {
	uint64_t tick, done, counter, linger, wide, start;
};

static struct syms sym;
/* tick's first bytes as the ELF has them, in hex. */
static char tick_hex[17];

static int read_file(const char *path, uint8_t **data, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		return -1;
	*data = malloc(st.st_size);
	*len = st.st_size;
	if (!*data || read(fd, *data, st.st_size) != st.st_size) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int load_syms(void)
{
	struct { const char *name; uint64_t *val; } want[] = {
		{ "tick", &sym.tick }, { "done", &sym.done }, { "counter", &sym.counter },
		{ "linger", &sym.linger }, { "wide", &sym.wide }, { "_start", &sym.start },
	};
	const ehdr_t *eh;
	const shdr_t *sh;
	uint8_t *elf;
	size_t len, i, k;
	int found = 0;

	if (read_file(guest_path, &elf, &len) || len < sizeof(*eh))
		return -1;
	eh = (const void *)elf;
	if (eh->e_shoff > len || eh->e_shnum * sizeof(*sh) > len - eh->e_shoff)
		return -1;
	sh = (const void *)(elf + eh->e_shoff);
	tick_hex[0] = '\0';
	for (i = 0; i < eh->e_shnum; i++) {
		const sym_t *s = (const void *)(elf + sh[i].sh_offset);
		const char *strtab;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		strtab = (const char *)elf + sh[sh[i].sh_link].sh_offset;
		for (k = 0; k < sh[i].sh_size / sizeof(*s); k++)
			for (size_t w = 0; w < ARRAY_SIZE(want); w++)
				if (!strcmp(strtab + s[k].st_name, want[w].name)) {
					*want[w].val = s[k].st_value;
					found++;
				}
	}
	for (i = 0; i < eh->e_phnum && eh->e_phoff + (i + 1) * sizeof(phdr_t) <= len; i++) {
		const phdr_t *ph = (const void *)(elf + eh->e_phoff + i * sizeof(phdr_t));
		uint64_t off = ph->p_offset + (sym.tick - ph->p_vaddr);

		if (ph->p_type != PT_LOAD || sym.tick < ph->p_vaddr ||
		    sym.tick + 8 > ph->p_vaddr + ph->p_filesz || off + 8 > len)
			continue;
		for (k = 0; k < 8; k++)
			sprintf(tick_hex + 2 * k, "%02x", elf[off + k]);
	}
	free(elf);
	return found == ARRAY_SIZE(want) && tick_hex[0] ? 0 : -1;
}

/* --- a stub on a pseudo-terminal --- */

struct stub {
	pid_t pid;
	int status;		/* its exit status, once reaped before it was ready */
	int fd;			/* our end of its line */
	bool ack;
	char log[96];
	char buf[2 * PACKET_SIZE];
	size_t pos, len;	/* what was read and not yet taken */
};

static int nr_stubs;

static bool log_has(const struct stub *st, const char *what)
{
	static char text[65536];
	int fd = open(st->log, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	return strstr(text, what);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

static void show_log(const struct stub *st)
{
	char line[512];
	FILE *f = fopen(st->log, "r");

	if (!f)
		return;
	/* The harness starts gdb on the stub's "waiting for gdb" line: not this one's. */
	while (fgets(line, sizeof(line), f))
		if (!strstr(line, "waiting for gdb"))
			ksft_print_msg("stub: %s", line);
	fclose(f);
}

/* Starts the stub on a new pty (or with args, as given); 0 once it waits for gdb. */
static int stub_start(struct stub *st, const char *elf, const char *listen_at)
{
	char *slave;
	long long deadline;
	int logfd;

	memset(st, 0, sizeof(*st));
	st->ack = true;
	st->fd = -1;
	snprintf(st->log, sizeof(st->log), "%s/stub%d.log", log_dir, nr_stubs++);
	if (!listen_at) {
		st->fd = posix_openpt(O_RDWR | O_NOCTTY);
		if (st->fd < 0 || grantpt(st->fd) || unlockpt(st->fd))
			return -1;
		slave = ptsname(st->fd);
		if (!slave)
			return -1;
	}
	logfd = open(st->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (logfd < 0)
		return -1;
	st->pid = fork();
	if (!st->pid) {
		dup2(logfd, 1);
		dup2(logfd, 2);
		if (st->fd >= 0)
			close(st->fd);
		if (listen_at)
			execl(stub_path, stub_path, "--verbose", "--listen", listen_at, elf, NULL);
		else
			execl(stub_path, stub_path, "--verbose", "--serial", slave, elf, NULL);
		_exit(126);
	}
	close(logfd);
	deadline = now_ms() + START_TIMEOUT_MS;
	while (now_ms() < deadline) {
		int status;

		if (log_has(st, "waiting for gdb on"))
			return 0;
		if (waitpid(st->pid, &status, WNOHANG) == st->pid) {
			st->pid = 0;
			st->status = WIFEXITED(status) ? WEXITSTATUS(status) :
				     128 + WTERMSIG(status);
			return -1;
		}
		usleep(10000);
	}
	return -1;
}

/* The stub's exit status, a signal as 128 + its number, or -1 after timeout_ms. */
static int stub_wait(struct stub *st, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	int status;

	while (st->pid) {
		pid_t r = waitpid(st->pid, &status, WNOHANG);

		if (r == st->pid) {
			st->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		if (now_ms() > deadline)
			return -1;
		usleep(10000);
	}
	return -1;
}

static void stub_stop(struct stub *st)
{
	if (st->pid) {
		kill(st->pid, SIGKILL);
		waitpid(st->pid, NULL, 0);
		st->pid = 0;
	}
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
}

static void send_raw(struct stub *st, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(st->fd, p, len);

		if (n <= 0)
			return;
		p += n;
		len -= n;
	}
}

static void send_packet(struct stub *st, const char *payload, size_t len)
{
	static char frame[3 * PACKET_SIZE];
	unsigned int sum = 0;
	size_t i;

	if (len > sizeof(frame) - 4)
		len = sizeof(frame) - 4;
	for (i = 0; i < len; i++)
		sum += (unsigned char)payload[i];
	frame[0] = '$';
	memcpy(frame + 1, payload, len);
	snprintf(frame + 1 + len, 4, "#%02x", sum & 0xff);
	send_raw(st, frame, len + 4);
}

/* The next byte from the stub, or -1 after timeout_ms. */
static int get_byte(struct stub *st, int timeout_ms)
{
	if (st->pos == st->len) {
		struct pollfd pfd = { .fd = st->fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, timeout_ms) != 1)
			return -1;
		n = read(st->fd, st->buf, sizeof(st->buf));
		if (n <= 0)
			return -1;
		st->pos = 0;
		st->len = n;
	}
	return (unsigned char)st->buf[st->pos++];
}

/* '+' or '-' for the packet just sent; 0 if neither came. */
static int get_ack(struct stub *st)
{
	int c;

	do {
		c = get_byte(st, REPLY_TIMEOUT_MS);
	} while (c >= 0 && c != '+' && c != '-');
	return c < 0 ? 0 : c;
}

/* A reply's payload into out; false if none came whole and well-summed. */
static bool get_reply(struct stub *st, char *out, size_t size, int timeout_ms)
{
	unsigned int sum = 0, want;
	size_t n = 0;
	char cs[3] = { 0 };
	int c;

	do {
		c = get_byte(st, timeout_ms);
	} while (c >= 0 && c != '$');
	if (c < 0)
		return false;
	for (;;) {
		c = get_byte(st, timeout_ms);
		if (c < 0 || c == '#')
			break;
		sum += c;
		if (n < size - 1)
			out[n++] = c;
	}
	out[n] = '\0';
	if (c < 0)
		return false;
	c = get_byte(st, timeout_ms);
	cs[0] = c;
	c = c < 0 ? c : get_byte(st, timeout_ms);
	cs[1] = c;
	if (c < 0)
		return false;
	want = strtoul(cs, NULL, 16);
	if (st->ack)
		send_raw(st, "+", 1);
	return want == (sum & 0xff);
}

static char reply[2 * PACKET_SIZE + 16];

/* Sends payload; returns the reply, or NULL (reply[] says why). */
static const char *packet(struct stub *st, const char *fmt, ...)
{
	static char payload[3 * PACKET_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(payload, sizeof(payload), fmt, ap);
	va_end(ap);
	send_packet(st, payload, strlen(payload));
	if (st->ack && get_ack(st) != '+') {
		snprintf(reply, sizeof(reply), "(no + for \"%.40s\")", payload);
		return NULL;
	}
	if (!get_reply(st, reply, sizeof(reply), REPLY_TIMEOUT_MS)) {
		snprintf(reply, sizeof(reply), "(no reply to \"%.40s\")", payload);
		return NULL;
	}
	return reply;
}

static bool is(const char *got, const char *want)
{
	return got && !strcmp(got, want);
}

static bool starts(const char *got, const char *want)
{
	return got && !strncmp(got, want, strlen(want));
}

static void result(bool ok, const char *name, const char *got)
{
	if (!ok)
		ksft_print_msg("%s: got \"%.80s\"\n", name, got ? got : reply);
	ksft_test_result(ok, "%s\n", name);
}

/* --- the cases --- */

static int reg_bytes;		/* a g packet's worth */
static int nr_regs;

static void target_description(struct stub *st)
{
	static char xml[65536];
	size_t len = 0;
	const char *r, *p;
	bool ok = true;

	for (;;) {
		r = packet(st, "qXfer:features:read:target.xml:%zx,800", len);
		if (!r || (r[0] != 'm' && r[0] != 'l') || len + strlen(r) >= sizeof(xml)) {
			ok = false;
			break;
		}
		memcpy(xml + len, r + 1, strlen(r + 1));
		len += strlen(r + 1);
		if (r[0] == 'l')
			break;
	}
	xml[len] = '\0';
	for (p = xml; ok && (p = strstr(p, "bitsize=\"")); p++) {
		reg_bytes += atoi(p + 9) / 8;
		nr_regs++;
	}
	result(ok && strstr(xml, "<architecture>") && nr_regs,
	       "qXfer target.xml: read whole, in parts", ok ? xml : NULL);
	result(starts(packet(st, "qXfer:features:read:nosuch.xml:0,100"), "E"),
	       "qXfer of an unknown annex: error", reply);
}

static void basic_packets(struct stub *st)
{
	static char g[2 * PACKET_SIZE];
	const char *r;

	r = packet(st, "qSupported:multiprocess+;swbreak+;hwbreak+");
	result(r && strstr(r, "PacketSize=1000") && strstr(r, "swbreak+"),
	       "qSupported: PacketSize and swbreak", r);
	result(starts(packet(st, "?"), "T05thread:01;"), "?: T05 at the entry", reply);
	target_description(st);
	result(is(packet(st, "qAttached"), "1") && is(packet(st, "qC"), "QC01") &&
	       is(packet(st, "qfThreadInfo"), "m01") && is(packet(st, "qsThreadInfo"), "l"),
	       "qAttached, qC, qfThreadInfo, qsThreadInfo", reply);
	result(is(packet(st, "Hg0"), "OK") && is(packet(st, "Hc-1"), "OK"), "H: OK", reply);
	r = packet(st, "g");
	result(r && (int)strlen(r) == 2 * reg_bytes, "g: every register of target.xml", r);
	if (r)
		snprintf(g, sizeof(g), "%s", r);
	result(is(packet(st, "G%s", g), "OK"), "G of what g read: OK", reply);
	result(is(packet(st, "G%.*s", (int)strlen(g) - 2, g), "E16"), "G one byte short: error",
	       reply);
	result(is(packet(st, "gjunk"), "E16"), "g with arguments: error", reply);
	result(is(packet(st, "p%x", nr_regs), "E16") && is(packet(st, "pffffffff"), "E16"),
	       "p of a register past the last: error", reply);
	r = packet(st, "p0");
	result(r && (int)strlen(r) >= 8 && is(packet(st, "P0=%s", r), "OK"),
	       "p and P of register 0", reply);
	result(is(packet(st, "P0=zz"), "E16"), "P with bad hex: error", reply);
	result(is(packet(st, "vCont?"), "vCont;c;C;s;S"), "vCont?: c, C, s, S", reply);
	result(is(packet(st, "vCont;x"), "E16"), "vCont with an unknown action: error", reply);
	result(is(packet(st, "jUnknown"), "") && is(packet(st, "vFooBar"), "") &&
	       is(packet(st, "qFooBar"), ""), "unknown packets: empty", reply);
	result(is(packet(st, "X%llx,0:", (unsigned long long)sym.counter), ""),
	       "X (binary write): empty, gdb uses M", reply);
}

static void memory_packets(struct stub *st)
{
	const char *r;

	r = packet(st, "m%llx,800", (unsigned long long)sym.start);
	result(r && strlen(r) == 4096, "m of 2048 bytes, gdb's chunk for PacketSize: data", r);
	result(is(packet(st, "m%llx,801", (unsigned long long)sym.start), "E16"),
	       "m of more than a reply holds: error", reply);
	result(is(packet(st, "M%llx,4:01020304", (unsigned long long)sym.counter), "OK") &&
	       is(packet(st, "m%llx,4", (unsigned long long)sym.counter), "01020304") &&
	       is(packet(st, "M%llx,4:00000000", (unsigned long long)sym.counter), "OK"),
	       "M then m: the bytes written", reply);
	result(is(packet(st, "M%llx,4:0102", (unsigned long long)sym.counter), "E16"),
	       "M shorter than its length: error", reply);
	result(starts(packet(st, "m%llx,4", (unsigned long long)UNMAPPED), "E0e"),
	       "m of an unmapped address: error", reply);
	result(starts(packet(st, "mffffffffffffffff,10"), "E"),
	       "m whose address plus length wraps: error", reply);
	result(is(packet(st, "m00000000000000001,4"), "E16"), "17-digit hex number: error",
	       reply);
	result(is(packet(st, "m1234"), "E16"), "m without a length: error", reply);
}

static void thread_packets(struct stub *st)
{
	result(is(packet(st, "T1"), "OK") && is(packet(st, "T01"), "OK"),
	       "T1, as gdb's thread 1 sends it: OK", reply);
	result(is(packet(st, "T2"), "E01"), "T2, no such thread: error", reply);
}

/* Fills a table past its size; every Z OK then ENOSPC, every z OK. */
static void fill_table(struct stub *st, int type, int max, uint64_t base, int step,
		       int len, const char *name)
{
	int i, ok = 0;
	const char *r = NULL;

	for (i = 0; i <= max; i++) {
		r = packet(st, "Z%d,%llx,%x", type, (unsigned long long)(base + i * step), len);
		if (!is(r, "OK"))
			break;
		ok++;
	}
	result(ok >= 1 && ok <= max && is(r, "E1c"), name, r);
	for (i = 0; i < ok; i++)
		if (!is(packet(st, "z%d,%llx,%x", type,
			       (unsigned long long)(base + i * step), len), "OK"))
			break;
	ksft_test_result(i == ok, "z%d of each: OK\n", type);
}

static void breakpoint_packets(struct stub *st)
{
	result(is(packet(st, "Z0,%llx,%x", (unsigned long long)sym.tick, BP_KIND), "OK") &&
	       is(packet(st, "Z0,%llx,%x", (unsigned long long)sym.tick, BP_KIND), "OK") &&
	       is(packet(st, "z0,%llx,%x", (unsigned long long)sym.tick, BP_KIND), "OK"),
	       "Z0 twice, z0: OK", reply);
	result(starts(packet(st, "z0,%llx,%x", (unsigned long long)sym.tick, BP_KIND), "E"),
	       "z0 of no breakpoint: error", reply);
	result(is(packet(st, "Z0,%llx,7", (unsigned long long)sym.tick), "E16"),
	       "Z0 of a wrong kind: error", reply);
	result(starts(packet(st, "Z0,%llx,%x", (unsigned long long)UNMAPPED, BP_KIND), "E0e"),
	       "Z0 at an unmapped address: error", reply);
	result(is(packet(st, "Z9,10,4"), "E16"), "Z of an unknown type: error", reply);
	fill_table(st, 0, 64, sym.start, 4, BP_KIND, "Z0 past the table's 64: ENOSPC");
	fill_table(st, 1, 16, sym.start, 4, BP_KIND, "Z1 past the slots: ENOSPC");
	fill_table(st, 2, 16, sym.counter & ~7ull, 0x100, 4, "Z2 past the slots: ENOSPC");
	result(is(packet(st, "Z1,%llx,%x", (unsigned long long)HW_REFUSED, BP_KIND), "E16") &&
	       starts(packet(st, "?"), "T05"),
	       "Z1 at an address KVM refuses: error, the session goes on", reply);
	result(is(packet(st, "Z3,%llx,4", (unsigned long long)sym.counter),
		  HAS_READ_WATCH ? "OK" : "") &&
	       is(packet(st, "z3,%llx,4", (unsigned long long)sym.counter),
		  HAS_READ_WATCH ? "OK" : ""),
	       HAS_READ_WATCH ? "Z3, a read watchpoint: OK" :
	       "Z3 without load-only watchpoints: empty, so gdb falls back", reply);
	result(is(packet(st, "Z2,%llx,10", (unsigned long long)sym.wide), "OK") &&
	       is(packet(st, "z2,%llx,10", (unsigned long long)sym.wide), "OK"),
	       "Z2 on a 16-byte object: split over slots", reply);
	result(is(packet(st, "Z2,%llx,1000", (unsigned long long)sym.wide), "E1c") &&
	       is(packet(st, "Z2,%llx,4", (unsigned long long)sym.counter), "OK") &&
	       is(packet(st, "z2,%llx,4", (unsigned long long)sym.counter), "OK"),
	       "Z2 on more than the slots cover: ENOSPC, no slot kept", reply);
}

/* Starts the guest spinning in its linger loop; true once it runs. */
static bool run_lingering(struct stub *st)
{
	if (!is(packet(st, "M%llx,1:01", (unsigned long long)sym.linger), "OK"))
		return false;
	send_packet(st, "c", 1);
	return get_ack(st) == '+';
}

static bool stop_lingering(struct stub *st)
{
	return is(packet(st, "M%llx,1:00", (unsigned long long)sym.linger), "OK");
}

static void interrupt_cases(struct stub *st)
{
	static const char storm[64] = { [0 ... 63] = 0x03 };
	bool ok = run_lingering(st);
	char extra[64];

	usleep(100000);
	send_raw(st, storm, sizeof(storm));
	ok = ok && get_reply(st, reply, sizeof(reply), REPLY_TIMEOUT_MS) &&
	     starts(reply, "T02");
	result(ok && !get_reply(st, extra, sizeof(extra), 500),
	       "a storm of ^C while the guest runs: one T02", reply);
	result(starts(packet(st, "?"), "T02"), "? after ^C: T02, as the stop said", reply);
	result(stop_lingering(st), "the guest stopped in its loop", reply);
	/* The guest's start code has set its translation up (arm64: the MMU on). */
	result(is(packet(st, "m%llx,8", (unsigned long long)sym.tick), tick_hex),
	       "m of tick: the ELF's bytes, through the guest's translation", reply);
#ifdef __aarch64__
	/* Its VA space is 31 bits: bit 40 must not alias into the table. */
	result(starts(packet(st, "m%llx,4", (unsigned long long)(sym.tick | 1ull << 40)), "E0e"),
	       "m above the guest's VA size: error, not an alias", reply);
#else
	ksft_test_result_skip("m above the guest's VA size: arm64's walk only\n");
#endif
	result(starts(packet(st, "vCont;S0f:1"), "E16"),
	       "vCont;S with a signal the guest cannot take: error", reply);
	result(starts(packet(st, "vCont;S05:1"), "T05"),
	       "vCont;S with the stop's own signal: steps", reply);
	result(starts(packet(st, "vCont;s:1"), "T05"), "vCont;s:1: steps", reply);
}

static void x86_register_cases(struct stub *st)
{
#ifdef __x86_64__
	result(is(packet(st, "p22"), "ffff0000"), "ftag, the full tag word: 0xffff, all empty",
	       reply);
	result(is(packet(st, "P12=10000000"), "E01") && is(packet(st, "p12"), "08000000"),
	       "P of cs, which no write can change: error, cs as it was", reply);
#else
	(void)st;
	ksft_test_result_skip("ftag: x86 only\n");
	ksft_test_result_skip("P of cs: x86 only\n");
#endif
}

/* Why a stub ended as it should not have: its status, then its own words. */
static void show_exit(const struct stub *st, int status)
{
	ksft_print_msg("exit status %d\n", status);
	show_log(st);
}

/*
 * A breakpoint where the guest ends, a c, and gdb's line closed behind it
 * (after the c's ack, with ack): the stub must let the guest run to its
 * end, the breakpoint gone.
 */
static void close_behind_c(struct stub *st, const char *name, bool ack)
{
	bool ok = st->fd >= 0 &&
		  is(packet(st, "Z0,%llx,%x", (unsigned long long)sym.done, BP_KIND), "OK");
	int status;

	if (st->fd >= 0) {
		send_packet(st, "c", 1);
		ok = ok && (!ack || get_ack(st) == '+');
		close(st->fd);
		st->fd = -1;
	}
	status = stub_wait(st, REPLY_TIMEOUT_MS);
	result(ok && status == 0, name, reply);
	if (status)
		show_exit(st, status);
	stub_stop(st);
}

/* A stub for one case; false (and a failed case) if it did not start. */
static bool fresh(struct stub *st, const char *name)
{
	if (!stub_start(st, guest_path, NULL))
		return true;
	ksft_test_result_fail("%s: the stub did not start\n", name);
	show_log(st);
	stub_stop(st);
	return false;
}

static void end_cases(void)
{
	struct stub st;
	const char *name;
	int status;

	name = "k: the stub exits with the killed status";
	if (fresh(&st, name)) {
		send_packet(&st, "k", 1);
		status = stub_wait(&st, REPLY_TIMEOUT_MS);
		result(status == EXIT_KILLED, name, status < 0 ? "(still running)" : "(exited)");
		if (status != EXIT_KILLED)
			show_exit(&st, status);
		stub_stop(&st);
	}

	name = "D, then a stray ^C: the guest runs to its end";
	if (fresh(&st, name)) {
		bool ok = is(packet(&st, "Z0,%llx,%x", (unsigned long long)sym.done, BP_KIND),
			     "OK") && is(packet(&st, "D"), "OK");

		send_raw(&st, "\x03", 1);
		status = stub_wait(&st, REPLY_TIMEOUT_MS);
		result(ok && status == 0, name, reply);
		if (status)
			show_exit(&st, status);
		stub_stop(&st);
	}

	name = "D after a Z0 in the page table that maps it: OK, the guest runs to its end";
	if (!PAGE_TABLE) {
		ksft_test_result_skip("%s: the arch's translation is not in guest memory\n", name);
	} else if (fresh(&st, name)) {
		bool ok = is(packet(&st, "Z0,%llx,%x", (unsigned long long)PAGE_TABLE, BP_KIND),
			     "OK") && is(packet(&st, "D"), "OK");

		status = stub_wait(&st, REPLY_TIMEOUT_MS);
		result(ok && status == 0, name, reply);
		stub_stop(&st);
	}

	name = "line closed mid-packet: the stub lets the guest run to its end";
	if (fresh(&st, name)) {
		send_raw(&st, "$m10", 4);
		close(st.fd);
		st.fd = -1;
		status = stub_wait(&st, REPLY_TIMEOUT_MS);
		result(status == 0, name, "(exit status)");
		if (status)
			show_exit(&st, status);
		stub_stop(&st);
	}

	name = "line closed mid-run: breakpoints go, the guest runs to its end";
	if (fresh(&st, name))
		close_behind_c(&st, name, true);
}

/* Voluntary context switches of every thread of pid. */
static long switches(pid_t pid)
{
	char path[320], line[256];
	struct dirent *d;
	long total = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/status", pid, d->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "voluntary_ctxt_switches:", 24))
				total += atol(line + 24);
		if (f)
			fclose(f);
	}
	closedir(dir);
	return total;
}

static void lost_line_case(void)
{
	const char *name = "line closed while the guest spins: the stub stops watching it";
	struct stub st;
	long before, after;

	if (!fresh(&st, name))
		return;
	if (!run_lingering(&st)) {
		result(false, name, reply);
		stub_stop(&st);
		return;
	}
	close(st.fd);
	st.fd = -1;
	usleep(300000);
	before = switches(st.pid);
	usleep(1000000);
	after = switches(st.pid);
	result(before >= 0 && after - before <= 3 && log_has(&st, "closed"), name,
	       "(the stub woke up)");
	ksft_print_msg("%ld voluntary switches in 1 s after the line closed\n", after - before);
	stub_stop(&st);
}

static void reattach_case(void)
{
	const char *name = "D, then a new gdb on the same line: it stops the guest";
	struct stub st;
	bool ok;

	if (!fresh(&st, name))
		return;
	ok = is(packet(&st, "M%llx,1:01", (unsigned long long)sym.linger), "OK") &&
	     is(packet(&st, "D"), "OK");
	usleep(200000);
	send_raw(&st, "+", 1);
	ok = ok && starts(packet(&st, "?"), "T05") && stop_lingering(&st) &&
	     is(packet(&st, "c"), "W00");
	result(ok, name, reply);
	stub_stop(&st);
}

/*
 * A run that prints many console bytes: KVM_SET_GUEST_DEBUG once, and
 * twice more around the guest's own breakpoint, which goes back to it
 * with KVM_GUESTDBG_INJECT_BP.
 */
static void set_debug_count_case(void)
{
	const char *name = "c to the end: KVM_SET_GUEST_DEBUG once, not per exit";
	unsigned long runs = 0, sets = 0;
	char text[4096], *p;
	struct stub st;
	int fd, n;

	if (!fresh(&st, name))
		return;
	result(is(packet(&st, "c"), "W00"), "c: the guest exits, W00", reply);
	stub_wait(&st, REPLY_TIMEOUT_MS);
	fd = open(st.log, O_RDONLY);
	n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : 0;
	text[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	p = strstr(text, " KVM_RUN, ");
	while (p && p > text && p[-1] >= '0' && p[-1] <= '9')
		p--;
	if (p)
		sscanf(p, "%lu KVM_RUN, %lu KVM_SET_GUEST_DEBUG", &runs, &sets);
	ksft_print_msg("%lu KVM_RUN, %lu KVM_SET_GUEST_DEBUG\n", runs, sets);
	result(runs > 10 && sets <= 3, name, "(counts above)");
	stub_stop(&st);
}

/* A copy of the guest with one field changed; the stub must refuse it. */
static void bad_elf_case(const char *name, int which)
{
	char path[96];
	struct stub st;
	uint8_t *elf;
	size_t len;
	ehdr_t *eh;
	phdr_t *ph;
	int fd, status;

	if (read_file(guest_path, &elf, &len)) {
		ksft_test_result_fail("%s: cannot read %s\n", name, guest_path);
		return;
	}
	eh = (void *)elf;
	ph = (void *)(elf + eh->e_phoff);
	if (which == 0)
		eh->e_phoff = (typeof(eh->e_phoff))-16;
	else
		ph->p_offset = (typeof(ph->p_offset))-16;
	snprintf(path, sizeof(path), "%s/bad%d.elf", log_dir, which);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, elf, len) != (ssize_t)len) {
		ksft_test_result_fail("%s: cannot write %s\n", name, path);
		free(elf);
		return;
	}
	close(fd);
	free(elf);
	if (!stub_start(&st, path, NULL)) {
		ksft_test_result_fail("%s: the stub took it\n", name);
		stub_stop(&st);
		return;
	}
	if (st.pid)
		st.status = stub_wait(&st, REPLY_TIMEOUT_MS);
	status = st.status;
	result(status == 1, name, "(see the stub's output)");
	if (status != 1)
		show_log(&st);
	stub_stop(&st);
}

/* --- TCP --- */

static bool loopback_up(void)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	bool ok;

	if (s < 0)
		return false;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	ok = !ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	ok = ok && !ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
	return ok;
}

static int tcp_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	long long deadline = now_ms() + 5000;
	int fd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	while (now_ms() < deadline) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd >= 0 && !connect(fd, (void *)&sa, sizeof(sa)))
			return fd;
		if (fd >= 0)
			close(fd);
		usleep(50000);
	}
	return -1;
}

/*
 * Starts a stub on a TCP port of its own and connects to it; false, with
 * the case reported, where that cannot be.
 */
static bool tcp_stub(struct stub *st, const char *name, int port)
{
	char spec[32];

	if (!loopback_up()) {
		ksft_test_result_skip("%s: the kernel has no IPv4 loopback\n", name);
		return false;
	}
	snprintf(spec, sizeof(spec), "127.0.0.1:%d", port);
	if (stub_start(st, guest_path, spec)) {
		ksft_test_result_fail("%s: the stub did not start\n", name);
		show_log(st);
		stub_stop(st);
		return false;
	}
	st->fd = tcp_connect(port);
	return true;
}

static void tcp_case(void)
{
	const char *name = "--listen: target remote, D, target remote again, c to the end";
	struct stub st;
	bool ok;
	int port = 20000 + getpid() % 20000, status;

	if (!tcp_stub(&st, name, port))
		return;
	ok = st.fd >= 0 && starts(packet(&st, "?"), "T05") &&
	     is(packet(&st, "M%llx,1:01", (unsigned long long)sym.linger), "OK") &&
	     is(packet(&st, "D"), "OK");
	if (st.fd >= 0)
		close(st.fd);
	st.fd = tcp_connect(port);
	st.pos = 0;
	st.len = 0;
	ok = ok && st.fd >= 0 && starts(packet(&st, "?"), "T05") && stop_lingering(&st) &&
	     is(packet(&st, "c"), "W00");
	status = stub_wait(&st, REPLY_TIMEOUT_MS);
	result(ok && status == 0, name, reply);
	stub_stop(&st);
}

/*
 * gdb's line closes right behind a c: whenever the stub sees the close,
 * the guest runs on to its end, with its own breakpoint its own and no
 * gdb to wait for.  TCP keeps the packet readable after the close, which
 * a pty would flush.
 */
static void tcp_closed_case(void)
{
	const char *name = "--listen: line closed behind a c: the guest's own breakpoint is its";
	struct stub st;

	if (tcp_stub(&st, name, 20000 + (getpid() + 1) % 20000))
		close_behind_c(&st, name, false);
}

/* --- the fuzzer --- */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state >> 16;
}

static int hex_field(char *p, size_t room)
{
	static const char digits[] = "0123456789abcdefABCDEF";
	int n = rnd() % 20 == 0 ? 17 + rnd() % 8 : 1 + rnd() % 16, i;

	if ((size_t)n >= room)
		n = room - 1;
	for (i = 0; i < n; i++)
		p[i] = digits[rnd() % (sizeof(digits) - 1)];
	return n;
}

/*
 * A random packet from the stub's grammar, with its fields mangled now
 * and then; never one that runs, detaches or kills the guest, or turns
 * acknowledgements off.
 */
static size_t fuzz_payload(char *p, size_t room)
{
	static const char *const heads[] = {
		"m", "M", "g", "G", "p", "P", "Z0,", "Z1,", "Z2,", "Z3,", "Z4,", "z0,",
		"z1,", "z2,", "z3,", "z4,", "qSupported:", "qXfer:features:read:target.xml:",
		"qAttached", "qC", "qfThreadInfo", "qsThreadInfo", "qSymbol::", "H", "T",
		"?", "vCont?", "vCont;x", "vFoo", "X", "j", "",
	};
	static const char seps[] = ",:;=}*\x03\x7f";
	const char *head = heads[rnd() % ARRAY_SIZE(heads)];
	size_t n = strlen(head), fields = rnd() % 5;

	memcpy(p, head, n);
	while (fields-- && n < room - 40) {
		n += hex_field(p + n, room - n);
		if (rnd() % 3)
			p[n++] = seps[rnd() % (sizeof(seps) - 1)];
	}
	if (rnd() % 50 == 0)
		while (n < room - 1 && n < 600)
			p[n++] = 0x20 + rnd() % 0x5e;
	if (rnd() % 500 == 0)
		while (n < room - 1)
			p[n++] = 'a';
	for (size_t i = 0; i < n; i++)
		if (p[i] == '$' || p[i] == '#')
			p[i] = '0';
	return n;
}

/* Gives the stub a packet with one more than the right checksum. */
static void send_corrupt(struct stub *st, const char *payload, size_t n)
{
	unsigned int sum = 1;
	char frame[8];
	size_t k;

	for (k = 0; k < n; k++)
		sum += (unsigned char)payload[k];
	snprintf(frame, sizeof(frame), "#%02x", sum & 0xff);
	send_raw(st, "$", 1);
	send_raw(st, payload, n);
	send_raw(st, frame, 3);
}

static bool runs_the_guest(const char *payload)
{
	return strchr("cCsSDkRr!", payload[0]) || !strncmp(payload, "vCont;", 6) ||
	       !strncmp(payload, "vKill", 5) || strstr(payload, "StartNoAck");
}

/*
 * The first packets with acknowledgements (a bad one must get its NAK),
 * the rest without, as gdb runs after QStartNoAckMode: there an
 * overlong packet is dropped unanswered, and a qC every 50 packets
 * checks that the replies still pair with the requests.
 */
static void fuzz(int packets, unsigned long seed)
{
	static char payload[PACKET_SIZE + 200];
	int i, replies = 0, naks = 0, errors = 0, empty = 0;
	const char *name = "fuzzer: every packet answered, the stub alive";
	const char *why = NULL;
	long long start = now_ms();
	struct stub st;

	rng_state = seed * 2654435761ull + 1;
	if (!fresh(&st, name))
		return;
	for (i = 0; i < packets && !why; i++) {
		size_t n = fuzz_payload(payload, sizeof(payload));
		bool corrupt = rnd() % 10 == 0;
		int ack = 0;

		if (i && !(i % 2000))
			ksft_print_msg("fuzzer: %d packets, %lld ms\n", i, now_ms() - start);
		if (i == packets / 10) {
			if (!is(packet(&st, "QStartNoAckMode"), "OK")) {
				why = "QStartNoAckMode was refused";
				break;
			}
			st.ack = false;
		}
		if (!st.ack && !(i % 50) && !is(packet(&st, "qC"), "QC01")) {
			why = "a qC got another reply: the stub is out of step";
			break;
		}
		payload[n] = '\0';
		if (runs_the_guest(payload))
			payload[0] = 'j';
		/* Without acks gdbserver takes a bad checksum too: no case to check. */
		corrupt = corrupt && st.ack;
		if (corrupt || n > PACKET_SIZE) {
			if (corrupt)
				send_corrupt(&st, payload, n);
			else
				send_packet(&st, payload, n);
			if (st.ack && get_ack(&st) != '-')
				why = "a bad or overlong packet was not NAKed";
			naks++;
			continue;
		}
		send_packet(&st, payload, n);
		if (st.ack)
			ack = get_ack(&st);
		if ((st.ack && ack != '+') ||
		    !get_reply(&st, reply, sizeof(reply), REPLY_TIMEOUT_MS)) {
			why = "a well-formed packet got no reply";
			break;
		}
		replies++;
		errors += reply[0] == 'E' && strlen(reply) == 3;
		empty += !reply[0];
	}
	if (!why && !starts(packet(&st, "?"), "T0"))
		why = "? went unanswered after the fuzzing";
	if (!why && stub_wait(&st, 1) >= 0)
		why = "the stub exited";
	ksft_print_msg("fuzzer: %d packets, seed %lu, %lld ms\n", i, seed, now_ms() - start);
	ksft_print_msg("fuzzer: %d replies (%d errors, %d empty), %d bad or overlong\n",
		       replies, errors, empty, naks);
	if (why) {
		ksft_print_msg("fuzzer: %s, at \"%.60s\"\n", why, payload);
		show_log(&st);
	}
	ksft_test_result(!why && i == packets, "%s\n", name);
	stub_stop(&st);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "packets", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long seed = 1;
	int packets = 10000, c;
	struct stub st;

	while ((c = getopt_long(argc, argv, "n:s:", opts, NULL)) != -1) {
		if (c == 'n')
			packets = atoi(optarg);
		else if (c == 's')
			seed = strtoul(optarg, NULL, 0);
		else
			return KSFT_FAIL;
	}
	if (optind != argc - 2) {
		fprintf(stderr, "usage: kvm-gdbstub-rsp [--packets N] [--seed S] STUB GUEST.elf\n");
		return KSFT_FAIL;
	}
	stub_path = argv[optind];
	guest_path = argv[optind + 1];
	signal(SIGPIPE, SIG_IGN);
	/* One line at a time: the VM's console shows how far it got. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	if (access("/dev/kvm", R_OK | W_OK))
		ksft_exit_skip("/dev/kvm: %s\n", strerror(errno));
	snprintf(log_dir, sizeof(log_dir), "/tmp/kvm-gdbstub-rsp.XXXXXX");
	if (!mkdtemp(log_dir) || load_syms())
		ksft_exit_fail_msg("%s: no symbols tick, done, counter, linger, wide, _start\n",
				   guest_path);
	ksft_set_plan(NR_CASES);

	if (!fresh(&st, "the first stub"))
		ksft_exit_fail_msg("the stub did not start\n");
	{
		/* Framing first: the stub must come out of each in step. */
		char big[5000];

		send_raw(&st, "$g#00", 5);
		result(get_ack(&st) == '-', "bad checksum: NAK", "(no -)");
		memset(big, 'm', sizeof(big));
		send_packet(&st, big, sizeof(big));
		result(get_ack(&st) == '-', "packet longer than PacketSize: NAK", "(no -)");
		send_raw(&st, "xyz$gar$?#3f", 12);
		result(get_ack(&st) == '+' &&
		       get_reply(&st, reply, sizeof(reply), REPLY_TIMEOUT_MS) &&
		       starts(reply, "T05"),
		       "noise and a restart before a packet: the packet counts", reply);
		result(starts(packet(&st, "m}%llx,4", (unsigned long long)sym.start), "E"),
		       "an escape where a number goes: error", reply);
		result(starts(packet(&st, "m0* ,4"), "E"), "run-length where a number goes: error",
		       reply);
	}
	basic_packets(&st);
	memory_packets(&st);
	thread_packets(&st);
	breakpoint_packets(&st);
	x86_register_cases(&st);
	interrupt_cases(&st);
	stub_stop(&st);

	end_cases();
	lost_line_case();
	reattach_case();
	set_debug_count_case();
	bad_elf_case("ELF whose program header offset wraps: refused", 0);
	bad_elf_case("ELF whose segment offset wraps: refused", 1);
	tcp_case();
	tcp_closed_case();
	fuzz(packets, seed);
	ksft_finished();
}
