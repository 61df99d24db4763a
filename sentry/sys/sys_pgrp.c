/* Process groups and sessions (kernel/sys.c). */
#include <errno.h>
#include <pthread.h>

#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "syscall_handlers.h"

/* The process pid names (0: the caller), a zombie too, or NULL; sb->lock
 * held. */
static struct task *find_process_locked(struct task *t, int pid)
{
	struct task *o;

	if (!pid)
		return t;
	o = sandbox_find_task_locked(t->sb, pid);
	return o && o->tgid == pid ? o : NULL;
}

/* Whether group pgid exists in session sid (-1: in any). */
static bool group_in_session_locked(struct task *t, int pgid, int sid)
{
	for (struct task *o = t->sb->tasks; o; o = o->next)
		if (o->pgid == pgid && (sid < 0 || o->sid == sid) && !o->zombie)
			return true;
	return false;
}

static long setpgid_locked(struct task *t, int pid, int pgid)
{
	struct task *p = find_process_locked(t, pid);

	if (!p)
		return -ESRCH;
	if (p->tgid != t->tgid) {
		if (!p->parent || p->parent->tgid != t->tgid)
			return -ESRCH;
		if (p->sid != t->sid)
			return -EPERM;
		if (p->did_exec)
			return -EACCES;
	}
	if (p->sid == p->tgid)
		return -EPERM; /* a session leader */
	if (pgid != p->tgid && !group_in_session_locked(t, pgid, t->sid))
		return -EPERM;
	p->pgid = pgid;
	return 0;
}

long sys_setpgid(struct task *t, const struct syscall_args *a)
{
	int pid = (int)a->a[0] ? (int)a->a[0] : t->tgid;
	int pgid = (int)a->a[1] ? (int)a->a[1] : pid;
	long r;

	if (pgid < 0)
		return -EINVAL;
	pthread_mutex_lock(&t->sb->lock);
	r = setpgid_locked(t, pid, pgid);
	pthread_mutex_unlock(&t->sb->lock);
	return r;
}

/* getpgid and getsid: a field of the process pid names. */
static long get_id(struct task *t, int pid, bool session)
{
	struct task *p;
	long r = -ESRCH;

	pthread_mutex_lock(&t->sb->lock);
	p = find_process_locked(t, pid);
	if (p)
		r = session ? p->sid : p->pgid;
	pthread_mutex_unlock(&t->sb->lock);
	return r;
}

long sys_getpgid(struct task *t, const struct syscall_args *a)
{
	return get_id(t, (int)a->a[0], false);
}

long sys_getpgrp(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return get_id(t, 0, false);
}

long sys_getsid(struct task *t, const struct syscall_args *a)
{
	return get_id(t, (int)a->a[0], true);
}

long sys_setsid(struct task *t, const struct syscall_args *a)
{
	long r;

	(void)a;
	pthread_mutex_lock(&t->sb->lock);
	/* Fails when a group already has the caller's id (ksys_setsid). */
	if (group_in_session_locked(t, t->tgid, -1)) {
		r = -EPERM;
	} else {
		t->sid = t->pgid = t->tgid;
		r = t->sid;
	}
	pthread_mutex_unlock(&t->sb->lock);
	return r;
}
