// SPDX-License-Identifier: Apache-2.0
/*
 * A blocking call a handler interrupts (kernel/signal.c, the -ERESTART*
 * codes): read on an empty pipe and wait4 go on after the handler with
 * SA_RESTART (the pipe's data, the child's exit arrive later) and fail
 * with EINTR without it; a futex wait without a timeout is restarted under
 * SA_RESTART (it then sees the word the handler changed: EAGAIN) and fails
 * with EINTR without it, while one with a timeout fails with EINTR either
 * way. nanosleep and clock_nanosleep fail with EINTR and write the time
 * left, and poll, ppoll, select and pause fail with EINTR, SA_RESTART or
 * not;
 * ppoll's mask is in place while its handler runs, the caller's after.
 * sigsuspend fails with EINTR after the handler, which runs with the
 * suspend mask (plus its own signal) in place, and the old mask is back
 * afterwards.
 *
 * The signals come from ITIMER_REAL or from a child; the call under test
 * is entered at once, long before either fires, and the handler checks it
 * interrupted that call.
 */
#include "sig.h"

#include <linux/futex.h>
#include <poll.h>
#include <sys/select.h>

/* Long enough that the call has begun when the timer fires, even on a
 * loaded qemu where each of umbra's syscalls takes milliseconds. */
#define FIRE_MS 100
#define LONG_S 2

static volatile int hits, hits_in_call, in_call;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	hits++;
	if (in_call)
		hits_in_call++;
}

/* The handler for sig, with or without SA_RESTART. */
static void handle(int sig, int restart)
{
	sig_install("handler", sig, on_signal, restart ? SA_RESTART : 0, NULL);
	hits = hits_in_call = in_call = 0;
}

static void begin(void)
{
	hits = hits_in_call = 0;
	in_call = 1;
}

static void end(void)
{
	in_call = 0;
	sig_alarm_off();
}

/* The handler ran once, while the call was in progress. */
static void check_interrupted(const char *what)
{
	char w[160];

	snprintf(w, sizeof(w), "%s: the handler runs once", what);
	check_long(w, 1, hits);
	snprintf(w, sizeof(w), "%s: the signal came during the call", what);
	check_long(w, hits, hits_in_call);
}

static const char *restart_name(int restart)
{
	return restart ? "with SA_RESTART" : "without SA_RESTART";
}

/* A child interrupts the read with SIGUSR1, then writes a byte. */
static void read_restarted(void)
{
	const char *what = "read on an empty pipe, with SA_RESTART";
	int p[2];
	pid_t pid;
	char c = 0;
	ssize_t n;

	if (!proc_pipe(what, p))
		return;
	handle(SIGUSR1, 1);
	pid = proc_fork(what);
	if (pid == 0) {
		close(p[0]);
		proc_sleep_ms(2 * FIRE_MS);
		kill(getppid(), SIGUSR1);
		proc_sleep_ms(3 * FIRE_MS);
		_exit(write(p[1], "x", 1) == 1 ? 0 : 1);
	}
	close(p[1]);
	if (pid > 0) {
		begin();
		n = read(p[0], &c, 1);
		end();
		if (check_long("read with SA_RESTART: goes on to the child's byte", 1,
			       n))
			check_long("read with SA_RESTART: the byte", 'x', c);
		check_interrupted(what);
		proc_reap(what, pid, PROC_EXITED(0));
	}
	close(p[0]);
	sig_default(SIGUSR1);
}

static void read_eintr(void)
{
	const char *what = "read on an empty pipe, without SA_RESTART";
	char c;
	int p[2];

	if (!proc_pipe(what, p))
		return;
	handle(SIGALRM, 0);
	begin();
	sig_alarm_ms(FIRE_MS);
	CHECK_ERRNO("read without SA_RESTART", read(p[0], &c, 1), EINTR);
	end();
	check_interrupted(what);
	close(p[0]);
	close(p[1]);
	sig_default(SIGALRM);
}

/* The child ends by itself well after the signal. */
static void wait4_case(int restart)
{
	char what[96];
	int status = -1;
	pid_t pid, r;
	int err;

	snprintf(what, sizeof(what), "wait4 %s", restart_name(restart));
	handle(SIGALRM, restart);
	pid = proc_fork(what);
	if (pid == 0) {
		proc_sleep_ms(restart ? 4 * FIRE_MS : 20 * FIRE_MS);
		_exit(5);
	}
	if (pid > 0) {
		begin();
		sig_alarm_ms(FIRE_MS);
		r = wait4(pid, &status, 0, NULL);
		err = errno;
		end();
		if (restart) {
			if (check_long("wait4 with SA_RESTART: goes on to the child's exit",
				       pid, r)) {
				proc_forget(pid);
				check_status("wait4 with SA_RESTART: status",
					     PROC_EXITED(5), status);
			}
		} else {
			check_errno("wait4 without SA_RESTART", r, err, EINTR);
		}
		check_interrupted(what);
		if (r != pid) {
			kill(pid, SIGKILL);
			proc_wait(pid, NULL, 0);
		}
	}
	sig_default(SIGALRM);
}

static long futex_wait(volatile int *word, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, ts, NULL, 0);
}

/* The handler changes the word: a restarted wait finds it changed. */
static volatile int futex_word;

static void on_signal_futex(int sig, siginfo_t *si, void *uc)
{
	futex_word = 1;
	on_signal(sig, si, uc);
}

static void futex_case(int restart, int timeout)
{
	struct timespec ts = { LONG_S, 0 };
	char what[96];
	long r;
	int err;

	snprintf(what, sizeof(what), "futex wait %s, %s",
		 timeout ? "with a timeout" : "without a timeout",
		 restart_name(restart));
	sig_install(what, SIGALRM, on_signal_futex, restart ? SA_RESTART : 0,
		    NULL);
	futex_word = 0;
	begin();
	sig_alarm_ms(FIRE_MS);
	r = futex_wait(&futex_word, 0, timeout ? &ts : NULL);
	err = errno;
	end();
	/* Restarted, the wait meets the handler's 1: EAGAIN. */
	check_errno(what, r, err, restart && !timeout ? EAGAIN : EINTR);
	check_interrupted(what);
	sig_default(SIGALRM);
}

static void check_left(const char *what, const struct timespec *rem)
{
	long long ns = rem->tv_sec * 1000000000LL + rem->tv_nsec;

	if (ns <= 0 || ns >= LONG_S * 1000000000LL ||
	    ns < (LONG_S * 1000LL - 20 * FIRE_MS) * 1000000LL)
		fail("%s: the time left: expected a little under %d s got %lld.%09ld",
		     what, LONG_S, (long long)rem->tv_sec, rem->tv_nsec);
}

static void sleeps(int restart)
{
	struct timespec ts = { LONG_S, 0 }, rem = { -1, -1 };
	char what[96];
	int r;

	handle(SIGALRM, restart);
	snprintf(what, sizeof(what), "nanosleep %s", restart_name(restart));
	begin();
	sig_alarm_ms(FIRE_MS);
	CHECK_ERRNO(what, nanosleep(&ts, &rem), EINTR);
	end();
	check_interrupted(what);
	check_left(what, &rem);

	snprintf(what, sizeof(what), "clock_nanosleep %s", restart_name(restart));
	rem.tv_sec = rem.tv_nsec = -1;
	begin();
	sig_alarm_ms(FIRE_MS);
	r = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &rem);
	end();
	check_err_ret(what, r, EINTR);
	check_interrupted(what);
	check_left(what, &rem);
	sig_default(SIGALRM);
}

/* The mask the handler ran with. */
static volatile unsigned long long suspend_seen_mask;

static void on_signal_mask(int sig, siginfo_t *si, void *uc)
{
	suspend_seen_mask = sig_mask_now();
	on_signal(sig, si, uc);
}

static void waits_for_events(void)
{
	struct timespec ts = { LONG_S, 0 };
	struct timeval tv = { LONG_S, 0 };
	int block[] = { SIGALRM, 0 }, during[] = { SIGUSR2, 0 };
	sigset_t wait_mask = sig_set_of(during);
	struct pollfd pfd;
	fd_set rd;
	int p[2];

	if (!proc_pipe("poll", p))
		return;
	sig_install("ppoll", SIGALRM, on_signal_mask, SA_RESTART, NULL);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	pfd.revents = 0;
	begin();
	sig_alarm_ms(FIRE_MS);
	CHECK_ERRNO("poll with SA_RESTART", poll(&pfd, 1, LONG_S * 1000), EINTR);
	end();
	check_interrupted("poll with SA_RESTART");

	/* ppoll with a mask that lets SIGALRM through the caller's. */
	sig_set_mask(block);
	pfd.revents = 0;
	suspend_seen_mask = ~0ULL;
	begin();
	sig_alarm_ms(FIRE_MS);
	CHECK_ERRNO("ppoll with SA_RESTART",
		    ppoll(&pfd, 1, &ts, &wait_mask), EINTR);
	end();
	check_interrupted("ppoll with SA_RESTART");
	check_sigs("ppoll: the mask in the handler",
		   sig_bit(SIGUSR2) | sig_bit(SIGALRM), suspend_seen_mask);
	check_sigs("ppoll: the mask after", sig_bit(SIGALRM), sig_mask_now());
	sig_set_mask(NULL);
	handle(SIGALRM, 1);

	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	begin();
	sig_alarm_ms(FIRE_MS);
	CHECK_ERRNO("select with SA_RESTART",
		    select(p[0] + 1, &rd, NULL, NULL, &tv), EINTR);
	end();
	check_interrupted("select with SA_RESTART");

	begin();
	sig_alarm_ms(FIRE_MS);
	CHECK_ERRNO("pause with SA_RESTART", pause(), EINTR);
	end();
	check_interrupted("pause with SA_RESTART");
	close(p[0]);
	close(p[1]);
	sig_default(SIGALRM);
}

static void sigsuspend_case(void)
{
	int old[] = { SIGALRM, SIGUSR1, SIGHUP, 0 };
	int during[] = { SIGUSR2, 0 };
	sigset_t wait_mask = sig_set_of(during);

	/* Pending before the call: it returns at once. */
	sig_install("sigsuspend", SIGUSR1, on_signal_mask, SA_RESTART, NULL);
	sig_set_mask(old);
	raise(SIGUSR1);
	suspend_seen_mask = ~0ULL;
	begin();
	CHECK_ERRNO("sigsuspend with SIGUSR1 pending", sigsuspend(&wait_mask),
		    EINTR);
	end();
	check_interrupted("sigsuspend with SIGUSR1 pending");
	check_sigs("sigsuspend with SIGUSR1 pending: the mask in the handler",
		   sig_bit(SIGUSR2) | sig_bit(SIGUSR1), suspend_seen_mask);
	check_sigs("sigsuspend with SIGUSR1 pending: the mask after",
		   sig_bit(SIGALRM) | sig_bit(SIGUSR1) | sig_bit(SIGHUP),
		   sig_mask_now());
	check_sigs("sigsuspend with SIGUSR1 pending: nothing pending after", 0,
		   sig_pending_now());

	/* Waiting for ITIMER_REAL, which the old mask blocks. */
	sig_install("sigsuspend", SIGALRM, on_signal_mask, SA_RESTART, NULL);
	suspend_seen_mask = ~0ULL;
	begin();
	sig_alarm_ms(FIRE_MS);
	CHECK_ERRNO("sigsuspend for SIGALRM", sigsuspend(&wait_mask), EINTR);
	end();
	check_interrupted("sigsuspend for SIGALRM");
	check_sigs("sigsuspend for SIGALRM: the mask in the handler",
		   sig_bit(SIGUSR2) | sig_bit(SIGALRM), suspend_seen_mask);
	check_sigs("sigsuspend for SIGALRM: the mask after",
		   sig_bit(SIGALRM) | sig_bit(SIGUSR1) | sig_bit(SIGHUP),
		   sig_mask_now());
	sig_set_mask(NULL);
	sig_default(SIGUSR1);
	sig_default(SIGALRM);
}

int main(void)
{
	proc_default_signals();
	read_restarted();
	read_eintr();
	wait4_case(1);
	wait4_case(0);
	futex_case(1, 0);
	futex_case(0, 0);
	futex_case(1, 1);
	sleeps(1);
	sleeps(0);
	waits_for_events();
	sigsuspend_case();
	proc_finish();
	printf("signal_restart: done\n");
	return check_exit("signal_restart");
}
