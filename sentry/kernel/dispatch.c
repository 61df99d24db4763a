/* Syscall dispatch through the generated table, with counting and tracing. */
#include <errno.h>
#include <unistd.h>

#include "sentry/fs/fdtable.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/trace.h"

void syscall_count_unimplemented(struct sandbox *sb, long nr)
{
	unsigned long i = nr >= 0 && nr < SANDBOX_MAX_SYSCALLS - 1 ? (unsigned long)nr
								    : SANDBOX_MAX_SYSCALLS - 1;

	atomic_fetch_add(&sb->unimplemented[i], 1);
}

static void trace(struct task *t, const struct syscall_desc *d, const struct syscall_args *a,
		  long ret)
{
	char line[1024];
	size_t n = trace_format(t, d, a, ret, line, sizeof line);

	if (write(t->sb->trace_fd, line, n) < 0)
		return;
}

long syscall_dispatch(struct task *t, const struct syscall_args *a)
{
	const struct syscall_desc *d = syscall_lookup(a->nr);
	long ret;

	if (d && d->handler) {
		ret = d->handler(t, a);
	} else {
		syscall_count_unimplemented(t->sb, a->nr);
		ret = -ENOSYS;
	}
	if (t->sb->trace_fd >= 0)
		trace(t, d, a, ret);
	fdtable_release_held();
	return ret;
}
