/* setitimer, getitimer, alarm (kernel/time/itimer.c). */
#include <errno.h>

#include "sentry/kernel/itimer.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "syscall_handlers.h"

#define LINUX_ITIMER_REAL 0
#define LINUX_ITIMER_VIRTUAL 1
#define LINUX_ITIMER_PROF 2
#define USEC_PER_SEC 1000000LL
#define NSEC_PER_USEC 1000LL

struct linux_itimerval {
	int64_t interval_sec, interval_usec;
	int64_t value_sec, value_usec;
};

static int64_t to_ns(int64_t sec, int64_t usec)
{
	return (sec * USEC_PER_SEC + usec) * NSEC_PER_USEC;
}

/* ns_to_timeval() rounds up, so a timer never reads as expired early. */
static void to_tv(int64_t ns, int64_t *sec, int64_t *usec)
{
	int64_t us = (ns + NSEC_PER_USEC - 1) / NSEC_PER_USEC;

	*sec = us / USEC_PER_SEC;
	*usec = us % USEC_PER_SEC;
}

static long which_ok(struct task *t, int which)
{
	if (which == LINUX_ITIMER_REAL)
		return 0;
	if (which == LINUX_ITIMER_VIRTUAL || which == LINUX_ITIMER_PROF) {
		sandbox_log(t->sb, "ITIMER_VIRTUAL and ITIMER_PROF are not implemented: ENOSYS");
		return -ENOSYS;
	}
	return -EINVAL;
}

static long put_itimerval(struct task *t, uint64_t addr, int64_t value, int64_t interval)
{
	struct linux_itimerval v;

	to_tv(interval, &v.interval_sec, &v.interval_usec);
	to_tv(value, &v.value_sec, &v.value_usec);
	return copy_to_guest(t, addr, &v, sizeof v);
}

long sys_getitimer(struct task *t, const struct syscall_args *a)
{
	int64_t value, interval;
	long r = which_ok(t, (int)a->a[0]);

	if (!r)
		r = itimer_real(t, NULL, NULL, &value, &interval);
	if (!r)
		r = put_itimerval(t, a->a[1], value, interval);
	return r;
}

long sys_setitimer(struct task *t, const struct syscall_args *a)
{
	struct linux_itimerval v = { 0, 0, 0, 0 };
	int64_t value, interval, old_value, old_interval;
	long r = which_ok(t, (int)a->a[0]);

	if (r)
		return r;
	/* A NULL new value disarms: Linux's "misfeature", kept for old programs. */
	if (a->a[1] && copy_from_guest(t, &v, a->a[1], sizeof v) < 0)
		return -EFAULT;
	if (v.value_usec < 0 || v.value_usec >= USEC_PER_SEC || v.interval_usec < 0 ||
	    v.interval_usec >= USEC_PER_SEC || v.value_sec < 0 || v.interval_sec < 0)
		return -EINVAL;
	value = to_ns(v.value_sec, v.value_usec);
	interval = to_ns(v.interval_sec, v.interval_usec);
	r = itimer_real(t, &value, &interval, &old_value, &old_interval);
	if (!r && a->a[2])
		r = put_itimerval(t, a->a[2], old_value, old_interval);
	return r;
}

long sys_alarm(struct task *t, const struct syscall_args *a)
{
	int64_t value = (int64_t)(uint32_t)a->a[0] * USEC_PER_SEC * NSEC_PER_USEC, interval = 0;
	int64_t old_value, old_interval, sec, usec;
	long r = itimer_real(t, &value, &interval, &old_value, &old_interval);

	if (r)
		return r;
	to_tv(old_value, &sec, &usec);
	/* alarm_setitimer(): round to the nearest second, and never 0 for an
	 * armed timer. */
	if ((!sec && usec) || usec >= 500000)
		sec++;
	return sec;
}
