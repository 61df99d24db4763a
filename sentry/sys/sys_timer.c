/* timer_create, timer_settime, timer_gettime, timer_getoverrun, timer_delete
 * (kernel/time/posix-timers.c, posix-cpu-timers.c): POSIX timers of the
 * caller's process, run by the sandbox's timer thread (itimer.c). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "sentry/kernel/itimer.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "syscall_handlers.h"

#define NSEC_PER_SEC 1000000000LL
#define LINUX_TIMER_ABSTIME 1
#define TIMERS_MAX 65536 /* per process: the sentry's memory, not Linux's limit */
/* include/linux/posix-timers.h: the CPU clocks of a pid or tid. */
#define CPUCLOCK_VIRT 1
#define CPUCLOCK_CLOCK_MASK 3
#define CPUCLOCK_PERTHREAD_MASK 4
#define CLOCKFD CPUCLOCK_CLOCK_MASK

struct linux_itimerspec {
	struct linux_timespec interval, value;
};

/* A clock id given to timer_create on the CPU clock of a pid or tid, as
 * glibc passes CLOCK_PROCESS_CPUTIME_ID (pid 0) and CLOCK_THREAD_CPUTIME_ID:
 * those of the caller's own process only (EINVAL for another's, which
 * Linux would take); its clock in *clock. */
static long cpu_clock_of(struct task *t, int id, int *clock)
{
	int pid = ~(id >> 3);
	struct task *p;
	bool ok;

	if ((id & CPUCLOCK_CLOCK_MASK) == CLOCKFD)
		return -EOPNOTSUPP; /* a dynamic clock: no timers */
	*clock = (id & CPUCLOCK_CLOCK_MASK) == CPUCLOCK_VIRT ? KTIMER_CLOCK_VIRT
							     : CLOCK_PROCESS_CPUTIME_ID;
	if (!pid)
		return 0;
	pthread_mutex_lock(&t->sb->lock);
	p = sandbox_find_task_locked(t->sb, pid);
	ok = p && p->tgid == t->tgid && ((id & CPUCLOCK_PERTHREAD_MASK) || p == p->leader);
	pthread_mutex_unlock(&t->sb->lock);
	return ok ? 0 : -EINVAL;
}

/* clockid_to_kclock() and the clock's timer_create: *late is the error
 * Linux's clock gives only once the timer is made (alarm clocks need
 * CAP_WAKE_ALARM). */
static long timer_clock(struct task *t, int id, int *clock, long *late)
{
	*late = 0;
	*clock = id;
	switch (id) {
	case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_BOOTTIME: case CLOCK_TAI:
	case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
		return 0;
	case CLOCK_MONOTONIC_RAW: case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC_COARSE:
		return -EOPNOTSUPP;
	case CLOCK_REALTIME_ALARM: case CLOCK_BOOTTIME_ALARM:
		*late = -EPERM;
		return 0;
	}
	if (id >= 0)
		return -EINVAL;
	if ((id & CPUCLOCK_CLOCK_MASK) == CLOCKFD)
		return -EOPNOTSUPP;
	*late = cpu_clock_of(t, id, clock);
	return 0;
}

/* good_sigevent(): SIGEV_THREAD_ID names a thread of the caller's process;
 * a signal (SIGEV_SIGNAL, SIGEV_THREAD too) is 1..SIGRTMAX. */
static long check_sigevent(struct task *t, const struct linux_sigevent *ev)
{
	struct task *to;
	bool ok;

	switch (ev->notify) {
	case LINUX_SIGEV_THREAD_ID:
		pthread_mutex_lock(&t->sb->lock);
		to = sandbox_find_task_locked(t->sb, ev->tid);
		ok = to && to->tgid == t->tgid;
		pthread_mutex_unlock(&t->sb->lock);
		if (!ok)
			return -EINVAL;
		/* fall through */
	case LINUX_SIGEV_SIGNAL:
	case LINUX_SIGEV_THREAD:
		if (ev->signo <= 0 || ev->signo > LINUX_NSIG)
			return -EINVAL;
		/* fall through */
	case LINUX_SIGEV_NONE:
		return 0;
	default:
		return -EINVAL;
	}
}

/* posix_timer_add(): the process's next id not in use; -EAGAIN when all are. */
static int new_id_locked(struct task *leader)
{
	int n = 0;

	for (struct ktimer *k = leader->timers; k; k = k->next)
		n++;
	if (n >= TIMERS_MAX)
		return -EAGAIN;
	for (;;) {
		int id = leader->next_timer_id;

		leader->next_timer_id = id == INT32_MAX ? 0 : id + 1;
		if (!ktimer_find_locked(leader, id))
			return id;
	}
}

static long make_timer(struct task *t, int clock, const struct linux_sigevent *ev, uint64_t uid,
		       long late)
{
	struct task *l = t->leader;
	struct ktimer *k = NULL;
	int id;

	pthread_mutex_lock(&t->sb->lock);
	id = new_id_locked(l);
	if (id >= 0 && !(k = ktimer_new_locked(l, id, clock)))
		id = -EAGAIN;
	if (k) {
		k->notify = ev ? ev->notify : LINUX_SIGEV_SIGNAL;
		k->tid = ev ? ev->tid : 0;
		k->info.si_signo = ev ? ev->signo : SIGALRM;
		k->info.si_code = LINUX_SI_TIMER;
		k->info.u.timer.tid = id;
		k->info.u.timer.value = ev ? ev->value : (uint64_t)id;
	}
	pthread_mutex_unlock(&t->sb->lock);
	if (id < 0)
		return id;
	/* The id is written before the clock's own check (do_timer_create). */
	if (copy_to_guest(t, uid, &id, sizeof id) < 0)
		late = -EFAULT;
	if (late) {
		pthread_mutex_lock(&t->sb->lock);
		ktimer_delete_locked(k);
		pthread_mutex_unlock(&t->sb->lock);
	}
	return late;
}

long sys_timer_create(struct task *t, const struct syscall_args *a)
{
	struct linux_sigevent ev;
	int clock;
	long late, r;

	if (a->a[1] && copy_from_guest(t, &ev, a->a[1], sizeof ev) < 0)
		return -EFAULT;
	r = timer_clock(t, (int)a->a[0], &clock, &late);
	if (!r && a->a[1])
		r = check_sigevent(t, &ev);
	return r ? r : make_timer(t, clock, a->a[1] ? &ev : NULL, a->a[2], late);
}

/* timespec64_to_ktime(): saturates at KTIME_MAX. */
static int64_t ts_ns(const struct linux_timespec *ts)
{
	if (ts->tv_sec >= INT64_MAX / NSEC_PER_SEC)
		return INT64_MAX;
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static struct linux_timespec ns_ts(int64_t ns)
{
	return (struct linux_timespec){ ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };
}

static bool ts_valid(const struct linux_timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < NSEC_PER_SEC;
}

/* The caller's process's timer id (lock_timer(): EINVAL for any other). */
static struct ktimer *find_locked(struct task *t, uint64_t id)
{
	return (int64_t)(int32_t)id < 0 ? NULL : ktimer_find_locked(t->leader, (int)id);
}

static struct linux_itimerspec get_locked(struct ktimer *k)
{
	int64_t value, interval;

	ktimer_get_locked(k, &value, &interval);
	return (struct linux_itimerspec){ ns_ts(interval), ns_ts(value) };
}

long sys_timer_settime(struct task *t, const struct syscall_args *a)
{
	struct linux_itimerspec n, old = { { 0, 0 }, { 0, 0 } };
	struct ktimer *k;
	long r = -EINVAL;

	if (!a->a[2])
		return -EINVAL;
	if (copy_from_guest(t, &n, a->a[2], sizeof n) < 0)
		return -EFAULT;
	if (!ts_valid(&n.interval) || !ts_valid(&n.value))
		return -EINVAL;
	pthread_mutex_lock(&t->sb->lock);
	k = find_locked(t, a->a[0]);
	if (k) {
		old = get_locked(k);
		r = ktimer_set_locked(k, a->a[1] & LINUX_TIMER_ABSTIME, ts_ns(&n.value),
				      ts_ns(&n.interval));
	}
	pthread_mutex_unlock(&t->sb->lock);
	if (!r && a->a[3] && copy_to_guest(t, a->a[3], &old, sizeof old) < 0)
		r = -EFAULT;
	return r;
}

long sys_timer_gettime(struct task *t, const struct syscall_args *a)
{
	struct linux_itimerspec cur;
	struct ktimer *k;

	pthread_mutex_lock(&t->sb->lock);
	k = find_locked(t, a->a[0]);
	if (k)
		cur = get_locked(k);
	pthread_mutex_unlock(&t->sb->lock);
	if (!k)
		return -EINVAL;
	return copy_to_guest(t, a->a[1], &cur, sizeof cur);
}

long sys_timer_getoverrun(struct task *t, const struct syscall_args *a)
{
	struct ktimer *k;
	long r = -EINVAL;

	pthread_mutex_lock(&t->sb->lock);
	k = find_locked(t, a->a[0]);
	if (k)
		r = k->overrun_last;
	pthread_mutex_unlock(&t->sb->lock);
	return r;
}

long sys_timer_delete(struct task *t, const struct syscall_args *a)
{
	struct ktimer *k;

	pthread_mutex_lock(&t->sb->lock);
	k = find_locked(t, a->a[0]);
	if (k)
		ktimer_delete_locked(k);
	pthread_mutex_unlock(&t->sb->lock);
	return k ? 0 : -EINVAL;
}
