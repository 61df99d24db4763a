/* inotify (fs/notify/inotify/inotify_user.c). An instance is the host's,
 * which the sentry owns and the generic read and poll calls reach; a watch
 * is put on the very object the sentry's walk of the view found, through
 * its /proc/self/fd path, so no guest path ever reaches the host. Events
 * name children by their names in the watched directory, which are the
 * guest's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "sentry/fs/fs_task.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/sys/io.h"
#include "syscall_handlers.h"

#define ALL_INOTIFY_BITS (IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | \
			  IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_ADD | \
			  IN_MASK_CREATE | IN_ISDIR | IN_ONESHOT)

static long init1(struct task *t, uint64_t flags)
{
	if (flags & ~(uint64_t)(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	return io_install_host(t, inotify_init1((int)flags | IN_CLOEXEC), O_RDONLY, (int)flags);
}

long sys_inotify_init1(struct task *t, const struct syscall_args *a)
{
	return init1(t, a->a[0]);
}

long sys_inotify_init(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return init1(t, 0);
}

/* Whether host fd is an inotify instance (f_op == &inotify_fops). */
static bool is_inotify(int fd)
{
	char proc[32], link[32];
	ssize_t n;

	fs_proc_path(fd, proc);
	n = readlink(proc, link, sizeof link - 1);
	if (n < 0)
		return false;
	link[n] = 0;
	return !strcmp(link, "anon_inode:inotify");
}

/* The mask is judged, then the fd, then the path (inotify_find_inode):
 * followed unless IN_DONT_FOLLOW, a directory with IN_ONLYDIR. */
long sys_inotify_add_watch(struct task *t, const struct syscall_args *a)
{
	uint32_t mask = (uint32_t)a->a[2];
	unsigned int flags = 0;
	struct lookup l;
	struct file *f;
	char proc[32];
	long err;

	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	if (!(mask & ALL_INOTIFY_BITS))
		return -EINVAL;
	err = fs_file(t, a->a[0], &f);
	if (err)
		return err;
	if (!is_inotify(f->host_fd))
		return -EINVAL;
	if (!(mask & IN_DONT_FOLLOW))
		flags |= LOOKUP_FOLLOW;
	if (mask & IN_ONLYDIR)
		flags |= LOOKUP_DIRECTORY;
	err = fs_lookup(t, (uint64_t)LINUX_AT_FDCWD, a->a[1], flags, 0, &l);
	if (err)
		return err < 0 ? err : -ENOENT;
	/* The walk has followed, or not, already: the host follows only the
	 * magic link to what it found. */
	fs_proc_path(l.fd, proc);
	err = inotify_add_watch(f->host_fd, proc, mask & ~IN_DONT_FOLLOW);
	err = err < 0 ? -errno : err;
	lookup_release(&l);
	return err;
}

long sys_inotify_rm_watch(struct task *t, const struct syscall_args *a)
{
	struct file *f;
	long err = fs_file(t, a->a[0], &f);

	if (err)
		return err;
	return inotify_rm_watch(f->host_fd, (int)a->a[1]) < 0 ? -errno : 0;
}
