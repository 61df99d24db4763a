// SPDX-License-Identifier: Apache-2.0
/*
 * Real-time signals queue (kernel/signal.c __send_signal, signal(7)): each
 * one sent while others of its number are pending is kept, with its own
 * siginfo, and they are taken lowest number first, in the order sent within
 * a number; a standard signal sent again while pending stays one. The same
 * holds for a thread's own queue (rt_tgsigqueueinfo) and for delivery to a
 * handler, which runs once per instance. Past RLIMIT_SIGPENDING sigqueue
 * fails with EAGAIN and a kill adds no instance (the one pending stays).
 */
#include "sig.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RT_A (SIGRTMIN + 1)
#define RT_B (SIGRTMIN + 3)

static volatile int handled[8];
static volatile int handled_n;

static void queue(int sig, int value)
{
	union sigval v = { .sival_int = value };

	if (sigqueue(getpid(), sig, v) != 0)
		fail("sigqueue(%d, %d): errno %s", sig, value, err_name(errno));
}

/* Takes the next pending signal of set, checking its number and value. */
static void expect(const char *what, const sigset_t *set, int sig, int value)
{
	struct timespec zero = { 0, 0 };
	siginfo_t si;
	int got = sigtimedwait(set, &si, &zero);

	if (got != sig) {
		fail("%s: expected signal %d got %d (errno %s)", what, sig, got,
		     err_name(errno));
		return;
	}
	if (value >= 0)
		check_long(what, value, si.si_value.sival_int);
}

static void queued_in_order(void)
{
	sigset_t set;
	char what[64];

	sigemptyset(&set);
	sigaddset(&set, RT_A);
	sigaddset(&set, RT_B);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (int i = 1; i <= 5; i++)
		queue(RT_B, 10 + i);
	queue(RT_A, 1);
	queue(RT_A, 2);
	for (int i = 0; i < 3; i++)
		kill(getpid(), SIGUSR1);
	expect("SIGUSR1 first, once", &set, SIGUSR1, -1);
	expect("the lower real-time signal, first sent", &set, RT_A, 1);
	expect("the lower real-time signal, second sent", &set, RT_A, 2);
	for (int i = 1; i <= 5; i++) {
		snprintf(what, sizeof(what), "the higher real-time signal, #%d", i);
		expect(what, &set, RT_B, 10 + i);
	}
	{
		struct timespec zero = { 0, 0 };

		CHECK_ERRNO("nothing left", sigtimedwait(&set, NULL, &zero), EAGAIN);
	}
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	printf("queued in order: done\n");
}

static void thread_queue(void)
{
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, RT_A);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (int i = 0; i < 3; i++) {
		memset(&si, 0, sizeof(si));
		si.si_signo = RT_A;
		si.si_code = SI_QUEUE;
		si.si_pid = getpid();
		si.si_uid = getuid();
		si.si_value.sival_int = 100 + i;
		if (syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), RT_A, &si) != 0)
			fail("rt_tgsigqueueinfo #%d: errno %s", i, err_name(errno));
	}
	expect("the thread's queue, first", &set, RT_A, 100);
	expect("the thread's queue, second", &set, RT_A, 101);
	expect("the thread's queue, third", &set, RT_A, 102);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	printf("thread queue: done\n");
}

static void on_rt(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	if (handled_n < 8)
		handled[handled_n++] = si->si_value.sival_int;
}

static void handler_per_instance(void)
{
	sigset_t set;

	sig_install("RT_A", RT_A, on_rt, 0, NULL);
	sigemptyset(&set);
	sigaddset(&set, RT_A);
	sigprocmask(SIG_BLOCK, &set, NULL);
	queue(RT_A, 7);
	queue(RT_A, 8);
	queue(RT_A, 9);
	sigprocmask(SIG_UNBLOCK, &set, NULL); /* all three run before it returns */
	if (check_long("the handler ran once per instance", 3, handled_n)) {
		check_long("first instance's value", 7, handled[0]);
		check_long("second instance's value", 8, handled[1]);
		check_long("third instance's value", 9, handled[2]);
	}
	sig_default(RT_A);
	printf("handler per instance: done\n");
}

/* How many instances of sig are pending (taken off to count them). */
static int drain(int sig)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;
	int n = 0;

	sigemptyset(&set);
	sigaddset(&set, sig);
	while (n < 100 && sigtimedwait(&set, NULL, &zero) == sig)
		n++;
	return n;
}

/* Signals already counted against this user's RLIMIT_SIGPENDING (SigQ's
 * first number): other processes' queued signals and POSIX timers count
 * too on a shared host. 0 when unknown. */
static int user_sigq(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "SigQ: %d/", &n) == 1)
			break;
	fclose(f);
	return n;
}

static void pending_limit(void)
{
	struct rlimit old, lim;
	union sigval v = { .sival_int = 0 };
	sigset_t set;
	int queued = 0, refused = 0, used = user_sigq();

	sigemptyset(&set);
	sigaddset(&set, RT_B);
	sigprocmask(SIG_BLOCK, &set, NULL);
	getrlimit(RLIMIT_SIGPENDING, &old);
	lim = old;
	lim.rlim_cur = 4;
	CHECK_OK("setrlimit(RLIMIT_SIGPENDING, 4)", setrlimit(RLIMIT_SIGPENDING, &lim));
	for (int i = 0; i < 10; i++) {
		if (sigqueue(getpid(), RT_B, v) == 0)
			queued++;
		else if (errno == EAGAIN)
			refused++;
		else
			fail("sigqueue past the limit: expected EAGAIN got %s", err_name(errno));
	}
	check_true("sigqueue is refused (EAGAIN) past RLIMIT_SIGPENDING", refused > 0);
	check_true("and some were queued before",
		   queued >= 3 - used && queued <= 5 - used && queued >= 0);
	CHECK_OK("kill past the limit", kill(getpid(), RT_B));
	check_long("every accepted instance is pending, and kill added none", queued, drain(RT_B));
	setrlimit(RLIMIT_SIGPENDING, &old);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	printf("pending limit: done\n");
}

int main(void)
{
	queued_in_order();
	pending_limit();
	thread_queue();
	handler_per_instance();
	return check_exit("signal_rt_queue");
}
