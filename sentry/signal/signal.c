/* Default actions and the signals that reach a task before delivery exists. */
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

void sig_raise(struct task *t, int signo, bool fault)
{
	const struct linux_sigaction *act = &t->sighand.action[signo - 1];
	bool blocked = t->sigmask & (1ULL << (signo - 1));
	enum sig_default def = sig_default_action(signo);

	if (!fault && (act->handler == LINUX_SIG_IGN || blocked))
		return;
	if (act->handler != LINUX_SIG_DFL && act->handler != LINUX_SIG_IGN && !blocked) {
		sandbox_log(t->sb, "%s for a guest handler: signal delivery is not implemented, "
			    "the guest ends", sig_name(signo));
	} else if (!fault && (def == SIG_DEFAULT_IGNORE || def == SIG_DEFAULT_CONT ||
			      def == SIG_DEFAULT_STOP)) {
		return;
	}
	task_exit_group(t, signo);
}

void sig_host_stop(struct task *t, const struct plat_stop *stop)
{
	sig_raise(t, stop->signo, is_fault(stop->signo, &stop->info));
}
