/* getpriority(2) and setpriority(2) (kernel/sys.c): the nice value of a
 * thread, of every thread of a process group, or of a user's. All guests
 * of a sandbox share its uid, so set_one_prio_perm() never refuses (no
 * EPERM) and PRIO_USER of another uid finds nobody (ESRCH). A zombie is
 * still found, as Linux finds it until it is reaped. The nice value is
 * kept for the guest to read back; the vCPU scheduler does not weigh it
 * (sentry/sched/prio.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>

#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/sched/prio.h"
#include "syscall_handlers.h"

/* Whether p is one of the threads PRIO_PGRP or PRIO_USER name (who 0: the
 * caller's group or uid); a process's group is its leader's. */
static bool prio_match(struct task *t, struct task *p, int which, int who)
{
	if (which == LINUX_PRIO_PGRP)
		return p->leader->pgid == (who ? who : t->leader->pgid);
	return (uint32_t)who == t->sb->uid || !who;
}

/* What a walk carries: setpriority's value, and the answer so far
 * (-ESRCH until a task is found). */
struct prio_acc {
	int nice;
	long ret;
};

typedef void (*prio_fn)(struct task *p, struct prio_acc *acc);

/* Calls one on each task which and who name; -EINVAL for a bad which.
 * sb->lock held. */
static long prio_walk_locked(struct task *t, int which, int who, prio_fn one,
			     struct prio_acc *acc)
{
	struct task *p;

	if (which < LINUX_PRIO_PROCESS || which > LINUX_PRIO_USER)
		return -EINVAL;
	if (which == LINUX_PRIO_PROCESS) {
		p = sched_find_locked(t, who);
		if (p)
			one(p, acc);
		return 0;
	}
	for (p = t->sb->tasks; p; p = p->next)
		if (prio_match(t, p, which, who))
			one(p, acc);
	return 0;
}

/* The highest priority of those named, as 20 - nice (1..40). */
static void get_one(struct task *p, struct prio_acc *acc)
{
	long v = sched_nice_to_rlimit(p->prio.nice);

	if (v > acc->ret)
		acc->ret = v;
}

long sys_getpriority(struct task *t, const struct syscall_args *a)
{
	struct prio_acc acc = { 0, -ESRCH };
	long err;

	pthread_mutex_lock(&t->sb->lock);
	err = prio_walk_locked(t, (int)a->a[0], (int)a->a[1], get_one, &acc);
	pthread_mutex_unlock(&t->sb->lock);
	return err ? err : acc.ret;
}

/* set_one_prio(): a lower nice needs RLIMIT_NICE of the target's process
 * or CAP_SYS_NICE (EACCES). The last failure is the answer; a success
 * turns ESRCH into 0 but leaves an earlier failure. */
static void set_one(struct task *p, struct prio_acc *acc)
{
	if (acc->nice < p->prio.nice && !sched_can_nice(p, acc->nice)) {
		acc->ret = -EACCES;
		return;
	}
	if (acc->ret == -ESRCH)
		acc->ret = 0;
	p->prio.nice = acc->nice;
}

long sys_setpriority(struct task *t, const struct syscall_args *a)
{
	struct prio_acc acc = { (int)a->a[2], -ESRCH };
	long err;

	if (acc.nice < LINUX_MIN_NICE)
		acc.nice = LINUX_MIN_NICE;
	if (acc.nice > LINUX_MAX_NICE)
		acc.nice = LINUX_MAX_NICE;
	pthread_mutex_lock(&t->sb->lock);
	err = prio_walk_locked(t, (int)a->a[0], (int)a->a[1], set_one, &acc);
	pthread_mutex_unlock(&t->sb->lock);
	return err ? err : acc.ret;
}
