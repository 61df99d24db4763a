/* ITIMER_REAL and alarm(2) (kernel/time/itimer.c): one timer per process,
 * run by a host thread of the sandbox that sends SIGALRM when one is due. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>

#include "sentry/kernel/itimer.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/sleep.h"
#include "sentry/kernel/task.h"
#include "sentry/signal/signal.h"

#define NSEC_PER_SEC 1000000000LL
#define NSEC_PER_USEC 1000LL

/* The earliest armed timer, or NULL; sb->lock held. */
static struct task *next_due_locked(struct sandbox *sb)
{
	struct task *due = NULL;

	for (struct task *t = sb->tasks; t; t = t->next)
		if (t == t->leader && !t->zombie && t->itimer_expires &&
		    (!due || t->itimer_expires < due->itimer_expires))
			due = t;
	return due;
}

static void fire_locked(struct task *t)
{
	struct linux_siginfo info;

	sig_info_user(&info, SIGALRM, LINUX_SI_KERNEL, NULL);
	t->itimer_expires = t->itimer_interval ? t->itimer_expires + t->itimer_interval : 0;
	sig_send_process_locked(t, &info);
}

static void *timer_main(void *arg)
{
	struct sandbox *sb = arg;

	pthread_mutex_lock(&sb->lock);
	while (!sb->timer_stop) {
		struct task *due = next_due_locked(sb);
		struct timespec end;

		if (!due) {
			pthread_cond_wait(&sb->child_cond, &sb->lock);
			continue;
		}
		if (sleep_now_ns(CLOCK_MONOTONIC) >= due->itimer_expires) {
			fire_locked(due);
			continue;
		}
		end = sleep_ts(due->itimer_expires);
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

long itimer_real(struct task *t, const int64_t *value_ns, const int64_t *interval_ns,
		 int64_t *old_value_ns, int64_t *old_interval_ns)
{
	struct task *p = t->leader;
	int64_t now = sleep_now_ns(CLOCK_MONOTONIC);
	long err = 0;

	pthread_mutex_lock(&t->sb->lock);
	*old_value_ns = p->itimer_expires ? p->itimer_expires - now : 0;
	if (*old_value_ns < 0)
		*old_value_ns = 1; /* due but not yet sent */
	*old_interval_ns = p->itimer_interval;
	if (value_ns) {
		if (*value_ns)
			err = timer_start_locked(t->sb);
		if (!err) {
			p->itimer_expires = *value_ns ? now + *value_ns : 0;
			p->itimer_interval = *value_ns ? *interval_ns : 0;
			pthread_cond_broadcast(&t->sb->child_cond);
		}
	}
	pthread_mutex_unlock(&t->sb->lock);
	return err;
}
