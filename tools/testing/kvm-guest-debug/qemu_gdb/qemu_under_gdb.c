// SPDX-License-Identifier: GPL-2.0
/*
 * Starts QEMU, inside a target's VM, with its own gdbstub on a serial
 * line and kvm-gdbstub's demo guest stopped, for gdb on the host: the
 * gdb-qemu-end-to-end check.  It says when QEMU waits for gdb, passes on
 * what QEMU and the guest print, and ends QEMU once the guest prints its
 * last line, which the guest cannot do by itself under QEMU.
 *
 *   qemu_under_gdb SERIAL-LINE COUNTER OWN-TRAPS QEMU [QEMU's arguments...]
 *
 * The exit status is 0 if the demo's last line shows COUNTER and
 * OWN-TRAPS, 1 if it shows others or QEMU ended before it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LAST_LINE	"demo: counter "

int main(int argc, char *argv[])
{
	char line[4096], want[256];
	int out[2], status;
	FILE *in;
	pid_t pid;

	if (argc < 5) {
		fprintf(stderr, "usage: %s SERIAL-LINE COUNTER OWN-TRAPS QEMU [arguments...]\n",
			argv[0]);
		return 2;
	}
	snprintf(want, sizeof(want), LAST_LINE "%s, own breakpoints handled %s", argv[2],
		 argv[3]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe2(out, O_CLOEXEC))
		return 2;
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		dup2(out[1], STDERR_FILENO);
		execv(argv[4], argv + 4);
		perror(argv[4]);
		_exit(127);
	}
	close(out[1]);
	in = fdopen(out[0], "r");
	if (!in)
		return 2;
	/* The host starts gdb on this line; QEMU, started with -S, waits. */
	printf("qemu-under-gdb: waiting for gdb on %s\n", argv[1]);
	while (fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\r\n")] = '\0';
		printf("# %s\n", line);
		if (strncmp(line, LAST_LINE, strlen(LAST_LINE)))
			continue;
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		if (strcmp(line, want)) {
			printf("# the guest's last line is \"%s\", want \"%s\"\n", line, want);
			return 1;
		}
		return 0;
	}
	waitpid(pid, &status, 0);
	printf("# QEMU ended (status 0x%x) before the guest's last line\n", status);
	return 1;
}
