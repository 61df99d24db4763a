/* fstat, newfstatat (AT_EMPTY_PATH on an fd), ioctl on terminals, readlink of
 * /proc/self/exe: what static programs ask of the files they were given. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "arch/arch.h"
#include "sentry/fs/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/kernel/syscall.h"
#include "syscall_handlers.h"

#define LINUX_AT_FDCWD (-100)
#define LINUX_AT_EMPTY_PATH 0x1000
#define LINUX_AT_SYMLINK_NOFOLLOW 0x100
#define LINUX_AT_NO_AUTOMOUNT 0x800
#define LINUX_AT_STATX_SYNC_TYPE 0x6000
#define LINUX_TCGETS 0x5401
#define LINUX_TIOCGWINSZ 0x5413
#define PATH_BUF 4096

static void kstat_from_host(const struct stat *st, struct linux_kstat *k)
{
	memset(k, 0, sizeof *k);
	k->dev = st->st_dev;
	k->ino = st->st_ino;
	k->mode = st->st_mode;
	k->nlink = (uint32_t)st->st_nlink;
	k->uid = st->st_uid;
	k->gid = st->st_gid;
	k->rdev = st->st_rdev;
	k->size = st->st_size;
	k->blksize = st->st_blksize;
	k->blocks = st->st_blocks;
	k->atime = (struct linux_timespec){ st->st_atim.tv_sec, st->st_atim.tv_nsec };
	k->mtime = (struct linux_timespec){ st->st_mtim.tv_sec, st->st_mtim.tv_nsec };
	k->ctime = (struct linux_timespec){ st->st_ctim.tv_sec, st->st_ctim.tv_nsec };
}

static long stat_fd(struct task *t, uint64_t fd, uint64_t buf)
{
	struct file *f = fd > INT_MAX ? NULL : fdtable_get(t->files, (int)fd);
	unsigned char out[ARCH_STAT_SIZE];
	struct linux_kstat k;
	struct stat st;

	if (!f)
		return -EBADF;
	if (fstat(f->host_fd, &st) < 0)
		return -errno;
	kstat_from_host(&st, &k);
	return copy_to_guest(t, buf, out, arch_stat_encode(&k, out));
}

long sys_fstat(struct task *t, const struct syscall_args *a)
{
	return stat_fd(t, a->a[0], a->a[1]);
}

long sys_newfstatat(struct task *t, const struct syscall_args *a)
{
	unsigned int flags = (unsigned int)a->a[3];
	char path[PATH_BUF];
	long n;

	if (flags & ~(LINUX_AT_EMPTY_PATH | LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_NO_AUTOMOUNT |
		      LINUX_AT_STATX_SYNC_TYPE))
		return -EINVAL;
	n = strncpy_from_guest(t, path, a->a[1], sizeof path);
	if (n < 0)
		return n;
	if (n == 0 && (flags & LINUX_AT_EMPTY_PATH)) {
		if ((int)a->a[0] == LINUX_AT_FDCWD)
			return -ENOENT; /* the cwd: no file system yet */
		return stat_fd(t, a->a[0], a->a[2]);
	}
	return -ENOENT; /* paths: no file system yet */
}

long sys_ioctl(struct task *t, const struct syscall_args *a)
{
	struct file *f = a->a[0] > INT_MAX ? NULL : fdtable_get(t->files, (int)a->a[0]);
	struct linux_termios tio;
	struct linux_winsize ws;

	if (!f)
		return -EBADF;
	switch ((unsigned int)a->a[1]) {
	case LINUX_TCGETS:
		if (ioctl(f->host_fd, TCGETS, &tio) < 0)
			return -errno;
		return copy_to_guest(t, a->a[2], &tio, sizeof tio);
	case LINUX_TIOCGWINSZ:
		if (ioctl(f->host_fd, TIOCGWINSZ, &ws) < 0)
			return -errno;
		return copy_to_guest(t, a->a[2], &ws, sizeof ws);
	default:
		return -ENOTTY;
	}
}

static long readlink_common(struct task *t, int dirfd, uint64_t upath, uint64_t buf, int64_t size)
{
	char path[PATH_BUF];
	long n = strncpy_from_guest(t, path, upath, sizeof path);
	size_t len;

	(void)dirfd;
	if (n < 0)
		return n;
	if (size <= 0)
		return -EINVAL;
	if (strcmp(path, "/proc/self/exe") != 0 || !t->exe_path)
		return -ENOENT; /* paths: no file system yet */
	len = strlen(t->exe_path);
	if ((uint64_t)size < len)
		len = (size_t)size;
	n = copy_to_guest(t, buf, t->exe_path, len);
	return n < 0 ? n : (long)len;
}

long sys_readlinkat(struct task *t, const struct syscall_args *a)
{
	return readlink_common(t, (int)a->a[0], a->a[1], a->a[2], (int64_t)(int)a->a[3]);
}

long sys_readlink(struct task *t, const struct syscall_args *a)
{
	return readlink_common(t, LINUX_AT_FDCWD, a->a[0], a->a[1], (int64_t)(int)a->a[2]);
}
