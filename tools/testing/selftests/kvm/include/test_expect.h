/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A non-fatal check for tests that report many KTAP cases: unlike
 * TEST_ASSERT(), a failed expect() lets the test go on to its next case.
 */
#ifndef SELFTEST_KVM_TEST_EXPECT_H
#define SELFTEST_KVM_TEST_EXPECT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include <linux/compiler.h>

/* Prints why a check failed, as a KTAP diagnostic; returns whether it held. */
static inline bool __printf(2, 3) expect(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	return false;
}

#endif /* SELFTEST_KVM_TEST_EXPECT_H */
