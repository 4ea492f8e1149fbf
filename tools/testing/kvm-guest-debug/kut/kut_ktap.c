// SPDX-License-Identifier: GPL-2.0
/*
 * Runs one kvm-unit-tests test in QEMU, inside a target's VM, and reports
 * it as KTAP: each of the test's PASS, FAIL, SKIP, XFAIL and XPASS lines
 * becomes a result of ours, every other line a diagnostic.  The exit
 * status says whether the test passed: some result, none failed, and
 * QEMU ended the run with the test's own verdict.
 *
 *   kut_ktap [-m] PASS-STATUS QEMU [QEMU's arguments...]
 *
 * PASS-STATUS is QEMU's exit status when the test passed: 1, both where
 * the test writes 0 to x86's isa-debug-exit and where it sends its code
 * to arm's chr-testdev, QEMU exiting with (code << 1) | 1.
 *
 * With -m the test migrates itself: each time it prints "Now migrate the
 * VM", a second QEMU starts with the same arguments and -incoming, the
 * first one migrates to it and quits, and the test goes on in the second
 * one once it reads a key from its serial line.  QMP runs over FIFOs, the
 * migration over a Unix socket.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* QEMU number N's QMP FIFOs are QMP_PATH.in and QMP_PATH.out. */
#define QMP_PATH	"/tmp/kut-qmp-%d"
/* Where QEMU number N listens for its state. */
#define MIGRATION_PATH	"/tmp/kut-migration-%d"
#define MIGRATE_PROMPT	"Now migrate the VM"
/* Seconds for a migration to complete and its target to run. */
#define MIGRATION_TIMEOUT	60
/* Seconds for a whole migration, whatever step it hangs in. */
#define MIGRATION_LIMIT		(3 * MIGRATION_TIMEOUT / 2)

static const struct {
	const char *prefix;
	int failed;
	const char *directive;
} kinds[] = {
	{ "PASS: ", 0, "" },
	{ "FAIL: ", 1, "" },
	{ "SKIP: ", 0, " # SKIP" },
	{ "XFAIL: ", 0, " # XFAIL (the test expects it)" },
	{ "XPASS: ", 1, " # XPASS (the test expected a failure)" },
};

struct qemu {
	int number;
	pid_t pid;
	FILE *out;		/* its serial line and its own messages */
	int in;			/* its serial line's input */
};

static int qemu_argc;
static char **qemu_argv;
static bool migrating;

/* What a migration does now, and its QEMUs, for a migration that hangs. */
static const char *migration_step = "";
static pid_t migration_pids[2];

static void migration_stuck(int sig)
{
	static const char head[] = "# migration: stuck in ";

	(void)sig;
	if (write(STDOUT_FILENO, head, strlen(head)) < 0 ||
	    write(STDOUT_FILENO, migration_step, strlen(migration_step)) < 0 ||
	    write(STDOUT_FILENO, "\n", 1) < 0)
		_exit(1);
	kill(migration_pids[0], SIGKILL);
	kill(migration_pids[1], SIGKILL);
	_exit(1);
}

static int make_fifos(int number)
{
	char path[64];

	snprintf(path, sizeof(path), QMP_PATH ".in", number);
	unlink(path);
	if (mkfifo(path, 0600))
		return -1;
	snprintf(path, sizeof(path), QMP_PATH ".out", number);
	unlink(path);
	return mkfifo(path, 0600);
}

/*
 * Starts QEMU number; with migrating, it gets its QMP FIFOs and, unless it
 * is the first, waits for its state on its migration socket.
 */
static int start(struct qemu *q, int number)
{
	char chardev[96], incoming[64];
	int out[2], in[2], n;
	char **argv;

	argv = calloc(qemu_argc + 7, sizeof(*argv));
	if (!argv || pipe2(out, O_CLOEXEC) || pipe2(in, O_CLOEXEC))
		return -1;
	memcpy(argv, qemu_argv, qemu_argc * sizeof(*argv));
	n = qemu_argc;
	if (migrating) {
		if (make_fifos(number))
			return -1;
		snprintf(chardev, sizeof(chardev), "pipe,id=kutqmp,path=" QMP_PATH, number);
		argv[n++] = "-chardev";
		argv[n++] = chardev;
		argv[n++] = "-mon";
		argv[n++] = "chardev=kutqmp,mode=control";
		if (number) {
			snprintf(incoming, sizeof(incoming), "unix:" MIGRATION_PATH, number);
			unlink(incoming + strlen("unix:"));
			argv[n++] = "-incoming";
			argv[n++] = incoming;
		}
	}
	q->number = number;
	q->pid = fork();
	if (q->pid < 0)
		return -1;
	if (q->pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(out[1], STDERR_FILENO);
		execv(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	free(argv);
	close(in[0]);
	close(out[1]);
	q->in = in[1];
	q->out = fdopen(out[0], "r");
	return q->out ? 0 : -1;
}

static bool wait_for_socket(const char *path)
{
	struct stat st;
	int i;

	for (i = 0; i < MIGRATION_TIMEOUT * 10; i++) {
		if (!stat(path, &st) && S_ISSOCK(st.st_mode))
			return true;
		usleep(100000);
	}
	printf("# migration: no socket %s after %d s\n", path, MIGRATION_TIMEOUT);
	return false;
}

/* Sends a QMP command and returns its answer's line, skipping events. */
static bool qmp(FILE *to, FILE *from, const char *command, char *answer, size_t size)
{
	if (command && (fputs(command, to) == EOF || fflush(to)))
		return false;
	while (fgets(answer, size, from)) {
		if (strstr(answer, "\"return\"") || strstr(answer, "\"error\"") ||
		    strstr(answer, "\"QMP\""))
			return !strstr(answer, "\"error\"");
	}
	return false;
}

struct qmp_link {
	FILE *to, *from;
};

/* QEMU number's QMP, in command mode; false on failure. */
static bool qmp_open(struct qmp_link *link, int number)
{
	char path[64], answer[4096] = "";

	snprintf(path, sizeof(path), QMP_PATH ".in", number);
	link->to = fdopen(open(path, O_RDWR | O_CLOEXEC), "w");
	snprintf(path, sizeof(path), QMP_PATH ".out", number);
	link->from = fdopen(open(path, O_RDWR | O_CLOEXEC), "r");
	if (link->to && link->from && qmp(link->to, link->from, NULL, answer, sizeof(answer)) &&
	    qmp(link->to, link->from, "{ \"execute\": \"qmp_capabilities\" }\n", answer,
		sizeof(answer)))
		return true;
	printf("# migration: no QMP on QEMU %d: %s\n", number, answer);
	return false;
}

static void qmp_close(struct qmp_link *link)
{
	if (link->to)
		fclose(link->to);
	if (link->from)
		fclose(link->from);
}

/* Polls link with command until the answer shows want; false on bad. */
static bool qmp_until(struct qmp_link *link, const char *command, const char *want,
		      const char *bad)
{
	char answer[4096] = "";
	int i;

	for (i = 0; i < MIGRATION_TIMEOUT * 10; i++) {
		if (!qmp(link->to, link->from, command, answer, sizeof(answer)) ||
		    strstr(answer, bad))
			break;
		if (strstr(answer, want))
			return true;
		usleep(100000);
	}
	printf("# migration: wanted %s, got: %s", want, answer);
	return false;
}

/*
 * Migrates src to dst and quits src.  The key that lets the test go on
 * must wait until dst runs: a key that dst's serial line takes while
 * the migration still loads its state is lost.
 */
static bool migrate_to(struct qemu *src, struct qemu *dst)
{
	struct qmp_link from = { 0 }, to = { 0 };
	char command[128], answer[4096] = "", path[64];
	bool done;

	migration_pids[0] = src->pid;
	migration_pids[1] = dst->pid;
	signal(SIGALRM, migration_stuck);
	alarm(MIGRATION_LIMIT);
	snprintf(path, sizeof(path), MIGRATION_PATH, dst->number);
	migration_step = "the source's QMP greeting";
	done = qmp_open(&from, src->number);
	migration_step = "the target's QMP greeting";
	done = done && qmp_open(&to, dst->number);
	migration_step = "waiting for the target's socket";
	done = done && wait_for_socket(path);
	snprintf(command, sizeof(command),
		 "{ \"execute\": \"migrate\", \"arguments\": { \"uri\": \"unix:%s\" } }\n",
		 path);
	migration_step = "migrate";
	if (done && !qmp(from.to, from.from, command, answer, sizeof(answer))) {
		printf("# migration: QMP refused: %s", answer);
		done = false;
	}
	migration_step = "query-migrate";
	done = done && qmp_until(&from, "{ \"execute\": \"query-migrate\" }\n",
				 "\"completed\"", "\"failed\"");
	migration_step = "quit of the source";
	if (from.to)
		qmp(from.to, from.from, "{ \"execute\": \"quit\" }\n", answer, sizeof(answer));
	migration_step = "query-status of the target";
	done = done && qmp_until(&to, "{ \"execute\": \"query-status\" }\n",
				 "\"running\"", "\"internal-error\"");
	alarm(0);
	qmp_close(&from);
	qmp_close(&to);
	return done;
}

/* One line of the test's, as a result or a diagnostic. */
static void report(const char *line, int *results, int *failures)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(kinds); k++)
		if (!strncmp(line, kinds[k].prefix, strlen(kinds[k].prefix)))
			break;
	if (k == ARRAY_SIZE(kinds)) {
		printf("# %s\n", line);
		return;
	}
	(*results)++;
	*failures += kinds[k].failed;
	/* The suite's own line, for the known-bug list to match. */
	if (kinds[k].failed)
		printf("# kvm-unit-tests: %s\n", line);
	printf("%s %d %s%s\n", kinds[k].failed ? "not ok" : "ok", *results,
	       line + strlen(kinds[k].prefix), kinds[k].directive);
}

int main(int argc, char *argv[])
{
	int status, results = 0, failures = 0, pass_status, first = 1;
	struct qemu cur, next;
	char line[4096];

	if (argc > 1 && !strcmp(argv[1], "-m")) {
		migrating = true;
		first = 2;
	}
	if (argc < first + 2) {
		fprintf(stderr, "usage: %s [-m] PASS-STATUS QEMU [arguments...]\n", argv[0]);
		return 2;
	}
	pass_status = atoi(argv[first]);
	qemu_argv = argv + first + 1;
	qemu_argc = argc - first - 1;
	/* Line by line, so that a run cut off by its timeout shows its end. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (start(&cur, 0))
		return 2;
	printf("TAP version 13\n");
	while (fgets(line, sizeof(line), cur.out)) {
		line[strcspn(line, "\r\n")] = '\0';
		report(line, &results, &failures);
		if (!migrating || strncmp(line, MIGRATE_PROMPT, strlen(MIGRATE_PROMPT)))
			continue;
		if (start(&next, cur.number + 1))
			return 2;
		if (!migrate_to(&cur, &next)) {
			failures++;
			kill(next.pid, SIGKILL);
			kill(cur.pid, SIGKILL);
			break;
		}
		waitpid(cur.pid, &status, 0);
		fclose(cur.out);
		close(cur.in);
		cur = next;
		printf("# migration %d done\n", cur.number);
		/* The key the test waits for after its prompt. */
		if (write(cur.in, "\n", 1) != 1)
			return 2;
	}
	if (waitpid(cur.pid, &status, 0) < 0)
		return 2;
	printf("1..%d\n", results);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != pass_status) {
		printf("# QEMU ended with status 0x%x, want exit %d\n", status, pass_status);
		return 1;
	}
	return results && !failures ? 0 : 1;
}
