/* Process identity and lifetime: ids, exit, thread-library registrations. */
#include <errno.h>

#include "arch/arch.h"
#include "platform/platform.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/kernel/syscall.h"
#include "syscall_handlers.h"

long sys_exit(struct task *t, const struct syscall_args *a)
{
	task_exit_thread(t, (int)(a->a[0] & 0xff) << 8);
	return 0;
}

long sys_exit_group(struct task *t, const struct syscall_args *a)
{
	task_exit_group(t, (int)(a->a[0] & 0xff) << 8);
	return 0;
}

long sys_getpid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->tgid;
}

long sys_gettid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->tid;
}

long sys_getppid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->ppid;
}

long sys_getuid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->sb->uid;
}

long sys_geteuid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->sb->uid;
}

long sys_getgid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->sb->gid;
}

long sys_getegid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->sb->gid;
}

long sys_set_tid_address(struct task *t, const struct syscall_args *a)
{
	t->clear_child_tid = a->a[0];
	return t->tid;
}

long sys_set_robust_list(struct task *t, const struct syscall_args *a)
{
	if (a->a[1] != sizeof(struct linux_robust_list_head))
		return -EINVAL;
	t->robust_list = a->a[0];
	t->robust_len = a->a[1];
	return 0;
}

long sys_get_robust_list(struct task *t, const struct syscall_args *a)
{
	uint64_t len = sizeof(struct linux_robust_list_head);
	int err;

	if (a->a[0] && (int)a->a[0] != t->tid)
		return -ESRCH;
	err = copy_to_guest(t, a->a[2], &len, sizeof len);
	if (!err)
		err = copy_to_guest(t, a->a[1], &t->robust_list, sizeof t->robust_list);
	return err;
}

long sys_arch_prctl(struct task *t, const struct syscall_args *a)
{
	uint64_t val = a->a[1];
	long r = arch_prctl_op(task_regs(t), (int)a->a[0], &val);

	if (r == 1) /* a GET: the value goes to the guest's pointer */
		r = copy_to_guest(t, a->a[1], &val, sizeof val);
	return r;
}

/* personality(2): 0xffffffff asks; any other value is the new one (the
 * execution domain is always Linux's). The old one either way. */
long sys_personality(struct task *t, const struct syscall_args *a)
{
	uint32_t old = t->personality, persona = (uint32_t)a->a[0];

	if (persona != 0xffffffffu)
		t->personality = persona;
	return old;
}
