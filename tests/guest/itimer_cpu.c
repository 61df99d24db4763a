// SPDX-License-Identifier: Apache-2.0
/*
 * setitimer's CPU-time timers (kernel/time/itimer.c): ITIMER_VIRTUAL counts
 * user time and sends SIGVTALRM, ITIMER_PROF counts user and system time and
 * sends SIGPROF; a busy loop gets them, periodically too. getitimer counts
 * down while the loop runs, and reads 0 once disarmed; a sleeping process's
 * CPU timers do not run. A CPU-time timer from timer_create on
 * CLOCK_PROCESS_CPUTIME_ID fires too. Every loop is bounded by wall time
 * (10 s), and only counts are checked, never durations.
 */
#include "check.h"

#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int hits[65];

static void on_signal(int sig)
{
	hits[sig]++;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Spins in user code until *flag reaches n or secs pass; whether it did.
 * The clock is read between long stretches of arithmetic, so that the
 * time goes to user code and not to the clock's own calls. */
static int spin_until(volatile int *flag, int n, double secs)
{
	double end = now_s() + secs;
	volatile unsigned long x = 0;

	while (*flag < n && now_s() < end)
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
	return *flag >= n;
}

static long us_of(const struct timeval *tv)
{
	return tv->tv_sec * 1000000L + tv->tv_usec;
}

static void cpu_itimer(int which, int sig, const char *name)
{
	struct itimerval it = { { 0, 20000 }, { 0, 30000 } }, cur, prev, off = { { 0, 0 }, { 0, 0 } };
	char what[96];

	signal(sig, on_signal);
	hits[sig] = 0;
	snprintf(what, sizeof what, "setitimer(%s)", name);
	if (!CHECK_OK(what, setitimer(which, &it, NULL)))
		return;
	getitimer(which, &prev);
	snprintf(what, sizeof what, "%s: interval kept", name);
	check_long(what, 20000, us_of(&prev.it_interval));
	snprintf(what, sizeof what, "%s: armed", name);
	check_true(what, us_of(&prev.it_value) > 0 && us_of(&prev.it_value) < 1000000);
	snprintf(what, sizeof what, "%s: first signal on a busy loop", name);
	check_true(what, spin_until(&hits[sig], 1, 10));
	snprintf(what, sizeof what, "%s: periodic: three more", name);
	check_true(what, spin_until(&hits[sig], 4, 10));
	/* Counting down: a long timer read twice around some busy time. */
	it = (struct itimerval){ { 0, 0 }, { 100, 0 } };
	setitimer(which, &it, NULL);
	getitimer(which, &prev);
	{
		volatile int never = 0;

		spin_until(&never, 1, 0.2);
	}
	getitimer(which, &cur);
	snprintf(what, sizeof what, "%s: getitimer counts down", name);
	check_true(what, us_of(&cur.it_value) < us_of(&prev.it_value));
	snprintf(what, sizeof what, "%s: disarm", name);
	CHECK_OK(what, setitimer(which, &off, &cur));
	snprintf(what, sizeof what, "%s: old value", name);
	check_true(what, us_of(&cur.it_value) > 0 && us_of(&cur.it_value) <= 100000000L);
	getitimer(which, &cur);
	snprintf(what, sizeof what, "%s: disarmed reads 0", name);
	check_long(what, 0, us_of(&cur.it_value));
}

/* A sleeping process uses no CPU time: a short CPU timer stays quiet. */
static void idle_quiet(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 200000 } }, off = { { 0, 0 }, { 0, 0 } };
	struct timespec nap = { 0, 300 * 1000 * 1000 };

	hits[SIGVTALRM] = 0;
	setitimer(ITIMER_VIRTUAL, &it, NULL);
	nanosleep(&nap, NULL);
	check_long("ITIMER_VIRTUAL quiet while asleep", 0, hits[SIGVTALRM]);
	setitimer(ITIMER_VIRTUAL, &off, NULL);
}

static void posix_cpu_timer(void)
{
	struct sigevent ev = { 0 };
	struct itimerspec it = { { 0, 0 }, { 0, 30 * 1000 * 1000 } };
	timer_t id;

	signal(SIGUSR1, on_signal);
	hits[SIGUSR1] = 0;
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	if (!CHECK_OK("timer_create CLOCK_PROCESS_CPUTIME_ID",
		      timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &id)))
		return;
	CHECK_OK("arm CPU timer", timer_settime(id, 0, &it, NULL));
	check_true("CPU timer fires on a busy loop", spin_until(&hits[SIGUSR1], 1, 10));
	timer_delete(id);
}

int main(void)
{
	cpu_itimer(ITIMER_VIRTUAL, SIGVTALRM, "ITIMER_VIRTUAL");
	cpu_itimer(ITIMER_PROF, SIGPROF, "ITIMER_PROF");
	idle_quiet();
	posix_cpu_timer();
	CHECK_ERRNO("bad which", setitimer(3, NULL, NULL), EINVAL);
	printf("itimer_cpu: done\n");
	return check_exit("itimer_cpu");
}
