/* rseq_loop T SECONDS: per-CPU increments through rseq, T threads at once.
 *
 * Each thread registers its own rseq area (64 bytes, after dropping glibc's)
 * and, until SECONDS have passed, adds 1 to the counter of the CPU it runs
 * on as an rseq critical section (tests/guest/rseq_slice_abi.h), retrying
 * when the section is aborted or the thread moved. Prints one line per
 * thread, "thread I increments_per_s R aborts A", then
 * "increments_per_s TOTAL", "min_thread_increments_per_s MIN" and
 * "aborts_per_s A". The per-CPU counters must add up to the threads' own
 * counts: a lost or doubled increment is an rseq bug, and exits 1.
 *
 * The loop makes no syscalls: under a sandbox it measures guest code on its
 * CPUs plus what preemption and the aborts after it cost. */
#define _GNU_SOURCE
#include "../../tests/guest/rseq_slice_abi.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_THREADS 256
#define MAX_CPUS 1024

struct slot {
	uint64_t n;
} __attribute__((aligned(64)));

struct worker {
	pthread_t th;
	struct slice_rseq area;
	uint64_t increments;
	uint64_t aborts;
	double seconds;
	int error; /* errno of a failed registration */
} __attribute__((aligned(64)));

static struct slot counters[MAX_CPUS];
static struct worker workers[MAX_THREADS];
static pthread_barrier_t start;
static volatile int stop;
static int bad_cpu = -1;

static double now_s(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		_exit(2);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void count(struct worker *w)
{
	uint64_t done = 0, aborted = 0;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		uint32_t cpu = slice_cpu_start(&w->area);

		if (cpu >= MAX_CPUS) {
			bad_cpu = (int)cpu;
			break;
		}
		if (slice_percpu_inc(&w->area, &counters[cpu].n, cpu) == 0)
			done++;
		else
			aborted++;
	}
	w->increments = done;
	w->aborts = aborted;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	double t0;
	int err;

	err = slice_release_glibc();
	if (!err && slice_rseq_call(&w->area, SLICE_AREA_LEN, 0) != 0)
		err = -errno;
	w->error = -err;
	pthread_barrier_wait(&start);
	if (err)
		return NULL;
	t0 = now_s();
	count(w);
	w->seconds = now_s() - t0;
	return NULL;
}

static int report(int threads)
{
	uint64_t sum = 0, counted = 0, aborts = 0;
	double total = 0, min = -1, secs = 0;

	for (int i = 0; i < MAX_CPUS; i++)
		sum += counters[i].n;
	for (int i = 0; i < threads; i++) {
		struct worker *w = &workers[i];
		double rate = w->seconds > 0 ? (double)w->increments / w->seconds : 0;

		counted += w->increments;
		aborts += w->aborts;
		total += rate;
		secs += w->seconds;
		if (min < 0 || rate < min)
			min = rate;
		printf("thread %d increments_per_s %.0f aborts %llu\n", i, rate,
		       (unsigned long long)w->aborts);
	}
	printf("increments_per_s %.0f\n", total);
	printf("min_thread_increments_per_s %.0f\n", min);
	/* secs / threads: the time each thread ran, on average. */
	printf("aborts_per_s %.1f\n", secs > 0 ? (double)aborts / (secs / threads) : 0);
	if (sum != counted) {
		fprintf(stderr, "rseq_loop: the counters hold %llu increments, the threads made %llu\n",
			(unsigned long long)sum, (unsigned long long)counted);
		return 1;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: rseq_loop THREADS SECONDS   (1..%d threads, seconds > 0)\n",
		MAX_THREADS);
	return 2;
}

int main(int argc, char **argv)
{
	struct timespec span;
	char *end1 = NULL, *end2 = NULL;
	long threads;
	double seconds;
	int failed = 0;

	if (argc != 3)
		return usage();
	threads = strtol(argv[1], &end1, 10);
	seconds = strtod(argv[2], &end2);
	if (*end1 || *end2 || threads < 1 || threads > MAX_THREADS || !(seconds > 0))
		return usage();

	pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
	for (long i = 0; i < threads; i++)
		if (pthread_create(&workers[i].th, NULL, run, &workers[i]) != 0)
			return 2;
	pthread_barrier_wait(&start);
	span.tv_sec = (time_t)seconds;
	span.tv_nsec = (long)((seconds - (double)span.tv_sec) * 1e9);
	while (nanosleep(&span, &span) != 0 && errno == EINTR)
		;
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (long i = 0; i < threads; i++) {
		pthread_join(workers[i].th, NULL);
		if (workers[i].error) {
			fprintf(stderr, "rseq_loop: thread %ld: rseq registration: %s\n", i,
				strerror(workers[i].error));
			failed = 1;
		}
	}
	if (bad_cpu >= 0) {
		fprintf(stderr, "rseq_loop: cpu_id_start %d is past %d\n", bad_cpu, MAX_CPUS);
		failed = 1;
	}
	if (failed)
		return 1;
	return report((int)threads);
}
