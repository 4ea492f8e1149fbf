// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the test VMs: mount what the kvm selftests need, run the tests
 * listed in /kgd/plan one by one under a timeout, print the results as one
 * KTAP stream on the console, and power the machine off.
 *
 * Each plan line is "<timeout seconds> <name> <path> [args...]".  A test's
 * own output is nested two spaces deeper, so the stream stays valid KTAP
 * even when a test prints plain text.
 *
 * On a kernel without KVM built in, /kgd/modules lists the modules to load
 * first, one path a line, in order; each gets the "<module>.<param>=" of
 * the kernel command line, as modprobe would give them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <sys/io.h>
#endif

#define PLAN		"/kgd/plan"
#define MODULES		"/kgd/modules"
#define MAX_TESTS	64
#define MAX_ARGS	32
#define KSFT_SKIP	4
#define KLOG_SIZE	(128 * 1024)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct test {
	int timeout;
	char *name;
	char *argv[MAX_ARGS + 1];
};

static void out(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	/* The console is the only record of the run: never drop a line. */
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		memmove(buf, buf + n, len - n);
		len -= n;
	}
}

static void setup_mounts(void)
{
	static const struct { const char *src, *dst, *type; } mounts[] = {
		{ "proc", "/proc", "proc" },
		{ "sysfs", "/sys", "sysfs" },
		{ "devtmpfs", "/dev", "devtmpfs" },
		{ "devpts", "/dev/pts", "devpts" },
		{ "debugfs", "/sys/kernel/debug", "debugfs" },
		{ "tmpfs", "/tmp", "tmpfs" },
		{ "tmpfs", "/dev/shm", "tmpfs" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mounts); i++) {
		mkdir(mounts[i].dst, 0755);
		if (mount(mounts[i].src, mounts[i].dst, mounts[i].type, 0, NULL) &&
		    errno != EBUSY)
			out("# kgd-init: mount %s: %s\n", mounts[i].dst, strerror(errno));
	}
}

/* Echo the kernel's lines that matter for a run: KVM's mode, and splats. */
static void report_kernel_log(const char *const *patterns)
{
	static char log[KLOG_SIZE];
	char *line, *save;
	int len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);

	if (len <= 0)
		return;
	log[len] = '\0';
	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *const *p;

		if (line[0] == '<' && strchr(line, '>'))
			line = strchr(line, '>') + 1;
		for (p = patterns; *p; p++) {
			if (strstr(line, *p)) {
				out("# kernel: %s\n", line);
				break;
			}
		}
	}
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t len;

	if (fd < 0)
		return -1;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len < 0)
		return -1;
	while (len > 0 && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	return len;
}

/* The "<module>.<param>=<value>" words of the command line, without "<module>.". */
static void module_params(const char *module, char *params, size_t size)
{
	static char cmdline[4096];
	size_t mlen = strlen(module), used = 0;
	char *word, *save;

	params[0] = '\0';
	if (read_file("/proc/cmdline", cmdline, sizeof(cmdline)) < 0)
		return;
	for (word = strtok_r(cmdline, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
		if (strncmp(word, module, mlen) || word[mlen] != '.')
			continue;
		used += snprintf(params + used, size - used, "%s%s", used ? " " : "",
				 word + mlen + 1);
		if (used >= size)
			break;
	}
}

/*
 * Loads /kgd/modules' modules in order and says, for each, the taint it
 * left: "OE" (out of tree, unsigned) is what tells ours from a
 * distribution's.  Returns how many failed.
 */
static int load_modules(void)
{
	static char list[4096];
	char *path, *save;
	int failed = 0;

	if (read_file(MODULES, list, sizeof(list)) < 0)
		return 0;
	for (path = strtok_r(list, "\n", &save); path; path = strtok_r(NULL, "\n", &save)) {
		char name[64], params[512], taint[32] = "", where[128];
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		size_t i;
		int fd;

		snprintf(name, sizeof(name), "%.*s", (int)strcspn(base, "."), base);
		for (i = 0; name[i]; i++)
			if (name[i] == '-')
				name[i] = '_';
		module_params(name, params, sizeof(params));
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || syscall(SYS_finit_module, fd, params, 0)) {
			out("# kgd-init: cannot load %s: %s\n", path, strerror(errno));
			failed++;
			if (fd >= 0)
				close(fd);
			continue;
		}
		close(fd);
		snprintf(where, sizeof(where), "/sys/module/%s/taint", name);
		read_file(where, taint, sizeof(taint));
		out("# kgd-init: loaded %s as %s (%s), taint %s\n", path, name,
		    params[0] ? params : "no parameters", taint[0] ? taint : "none");
	}
	return failed;
}

static int parse_plan(struct test *tests)
{
	static char text[16384];
	char *line, *save;
	int fd, len, n = 0;

	fd = open(PLAN, O_RDONLY);
	if (fd < 0)
		return -1;
	len = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (len < 0)
		return -1;
	text[len] = '\0';

	for (line = strtok_r(text, "\n", &save); line && n < MAX_TESTS;
	     line = strtok_r(NULL, "\n", &save)) {
		char *word, *wsave;
		int argc = 0;

		word = strtok_r(line, " ", &wsave);
		if (!word || word[0] == '#')
			continue;
		tests[n].timeout = atoi(word);
		tests[n].name = strtok_r(NULL, " ", &wsave);
		while ((word = strtok_r(NULL, " ", &wsave)) && argc < MAX_ARGS)
			tests[n].argv[argc++] = word;
		tests[n].argv[argc] = NULL;
		if (tests[n].name && argc)
			n++;
	}
	return n;
}

static int is_ktap(const char *line)
{
	static const char *const starts[] = {
		"ok ", "not ok ", "1..", "TAP version", "KTAP version", "#", " ",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(starts); i++)
		if (!strncmp(line, starts[i], strlen(starts[i])))
			return 1;
	return 0;
}

static void emit_nested(char *buf, size_t *used, int flush)
{
	char *start = buf, *nl;

	while ((nl = memchr(start, '\n', buf + *used - start)) ||
	       (flush && start < buf + *used)) {
		if (!nl)
			nl = buf + *used;
		*nl = '\0';
		out(is_ktap(start) ? "  %s\n" : "  # %s\n", start);
		start = nl + 1;
		if (start > buf + *used)
			start = buf + *used;
	}
	*used -= start - buf;
	memmove(buf, start, *used);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Returns the wait status, or -1 when the test ran out of time. */
static int run_one(const struct test *t)
{
	char buf[8192];
	size_t used = 0;
	double deadline = now() + t->timeout;
	int pipefd[2], status = 0, timed_out = 0;
	pid_t pid;

	if (pipe(pipefd))
		return -2;
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		if (chdir("/tmp"))
			_exit(127);
		execv(t->argv[0], t->argv);
		fprintf(stderr, "kgd-init: exec %s: %s\n", t->argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return -2;
	}
	for (;;) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		double left = deadline - now();
		ssize_t n;

		if (left <= 0) {
			timed_out = 1;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		n = read(pipefd[0], buf + used, sizeof(buf) - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += n;
		emit_nested(buf, &used, used == sizeof(buf) - 1);
	}
	emit_nested(buf, &used, 1);
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return timed_out ? -1 : status;
}

static void power_off(void)
{
	tcdrain(STDOUT_FILENO);
	sync();
#if defined(__x86_64__)
	/* Bochs powers off on "Shutdown" written to its port 0x8900. */
	if (!ioperm(0x8900, 1, 1)) {
		const char *p;

		for (p = "Shutdown"; *p; p++)
			outb(*p, 0x8900);
	}
#endif
	reboot(RB_POWER_OFF);
	/* The host kills the emulator once it has seen the end marker. */
	for (;;)
		pause();
}

int main(void)
{
	static const char *const at_start[] = { "kvm", "KVM", NULL };
	static const char *const at_end[] = {
		"WARNING:", "BUG:", "Oops:", "Call trace:", "Call Trace:", "Kernel panic",
		"UBSAN:", NULL,
	};
	static struct test tests[MAX_TESTS];
	int i, n, failed = 0;

	setup_mounts();
	setenv("PATH", "/bin:/tests", 1);
	/* A line of the firmware's may still be open on the console. */
	out("\nKTAP version 1\n");
	if (load_modules())
		out("# kgd-init: a module did not load; the tests will say what that breaks\n");
	report_kernel_log(at_start);
	n = parse_plan(tests);
	if (n < 0) {
		out("1..0 # SKIP kgd-init: cannot read %s\n", PLAN);
		power_off();
	}
	out("1..%d\n", n);
	for (i = 0; i < n; i++) {
		const struct test *t = &tests[i];
		double t0 = now();
		int status;

		out("# kgd-init: running %s (timeout %ds)\n", t->name, t->timeout);
		status = run_one(t);
		out("# kgd-init: %s took %.1fs\n", t->name, now() - t0);
		if (status == -1) {
			out("not ok %d %s # timed out after %ds\n", i + 1, t->name, t->timeout);
			failed++;
		} else if (status < 0) {
			out("not ok %d %s # could not start\n", i + 1, t->name);
			failed++;
		} else if (WIFSIGNALED(status)) {
			out("not ok %d %s # killed by signal %d\n", i + 1, t->name,
			    WTERMSIG(status));
			failed++;
		} else if (WEXITSTATUS(status) == KSFT_SKIP) {
			out("ok %d %s # SKIP exit status %d\n", i + 1, t->name, KSFT_SKIP);
		} else if (WEXITSTATUS(status)) {
			out("not ok %d %s # exit status %d\n", i + 1, t->name,
			    WEXITSTATUS(status));
			failed++;
		} else {
			out("ok %d %s\n", i + 1, t->name);
		}
		out("# kgd-exit-status: %s %d\n", t->name,
		    status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	report_kernel_log(at_end);
	/* The host, not the guest, knows the emulator's bugs: say so. */
	out("# kgd-init: done, %d of %d not ok before the host marks known emulator bugs XFAIL\n",
	    failed, n);
	power_off();
	return 0;
}
