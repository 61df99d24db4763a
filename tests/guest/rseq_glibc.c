// SPDX-License-Identifier: Apache-2.0
/*
 * glibc's own rseq registration (<sys/rseq.h>, glibc 2.35+): at start it
 * registers a 32-byte area in each thread's TCB and publishes where
 * (__rseq_offset from the thread pointer) and how long (__rseq_size). The
 * kernel holds it: registering it again is EBUSY. Its cpu_id is the CPU
 * getcpu(2) names, node_id that CPU's node, and it follows the thread when
 * sched_setaffinity moves it to each CPU of its mask in turn (skipped with
 * one CPU). A new pthread gets an area of its own, registered as well.
 * node_id and mm_cid are checked where the feature size covers them (Linux
 * 6.3 on, and umbra).
 */
#include "rseq_abi.h"

#include <pthread.h>

/* The area of the calling thread, as glibc and the kernel must see it. */
static void check_area(const char *what, struct rseq_abi *rs)
{
	char w[128];

	snprintf(w, sizeof(w), "%s: area 32-aligned", what);
	check_true(w, ((uintptr_t)rs & 31) == 0);
	snprintf(w, sizeof(w), "%s: registering it again", what);
	CHECK_ERRNO(w, rseq_sys(rs, 32, 0, RSEQ_SIG), EBUSY);
	snprintf(w, sizeof(w), "%s: rseq_cs outside a critical section", what);
	check_ulong(w, 0, RSEQ_READ(rs->rseq_cs));
	snprintf(w, sizeof(w), "%s: flags", what);
	check_ulong(w, 0, RSEQ_READ(rs->flags));
}

/* Pinned to cpu, the area names cpu and its node, as getcpu does. */
static void check_on(const char *what, struct rseq_abi *rs, int cpu)
{
	unsigned int node = ~0u;
	char w[128];

	snprintf(w, sizeof(w), "%s: pin to CPU %d", what, cpu);
	if (!CHECK_OK(w, rseq_pin(0, cpu)))
		return;
	snprintf(w, sizeof(w), "%s: getcpu pinned", what);
	check_long(w, cpu, rseq_getcpu(&node));
	snprintf(w, sizeof(w), "%s: cpu_id on CPU %d", what, cpu);
	check_ulong(w, (unsigned long)cpu, RSEQ_READ(rs->cpu_id));
	snprintf(w, sizeof(w), "%s: cpu_id_start on CPU %d", what, cpu);
	check_ulong(w, (unsigned long)cpu, RSEQ_READ(rs->cpu_id_start));
	if (RSEQ_HAS(node_id)) {
		snprintf(w, sizeof(w), "%s: node_id on CPU %d", what, cpu);
		check_ulong(w, node, RSEQ_READ(rs->node_id));
	}
	snprintf(w, sizeof(w), "%s: sched_getcpu on CPU %d", what, cpu);
	check_long(w, cpu, sched_getcpu());
}

/* Visits every CPU of all, then gives the thread all of them back. */
static void follow(const char *what, struct rseq_abi *rs, const cpu_set_t *all)
{
	int n = CPU_COUNT(all);

	for (int i = 0; i < n; i++)
		check_on(what, rs, rseq_nth_cpu(all, i));
	/* Back to the first: a move in the other direction as well. */
	if (n > 1)
		check_on(what, rs, rseq_nth_cpu(all, 0));
	sched_setaffinity(0, sizeof(*all), all);
}

static cpu_set_t all;
static struct rseq_abi *main_area;

static void *thread_main(void *arg)
{
	struct rseq_abi *rs = rseq_glibc_area();

	(void)arg;
	if (!rs)
		return fail("thread: expected an rseq area got none"), NULL;
	if (rs == main_area)
		fail("thread: expected an area of its own got the main thread's %p",
		     (void *)rs);
	check_area("thread", rs);
	follow("thread", rs, &all);
	return NULL;
}

int main(void)
{
	struct rseq_abi *rs;
	pthread_t th;

	if (!CHECK_OK("sched_getaffinity", sched_getaffinity(0, sizeof(all), &all)))
		return check_exit("rseq_glibc");
	if (__rseq_size < 20)
		fail("__rseq_size: expected at least 20 got %u", __rseq_size);
	if (__rseq_offset == 0)
		fail("__rseq_offset: expected an offset from the thread pointer got 0");
	note("__rseq_size %u, __rseq_offset %td", __rseq_size, __rseq_offset);
	rs = main_area = rseq_glibc_area();
	if (!rs)
		return check_exit("rseq_glibc");
	check_area("main", rs);
	if (RSEQ_HAS(mm_cid))
		check_ulong("main: mm_cid (one thread)", 0, RSEQ_READ(rs->mm_cid));
	else
		note("AT_RSEQ_FEATURE_SIZE %lu < 28: node_id and mm_cid not checked",
		     getauxval(AT_RSEQ_FEATURE_SIZE));
	if (CPU_COUNT(&all) < 2)
		note("one CPU: no move between CPUs to follow");
	follow("main", rs, &all);
	printf("rseq_glibc: the main thread's area\n");
	if (pthread_create(&th, NULL, thread_main, NULL) != 0)
		fail("pthread_create: errno %s", err_name(errno));
	else
		pthread_join(th, NULL);
	printf("rseq_glibc: a thread's area\n");
	return check_exit("rseq_glibc");
}
