/* Looking at files: the stat family, readlink, directory listings, ioctl. */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/arch.h"
#include "sentry/fs/fs_task.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/kernel/syscall.h"
#include "syscall_handlers.h"

#define LINUX_TCGETS 0x5401
#define LINUX_TIOCGWINSZ 0x5413
#define LINUX_FIONCLEX 0x5450
#define LINUX_FIOCLEX 0x5451
#define STAT_FLAGS (LINUX_AT_EMPTY_PATH | LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_NO_AUTOMOUNT | \
		    LINUX_AT_STATX_SYNC_TYPE)
#define LINUX_STATX_SIZE 256 /* struct statx, same on every arch */
#define DIRENT_CHUNK 8192

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

static long put_stat(struct task *t, int host_fd, uint64_t buf)
{
	unsigned char out[ARCH_STAT_SIZE];
	struct linux_kstat k;
	struct stat st;

	if (fstat(host_fd, &st) < 0)
		return -errno;
	kstat_from_host(&st, &k);
	return copy_to_guest(t, buf, out, arch_stat_encode(&k, out));
}

/* The host fd a stat-like call with (dirfd, path, flags) is about; *l holds
 * it when a path was resolved (release it after). */
static int stat_target(struct task *t, uint64_t dirfd, uint64_t upath, int flags,
		       struct lookup *l)
{
	struct file *f;
	int r;

	if (flags & ~STAT_FLAGS)
		return -EINVAL;
	r = fs_lookup(t, dirfd, upath, (flags & LINUX_AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
		      flags & LINUX_AT_EMPTY_PATH, l);
	if (r < 0)
		return r;
	if (r == 0)
		return l->fd;
	if ((int)dirfd == LINUX_AT_FDCWD) {
		r = vfs_lookup(&t->sb->mounts, "/", t->fs->cwd, LOOKUP_FOLLOW, l);
		return r < 0 ? r : l->fd;
	}
	r = fs_file(t, dirfd, &f);
	return r < 0 ? r : f->host_fd;
}

long sys_fstat(struct task *t, const struct syscall_args *a)
{
	struct file *f;
	int err = fs_file(t, a->a[0], &f);

	return err ? err : put_stat(t, f->host_fd, a->a[1]);
}

static long stat_at(struct task *t, uint64_t dirfd, uint64_t upath, uint64_t buf, int flags)
{
	struct lookup l = { .fd = -1 };
	int fd = stat_target(t, dirfd, upath, flags, &l);
	long r = fd < 0 ? fd : put_stat(t, fd, buf);

	lookup_release(&l);
	return r;
}

long sys_newfstatat(struct task *t, const struct syscall_args *a)
{
	return stat_at(t, a->a[0], a->a[1], a->a[2], (int)a->a[3]);
}

long sys_stat(struct task *t, const struct syscall_args *a)
{
	return stat_at(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], a->a[1], 0);
}

long sys_lstat(struct task *t, const struct syscall_args *a)
{
	return stat_at(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], a->a[1], LINUX_AT_SYMLINK_NOFOLLOW);
}

/* statx(2): the host fills struct statx, whose layout is the guest's. */
long sys_statx(struct task *t, const struct syscall_args *a)
{
	struct lookup l = { .fd = -1 };
	unsigned char buf[LINUX_STATX_SIZE];
	int flags = (int)a->a[2];
	int fd = stat_target(t, a->a[0], a->a[1], flags, &l);
	long r = fd;

	if (fd >= 0) {
		r = statx(fd, "", AT_EMPTY_PATH | (flags & LINUX_AT_STATX_SYNC_TYPE),
			  (unsigned int)a->a[3], (struct statx *)buf) < 0 ? -errno : 0;
		if (!r)
			r = copy_to_guest(t, a->a[4], buf, sizeof buf);
	}
	lookup_release(&l);
	return r;
}

/* readlink(fd, "") of an O_PATH fd: ENOENT for a non-symlink, as fs/stat.c
 * answers an empty path. */
static ssize_t fd_link_target(struct task *t, uint64_t fd, char *target)
{
	struct file *f;
	ssize_t n;
	long err = fs_file(t, fd, &f);

	if (err)
		return (int)fd == LINUX_AT_FDCWD ? -ENOENT : err;
	n = readlinkat(f->host_fd, "", target, VFS_PATH_MAX);
	return n < 0 ? -errno : n;
}

/* The target of the link a readlink path names; its length or -errno. */
static ssize_t link_target(struct task *t, uint64_t dirfd, uint64_t upath, char *target)
{
	struct lookup l;
	ssize_t n;
	long err;

	err = fs_lookup(t, dirfd, upath, 0, 1, &l);
	if (err == 1) /* "": the symlink an O_PATH fd refers to */
		return fd_link_target(t, dirfd, target);
	if (err)
		return err;
	n = S_ISLNK(l.st.st_mode) ? vfs_readlink(&l, target) : -EINVAL;
	lookup_release(&l);
	return n;
}

static long readlink_common(struct task *t, uint64_t dirfd, uint64_t upath, uint64_t buf,
			    int64_t size)
{
	char target[VFS_PATH_MAX];
	ssize_t n;

	if (size <= 0)
		return -EINVAL;
	n = link_target(t, dirfd, upath, target);
	if (n < 0)
		return n;
	if (n > size)
		n = size;
	return copy_to_guest(t, buf, target, (size_t)n) < 0 ? -EFAULT : n;
}

long sys_readlinkat(struct task *t, const struct syscall_args *a)
{
	return readlink_common(t, a->a[0], a->a[1], a->a[2], (int)a->a[3]);
}

long sys_readlink(struct task *t, const struct syscall_args *a)
{
	return readlink_common(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], a->a[1], (int)a->a[2]);
}

struct linux_dirent64 {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
	char name[];
};

static bool visible(const struct mount_table *mt, const struct file *f, const char *name)
{
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return true;
	if (f->mnt->kind == MOUNT_DEV && !mount_dev_allowed(name))
		return false;
	return !mount_hides(mt, f->path, name);
}

/* Keeps the records a guest may see: in /dev only what devfs serves, and no
 * hidden mount point anywhere. */
static size_t filter_dirents(const struct mount_table *mt, const struct file *f, char *buf,
			     size_t n)
{
	size_t in = 0, out = 0;

	if (!f->mnt || !f->path)
		return n;
	while (in < n) {
		struct linux_dirent64 *d = (void *)(buf + in);
		uint16_t len = d->reclen;

		if (visible(mt, f, d->name)) {
			memmove(buf + out, d, len);
			out += len;
		}
		in += len;
	}
	return out;
}

long sys_getdents64(struct task *t, const struct syscall_args *a)
{
	char buf[DIRENT_CHUNK];
	size_t want = a->a[2] < sizeof buf ? a->a[2] : sizeof buf;
	struct file *f;
	long n;
	int err = fs_file(t, a->a[0], &f);

	if (err)
		return err;
	if (f->mnt && lseek(f->host_fd, 0, SEEK_CUR) == 0)
		vfs_prepare(f->mnt, f->path); /* a synthetic directory read anew */
	for (;;) {
		long got = getdents64(f->host_fd, buf, want);

		if (got < 0)
			return -errno;
		n = (long)filter_dirents(&t->sb->mounts, f, buf, (size_t)got);
		if (n > 0 || got == 0)
			break;
	}
	return copy_to_guest(t, a->a[1], buf, (size_t)n) < 0 ? -EFAULT : n;
}

long sys_ioctl(struct task *t, const struct syscall_args *a)
{
	struct linux_termios tio;
	struct linux_winsize ws;
	struct file *f;
	int err = fs_file(t, a->a[0], &f), avail;

	if (err)
		return err;
	switch ((unsigned int)a->a[1]) {
	case LINUX_TCGETS:
		if (ioctl(f->host_fd, TCGETS, &tio) < 0)
			return -errno;
		return copy_to_guest(t, a->a[2], &tio, sizeof tio);
	case LINUX_TIOCGWINSZ:
		if (ioctl(f->host_fd, TIOCGWINSZ, &ws) < 0)
			return -errno;
		return copy_to_guest(t, a->a[2], &ws, sizeof ws);
	case FIONREAD:
		if (ioctl(f->host_fd, FIONREAD, &avail) < 0)
			return -errno;
		return copy_to_guest(t, a->a[2], &avail, sizeof avail);
	case LINUX_FIOCLEX:
	case LINUX_FIONCLEX:
		fdtable_set_cloexec(t->files, (int)a->a[0], (unsigned int)a->a[1] == LINUX_FIOCLEX);
		return 0;
	default:
		return -ENOTTY;
	}
}
