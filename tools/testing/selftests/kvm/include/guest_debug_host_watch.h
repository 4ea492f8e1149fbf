/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A perf watchpoint that the VMM thread puts on its own memory.  KVM
 * borrows the debug registers behind it while userspace debugs a guest,
 * so a test writes the watched word between its KVM_RUNs and checks that
 * the watchpoint counted every write.
 */
#ifndef SELFTEST_KVM_GUEST_DEBUG_HOST_WATCH_H
#define SELFTEST_KVM_GUEST_DEBUG_HOST_WATCH_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>

#include "test_expect.h"

/**
 * host_watch_open() - watch this thread's writes to a word of its own
 * @word: the 8-byte word to watch
 *
 * Return: the perf event's file descriptor, or -1 once expect() has
 * reported why it could not be opened.
 */
static inline int host_watch_open(uint64_t *word)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_BREAKPOINT,
		.size = sizeof(attr),
		.bp_type = HW_BREAKPOINT_W,
		.bp_addr = (uintptr_t)word,
		.bp_len = HW_BREAKPOINT_LEN_8,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};
	int fd = syscall(__NR_perf_event_open, &attr, 0, -1, -1, 0);

	expect(fd >= 0, "perf_event_open of the VMM thread's watchpoint: %s", strerror(errno));
	return fd;
}

/**
 * host_watch_write() - write the watched word, each write one event
 * @word: the watched word
 * @times: how many writes
 */
static inline void host_watch_write(uint64_t *word, int times)
{
	while (times--)
		WRITE_ONCE(*word, *word + 1);
}

/**
 * host_watch_count_is() - check how many writes the watchpoint counted
 * @fd: from host_watch_open()
 * @want: the writes made since it was opened
 * @when: the point of the test, for the failure message
 *
 * Return: true if the count is @want; otherwise expect() reports it.
 */
static inline bool host_watch_count_is(int fd, uint64_t want, const char *when)
{
	uint64_t count = 0;

	return expect(read(fd, &count, sizeof(count)) == sizeof(count),
		      "reading the perf counter: %s", strerror(errno)) &&
	       expect(count == want,
		      "%s: the VMM thread's watchpoint counted %llu writes, want %llu",
		      when, (unsigned long long)count, (unsigned long long)want);
}

#endif /* SELFTEST_KVM_GUEST_DEBUG_HOST_WATCH_H */
