/* Signal actions and masks, kept per task (kernel/signal.c argument rules). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include "sentry/kernel/sandbox.h"
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
	old = t->sighand->action[sig - 1];
	if (a->a[2] && copy_to_guest(t, a->a[2], &old, sizeof old) < 0)
		return -EFAULT;
	if (a->a[1]) {
		act.mask &= ~UNBLOCKABLE;
		t->sighand->action[sig - 1] = act;
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
	if (t->sigpending & ~t->sigmask)
		sig_unblocked(t);
	return 0;
}

static bool sig_valid(int64_t sig)
{
	return sig >= 0 && sig <= LINUX_NSIG;
}

/* Which processes kill(2)'s pid names (kill_something_info): one, the
 * caller's group (0), every other but init (-1), or a group (< -1). */
static bool kill_matches(const struct task *t, const struct task *o, int pid)
{
	if (o->tid != o->tgid)
		return false; /* a process is named by its leader */
	if (pid > 0)
		return o->tgid == pid;
	if (pid == 0)
		return o->pgid == t->pgid;
	if (pid == -1)
		return o->tgid != t->tgid && o != o->init;
	return o->pgid == -pid;
}

/* Sends to each match but the caller, which *self says to signal after the
 * lock is dropped; -ESRCH when nothing matched. */
static long send_matches(struct task *t, int pid, int64_t sig, bool thread, bool *self)
{
	struct sandbox *sb = t->sb;
	bool found = false;

	*self = false;
	pthread_mutex_lock(&sb->lock);
	for (struct task *o = sb->tasks; o; o = o->next) {
		if (thread ? o->tid != pid : !kill_matches(t, o, pid))
			continue;
		found = true;
		if (!sig_valid(sig))
			break;
		if (o->tgid == t->tgid)
			*self = true;
		else if (sig)
			sig_send_locked(o, (int)sig);
	}
	pthread_mutex_unlock(&sb->lock);
	if (!found)
		return -ESRCH;
	return sig_valid(sig) ? 0 : -EINVAL; /* check_kill_permission, per target */
}

static long send(struct task *t, int pid, int64_t sig, bool thread)
{
	bool self;
	long r;

	if (pid == INT32_MIN)
		return -ESRCH; /* -INT_MIN overflows: Linux refuses it */
	r = send_matches(t, pid, sig, thread, &self);
	if (!r && self && sig)
		sig_raise(t, (int)sig, false);
	return r;
}

long sys_kill(struct task *t, const struct syscall_args *a)
{
	return send(t, (int)a->a[0], (int)a->a[1], false);
}

long sys_tkill(struct task *t, const struct syscall_args *a)
{
	if ((int)a->a[0] <= 0)
		return -EINVAL;
	return send(t, (int)a->a[0], (int)a->a[1], true);
}

long sys_tgkill(struct task *t, const struct syscall_args *a)
{
	struct task *o;
	bool ok;

	if ((int)a->a[0] <= 0 || (int)a->a[1] <= 0)
		return -EINVAL;
	pthread_mutex_lock(&t->sb->lock);
	o = sandbox_find_task_locked(t->sb, (int)a->a[1]);
	ok = o && o->tgid == (int)a->a[0];
	pthread_mutex_unlock(&t->sb->lock);
	if (!ok)
		return -ESRCH;
	return send(t, (int)a->a[1], (int)a->a[2], true);
}
