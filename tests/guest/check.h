/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared helpers for the guest test programs.
 *
 * Every guest test runs natively and under umbra, so the helpers use only
 * what umbra implements early on: write(2) to stderr through stdio and
 * nothing that opens files. A failed check prints one line,
 * "FAIL: what: expected X got Y", and the test goes on so that one run shows
 * every broken expectation; check_exit() turns the count into the status.
 */
#ifndef UMBRA_GUEST_CHECK_H
#define UMBRA_GUEST_CHECK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_SKIP 77

static int check_failures;

static inline __attribute__((format(printf, 1, 2)))
void fail(const char *fmt, ...)
{
	va_list ap;

	/* On a terminal, the failure then shows after what led up to it. */
	fflush(stdout);
	fputs("FAIL: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	check_failures++;
}

/* Remarks that may differ between runs go to stderr, never stdout. */
static inline __attribute__((format(printf, 1, 2)))
void note(const char *fmt, ...)
{
	va_list ap;

	fputs("note: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static inline int check_true(const char *what, int cond)
{
	if (!cond)
		fail("%s: expected true got false", what);
	return cond;
}

static inline int check_long(const char *what, long expected, long got)
{
	if (expected != got) {
		fail("%s: expected %ld got %ld", what, expected, got);
		return 0;
	}
	return 1;
}

static inline int check_ulong(const char *what, unsigned long expected,
			      unsigned long got)
{
	if (expected != got) {
		fail("%s: expected %#lx got %#lx", what, expected, got);
		return 0;
	}
	return 1;
}

static inline int check_ptr(const char *what, const void *expected,
			    const void *got)
{
	if (expected != got) {
		fail("%s: expected %p got %p", what, expected, got);
		return 0;
	}
	return 1;
}

static inline const char *err_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "?";
}

/*
 * A call that should succeed: ret is its result, err the errno saved right
 * after it. Returns nonzero when it succeeded.
 */
static inline int check_ok(const char *what, long ret, int err)
{
	if (ret == -1) {
		fail("%s: expected success got -1 (errno %s)", what,
		     err_name(err));
		return 0;
	}
	return 1;
}

/* A libc-style call that should fail with -1 and errno == expected. */
static inline int check_errno(const char *what, long ret, int err,
			      int expected)
{
	if (ret != -1) {
		fail("%s: expected -1 (%s) got %ld", what, err_name(expected),
		     ret);
		return 0;
	}
	if (err != expected) {
		fail("%s: expected errno %s got %s", what, err_name(expected),
		     err_name(err));
		return 0;
	}
	return 1;
}

/* An errno value saved earlier, compared by name. */
static inline int check_errval(const char *what, int expected, int got)
{
	if (expected != got) {
		fail("%s: expected errno %s got %s", what, err_name(expected),
		     err_name(got));
		return 0;
	}
	return 1;
}

/*
 * An address no program maps (the first page), hidden from the compiler so
 * that it does not warn about the bad pointers EFAULT checks pass.
 */
static inline void *bad_address(void)
{
	static void *volatile bad = (void *)8;

	return bad;
}

/* Runs call, then checks it failed with expected: errno is read after it. */
#define CHECK_ERRNO(what, call, expected)				\
	do {								\
		long ret_ = (long)(call);				\
		int err_ = errno;					\
		check_errno(what, ret_, err_, expected);		\
	} while (0)

/*
 * Runs call, then checks it succeeded; errno is read after it, which
 * check_ok(what, call, errno) does not promise (the order in which a
 * function's arguments are evaluated is unspecified). Nonzero on success.
 */
#define CHECK_OK(what, call)						\
	({								\
		long ret_ = (long)(call);				\
		int err_ = errno;					\
		check_ok(what, ret_, err_);				\
	})

/* Calls that return an error number directly (clock_nanosleep, ...). */
static inline int check_err_ret(const char *what, int ret, int expected)
{
	if (ret != expected) {
		fail("%s: expected %s got %s (%d)", what, err_name(expected),
		     ret ? err_name(ret) : "0", ret);
		return 0;
	}
	return 1;
}

static inline int check_exit(const char *test)
{
	if (fflush(stdout) != 0)
		fail("%s: fflush(stdout): expected 0 got EOF", test);
	if (check_failures) {
		fprintf(stderr, "%s: %d check(s) failed\n", test,
			check_failures);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

#endif /* UMBRA_GUEST_CHECK_H */
