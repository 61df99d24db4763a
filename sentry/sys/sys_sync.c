/* sync(2), syncfs(2) and readahead(2) (fs/sync.c, mm/readahead.c) for the
 * files of the view. A guest can have written only to the writable mounts,
 * so those are what it flushes: a read-only mount of the host holds nothing
 * of the guest's to write back, and is left to the host. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/fs/fdtable.h"
#include "sentry/fs/fs_task.h"
#include "sentry/fs/mount.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "syscall_handlers.h"

/* syncfs of the host file system under a mount's root; errors are the
 * host's to report (ksys_sync returns nothing). */
static void sync_mount(const struct mount *m)
{
	int fd;

	if (m->kind != MOUNT_HOST || m->readonly || m->root_fd < 0)
		return;
	fd = openat(m->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		syncfs(fd);
		close(fd);
	}
}

/* ksys_sync(): every writable mount of the view; always 0. */
long sys_sync(struct task *t, const struct syscall_args *a)
{
	const struct mount_table *mt = &t->sb->mounts;

	(void)a;
	for (size_t i = 0; i < mt->n; i++)
		sync_mount(&mt->m[i]);
	return 0;
}

/* syncfs(fd): EBADF for no file; the file system of a file the guest could
 * have written (a writable mount, a memfd or a file it was given). */
long sys_syncfs(struct task *t, const struct syscall_args *a)
{
	struct file *f;
	long err = fs_file(t, a->a[0], &f);

	if (err)
		return err;
	if (f->mnt && f->mnt->readonly)
		return 0;
	return syncfs(f->host_fd) < 0 ? -errno : 0;
}

/* ksys_readahead(fd, offset, count): EBADF unless open for reading, EINVAL
 * for what cannot read ahead (no regular file), else the host's page cache
 * reads ahead. */
long sys_readahead(struct task *t, const struct syscall_args *a)
{
	struct file *f;
	struct stat st;
	long err = fs_file(t, a->a[0], &f);

	if (err)
		return err;
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (fstat(f->host_fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -EINVAL;
	return readahead(f->host_fd, (off64_t)a->a[1], (size_t)a->a[2]) < 0 ? -errno : 0;
}
