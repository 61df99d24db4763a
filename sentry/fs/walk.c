/* The path walk. The resolved prefix is kept as a canonical string; the rest
 * of the path (with symlink targets spliced in) is consumed component by
 * component, each one checked on the host before it is trusted. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/fs/vfs.h"

struct walk {
	const struct mount_table *mt;
	const char *root;    /* absolute paths start here, ".." stops here */
	const char *beneath; /* LOOKUP_BENEATH: the walk never leaves it; or NULL */
	unsigned int flags;
	char done[VFS_PATH_MAX];     /* canonical, resolved so far */
	char todo[2 * VFS_PATH_MAX]; /* what is left to resolve */
	size_t pos;
	int links;
};

static int host_openat2(int dirfd, const char *rel, int flags, unsigned long long resolve)
{
	struct open_how how = { .flags = (unsigned long long)flags, .resolve = resolve };
	long fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof how);

	return fd < 0 ? -errno : (int)fd;
}

#define BENEATH (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

/* File systems that are the host kernel's own interfaces: a host directory
 * may have one mounted inside it (a chroot's proc), and crossing into it
 * would hand the guest the host's processes, including the sentry's memory.
 * Such a mount reads as absent (errno ENOENT). */
static int kernel_fs(int fd)
{
	static const unsigned long magic[] = {
		PROC_SUPER_MAGIC, SYSFS_MAGIC, DEBUGFS_MAGIC, TRACEFS_MAGIC, SECURITYFS_MAGIC,
		BPF_FS_MAGIC, CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, DEVPTS_SUPER_MAGIC,
		NSFS_MAGIC, SELINUX_MAGIC, SMACK_MAGIC, EFIVARFS_MAGIC, PSTOREFS_MAGIC,
		BINFMTFS_MAGIC, 0x62656570 /* configfs */, 0x65735543 /* fusectl */,
		0x19800202 /* mqueue */,
	};
	struct statfs sf;

	errno = ENOENT;
	if (fstatfs(fd, &sf) < 0)
		return 1;
	for (size_t i = 0; i < sizeof magic / sizeof magic[0]; i++)
		if ((unsigned long)sf.f_type == magic[i])
			return 1;
	errno = 0;
	return 0;
}

/* Opens canonical path as an O_PATH fd without following a final symlink. */
static int open_object(const struct mount_table *mt, const char *path, const struct mount **mp,
		       struct stat *st)
{
	const struct mount *m = mount_find(mt, path);
	const char *rel;
	int fd;

	if (!m || m->kind == MOUNT_HIDDEN)
		return -ENOENT;
	rel = mount_relative(m, path);
	if (m->kind == MOUNT_DEV && strcmp(rel, ".") && !mount_dev_allowed(rel))
		return -ENOENT;
	if (m->ops && (fd = m->ops->prepare(m->priv, rel)) < 0)
		return fd;
	fd = host_openat2(m->root_fd, rel, O_PATH | O_NOFOLLOW | O_CLOEXEC, BENEATH);
	if (fd < 0)
		return fd == -EXDEV ? -ENOENT : fd;
	if (fstat(fd, st) < 0 || (m->kind == MOUNT_HOST && st->st_dev != m->root_dev &&
				  kernel_fs(fd))) {
		int err = errno ? -errno : -ENOENT;

		close(fd);
		return err;
	}
	*mp = m;
	return fd;
}

/* The next component into name; returns its length, 0 at the end. */
static int next_component(struct walk *w, char name[VFS_NAME_MAX + 1])
{
	size_t start, len;

	while (w->todo[w->pos] == '/')
		w->pos++;
	start = w->pos;
	while (w->todo[w->pos] && w->todo[w->pos] != '/')
		w->pos++;
	len = w->pos - start;
	if (len > VFS_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(name, w->todo + start, len);
	name[len] = 0;
	return (int)len;
}

static bool at_end(const struct walk *w)
{
	size_t p = w->pos;

	while (w->todo[p] == '/')
		p++;
	return !w->todo[p];
}

/* Whether going from one canonical path to another crosses a mount. */
static bool crosses(const struct walk *w, const char *from, const char *to)
{
	return (w->flags & LOOKUP_NO_XDEV) && mount_find(w->mt, from) != mount_find(w->mt, to);
}

static int go_up(struct walk *w)
{
	char up[VFS_PATH_MAX], *slash;

	/* fs/namei.c follow_dotdot: at a scoped walk's start, even when it is
	 * the root, RESOLVE_BENEATH says EXDEV. */
	if (w->beneath && !strcmp(w->done, w->beneath))
		return -EXDEV;
	if (!strcmp(w->done, w->root))
		return 0; /* ".." of the root is the root */
	strcpy(up, w->done);
	slash = strrchr(up, '/');
	if (slash == up)
		up[1] = 0;
	else
		*slash = 0;
	if (crosses(w, w->done, up))
		return -EXDEV;
	strcpy(w->done, up);
	return 0;
}

/* An absolute path or link target: the walk restarts at the root. */
static int go_root(struct walk *w)
{
	if (w->beneath)
		return -EXDEV;
	if (crosses(w, w->done, w->root))
		return -EXDEV;
	strcpy(w->done, w->root);
	return 0;
}

static int go_down(char *out, const char *done, const char *name)
{
	size_t n = strlen(done);
	int len = snprintf(out, VFS_PATH_MAX, "%s%s%s", done, n > 1 ? "/" : "", name);

	return len >= VFS_PATH_MAX ? -ENAMETOOLONG : 0;
}

void vfs_prepare(const struct mount *m, const char *path)
{
	if (m->ops && path)
		m->ops->prepare(m->priv, mount_relative(m, path));
}

long vfs_readlink(const struct lookup *l, char *buf)
{
	ssize_t n;

	if (l->mnt->ops)
		return l->mnt->ops->readlink(l->mnt->priv, mount_relative(l->mnt, l->path), buf,
					     VFS_PATH_MAX);
	n = readlinkat(l->fd, "", buf, VFS_PATH_MAX);
	return n < 0 ? -errno : n;
}

/* Replaces the consumed part of todo by the target of link l. */
static int splice_link(struct walk *w, const struct lookup *l)
{
	char target[VFS_PATH_MAX];
	size_t rest = strlen(w->todo + w->pos);
	long n;

	if (++w->links > VFS_MAX_LINKS)
		return -ELOOP;
	n = vfs_readlink(l, target);
	if (n < 0)
		return (int)n;
	if (n == 0 || (size_t)n >= sizeof target)
		return n ? -ENAMETOOLONG : -ENOENT;
	if ((size_t)n + 1 + rest >= sizeof w->todo)
		return -ENAMETOOLONG;
	/* target + "/" + rest; no slash when nothing is left, which would
	 * demand a directory. */
	memmove(w->todo + n + (rest ? 1 : 0), w->todo + w->pos, rest + 1);
	memcpy(w->todo, target, (size_t)n);
	if (rest)
		w->todo[n] = '/';
	w->pos = 0;
	return target[0] == '/' ? go_root(w) : 0;
}

/* A link on the way: its text replaces it, or, for a magic link, the
 * object it reaches is the result (last) or the directory to go on from. */
static int follow_link(struct walk *w, bool last, struct lookup *out)
{
	const struct mount *m = out->mnt;
	const char *rel = mount_relative(m, out->path);
	int link = out->fd, r;

	if (w->flags & LOOKUP_NO_SYMLINKS)
		return -ELOOP;
	/* fs/namei.c nd_jump_link: scoped walks never take magic links. */
	if (m->ops && m->ops->magic && m->ops->magic(m->priv, rel)) {
		if (w->flags & LOOKUP_NO_MAGICLINKS)
			return -ELOOP;
		if (w->flags & (LOOKUP_BENEATH | LOOKUP_IN_ROOT))
			return -EXDEV; /* LOOKUP_IS_SCOPED; a chroot is not */
	}
	r = m->ops && m->ops->follow ? m->ops->follow(m->priv, rel, out) : 0;
	if (r == 1 && crosses(w, w->done, out->path[0] ? out->path : "/")) {
		lookup_release(out);
		close(link);
		return -EXDEV;
	}
	if (r == 0) {
		r = splice_link(w, out);
		lookup_release(out);
		return r;
	}
	close(link);
	if (r < 0) {
		out->fd = -1;
		return r;
	}
	if (last)
		return 1;
	r = S_ISDIR(out->st.st_mode) && out->path[0] ? 0 : -ENOTDIR;
	if (!r)
		strcpy(w->done, out->path);
	lookup_release(out);
	return r;
}

/* One component: "." and ".." change only the resolved prefix. Returns 1
 * when the walk ended on this component (out filled), 0 to go on. */
static int step(struct walk *w, const char *name, unsigned int flags, struct lookup *out)
{
	bool last = at_end(w), slash = last && w->todo[w->pos] == '/';
	bool follow = !last || slash || (flags & LOOKUP_FOLLOW);
	int fd, err;

	if (!strcmp(name, ".."))
		return go_up(w);
	if (!strcmp(name, "."))
		return 0;
	if (slash && (flags & LOOKUP_MISSING_OK))
		return -EISDIR; /* open(O_CREAT) of "name/" */
	err = go_down(out->path, w->done, name);
	if (!err && crosses(w, w->done, out->path))
		err = -EXDEV;
	if (err)
		return err;
	fd = open_object(w->mt, out->path, &out->mnt, &out->st);
	if (fd == -ENOENT && last && (flags & LOOKUP_MISSING_OK) && !slash) {
		const struct mount *m = mount_find(w->mt, out->path);

		/* Only host directories can gain names; what devfs leaves out or a
		 * hidden mount covers simply is not there. */
		if (m && m->kind == MOUNT_HOST) {
			out->fd = -1;
			out->mnt = m;
			return 1;
		}
	}
	if (fd < 0)
		return fd;
	out->fd = fd;
	if (S_ISLNK(out->st.st_mode) && follow)
		return follow_link(w, last && !slash, out);
	out->fd = -1;
	if (!last || slash) {
		close(fd);
		if (!S_ISDIR(out->st.st_mode))
			return -ENOTDIR;
		strcpy(w->done, out->path);
		return 0;
	}
	out->fd = fd;
	return 1;
}

/* The walk ended on a directory already resolved ("/", "a/..", "a/."). */
static int finish_dir(struct walk *w, struct lookup *out)
{
	int fd;

	strcpy(out->path, w->done);
	fd = open_object(w->mt, out->path, &out->mnt, &out->st);
	if (fd < 0)
		return fd;
	out->fd = fd;
	return 0;
}

int vfs_lookup(const struct mount_table *mt, const char *start, const char *path,
	       unsigned int flags, struct lookup *out)
{
	return vfs_lookup_root(mt, "/", start, path, flags, out);
}

int vfs_lookup_root(const struct mount_table *mt, const char *root, const char *start,
		    const char *path, unsigned int flags, struct lookup *out)
{
	struct walk w;
	char name[VFS_NAME_MAX + 1];
	int n = 0, r = 0;

	out->fd = -1;
	if (!*path)
		return -ENOENT;
	if (strlen(path) >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	w.mt = mt;
	w.root = flags & LOOKUP_IN_ROOT ? start : root;
	w.beneath = flags & LOOKUP_BENEATH ? start : NULL;
	w.flags = flags;
	w.pos = 0;
	w.links = 0;
	snprintf(w.done, sizeof w.done, "%s", start); /* a cwd outside a chroot stays so */
	strcpy(w.todo, path);
	if (path[0] == '/')
		r = go_root(&w);
	while (r == 0 && (n = next_component(&w, name)) > 0)
		r = step(&w, name, flags, out);
	if (n < 0)
		r = n;
	if (r == 0)
		r = finish_dir(&w, out);
	if (r < 0) {
		lookup_release(out);
		return r;
	}
	if (out->fd >= 0 && (flags & LOOKUP_DIRECTORY) && !S_ISDIR(out->st.st_mode)) {
		lookup_release(out);
		return -ENOTDIR;
	}
	return 0;
}

void lookup_release(struct lookup *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

int vfs_may_exec(const struct lookup *l)
{
	if (!S_ISREG(l->st.st_mode))
		return -EACCES;
	if (faccessat(l->fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) < 0)
		return -errno;
	return 0;
}

int vfs_open_host(const struct lookup *l, int flags)
{
	char proc[64];
	int fd;

	/* Reopening the O_PATH fd through the sentry's own /proc/self/fd gives
	 * the same object with real access, after the host checks permission. */
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", l->fd);
	fd = open(proc, (flags | O_CLOEXEC | O_NOCTTY) & ~(O_CREAT | O_EXCL | O_NOFOLLOW));
	return fd < 0 ? -errno : fd;
}

int vfs_lookup_parent(const struct mount_table *mt, const char *root, const char *start,
		      const char *path, struct lookup *parent, char name[VFS_NAME_MAX + 1])
{
	char dir[VFS_PATH_MAX];
	size_t len = strlen(path), s;
	int slash = 0, err;

	parent->fd = -1;
	if (!len)
		return -ENOENT;
	if (len >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	while (len > 1 && path[len - 1] == '/') {
		len--;
		slash = 1;
	}
	for (s = len; s > 0 && path[s - 1] != '/'; s--)
		;
	if (len - s > VFS_NAME_MAX)
		return -ENAMETOOLONG;
	if (path[s] == '/' || s == len) {
		strcpy(name, ".");
	} else {
		memcpy(name, path + s, len - s);
		name[len - s] = 0;
	}
	if (s == 0) {
		strcpy(dir, ".");
	} else {
		memcpy(dir, path, s);
		dir[s] = 0;
	}
	err = vfs_lookup_root(mt, root, start, dir, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, parent);
	return err ? err : slash;
}

int vfs_is_mount_point(const struct mount_table *mt, const char *path)
{
	for (size_t i = 0; i < mt->n; i++)
		if (!strcmp(mt->m[i].path, path))
			return 1;
	return 0;
}

int vfs_covers_mount(const struct mount_table *mt, const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; i < mt->n; i++) {
		const char *m = mt->m[i].path;

		if (!strncmp(m, path, n) && (!m[n] || m[n] == '/'))
			return 1;
	}
	return 0;
}
