/* restart_syscall(2): the continuation an interrupted sleep left. */
#include <errno.h>

#include "sentry/kernel/restart.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "syscall_handlers.h"

long task_set_restart(struct task *t, long (*fn)(struct task *t))
{
	t->restart_block.fn = fn;
	return -ERESTART_RESTARTBLOCK;
}

/* Without a continuation (a guest's own call, or one after rt_sigreturn)
 * the answer is do_no_restart_syscall's EINTR, which the dispatcher keeps. */
long sys_restart_syscall(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->restart_block.fn ? t->restart_block.fn(t) : -EINTR;
}
