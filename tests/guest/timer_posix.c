// SPDX-License-Identifier: Apache-2.0
/*
 * POSIX timers (kernel/time/posix-timers.c): a one-shot and a periodic
 * SIGEV_SIGNAL timer, taken with sigtimedwait: si_code SI_TIMER, si_value
 * as given, and the overrun count of a periodic timer whose signal stayed
 * queued (in si_overrun and timer_getoverrun). A SIGEV_NONE timer counts
 * down in timer_gettime and never signals; an ABSTIME time in the past
 * fires at once; a NULL sigevent means SIGALRM with the timer's id as
 * value; SIGEV_THREAD_ID signals the thread named. timer_delete, then the
 * id is EINVAL; bad clocks and sigevents are EINVAL. Timing is loose:
 * counts and order, never durations.
 */
#include "check.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000L

static struct timespec bound = { 10, 0 }; /* every wait ends by then */

static int make(clockid_t clk, int notify, int sig, int value, timer_t *id)
{
	struct sigevent ev;

	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = notify;
	ev.sigev_signo = sig;
	ev.sigev_value.sival_int = value;
	return timer_create(clk, &ev, id);
}

static int arm(timer_t id, int flags, long value_ns, long interval_ns)
{
	struct itimerspec it = { { interval_ns / 1000000000L, interval_ns % 1000000000L },
				 { value_ns / 1000000000L, value_ns % 1000000000L } };

	return timer_settime(id, flags, &it, NULL);
}

static int wait_sig(int sig, siginfo_t *si)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	return sigtimedwait(&s, si, &bound);
}

static void one_shot(void)
{
	timer_t id;
	siginfo_t si;
	struct itimerspec cur;
	struct timespec zero = { 0, 0 };
	sigset_t s;

	if (!CHECK_OK("timer_create one-shot", make(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIGUSR1, 77, &id)))
		return;
	CHECK_OK("timer_gettime disarmed", timer_gettime(id, &cur));
	check_long("disarmed value", 0, cur.it_value.tv_sec + cur.it_value.tv_nsec);
	CHECK_OK("arm 20 ms", arm(id, 0, 20 * MS, 0));
	if (check_long("one-shot signal", SIGUSR1, wait_sig(SIGUSR1, &si))) {
		check_long("si_code", SI_TIMER, si.si_code);
		check_long("si_value", 77, si.si_value.sival_int);
		check_long("si_overrun", 0, si.si_overrun);
		check_long("si_timerid", (long)(intptr_t)id, si.si_timerid);
	}
	CHECK_OK("timer_gettime after", timer_gettime(id, &cur));
	check_long("expired one-shot reads 0", 0, cur.it_value.tv_sec + cur.it_value.tv_nsec);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	CHECK_ERRNO("fires once only", sigtimedwait(&s, NULL, &zero), EAGAIN);
	CHECK_OK("timer_delete", timer_delete(id));
	CHECK_ERRNO("gettime after delete", timer_gettime(id, &cur), EINVAL);
	CHECK_ERRNO("settime after delete", arm(id, 0, MS, 0), EINVAL);
	CHECK_ERRNO("getoverrun after delete", timer_getoverrun(id), EINVAL);
	CHECK_ERRNO("delete twice", timer_delete(id), EINVAL);
}

/* A 1 ms period with its signal left queued for 50 ms: overruns pile up. */
static void periodic_overrun(void)
{
	timer_t id;
	siginfo_t si;
	struct itimerspec cur, old;
	struct timespec nap = { 0, 50 * MS };

	if (!CHECK_OK("timer_create periodic", make(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIGUSR2, 5, &id)))
		return;
	CHECK_OK("arm 1 ms period", arm(id, 0, MS, MS));
	nanosleep(&nap, NULL);
	if (check_long("periodic signal", SIGUSR2, wait_sig(SIGUSR2, &si))) {
		check_long("si_code", SI_TIMER, si.si_code);
		check_long("si_value", 5, si.si_value.sival_int);
		check_true("si_overrun counts the queued periods (> 5)", si.si_overrun > 5);
		check_long("timer_getoverrun = si_overrun", si.si_overrun, timer_getoverrun(id));
	}
	check_long("and again", SIGUSR2, wait_sig(SIGUSR2, &si));
	CHECK_OK("timer_gettime periodic", timer_gettime(id, &cur));
	check_long("interval", MS, cur.it_interval.tv_nsec);
	check_true("value within a period", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= MS);
	{
		struct itimerspec off = { { 0, 0 }, { 0, 0 } };

		CHECK_OK("disarm", timer_settime(id, 0, &off, &old));
		check_long("old interval", MS, old.it_interval.tv_nsec);
	}
	check_long("overrun reset by settime", 0, timer_getoverrun(id));
	{
		struct timespec zero = { 0, 0 };
		sigset_t s;

		sigemptyset(&s);
		sigaddset(&s, SIGUSR2);
		/* A signal of the old setting may be dropped or taken; then none. */
		sigtimedwait(&s, NULL, &zero);
		nanosleep(&nap, NULL);
		CHECK_ERRNO("disarmed: no more", sigtimedwait(&s, NULL, &zero), EAGAIN);
	}
	timer_delete(id);
}

static void sigev_none(void)
{
	timer_t id;
	struct itimerspec a, b;
	struct timespec nap = { 0, 20 * MS }, zero = { 0, 0 };
	sigset_t s;

	if (!CHECK_OK("timer_create SIGEV_NONE", make(CLOCK_MONOTONIC, SIGEV_NONE, SIGUSR1, 0, &id)))
		return;
	CHECK_OK("arm 5 s", arm(id, 0, 5000 * MS, 0));
	CHECK_OK("gettime a", timer_gettime(id, &a));
	nanosleep(&nap, NULL);
	CHECK_OK("gettime b", timer_gettime(id, &b));
	check_true("counts down",
		   b.it_value.tv_sec * 1000000000L + b.it_value.tv_nsec <
			   a.it_value.tv_sec * 1000000000L + a.it_value.tv_nsec);
	check_true("not expired", a.it_value.tv_sec >= 4);
	CHECK_OK("arm 1 ms", arm(id, 0, MS, 0));
	nanosleep(&nap, NULL);
	CHECK_OK("gettime expired", timer_gettime(id, &b));
	check_long("expired SIGEV_NONE reads 0", 0, b.it_value.tv_sec + b.it_value.tv_nsec);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	CHECK_ERRNO("SIGEV_NONE sends nothing", sigtimedwait(&s, NULL, &zero), EAGAIN);
	timer_delete(id);
}

/* ABSTIME in the past fires at once; a NULL sigevent is SIGALRM + id. */
static void abstime_and_default(void)
{
	timer_t id;
	siginfo_t si;
	struct itimerspec it = { { 0, 0 }, { 1, 0 } }; /* 1 s after the epoch */
	int kid = -1;

	/* The kernel's own NULL case: glibc passes a sigevent of its own. */
	if (!CHECK_OK("timer_create NULL sigevent",
		      syscall(SYS_timer_create, CLOCK_REALTIME, NULL, &kid)))
		return;
	CHECK_OK("arm ABSTIME past", syscall(SYS_timer_settime, kid, TIMER_ABSTIME, &it, NULL));
	if (check_long("fires at once", SIGALRM, wait_sig(SIGALRM, &si))) {
		check_long("default si_code", SI_TIMER, si.si_code);
		check_long("default si_value is the id", kid, si.si_value.sival_int);
		check_long("default si_timerid", kid, si.si_timerid);
	}
	syscall(SYS_timer_delete, kid);
	if (CHECK_OK("timer_create BOOTTIME", make(CLOCK_BOOTTIME, SIGEV_SIGNAL, SIGUSR1, 3, &id))) {
		CHECK_OK("arm BOOTTIME", arm(id, 0, 5 * MS, 0));
		check_long("BOOTTIME fires", SIGUSR1, wait_sig(SIGUSR1, &si));
		timer_delete(id);
	}
}

static void errors(void)
{
	timer_t id;
	struct sigevent ev;
	struct itimerspec it = { { 0, 0 }, { 0, 1000000000L } };

	CHECK_ERRNO("bad clock", make(12345, SIGEV_SIGNAL, SIGUSR1, 0, &id), EINVAL);
	CHECK_ERRNO("bad notify", make(CLOCK_MONOTONIC, 99, SIGUSR1, 0, &id), EINVAL);
	CHECK_ERRNO("bad signal", make(CLOCK_MONOTONIC, SIGEV_SIGNAL, 0, 0, &id), EINVAL);
	CHECK_ERRNO("signal past SIGRTMAX", make(CLOCK_MONOTONIC, SIGEV_SIGNAL, 65, 0, &id), EINVAL);
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGUSR1;
	ev._sigev_un._tid = 999999;
	CHECK_ERRNO("SIGEV_THREAD_ID of no thread", timer_create(CLOCK_MONOTONIC, &ev, &id), EINVAL);
	CHECK_ERRNO("bad sigevent pointer",
		    syscall(SYS_timer_create, CLOCK_MONOTONIC, bad_address(), &id), EFAULT);
	CHECK_ERRNO("never made", timer_delete((timer_t)(intptr_t)12345), EINVAL);
	if (CHECK_OK("timer_create", make(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, &id))) {
		CHECK_ERRNO("tv_nsec too big", timer_settime(id, 0, &it, NULL), EINVAL);
		CHECK_ERRNO("NULL new value", syscall(SYS_timer_settime, id, 0, NULL, NULL), EINVAL);
		timer_delete(id);
	}
}

static volatile pid_t got_tid;
static volatile int got;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si->si_code == SI_TIMER) {
		got_tid = gettid();
		got = 1;
	}
}

static pid_t worker_tid;
static volatile int stop;

static void *worker(void *arg)
{
	sigset_t s;

	(void)arg;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	worker_tid = gettid();
	while (!stop)
		usleep(1000);
	return NULL;
}

/* SIGEV_THREAD_ID: the handler runs on the thread named, which alone
 * unblocks the signal; the main thread never sees it. */
static void thread_id(void)
{
	struct sigaction sa = { 0 };
	struct sigevent ev;
	pthread_t th;
	timer_t id;

	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	if (!check_long("pthread_create", 0, pthread_create(&th, NULL, worker, NULL)))
		return;
	for (int i = 0; i < 10000 && !worker_tid; i++)
		usleep(1000);
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGUSR1;
	ev._sigev_un._tid = worker_tid;
	if (CHECK_OK("timer_create SIGEV_THREAD_ID", timer_create(CLOCK_MONOTONIC, &ev, &id))) {
		CHECK_OK("arm", arm(id, 0, 5 * MS, 0));
		for (int i = 0; i < 10000 && !got; i++)
			usleep(1000);
		check_true("delivered", got);
		check_true("on the thread named", got_tid == worker_tid);
		timer_delete(id);
	}
	stop = 1;
	pthread_join(th, NULL);
}

int main(void)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGUSR2);
	sigaddset(&s, SIGALRM);
	sigprocmask(SIG_BLOCK, &s, NULL);
	one_shot();
	periodic_overrun();
	sigev_none();
	abstime_and_default();
	errors();
	thread_id();
	printf("timer_posix: done\n");
	return check_exit("timer_posix");
}
