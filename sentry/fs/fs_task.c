/* Path and fd arguments of syscalls. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>

#include "sentry/fs/fs_task.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

int fs_file(struct task *t, uint64_t fd, struct file **out)
{
	struct file *f = fd > INT_MAX ? NULL : fdtable_get(t->files, (int)fd);

	if (!f)
		return -EBADF;
	*out = f;
	return 0;
}

/* The directory a relative path starts from. */
static int start_dir(struct task *t, uint64_t dirfd, const char **start)
{
	struct file *f;
	struct stat st;
	int err;

	if ((int)dirfd == LINUX_AT_FDCWD) {
		*start = t->cwd;
		return 0;
	}
	err = fs_file(t, (uint64_t)(int)dirfd, &f);
	if (err)
		return err;
	if (!f->path || fstat(f->host_fd, &st) < 0 || !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*start = f->path;
	return 0;
}

int fs_lookup(struct task *t, uint64_t dirfd, uint64_t upath, unsigned int flags, int empty_ok,
	      struct lookup *l)
{
	char path[VFS_PATH_MAX];
	const char *start = "/";
	long n = strncpy_from_guest(t, path, upath, sizeof path);
	int err;

	l->fd = -1;
	if (n < 0)
		return (int)n;
	if (n == 0 && empty_ok)
		return 1;
	if (n > 0 && path[0] != '/') {
		err = start_dir(t, dirfd, &start);
		if (err)
			return err;
	}
	return vfs_lookup(&t->sb->mounts, start, path, flags, l);
}

int fs_fd_limit(struct task *t)
{
	uint64_t cur = t->sb->rlim[RLIMIT_NOFILE].rlim_cur;

	return cur > FDTABLE_MAX ? FDTABLE_MAX : (int)cur;
}
