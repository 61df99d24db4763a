// SPDX-License-Identifier: Apache-2.0
/*
 * More spinning threads than CPUs share them fairly: each gets a share of
 * the CPU time (no thread starves), every CPU they see is one of the
 * process's, and together they use at most the CPUs there are.
 *
 * Usage: sched_fairness [report]   (report: print the process's CPU time
 * over the wall time, which a sandbox with N vCPUs holds to at most N)
 */
#include "check.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64
#define RUN_NS 1500000000LL

static volatile int stop;
static long counts[MAX_THREADS];
static int seen_bad_cpu = -1;
static cpu_set_t allowed;

static int64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *spin(void *arg)
{
	long *count = arg;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		if ((++*count & 0x3fffff) == 0) { /* a syscall every few ms */
			int cpu = sched_getcpu();

			if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &allowed))
				__atomic_store_n(&seen_bad_cpu, cpu, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS];
	int ncpus, n;
	int64_t wall0, cpu0, wall, cpu;
	long min = -1, max = 0;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		return check_exit("sched_fairness");
	ncpus = CPU_COUNT(&allowed);
	n = 2 * ncpus + 1 < MAX_THREADS ? 2 * ncpus + 1 : MAX_THREADS;
	wall0 = now_ns(CLOCK_MONOTONIC);
	cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	for (int i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, spin, &counts[i]) != 0)
			fail("pthread_create %d", i);
	while (now_ns(CLOCK_MONOTONIC) - wall0 < RUN_NS)
		usleep(20000);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	wall = now_ns(CLOCK_MONOTONIC) - wall0;
	cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	for (int i = 0; i < n; i++) {
		if (min < 0 || counts[i] < min)
			min = counts[i];
		if (counts[i] > max)
			max = counts[i];
	}
	/* Loose (the host's own balance varies): a starved thread would have
	 * next to nothing. */
	if (min * 20 < max)
		fail("the slowest of %d spinning threads: expected at least a twentieth of the "
		     "fastest's iterations got %ld of %ld", n, min, max);
	if (seen_bad_cpu != -1)
		fail("sched_getcpu: expected a CPU of the affinity mask got %d", seen_bad_cpu);
	if (argc > 1 && !strcmp(argv[1], "report"))
		printf("cpu/wall %.2f\n", (double)cpu / (double)wall);
	else
		printf("sched_fairness: done\n");
	note("%d threads on %d CPUs: %ld..%ld iterations, cpu/wall %.2f", n, ncpus, min, max,
	     (double)cpu / (double)wall);
	return check_exit("sched_fairness");
}
