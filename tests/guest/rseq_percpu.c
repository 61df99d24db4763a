// SPDX-License-Identifier: Apache-2.0
/*
 * A per-CPU counter, the use rseq exists for: one slot per CPU, indexed by
 * cpu_id_start of glibc's area, incremented by a critical section that
 * commits with a single store and starts again when the kernel aborts it
 * (preemption, migration, a signal); it spends a while between its load
 * and its store, so that a lost abort loses an increment. Twice as many threads as CPUs add
 * ITERATIONS each, so they preempt one another inside it; the slots then
 * add up exactly, and only slots of CPUs in the affinity mask were used.
 * How often the abort path ran is reported on stderr (a count that
 * depends on the scheduler). Every thread gives up after 20 s.
 *
 * Usage: rseq_percpu [iterations]
 */
#include "rseq_abi.h"

#include <pthread.h>

#define MAX_THREADS 64
#define DEADLINE_NS 20000000000LL
/* Loops between the load and the store: most preemptions land inside. */
#define DELAY 100

struct slot {
	long count;
	char pad[64 - sizeof(long)];
};

static struct slot slots[RSEQ_MAX_CPUS] __attribute__((aligned(64)));
static struct rseq_cs inc_cs;
static long iterations = 500000;
static long aborts[MAX_THREADS], done[MAX_THREADS], bad_cpu = -1;
static int64_t deadline;

/* One increment; the number of aborts it took, or -1 past the deadline. */
static long increment(struct rseq_abi *rs)
{
	long n = 0;

	for (;;) {
		uint32_t cpu = RSEQ_READ(rs->cpu_id_start);

		if (cpu >= RSEQ_MAX_CPUS) {
			__atomic_store_n(&bad_cpu, (long)cpu, __ATOMIC_RELAXED);
			return -1;
		}
		if (rseq_inc(rs, &inc_cs, cpu, &slots[cpu].count, DELAY) == 0)
			return n;
		if ((++n & 0xfff) == 0 && rseq_now_ns() > deadline)
			return -1;
	}
}

static void *worker(void *arg)
{
	long i, n, id = (long)arg;
	struct rseq_abi *rs = rseq_glibc_area();

	if (!rs)
		return NULL;
	for (i = 0; i < iterations; i++) {
		n = increment(rs);
		if (n < 0)
			break;
		aborts[id] += n;
		if ((i & 0xffff) == 0 && rseq_now_ns() > deadline)
			break;
	}
	done[id] = i;
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS];
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN), nthreads, sum = 0, total = 0;
	cpu_set_t all;

	if (argc > 1)
		iterations = atol(argv[1]);
	if (!rseq_need_glibc_area("rseq_percpu"))
		return check_exit("rseq_percpu");
	sched_getaffinity(0, sizeof(all), &all);
	nthreads = 2 * (ncpus > 0 ? ncpus : 1);
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	rseq_cs_init(&inc_cs, rseq_inc_start, rseq_inc_end, rseq_inc_abort);
	deadline = rseq_now_ns() + DEADLINE_NS;
	for (long i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)i) != 0)
			fail("pthread_create %ld", i);
	for (long i = 0; i < nthreads; i++) {
		pthread_join(th[i], NULL);
		if (done[i] != iterations)
			fail("thread %ld: expected %ld increments within 20 s got %ld", i,
			     iterations, done[i]);
		total += aborts[i];
	}
	if (bad_cpu != -1)
		fail("cpu_id_start: expected a CPU below %d got %ld", RSEQ_MAX_CPUS, bad_cpu);
	for (int c = 0; c < RSEQ_MAX_CPUS; c++) {
		if (slots[c].count && (c >= CPU_SETSIZE || !CPU_ISSET(c, &all)))
			fail("slot %d: expected only CPUs of the mask to count got %ld", c,
			     slots[c].count);
		sum += slots[c].count;
	}
	check_long("the per-CPU counts add up", nthreads * iterations, sum);
	printf("rseq_percpu: twice as many threads as CPUs, the counts add up\n");
	note("%ld threads x %ld increments on %ld CPUs: %ld aborts", nthreads, iterations,
	     ncpus, total);
	return check_exit("rseq_percpu");
}
