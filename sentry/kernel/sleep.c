/* Sleeping in the sentry: until a CLOCK_MONOTONIC deadline, a signal the
 * task lets through, or its end. The check and the wait are under sb->lock,
 * so a signal sent just before the wait cannot be missed. */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "sentry/sched/vcpu.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/sleep.h"
#include "sentry/kernel/task.h"
#include "sentry/signal/signal.h"

#define NSEC_PER_SEC 1000000000LL

int64_t sleep_now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

struct timespec sleep_ts(int64_t ns)
{
	struct timespec ts = { ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };

	return ts;
}

long sleep_until(struct task *t, int64_t deadline_ns)
{
	struct sandbox *sb = t->sb;
	struct timespec end = sleep_ts(deadline_ns);
	long r = 0;

	pthread_mutex_lock(&sb->lock);
	for (;;) {
		if (__atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE) || sig_pending_locked(t)) {
			r = -EINTR;
			break;
		}
		if (sleep_now_ns(CLOCK_MONOTONIC) >= deadline_ns)
			break;
		sched_block(t);
		pthread_cond_timedwait(&sb->child_cond, &sb->lock, &end);
	}
	pthread_mutex_unlock(&sb->lock);
	return r;
}
