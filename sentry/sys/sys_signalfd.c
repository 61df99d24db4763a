/* signalfd and signalfd4 (fs/signalfd.c): a file to read signals from. */
#include <errno.h>
#include <fcntl.h>

#include "sentry/fs/fs_task.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/signal/signal.h"
#include "sentry/signal/signalfd.h"
#include "syscall_handlers.h"

#define LINUX_SFD_CLOEXEC O_CLOEXEC
#define LINUX_SFD_NONBLOCK O_NONBLOCK

static long new_file(struct task *t, linux_sigset_t mask, int flags)
{
	struct signalfd *s;
	struct file *f;
	int host = signalfd_new(t, mask, flags, &s);

	if (host < 0)
		return host;
	f = file_new(host, O_RDWR | (flags & O_NONBLOCK), NULL, NULL);
	if (!f) {
		signalfd_free(s);
		return -ENOMEM;
	}
	f->sigfd = s;
	return fdtable_install(t->files, f, 0, fs_fd_limit(t), flags & O_CLOEXEC);
}

/* do_signalfd4(): the mask is checked and read first, then the flags; an
 * existing signalfd takes the new mask. */
static long do_signalfd4(struct task *t, int fd, uint64_t umask, uint64_t size, uint64_t flags)
{
	linux_sigset_t mask;
	struct file *f;
	long r;

	if (size != sizeof mask)
		return -EINVAL;
	if (copy_from_guest(t, &mask, umask, sizeof mask) < 0)
		return -EFAULT;
	if (flags & ~(uint64_t)(LINUX_SFD_CLOEXEC | LINUX_SFD_NONBLOCK))
		return -EINVAL;
	mask &= ~LINUX_SIG_UNBLOCKABLE;
	if (fd == -1)
		return new_file(t, mask, (int)flags);
	r = fs_file(t, (uint64_t)(uint32_t)fd, &f);
	if (r)
		return r;
	if (!f->sigfd)
		return -EINVAL;
	signalfd_set_mask(t, f->sigfd, mask);
	return fd;
}

long sys_signalfd4(struct task *t, const struct syscall_args *a)
{
	return do_signalfd4(t, (int)a->a[0], a->a[1], a->a[2], a->a[3]);
}

long sys_signalfd(struct task *t, const struct syscall_args *a)
{
	return do_signalfd4(t, (int)a->a[0], a->a[1], a->a[2], 0);
}
