/* How processes end: kills, zombies, orphans, and the parent told
 * (kernel/exit.c: do_exit, exit_notify, forget_original_parent). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "platform/platform.h"
#include "sentry/fs/fdtable.h"
#include "sentry/fs/lock.h"
#include "sentry/kernel/futex.h"
#include "sentry/kernel/itimer.h"
#include "sentry/kernel/pidfd.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/sleep.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/signal/signal.h"

#define LINUX_CLD_EXITED 1
#define LINUX_CLD_KILLED 2

#define KICK_RETRY_NS 20000000L /* a kick can land just before a host call blocks */

/* Wakes t's tracer wherever it waits: its guest code stops (with kill, by
 * the end of the stub t owns), a wait in the sentry or a blocked host call
 * returns. sb->lock held, t not a zombie. */
static void kick_locked(struct task *t, bool kill)
{
	__atomic_store_n(&t->interrupted, true, __ATOMIC_RELEASE);
	pthread_mutex_lock(&t->kill_lock);
	if (kill && t->proc_owner && t->proc)
		plat_proc_kill(t->proc);
	else if (t->plat)
		plat_thread_interrupt(t->plat);
	pthread_mutex_unlock(&t->kill_lock);
	if (t->tracer_tid && t->tracer_tid != gettid())
		task_kick_thread(t->tracer_tid);
	lock_table_wake(lock_table_global()); /* an F_SETLKW wait looks again */
	pthread_cond_broadcast(&t->sb->child_cond);
}

/* Ends every thread of t's group with wstatus (a group exit). */
void task_kill_locked(struct task *t, int wstatus)
{
	t->leader->group_exit = true;
	for (struct task *x = t->sb->tasks; x; x = x->next) {
		if (x->tgid != t->tgid || x->zombie)
			continue;
		if (!__atomic_exchange_n(&x->exiting, true, __ATOMIC_ACQ_REL) || x == x->leader)
			x->exit_status = wstatus;
		kick_locked(x, true);
	}
}

void task_interrupt_locked(struct task *t)
{
	if (!t->zombie)
		kick_locked(t, false);
}

void task_exit_thread(struct task *t, int wstatus)
{
	bool alone;

	pthread_mutex_lock(&t->sb->lock);
	alone = t->leader->nthreads == 1;
	pthread_mutex_unlock(&t->sb->lock);
	if (alone) {
		task_exit_group(t, wstatus);
		return;
	}
	if (!__atomic_exchange_n(&t->exiting, true, __ATOMIC_ACQ_REL))
		t->exit_status = wstatus;
}

void task_thread_ended(struct task *t)
{
	struct task *l = t->leader;

	pthread_mutex_lock(&t->sb->lock);
	/* Without a group exit, the last thread's code is the process's. */
	if (!--l->nlive && !l->group_exit && l != t)
		l->exit_status = t->exit_status;
	pthread_mutex_unlock(&t->sb->lock);
}

void task_wait_threads(struct task *t)
{
	pthread_mutex_lock(&t->sb->lock);
	while (t->nthreads > 1)
		pthread_cond_wait(&t->sb->child_cond, &t->sb->lock);
	pthread_mutex_unlock(&t->sb->lock);
}

/* mm_release(): CLONE_CHILD_CLEARTID's word is zeroed and its waiter woken,
 * which is how pthread_join learns of the end. */
void task_clear_child_tid(struct task *t)
{
	uint32_t zero = 0;

	futex_exit_robust(t);
	if (t->clear_child_tid && t->mm &&
	    mm_write(t->mm, t->clear_child_tid, &zero, sizeof zero) == 0)
		futex_wake(t, t->clear_child_tid, false, 1, FUTEX_BITSET_ANY); /* shared, as Linux's */
	t->clear_child_tid = 0;
	t->robust_list = 0;
}

/* What a task holds of its process goes before the process can end: the
 * last thread's count drop may let the leader, and the sandbox, finish. */
static void release_shares(struct task *t)
{
	struct mm *mm;
	struct fdtable *files;

	pthread_mutex_lock(&t->sb->lock);
	mm = t->mm;
	files = t->files;
	t->mm = NULL;
	t->files = NULL;
	pthread_mutex_unlock(&t->sb->lock);
	mm_destroy(mm);
	fdtable_destroy(files);
}

void task_thread_gone(struct task *t)
{
	struct sandbox *sb = t->sb;
	struct task *leader = t->leader;

	release_shares(t);
	pthread_mutex_lock(&sb->lock);
	if (ptrace_exit_locked(t)) {
		t->zombie = true; /* its tracer frees it */
	} else {
		sandbox_unlink_task_locked(sb, t);
		task_free(t);
	}
	leader->nthreads--;
	pthread_cond_broadcast(&sb->child_cond);
	pthread_mutex_unlock(&sb->lock);
}

void task_kill(struct task *t, int wstatus)
{
	pthread_mutex_lock(&t->sb->lock);
	task_kill_locked(t, wstatus);
	pthread_mutex_unlock(&t->sb->lock);
}

static bool tree_alive_locked(struct sandbox *sb, struct task *init)
{
	for (struct task *t = sb->tasks; t; t = t->next)
		if (t != init && t->init == init && !t->zombie)
			return true;
	return false;
}

/* An init's end ends its tree (zap_pid_ns_processes): every other task is
 * killed and waited for, and the zombies left are freed. */
static void end_tree(struct task *init)
{
	struct sandbox *sb = init->sb;
	struct task **p;

	pthread_mutex_lock(&sb->lock);
	while (tree_alive_locked(sb, init)) {
		struct timespec until = sleep_ts(sleep_now_ns(CLOCK_MONOTONIC) + KICK_RETRY_NS);

		for (struct task *t = sb->tasks; t; t = t->next)
			if (t != init && t->init == init)
				task_kill_locked(t, SIGKILL);
		pthread_cond_timedwait(&sb->child_cond, &sb->lock, &until);
	}
	for (p = &sb->tasks; *p;) {
		struct task *t = *p;

		if (t != init && t->init == init) {
			*p = t->next;
			t->next = NULL;
			task_free(t);
		} else {
			p = &t->next;
		}
	}
	pthread_mutex_unlock(&sb->lock);
}

/* find_new_reaper(): the nearest living ancestor that is a child
 * subreaper, else the init of the tree. */
static struct task *new_reaper_locked(struct task *dead)
{
	for (struct task *p = dead->parent; p; p = p->parent)
		if (p->child_subreaper && !p->zombie && !p->exiting)
			return p;
	return dead->init;
}

/* Orphans go to a reaper (forget_original_parent). */
static void reparent_locked(struct task *dead)
{
	struct task *reaper = new_reaper_locked(dead);

	for (struct task *t = dead->sb->tasks; t; t = t->next) {
		if (t->parent != dead)
			continue;
		t->parent = reaper;
		t->ppid = reaper->tgid;
	}
}

/* Whether the parent asked not to be told: SIGCHLD ignored or SA_NOCLDWAIT
 * (do_notify_parent), so the child is reaped at once. */
static bool parent_reaps_nothing(const struct task *parent)
{
	const struct linux_sigaction *act = &parent->sighand->action[SIGCHLD - 1];

	return act->handler == LINUX_SIG_IGN || (act->flags & LINUX_SA_NOCLDWAIT);
}

/* do_notify_parent(): the exit signal, with CLD_* siginfo. */
void task_tell_exit_locked(struct task *t, struct task *to, int sig)
{
	struct linux_siginfo info;
	int32_t *f = (int32_t *)&info;
	bool exited = (t->exit_status & 0x7f) == 0;

	sig_info_user(&info, sig, exited ? LINUX_CLD_EXITED : LINUX_CLD_KILLED, t);
	f[6] = exited ? (t->exit_status >> 8) & 0xff : t->exit_status & 0x7f; /* si_status */
	sig_send_process_locked(to, &info);
}

static void tell_parent_locked(struct task *t)
{
	if (t->parent && t->exit_signal > 0)
		task_tell_exit_locked(t, t->parent, t->exit_signal);
}

void task_vfork_release(struct task *t)
{
	struct task *parent;

	if (!t->vfork_parent)
		return;
	pthread_mutex_lock(&t->sb->lock);
	parent = sandbox_find_task_locked(t->sb, t->vfork_parent);
	if (parent && parent->vfork_child == t->tid)
		parent->vfork_child = 0;
	t->vfork_parent = 0;
	pthread_cond_broadcast(&t->sb->child_cond);
	pthread_mutex_unlock(&t->sb->lock);
}

/* exit_notify()'s end for the parent: told, or (SIGCHLD ignored) the
 * zombie unlinked, to free; sb->lock held. */
static bool to_parent_locked(struct task *t)
{
	bool autoreap = t->parent && parent_reaps_nothing(t->parent);

	if (!autoreap)
		tell_parent_locked(t);
	else
		sandbox_unlink_task_locked(t->sb, t);
	pthread_cond_broadcast(&t->sb->child_cond);
	return autoreap;
}

void task_zombie_to_parent_locked(struct task *t)
{
	if (to_parent_locked(t))
		task_free(t);
}

void task_exit_notify(struct task *t)
{
	struct sandbox *sb = t->sb;
	bool autoreap = false;

	release_shares(t);
	task_vfork_release(t);
	if (t->init == t)
		end_tree(t);
	pthread_mutex_lock(&sb->lock);
	reparent_locked(t);
	ktimer_exit_locked(t);
	t->zombie = true;
	pidfd_notify_exit(t);
	if (!ptrace_exit_locked(t)) /* else its tracer hands it on */
		autoreap = to_parent_locked(t);
	pthread_cond_broadcast(&sb->child_cond);
	pthread_mutex_unlock(&sb->lock);
	if (autoreap)
		task_free(t);
}
