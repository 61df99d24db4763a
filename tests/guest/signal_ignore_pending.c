// SPDX-License-Identifier: Apache-2.0
/*
 * sigaction to an action that ignores a signal discards it where it is
 * pending, blocked or not (kernel/signal.c do_sigaction, POSIX 3.3.1.3):
 * SIG_IGN for any signal, and SIG_DFL for one whose default is to ignore
 * (SIGCHLD, SIGWINCH, SIGURG). Setting a handler, or SIG_DFL for a signal
 * whose default is not to ignore, leaves it pending; it is then delivered
 * at unblock.
 */
#include "sig.h"

static volatile int hits;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	hits++;
}

/* sig blocked and pending (sent by kill or tgkill), then its action
 * changed by set(): pending afterwards as expected says. */
static void pending_then(const char *what, int sig, int by_tgkill,
			 void (*set)(int), int stays)
{
	int block[] = { sig, 0 };
	char w[160];

	sig_install(what, sig, on_signal, 0, NULL);
	sig_set_mask(block);
	hits = 0;
	if (by_tgkill)
		sig_tgkill(getpid(), gettid(), sig);
	else
		kill(getpid(), sig);
	snprintf(w, sizeof(w), "%s: pending while blocked", what);
	check_sigs(w, sig_bit(sig), sig_pending_now());
	set(sig);
	snprintf(w, sizeof(w), "%s: pending after sigaction", what);
	check_sigs(w, stays ? sig_bit(sig) : 0, sig_pending_now());
	/* What stays is delivered at unblock, to a handler put back. */
	if (stays)
		sig_install(what, sig, on_signal, 0, NULL);
	sig_set_mask(NULL);
	snprintf(w, sizeof(w), "%s: deliveries at unblock", what);
	check_long(w, stays, hits);
	sig_default(sig);
}

static void set_ign(int sig)
{
	signal(sig, SIG_IGN);
}

static void set_dfl(int sig)
{
	signal(sig, SIG_DFL);
}

static void set_handler(int sig)
{
	sig_install("a new handler", sig, on_signal, SA_RESTART, NULL);
}

int main(void)
{
	proc_default_signals();
	pending_then("SIGUSR1 from kill, then SIG_IGN", SIGUSR1, 0, set_ign, 0);
	pending_then("SIGUSR1 from tgkill, then SIG_IGN", SIGUSR1, 1, set_ign, 0);
	pending_then("SIGWINCH, then SIG_DFL (ignore)", SIGWINCH, 0, set_dfl, 0);
	pending_then("SIGCHLD, then SIG_DFL (ignore)", SIGCHLD, 1, set_dfl, 0);
	pending_then("SIGUSR1, then SIG_DFL (terminate)", SIGUSR1, 0, set_dfl, 1);
	pending_then("SIGUSR2, then another handler", SIGUSR2, 0, set_handler, 1);
	printf("signal_ignore_pending: done\n");
	return check_exit("signal_ignore_pending");
}
