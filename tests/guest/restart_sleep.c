/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sleeps that a signal interrupts without running a handler go on to their
 * full length (Linux's -ERESTART_RESTARTBLOCK and restart_syscall, or a
 * restart of an absolute sleep): a child stops the test with SIGSTOP and
 * continues it with SIGCONT in the middle of nanosleep, clock_nanosleep,
 * poll and a futex wait, and each still lasts at least what was asked and
 * ends at its first deadline (a restart from scratch would add the time
 * spent before and during the stop). A signal with a handler ends the
 * sleep with EINTR and the time left in rem; restart_syscall called with
 * nothing to restart fails with EINTR.
 */
#include "check.h"

#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000LL
#define SLEEP_NS (800 * MS)
#define STOP_AT_NS (200 * MS)
#define STOPPED_NS (300 * MS)
/* Loose (slow emulated machines run these): the right end is SLEEP_NS; a
 * restart from scratch ends past STOP_AT + STOPPED + SLEEP (1300 ms). */
#define LATEST_NS (1250 * MS)

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void nap(int64_t ns)
{
	struct timespec ts = { ns / 1000000000LL, ns % 1000000000LL };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A child that stops the parent STOP_AT_NS from now and continues it
 * STOPPED_NS later, or sends sig instead of the stop when sig is not 0. */
static pid_t disturb(int sig)
{
	pid_t parent = getpid(), pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		nap(STOP_AT_NS);
		kill(parent, sig ? sig : SIGSTOP);
		nap(STOPPED_NS);
		kill(parent, SIGCONT);
		_exit(0);
	}
	if (pid < 0)
		fail("fork: expected a pid got -1 (errno %s)", err_name(errno));
	return pid;
}

static void reap(const char *what, pid_t pid)
{
	int status = -1;

	if (pid <= 0)
		return;
	if (waitpid(pid, &status, 0) != pid || status != 0)
		fail("%s: the disturbing child: expected status 0 got %#x", what, status);
}

static void check_span(const char *what, int64_t start, int64_t want)
{
	int64_t took = now_ns() - start;

	if (took < want)
		fail("%s: expected at least %lld ms got %lld ms", what, (long long)(want / MS),
		     (long long)(took / MS));
	if (took > LATEST_NS)
		fail("%s: expected at most %lld ms got %lld ms (restarted from scratch?)", what,
		     (long long)(LATEST_NS / MS), (long long)(took / MS));
}

static const struct timespec req = { SLEEP_NS / 1000000000LL, SLEEP_NS % 1000000000LL };

static void stopped_nanosleep(void)
{
	struct timespec rem = { 0, 0 };
	int64_t start = now_ns();
	pid_t pid = disturb(0);
	long r = syscall(SYS_nanosleep, &req, &rem);

	check_long("nanosleep across a stop: result", 0, r);
	check_span("nanosleep across a stop", start, SLEEP_NS);
	reap("nanosleep", pid);
	printf("nanosleep across a stop: full length\n");
}

static void stopped_clock_nanosleep(void)
{
	int64_t start = now_ns();
	pid_t pid = disturb(0);
	int r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);

	check_err_ret("clock_nanosleep across a stop", r, 0);
	check_span("clock_nanosleep across a stop", start, SLEEP_NS);
	reap("clock_nanosleep", pid);
	printf("clock_nanosleep across a stop: full length\n");
}

static void stopped_clock_nanosleep_abs(void)
{
	struct timespec end;
	int64_t start = now_ns(), e = start + SLEEP_NS;
	pid_t pid;
	int r;

	end.tv_sec = e / 1000000000LL;
	end.tv_nsec = e % 1000000000LL;
	pid = disturb(0);
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &end, NULL);
	check_err_ret("clock_nanosleep TIMER_ABSTIME across a stop", r, 0);
	check_span("clock_nanosleep TIMER_ABSTIME across a stop", start, SLEEP_NS);
	reap("clock_nanosleep TIMER_ABSTIME", pid);
	printf("clock_nanosleep TIMER_ABSTIME across a stop: full length\n");
}

static void stopped_poll(void)
{
	int64_t start = now_ns();
	pid_t pid = disturb(0);
	int r = poll(NULL, 0, (int)(SLEEP_NS / MS));

	check_long("poll across a stop: result", 0, r);
	check_span("poll across a stop", start, SLEEP_NS);
	reap("poll", pid);
	printf("poll across a stop: full length\n");
}

static void stopped_futex(void)
{
	static uint32_t word;
	int64_t start = now_ns();
	pid_t pid = disturb(0);
	long r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &req, NULL, 0);
	int err = errno;

	check_errno("futex wait across a stop", r, err, ETIMEDOUT);
	check_span("futex wait across a stop", start, SLEEP_NS);
	reap("futex", pid);
	printf("futex wait across a stop: full length\n");
}

/* An ignored signal is dropped as it is sent: the sleep goes on. */
static void ignored_signal(void)
{
	int64_t start = now_ns();
	pid_t pid;
	long r;

	signal(SIGUSR1, SIG_IGN);
	pid = disturb(SIGUSR1);
	r = syscall(SYS_nanosleep, &req, NULL);
	check_long("nanosleep with an ignored signal: result", 0, r);
	check_span("nanosleep with an ignored signal", start, SLEEP_NS);
	reap("ignored signal", pid);
	signal(SIGUSR1, SIG_DFL);
	printf("nanosleep with an ignored signal: full length\n");
}

static volatile sig_atomic_t caught;

static void on_usr1(int sig)
{
	(void)sig;
	caught++;
}

/* A handler ends the sleep: EINTR, and rem holds what was left. */
static void handled_signal(void)
{
	struct sigaction sa;
	struct timespec rem = { -1, -1 };
	pid_t pid;
	long r;
	int err;
	int64_t left;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART; /* nanosleep ignores it */
	sigaction(SIGUSR1, &sa, NULL);
	pid = disturb(SIGUSR1);
	r = syscall(SYS_nanosleep, &req, &rem);
	err = errno;
	check_errno("nanosleep with a handler", r, err, EINTR);
	check_long("nanosleep with a handler: handler ran", 1, caught);
	left = rem.tv_sec * 1000000000LL + rem.tv_nsec;
	if (rem.tv_nsec < 0 || rem.tv_nsec >= 1000000000L || left <= 0 || left >= SLEEP_NS)
		fail("nanosleep with a handler: rem: expected between 0 and %lld ms got %lld.%09ld",
		     (long long)(SLEEP_NS / MS), (long long)rem.tv_sec, rem.tv_nsec);
	/* clock_nanosleep returns the error number itself. */
	rem.tv_sec = -1;
	caught = 0;
	reap("handler", pid);
	pid = disturb(SIGUSR1);
	check_err_ret("clock_nanosleep with a handler",
		      clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem), EINTR);
	check_true("clock_nanosleep with a handler: rem set", rem.tv_sec >= 0);
	reap("handler", pid);
	signal(SIGUSR1, SIG_DFL);
	printf("nanosleep and clock_nanosleep with a handler: EINTR, rem set\n");
}

int main(void)
{
	long r = syscall(SYS_restart_syscall);
	int err = errno;

	/* Nothing was interrupted: do_no_restart_syscall. */
	check_errno("restart_syscall with nothing to restart", r, err, EINTR);
	printf("restart_syscall alone: EINTR\n");
	stopped_nanosleep();
	stopped_clock_nanosleep();
	stopped_clock_nanosleep_abs();
	stopped_poll();
	stopped_futex();
	ignored_signal();
	handled_signal();
	return check_exit("restart_sleep");
}
