/* Syscall user dispatch's configuration (sentry/kernel/sud.c): prctl's
 * checks in the kernel's order, the state a tracer would read, and the
 * scope test, against kernel/entry/syscall_user_dispatch.c. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "tests/unit/unit.h"
#include "arch/arch.h"
#include "sentry/kernel/sud.h"

static struct task *t;

static void setup(void)
{
	t = calloc(1, sizeof *t);
	ck_assert_ptr_nonnull(t);
}

static void teardown(void)
{
	free(t);
}

static void check_cfg(uint64_t mode, uint64_t selector, uint64_t offset, uint64_t len)
{
	ck_assert_uint_eq(t->sud.mode, mode);
	ck_assert_uint_eq(t->sud.selector, selector);
	ck_assert_uint_eq(t->sud.offset, offset);
	ck_assert_uint_eq(t->sud.len, len);
}

START_TEST(off_takes_nothing_else)
{
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_OFF, 1, 0, 0), -EINVAL);
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_OFF, 0, 0xff, 0), -EINVAL);
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_OFF, 0, 0, 0x1000), -EINVAL);
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_OFF, 0, 0, 0), 0);
	check_cfg(PR_SYS_DISPATCH_OFF, 0, 0, 0);
}
END_TEST

START_TEST(exclusive_ranges)
{
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_EXCLUSIVE_ON, 1, 0, 0x1000), -EINVAL);
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_EXCLUSIVE_ON, 1, UINT64_MAX, 0x1000), -EINVAL);
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_EXCLUSIVE_ON, UINT64_MAX, 1, 0x1000), -EINVAL);
	check_cfg(PR_SYS_DISPATCH_OFF, 0, 0, 0);
	/* An empty region at 0 is the whole space dispatched. */
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_EXCLUSIVE_ON, 0, 0, 0x1000), 0);
	check_cfg(PR_SYS_DISPATCH_EXCLUSIVE_ON, 0x1000, 0, 0);
	ck_assert(sud_in_scope(&t->sud, 0));
	ck_assert(sud_in_scope(&t->sud, UINT64_MAX));
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_EXCLUSIVE_ON, 0x400000, 0x100, 0), 0);
	check_cfg(PR_SYS_DISPATCH_EXCLUSIVE_ON, 0, 0x400000, 0x100);
	ck_assert(sud_in_scope(&t->sud, 0x3fffff));
	ck_assert(!sud_in_scope(&t->sud, 0x400000));
	ck_assert(!sud_in_scope(&t->sud, 0x4000ff));
	ck_assert(sud_in_scope(&t->sud, 0x400100));
}
END_TEST

/* Kept as the exclusive region of the complement, as the kernel keeps it
 * (and PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG shows it). */
START_TEST(inclusive_is_the_complement)
{
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_INCLUSIVE_ON, 0x400000, 0, 0), -EINVAL);
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_INCLUSIVE_ON, 0, 0, 0), -EINVAL);
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_INCLUSIVE_ON, UINT64_MAX, 1, 0), -EINVAL);
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_INCLUSIVE_ON, 1, UINT64_MAX, 0), -EINVAL);
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_INCLUSIVE_ON, 0x400000, 0x100, 0x2000), 0);
	check_cfg(PR_SYS_DISPATCH_EXCLUSIVE_ON, 0x2000, 0x400100, -0x100ULL);
	ck_assert(!sud_in_scope(&t->sud, 0x3fffff));
	ck_assert(sud_in_scope(&t->sud, 0x400000));
	ck_assert(sud_in_scope(&t->sud, 0x4000ff));
	ck_assert(!sud_in_scope(&t->sud, 0x400100));
	ck_assert(!sud_in_scope(&t->sud, 0));
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_INCLUSIVE_ON, 0, 1, 0), 0);
	ck_assert(sud_in_scope(&t->sud, 0));
	ck_assert(!sud_in_scope(&t->sud, 1));
}
END_TEST

/* The mode and the range are checked before the selector; a failed call
 * leaves the configuration alone. */
START_TEST(selector_checks)
{
	ck_assert_int_eq(sud_set(t, 3, 0, 0, UINT64_MAX), -EINVAL);
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_EXCLUSIVE_ON, 1, 0, UINT64_MAX), -EINVAL);
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_EXCLUSIVE_ON, 0, 0, 0x1000), 0);
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_EXCLUSIVE_ON, 0, 1, UINT64_MAX), -EFAULT);
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_INCLUSIVE_ON, 0, 1, ARCH_TASK_SIZE), -EFAULT);
	ck_assert_int_eq(sud_set(t, -1UL, 0, 0, 0), -EINVAL);
	check_cfg(PR_SYS_DISPATCH_EXCLUSIVE_ON, 0x1000, 0, 0);
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_EXCLUSIVE_ON, 0, 1, ARCH_TASK_SIZE - 1), 0);
	/* A tagged selector is kept as given; arm64 checks it untagged. */
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_EXCLUSIVE_ON, 0, 1, 0x5a00000000001000ULL),
			 arch_untagged_addr(0x5a00000000001000ULL) < ARCH_TASK_SIZE ? 0 : -EFAULT);
}
END_TEST

START_TEST(disarm_keeps_the_rest)
{
	ck_assert_int_eq(sud_set(t, PR_SYS_DISPATCH_EXCLUSIVE_ON, 0x400000, 0x100, 0x2000), 0);
	sud_disarm(t);
	check_cfg(PR_SYS_DISPATCH_OFF, 0x2000, 0x400000, 0x100);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("sud");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, off_takes_nothing_else);
	tcase_add_test(tc, exclusive_ranges);
	tcase_add_test(tc, inclusive_is_the_complement);
	tcase_add_test(tc, selector_checks);
	tcase_add_test(tc, disarm_keeps_the_rest);
	suite_add_tcase(s, tc);
	return s;
}
