// SPDX-License-Identifier: Apache-2.0
/*
 * glibc's thread synchronisation, built on futexes, giving exact results:
 * 4 threads x 100000 increments under a pthread mutex and with atomic
 * adds; a producer and two consumers passing 1000 items through a
 * bounded buffer under a condition variable, each item taken once and in
 * order; a pthread barrier over 4 threads for 100 rounds, with one serial
 * thread per round; a rwlock whose writer keeps two counters equal for
 * readers that hold it together, with the try forms refusing what the
 * lock's state forbids. At the end, each of the 17 threads made is gone.
 */
#include "check.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define THREADS 4
#define INCREMENTS 100000
#define ITEMS 1000
#define QUEUE 8
#define ROUNDS 100
#define RW_WRITES 10000
#define RW_READS 10000

/*
 * Threads start once start_all has made them all: each first takes
 * start_lock, which start_all holds meanwhile. So none ends before its
 * pthread_create has returned (thread_short_lived checks those).
 */
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;

/* Every thread's tid, to check at the end that none is left. */
#define MAX_TIDS 64
static pid_t tids[MAX_TIDS];
static int ntids;

static void started(void)
{
	pid_t tid = gettid();
	int i = __atomic_fetch_add(&ntids, 1, __ATOMIC_RELAXED);

	if (i < MAX_TIDS)
		__atomic_store_n(&tids[i], tid, __ATOMIC_RELEASE);
	pthread_mutex_lock(&start_lock);
	pthread_mutex_unlock(&start_lock);
}

/* All threads were joined: each must be gone (tgkill(0) says ESRCH),
 * which may take the kernel a moment after the join. */
static void none_left(void)
{
	struct timespec end, now;
	int left = 0;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += 10;
	for (int i = 0; i < ntids && i < MAX_TIDS; i++) {
		pid_t tid = __atomic_load_n(&tids[i], __ATOMIC_ACQUIRE);

		while (syscall(SYS_tgkill, getpid(), tid, 0) == 0 || errno != ESRCH) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec > end.tv_sec) {
				left++;
				break;
			}
			sched_yield();
		}
	}
	check_long("threads left after all were joined", 0, left);
}

static void start_all(pthread_t *th, int n, void *(*fn)(void *), void *args,
		      size_t arg_size)
{
	pthread_mutex_lock(&start_lock);
	for (int i = 0; i < n; i++) {
		int r = pthread_create(&th[i], NULL, fn, (char *)args + i * arg_size);

		if (r) {
			fail("pthread_create: expected 0 got %s", err_name(r));
			fflush(stderr);
			_exit(1); /* the others may wait for it for ever */
		}
	}
	pthread_mutex_unlock(&start_lock);
}

static void join_all(pthread_t *th, int n)
{
	for (int i = 0; i < n; i++)
		check_err_ret("pthread_join", pthread_join(th[i], NULL), 0);
}

/* ---- counters ---- */

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static long locked_count, atomic_count;

static void *count_thread(void *p)
{
	(void)p;
	started();
	for (int i = 0; i < INCREMENTS; i++) {
		pthread_mutex_lock(&count_lock);
		/* A read and a write apart: a lost update shows. */
		long v = locked_count;
		__asm__ volatile("" ::: "memory");
		locked_count = v + 1;
		pthread_mutex_unlock(&count_lock);
		__atomic_fetch_add(&atomic_count, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void counters(void)
{
	pthread_t th[THREADS];
	char dummy[THREADS];

	start_all(th, THREADS, count_thread, dummy, 1);
	join_all(th, THREADS);
	check_long("increments under a pthread mutex", (long)THREADS * INCREMENTS, locked_count);
	check_long("atomic increments", (long)THREADS * INCREMENTS, atomic_count);
	check_err_ret("pthread_mutex_trylock of the free mutex", pthread_mutex_trylock(&count_lock), 0);
	check_err_ret("pthread_mutex_trylock of a held mutex", pthread_mutex_trylock(&count_lock), EBUSY);
	pthread_mutex_unlock(&count_lock);
}

/* ---- producer and consumers ---- */

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t q_not_full = PTHREAD_COND_INITIALIZER;
static int q_items[QUEUE], q_head, q_len, q_done;
static unsigned char seen[ITEMS + 1];
static int order_broken;

struct consumer {
	int taken, last;
};

static void *producer(void *p)
{
	(void)p;
	started();
	for (int item = 1; item <= ITEMS; item++) {
		pthread_mutex_lock(&q_lock);
		while (q_len == QUEUE)
			pthread_cond_wait(&q_not_full, &q_lock);
		q_items[(q_head + q_len) % QUEUE] = item;
		q_len++;
		pthread_cond_signal(&q_not_empty);
		pthread_mutex_unlock(&q_lock);
	}
	pthread_mutex_lock(&q_lock);
	q_done = 1;
	pthread_cond_broadcast(&q_not_empty);
	pthread_mutex_unlock(&q_lock);
	return NULL;
}

static void *consumer(void *p)
{
	struct consumer *c = p;

	started();
	for (;;) {
		int item;

		pthread_mutex_lock(&q_lock);
		while (q_len == 0 && !q_done)
			pthread_cond_wait(&q_not_empty, &q_lock);
		if (q_len == 0) {
			pthread_mutex_unlock(&q_lock);
			break;
		}
		item = q_items[q_head];
		q_head = (q_head + 1) % QUEUE;
		q_len--;
		if (item >= 1 && item <= ITEMS)
			seen[item]++;
		/* Items leave in the order they came: each consumer's
		 * items rise. */
		if (item <= c->last)
			order_broken++;
		c->last = item;
		c->taken++;
		pthread_cond_signal(&q_not_full);
		pthread_mutex_unlock(&q_lock);
	}
	return NULL;
}

static void producer_consumers(void)
{
	struct consumer c[2] = { { 0, 0 }, { 0, 0 } };
	pthread_t prod, cons[2];
	int once = 0, missing = 0;

	start_all(cons, 2, consumer, c, sizeof(c[0]));
	start_all(&prod, 1, producer, NULL, 0);
	join_all(&prod, 1);
	join_all(cons, 2);
	for (int i = 1; i <= ITEMS; i++) {
		once += seen[i] == 1;
		missing += seen[i] == 0;
	}
	check_long("condition variable: items taken exactly once", ITEMS, once);
	check_long("condition variable: items never taken", 0, missing);
	check_long("condition variable: items taken in all", ITEMS, c[0].taken + c[1].taken);
	check_long("condition variable: items a consumer took out of order", 0, order_broken);
	check_long("condition variable: queue left", 0, q_len);
	note("consumers took %d and %d", c[0].taken, c[1].taken);
}

/* ---- barrier ---- */

static pthread_barrier_t barrier;
static int slots[THREADS];
static int serial_count, barrier_errors;

static void *barrier_thread(void *p)
{
	int me = (int)((int *)p - slots);

	started();
	for (int round = 1; round <= ROUNDS; round++) {
		int r;

		__atomic_store_n(&slots[me], round, __ATOMIC_RELAXED);
		r = pthread_barrier_wait(&barrier);
		if (r == PTHREAD_BARRIER_SERIAL_THREAD)
			__atomic_fetch_add(&serial_count, 1, __ATOMIC_RELAXED);
		else if (r != 0)
			__atomic_fetch_add(&barrier_errors, 1, __ATOMIC_RELAXED);
		/* Everyone has written this round; nobody the next yet. */
		for (int i = 0; i < THREADS; i++)
			if (__atomic_load_n(&slots[i], __ATOMIC_RELAXED) != round)
				__atomic_fetch_add(&barrier_errors, 1, __ATOMIC_RELAXED);
		pthread_barrier_wait(&barrier);
	}
	return NULL;
}

static void barriers(void)
{
	pthread_t th[THREADS];

	if (pthread_barrier_init(&barrier, NULL, THREADS)) {
		fail("pthread_barrier_init failed");
		return;
	}
	start_all(th, THREADS, barrier_thread, slots, sizeof(slots[0]));
	join_all(th, THREADS);
	check_long("barrier: one PTHREAD_BARRIER_SERIAL_THREAD per round", ROUNDS, serial_count);
	check_long("barrier: slots not at the round, or odd returns", 0, barrier_errors);
	pthread_barrier_destroy(&barrier);
}

/* ---- rwlock ---- */

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long rw_a, rw_b;
static int rw_torn;

static void *rw_writer(void *p)
{
	(void)p;
	started();
	for (int i = 0; i < RW_WRITES; i++) {
		pthread_rwlock_wrlock(&rw);
		rw_a++;
		__asm__ volatile("" ::: "memory");
		rw_b++;
		pthread_rwlock_unlock(&rw);
	}
	return NULL;
}

/* A fixed number of reads: glibc's default rwlock prefers readers, so
 * readers looping until the writer is done could keep it out. */
static void *rw_reader(void *p)
{
	(void)p;
	started();
	for (int i = 0; i < RW_READS; i++) {
		pthread_rwlock_rdlock(&rw);
		if (rw_a != rw_b)
			__atomic_fetch_add(&rw_torn, 1, __ATOMIC_RELAXED);
		pthread_rwlock_unlock(&rw);
	}
	return NULL;
}

static void *try_from_other_thread(void *p)
{
	int *r = p;

	started();
	r[0] = pthread_rwlock_tryrdlock(&rw);
	if (r[0] == 0)
		pthread_rwlock_unlock(&rw);
	r[1] = pthread_rwlock_trywrlock(&rw);
	if (r[1] == 0)
		pthread_rwlock_unlock(&rw);
	return NULL;
}

static void rwlocks(void)
{
	pthread_t th[THREADS];
	int r[2];
	char dummy[THREADS];

	start_all(th, 1, rw_writer, dummy, 1);
	start_all(th + 1, THREADS - 1, rw_reader, dummy, 1);
	join_all(th, THREADS);
	check_long("rwlock: the writer's updates", RW_WRITES, rw_a);
	check_long("rwlock: reads that saw a half-done write", 0, rw_torn);

	/* Held for reading here: another reader gets in, a writer not. */
	pthread_rwlock_rdlock(&rw);
	start_all(th, 1, try_from_other_thread, r, 0);
	join_all(th, 1);
	check_err_ret("rwlock held for reading: tryrdlock from another thread", r[0], 0);
	check_err_ret("rwlock held for reading: trywrlock from another thread", r[1], EBUSY);
	pthread_rwlock_unlock(&rw);
	/* Held for writing: neither gets in. */
	pthread_rwlock_wrlock(&rw);
	start_all(th, 1, try_from_other_thread, r, 0);
	join_all(th, 1);
	check_err_ret("rwlock held for writing: tryrdlock from another thread", r[0], EBUSY);
	check_err_ret("rwlock held for writing: trywrlock from another thread", r[1], EBUSY);
	pthread_rwlock_unlock(&rw);
}

int main(void)
{
	counters();
	producer_consumers();
	barriers();
	rwlocks();
	check_long("threads made", 17, ntids);
	none_left();
	return check_exit("thread_mutex");
}
