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
#include "sentry/rseq/task_rseq.h"
#include "sentry/mm/mm.h"
#include "sentry/signal/signal.h"
#include "syscall_handlers.h"

#define LINUX_SA_RESTART 0x10000000u
#define LINUX_SA_NODEFER 0x40000000u
#define LINUX_SA_RESETHAND 0x80000000u

static linux_sigset_t bit(int signo)
{
	return 1ULL << (signo - 1);
}

static int next_signal_locked(struct task *t, struct linux_siginfo *info,
			      struct linux_sigaction *act)
{
	int signo = sig_dequeue_locked(t, ~t->sigmask, info);

	if (signo)
		*act = t->sighand->action[signo - 1];
	return signo;
}

/* A traced task's signal goes to its tracer first (ptrace_signal): the
 * one it lets through, 0 when none; a blocked one is queued again. */
static int traced_signal(struct task *t, int signo, struct linux_siginfo *info,
			 struct linux_sigaction *act)
{
	int sig = ptrace_signal(t, signo, info);

	if (!sig)
		return 0;
	pthread_mutex_lock(&t->sb->lock);
	if (t->sigmask & bit(sig)) {
		sig_send_locked(t, info);
		sig = 0;
	} else {
		*act = t->sighand->action[sig - 1];
	}
	pthread_mutex_unlock(&t->sb->lock);
	return sig;
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

/* arch_do_signal_or_restart() with no handler run. */
static void restart_without_handler(struct task *t, struct arch_regs *r)
{
	arch_syscall_restart(r);
	if (t->restart == -ERESTART_RESTARTBLOCK)
		arch_syscall_set_nr(r, SYSCALL_NR_restart_syscall);
}

/* The registers the host's faults left to the arch's frame (cr2, err and
 * trapno; fault_address and the ESR). */
static void fault_info(const struct task *t, const struct linux_siginfo *info,
		       struct arch_sigframe_info *in)
{
	in->fault_code = t->fault_code;
	in->fault_trapno = t->fault_trapno;
	/* cr2 (x86_64) and fault_address (arm64) name the page fault's address:
	 * only SIGSEGV and SIGBUS have one. */
	bool fault = info->si_code > 0 && (info->si_signo == SIGSEGV || info->si_signo == SIGBUS);

	if (fault)
		in->fault_addr = info->u.fault.addr;
}

/* Builds the handler's frame on the guest's stack (the arch picks the
 * stack, as get_sigframe does) and points the registers at the handler;
 * -EFAULT when Linux would force SIGSEGV instead. */
static int setup_frame(struct task *t, int signo, const struct linux_siginfo *info,
		       const struct linux_sigaction *act)
{
	struct arch_regs *r = plat_regs(t->plat);
	struct arch_sigframe_info in;
	static __thread uint8_t buf[ARCH_SIGFRAME_MAX];
	uint64_t addr;
	size_t len;
	int err;

	memset(&in, 0, sizeof in);
	in.signo = signo;
	in.info = info;
	in.sa_flags = act->flags;
	in.handler = act->handler;
	in.restorer = (act->flags & LINUX_SA_RESTORER) ? act->restorer : ARCH_SIGRETURN_TRAMPOLINE;
	in.saved_mask = t->restore_mask ? t->saved_mask : t->sigmask;
	in.altstack = t->altstack;
	fault_info(t, info, &in);
	err = arch_sigframe_build(r, &in, buf, sizeof buf, &addr, &len, r);
	if (!err)
		err = copy_to_guest(t, addr, buf, len);
	if (err)
		return -EFAULT;
	if ((uint32_t)t->altstack.ss_flags & LINUX_SS_AUTODISARM) /* signal_delivered() */
		t->altstack = (struct linux_stack){ 0, LINUX_SS_DISABLE, 0, 0 };
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
	rseq_signal_deliver(t); /* a critical section ends before the frame */
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
		t->sighand->action[signo - 1].handler = LINUX_SIG_DFL;
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
		sig_stop_group(t, signo);
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

	sig_wait_while_stopped(t);
	for (;;) {
		if (t->ptrace.trap_pending)
			ptrace_trap(t); /* do_jobctl_trap(): before any signal */
		pthread_mutex_lock(&t->sb->lock);
		signo = next_signal_locked(t, &info, &act);
		pthread_mutex_unlock(&t->sb->lock);
		if (!signo)
			break;
		if (t->ptrace.tracer && !(signo = traced_signal(t, signo, &info, &act)))
			continue;
		if (act.handler == LINUX_SIG_IGN)
			continue;
		if (act.handler == LINUX_SIG_DFL) {
			if (!run_default(t, signo))
				return;
			continue;
		}
		run_handler(t, signo, &info, &act);
	}
	/* No handler took the interrupted syscall: it starts again, or a sleep
	 * goes on through restart_syscall with what it left in restart_block. */
	if (t->restart)
		restart_without_handler(t, plat_regs(t->plat));
	t->restart = 0;
	if (t->restore_mask) {
		pthread_mutex_lock(&t->sb->lock);
		t->sigmask = t->saved_mask;
		t->restore_mask = false;
		pthread_mutex_unlock(&t->sb->lock);
	}
}
