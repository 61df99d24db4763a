/* pipe(2), pipe2(2) and a pipe's size (fs/pipe.c). A guest pipe is a host
 * pipe the sentry owns, so its data, blocking, O_DIRECT packets, EPIPE,
 * poll and FIONREAD are the host's, reached through the generic I/O calls. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "abi/linux_fcntl.h"
#include "sentry/fs/fs_task.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/sys/fcntl.h"
#include "syscall_handlers.h"

#define PIPE_FLAGS (O_CLOEXEC | O_NONBLOCK | O_DIRECT)

/* One end as a file at the lowest free fd, with the status flags
 * create_pipe_files() gives it; the file owns host_fd from here on. */
static long install_end(struct task *t, int host_fd, int flags, bool cloexec)
{
	struct file *f = file_new(host_fd, flags, NULL, NULL);

	if (!f)
		return -ENOMEM;
	return fdtable_install(t->files, f, 0, fs_fd_limit(t), cloexec);
}

/* do_pipe2(): the flags, then the pipe, then both fds, then the copy-out;
 * a fault there leaves no fd behind. Notification pipes are ENOPKG, as on
 * a kernel built without watch queues (watch_queue_init()). */
static long do_pipe2(struct task *t, uint64_t ufds, int flags)
{
	bool cloexec = flags & O_CLOEXEC;
	int host[2], fd[2];
	long r;

	if (flags & ~(PIPE_FLAGS | LINUX_O_NOTIFICATION_PIPE))
		return -EINVAL;
	if (flags & LINUX_O_NOTIFICATION_PIPE)
		return -ENOPKG;
	/* The sentry's own fd limit is a system-wide one to the guest. */
	if (pipe2(host, O_CLOEXEC | (flags & (O_NONBLOCK | O_DIRECT))) < 0)
		return errno == EMFILE ? -ENFILE : -errno;
	r = install_end(t, host[0], O_RDONLY | (flags & O_NONBLOCK), cloexec);
	if (r < 0) {
		close(host[1]);
		return r;
	}
	fd[0] = (int)r;
	r = install_end(t, host[1], O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)), cloexec);
	if (r < 0) {
		fdtable_close(t->files, fd[0]);
		return r;
	}
	fd[1] = (int)r;
	if (copy_to_guest(t, ufds, fd, sizeof fd) < 0) {
		fdtable_close(t->files, fd[0]);
		fdtable_close(t->files, fd[1]);
		return -EFAULT;
	}
	return 0;
}

long sys_pipe(struct task *t, const struct syscall_args *a)
{
	return do_pipe2(t, a->a[0], 0);
}

long sys_pipe2(struct task *t, const struct syscall_args *a)
{
	return do_pipe2(t, a->a[0], (int)a->a[1]);
}

/* round_pipe_size(): at least a page, a power of two, 0 past 2 GiB. */
static unsigned int round_pipe_size(unsigned int size)
{
	unsigned int page = (unsigned int)sysconf(_SC_PAGESIZE), r = page;

	if (size > 1u << 31)
		return 0;
	while (r < size)
		r <<= 1;
	return r;
}

/* pipe_fcntl(): the host's pipe or FIFO answers (EBADF for anything else),
 * but growth past pipe-max-size is EPERM for every guest, root too: the
 * sentry may hold CAP_SYS_RESOURCE on the host, a guest never gets it. */
long fcntl_pipe(struct file *f, int cmd, uint64_t arg)
{
	int cur = fcntl(f->host_fd, F_GETPIPE_SZ), r;
	unsigned int size;

	if (cur < 0 || cmd == LINUX_F_GETPIPE_SZ)
		return cur < 0 ? -errno : cur;
	size = round_pipe_size((unsigned int)arg);
	if (!size)
		return -EINVAL;
	if (size > (unsigned int)cur && size > LINUX_PIPE_MAX_SIZE)
		return -EPERM;
	r = fcntl(f->host_fd, F_SETPIPE_SZ, (int)size);
	return r < 0 ? -errno : r;
}
