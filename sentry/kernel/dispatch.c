/* Syscall dispatch through the generated table, with counting and tracing. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sentry/fs/fdtable.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/trace.h"
#include "syscall_handlers.h"

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

/* Calls a signal interrupts with EINTR whatever SA_RESTART says: Linux's
 * -ERESTARTNOHAND and -ERESTART_RESTARTBLOCK returns. */
static const char *const no_restart[] = {
	"poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait", "epoll_pwait2",
	"nanosleep", "clock_nanosleep", "rt_sigsuspend", "pause", "rt_sigtimedwait",
	"io_getevents", "io_pgetevents",
};

/* A host call the kick interrupted: to be restarted or to fail with EINTR
 * once the signal that caused it is delivered (-ERESTARTSYS), as the
 * kernel's blocking calls do. */
static long interrupted(const struct syscall_desc *d)
{
	for (size_t i = 0; d && i < sizeof no_restart / sizeof no_restart[0]; i++)
		if (!strcmp(d->name, no_restart[i]))
			return -ERESTARTNOHAND;
	return -ERESTARTSYS;
}

long syscall_dispatch(struct task *t, const struct syscall_args *a)
{
	const struct syscall_desc *d = syscall_lookup(a->nr);
	long ret;

	if (d && d->handler) {
		ret = d->handler(t, a);
		/* restart_syscall's own EINTR is do_no_restart_syscall's: final. */
		if (ret == -EINTR && a->nr != SYSCALL_NR_restart_syscall)
			ret = interrupted(d);
	} else {
		syscall_count_unimplemented(t->sb, a->nr);
		ret = -ENOSYS;
	}
	if (t->sb->trace_fd >= 0)
		trace(t, d, a, ret);
	fdtable_release_held();
	return ret;
}
