// SPDX-License-Identifier: Apache-2.0
/*
 * Clocks and sleeps: every clock readable, MONOTONIC never goes back, the
 * resolutions are sane, the wall clock agrees through all three interfaces,
 * sleeps last at least as long as asked, bad arguments give EINVAL.
 */
#include "check.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define NSEC_PER_SEC 1000000000LL

static int64_t ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts) != 0) {
		fail("clock_gettime(%d): expected 0 got -1 (errno %s)", clk,
		     err_name(errno));
		return 0;
	}
	return ts_ns(&ts);
}

static const struct {
	clockid_t id;
	const char *name;
} clocks[] = {
	{ CLOCK_REALTIME, "CLOCK_REALTIME" },
	{ CLOCK_MONOTONIC, "CLOCK_MONOTONIC" },
	{ CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID" },
	{ CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID" },
	{ CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW" },
	{ CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE" },
	{ CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE" },
	{ CLOCK_BOOTTIME, "CLOCK_BOOTTIME" },
};

static void check_all_clocks(void)
{
	struct timespec ts, res;
	size_t i;
	int r;

	for (i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		char what[80];

		snprintf(what, sizeof(what), "clock_gettime(%s)", clocks[i].name);
		ts.tv_nsec = -1;
		r = clock_gettime(clocks[i].id, &ts);
		if (!check_ok(what, r, errno))
			continue;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
			fail("%s: expected a normalised time got %lld.%09ld", what,
			     (long long)ts.tv_sec, ts.tv_nsec);

		snprintf(what, sizeof(what), "clock_getres(%s)", clocks[i].name);
		r = clock_getres(clocks[i].id, &res);
		if (!check_ok(what, r, errno))
			continue;
		/* Ticks of coarse clocks are at most 10 ms (HZ >= 100). */
		if (res.tv_sec != 0 || res.tv_nsec <= 0 || res.tv_nsec > 10000000)
			fail("%s: expected 0 < res <= 10ms got %lld.%09ld", what,
			     (long long)res.tv_sec, res.tv_nsec);
		snprintf(what, sizeof(what), "clock_getres(%s, NULL)",
			 clocks[i].name);
		check_long(what, 0, clock_getres(clocks[i].id, NULL));
	}

	CHECK_ERRNO("clock_gettime(1000)", clock_gettime(1000, &ts), EINVAL);
	CHECK_ERRNO("clock_getres(1000)", clock_getres(1000, &res), EINVAL);
	CHECK_ERRNO("clock_gettime(MONOTONIC, (void *)1)",
		    syscall(SYS_clock_gettime, (long)CLOCK_MONOTONIC, 1L), EFAULT);
}

static void check_monotonic(void)
{
	int64_t prev = now_ns(CLOCK_MONOTONIC), t, boot;
	int i, backwards = 0;

	/* Each read may be a trapped syscall in the sandbox: keep it modest. */
	for (i = 0; i < 20000; i++) {
		t = now_ns(CLOCK_MONOTONIC);
		if (t < prev)
			backwards++;
		prev = t;
	}
	check_long("CLOCK_MONOTONIC went backwards", 0, backwards);
	/* BOOTTIME is MONOTONIC plus time spent suspended. */
	boot = now_ns(CLOCK_BOOTTIME);
	if (boot < prev)
		fail("CLOCK_BOOTTIME: expected >= MONOTONIC %lld got %lld",
		     (long long)prev, (long long)boot);
}

static void check_wall(void)
{
	struct timeval tv;
	int64_t rt, gtod;
	time_t t, t2;

	rt = now_ns(CLOCK_REALTIME);
	check_long("gettimeofday", 0, gettimeofday(&tv, NULL));
	gtod = tv.tv_sec * NSEC_PER_SEC + tv.tv_usec * 1000LL;
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		fail("gettimeofday tv_usec: expected 0..999999 got %ld",
		     (long)tv.tv_usec);
	if (gtod < rt - NSEC_PER_SEC || gtod > rt + NSEC_PER_SEC)
		fail("gettimeofday vs CLOCK_REALTIME: expected within 1s got %lld ns apart",
		     (long long)(gtod - rt));

	t = time(&t2);
	check_long("time() result and argument", t, t2);
	if (t < rt / NSEC_PER_SEC - 1 || t > rt / NSEC_PER_SEC + 1)
		fail("time() vs CLOCK_REALTIME: expected within 1s got %lld vs %lld",
		     (long long)t, (long long)(rt / NSEC_PER_SEC));
	/* Any sane clock is past 2020-01-01. */
	if (t < 1577836800)
		fail("time(): expected after 2020 got %lld", (long long)t);
}

/* Spinning must show up in the CPU-time clocks. */
static void check_cputime(void)
{
	int64_t p0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	int64_t t0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	int64_t deadline = now_ns(CLOCK_MONOTONIC) + 5 * NSEC_PER_SEC;
	volatile uint64_t sink = 0;

	while (now_ns(CLOCK_PROCESS_CPUTIME_ID) - p0 < 5000000) {
		int i;

		for (i = 0; i < 100000; i++)
			sink += i;
		if (now_ns(CLOCK_MONOTONIC) > deadline) {
			fail("CLOCK_PROCESS_CPUTIME_ID: expected +5ms within 5s of spinning got +%lld ns",
			     (long long)(now_ns(CLOCK_PROCESS_CPUTIME_ID) - p0));
			return;
		}
	}
	if (now_ns(CLOCK_THREAD_CPUTIME_ID) - t0 <= 0)
		fail("CLOCK_THREAD_CPUTIME_ID: expected to advance while spinning got %lld ns",
		     (long long)(now_ns(CLOCK_THREAD_CPUTIME_ID) - t0));
}

static void check_sleeps(void)
{
	struct timespec req = { 0, 20000000 }, rem = { 7, 7 }, abs_ts;
	int64_t t0, t1, target;
	int r;

	t0 = now_ns(CLOCK_MONOTONIC);
	r = nanosleep(&req, &rem);
	t1 = now_ns(CLOCK_MONOTONIC);
	check_long("nanosleep 20ms", 0, r);
	if (t1 - t0 < 20000000)
		fail("nanosleep 20ms: expected >= 20000000 ns got %lld",
		     (long long)(t1 - t0));
	/* rem is written only when a signal cuts the sleep short. */
	if (rem.tv_sec != 7 || rem.tv_nsec != 7)
		fail("nanosleep rem: expected untouched 7.000000007 got %lld.%09ld",
		     (long long)rem.tv_sec, rem.tv_nsec);

	t0 = now_ns(CLOCK_MONOTONIC);
	r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
	t1 = now_ns(CLOCK_MONOTONIC);
	check_err_ret("clock_nanosleep relative 20ms", r, 0);
	if (t1 - t0 < 20000000)
		fail("clock_nanosleep relative 20ms: expected >= 20000000 ns got %lld",
		     (long long)(t1 - t0));

	target = now_ns(CLOCK_MONOTONIC) + 20000000;
	abs_ts.tv_sec = target / NSEC_PER_SEC;
	abs_ts.tv_nsec = target % NSEC_PER_SEC;
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs_ts, NULL);
	t1 = now_ns(CLOCK_MONOTONIC);
	check_err_ret("clock_nanosleep TIMER_ABSTIME", r, 0);
	if (t1 < target)
		fail("clock_nanosleep TIMER_ABSTIME: expected to wake at >= %lld got %lld",
		     (long long)target, (long long)t1);

	/* An absolute time in the past returns at once. */
	abs_ts.tv_sec = 0;
	abs_ts.tv_nsec = 1;
	t0 = now_ns(CLOCK_MONOTONIC);
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs_ts, NULL);
	t1 = now_ns(CLOCK_MONOTONIC);
	check_err_ret("clock_nanosleep TIMER_ABSTIME in the past", r, 0);
	if (t1 - t0 > NSEC_PER_SEC)
		fail("clock_nanosleep in the past: expected no wait got %lld ns",
		     (long long)(t1 - t0));

	req.tv_sec = 0;
	req.tv_nsec = NSEC_PER_SEC;
	CHECK_ERRNO("nanosleep tv_nsec 1e9", nanosleep(&req, NULL), EINVAL);
	req.tv_nsec = -1;
	CHECK_ERRNO("nanosleep tv_nsec -1", nanosleep(&req, NULL), EINVAL);
	req.tv_sec = -1;
	req.tv_nsec = 0;
	CHECK_ERRNO("nanosleep tv_sec -1", nanosleep(&req, NULL), EINVAL);
	req.tv_sec = 0;
	req.tv_nsec = NSEC_PER_SEC;
	check_err_ret("clock_nanosleep tv_nsec 1e9",
		      clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), EINVAL);
	req.tv_nsec = 0;
	check_err_ret("clock_nanosleep bad clock",
		      clock_nanosleep(1000, 0, &req, NULL), EINVAL);
	/*
	 * glibc answers EINVAL itself; the kernel's thread clock has no nsleep
	 * and says EOPNOTSUPP (kernel/time/posix-timers.c).
	 */
	CHECK_ERRNO("raw clock_nanosleep(THREAD_CPUTIME_ID)",
		    syscall(SYS_clock_nanosleep, (long)CLOCK_THREAD_CPUTIME_ID,
			    0L, &req, NULL), EOPNOTSUPP);
	check_err_ret("clock_nanosleep(THREAD_CPUTIME_ID)",
		      clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL),
		      EINVAL);
	CHECK_ERRNO("nanosleep((void *)1)",
		    syscall(SYS_clock_nanosleep, (long)CLOCK_MONOTONIC, 0L, 1L,
			    NULL),
		    EFAULT);
}

int main(void)
{
	check_all_clocks();
	check_monotonic();
	check_wall();
	check_cputime();
	check_sleeps();
	printf("clocks: done\n");
	return check_exit("clocks");
}
