/* Clocks and sleeps. Wall and monotonic clocks are the host's; CPU clocks are
 * those of the guests' host threads and processes. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include "platform/platform.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/sleep.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/kernel/syscall.h"
#include "syscall_handlers.h"

#define LINUX_TIMER_ABSTIME 1
#define NSEC_PER_SEC 1000000000L

/* The host clock that answers a guest clock id, or -EINVAL. */
static long host_clock(struct task *t, uint64_t id, clockid_t *out)
{
	int pid = plat_proc_pid(mm_proc(t->mm));

	switch ((int)id) {
	case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
	case CLOCK_REALTIME_ALARM: case CLOCK_BOOTTIME_ALARM: case CLOCK_TAI:
		*out = (clockid_t)id;
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		*out = linux_process_cpuclock(pid);
		return 0;
	default:
		return -EINVAL; /* thread and encoded CPU clocks: cpu_clock_read */
	}
}

#define CPUCLOCK_PERTHREAD 4
#define CPUCLOCK_KIND(id) ((int)((id) & 3)) /* PROF 0, VIRT 1, SCHED 2; 3 is none */

/* A CPU clock of the sandbox's (kernel/time/posix-cpu-timers.c): its own
 * thread's (CLOCK_THREAD_CPUTIME_ID), or one a pid encodes, ~pid << 3 with
 * bit 2 for a thread, which only a thread of the same process may read.
 * Process clocks are the host's clock of the stub; thread clocks come from
 * the host's /proc (plat_thread_cputime). -EINVAL for anything else. */
static long cpu_clock_read(struct task *t, int64_t id, struct timespec *ts)
{
	int pid = id == CLOCK_THREAD_CPUTIME_ID ? 0 : (int)~(id >> 3);
	bool thread = id == CLOCK_THREAD_CPUTIME_ID || (id & CPUCLOCK_PERTHREAD);
	int kind = id == CLOCK_THREAD_CPUTIME_ID ? 2 : CPUCLOCK_KIND(id);
	uint64_t ns = 0;
	struct task *p;
	long err = -EINVAL;

	if ((id >= 0 && id != CLOCK_THREAD_CPUTIME_ID) || kind == 3)
		return -EINVAL;
	pthread_mutex_lock(&t->sb->lock);
	p = pid ? sandbox_find_task_locked(t->sb, pid) : t;
	if (p && !p->zombie && (thread ? p->tgid == t->tgid : p == p->leader)) {
		pthread_mutex_lock(&p->kill_lock); /* the stub stays while it is held */
		if (thread && p->plat)
			err = plat_thread_cputime(p->plat, kind, &ns);
		else if (!thread && p->proc)
			err = clock_gettime((clockid_t)((~(uint32_t)plat_proc_pid(p->proc) << 3) |
							(uint32_t)kind), ts) < 0 ? -errno : 1;
		pthread_mutex_unlock(&p->kill_lock);
	}
	pthread_mutex_unlock(&t->sb->lock);
	if (err)
		return err > 0 ? 0 : err;
	ts->tv_sec = (time_t)(ns / NSEC_PER_SEC);
	ts->tv_nsec = (long)(ns % NSEC_PER_SEC);
	return 0;
}

/* posix_cpu_clock_getres: a tick, one nanosecond for run time. */
static long cpu_clock_res(struct task *t, int64_t id, struct timespec *ts)
{
	long err = cpu_clock_read(t, id, ts);

	ts->tv_sec = 0;
	ts->tv_nsec = id == CLOCK_THREAD_CPUTIME_ID || CPUCLOCK_KIND(id) == 2
			      ? 1 : (NSEC_PER_SEC + sysconf(_SC_CLK_TCK) - 1) / sysconf(_SC_CLK_TCK);
	return err;
}

static long put_ts(struct task *t, uint64_t uptr, const struct timespec *ts)
{
	struct linux_timespec l = { ts->tv_sec, ts->tv_nsec };

	return copy_to_guest(t, uptr, &l, sizeof l);
}

long sys_clock_gettime(struct task *t, const struct syscall_args *a)
{
	struct timespec ts;
	clockid_t c;
	long err = host_clock(t, a->a[0], &c);

	if (err)
		err = cpu_clock_read(t, (int64_t)(int32_t)a->a[0], &ts);
	else if (clock_gettime(c, &ts) < 0)
		err = -errno;
	return err ? err : put_ts(t, a->a[1], &ts);
}

long sys_clock_getres(struct task *t, const struct syscall_args *a)
{
	struct timespec ts;
	clockid_t c;
	long err = host_clock(t, a->a[0], &c);

	if (err)
		err = cpu_clock_res(t, (int64_t)(int32_t)a->a[0], &ts);
	else if (clock_getres(c, &ts) < 0)
		err = -errno;
	if (err)
		return err;
	return a->a[1] ? put_ts(t, a->a[1], &ts) : 0;
}

long sys_gettimeofday(struct task *t, const struct syscall_args *a)
{
	struct timespec ts;
	struct linux_timeval tv;
	int32_t tz[2] = { 0, 0 };

	clock_gettime(CLOCK_REALTIME, &ts);
	tv.tv_sec = ts.tv_sec;
	tv.tv_usec = ts.tv_nsec / 1000;
	if (a->a[0] && copy_to_guest(t, a->a[0], &tv, sizeof tv) < 0)
		return -EFAULT;
	if (a->a[1] && copy_to_guest(t, a->a[1], tz, sizeof tz) < 0)
		return -EFAULT;
	return 0;
}

long sys_time(struct task *t, const struct syscall_args *a)
{
	int64_t now = (int64_t)time(NULL);

	if (a->a[0] && copy_to_guest(t, a->a[0], &now, sizeof now) < 0)
		return -EFAULT;
	return (long)now;
}

static long get_ts(struct task *t, uint64_t uptr, struct timespec *ts)
{
	struct linux_timespec l;

	if (copy_from_guest(t, &l, uptr, sizeof l) < 0)
		return -EFAULT;
	if (l.tv_sec < 0 || l.tv_nsec < 0 || l.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	ts->tv_sec = l.tv_sec;
	ts->tv_nsec = l.tv_nsec;
	return 0;
}

static long sleep_rest(struct task *t);

/* do_nanosleep() to a CLOCK_MONOTONIC end: a signal stops it with the time
 * left written to rem (when given) and the rest of the sleep kept for
 * restart_syscall (hrtimer_nanosleep_restart). */
static long sleep_to(struct task *t, int64_t end, uint64_t rem)
{
	long err = sleep_until(t, end);
	int64_t left = end - sleep_now_ns(CLOCK_MONOTONIC);
	struct timespec ts = sleep_ts(left);

	if (err != -EINTR)
		return err;
	if (left <= 0)
		return 0;
	if (rem && put_ts(t, rem, &ts) < 0)
		return -EFAULT; /* nanosleep_copyout() */
	t->restart_block.deadline = end;
	t->restart_block.addr = rem;
	return task_set_restart(t, sleep_rest);
}

static long sleep_rest(struct task *t)
{
	return sleep_to(t, t->restart_block.deadline, t->restart_block.addr);
}

/* The sleep on clock c, as a CLOCK_MONOTONIC deadline. An absolute one
 * keeps no rem and restarts whole (-ERESTARTNOHAND from its -EINTR): its
 * end stays where it was. */
static long sleep_on(struct task *t, clockid_t c, int flags, uint64_t req, uint64_t rem)
{
	struct timespec ts;
	int64_t want, start = sleep_now_ns(CLOCK_MONOTONIC);
	long err = get_ts(t, req, &ts);

	if (err)
		return err;
	t->restart_block.fn = NULL; /* do_no_restart_syscall until interrupted */
	want = (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	if (!(flags & TIMER_ABSTIME))
		return sleep_to(t, start + want, rem);
	want -= sleep_now_ns(c); /* what is left of it on that clock */
	return sleep_until(t, start + (want > 0 ? want : 0));
}

long sys_nanosleep(struct task *t, const struct syscall_args *a)
{
	return sleep_on(t, CLOCK_MONOTONIC, 0, a->a[0], a->a[1]);
}

long sys_clock_nanosleep(struct task *t, const struct syscall_args *a)
{
	clockid_t c;
	long err;

	if (a->a[1] & ~(uint64_t)LINUX_TIMER_ABSTIME)
		return -EINVAL;
	switch ((int)a->a[0]) {
	case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_BOOTTIME: case CLOCK_TAI:
		break;
	case CLOCK_PROCESS_CPUTIME_ID:
		break;
	case CLOCK_THREAD_CPUTIME_ID: /* no nsleep for thread CPU clocks */
		return -EOPNOTSUPP;
	default:
		return host_clock(t, a->a[0], &c) < 0 ? -EINVAL : -EOPNOTSUPP;
	}
	err = host_clock(t, a->a[0], &c);
	return err ? err : sleep_on(t, c, (int)a->a[1], a->a[2], a->a[3]);
}
