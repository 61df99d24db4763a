/* The process's timers (kernel/time/itimer.c, posix-timers.c,
 * posix-cpu-timers.c): setitimer's three and timer_create's, each a
 * struct ktimer on its process's list, all run by one host thread of the
 * sandbox that sends their signals when they are due.
 *
 * As Linux does, a POSIX timer whose signal still waits in a queue is not
 * rearmed: when the signal is taken, the timer moves past the present and
 * the periods it skipped are the signal's si_overrun. CPU-time clocks are
 * the stub's host CPU time, sampled every CPU_TICK_NS while such a timer is
 * armed; so those timers fire up to a tick late, as Linux's fire on the
 * scheduler tick. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "platform/platform.h"
#include "sentry/kernel/itimer.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/sleep.h"
#include "sentry/kernel/task.h"
#include "sentry/signal/signal.h"

#define NSEC_PER_SEC 1000000000LL
#define CPU_TICK_NS 10000000LL /* CLK_TCK's 10 ms: /proc's user time moves by that */

static bool cpu_clock(int clock)
{
	return clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_THREAD_CPUTIME_ID ||
	       clock == KTIMER_CLOCK_VIRT;
}

/* ITIMER_VIRTUAL counts user time (of /proc's ticks); the other CPU clocks
 * read the host's clock of the stub, which clock_gettime gives guests. A
 * thread's clock is its process's (sys_time.c says why). */
int64_t ktimer_cpu_now_locked(struct task *leader, int clock)
{
	struct plat_usage u = { 0, 0, 0 };
	struct timespec ts = { 0, 0 };

	pthread_mutex_lock(&leader->kill_lock);
	if (leader->proc_owner && leader->proc) {
		if (clock == KTIMER_CLOCK_VIRT)
			plat_proc_usage(leader->proc, &u);
		else
			clock_gettime(linux_process_cpuclock(plat_proc_pid(leader->proc)), &ts);
	}
	pthread_mutex_unlock(&leader->kill_lock);
	if (clock == KTIMER_CLOCK_VIRT)
		return (int64_t)u.user_ns;
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static int64_t now_on(struct task *leader, int clock)
{
	return cpu_clock(clock) ? ktimer_cpu_now_locked(leader, clock) : sleep_now_ns(clock);
}

/* hrtimer_forward(): moves a due timer past now by whole periods; how many. */
static int64_t forward(struct ktimer *k, int64_t now)
{
	int64_t n;

	if (!k->interval || now < k->expires)
		return 0;
	n = (now - k->expires) / k->interval + 1;
	k->expires = n > (INT64_MAX - k->expires) / k->interval ? INT64_MAX
								  : k->expires + n * k->interval;
	return n;
}

/* The queue a timer's signal waits in, if its thread is still there. */
static struct task *queue_of_locked(struct ktimer *k, bool *shared)
{
	struct task *t = k->leader;

	*shared = k->queued_tid < 0;
	if (!*shared)
		t = sandbox_find_task_locked(t->sb, k->queued_tid);
	return t && t->tgid == k->leader->tgid ? t : NULL;
}

/* A new setting or the timer's end: its queued signal is dropped, as Linux
 * drops it at delivery once the timer changed (posixtimer_deliver_signal). */
static void unqueue_locked(struct ktimer *k)
{
	bool shared;
	struct task *t = k->queued_tid ? queue_of_locked(k, &shared) : NULL;

	if (t)
		sig_timer_unqueue_locked(t, shared, k->info.si_signo, k->id);
	k->queued_tid = 0;
	k->overrun = -1;
}

/* The thread SIGEV_THREAD_ID names, or the process (whose leader may have
 * ended its own thread: another takes the signal); NULL once it ended. */
static struct task *target_locked(struct ktimer *k, bool *shared)
{
	struct task *t = k->leader;

	*shared = k->notify != LINUX_SIGEV_THREAD_ID;
	if (*shared)
		return t->zombie ? NULL : t;
	t = sandbox_find_task_locked(t->sb, k->tid);
	if (!t || t->tgid != k->leader->tgid || t->zombie || t->exiting)
		return NULL;
	return t;
}

/* posix_timer_fn / it_real_fn: the signal goes; a POSIX timer whose signal
 * was queued waits for it to be taken before it runs again. */
static void fire_locked(struct ktimer *k, int64_t now)
{
	bool shared;
	struct task *to = target_locked(k, &shared);

	if (!k->interval)
		k->expires = 0;
	if (to && shared)
		sig_send_process_locked(to, &k->info);
	else if (to)
		sig_send_locked(to, &k->info);
	if (to && k->id >= 0 && sig_timer_queued_locked(to, shared, k->info.si_signo, k->id)) {
		k->queued_tid = shared ? -1 : to->tid;
		k->overrun = -1;
		return;
	}
	forward(k, now); /* not queued (ignored, or its slot taken): on it goes */
}

/* Fires k when due; ns until it must be looked at again, or -1 never. */
static int64_t check_locked(struct ktimer *k)
{
	int64_t now, left;

	if (!k->expires || k->notify == LINUX_SIGEV_NONE || k->queued_tid)
		return -1;
	now = now_on(k->leader, k->base);
	if (now >= k->expires)
		fire_locked(k, now);
	if (!k->expires || k->queued_tid)
		return -1;
	left = k->expires > now ? k->expires - now : 0;
	return cpu_clock(k->base) && left > CPU_TICK_NS ? CPU_TICK_NS : left;
}

/* Every due timer of the sandbox fires; the wait until the next, or -1. */
static int64_t run_due_locked(struct sandbox *sb)
{
	int64_t next = -1;

	for (struct task *t = sb->tasks; t; t = t->next) {
		if (t != t->leader || t->zombie)
			continue;
		for (struct ktimer *k = t->timers; k; k = k->next) {
			int64_t w = check_locked(k);

			if (w >= 0 && (next < 0 || w < next))
				next = w;
		}
	}
	return next;
}

static void *timer_main(void *arg)
{
	struct sandbox *sb = arg;

	pthread_mutex_lock(&sb->lock);
	while (!sb->timer_stop) {
		int64_t wait = run_due_locked(sb);
		struct timespec end;

		if (wait < 0) {
			pthread_cond_wait(&sb->child_cond, &sb->lock);
			continue;
		}
		end = sleep_ts(sleep_now_ns(CLOCK_MONOTONIC) + wait);
		pthread_cond_timedwait(&sb->child_cond, &sb->lock, &end);
	}
	pthread_mutex_unlock(&sb->lock);
	return NULL;
}

/* The sandbox's timer thread, started with the first timer; lock held. */
static int timer_start_locked(struct sandbox *sb)
{
	int err;

	if (sb->timer_running)
		return 0;
	err = pthread_create(&sb->timer_thread, NULL, timer_main, sb);
	if (err)
		return -err;
	sb->timer_running = true;
	return 0;
}

void itimer_stop(struct sandbox *sb)
{
	pthread_mutex_lock(&sb->lock);
	sb->timer_stop = true;
	pthread_cond_broadcast(&sb->child_cond);
	pthread_mutex_unlock(&sb->lock);
	if (sb->timer_running)
		pthread_join(sb->timer_thread, NULL);
	sb->timer_running = false;
}

struct ktimer *ktimer_new_locked(struct task *leader, int id, int clock)
{
	struct ktimer *k = calloc(1, sizeof *k);

	if (!k)
		return NULL;
	k->leader = leader;
	k->id = id;
	k->clock = k->base = clock;
	k->overrun = -1;
	k->next = leader->timers;
	leader->timers = k;
	return k;
}

struct ktimer *ktimer_find_locked(struct task *leader, int id)
{
	struct ktimer *k = leader->timers;

	while (k && k->id != id)
		k = k->next;
	return k;
}

/* common_timer_get(): a timer due (or waiting for its signal to be taken)
 * reads 1 ns, never 0, but an expired one-shot SIGEV_NONE timer reads 0. */
void ktimer_get_locked(struct ktimer *k, int64_t *value, int64_t *interval)
{
	int64_t now;

	*interval = k->interval;
	*value = 0;
	if (!k->expires)
		return;
	now = now_on(k->leader, k->base);
	if (k->queued_tid || k->notify == LINUX_SIGEV_NONE)
		k->overrun += forward(k, now);
	if (k->expires > now)
		*value = k->expires - now;
	else if (k->notify != LINUX_SIGEV_NONE)
		*value = 1;
}

int ktimer_set_locked(struct ktimer *k, bool abs, int64_t value, int64_t interval)
{
	int64_t now;
	int err = 0;

	unqueue_locked(k);
	k->overrun_last = 0;
	k->interval = value ? interval : 0;
	k->expires = 0;
	if (!value)
		return 0;
	k->base = k->clock == CLOCK_REALTIME && !abs ? CLOCK_MONOTONIC : k->clock;
	now = now_on(k->leader, k->base);
	k->expires = abs ? value : (value > INT64_MAX - now ? INT64_MAX : now + value);
	if (k->notify != LINUX_SIGEV_NONE)
		err = timer_start_locked(k->leader->sb);
	if (err)
		k->expires = 0;
	pthread_cond_broadcast(&k->leader->sb->child_cond);
	return err;
}

void ktimer_delete_locked(struct ktimer *k)
{
	struct ktimer **p = &k->leader->timers;

	unqueue_locked(k);
	while (*p != k)
		p = &(*p)->next;
	*p = k->next;
	free(k);
}

void ktimer_dequeued_locked(struct task *t, struct linux_siginfo *info)
{
	struct ktimer *k = ktimer_find_locked(t->leader, info->u.timer.tid);

	if (!k || !k->queued_tid)
		return;
	/* posixtimer_rearm(): past the present again, the skipped periods
	 * counted (it_overrun starts at -1 for the period just signalled). */
	k->overrun += forward(k, now_on(k->leader, k->base));
	k->overrun_last = k->overrun < 0 ? 0 : k->overrun > INT_MAX ? INT_MAX : (int)k->overrun;
	info->u.timer.overrun = k->overrun_last;
	k->overrun = -1;
	k->queued_tid = 0;
	if (k->expires)
		pthread_cond_broadcast(&t->sb->child_cond); /* the timer thread looks again */
}

void ktimer_exec(struct task *t)
{
	struct task *l = t->leader;

	pthread_mutex_lock(&t->sb->lock);
	for (struct ktimer *k = l->timers, *next; k; k = next) {
		next = k->next;
		if (k->id >= 0)
			ktimer_delete_locked(k);
	}
	pthread_mutex_unlock(&t->sb->lock);
}

void ktimer_exit_locked(struct task *leader)
{
	while (leader->timers)
		ktimer_delete_locked(leader->timers);
}

void ktimer_free_all(struct task *leader)
{
	while (leader->timers) {
		struct ktimer *k = leader->timers;

		leader->timers = k->next;
		free(k);
	}
}
