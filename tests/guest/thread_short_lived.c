// SPDX-License-Identifier: Apache-2.0
/*
 * Threads that end at once, often before pthread_create has returned in
 * their creator. glibc gives clone the same word (the thread's tid in its
 * descriptor) for CLONE_PARENT_SETTID and CLONE_CHILD_CLEARTID, and
 * pthread_join waits until it is 0. The kernel writes the parent's copy
 * before the new thread runs, so the clearing at the thread's exit is the
 * last write and stays: 1000 threads that return at once are, each as soon
 * as it is gone (tgkill(0) says ESRCH), joinable without waiting
 * (pthread_tryjoin_np returns 0) with their values.
 *
 * Two threads spin meanwhile, so that the creator competes for the CPUs
 * and its new threads often end first.
 *
 * Then the process ends as soon as its last thread is joined, while the
 * kernel may still be releasing that thread: the exit status is still 0.
 */
#include "proc.h"

#include <pthread.h>
#include <stdint.h>

#define THREADS 1000
#define WAIT_SECONDS 10

static pid_t tids[THREADS];
static int last_ran;

static void *quick(void *p)
{
	intptr_t i = (intptr_t)p;

	__atomic_store_n(&tids[i], gettid(), __ATOMIC_RELEASE);
	return (void *)(i * 3 + 1);
}

static int spin_stop;

static void *spin(void *p)
{
	while (!__atomic_load_n(&spin_stop, __ATOMIC_ACQUIRE))
		;
	return p;
}

static void *last_thread(void *p)
{
	last_ran = 1;
	return p;
}

/* Waits until thread tid of this process is gone; nonzero when it is. */
static int await_gone(pid_t tid)
{
	struct timespec end, now;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += WAIT_SECONDS;
	for (;;) {
		if (syscall(SYS_tgkill, getpid(), tid, 0) == -1 && errno == ESRCH)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec)
			return 0;
		sched_yield();
	}
}

int main(void)
{
	int lost = 0, first_lost = -1, joined = 0;
	pthread_t last, spinners[2];

	for (int i = 0; i < 2; i++)
		if (!check_err_ret("pthread_create of a spinner",
				   pthread_create(&spinners[i], NULL, spin, NULL), 0))
			return check_exit("thread_short_lived");

	for (intptr_t i = 0; i < THREADS; i++) {
		void *ret = NULL;
		pthread_t th;
		pid_t tid;
		int r = pthread_create(&th, NULL, quick, (void *)i);

		if (r) {
			fail("pthread_create %ld: expected 0 got %s", (long)i, err_name(r));
			break;
		}
		/* Its tid is stored before it returns; then wait for its end. */
		while (!(tid = __atomic_load_n(&tids[i], __ATOMIC_ACQUIRE)))
			sched_yield();
		if (!await_gone(tid)) {
			fail("thread %ld: expected it gone within %d s got tid %ld still there",
			     (long)i, WAIT_SECONDS, (long)tid);
			break;
		}
		r = pthread_tryjoin_np(th, &ret);
		if (r == EBUSY) {
			/* Its tid word holds its tid again: a join would wait
			 * for ever. It is gone, so it is left unjoined. */
			if (!lost++)
				first_lost = (int)i;
			continue;
		}
		if (!check_err_ret("pthread_tryjoin_np of a thread that is gone", r, 0))
			break;
		joined++;
		if ((intptr_t)ret != i * 3 + 1)
			fail("thread %ld's value: expected %ld got %ld", (long)i,
			     (long)(i * 3 + 1), (long)(intptr_t)ret);
	}
	if (lost)
		fail("threads gone whose tid word was not 0 (pthread_tryjoin_np EBUSY): expected 0 got %d (the first: thread %d)",
		     lost, first_lost);
	check_long("threads joined at once", THREADS, joined);
	__atomic_store_n(&spin_stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 2; i++)
		pthread_join(spinners[i], NULL);
	/* The end comes right after the last join. */
	if (check_err_ret("the last thread: pthread_create",
			  pthread_create(&last, NULL, last_thread, NULL), 0)) {
		check_err_ret("the last thread: pthread_join", pthread_join(last, NULL), 0);
		check_true("the last thread ran", last_ran);
	}
	return check_exit("thread_short_lived");
}
