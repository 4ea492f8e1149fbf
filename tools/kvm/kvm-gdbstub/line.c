// SPDX-License-Identifier: GPL-2.0
/*
 * The line to gdb: a serial port (or any character device) that stays
 * open for the stub's life, or a TCP port that takes one connection at
 * a time, as gdbserver's does.  While the vCPU runs, a watcher thread
 * sleeps in poll() on the line (or the listening socket) and an eventfd;
 * input, a hang-up or a new connection makes it kick the vCPU thread out
 * of KVM_RUN once, and it then sleeps until it is told to watch again.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "rsp.h"
#include "stub.h"

static int serial_fd = -1, listen_fd = -1;
static const char *name;

int line_open_serial(const char *path)
{
	struct termios tio;
	int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);

	name = path;
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
	serial_fd = fd;
	return 0;
}

/* [HOST:]PORT, HOST the loopback unless given, as gdbserver's :PORT. */
int line_listen(const char *spec)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	const char *colon = strrchr(spec, ':');
	struct addrinfo *res, *ai;
	char host[256] = "127.0.0.1";
	int one = 1, err;

	name = spec;
	if (colon && colon != spec) {
		if ((size_t)(colon - spec) >= sizeof(host)) {
			fprintf(stderr, "kvm-gdbstub: --listen %s: host name too long\n", spec);
			return -1;
		}
		memcpy(host, spec, colon - spec);
		host[colon - spec] = '\0';
	}
	err = getaddrinfo(host, colon ? colon + 1 : spec, &hints, &res);
	if (err) {
		fprintf(stderr, "kvm-gdbstub: --listen %s: %s\n", spec, gai_strerror(err));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		/*
		 * Non-blocking: while the guest runs with no gdb, each exit
		 * looks for a waiting one, and must not wait for it.
		 */
		listen_fd = socket(ai->ai_family,
				   ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (listen_fd < 0)
			continue;
		setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(listen_fd, ai->ai_addr, ai->ai_addrlen) && !listen(listen_fd, 1))
			break;
		close(listen_fd);
		listen_fd = -1;
	}
	freeaddrinfo(res);
	if (listen_fd < 0) {
		fprintf(stderr, "kvm-gdbstub: --listen %s: %s\n", spec, strerror(errno));
		return -1;
	}
	return 0;
}

bool line_is_tcp(void)
{
	return listen_fd >= 0;
}

int line_listen_fd(void)
{
	return listen_fd;
}

const char *line_name(void)
{
	return name;
}

int line_accept(struct rsp *rsp)
{
	int fd, one = 1;

	if (!line_is_tcp()) {
		rsp_init(rsp, serial_fd);
		return 0;
	}
	if (rsp->fd >= 0) {
		rsp_init(rsp, rsp->fd);		/* taken while the guest ran */
		return 0;
	}
	for (;;) {
		struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };

		if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
			perror("kvm-gdbstub: poll");
			return -1;
		}
		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			break;
		if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED) {
			perror("kvm-gdbstub: accept");
			return -1;
		}
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	rsp_init(rsp, fd);
	return 0;
}

int line_take_waiting(struct rsp *rsp)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	int one = 1;

	if (fd < 0)
		return -1;
	if (fcntl(fd, F_SETFL, 0)) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	rsp_init(rsp, fd);
	return 0;
}

void line_drop(struct rsp *rsp)
{
	if (line_is_tcp() && rsp->fd >= 0) {
		close(rsp->fd);
		rsp->fd = -1;
		rsp->in_pos = 0;
		rsp->in_len = 0;
	}
}

static int watch_efd = -1;
static atomic_int watch_fd = -1;
static atomic_bool watching;
static pthread_t vcpu_thread;

static void *watcher(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = watch_efd, .events = POLLIN },
			{ .fd = watching ? watch_fd : -1, .events = POLLIN },
		};
		uint64_t n;

		if (poll(pfd, 2, -1) < 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			/* Told to look again, at what watch_fd says now. */
			if (read(watch_efd, &n, sizeof(n)) < 0)
				perror("kvm-gdbstub: eventfd");
			continue;
		}
		if (pfd[1].revents && watching) {
			/* Once: a hang-up stays, and must not keep kicking. */
			watching = false;
			pthread_kill(vcpu_thread, SIGUSR1);
		}
	}
	return NULL;
}

int line_watch_init(void)
{
	pthread_t tid;

	vcpu_thread = pthread_self();
	watch_efd = eventfd(0, EFD_CLOEXEC);
	if (watch_efd < 0 || pthread_create(&tid, NULL, watcher, NULL)) {
		perror("kvm-gdbstub: the line's watcher");
		return -1;
	}
	return 0;
}

void line_watch(int fd)
{
	bool on = fd >= 0;
	uint64_t one = 1;

	if (watch_fd == fd && watching == on)
		return;
	watch_fd = fd;
	watching = on;
	if (write(watch_efd, &one, sizeof(one)) < 0)
		perror("kvm-gdbstub: eventfd");
}
