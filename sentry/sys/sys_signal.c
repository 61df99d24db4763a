/* Signal actions and masks, kept per task (kernel/signal.c argument rules). */
#include <errno.h>
#include <signal.h>

#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/signal/signal.h"
#include "sentry/kernel/syscall.h"
#include "syscall_handlers.h"

#define LINUX_SIG_BLOCK 0
#define LINUX_SIG_UNBLOCK 1
#define LINUX_SIG_SETMASK 2
#define UNBLOCKABLE ((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)))

long sys_rt_sigaction(struct task *t, const struct syscall_args *a)
{
	int sig = (int)a->a[0];
	struct linux_sigaction act, old;

	if (a->a[3] != sizeof(linux_sigset_t) || sig < 1 || sig > LINUX_NSIG)
		return -EINVAL;
	if (a->a[1] && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (a->a[1] && copy_from_guest(t, &act, a->a[1], sizeof act) < 0)
		return -EFAULT;
	old = t->sighand.action[sig - 1];
	if (a->a[2] && copy_to_guest(t, a->a[2], &old, sizeof old) < 0)
		return -EFAULT;
	if (a->a[1]) {
		act.mask &= ~UNBLOCKABLE;
		t->sighand.action[sig - 1] = act;
	}
	return 0;
}

long sys_rt_sigprocmask(struct task *t, const struct syscall_args *a)
{
	linux_sigset_t set, old = t->sigmask;

	if (a->a[3] != sizeof(linux_sigset_t))
		return -EINVAL;
	if (a->a[1]) {
		if (copy_from_guest(t, &set, a->a[1], sizeof set) < 0)
			return -EFAULT;
		switch ((int)a->a[0]) {
		case LINUX_SIG_BLOCK:
			t->sigmask |= set;
			break;
		case LINUX_SIG_UNBLOCK:
			t->sigmask &= ~set;
			break;
		case LINUX_SIG_SETMASK:
			t->sigmask = set;
			break;
		default:
			return -EINVAL;
		}
		t->sigmask &= ~UNBLOCKABLE;
	}
	if (a->a[2] && copy_to_guest(t, a->a[2], &old, sizeof old) < 0)
		return -EFAULT;
	return 0;
}

/* Signals sent by the guest: the only process is itself. */
static long send_self(struct task *t, int64_t sig)
{
	if (sig < 0 || sig > LINUX_NSIG)
		return -EINVAL;
	if (sig)
		sig_raise(t, (int)sig, false);
	return 0;
}

long sys_kill(struct task *t, const struct syscall_args *a)
{
	int pid = (int)a->a[0];

	if (pid != t->tgid && pid != 0 && pid != -1)
		return (int)a->a[1] < 0 || (int)a->a[1] > LINUX_NSIG ? -EINVAL : -ESRCH;
	return send_self(t, (int)a->a[1]);
}

long sys_tkill(struct task *t, const struct syscall_args *a)
{
	if ((int)a->a[0] <= 0)
		return -EINVAL;
	if ((int)a->a[0] != t->tid)
		return -ESRCH;
	return send_self(t, (int)a->a[1]);
}

long sys_tgkill(struct task *t, const struct syscall_args *a)
{
	if ((int)a->a[0] <= 0 || (int)a->a[1] <= 0)
		return -EINVAL;
	if ((int)a->a[0] != t->tgid || (int)a->a[1] != t->tid)
		return -ESRCH;
	return send_self(t, (int)a->a[2]);
}
