/* Credentials (kernel/sys.c, kernel/groups.c). A sandbox has one identity,
 * the uid and gid it was made with, for real, effective, saved and
 * file-system ids alike: calls that keep it succeed, calls that would
 * change it fail with EPERM, as for a process without CAP_SETUID, root's
 * included (the sentry's host calls run as that identity whatever the
 * guest asks). */
#include <errno.h>
#include <stdint.h>

#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "syscall_handlers.h"

/* Each id is -1 (unchanged) or the sandbox's own. */
static long keep_ids(uint32_t id, const uint64_t *ids, int n)
{
	for (int i = 0; i < n; i++)
		if ((int32_t)ids[i] != -1 && (uint32_t)ids[i] != id)
			return -EPERM;
	return 0;
}

long sys_setuid(struct task *t, const struct syscall_args *a)
{
	if ((int32_t)a->a[0] == -1)
		return -EINVAL; /* not a valid uid (uid_valid()) */
	return keep_ids(t->sb->uid, a->a, 1);
}

long sys_setgid(struct task *t, const struct syscall_args *a)
{
	if ((int32_t)a->a[0] == -1)
		return -EINVAL;
	return keep_ids(t->sb->gid, a->a, 1);
}

long sys_setreuid(struct task *t, const struct syscall_args *a)
{
	return keep_ids(t->sb->uid, a->a, 2);
}

long sys_setregid(struct task *t, const struct syscall_args *a)
{
	return keep_ids(t->sb->gid, a->a, 2);
}

long sys_setresuid(struct task *t, const struct syscall_args *a)
{
	return keep_ids(t->sb->uid, a->a, 3);
}

long sys_setresgid(struct task *t, const struct syscall_args *a)
{
	return keep_ids(t->sb->gid, a->a, 3);
}

/* setfsuid returns the old id whatever happens. */
long sys_setfsuid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->sb->uid;
}

long sys_setfsgid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->sb->gid;
}

static long put_three(struct task *t, const struct syscall_args *a, uint32_t id)
{
	for (int i = 0; i < 3; i++)
		if (copy_to_guest(t, a->a[i], &id, sizeof id) < 0)
			return -EFAULT;
	return 0;
}

long sys_getresuid(struct task *t, const struct syscall_args *a)
{
	return put_three(t, a, t->sb->uid);
}

long sys_getresgid(struct task *t, const struct syscall_args *a)
{
	return put_three(t, a, t->sb->gid);
}

/* The sandbox's only group is its gid; the list of supplementary groups
 * is empty. */
long sys_getgroups(struct task *t, const struct syscall_args *a)
{
	(void)t;
	return (int32_t)a->a[0] < 0 ? -EINVAL : 0;
}

long sys_setgroups(struct task *t, const struct syscall_args *a)
{
	uint32_t g;

	if (a->a[0] > 65536)
		return -EINVAL; /* NGROUPS_MAX */
	for (uint64_t i = 0; i < a->a[0]; i++) {
		if (copy_from_guest(t, &g, a->a[1] + i * sizeof g, sizeof g) < 0)
			return -EFAULT;
		if (g != t->sb->gid)
			return -EPERM;
	}
	return 0;
}
