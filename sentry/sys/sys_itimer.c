/* setitimer, getitimer, alarm (kernel/time/itimer.c): the three timers of
 * a process, on the sandbox's timer mechanism (itimer.c). ITIMER_VIRTUAL
 * counts the stub's user time and ITIMER_PROF its user and system time,
 * both sampled every 10 ms. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "sentry/kernel/itimer.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/signal/signal.h"
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

/* timeval_to_ktime() saturates at KTIME_MAX. */
static int64_t to_ns(int64_t sec, int64_t usec)
{
	if (sec >= INT64_MAX / (USEC_PER_SEC * NSEC_PER_USEC))
		return INT64_MAX;
	return (sec * USEC_PER_SEC + usec) * NSEC_PER_USEC;
}

/* ns_to_timeval() rounds up, so a timer never reads as expired early. */
static void to_tv(int64_t ns, int64_t *sec, int64_t *usec)
{
	int64_t us = (ns + NSEC_PER_USEC - 1) / NSEC_PER_USEC;

	*sec = us / USEC_PER_SEC;
	*usec = us % USEC_PER_SEC;
}

/* The clock and signal of each of setitimer's timers. */
static const struct {
	int clock, signo;
} itimers[] = {
	[LINUX_ITIMER_REAL] = { CLOCK_MONOTONIC, SIGALRM },
	[LINUX_ITIMER_VIRTUAL] = { KTIMER_CLOCK_VIRT, SIGVTALRM },
	[LINUX_ITIMER_PROF] = { CLOCK_PROCESS_CPUTIME_ID, SIGPROF },
};

static long which_ok(int which)
{
	return which >= 0 && which <= LINUX_ITIMER_PROF ? 0 : -EINVAL;
}

/* The process's timer which, made when first set; NULL: none yet, or no
 * memory for it. sb->lock held. */
static struct ktimer *itimer_locked(struct task *t, int which, bool make)
{
	struct ktimer *k = ktimer_find_locked(t->leader, KTIMER_ITIMER(which));

	if (k || !make)
		return k;
	k = ktimer_new_locked(t->leader, KTIMER_ITIMER(which), itimers[which].clock);
	if (k) /* it_real_fn, check_cpu_itimer: a kernel signal to the process */
		sig_info_user(&k->info, itimers[which].signo, LINUX_SI_KERNEL, NULL);
	return k;
}

/* Sets (value non-NULL) and reads timer which; ns. */
static long itimer(struct task *t, int which, const int64_t *value, const int64_t *interval,
		   int64_t *old_value, int64_t *old_interval)
{
	struct ktimer *k;
	long r = 0;

	pthread_mutex_lock(&t->sb->lock);
	k = itimer_locked(t, which, value && *value);
	*old_value = *old_interval = 0;
	if (k)
		ktimer_get_locked(k, old_value, old_interval);
	if (value && *value && !k)
		r = -ENOMEM;
	else if (value && k)
		r = ktimer_set_locked(k, false, *value, *interval);
	pthread_mutex_unlock(&t->sb->lock);
	return r;
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
	long r = which_ok((int)a->a[0]);

	if (!r)
		r = itimer(t, (int)a->a[0], NULL, NULL, &value, &interval);
	if (!r)
		r = put_itimerval(t, a->a[1], value, interval);
	return r;
}

long sys_setitimer(struct task *t, const struct syscall_args *a)
{
	struct linux_itimerval v = { 0, 0, 0, 0 };
	int64_t value, interval, old_value, old_interval;
	long r;

	/* A NULL new value disarms: Linux's "misfeature", kept for old programs.
	 * The value is read and judged before which (get_itimerval). */
	if (a->a[1] && copy_from_guest(t, &v, a->a[1], sizeof v) < 0)
		return -EFAULT;
	if (v.value_usec < 0 || v.value_usec >= USEC_PER_SEC || v.interval_usec < 0 ||
	    v.interval_usec >= USEC_PER_SEC || v.value_sec < 0 || v.interval_sec < 0)
		return -EINVAL;
	r = which_ok((int)a->a[0]);
	if (r)
		return r;
	value = to_ns(v.value_sec, v.value_usec);
	interval = to_ns(v.interval_sec, v.interval_usec);
	r = itimer(t, (int)a->a[0], &value, &interval, &old_value, &old_interval);
	if (!r && a->a[2])
		r = put_itimerval(t, a->a[2], old_value, old_interval);
	return r;
}

long sys_alarm(struct task *t, const struct syscall_args *a)
{
	int64_t value = (int64_t)(uint32_t)a->a[0] * USEC_PER_SEC * NSEC_PER_USEC, interval = 0;
	int64_t old_value, old_interval, sec, usec;
	long r = itimer(t, LINUX_ITIMER_REAL, &value, &interval, &old_value, &old_interval);

	if (r)
		return r;
	to_tv(old_value, &sec, &usec);
	/* alarm_setitimer(): round to the nearest second, and never 0 for an
	 * armed timer. */
	if ((!sec && usec) || usec >= 500000)
		sec++;
	return sec;
}
