/* de_thread() (fs/exec.c): execve ends the caller's other threads. From a
 * thread other than the leader, the exec'ing thread takes over the
 * leader's pid: here the leader's task, which is the process to its
 * parent, its children and the embedder, goes on, and its tracer builds
 * the new image once every other thread is gone; the calling thread hands
 * it the exec with what of itself the exec keeps, and ends unreported. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/sleep.h"
#include "sentry/kernel/task.h"

#define KICK_RETRY_NS 20000000L /* a kick can land just before a host call blocks */

/* Whether t is alone: the leader with no other thread, or a thread whose
 * leader's guest thread has ended and no third task is left; sb->lock. */
static bool alone_locked(const struct task *t)
{
	const struct task *l = t->leader;

	return t == l ? l->nthreads == 1 : l->nthreads == 2 && l->nlive == 1;
}

int task_exec_alone(struct task *t)
{
	struct sandbox *sb = t->sb;
	int err = 0;

	pthread_mutex_lock(&sb->lock);
	while (!alone_locked(t)) {
		struct timespec until = sleep_ts(sleep_now_ns(CLOCK_MONOTONIC) + KICK_RETRY_NS);

		if (__atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE)) {
			err = -EINTR;
			break;
		}
		for (struct task *x = sb->tasks; x; x = x->next)
			if (x->tgid == t->tgid && x != t && !x->zombie) {
				__atomic_store_n(&x->exiting, true, __ATOMIC_RELEASE);
				task_interrupt_locked(x);
			}
		pthread_cond_timedwait(&sb->child_cond, &sb->lock, &until);
	}
	pthread_mutex_unlock(&sb->lock);
	return err ? err : t != t->leader;
}

static void swap_ptr(void **a, void **b)
{
	void *x = *a;

	*a = *b;
	*b = x;
}

void task_exec_hand_over(struct task *t, struct exec_req *x)
{
	struct task *l = t->leader;

	pthread_mutex_lock(&t->sb->lock);
	/* The thread's own files and fs_struct (which the leader's then are;
	 * t's end releases the leader's old ones), its mask and signals. */
	swap_ptr((void **)&l->files, (void **)&t->files);
	swap_ptr((void **)&l->fs, (void **)&t->fs);
	l->sigmask = t->sigmask;
	l->sigpending = t->sigpending;
	memcpy(l->siginfo, t->siginfo, sizeof l->siginfo);
	swap_ptr((void **)&l->sig_more, (void **)&t->sig_more); /* t's end frees the leader's */
	t->sigpending = 0;
	l->no_new_privs = t->no_new_privs;
	l->pdeathsig = t->pdeathsig;
	l->sud = t->sud; /* the exec then disarms it */
	l->exit_signal = SIGCHLD; /* tsk->exit_signal = SIGCHLD */
	l->exec_pending = x;
	t->exit_status = 0;
	__atomic_store_n(&t->exiting, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&t->sb->child_cond);
	pthread_mutex_unlock(&t->sb->lock);
}

struct exec_req *task_exec_take(struct task *l)
{
	struct exec_req *x;
	bool go;

	pthread_mutex_lock(&l->sb->lock);
	x = l->exec_pending;
	l->exec_pending = NULL;
	go = x && !l->group_exit;
	if (go) { /* the leader's task runs again, as the only thread */
		l->nlive = 1;
		l->exit_status = 0;
		l->restart = 0;
		l->restore_mask = false;
		l->regs_final = false;
		l->restart_block.fn = NULL;
		__atomic_store_n(&l->exiting, false, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&l->sb->lock);
	if (x && !go) {
		exec_req_free(x);
		x = NULL;
	}
	return x;
}
