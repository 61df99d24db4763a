/* Scheduling parameters (sentry/sched/prio.c) for an unprivileged
 * sandbox, which a root test run cannot reach: RLIMIT_NICE and
 * RLIMIT_RTPRIO in can_nice() and user_check_sched_setscheduler(), and
 * sched_fork()'s SCHED_RESET_ON_FORK, against kernel/sched/syscalls.c. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "tests/unit/unit.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"
#include "sentry/sched/prio.h"

static struct sandbox *sb;
static struct task *t;

static void setup(void)
{
	sb = calloc(1, sizeof *sb);
	t = calloc(1, sizeof *t);
	ck_assert_ptr_nonnull(sb);
	ck_assert_ptr_nonnull(t);
	sb->uid = 1000;
	t->sb = sb;
	t->leader = t;
}

static void teardown(void)
{
	free(t);
	free(sb);
}

static int set(int policy, int prio, int nice, uint64_t flags)
{
	struct linux_sched_attr a = { .sched_policy = (uint32_t)policy, .sched_nice = nice,
				      .sched_priority = (uint32_t)prio, .sched_flags = flags };

	return sched_setattr_locked(t, &a);
}

START_TEST(rlimit_nice_bounds_the_nice_value)
{
	t->prio.nice = 5;
	ck_assert(!sched_can_nice(t, 4));
	t->rlim[LINUX_RLIMIT_NICE].rlim_cur = 25; /* down to -5 */
	ck_assert(sched_can_nice(t, -5));
	ck_assert(!sched_can_nice(t, -6));
	ck_assert_int_eq(set(LINUX_SCHED_NORMAL, 0, -6, 0), -EPERM);
	ck_assert_int_eq(set(LINUX_SCHED_NORMAL, 0, -5, 0), 0);
	ck_assert_int_eq(t->prio.nice, -5);
	sb->uid = 0; /* CAP_SYS_NICE */
	ck_assert(sched_can_nice(t, -20));
}
END_TEST

START_TEST(rlimit_rtprio_bounds_real_time)
{
	ck_assert_int_eq(set(LINUX_SCHED_FIFO, 1, 0, 0), -EPERM);
	t->rlim[LINUX_RLIMIT_RTPRIO].rlim_cur = 10;
	ck_assert_int_eq(set(LINUX_SCHED_FIFO, 11, 0, 0), -EPERM);
	ck_assert_int_eq(set(LINUX_SCHED_FIFO, 10, 0, 0), 0);
	ck_assert_int_eq(sched_prio_stat(&t->prio), -11);
	t->rlim[LINUX_RLIMIT_RTPRIO].rlim_cur = 0;
	/* A lower priority, and the same policy, need no limit. */
	ck_assert_int_eq(set(LINUX_SCHED_FIFO, 5, 0, 0), 0);
	ck_assert_int_eq(set(LINUX_SCHED_RR, 5, 0, 0), -EPERM);
	ck_assert_int_eq(set(LINUX_SCHED_NORMAL, 0, 0, 0), 0);
	ck_assert_int_eq(set(LINUX_SCHED_FIFO, 100, 0, 0), -EINVAL);
}
END_TEST

START_TEST(leaving_idle_counts_as_nice_20)
{
	t->prio.nice = 10;
	ck_assert_int_eq(set(LINUX_SCHED_IDLE, 0, 0, 0), 0);
	ck_assert_int_eq(set(LINUX_SCHED_BATCH, 0, 10, 0), -EPERM);
	t->rlim[LINUX_RLIMIT_NICE].rlim_cur = 10; /* 20 - 10 */
	ck_assert_int_eq(set(LINUX_SCHED_BATCH, 0, 10, 0), 0);
	ck_assert_int_eq(t->prio.policy, LINUX_SCHED_BATCH);
}
END_TEST

START_TEST(reset_on_fork)
{
	struct sched_prio child;

	ck_assert_int_eq(set(LINUX_SCHED_BATCH, 0, 0, LINUX_SCHED_FLAG_RESET_ON_FORK), 0);
	ck_assert_int_eq(set(LINUX_SCHED_BATCH, 0, 0, 0), -EPERM); /* cannot clear it */
	t->prio = (struct sched_prio){ .nice = -3, .policy = LINUX_SCHED_BATCH, .reset_on_fork = true };
	sched_prio_fork(&child, &t->prio);
	ck_assert_int_eq(child.nice, 0);
	ck_assert_int_eq(child.policy, LINUX_SCHED_BATCH);
	ck_assert(!child.reset_on_fork);
	t->prio = (struct sched_prio){ .nice = 4, .policy = LINUX_SCHED_RR, .rt_priority = 7,
				       .reset_on_fork = true };
	sched_prio_fork(&child, &t->prio);
	ck_assert_int_eq(child.policy, LINUX_SCHED_NORMAL);
	ck_assert_int_eq(child.rt_priority + child.nice, 0);
	t->prio.reset_on_fork = false;
	sched_prio_fork(&child, &t->prio);
	ck_assert_int_eq(child.policy, LINUX_SCHED_RR);
	ck_assert_int_eq(child.rt_priority, 7);
	ck_assert_int_eq(child.nice, 4);
}
END_TEST

START_TEST(deadline_and_clamps)
{
	struct linux_sched_attr a = { .sched_policy = LINUX_SCHED_DEADLINE,
				      .sched_runtime = 10000000, .sched_deadline = 30000000 };

	ck_assert_int_eq(sched_setattr_locked(t, &a), -EPERM);
	a.sched_deadline = 20000; /* a period under 100 us */
	a.sched_runtime = 10000;
	ck_assert_int_eq(sched_setattr_locked(t, &a), -EINVAL);
	sb->uid = 0;
	a.sched_deadline = 30000000;
	ck_assert_int_eq(sched_setattr_locked(t, &a), -EPERM); /* no deadline class */
	ck_assert_int_eq(set(LINUX_SCHED_NORMAL, 0, 0, LINUX_SCHED_FLAG_UTIL_CLAMP_MIN),
			 -EOPNOTSUPP);
	ck_assert_int_eq(t->prio.policy, LINUX_SCHED_NORMAL);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("sched_prio");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rlimit_nice_bounds_the_nice_value);
	tcase_add_test(tc, rlimit_rtprio_bounds_real_time);
	tcase_add_test(tc, leaving_idle_counts_as_nice_20);
	tcase_add_test(tc, reset_on_fork);
	tcase_add_test(tc, deadline_and_clamps);
	suite_add_tcase(s, tc);
	return s;
}
