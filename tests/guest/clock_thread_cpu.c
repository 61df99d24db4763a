// SPDX-License-Identifier: Apache-2.0
/*
 * Thread CPU clocks (kernel/time/posix-cpu-timers.c): CLOCK_THREAD_CPUTIME_ID
 * and pthread_getcpuclockid count one thread's time, not its process's: a
 * thread that sleeps while another spins shows almost none while the
 * process clock grows; the resolution of run-time clocks is 1 ns; another
 * process's thread clock is EINVAL, its process clock readable. Bounds are
 * loose: only the gap between a spinning and a sleeping thread is checked.
 */
#include "proc.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000LL

static volatile int stop;
static clockid_t sleeper_clock;
static volatile int sleeper_ready;

static int64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts) != 0) {
		fail("clock_gettime(%d): errno %s", (int)c, err_name(errno));
		return -1;
	}
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *sleeper(void *arg)
{
	(void)arg;
	sleeper_ready = 1;
	while (!stop)
		usleep(10000);
	return NULL;
}

/* Spins until this thread's own clock has grown by ns (bounded by 10 s). */
static void spin(int64_t ns)
{
	int64_t start = clock_ns(CLOCK_THREAD_CPUTIME_ID), wall = clock_ns(CLOCK_MONOTONIC);

	while (clock_ns(CLOCK_THREAD_CPUTIME_ID) - start < ns &&
	       clock_ns(CLOCK_MONOTONIC) - wall < 10000 * MS)
		;
}

int main(void)
{
	struct timespec res;
	pthread_t th;
	int64_t proc0, sleep0, proc1, sleep1;
	pid_t pid;

	if (pthread_create(&th, NULL, sleeper, NULL) != 0) {
		fail("pthread_create");
		return check_exit("clock_thread_cpu");
	}
	while (!sleeper_ready)
		usleep(1000);
	if (!check_err_ret("pthread_getcpuclockid", pthread_getcpuclockid(th, &sleeper_clock), 0))
		return check_exit("clock_thread_cpu");
	proc0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	sleep0 = clock_ns(sleeper_clock);
	spin(300 * MS);
	proc1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	sleep1 = clock_ns(sleeper_clock);
	check_true("the process clock counts the spinning thread (>= 250 ms)",
		   proc1 - proc0 >= 250 * MS);
	/* Half the spinner's: each of the sleeper's 30 wakes costs its host
	 * thread a ptrace stop, slow under qemu's emulation. */
	if (sleep1 - sleep0 >= 150 * MS)
		fail("the sleeping thread's clock: expected under 150 ms got %lld ms",
		     (long long)((sleep1 - sleep0) / MS));
	stop = 1;
	pthread_join(th, NULL);
	if (CHECK_OK("clock_getres(CLOCK_THREAD_CPUTIME_ID)",
		     clock_getres(CLOCK_THREAD_CPUTIME_ID, &res)))
		check_long("its resolution", 1, res.tv_nsec);
	pid = proc_fork("a child to look at");
	if (pid == 0) {
		pause();
		_exit(0);
	}
	{
		clockid_t pc;
		struct timespec ts;

		if (check_err_ret("clock_getcpuclockid(child)", clock_getcpuclockid(pid, &pc), 0))
			CHECK_OK("the child's process clock", clock_gettime(pc, &ts));
		/* The thread form of the child's pid (CPUCLOCK_PERTHREAD). */
		CHECK_ERRNO("another process's thread clock",
			    clock_gettime((clockid_t)((~(unsigned int)pid << 3) | 6), &ts), EINVAL);
	}
	kill(pid, SIGKILL);
	proc_reap("the child", pid, PROC_KILLED(SIGKILL));
	proc_finish();
	printf("clock_thread_cpu: done\n");
	return check_exit("clock_thread_cpu");
}
