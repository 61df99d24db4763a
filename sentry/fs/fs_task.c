/* Path and fd arguments of syscalls. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <unistd.h>

#include "arch/arch.h"
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

long fs_status_flags(const struct file *f)
{
	int host = fcntl(f->host_fd, F_GETFL);

	if (host < 0)
		return -errno;
	if (!f->mnt)
		return host; /* a file the sandbox was given: the host's own */
	if (f->flags & O_PATH)
		return f->flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW);
	return (f->flags & ~(FS_SETFL_FLAGS | ARCH_O_LARGEFILE)) |
	       (host & (FS_SETFL_FLAGS | ARCH_O_LARGEFILE));
}

/* The directory a relative path starts from. */
static int start_dir(struct task *t, uint64_t dirfd, const char **start)
{
	struct file *f;
	struct stat st;
	int err;

	if ((int)dirfd == LINUX_AT_FDCWD) {
		*start = t->fs->cwd;
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
	if (n > 0 && (path[0] != '/' || (flags & (LOOKUP_BENEATH | LOOKUP_IN_ROOT)))) {
		err = start_dir(t, dirfd, &start);
		if (err)
			return err;
	}
	return vfs_lookup_root(&t->sb->mounts, t->fs->root, start, path, flags, l);
}

static int join_child(struct fs_parent *p)
{
	size_t d = strlen(p->dir.path), n = strlen(p->name), sep = d > 1;

	if (d + sep + n >= sizeof p->child) {
		lookup_release(&p->dir);
		return -ENAMETOOLONG;
	}
	memcpy(p->child, p->dir.path, d);
	p->child[d] = '/';
	memcpy(p->child + d + sep, p->name, n + 1);
	return 0;
}

static int lookup_parent_from(struct task *t, const char *start, const char *path,
			      struct fs_parent *p)
{
	int r = vfs_lookup_parent(&t->sb->mounts, t->fs->root, start, path, &p->dir, p->name);

	if (r < 0)
		return r;
	p->slash = r;
	return join_child(p);
}

int fs_lookup_parent(struct task *t, uint64_t dirfd, uint64_t upath, struct fs_parent *p)
{
	char path[VFS_PATH_MAX];
	const char *start = "/";
	long n = strncpy_from_guest(t, path, upath, sizeof path);
	int r;

	p->dir.fd = -1;
	if (n < 0)
		return (int)n;
	if (n > 0 && path[0] != '/') {
		r = start_dir(t, dirfd, &start);
		if (r)
			return r;
	}
	return lookup_parent_from(t, start, path, p);
}

int fs_lookup_parent_here(struct task *t, const char *path, struct fs_parent *p)
{
	p->dir.fd = -1;
	return lookup_parent_from(t, path[0] == '/' ? "/" : t->fs->cwd, path, p);
}

int fs_lookup_here(struct task *t, const char *path, unsigned int flags, struct lookup *l)
{
	l->fd = -1;
	return vfs_lookup_root(&t->sb->mounts, t->fs->root, path[0] == '/' ? "/" : t->fs->cwd, path,
			       flags, l);
}

void fs_proc_path(int fd, char buf[32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
}

static int is_dot(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..");
}

/* Creation: the name must be new, then the mount must be writable. */
long fs_may_create(struct task *t, const struct fs_parent *p)
{
	struct stat st;

	/* Nothing is created outside host directories; asked first so that
	 * names devfs leaves out are not probed on the host. */
	if (p->dir.mnt->kind != MOUNT_HOST)
		return -EROFS;
	if (is_dot(p->name) || vfs_is_mount_point(&t->sb->mounts, p->child) ||
	    fstatat(p->dir.fd, p->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return -EEXIST;
	if (errno != ENOENT)
		return -errno;
	return p->dir.mnt->readonly ? -EROFS : 0;
}

long fs_create_file(struct task *t, const char *path, int flags, uint32_t mode,
		    struct fs_parent *p)
{
	long err = vfs_lookup_parent(&t->sb->mounts, "/", "/", path, &p->dir, p->name);
	int fd;

	if (err < 0)
		return err;
	p->slash = 0;
	err = join_child(p);
	if (!err)
		err = fs_may_create(t, p);
	if (err == -EEXIST && !(flags & O_EXCL))
		err = -EAGAIN; /* raced into existence: the caller looks again */
	if (err)
		return err;
	mode = (mode & 07777) & ~t->fs->umask;
	fd = openat(p->dir.fd, p->name, (flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC) &
		    ~O_PATH, mode);
	if (fd < 0)
		return -errno;
	/* The sentry's own umask must not take bits the guest's left. */
	if (fchmod(fd, mode) < 0) {
		err = -errno;
		close(fd);
		unlinkat(p->dir.fd, p->name, 0);
		return err;
	}
	return fd;
}

int fs_fd_limit(struct task *t)
{
	uint64_t cur = t->leader->rlim[RLIMIT_NOFILE].rlim_cur;

	return cur > FDTABLE_MAX ? FDTABLE_MAX : (int)cur;
}
