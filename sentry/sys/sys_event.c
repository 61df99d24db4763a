/* eventfd, timerfd and epoll (fs/eventfd.c, fs/timerfd.c, fs/eventpoll.c).
 * Each is a host object of the same kind that the sentry owns, reached by
 * the generic read, write and poll calls; epoll's interest list holds the
 * host fds behind the guest's, with the guest's data words untouched. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "sentry/sched/vcpu.h"
#include "sentry/fs/fs_task.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/signal/signal.h"
#include "sentry/sys/io.h"
#include "syscall_handlers.h"

#define EPOLL_MAX_EVENTS 1024 /* per wait, as the guest's buffer allows */

long io_install_host(struct task *t, int host_fd, int acc, int flags)
{
	struct file *f;

	if (host_fd < 0)
		return -errno;
	f = file_new(host_fd, acc | (flags & O_NONBLOCK), NULL, NULL);
	if (!f)
		return -ENOMEM;
	return fdtable_install(t->files, f, 0, fs_fd_limit(t), flags & O_CLOEXEC);
}

/* The sentry's fd table is not the guest's: running out of host fds is
 * ENFILE (the system's files) to the guest, never its own EMFILE. */
static long install(struct task *t, int host_fd, int acc, int flags)
{
	if (host_fd < 0 && errno == EMFILE)
		errno = ENFILE;
	return io_install_host(t, host_fd, acc, flags);
}

static long do_eventfd(struct task *t, uint64_t count, uint64_t flags)
{
	if (flags & ~(uint64_t)(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	return install(t, eventfd((unsigned int)count, (int)flags | EFD_CLOEXEC), O_RDWR, (int)flags);
}

long sys_eventfd(struct task *t, const struct syscall_args *a)
{
	return do_eventfd(t, a->a[0], 0);
}

long sys_eventfd2(struct task *t, const struct syscall_args *a)
{
	return do_eventfd(t, a->a[0], a->a[1]);
}

long sys_timerfd_create(struct task *t, const struct syscall_args *a)
{
	int clk = (int)a->a[0], flags = (int)a->a[1];

	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC && clk != CLOCK_BOOTTIME &&
	    clk != CLOCK_REALTIME_ALARM && clk != CLOCK_BOOTTIME_ALARM)
		return -EINVAL;
	if (clk == CLOCK_REALTIME_ALARM || clk == CLOCK_BOOTTIME_ALARM)
		return -EPERM; /* CAP_WAKE_ALARM, which a guest never has */
	return install(t, timerfd_create(clk, flags | TFD_CLOEXEC), O_RDWR, flags);
}

/* The host fd behind a guest fd that must be a host object of one kind
 * (F_GETFL works on any): -EBADF when not open, -EINVAL when the host
 * refuses it as the wrong kind. */
static long host_of(struct task *t, uint64_t fd, int *host)
{
	struct file *f;
	long r = fs_file(t, fd, &f);

	if (!r)
		*host = f->host_fd;
	return r;
}

long sys_timerfd_settime(struct task *t, const struct syscall_args *a)
{
	struct itimerspec n, old;
	int host;
	long r = host_of(t, a->a[0], &host);

	if (r)
		return r;
	if (copy_from_guest(t, &n, a->a[2], sizeof n) < 0)
		return -EFAULT;
	if (timerfd_settime(host, (int)a->a[1], &n, &old) < 0)
		return -errno;
	return a->a[3] ? copy_to_guest(t, a->a[3], &old, sizeof old) : 0;
}

long sys_timerfd_gettime(struct task *t, const struct syscall_args *a)
{
	struct itimerspec cur;
	int host;
	long r = host_of(t, a->a[0], &host);

	if (r)
		return r;
	if (timerfd_gettime(host, &cur) < 0)
		return -errno;
	return copy_to_guest(t, a->a[1], &cur, sizeof cur);
}

long sys_epoll_create(struct task *t, const struct syscall_args *a)
{
	if ((int)a->a[0] <= 0)
		return -EINVAL;
	return install(t, epoll_create1(EPOLL_CLOEXEC), O_RDWR, 0);
}

long sys_epoll_create1(struct task *t, const struct syscall_args *a)
{
	if (a->a[0] & ~(uint64_t)EPOLL_CLOEXEC)
		return -EINVAL;
	return install(t, epoll_create1(EPOLL_CLOEXEC), O_RDWR, (int)a->a[0]);
}

long sys_epoll_ctl(struct task *t, const struct syscall_args *a)
{
	struct epoll_event ev;
	int ep, host;
	int op = (int)a->a[1];
	long r = host_of(t, a->a[0], &ep);

	if (!r)
		r = host_of(t, a->a[2], &host);
	if (r)
		return r;
	if (op != EPOLL_CTL_DEL && copy_from_guest(t, &ev, a->a[3], sizeof ev) < 0)
		return -EFAULT;
	if (epoll_ctl(ep, op, host, &ev) < 0)
		return -errno;
	return 0;
}

/* The host's wait on the guest's epoll, events copied out as they are. */
static long do_epoll_wait(struct task *t, uint64_t epfd, uint64_t uevents, int max, int ms)
{
	static __thread struct epoll_event ev[EPOLL_MAX_EVENTS];
	int ep, n;
	long r;

	if (max <= 0 || (size_t)max > INT32_MAX / sizeof ev[0])
		return -EINVAL;
	r = host_of(t, epfd, &ep);
	if (r)
		return r;
	if (max > EPOLL_MAX_EVENTS)
		max = EPOLL_MAX_EVENTS;
	sched_block(task_current);
	n = epoll_pwait(ep, ev, max, ms, task_kick_mask());
	if (n < 0)
		return -errno;
	if (n && copy_to_guest(t, uevents, ev, (size_t)n * sizeof ev[0]) < 0)
		return -EFAULT;
	return n;
}

long sys_epoll_wait(struct task *t, const struct syscall_args *a)
{
	return do_epoll_wait(t, a->a[0], a->a[1], (int)a->a[2], (int)a->a[3]);
}

/* epoll_pwait and epoll_pwait2: the wait with a mask in place. */
static long pwait(struct task *t, const struct syscall_args *a, int ms)
{
	long r = a->a[4] ? sig_mask_from_guest(t, a->a[4], a->a[5]) : 0;

	if (r)
		return r;
	r = do_epoll_wait(t, a->a[0], a->a[1], (int)a->a[2], ms);
	if (a->a[4] && r != -EINTR)
		sig_mask_restore(t);
	return r;
}

long sys_epoll_pwait(struct task *t, const struct syscall_args *a)
{
	return pwait(t, a, (int)a->a[3]);
}

long sys_epoll_pwait2(struct task *t, const struct syscall_args *a)
{
	struct linux_timespec ts;
	int64_t ms;

	if (!a->a[3])
		return pwait(t, a, -1);
	if (copy_from_guest(t, &ts, a->a[3], sizeof ts) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	/* The host's millisecond wait, rounded up so it never ends early. */
	ms = ts.tv_sec * 1000 + (ts.tv_nsec + 999999) / 1000000;
	return pwait(t, a, ms > INT32_MAX ? INT32_MAX : (int)ms);
}
