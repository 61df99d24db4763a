/* Signal actions and masks, kept per task (kernel/signal.c argument rules). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include "arch/arch.h"
#include "platform/platform.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/sleep.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/signal/signal.h"
#include "sentry/kernel/syscall.h"
#include "syscall_handlers.h"

#define LINUX_SIG_BLOCK 0
#define LINUX_SIG_UNBLOCK 1
#define LINUX_SIG_SETMASK 2
#define UNBLOCKABLE ((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)))

/* do_sigaction(): a signal made ignored is dropped from every thread's
 * queue (sig_task_ignored); sb->lock held. */
static void discard_if_ignored_locked(struct task *t, int sig)
{
	const struct linux_sigaction *act = &t->sighand->action[sig - 1];
	enum sig_default def = sig_default_action(sig);
	bool ignored = act->handler == LINUX_SIG_IGN ||
		       (act->handler == LINUX_SIG_DFL &&
			(def == SIG_DEFAULT_IGNORE || def == SIG_DEFAULT_CONT));

	if (!ignored)
		return;
	sig_unpend_group_locked(t, 1ULL << (sig - 1));
}

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
		pthread_mutex_lock(&t->sb->lock);
		t->sighand->action[sig - 1] = act;
		discard_if_ignored_locked(t, sig);
		pthread_mutex_unlock(&t->sb->lock);
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

/* Sends to each match (the caller's own thread or process too); -ESRCH
 * when nothing matched. */
static long send_matches(struct task *t, int pid, int64_t sig, bool thread)
{
	struct sandbox *sb = t->sb;
	struct linux_siginfo info;
	bool found = false;

	if (sig_valid(sig))
		sig_info_user(&info, (int)sig, thread ? LINUX_SI_TKILL : LINUX_SI_USER, t);
	pthread_mutex_lock(&sb->lock);
	for (struct task *o = sb->tasks; o; o = o->next) {
		if (thread ? o->tid != pid : !kill_matches(t, o, pid))
			continue;
		found = true;
		if (!sig_valid(sig))
			break;
		if (sig && thread)
			sig_send_locked(o, &info);
		else if (sig)
			sig_send_process_locked(o, &info);
	}
	pthread_mutex_unlock(&sb->lock);
	if (!found)
		return -ESRCH;
	return sig_valid(sig) ? 0 : -EINVAL; /* check_kill_permission, per target */
}

static long send(struct task *t, int pid, int64_t sig, bool thread)
{
	if (pid == INT32_MIN)
		return -ESRCH; /* -INT_MIN overflows: Linux refuses it */
	return send_matches(t, pid, sig, thread);
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

long sys_rt_sigpending(struct task *t, const struct syscall_args *a)
{
	linux_sigset_t set;

	if (a->a[1] > sizeof set)
		return -EINVAL;
	pthread_mutex_lock(&t->sb->lock);
	set = (t->sigpending | t->leader->shared_pending) & t->sigmask;
	pthread_mutex_unlock(&t->sb->lock);
	return copy_to_guest(t, a->a[0], &set, a->a[1]);
}

/* Sleeps with mask in place until a signal it lets through is pending;
 * the frame of the handler that runs saves the old mask (sigsuspend). */
static long suspend(struct task *t, linux_sigset_t mask)
{
	struct sandbox *sb = t->sb;

	sig_mask_for_wait(t, mask);
	pthread_mutex_lock(&sb->lock);
	while (!sig_pending_locked(t) && !__atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE))
		pthread_cond_wait(&sb->child_cond, &sb->lock);
	pthread_mutex_unlock(&sb->lock);
	return -ERESTARTNOHAND;
}

long sys_rt_sigsuspend(struct task *t, const struct syscall_args *a)
{
	linux_sigset_t mask;

	if (a->a[1] != sizeof mask)
		return -EINVAL;
	if (copy_from_guest(t, &mask, a->a[0], sizeof mask) < 0)
		return -EFAULT;
	return suspend(t, mask);
}

long sys_pause(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return suspend(t, t->sigmask);
}

static bool on_alt_stack(struct task *t)
{
	return sig_on_alt_stack(t, arch_sp(task_regs(t)));
}

/* do_sigaltstack(): EPERM on the stack in use, EINVAL for an unknown mode,
 * ENOMEM below the minimum size; the flags are kept as given. */
static long set_alt_stack(struct task *t, const struct linux_stack *ss)
{
	uint32_t mode = (uint32_t)ss->ss_flags & ~LINUX_SS_AUTODISARM;
	struct linux_stack n = *ss;

	if (on_alt_stack(t))
		return -EPERM;
	if (mode != LINUX_SS_DISABLE && mode != LINUX_SS_ONSTACK && mode != 0)
		return -EINVAL;
	if (mode == LINUX_SS_DISABLE) {
		n.ss_sp = n.ss_size = 0;
	} else if (ss->ss_size < ARCH_MINSIGSTKSZ) { /* not AT_MINSIGSTKSZ: Linux's check */
		return -ENOMEM;
	}
	n.pad0 = 0;
	t->altstack = n;
	return 0;
}

long sys_sigaltstack(struct task *t, const struct syscall_args *a)
{
	struct linux_stack ss, old = t->altstack;
	long r = 0;

	old.ss_flags = linux_sas_ss_flags(&t->altstack, arch_sp(task_regs(t))) |
		       (int32_t)((uint32_t)t->altstack.ss_flags & LINUX_SS_AUTODISARM);
	old.pad0 = 0;
	if (a->a[0]) {
		if (copy_from_guest(t, &ss, a->a[0], sizeof ss) < 0)
			return -EFAULT;
		r = set_alt_stack(t, &ss);
	}
	if (!r && a->a[1] && copy_to_guest(t, a->a[1], &old, sizeof old) < 0)
		return -EFAULT;
	return r;
}

/* rt_sigreturn's frame and the memory it names (the FP state, arm64's
 * extra context); -EFAULT when the frame itself cannot be read. */
static int read_frame(struct task *t, struct arch_regs *r, uint8_t *frame, uint8_t *extra,
		      size_t *extra_len, bool *extra_ok)
{
	uint64_t addr;
	size_t len;
	int err = arch_sigreturn_frame(r, &addr, &len);

	if (err || len > ARCH_SIGFRAME_MAX || copy_from_guest(t, frame, addr, len) < 0)
		return -EFAULT;
	arch_sigreturn_extra(r, frame, &addr, extra_len);
	*extra_ok = *extra_len <= ARCH_SIGFRAME_MAX &&
		    (!*extra_len || copy_from_guest(t, extra, addr, *extra_len) == 0);
	return 0;
}

long sys_rt_sigreturn(struct task *t, const struct syscall_args *a)
{
	static __thread uint8_t frame[ARCH_SIGFRAME_MAX], extra[ARCH_SIGFRAME_MAX];
	struct linux_stack alt;
	linux_sigset_t mask = t->sigmask;
	size_t extra_len = 0;
	bool extra_ok = false;
	struct arch_regs *r;
	int err = plat_regs_load_full(t->plat);

	(void)a;
	if (err)
		return err;
	r = plat_regs(t->plat);
	err = read_frame(t, r, frame, extra, &extra_len, &extra_ok);
	if (!err)
		err = arch_sigreturn_restore(r, frame, extra_ok ? extra : NULL, extra_len, &mask, &alt);
	pthread_mutex_lock(&t->sb->lock);
	t->sigmask = mask & ~UNBLOCKABLE;
	pthread_mutex_unlock(&t->sb->lock);
	t->regs_final = true;
	t->restart_block.fn = NULL; /* a pending restart_syscall now gives EINTR */
	if (err) {
		sig_raise(t, SIGSEGV, true); /* a bad frame */
		return 0;
	}
	set_alt_stack(t, &alt); /* restore_altstack(): errors ignored */
	return 0;
}

/* rt_sigtimedwait(): takes a pending signal of set off the queue instead of
 * delivering it, waiting until one comes, the timeout passes (EAGAIN) or
 * another signal interrupts (EINTR). */
long sys_rt_sigtimedwait(struct task *t, const struct syscall_args *a)
{
	struct linux_siginfo info;
	struct linux_timespec ts;
	linux_sigset_t set;
	int64_t end = -1;
	int signo;

	if (a->a[3] != sizeof set)
		return -EINVAL;
	if (copy_from_guest(t, &set, a->a[0], sizeof set) < 0)
		return -EFAULT;
	if (a->a[2]) {
		if (copy_from_guest(t, &ts, a->a[2], sizeof ts) < 0)
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
			return -EINVAL;
		end = ts.tv_sec || ts.tv_nsec ? sleep_now_ns(CLOCK_MONOTONIC) +
							ts.tv_sec * 1000000000LL + ts.tv_nsec
					      : 0; /* a zero timeout only polls */
	}
	signo = sig_dequeue_wait(t, &set, end, &info);
	if (signo < 0)
		return signo;
	if (a->a[1] && copy_to_guest(t, a->a[1], &info, sizeof info) < 0)
		return -EFAULT;
	return signo;
}

/* rt_sigqueueinfo and rt_tgsigqueueinfo: the caller's own siginfo, which
 * may claim a kernel or kill origin only for a signal to itself. */
static long queue_info(struct task *t, int tgid, int tid, int sig, uint64_t uinfo)
{
	struct linux_siginfo info;
	struct task *o;
	long r = -ESRCH;

	if (copy_from_guest(t, &info, uinfo, sizeof info) < 0)
		return -EFAULT;
	if ((info.si_code >= 0 || info.si_code == LINUX_SI_TKILL) && tgid != t->tgid)
		return -EPERM;
	if (!sig_valid(sig))
		return -EINVAL;
	info.si_signo = sig;
	pthread_mutex_lock(&t->sb->lock);
	o = sandbox_find_task_locked(t->sb, tid ? tid : tgid);
	if (o && o->tgid == tgid) {
		r = sig && sig_queue_full_locked(o, !tid, &info) ? -EAGAIN : 0;
		if (!r && sig && !tid) /* kill_proc_info: the process's queue */
			sig_send_process_locked(o, &info);
		else if (!r && sig && o != t)
			sig_send_locked(o, &info);
	}
	pthread_mutex_unlock(&t->sb->lock);
	if (!r && sig && tid && o == t)
		sig_raise_info(t, &info, false);
	return r;
}

long sys_rt_sigqueueinfo(struct task *t, const struct syscall_args *a)
{
	return queue_info(t, (int)a->a[0], 0, (int)a->a[1], a->a[2]);
}

long sys_rt_tgsigqueueinfo(struct task *t, const struct syscall_args *a)
{
	if ((int)a->a[0] <= 0 || (int)a->a[1] <= 0)
		return -EINVAL;
	return queue_info(t, (int)a->a[0], (int)a->a[1], (int)a->a[2], a->a[3]);
}
