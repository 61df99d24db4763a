/* Calls that change the file system (fs/namei.c, fs/open.c, fs/utimes.c).
 * Names are created and removed relative to the parent directory's host fd,
 * one component at a time, so the host kernel resolves nothing of the
 * guest's; objects that calls follow into are first resolved by the sentry
 * and then reached through /proc/self/fd. Read-only mounts refuse with EROFS
 * where Linux checks it: before the lookup for removals, after it for
 * creations. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/fs/fs_task.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "syscall_handlers.h"

#define LINUX_UTIME_OMIT ((1L << 30) - 2)

static long host_result(int r)
{
	return r < 0 ? -errno : 0;
}

/* Removal and renaming: a writable mount, and no mount point. */
static long may_delete(struct task *t, const struct fs_parent *p)
{
	if (p->dir.mnt->readonly)
		return -EROFS;
	return vfs_covers_mount(&t->sb->mounts, p->child) ? -EBUSY : 0;
}

static long do_mkdir(struct task *t, uint64_t dirfd, uint64_t upath, uint32_t mode)
{
	struct fs_parent p;
	long err = fs_lookup_parent(t, dirfd, upath, &p);

	if (!err)
		err = fs_may_create(t, &p);
	if (!err)
		err = host_result(mkdirat(p.dir.fd, p.name, (mode & 07777) & ~t->fs->umask));
	if (!err) /* the sentry's own umask must not take bits the guest's left */
		err = host_result(fchmodat(p.dir.fd, p.name, (mode & 01777) & ~t->fs->umask, 0));
	lookup_release(&p.dir);
	return err;
}

long sys_mkdirat(struct task *t, const struct syscall_args *a)
{
	return do_mkdir(t, a->a[0], a->a[1], (uint32_t)a->a[2]);
}

long sys_mkdir(struct task *t, const struct syscall_args *a)
{
	return do_mkdir(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], (uint32_t)a->a[1]);
}

/* may_mknod(): the types mknod makes; a directory is mkdir's. */
static long mknod_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case 0: /* a regular file */
	case S_IFREG:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		return 0;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
}

/* Regular files, FIFOs and sockets are made beneath the parent's host fd.
 * Devices never are: the guest gets the EPERM of a process without
 * CAP_MKNOD (vfs_mknod(), after the name and the directory's permission are
 * judged), whiteouts included. filename_create() judges the name first
 * (EEXIST), then a trailing slash (ENOENT), then the mount (EROFS). */
static long do_mknod(struct task *t, uint64_t dirfd, uint64_t upath, uint32_t mode)
{
	mode_t type = (mode & S_IFMT) ? (mode & S_IFMT) : S_IFREG;
	struct fs_parent p;
	long err = mknod_type(mode);

	if (err)
		return err;
	err = fs_lookup_parent(t, dirfd, upath, &p);
	if (err)
		return err;
	err = fs_may_create(t, &p);
	if (p.slash && (!err || err == -EROFS))
		err = -ENOENT;
	if (!err && (S_ISCHR(type) || S_ISBLK(type)))
		err = faccessat(p.dir.fd, "", W_OK | X_OK, AT_EMPTY_PATH) < 0 ? -errno : -EPERM;
	if (!err)
		err = host_result(mknodat(p.dir.fd, p.name, type | ((mode & 07777) & ~t->fs->umask), 0));
	lookup_release(&p.dir);
	return err;
}

/* mknodat(dfd, path, mode, dev): mode is a umode_t, 16 bits. */
long sys_mknodat(struct task *t, const struct syscall_args *a)
{
	return do_mknod(t, a->a[0], a->a[1], (uint16_t)a->a[2]);
}

long sys_mknod(struct task *t, const struct syscall_args *a)
{
	return do_mknod(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], (uint16_t)a->a[1]);
}

static long do_unlink(struct task *t, uint64_t dirfd, uint64_t upath, int flags)
{
	struct fs_parent p;
	long err;

	if (flags & ~LINUX_AT_REMOVEDIR)
		return -EINVAL;
	err = fs_lookup_parent(t, dirfd, upath, &p);
	if (!err)
		err = may_delete(t, &p);
	if (!err && !(flags & LINUX_AT_REMOVEDIR) && p.slash)
		err = -ENOTDIR; /* unlink("file/"); the host decides for directories */
	if (!err)
		err = host_result(unlinkat(p.dir.fd, p.name,
					   flags & LINUX_AT_REMOVEDIR ? AT_REMOVEDIR : 0));
	if (err == -ENOTDIR && p.slash && !(flags & LINUX_AT_REMOVEDIR)) {
		struct stat st;

		if (fstatat(p.dir.fd, p.name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
			err = -EISDIR;
	}
	lookup_release(&p.dir);
	return err;
}

long sys_unlinkat(struct task *t, const struct syscall_args *a)
{
	return do_unlink(t, a->a[0], a->a[1], (int)a->a[2]);
}

long sys_unlink(struct task *t, const struct syscall_args *a)
{
	return do_unlink(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], 0);
}

long sys_rmdir(struct task *t, const struct syscall_args *a)
{
	return do_unlink(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], LINUX_AT_REMOVEDIR);
}

/* The last component as the host should see it: with the guest's trailing
 * slash, which makes rename of a non-directory fail with ENOTDIR (the last
 * component is never followed, so the host call stays beneath dir). */
static const char *host_name(const struct fs_parent *p, char buf[VFS_NAME_MAX + 2])
{
	if (!p->slash)
		return p->name;
	snprintf(buf, VFS_NAME_MAX + 2, "%s/", p->name);
	return buf;
}

static long do_rename(struct task *t, uint64_t olddir, uint64_t oldpath, uint64_t newdir,
		      uint64_t newpath, unsigned int flags)
{
	char old_name[VFS_NAME_MAX + 2], new_name[VFS_NAME_MAX + 2];
	struct fs_parent from, to;
	long err = fs_lookup_parent(t, olddir, oldpath, &from);

	to.dir.fd = -1;
	if (!err)
		err = fs_lookup_parent(t, newdir, newpath, &to);
	if (!err && from.dir.mnt != to.dir.mnt)
		err = -EXDEV;
	if (!err)
		err = may_delete(t, &from);
	if (!err)
		err = may_delete(t, &to);
	if (!err)
		err = host_result(renameat2(from.dir.fd, host_name(&from, old_name), to.dir.fd,
					    host_name(&to, new_name), flags));
	lookup_release(&from.dir);
	lookup_release(&to.dir);
	return err;
}

long sys_renameat2(struct task *t, const struct syscall_args *a)
{
	return do_rename(t, a->a[0], a->a[1], a->a[2], a->a[3], (unsigned int)a->a[4]);
}

long sys_renameat(struct task *t, const struct syscall_args *a)
{
	return do_rename(t, a->a[0], a->a[1], a->a[2], a->a[3], 0);
}

long sys_rename(struct task *t, const struct syscall_args *a)
{
	return do_rename(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], (uint64_t)LINUX_AT_FDCWD, a->a[1], 0);
}

/* The target is stored as written: the sentry's walk follows it later. */
static long do_symlink(struct task *t, uint64_t utarget, uint64_t dirfd, uint64_t upath)
{
	char target[VFS_PATH_MAX];
	struct fs_parent p;
	long n = strncpy_from_guest(t, target, utarget, sizeof target), err;

	if (n < 0)
		return n;
	if (n == 0)
		return -ENOENT;
	err = fs_lookup_parent(t, dirfd, upath, &p);
	if (!err)
		err = fs_may_create(t, &p);
	if (!err)
		err = host_result(symlinkat(target, p.dir.fd, p.name));
	lookup_release(&p.dir);
	return err;
}

long sys_symlinkat(struct task *t, const struct syscall_args *a)
{
	return do_symlink(t, a->a[0], a->a[1], a->a[2]);
}

long sys_symlink(struct task *t, const struct syscall_args *a)
{
	return do_symlink(t, a->a[0], (uint64_t)LINUX_AT_FDCWD, a->a[1]);
}

static long do_link(struct task *t, uint64_t olddir, uint64_t oldpath, uint64_t newdir,
		    uint64_t newpath, int flags)
{
	struct lookup old;
	struct fs_parent p;
	char proc[32];
	long err;

	if (flags & ~(LINUX_AT_SYMLINK_FOLLOW | LINUX_AT_EMPTY_PATH))
		return -EINVAL;
	err = fs_lookup(t, olddir, oldpath, flags & LINUX_AT_SYMLINK_FOLLOW ? LOOKUP_FOLLOW : 0, 0,
			&old);
	if (err)
		return err;
	p.dir.fd = -1;
	err = S_ISDIR(old.st.st_mode) ? -EPERM : fs_lookup_parent(t, newdir, newpath, &p);
	if (!err) /* do_linkat(): the new name is judged before the mounts are compared */
		err = fs_may_create(t, &p);
	if (!err && p.dir.mnt != old.mnt)
		err = -EXDEV;
	if (!err) {
		fs_proc_path(old.fd, proc);
		err = host_result(linkat(AT_FDCWD, proc, p.dir.fd, p.name, AT_SYMLINK_FOLLOW));
	}
	lookup_release(&old);
	lookup_release(&p.dir);
	return err;
}

long sys_linkat(struct task *t, const struct syscall_args *a)
{
	return do_link(t, a->a[0], a->a[1], a->a[2], a->a[3], (int)a->a[4]);
}

long sys_link(struct task *t, const struct syscall_args *a)
{
	return do_link(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], (uint64_t)LINUX_AT_FDCWD, a->a[1], 0);
}

/* An existing object, resolved by the sentry, on a writable mount. */
static long writable_object(struct task *t, uint64_t dirfd, uint64_t upath, int follow,
			    struct lookup *l, char proc[32])
{
	long err = fs_lookup(t, dirfd, upath, follow ? LOOKUP_FOLLOW : 0, 0, l);

	if (err)
		return err;
	if (l->mnt->readonly) {
		lookup_release(l);
		return -EROFS;
	}
	fs_proc_path(l->fd, proc);
	return 0;
}

long sys_truncate(struct task *t, const struct syscall_args *a)
{
	struct lookup l;
	char proc[32];
	long err;

	if ((int64_t)a->a[1] < 0)
		return -EINVAL;
	err = writable_object(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], 1, &l, proc);
	if (err)
		return err;
	err = S_ISDIR(l.st.st_mode) ? -EISDIR : !S_ISREG(l.st.st_mode) ? -EINVAL
					: host_result(truncate(proc, (off_t)a->a[1]));
	lookup_release(&l);
	return err;
}

/* fd-based changes to the files the sandbox was given would reach the
 * caller's own files: only writes through them are granted. */
static long changeable_fd(struct task *t, uint64_t fd, struct file **f)
{
	long err = fs_file(t, fd, f);

	if (err)
		return err;
	if (!(*f)->mnt)
		return -EPERM;
	return (*f)->mnt->readonly ? -EROFS : 0;
}

long sys_ftruncate(struct task *t, const struct syscall_args *a)
{
	struct file *f;
	long err = fs_file(t, a->a[0], &f);

	if (err)
		return err;
	if ((int64_t)a->a[1] < 0)
		return -EINVAL;
	if (!f->mnt)
		return -EPERM; /* a file the sandbox was given: writes only */
	return host_result(ftruncate(f->host_fd, (off_t)a->a[1]));
}

long sys_fallocate(struct task *t, const struct syscall_args *a)
{
	struct file *f;
	long err = fs_file(t, a->a[0], &f);

	if (err)
		return err;
	if (!f->mnt)
		return -EPERM; /* a file the sandbox was given: writes only */
	/* The host's vfs_fallocate checks the rest: EINVAL, EOPNOTSUPP, EBADF. */
	return host_result(fallocate(f->host_fd, (int)a->a[1], (off_t)a->a[2], (off_t)a->a[3]));
}

static long do_chmod(struct task *t, uint64_t dirfd, uint64_t upath, uint32_t mode)
{
	struct lookup l;
	char proc[32];
	long err = writable_object(t, dirfd, upath, 1, &l, proc);

	if (err)
		return err;
	err = host_result(chmod(proc, mode & 07777));
	lookup_release(&l);
	return err;
}

long sys_fchmodat(struct task *t, const struct syscall_args *a)
{
	return do_chmod(t, a->a[0], a->a[1], (uint32_t)a->a[2]);
}

long sys_chmod(struct task *t, const struct syscall_args *a)
{
	return do_chmod(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], (uint32_t)a->a[1]);
}

long sys_fchmod(struct task *t, const struct syscall_args *a)
{
	struct file *f;
	long err = changeable_fd(t, a->a[0], &f);

	return err ? err : host_result(fchmod(f->host_fd, (mode_t)a->a[1] & 07777));
}

static long do_chown(struct task *t, uint64_t dirfd, uint64_t upath, uint64_t uid, uint64_t gid,
		     int flags)
{
	struct lookup l;
	char proc[32];
	long err;

	if (flags & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
		return -EINVAL;
	err = writable_object(t, dirfd, upath, !(flags & LINUX_AT_SYMLINK_NOFOLLOW), &l, proc);
	if (err)
		return err;
	err = host_result(fchownat(l.fd, "", (uid_t)uid, (gid_t)gid, AT_EMPTY_PATH));
	lookup_release(&l);
	return err;
}

long sys_fchownat(struct task *t, const struct syscall_args *a)
{
	return do_chown(t, a->a[0], a->a[1], a->a[2], a->a[3], (int)a->a[4]);
}

long sys_chown(struct task *t, const struct syscall_args *a)
{
	return do_chown(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], a->a[1], a->a[2], 0);
}

long sys_lchown(struct task *t, const struct syscall_args *a)
{
	return do_chown(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], a->a[1], a->a[2],
			LINUX_AT_SYMLINK_NOFOLLOW);
}

long sys_fchown(struct task *t, const struct syscall_args *a)
{
	struct file *f;
	long err = changeable_fd(t, a->a[0], &f);

	return err ? err : host_result(fchown(f->host_fd, (uid_t)a->a[1], (gid_t)a->a[2]));
}

/* do_utimes(): the times (NULL: now) of the file at path, or of dirfd's
 * file when there is no path. */
static long do_utimes(struct task *t, uint64_t dirfd, uint64_t upath, const struct timespec *ts,
		      uint64_t flags)
{
	struct lookup l = { .fd = -1 };
	struct file *f;
	char proc[32];
	long err;

	if (flags & ~(uint64_t)LINUX_AT_SYMLINK_NOFOLLOW)
		return -EINVAL;
	if (!upath) { /* utimensat(fd, NULL, ...): the file itself */
		err = changeable_fd(t, dirfd, &f);
		return err ? err : host_result(futimens(f->host_fd, ts));
	}
	err = writable_object(t, dirfd, upath, !(flags & LINUX_AT_SYMLINK_NOFOLLOW), &l, proc);
	if (!err)
		err = host_result(utimensat(AT_FDCWD, proc, ts, 0));
	lookup_release(&l);
	return err;
}

long sys_utimensat(struct task *t, const struct syscall_args *a)
{
	struct linux_timespec lt[2];
	struct timespec ts[2];

	if (a->a[2] && copy_from_guest(t, lt, a->a[2], sizeof lt) < 0)
		return -EFAULT;
	/* fs/utimes.c: nothing to do, and the path is not even checked. */
	if (a->a[2] && lt[0].tv_nsec == LINUX_UTIME_OMIT && lt[1].tv_nsec == LINUX_UTIME_OMIT)
		return 0;
	for (int i = 0; i < 2; i++) {
		ts[i].tv_sec = lt[i].tv_sec;
		ts[i].tv_nsec = lt[i].tv_nsec;
	}
	return do_utimes(t, a->a[0], a->a[1], a->a[2] ? ts : NULL, a->a[3]);
}

/* do_futimesat(): struct timeval pairs, each tv_usec within [0, 1000000). */
static long futimesat_at(struct task *t, uint64_t dirfd, uint64_t upath, uint64_t utimes)
{
	struct { int64_t sec, usec; } tv[2];
	struct timespec ts[2];

	if (!utimes)
		return do_utimes(t, dirfd, upath, NULL, 0);
	if (copy_from_guest(t, tv, utimes, sizeof tv) < 0)
		return -EFAULT;
	for (int i = 0; i < 2; i++) {
		if (tv[i].usec < 0 || tv[i].usec >= 1000000)
			return -EINVAL;
		ts[i].tv_sec = tv[i].sec;
		ts[i].tv_nsec = tv[i].usec * 1000;
	}
	return do_utimes(t, dirfd, upath, ts, 0);
}

long sys_futimesat(struct task *t, const struct syscall_args *a)
{
	return futimesat_at(t, a->a[0], a->a[1], a->a[2]);
}

long sys_utimes(struct task *t, const struct syscall_args *a)
{
	return futimesat_at(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], a->a[1]);
}

long sys_umask(struct task *t, const struct syscall_args *a)
{
	uint32_t old = t->fs->umask;

	t->fs->umask = (uint32_t)a->a[0] & 0777;
	return old;
}

long sys_fsync(struct task *t, const struct syscall_args *a)
{
	struct file *f;
	long err = fs_file(t, a->a[0], &f);

	return err ? err : host_result(fsync(f->host_fd));
}

long sys_fdatasync(struct task *t, const struct syscall_args *a)
{
	struct file *f;
	long err = fs_file(t, a->a[0], &f);

	return err ? err : host_result(fdatasync(f->host_fd));
}
