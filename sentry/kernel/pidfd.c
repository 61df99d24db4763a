/* pidfds (kernel/pid.c, kernel/signal.c): a file that names a process.
 * Its host object is a dup of an eventfd the process keeps, which becomes
 * readable when the process ends, so poll and epoll on a pidfd work as
 * Linux's do. Read and write are refused, as Linux refuses them. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sentry/fs/fs_task.h"
#include "sentry/kernel/pidfd.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/signal/signal.h"
#include "syscall_handlers.h"

/* A new host fd on the process's exit eventfd; sb->lock held. */
static int exit_event_dup_locked(struct task *leader)
{
	int fd;

	if (leader->exit_efd < 0) {
		leader->exit_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (leader->exit_efd < 0)
			return -errno;
		if (leader->zombie)
			pidfd_notify_exit(leader);
	}
	fd = fcntl(leader->exit_efd, F_DUPFD_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

void pidfd_notify_exit(struct task *leader)
{
	uint64_t one = 1;

	if (leader->exit_efd >= 0 && write(leader->exit_efd, &one, sizeof one) < 0)
		return; /* already readable */
}

/* The guest fd, O_CLOEXEC, of a pidfd on host (which it owns) naming tid. */
static long install(struct task *t, int host, int tid, int flags)
{
	struct file *f;

	if (host < 0)
		return host;
	f = file_new(host, O_RDWR | (flags & O_NONBLOCK), NULL, NULL);
	if (!f)
		return -ENOMEM;
	f->pidfd = tid;
	return fdtable_install(t->files, f, 0, fs_fd_limit(t), true);
}

long pidfd_install(struct task *t, struct task *p, int flags)
{
	int host;

	pthread_mutex_lock(&t->sb->lock);
	host = exit_event_dup_locked(p->leader);
	pthread_mutex_unlock(&t->sb->lock);
	return install(t, host, p->tid, flags);
}

long sys_pidfd_open(struct task *t, const struct syscall_args *a)
{
	int pid = (int)a->a[0], host = -ESRCH;
	uint64_t flags = a->a[1];
	struct task *p;

	if (flags & ~(uint64_t)(O_NONBLOCK | LINUX_PIDFD_THREAD) || pid <= 0)
		return -EINVAL;
	pthread_mutex_lock(&t->sb->lock);
	p = sandbox_find_task_locked(t->sb, pid);
	if (p && p->tid != p->tgid && !(flags & LINUX_PIDFD_THREAD))
		host = -EINVAL; /* not a process's leader */
	else if (p)
		host = exit_event_dup_locked(p->leader);
	pthread_mutex_unlock(&t->sb->lock);
	return install(t, host, pid, (int)flags);
}

long pidfd_process(struct task *t, uint64_t fd, int *pid, bool *nonblock)
{
	struct file *f;
	long r = fs_file(t, fd, &f);

	if (r)
		return r;
	if (!f->pidfd)
		return -EBADF;
	*pid = f->pidfd;
	if (nonblock)
		*nonblock = f->flags & O_NONBLOCK;
	return 0;
}

long sys_pidfd_send_signal(struct task *t, const struct syscall_args *a)
{
	struct linux_siginfo info;
	int sig = (int)a->a[1], pid;
	struct task *p;
	long r;

	if (a->a[3])
		return -EINVAL; /* no PIDFD_SIGNAL_* scopes */
	r = pidfd_process(t, a->a[0], &pid, NULL);
	if (r)
		return r;
	if (sig < 0 || sig > LINUX_NSIG)
		return -EINVAL;
	sig_info_user(&info, sig, LINUX_SI_USER, t);
	if (a->a[2]) {
		if (copy_from_guest(t, &info, a->a[2], sizeof info) < 0)
			return -EFAULT;
		if (info.si_signo != sig)
			return -EINVAL;
		/* As rt_sigqueueinfo: no kernel or kill origin for another process. */
		if ((info.si_code >= 0 || info.si_code == LINUX_SI_TKILL) && pid != t->tgid)
			return -EPERM;
	}
	pthread_mutex_lock(&t->sb->lock);
	p = sandbox_find_task_locked(t->sb, pid);
	r = p && !p->zombie ? 0 : -ESRCH;
	if (!r && sig)
		sig_send_process_locked(p, &info);
	pthread_mutex_unlock(&t->sb->lock);
	return r;
}
