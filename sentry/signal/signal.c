/* Default actions and the signals that reach a task before delivery exists. */
#include <pthread.h>
#include <signal.h>
#include <stddef.h>

#include "platform/platform.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"
#include "sentry/signal/signal.h"

static const char *const names[LINUX_NSIG + 1] = {
	[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
	[SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE",
	[SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
	[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
	[SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP", [SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",
	[SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU", [SIGXFSZ] = "SIGXFSZ",
	[SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
	[SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR", [SIGSYS] = "SIGSYS",
};

const char *sig_name(int signo)
{
	if (signo > 0 && signo <= LINUX_NSIG && names[signo])
		return names[signo];
	return signo >= 32 && signo <= LINUX_NSIG ? "SIGRT" : "SIG?";
}

enum sig_default sig_default_action(int signo)
{
	switch (signo) {
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
	case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return SIG_DEFAULT_CORE;
	case SIGCHLD: case SIGURG: case SIGWINCH:
		return SIG_DEFAULT_IGNORE;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return SIG_DEFAULT_STOP;
	case SIGCONT:
		return SIG_DEFAULT_CONT;
	default:
		return SIG_DEFAULT_TERM;
	}
}

static bool is_fault(int signo, const struct linux_siginfo *info)
{
	bool sync = signo == SIGSEGV || signo == SIGBUS || signo == SIGILL || signo == SIGFPE ||
		    signo == SIGTRAP || signo == SIGSYS;

	return sync && (info->si_code > 0 || info->si_code == 0x80 /* SI_KERNEL */);
}

/* What t's action for signo does now: nothing, or end t with a status. */
static bool sig_ends(struct task *t, int signo, bool fault)
{
	const struct linux_sigaction *act = &t->sighand->action[signo - 1];
	bool blocked = t->sigmask & (1ULL << (signo - 1));
	enum sig_default def = sig_default_action(signo);

	if (!fault && (act->handler == LINUX_SIG_IGN || blocked))
		return false;
	if (act->handler != LINUX_SIG_DFL && act->handler != LINUX_SIG_IGN && !blocked) {
		if (signo == SIGCHLD) {
			/* A shell's SIGCHLD handler only hurries wait4 along. */
			if (!t->sb->warned_sigchld)
				sandbox_log(t->sb, "SIGCHLD for a guest handler: signal delivery "
					    "is not implemented, the handler does not run");
			t->sb->warned_sigchld = true;
			return false;
		}
		sandbox_log(t->sb, "%s for a guest handler: signal delivery is not implemented, "
			    "the guest ends", sig_name(signo));
		return true;
	}
	return fault || (def != SIG_DEFAULT_IGNORE && def != SIG_DEFAULT_CONT &&
			 def != SIG_DEFAULT_STOP);
}

static void pend(struct task *t, int signo)
{
	const struct linux_sigaction *act = &t->sighand->action[signo - 1];

	if ((t->sigmask & (1ULL << (signo - 1))) && act->handler != LINUX_SIG_IGN)
		t->sigpending |= 1ULL << (signo - 1);
}

void sig_raise(struct task *t, int signo, bool fault)
{
	if (!fault) {
		pthread_mutex_lock(&t->sb->lock);
		pend(t, signo);
		pthread_mutex_unlock(&t->sb->lock);
	}
	if (sig_ends(t, signo, fault))
		task_exit_group(t, signo);
}

void sig_send_locked(struct task *t, int signo)
{
	if (t->zombie || t->exiting)
		return;
	pend(t, signo);
	if (sig_ends(t, signo, false))
		task_kill_locked(t, signo);
}

bool sig_pending_locked(const struct task *t)
{
	return (t->sigpending & ~t->sigmask) != 0;
}

void sig_unblocked(struct task *t)
{
	linux_sigset_t due;

	pthread_mutex_lock(&t->sb->lock);
	due = t->sigpending & ~t->sigmask;
	t->sigpending &= ~due;
	pthread_mutex_unlock(&t->sb->lock);
	for (int signo = 1; due && signo <= LINUX_NSIG; signo++)
		if (due & (1ULL << (signo - 1))) {
			due &= ~(1ULL << (signo - 1));
			sig_raise(t, signo, false);
		}
}

void sig_host_stop(struct task *t, const struct plat_stop *stop)
{
	sig_raise(t, stop->signo, is_fault(stop->signo, &stop->info));
}
