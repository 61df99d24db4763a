/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for the signal tests (signal_*): handlers installed with
 * sigaction, masks read and compared by name, a one-shot ITIMER_REAL, and
 * children that die of a signal without leaving a core file.
 *
 * Handlers record what they saw in globals and never print; the test checks
 * the record afterwards.
 */
#ifndef UMBRA_GUEST_SIG_H
#define UMBRA_GUEST_SIG_H

#include "proc.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>

typedef void (*sig_action_fn)(int, siginfo_t *, void *);

/* sigaction(sig) with an SA_SIGINFO handler, flags and the signals of
 * mask (0-terminated list, may be NULL) blocked while it runs. */
static inline int sig_install(const char *what, int sig, sig_action_fn fn,
			      int flags, const int *mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	for (; mask && *mask; mask++)
		sigaddset(&sa.sa_mask, *mask);
	if (sigaction(sig, &sa, NULL) != 0) {
		fail("%s: sigaction(%s): expected 0 got -1 (errno %s)", what,
		     sigabbrev_np(sig) ?: "?", err_name(errno));
		return 0;
	}
	return 1;
}

/* The same with sa_mask full: nothing else is delivered while it runs. */
static inline int sig_install_masked(const char *what, int sig,
				     sig_action_fn fn, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigfillset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) != 0) {
		fail("%s: sigaction(%s): expected 0 got -1 (errno %s)", what,
		     sigabbrev_np(sig) ?: "?", err_name(errno));
		return 0;
	}
	return 1;
}

static inline void sig_default(int sig)
{
	signal(sig, SIG_DFL);
}

/* A sigset from a 0-terminated list of signals. */
static inline sigset_t sig_set_of(const int *sigs)
{
	sigset_t s;

	sigemptyset(&s);
	for (; sigs && *sigs; sigs++)
		sigaddset(&s, *sigs);
	return s;
}

/* The calling thread's mask, as a word of the signals 1-64 (bit n-1). */
static inline unsigned long long sig_word(const sigset_t *s)
{
	unsigned long long w = 0;

	for (int n = 1; n <= 64; n++)
		if (sigismember(s, n) == 1)
			w |= 1ULL << (n - 1);
	return w;
}

static inline unsigned long long sig_mask_now(void)
{
	sigset_t s;

	sigprocmask(SIG_BLOCK, NULL, &s);
	return sig_word(&s);
}

static inline unsigned long long sig_pending_now(void)
{
	sigset_t s;

	sigemptyset(&s);
	sigpending(&s);
	return sig_word(&s);
}

static inline unsigned long long sig_bit(int sig)
{
	return 1ULL << (sig - 1);
}

/* Signal sets compared by their members' names. */
static inline const char *sig_names(unsigned long long w, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int n = 1; n <= 64 && at < len; n++) {
		if (!(w & sig_bit(n)))
			continue;
		at += (size_t)snprintf(buf + at, len - at, "%s%s",
				       at ? "," : "", sigabbrev_np(n) ?: "RT");
	}
	if (!buf[0])
		snprintf(buf, len, "none");
	return buf;
}

static inline int check_sigs(const char *what, unsigned long long expected,
			     unsigned long long got)
{
	char a[256], b[256];

	if (expected != got) {
		fail("%s: expected {%s} got {%s}", what,
		     sig_names(expected, a, sizeof(a)),
		     sig_names(got, b, sizeof(b)));
		return 0;
	}
	return 1;
}

static inline void sig_set_mask(const int *sigs)
{
	sigset_t s = sig_set_of(sigs);

	sigprocmask(SIG_SETMASK, &s, NULL);
}

/* A one-shot ITIMER_REAL: SIGALRM after ms milliseconds. */
static inline void sig_alarm_ms(long ms)
{
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };

	if (setitimer(ITIMER_REAL, &it, NULL) != 0)
		fail("setitimer(ITIMER_REAL, %ld ms): errno %s", ms,
		     err_name(errno));
}

static inline void sig_alarm_off(void)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
}

/* For a child about to die of a signal: no core file anywhere. */
static inline void sig_no_core(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* Reaps pid and checks it died of sig (a core dump flag aside). */
static inline int sig_reap_killed(const char *what, pid_t pid, int sig)
{
	int status = 0;
	char a[48], b[48];

	if (pid <= 0)
		return 0;
	if (proc_wait(pid, &status, 0) != pid) {
		fail("%s: wait4: expected the child got -1 (errno %s)", what,
		     err_name(errno));
		return 0;
	}
	if (!WIFSIGNALED(status) || WTERMSIG(status) != sig) {
		fail("%s: expected %s got %s", what,
		     proc_status_name(PROC_KILLED(sig), a, sizeof(a)),
		     proc_status_name(status, b, sizeof(b)));
		return 0;
	}
	return 1;
}

static inline long sig_tgkill(pid_t tgid, pid_t tid, int sig)
{
	return syscall(SYS_tgkill, tgid, tid, sig);
}

static inline long sig_tkill(pid_t tid, int sig)
{
	return syscall(SYS_tkill, tid, sig);
}

#endif /* UMBRA_GUEST_SIG_H */
