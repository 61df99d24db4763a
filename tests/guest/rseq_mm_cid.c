// SPDX-License-Identifier: Apache-2.0
/*
 * rseq's mm_cid, the concurrency id (kernel/sched/sched.h, mm_cid_get):
 * among the threads of a process that run at the same time, ids are
 * unique, and smaller than both the number of threads and the number of
 * CPUs the process may use. N = min(4, CPUs) threads, the main one among
 * them, each pinned to a CPU of its own (threads that take turns on one CPU
 * share its id), spin together through ROUNDS pairs of barriers and read
 * the mm_cid of glibc's area at each: every id read is below N, and in every round
 * where no thread's id changed across the second barrier (a round the
 * host's scheduler left alone) the N ids differ. A single thread's id is 0.
 * Every barrier gives up after 10 s. Kernels before Linux 6.3 have no
 * mm_cid (AT_RSEQ_FEATURE_SIZE < 28): the test skips there, never under
 * umbra.
 */
#include "rseq_abi.h"

#include <pthread.h>

#define MAX_N 4
#define ROUNDS 50
#define WAIT_NS 10000000000LL

static int n;
static cpu_set_t all;
static long arrivals, broken;
static int64_t deadline;
static uint32_t seen[ROUNDS][MAX_N][2];

/* The k-th barrier of all n threads; 0 when it timed out. */
static int barrier(long k)
{
	__atomic_add_fetch(&arrivals, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&arrivals, __ATOMIC_ACQUIRE) < n * (k + 1)) {
		if (RSEQ_READ(broken))
			return 0;
		if (rseq_now_ns() > deadline) {
			RSEQ_WRITE(broken, 1);
			return 0;
		}
	}
	return 1;
}

static void *reader(void *arg)
{
	long id = (long)arg;
	struct rseq_abi *rs = rseq_glibc_area();

	if (!rs || rseq_pin(0, rseq_nth_cpu(&all, (int)id)) != 0) {
		fail("thread %ld: pin to a CPU of its own: errno %s", id, err_name(errno));
		RSEQ_WRITE(broken, 1);
		return NULL;
	}
	for (long r = 0; r < ROUNDS; r++) {
		if (!barrier(2 * r))
			break;
		seen[r][id][0] = RSEQ_READ(rs->mm_cid);
		if (!barrier(2 * r + 1))
			break;
		seen[r][id][1] = RSEQ_READ(rs->mm_cid);
	}
	return NULL;
}

/* Whether no thread's id changed in round r. */
static int steady(int r)
{
	for (int i = 0; i < n; i++)
		if (seen[r][i][0] != seen[r][i][1])
			return 0;
	return 1;
}

static void check_round(int r, int *steady_rounds)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < 2; j++)
			if (seen[r][i][j] >= (uint32_t)n)
				fail("round %d, thread %d: expected mm_cid below %d got %u", r, i,
				     n, seen[r][i][j]);
	if (!steady(r))
		return;
	++*steady_rounds;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (seen[r][i][1] == seen[r][j][1])
				fail("round %d: expected distinct mm_cids got %u for threads %d "
				     "and %d", r, seen[r][i][1], i, j);
}

int main(void)
{
	pthread_t th[MAX_N];
	struct rseq_abi *rs;
	int steady_rounds = 0, made = 1;

	if (!RSEQ_HAS(mm_cid)) {
		note("AT_RSEQ_FEATURE_SIZE %lu < 28: no mm_cid here, skipped",
		     getauxval(AT_RSEQ_FEATURE_SIZE));
		return EXIT_SKIP;
	}
	if (!(rs = rseq_need_glibc_area("rseq_mm_cid")) ||
	    !CHECK_OK("sched_getaffinity", sched_getaffinity(0, sizeof(all), &all)))
		return check_exit("rseq_mm_cid");
	check_ulong("mm_cid of the only thread", 0, RSEQ_READ(rs->mm_cid));
	n = CPU_COUNT(&all) < MAX_N ? CPU_COUNT(&all) : MAX_N;
	deadline = rseq_now_ns() + WAIT_NS;
	for (; made < n; made++) {
		if (pthread_create(&th[made], NULL, reader, (void *)(long)made) != 0) {
			fail("pthread_create %d", made);
			RSEQ_WRITE(broken, 1);
			break;
		}
	}
	if (!broken)
		reader((void *)0L);
	for (int i = 1; i < made; i++)
		pthread_join(th[i], NULL);
	if (broken)
		return fail("a barrier of %d threads: expected all within 10 s", n),
		       check_exit("rseq_mm_cid");
	sched_setaffinity(0, sizeof(all), &all);
	for (int r = 0; r < ROUNDS; r++)
		check_round(r, &steady_rounds);
	if (steady_rounds == 0)
		fail("expected a round in which no mm_cid changed got none of %d", ROUNDS);
	printf("rseq_mm_cid: threads running together have distinct ids below their number\n");
	note("%d threads, %d of %d rounds steady", n, steady_rounds, ROUNDS);
	return check_exit("rseq_mm_cid");
}
