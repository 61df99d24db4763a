// SPDX-License-Identifier: Apache-2.0
/*
 * Handlers and what they are given (kernel/signal.c): SA_SIGINFO's siginfo
 * for kill (SI_USER, si_pid, si_uid: the caller's or another process's),
 * tkill and tgkill (SI_TKILL), raise, and sigqueue (SI_QUEUE and its
 * value); a self-directed signal is handled before kill returns. SA_RESETHAND puts SIG_DFL back after one delivery
 * (the next one kills). Inside a handler its signal is blocked, unless
 * SA_NODEFER lets it nest; sa_mask is added for the handler's run and the
 * old mask comes back after it. A blocked signal stays pending (sigpending)
 * and is delivered when unblocked; a second instance of a pending standard
 * signal is merged into the first (within its queue: the process's for
 * kill, the thread's for tgkill). An ignored signal is dropped at once,
 * unless blocked: then it stays pending until the unblock drops it.
 * Several pending signals are taken lowest first, the synchronous ones
 * (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS) ahead of the rest;
 * when none masks the others, each delivery stacks its frame on the
 * previous one, so the last taken runs first.
 * SIGCHLD carries CLD_EXITED and the exit status, or CLD_KILLED and the
 * signal; with SIGCHLD ignored, children are reaped at exit (wait4:
 * ECHILD).
 */
#include "sig.h"

#define MAX_SEEN 16

static pid_t me;
static uid_t my_uid;

/* What the recording handler saw, in order. Everything a handler writes
 * is volatile: the compiler cannot know that raise() runs it. */
struct seen {
	int sig; /* the first argument */
	int signo, err, code, pid, uid, status, value; /* of the siginfo */
	unsigned long long mask; /* the mask while it ran */
};

static volatile int nseen;
static volatile struct seen seen[MAX_SEEN];
static volatile int depth, max_depth;

static void reset_seen(void)
{
	nseen = 0;
	depth = max_depth = 0;
	for (int i = 0; i < MAX_SEEN; i++) {
		seen[i].sig = seen[i].signo = seen[i].code = -1;
		seen[i].err = seen[i].pid = seen[i].uid = -1;
		seen[i].status = seen[i].value = -1;
		seen[i].mask = ~0ULL;
	}
}

static void record(int sig, siginfo_t *si, void *uc)
{
	int i = nseen;

	(void)uc;
	if (i < MAX_SEEN) {
		seen[i].sig = sig;
		seen[i].signo = si->si_signo;
		seen[i].err = si->si_errno;
		seen[i].code = si->si_code;
		seen[i].pid = si->si_pid;
		seen[i].uid = (int)si->si_uid;
		seen[i].status = si->si_status;
		seen[i].value = si->si_value.sival_int;
		seen[i].mask = sig_mask_now();
	}
	nseen = i + 1;
}

static void check_info(const char *what, const volatile struct seen *si, int sig,
		       int code, pid_t pid)
{
	char w[160];

	snprintf(w, sizeof(w), "%s: si_signo", what);
	check_long(w, sig, si->signo);
	snprintf(w, sizeof(w), "%s: si_errno", what);
	check_long(w, 0, si->err);
	snprintf(w, sizeof(w), "%s: si_code", what);
	check_long(w, code, si->code);
	snprintf(w, sizeof(w), "%s: si_pid", what);
	check_long(w, pid, si->pid);
	snprintf(w, sizeof(w), "%s: si_uid", what);
	check_long(w, my_uid, si->uid);
}

static void check_one(const char *what, int sig, int code, pid_t pid)
{
	char w[160];

	snprintf(w, sizeof(w), "%s: handler runs", what);
	if (!check_long(w, 1, nseen))
		return;
	snprintf(w, sizeof(w), "%s: the handler's first argument", what);
	check_long(w, sig, seen[0].sig);
	check_info(what, &seen[0], sig, code, pid);
}

/* kill, tkill, tgkill, raise and sigqueue to oneself: handled before they
 * return. */
static void siginfo_of_senders(void)
{
	if (!sig_install("siginfo", SIGUSR1, record, 0, NULL))
		return;
	reset_seen();
	CHECK_OK("kill(self, SIGUSR1)", kill(me, SIGUSR1));
	check_one("kill(self)", SIGUSR1, SI_USER, me);

	reset_seen();
	CHECK_OK("tkill(self, SIGUSR1)", sig_tkill(gettid(), SIGUSR1));
	check_one("tkill(self)", SIGUSR1, SI_TKILL, me);

	reset_seen();
	CHECK_OK("tgkill(self, SIGUSR1)", sig_tgkill(me, gettid(), SIGUSR1));
	check_one("tgkill(self)", SIGUSR1, SI_TKILL, me);

	reset_seen();
	CHECK_OK("raise(SIGUSR1)", raise(SIGUSR1));
	check_one("raise", SIGUSR1, SI_TKILL, me);

	reset_seen();
	CHECK_OK("sigqueue(self, SIGUSR1)",
		 sigqueue(me, SIGUSR1, (union sigval){ .sival_int = 4242 }));
	check_one("sigqueue(self)", SIGUSR1, SI_QUEUE, me);
	if (nseen == 1)
		check_long("sigqueue(self): si_value", 4242, seen[0].value);

	sig_default(SIGUSR1);
}

/* A kill from a child: its pid, seen once the signal is unblocked. */
static void siginfo_from_child(void)
{
	int block[] = { SIGUSR1, 0 };
	pid_t pid;

	if (!sig_install("kill from a child", SIGUSR1, record, 0, NULL))
		return;
	reset_seen();
	sig_set_mask(block);
	pid = proc_fork("kill from a child");
	if (pid == 0) {
		if (kill(getppid(), SIGUSR1) != 0)
			_exit(1);
		_exit(0);
	}
	if (pid > 0 && proc_reap("kill from a child", pid, PROC_EXITED(0))) {
		check_long("kill from a child: not handled while blocked", 0,
			   nseen);
		check_sigs("kill from a child: sigpending while blocked",
			   sig_bit(SIGUSR1), sig_pending_now());
		sig_set_mask(NULL);
		check_one("kill from a child", SIGUSR1, SI_USER, pid);
	}
	sig_set_mask(NULL);
	sig_default(SIGUSR1);
}

/* SA_RESETHAND: one delivery, then SIG_DFL, whose next delivery kills. */
static void resethand(void)
{
	struct sigaction old;
	pid_t pid;

	if (!sig_install("SA_RESETHAND", SIGUSR2, record, SA_RESETHAND, NULL))
		return;
	reset_seen();
	raise(SIGUSR2);
	check_long("SA_RESETHAND: the handler runs once", 1, nseen);
	memset(&old, 0x5a, sizeof(old));
	if (CHECK_OK("SA_RESETHAND: sigaction(SIGUSR2, NULL, &old)",
		     sigaction(SIGUSR2, NULL, &old)))
		check_ptr("SA_RESETHAND: the action after one delivery is SIG_DFL",
			  (void *)SIG_DFL, (void *)old.sa_handler);

	if (!sig_install("SA_RESETHAND (child)", SIGUSR2, record, SA_RESETHAND,
			 NULL))
		return;
	pid = proc_fork("SA_RESETHAND (child)");
	if (pid == 0) {
		reset_seen();
		raise(SIGUSR2);
		if (nseen != 1)
			_exit(2);
		raise(SIGUSR2); /* the default action: termination */
		_exit(3);
	}
	sig_reap_killed("SA_RESETHAND: a second SIGUSR2 kills", pid, SIGUSR2);
	sig_default(SIGUSR2);
}

/* The handler raises its own signal once from inside: nested at once
 * under SA_NODEFER, else pending until the handler returns. */
static volatile unsigned long long nest_mask[2], nest_pending[2];

static void nesting(int sig, siginfo_t *si, void *uc)
{
	int d = ++depth, i = nseen;

	(void)si;
	(void)uc;
	if (d > max_depth)
		max_depth = d;
	nseen = i + 1;
	if (i < 2)
		nest_mask[i] = sig_mask_now();
	if (i == 0) {
		raise(sig);
		nest_pending[0] = sig_pending_now();
	}
	depth = d - 1;
}

static void nodefer(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = nesting;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	reset_seen();
	nest_mask[0] = nest_mask[1] = nest_pending[0] = ~0ULL;
	raise(SIGUSR1);
	check_long("without SA_NODEFER: deliveries", 2, nseen);
	check_long("without SA_NODEFER: nesting depth", 1, max_depth);
	check_sigs("without SA_NODEFER: the mask in the handler",
		   sig_bit(SIGUSR1), nest_mask[0]);
	check_sigs("without SA_NODEFER: raised in the handler, pending",
		   sig_bit(SIGUSR1), nest_pending[0]);
	check_sigs("without SA_NODEFER: the mask after", 0, sig_mask_now());

	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGUSR1, &sa, NULL);
	reset_seen();
	nest_mask[0] = nest_mask[1] = nest_pending[0] = ~0ULL;
	raise(SIGUSR1);
	check_long("SA_NODEFER: deliveries", 2, nseen);
	check_long("SA_NODEFER: nesting depth", 2, max_depth);
	check_sigs("SA_NODEFER: the mask in the handler", 0, nest_mask[0]);
	check_sigs("SA_NODEFER: the mask in the nested handler", 0,
		   nest_mask[1]);
	check_sigs("SA_NODEFER: nothing pending after the nested run", 0,
		   nest_pending[0]);
	check_sigs("SA_NODEFER: the mask after", 0, sig_mask_now());
	sig_default(SIGUSR1);
}

/* sa_mask joins the mask for the handler's run; the old one, with a signal
 * of its own, comes back. A signal sa_mask holds waits for the return. */
static volatile unsigned long long usr2_pending;

static void handler_raising_usr2(int sig, siginfo_t *si, void *uc)
{
	record(sig, si, uc);
	raise(SIGUSR2);
	usr2_pending = sig_pending_now();
}

static void sa_mask(void)
{
	int sa_block[] = { SIGUSR2, SIGHUP, 0 };
	int before[] = { SIGWINCH, 0 };

	if (!sig_install("sa_mask", SIGUSR1, handler_raising_usr2, 0, sa_block) ||
	    !sig_install("sa_mask", SIGUSR2, record, 0, NULL))
		return;
	reset_seen();
	usr2_pending = 0;
	sig_set_mask(before);
	raise(SIGUSR1);
	check_sigs("sa_mask: SIGUSR2 raised in the handler is pending",
		   sig_bit(SIGUSR2), usr2_pending);
	if (check_long("sa_mask: deliveries (SIGUSR1, then SIGUSR2)", 2, nseen)) {
		check_long("sa_mask: first", SIGUSR1, seen[0].sig);
		check_long("sa_mask: second", SIGUSR2, seen[1].sig);
		check_sigs("sa_mask: the mask in the handler",
			   sig_bit(SIGWINCH) | sig_bit(SIGUSR1) |
				   sig_bit(SIGUSR2) | sig_bit(SIGHUP),
			   seen[0].mask);
		check_sigs("sa_mask: the mask in SIGUSR2's handler, after",
			   sig_bit(SIGWINCH) | sig_bit(SIGUSR2), seen[1].mask);
	}
	check_sigs("sa_mask: the mask after the handler", sig_bit(SIGWINCH),
		   sig_mask_now());
	sig_set_mask(NULL);
	sig_default(SIGUSR1);
	sig_default(SIGUSR2);
}

/* Pending while blocked, delivered at unblock, merged when sent twice. */
static void pending_and_merged(void)
{
	int block[] = { SIGUSR1, 0 };

	if (!sig_install("pending", SIGUSR1, record, 0, NULL))
		return;
	reset_seen();
	check_sigs("sigpending before", 0, sig_pending_now());
	sig_set_mask(block);
	kill(me, SIGUSR1);
	check_long("pending: not handled while blocked", 0, nseen);
	check_sigs("pending: sigpending", sig_bit(SIGUSR1), sig_pending_now());
	sig_set_mask(NULL);
	check_long("pending: handled at unblock", 1, nseen);
	check_sigs("pending: sigpending after", 0, sig_pending_now());

	/* Merged within the queue it was sent to: the process's (kill) or
	 * the thread's (tgkill). */
	reset_seen();
	sig_set_mask(block);
	kill(me, SIGUSR1);
	kill(me, SIGUSR1);
	kill(me, SIGUSR1);
	check_sigs("merged (kill): sigpending", sig_bit(SIGUSR1),
		   sig_pending_now());
	sig_set_mask(NULL);
	check_long("merged (kill): three sent while blocked, one delivered", 1,
		   nseen);
	if (nseen == 1)
		check_info("merged (kill): siginfo", &seen[0], SIGUSR1, SI_USER,
			   me);

	reset_seen();
	sig_set_mask(block);
	sig_tgkill(me, gettid(), SIGUSR1);
	sig_tgkill(me, gettid(), SIGUSR1);
	sig_set_mask(NULL);
	check_long("merged (tgkill): two sent while blocked, one delivered", 1,
		   nseen);
	sig_default(SIGUSR1);

	/* An ignored signal is dropped, unless it is blocked: then it waits,
	 * and is dropped at unblock if still ignored. */
	signal(SIGUSR1, SIG_IGN);
	kill(me, SIGUSR1);
	check_sigs("ignored: not pending", 0, sig_pending_now());
	sig_set_mask(block);
	kill(me, SIGUSR1);
	check_sigs("ignored and blocked: pending", sig_bit(SIGUSR1),
		   sig_pending_now());
	sig_set_mask(NULL);
	check_sigs("ignored and blocked: gone at unblock", 0, sig_pending_now());
	sig_default(SIGUSR1);
}

/* Several pending at unblock. With sa_mask full, each handler runs alone
 * and returns before the next delivery: the order is the delivery order. */
static void order(void)
{
	static const int sent[] = { SIGUSR2, SIGHUP, SIGTERM, SIGSEGV, SIGUSR1,
				    SIGTRAP, SIGINT };
	static const int expected[] = { SIGTRAP, SIGSEGV, SIGHUP, SIGINT,
					SIGUSR1, SIGUSR2, SIGTERM };
	int n = (int)(sizeof(sent) / sizeof(sent[0]));
	sigset_t all;
	char w[96];

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int i = 0; i < n; i++)
		sig_install_masked("order", sent[i], record, 0);
	reset_seen();
	for (int i = 0; i < n; i++)
		kill(me, sent[i]);
	check_long("order: nothing handled while blocked", 0, nseen);
	sig_set_mask(NULL);
	if (check_long("order: deliveries", n, nseen))
		for (int i = 0; i < n; i++) {
			snprintf(w, sizeof(w), "order: delivery %d", i + 1);
			if (seen[i].sig != expected[i])
				fail("%s: expected %s got %s", w,
				     sigabbrev_np(expected[i]),
				     sigabbrev_np(seen[i].sig) ?: "?");
		}

	/* Nothing masked but each handler's own signal: SIGUSR1 is taken
	 * first, then SIGUSR2 stacks its frame on top and runs first. */
	sig_install("stacked", SIGUSR1, record, 0, NULL);
	sig_install("stacked", SIGUSR2, record, 0, NULL);
	sigprocmask(SIG_SETMASK, &all, NULL);
	reset_seen();
	kill(me, SIGUSR1);
	kill(me, SIGUSR2);
	sig_set_mask(NULL);
	if (check_long("stacked frames: deliveries", 2, nseen)) {
		check_long("stacked frames: runs first", SIGUSR2, seen[0].sig);
		check_long("stacked frames: runs second", SIGUSR1, seen[1].sig);
		/* SIGUSR1's delivery had blocked it under SIGUSR2's frame. */
		check_sigs("stacked frames: the mask in the first handler",
			   sig_bit(SIGUSR1) | sig_bit(SIGUSR2), seen[0].mask);
		check_sigs("stacked frames: the mask in the second handler",
			   sig_bit(SIGUSR1), seen[1].mask);
	}
	for (int i = 0; i < n; i++)
		sig_default(sent[i]);
}

/* SIGCHLD with SA_SIGINFO: taken once the child is a zombie. The child
 * to kill waits in pause(), whenever the signal reaches it. */
static void sigchld_case(const char *what, int kill_it, int code, int status)
{
	int block[] = { SIGCHLD, 0 };
	pid_t pid;

	reset_seen();
	sig_set_mask(block);
	pid = proc_fork(what);
	if (pid == 0) {
		if (!kill_it)
			_exit(status);
		sig_set_mask(NULL);
		for (;;)
			pause();
	}
	if (pid > 0 && kill_it)
		kill(pid, SIGTERM);
	if (pid > 0 && proc_await_zombie(what, pid)) {
		char w[160];

		snprintf(w, sizeof(w), "%s: SIGCHLD pending", what);
		check_sigs(w, sig_bit(SIGCHLD), sig_pending_now());
		sig_set_mask(NULL);
		check_one(what, SIGCHLD, code, pid);
		if (nseen == 1) {
			snprintf(w, sizeof(w), "%s: si_status", what);
			check_long(w, status, seen[0].status);
		}
	}
	sig_set_mask(NULL);
	if (pid > 0)
		proc_reap(what, pid,
			  kill_it ? PROC_KILLED(SIGTERM) : PROC_EXITED(status));
}

static void sigchld(void)
{
	if (!sig_install("SIGCHLD", SIGCHLD, record, 0, NULL))
		return;
	sigchld_case("SIGCHLD of _exit(7)", 0, CLD_EXITED, 7);
	sigchld_case("SIGCHLD of a kill by SIGTERM", 1, CLD_KILLED, SIGTERM);
	sig_default(SIGCHLD);
}

/* SIGCHLD ignored: no zombie, and a wait learns there is no child once
 * the child has ended; soon after, its pid names nothing. */
static void sigchld_ignored(void)
{
	int status = 0, gone = 0;
	pid_t pid, r;

	signal(SIGCHLD, SIG_IGN);
	pid = proc_fork("SIGCHLD ignored");
	if (pid == 0)
		_exit(3);
	if (pid > 0) {
		r = wait4(pid, &status, 0, NULL);
		check_errno("SIGCHLD ignored: wait4 for the child", r, errno,
			    ECHILD);
		/* The release may trail the wakeup by a moment. */
		for (int i = 0; i < 200 && !gone; i++) {
			gone = kill(pid, 0) == -1 && errno == ESRCH;
			if (!gone)
				proc_sleep_ms(5);
		}
		check_true("SIGCHLD ignored: the child's pid is gone (kill 0: ESRCH)",
			   gone);
		proc_forget(pid);
	}
	sig_default(SIGCHLD);
}

int main(void)
{
	proc_default_signals();
	me = getpid();
	my_uid = getuid();
	siginfo_of_senders();
	siginfo_from_child();
	resethand();
	nodefer();
	sa_mask();
	pending_and_merged();
	order();
	sigchld();
	sigchld_ignored();
	proc_finish();
	printf("signal_handlers: done\n");
	return check_exit("signal_handlers");
}
