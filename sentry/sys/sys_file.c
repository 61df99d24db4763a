/* Opening files and managing descriptors (fs/open.c, fs/fcntl.c, fs/file.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi/linux_fcntl.h"
#include "arch/arch.h"
#include "sentry/lib/writecount.h"
#include "sentry/fs/fs_task.h"
#include "sentry/fs/proc/procfs.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/ustruct.h"
#include "sentry/mm/mm.h"
#include "sentry/sys/fcntl.h"
#include "syscall_handlers.h"

#define WRITE_FLAGS (O_WRONLY | O_RDWR | O_TRUNC)

/* may_open(): what the object and its mount allow for these flags. */
/* /proc/PID/mem and comm, which open for writing on the read-only procfs:
 * their writes go to the process's memory or the thread's name, never to
 * the rendered file. */
static bool proc_written_file(const struct lookup *l)
{
	return l->mnt->kind == MOUNT_PROC && (proc_mem_pid(l->path + l->mnt->len) ||
					      proc_comm_tid(l->path + l->mnt->len));
}

static int may_open(const struct lookup *l, int flags)
{
	mode_t type = l->st.st_mode & S_IFMT;
	int writing = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);

	/* do_open(): O_DIRECTORY and O_CREAT are judged before may_open(). */
	if ((flags & O_DIRECTORY) && type != S_IFDIR)
		return -ENOTDIR;
	if ((flags & O_CREAT) && type == S_IFDIR)
		return -EISDIR;
	if (type == S_IFLNK)
		return -ELOOP;
	if (type == S_IFDIR && (flags & O_ACCMODE) != O_RDONLY)
		return -EISDIR;
	/* A file reached through /proc/PID/fd that is on no mount of the view:
	 * no more access than it was given with, none from an O_PATH fd. */
	if (l->mnt->kind == MOUNT_ANON)
		return l->given_acc < 0 || (writing && l->given_acc == O_RDONLY) ||
		       ((flags & O_ACCMODE) != O_WRONLY && l->given_acc == O_WRONLY) ? -EACCES : 0;
	if (type == S_IFCHR || type == S_IFBLK)
		return l->mnt->kind == MOUNT_DEV ? 0 : -EACCES;
	/* A host FIFO in a read-only view belongs to host processes: opening
	 * it would take their data or unblock their writers. */
	if ((type == S_IFIFO || type == S_IFSOCK) && l->mnt->readonly)
		return -EACCES;
	if (writing && l->mnt->readonly && !proc_written_file(l))
		return -EROFS;
	return 0;
}

static long install(struct task *t, int fd, int flags, const struct mount *mnt, const char *path)
{
	struct file *f = file_new(fd, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC),
				  mnt, path);
	int err;

	if (!f)
		return -ENOMEM;
	if (mnt && mnt->kind == MOUNT_PROC && !(flags & O_PATH)) {
		f->mem_pid = proc_mem_pid(path + mnt->len);
		f->comm_tid = proc_comm_tid(path + mnt->len);
	}
	err = file_count_writer(f); /* -ETXTBSY while a program runs it */
	if (err) {
		file_put(f);
		return err;
	}
	return fdtable_install(t->files, f, 0, fs_fd_limit(t), flags & O_CLOEXEC);
}

static long do_create(struct task *t, const char *path, int flags, uint32_t mode)
{
	struct fs_parent p;
	long fd = fs_create_file(t, path, flags, mode, &p);
	long r = fd;

	if (fd >= 0)
		r = install(t, (int)fd, flags, p.dir.mnt, p.child);
	lookup_release(&p.dir);
	return r;
}

/* scope: openat2's LOOKUP_NO_XDEV ... LOOKUP_IN_ROOT, or 0. */
static long do_open(struct task *t, uint64_t dirfd, uint64_t upath, int flags, uint32_t mode,
		    unsigned int scope)
{
	unsigned int lf = ((flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) | scope;
	struct lookup l;
	int err, fd;

	if (flags & O_CREAT)
		lf |= LOOKUP_MISSING_OK;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		lf &= ~LOOKUP_FOLLOW; /* O_EXCL never follows a final link */
	if ((flags & O_CREAT) && (flags & O_DIRECTORY))
		return -EINVAL;
	err = fs_lookup(t, dirfd, upath, lf, 0, &l);
	if (err)
		return err;
	if (l.fd < 0) { /* O_CREAT of a missing file */
		long r = do_create(t, l.path, flags, mode);

		/* Created by someone else meanwhile: open what is there now. */
		return r == -EAGAIN ? do_open(t, dirfd, upath, flags & ~O_CREAT, mode, scope) : r;
	}
	if ((flags & O_CREAT) && (flags & O_EXCL))
		err = -EEXIST;
	if (!err && !(flags & O_PATH))
		err = may_open(&l, flags);
	/* Before the open, whose O_TRUNC would cut the running program. */
	if (!err && (flags & O_ACCMODE) != O_RDONLY && !(flags & O_PATH) &&
	    S_ISREG(l.st.st_mode) && writecount_denied(l.st.st_dev, l.st.st_ino))
		err = -ETXTBSY;
	if (!err && (flags & O_PATH)) {
		fd = fcntl(l.fd, F_DUPFD_CLOEXEC, 0);
		err = fd < 0 ? -errno : 0;
	} else if (!err) {
		/* Opening a FIFO waits for its other end: a kick may end it. */
		bool waits = S_ISFIFO(l.st.st_mode) && !(flags & O_NONBLOCK);

		/* The sentry writes /proc/PID/mem and comm itself: the host's
		 * rendered copy is only ever read. */
		int host_flags = proc_written_file(&l) ? (flags & ~(O_ACCMODE | O_TRUNC)) | O_RDONLY
						       : flags;

		fd = waits ? task_blocking_open(&l, flags) : vfs_open_host(&l, host_flags);
		err = fd < 0 ? fd : 0;
	}
	if (err) {
		lookup_release(&l);
		return err;
	}
	if (l.mnt->kind == MOUNT_ANON)
		fd = (int)install(t, fd, flags, NULL, NULL);
	else
		fd = (int)install(t, fd, flags, l.mnt, l.path);
	lookup_release(&l);
	return fd;
}

long sys_openat(struct task *t, const struct syscall_args *a)
{
	return do_open(t, a->a[0], a->a[1], (int)a->a[2], (uint32_t)a->a[3], 0);
}

long sys_open(struct task *t, const struct syscall_args *a)
{
	return do_open(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], (int)a->a[1], (uint32_t)a->a[2], 0);
}

long sys_creat(struct task *t, const struct syscall_args *a)
{
	return do_open(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], O_CREAT | O_WRONLY | O_TRUNC,
		       (uint32_t)a->a[1], 0);
}

/* include/uapi/linux/openat2.h */
struct linux_open_how {
	uint64_t flags, mode, resolve;
};

#define OPEN_HOW_SIZE_VER0 24
#define LINUX_PAGE_SIZE 4096
#define VALID_OPEN_FLAGS                                                                   \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_SYNC | \
	 O_DSYNC | O_ASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME |   \
	 O_CLOEXEC | O_PATH | O_TMPFILE)
#define O_PATH_FLAGS (O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)

/* RESOLVE_* → the walk's flags (the bits are Linux's, 0x01 ... 0x20). */
static const struct {
	uint64_t resolve;
	unsigned int lookup;
} resolve_flags[] = {
	{ RESOLVE_NO_XDEV, LOOKUP_NO_XDEV },
	{ RESOLVE_NO_MAGICLINKS, LOOKUP_NO_MAGICLINKS },
	{ RESOLVE_NO_SYMLINKS, LOOKUP_NO_SYMLINKS | LOOKUP_NO_MAGICLINKS },
	{ RESOLVE_BENEATH, LOOKUP_BENEATH },
	{ RESOLVE_IN_ROOT, LOOKUP_IN_ROOT },
	{ RESOLVE_CACHED, 0 }, /* the sentry's walk never needs to sleep */
};

/* fs/open.c build_open_flags() as openat2 applies it: every unknown bit is
 * an error, and the walk gets the RESOLVE_* scope. */
static long open_how_check(const struct linux_open_how *how, unsigned int *scope)
{
	uint64_t known = 0;

	for (size_t i = 0; i < sizeof resolve_flags / sizeof resolve_flags[0]; i++) {
		known |= resolve_flags[i].resolve;
		if (how->resolve & resolve_flags[i].resolve)
			*scope |= resolve_flags[i].lookup;
	}
	if ((how->flags & ~(uint64_t)VALID_OPEN_FLAGS) || (how->resolve & ~known))
		return -EINVAL;
	if ((how->resolve & RESOLVE_BENEATH) && (how->resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	if ((how->flags & O_CREAT) || (how->flags & O_TMPFILE) == O_TMPFILE) {
		if (how->mode & ~(uint64_t)07777)
			return -EINVAL;
	} else if (how->mode) {
		return -EINVAL;
	}
	if ((how->flags & O_CREAT) && (how->flags & O_DIRECTORY))
		return -EINVAL;
	if ((how->flags & O_PATH) && (how->flags & ~(uint64_t)O_PATH_FLAGS))
		return -EINVAL;
	if ((how->resolve & RESOLVE_CACHED) && (how->flags & (O_TRUNC | O_CREAT | O_TMPFILE)))
		return -EAGAIN;
	return 0;
}

long sys_openat2(struct task *t, const struct syscall_args *a)
{
	struct linux_open_how how;
	uint64_t size = a->a[3];
	unsigned int scope = 0;
	long err;

	if (size < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (size > LINUX_PAGE_SIZE)
		return -E2BIG;
	err = copy_struct_from_guest(t, &how, sizeof how, a->a[2], size);
	if (!err)
		err = open_how_check(&how, &scope);
	if (err)
		return err;
	return do_open(t, a->a[0], a->a[1], (int)how.flags, (uint32_t)how.mode, scope);
}

static long dup_to(struct task *t, struct file *f, int min, bool cloexec)
{
	file_get(f);
	return fdtable_install(t->files, f, min, fs_fd_limit(t), cloexec);
}

long sys_dup(struct task *t, const struct syscall_args *a)
{
	struct file *f;
	int err = fs_file(t, a->a[0], &f);

	return err ? err : dup_to(t, f, 0, false);
}

static long do_dup3(struct task *t, uint64_t oldfd, uint64_t newfd, int flags)
{
	struct file *f;
	int err = fs_file(t, oldfd, &f);

	if (err)
		return err;
	if (newfd >= (uint64_t)fs_fd_limit(t))
		return -EBADF;
	file_get(f);
	return fdtable_install_at(t->files, (int)newfd, f, flags & O_CLOEXEC);
}

long sys_dup2(struct task *t, const struct syscall_args *a)
{
	struct file *f;
	int err = fs_file(t, a->a[0], &f);

	if (!err && a->a[0] == a->a[1])
		return (long)a->a[1];
	return err ? err : do_dup3(t, a->a[0], a->a[1], 0);
}

long sys_dup3(struct task *t, const struct syscall_args *a)
{
	if (a->a[0] == a->a[1] || (a->a[2] & ~(uint64_t)O_CLOEXEC))
		return -EINVAL;
	return do_dup3(t, a->a[0], a->a[1], (int)a->a[2]);
}

/* check_fcntl_cmd(): what an O_PATH fd may be asked; the rest is EBADF. */
static bool path_fcntl(int cmd)
{
	return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_GETFD || cmd == F_SETFD ||
	       cmd == F_GETFL;
}

long sys_fcntl(struct task *t, const struct syscall_args *a)
{
	struct file *f;
	int err = fs_file(t, a->a[0], &f), fd = (int)a->a[0], cmd = (int)a->a[1], fl;

	if (err)
		return err;
	if ((f->flags & O_PATH) && !path_fcntl(cmd))
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (a->a[2] >= (uint64_t)fs_fd_limit(t))
			return -EINVAL;
		return dup_to(t, f, (int)a->a[2], cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fdtable_cloexec(t->files, fd) ? FD_CLOEXEC : 0;
	case F_SETFD:
		fdtable_set_cloexec(t->files, fd, a->a[2] & FD_CLOEXEC);
		return 0;
	case F_GETFL:
		return fs_status_flags(f);
	case F_SETFL:
		fl = fcntl(f->host_fd, F_GETFL);
		if (fl < 0 || fcntl(f->host_fd, F_SETFL,
				    (fl & ~FS_SETFL_FLAGS) | ((int)a->a[2] & FS_SETFL_FLAGS)) < 0)
			return -errno;
		return 0;
	case LINUX_F_GETLK:
	case LINUX_F_SETLK:
	case LINUX_F_SETLKW:
	case LINUX_F_OFD_GETLK:
	case LINUX_F_OFD_SETLK:
	case LINUX_F_OFD_SETLKW:
		return fcntl_lock(t, f, cmd, a->a[2]);
	case LINUX_F_ADD_SEALS:
	case LINUX_F_GET_SEALS:
		return fcntl_seals(f, cmd, a->a[2]);
	case LINUX_F_SETPIPE_SZ:
	case LINUX_F_GETPIPE_SZ:
		return fcntl_pipe(f, cmd, a->a[2]);
	default:
		return -EINVAL; /* leases, owners: not yet */
	}
}

/* The cwd as seen from the task's root (fs/d_path.c): beneath it, the path
 * from it; elsewhere (a chroot left the cwd outside), "(unreachable)" + the
 * whole path. */
static void cwd_from_root(const struct task *t, char out[VFS_PATH_MAX + 16])
{
	size_t n = strlen(t->fs->root);

	if (n == 1)
		strcpy(out, t->fs->cwd);
	else if (!strncmp(t->fs->cwd, t->fs->root, n) && (!t->fs->cwd[n] || t->fs->cwd[n] == '/'))
		strcpy(out, t->fs->cwd[n] ? t->fs->cwd + n : "/");
	else
		snprintf(out, VFS_PATH_MAX + 16, "(unreachable)%s", t->fs->cwd);
}

long sys_getcwd(struct task *t, const struct syscall_args *a)
{
	char cwd[VFS_PATH_MAX + 16];
	size_t len;

	cwd_from_root(t, cwd);
	len = strlen(cwd) + 1;
	if (len > VFS_PATH_MAX)
		return -ENAMETOOLONG;
	if (a->a[1] < len)
		return -ERANGE;
	return copy_to_guest(t, a->a[0], cwd, len) < 0 ? -EFAULT : (long)len;
}

/* fs/open.c ksys_chroot(): a searchable directory, then CAP_SYS_CHROOT,
 * which a guest has when it runs as root. The cwd stays where it is. */
long sys_chroot(struct task *t, const struct syscall_args *a)
{
	struct lookup l;
	int err = fs_lookup(t, (uint64_t)LINUX_AT_FDCWD, a->a[0],
			    LOOKUP_FOLLOW | LOOKUP_DIRECTORY, 0, &l);

	if (err)
		return err;
	if (faccessat(l.fd, "", X_OK, AT_EMPTY_PATH) < 0)
		err = -errno;
	else if (!sandbox_capable(t->sb)) /* CAP_SYS_CHROOT */
		err = -EPERM;
	else
		strcpy(t->fs->root, l.path);
	lookup_release(&l);
	return err;
}

long sys_chdir(struct task *t, const struct syscall_args *a)
{
	struct lookup l;
	int err = fs_lookup(t, (uint64_t)LINUX_AT_FDCWD, a->a[0],
			    LOOKUP_FOLLOW | LOOKUP_DIRECTORY, 0, &l);

	if (err)
		return err;
	if (faccessat(l.fd, "", X_OK, AT_EMPTY_PATH) < 0)
		err = -errno;
	else
		strcpy(t->fs->cwd, l.path);
	lookup_release(&l);
	return err;
}

long sys_fchdir(struct task *t, const struct syscall_args *a)
{
	struct file *f;
	struct stat st;
	int err = fs_file(t, a->a[0], &f);

	if (err)
		return err;
	if (!f->path || fstat(f->host_fd, &st) < 0 || !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (faccessat(f->host_fd, "", X_OK, AT_EMPTY_PATH) < 0)
		return -errno;
	snprintf(t->fs->cwd, sizeof t->fs->cwd, "%s", f->path);
	return 0;
}

/* The answer for an object found: EROFS for writing a read-only mount
 * (devices aside, as Linux's may write), else the host's permission check. */
static int check_access(int host_fd, const struct mount *mnt, mode_t type, int mode, int flags)
{
	if ((mode & W_OK) && mnt && mnt->readonly && !S_ISCHR(type) && !S_ISBLK(type))
		return -EROFS;
	if (mode && faccessat(host_fd, "", mode, AT_EMPTY_PATH |
			      ((flags & LINUX_AT_EACCESS) ? AT_EACCESS : 0)) < 0)
		return -errno;
	return 0;
}

static int access_file(struct task *t, uint64_t fd, int mode, int flags)
{
	struct file *f;
	struct stat st;
	int err = fs_file(t, fd, &f);

	if (err)
		return err;
	if (fstat(f->host_fd, &st) < 0)
		return -errno;
	return check_access(f->host_fd, f->mnt, st.st_mode, mode, flags);
}

static long do_access(struct task *t, uint64_t dirfd, uint64_t upath, int mode, int flags)
{
	struct lookup l = { .fd = -1 };
	int err;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(LINUX_AT_EACCESS | LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
		return -EINVAL;
	err = fs_lookup(t, dirfd, upath, (flags & LINUX_AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
			flags & LINUX_AT_EMPTY_PATH, &l);
	if (err == 1) /* "" with AT_EMPTY_PATH: the file at dirfd itself */
		err = (int)dirfd == LINUX_AT_FDCWD
			      ? vfs_lookup(&t->sb->mounts, "/", t->fs->cwd, LOOKUP_FOLLOW, &l)
			      : access_file(t, dirfd, mode, flags);
	if (err || l.fd < 0)
		return err;
	err = check_access(l.fd, l.mnt, l.st.st_mode, mode, flags);
	lookup_release(&l);
	return err;
}

long sys_faccessat(struct task *t, const struct syscall_args *a)
{
	return do_access(t, a->a[0], a->a[1], (int)a->a[2], 0);
}

long sys_faccessat2(struct task *t, const struct syscall_args *a)
{
	return do_access(t, a->a[0], a->a[1], (int)a->a[2], (int)a->a[3]);
}

long sys_access(struct task *t, const struct syscall_args *a)
{
	return do_access(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], (int)a->a[1], 0);
}
