/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the guest debug benchmarks share: a clock, and the one line format
 * the harness reads their figures from ("# bench: KEY VALUE").
 */
#ifndef SELFTEST_KVM_GUEST_DEBUG_BENCH_H
#define SELFTEST_KVM_GUEST_DEBUG_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void bench_report(const char *key, double value)
{
	printf("# bench: %s %.4f\n", key, value);
	fflush(stdout);
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of @n samples; sorts them. */
static inline double bench_median(double *samples, int n)
{
	qsort(samples, n, sizeof(*samples), bench_cmp_double);
	return n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

#endif /* SELFTEST_KVM_GUEST_DEBUG_BENCH_H */
