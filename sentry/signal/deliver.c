/* Delivery (kernel/signal.c get_signal, arch/x86/kernel/signal.c
 * arch_do_signal_or_restart): before a task runs guest code again, its
 * pending signals are taken one by one, lowest first with the synchronous
 * ones ahead, and either acted on by default or given a handler frame; an
 * interrupted syscall is restarted or fails with EINTR. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "arch/arch.h"
#include "platform/platform.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/signal/signal.h"

#define LINUX_SA_ONSTACK 0x08000000u
#define LINUX_SA_RESTART 0x10000000u
#define LINUX_SA_NODEFER 0x40000000u
#define LINUX_SA_RESETHAND 0x80000000u
#define LINUX_SS_ONSTACK 1
#define LINUX_SS_DISABLE 2
#define LINUX_SS_AUTODISARM (1u << 31)

static linux_sigset_t bit(int signo)
{
	return 1ULL << (signo - 1);
}

/* next_signal(): SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS first. */
static int next_signal_locked(struct task *t, struct linux_siginfo *info,
			      struct linux_sigaction *act)
{
	linux_sigset_t due = t->sigpending & ~t->sigmask;
	linux_sigset_t sync = due & (bit(SIGSEGV) | bit(SIGBUS) | bit(SIGILL) | bit(SIGTRAP) |
				    bit(SIGFPE) | bit(SIGSYS));
	int signo;

	if (sync)
		due = sync;
	if (!due)
		return 0;
	signo = __builtin_ctzll(due) + 1;
	t->sigpending &= ~bit(signo);
	*info = t->siginfo[signo - 1];
	*act = t->sighand.action[signo - 1];
	return signo;
}

/* The interrupted syscall with a handler to run (handle_signal). */
static void settle_for_handler(struct task *t, struct arch_regs *r, const struct linux_sigaction *act)
{
	bool restart = t->restart == -ERESTARTNOINTR ||
		       (t->restart == -ERESTARTSYS && (act->flags & LINUX_SA_RESTART));

	if (restart)
		arch_syscall_restart(r);
	else
		arch_syscall_set_return(r, -EINTR);
	t->restart = 0;
}

/* Where the frame goes: the alternate stack when the action asks for it
 * and the task is not on it already (sigsp). */
static uint64_t frame_top(struct task *t, const struct arch_regs *r,
			  const struct linux_sigaction *act, bool *on_alt)
{
	uint64_t sp = arch_sp(r);
	bool on = sig_on_alt_stack(t, sp);

	*on_alt = on;
	if ((act->flags & LINUX_SA_ONSTACK) && !on && t->ss_size && !(t->ss_flags & LINUX_SS_DISABLE)) {
		*on_alt = true;
		return t->ss_sp + t->ss_size;
	}
	return sp;
}

/* Builds the handler's frame on the guest's stack and points the
 * registers at the handler; -EFAULT when the frame cannot be written. */
static int setup_frame(struct task *t, int signo, const struct linux_siginfo *info,
		       const struct linux_sigaction *act)
{
	struct arch_regs *r = plat_regs(t->plat);
	struct arch_sigframe_info in;
	struct arch_regs handler_regs;
	static __thread uint8_t buf[ARCH_SIGFRAME_MAX];
	uint64_t addr;
	size_t len;
	bool on_alt;
	int err;

	memset(&in, 0, sizeof in);
	in.signo = signo;
	in.info = info;
	in.saved_mask = t->restore_mask ? t->saved_mask : t->sigmask;
	in.sp = frame_top(t, r, act, &on_alt);
	in.altstack.ss_sp = t->ss_sp;
	in.altstack.ss_size = t->ss_size;
	in.altstack.ss_flags = t->ss_size ? (on_alt ? LINUX_SS_ONSTACK : 0) | (t->ss_flags & LINUX_SS_AUTODISARM)
				       : LINUX_SS_DISABLE;
	in.handler = act->handler;
	in.restorer = (act->flags & LINUX_SA_RESTORER) ? act->restorer : 0;
	in.siginfo = true;
	err = arch_sigframe_build(r, &in, buf, sizeof buf, &addr, &len, &handler_regs);
	/* A frame that would run off the alternate stack is a SIGSEGV. */
	if (!err && on_alt && t->ss_size && addr < t->ss_sp && !(t->ss_flags & LINUX_SS_DISABLE))
		err = -EFAULT;
	if (!err)
		err = copy_to_guest(t, addr, buf, len);
	if (err)
		return -EFAULT;
	*r = handler_regs;
	if (on_alt && (t->ss_flags & LINUX_SS_AUTODISARM)) {
		t->ss_sp = t->ss_size = 0;
		t->ss_flags = LINUX_SS_DISABLE;
	}
	return 0;
}

/* A handler runs: frame, then the mask and SA_RESETHAND (signal_setup_done). */
static void run_handler(struct task *t, int signo, const struct linux_siginfo *info,
			const struct linux_sigaction *act)
{
	struct arch_regs *r;

	if (plat_regs_load_full(t->plat) < 0) {
		task_exit_group(t, SIGKILL);
		return;
	}
	r = plat_regs(t->plat);
	if (t->restart)
		settle_for_handler(t, r, act);
	if (setup_frame(t, signo, info, act) < 0) {
		sig_raise(t, SIGSEGV, true); /* force_sigsegv */
		return;
	}
	pthread_mutex_lock(&t->sb->lock);
	t->restore_mask = false;
	t->sigmask |= act->mask;
	if (!(act->flags & LINUX_SA_NODEFER))
		t->sigmask |= bit(signo);
	t->sigmask &= ~(bit(SIGKILL) | bit(SIGSTOP));
	if (act->flags & LINUX_SA_RESETHAND)
		t->sighand.action[signo - 1].handler = LINUX_SIG_DFL;
	pthread_mutex_unlock(&t->sb->lock);
}

/* A default action; false when the task ends. */
static bool run_default(struct task *t, int signo)
{
	switch (sig_default_action(signo)) {
	case SIG_DEFAULT_IGNORE:
	case SIG_DEFAULT_CONT:
		return true;
	case SIG_DEFAULT_STOP:
		/* No job control yet: a stop is reported and not done. */
		sandbox_log(t->sb, "%s: stopping a process is not implemented, it goes on",
			    sig_name(signo));
		return true;
	default:
		task_exit_group(t, signo);
		return false;
	}
}

void sig_deliver(struct task *t)
{
	struct linux_siginfo info;
	struct linux_sigaction act;
	int signo;

	for (;;) {
		pthread_mutex_lock(&t->sb->lock);
		signo = next_signal_locked(t, &info, &act);
		pthread_mutex_unlock(&t->sb->lock);
		if (!signo)
			break;
		if (act.handler == LINUX_SIG_IGN)
			continue;
		if (act.handler == LINUX_SIG_DFL) {
			if (!run_default(t, signo))
				return;
			continue;
		}
		run_handler(t, signo, &info, &act);
	}
	/* No handler took the interrupted syscall: it starts again. */
	if (t->restart)
		arch_syscall_restart(plat_regs(t->plat));
	t->restart = 0;
	if (t->restore_mask) {
		pthread_mutex_lock(&t->sb->lock);
		t->sigmask = t->saved_mask;
		t->restore_mask = false;
		pthread_mutex_unlock(&t->sb->lock);
	}
}
