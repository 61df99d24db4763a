/* procfs. Its tree is rendered into a private tmpfs that only the sentry
 * writes: the walk asks prepare() before it opens a path beneath /proc, and
 * that path (a directory's entries, a file's text) is made current right
 * then. Everything else, stat, getdents, read, mmap, is the tmpfs's own.
 *
 * What depends on who asks is answered, not rendered: /proc/self and the
 * magic links exe, cwd, root and fd/N, whose targets readlink() gives and
 * whose objects follow() reaches, as Linux's proc_pid_get_link does. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/fs/fdtable.h"
#include "sentry/fs/proc/proc_gen.h"
#include "sentry/fs/proc/procfs.h"
#include "sentry/fs/proc/proc_tree.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"

struct procfs {
	struct sandbox *sb;
	int root; /* O_PATH root of the tmpfs, writable by the sentry */
	pthread_mutex_t lock;
};

/* The path rel split at its first slash: "12/fd/3" → pid 12, rest "fd/3". */
struct proc_path {
	int pid;          /* 0: not a /proc/PID path */
	const char *rest; /* after "PID/", "" for the PID directory itself */
};

static struct proc_path parse(const char *rel)
{
	struct proc_path p = { 0, rel };
	long pid = 0;
	const char *c = rel;

	while (isdigit((unsigned char)*c) && pid <= INT_MAX)
		pid = pid * 10 + (*c++ - '0');
	if (c == rel || (*c && *c != '/') || pid <= 0 || pid > INT_MAX || rel[0] == '0')
		return p;
	p.pid = (int)pid;
	p.rest = *c ? c + 1 : c;
	return p;
}

/* Runs fn on the leader of pid's thread group with the sandbox locked, so
 * the task cannot go away meanwhile; -ENOENT when there is no such task. */
static int with_task(struct procfs *fs, int pid, int (*fn)(struct procfs *, struct task *,
							   const char *, void *),
		     const char *rest, void *arg)
{
	struct task *t;
	int r = -ENOENT;

	pthread_mutex_lock(&fs->sb->lock);
	t = sandbox_find_task_locked(fs->sb, pid);
	if (t && t->tgid == pid && !t->exiting)
		r = fn(fs, t, rest, arg);
	pthread_mutex_unlock(&fs->sb->lock);
	return r;
}

/* The thread whose file name rel is: PID for "PID/name", TID for
 * "PID/task/TID/name"; else 0. */
static int task_file(const char *rel, const char *name)
{
	struct proc_path p = parse(rel[0] == '/' ? rel + 1 : rel);
	struct proc_path thread;

	if (!p.pid)
		return 0;
	if (!strcmp(p.rest, name))
		return p.pid;
	if (strncmp(p.rest, "task/", 5))
		return 0;
	thread = parse(p.rest + 5); /* "TID/name" */
	return thread.pid && !strcmp(thread.rest, name) ? thread.pid : 0;
}

int proc_mem_pid(const char *rel)
{
	return task_file(rel, "mem");
}

int proc_comm_tid(const char *rel)
{
	return task_file(rel, "comm");
}

static int prepare_pid(struct procfs *fs, struct task *t, const char *rest, void *arg)
{
	(void)arg;
	return proc_tree_pid(fs->root, t, rest);
}

static int prepare(void *priv, const char *rel)
{
	struct procfs *fs = priv;
	struct proc_path p = parse(rel);
	int r;

	pthread_mutex_lock(&fs->lock);
	if (!strcmp(rel, "."))
		r = proc_tree_root(fs->root, fs->sb);
	else if (p.pid)
		r = with_task(fs, p.pid, prepare_pid, p.rest, NULL);
	else
		r = proc_tree_sb_file(fs->root, fs->sb, rel);
	pthread_mutex_unlock(&fs->lock);
	return r;
}

struct link_buf {
	char *buf;
	size_t size;
};

static long copy_link(struct link_buf *lb, const char *text)
{
	size_t n = strlen(text);

	if (n >= lb->size)
		return -ENAMETOOLONG;
	memcpy(lb->buf, text, n);
	return (long)n;
}

/* The text of fd/N: the guest path of a file opened in the view, else what
 * the host calls it ("pipe:[…]", "/memfd:x (deleted)", a given terminal). */
static long fd_link(struct file *f, struct link_buf *lb)
{
	char proc[32];
	ssize_t n;

	if (f->path && f->mnt)
		return copy_link(lb, f->path);
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", f->host_fd);
	n = readlink(proc, lb->buf, lb->size);
	if (n < 0)
		return -errno;
	return (size_t)n >= lb->size ? -ENAMETOOLONG : n;
}

/* fd/N's number, or -ENOENT. */
static int fd_number(const char *rest)
{
	struct proc_path p;

	if (strncmp(rest, "fd/", 3))
		return -ENOENT;
	if (!strcmp(rest + 3, "0"))
		return 0;
	p = parse(rest + 3);
	return p.pid && !*p.rest && p.pid < FDTABLE_MAX ? p.pid : -ENOENT;
}

static int readlink_pid(struct procfs *fs, struct task *t, const char *rest, void *arg)
{
	struct link_buf *lb = arg;
	int fd = fd_number(rest);
	struct file *f;

	(void)fs;
	if (!strcmp(rest, "exe"))
		return t->exe_path ? (int)copy_link(lb, t->exe_path) : -ENOENT;
	if (!strcmp(rest, "cwd"))
		return (int)copy_link(lb, t->fs->cwd);
	if (!strcmp(rest, "root"))
		return (int)copy_link(lb, t->fs->root);
	f = fd >= 0 ? fdtable_get(t->files, fd) : NULL;
	return f ? (int)fd_link(f, lb) : -ENOENT;
}

static long proc_readlink(void *priv, const char *rel, char *buf, size_t size)
{
	struct procfs *fs = priv;
	struct proc_path p = parse(rel);
	struct link_buf lb = { buf, size };
	char self[16];

	if (p.pid)
		return with_task(fs, p.pid, readlink_pid, p.rest, &lb);
	if (!strcmp(rel, "self")) {
		if (!task_current)
			return -ENOENT;
		snprintf(self, sizeof self, "%d", task_current->tgid);
		return copy_link(&lb, self);
	}
	if (!strcmp(rel, "mounts"))
		return copy_link(&lb, "self/mounts");
	return -EINVAL;
}

/* fd/N reaches the open file itself, even one deleted or never in the view:
 * the sentry's own /proc/self/fd reopens the host object, and the file's
 * mount (or none) still decides what may be done with it. */
static int follow_pid(struct procfs *fs, struct task *t, const char *rest, void *arg)
{
	struct lookup *out = arg;
	int n = fd_number(rest), fd;
	struct file *f = n >= 0 ? fdtable_get(t->files, n) : NULL;
	char proc[32];

	(void)fs;
	if (!f)
		return strncmp(rest, "fd/", 3) ? 0 : -ENOENT;
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", f->host_fd);
	fd = open(proc, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &out->st) < 0) {
		close(fd);
		return -errno;
	}
	out->fd = fd;
	out->mnt = f->mnt ? f->mnt : &mount_anon;
	snprintf(out->path, sizeof out->path, "%s", f->mnt && f->path ? f->path : "");
	out->given_acc = f->flags & O_PATH ? -1 : f->flags & O_ACCMODE;
	return 1;
}

static int proc_follow(void *priv, const char *rel, struct lookup *out)
{
	struct procfs *fs = priv;
	char copy[64];
	struct proc_path p;

	/* rel points into out->path, which a magic link overwrites. */
	snprintf(copy, sizeof copy, "%s", rel);
	p = parse(copy);
	return p.pid ? with_task(fs, p.pid, follow_pid, p.rest, out) : 0;
}

/* Every link in a /proc/PID directory is magic (proc_pid_get_link);
 * /proc/self and /proc/mounts are plain text. */
static bool proc_magic(void *priv, const char *rel)
{
	(void)priv;
	return parse(rel).pid != 0;
}

static const struct mount_ops procfs_ops = {
	.prepare = prepare,
	.readlink = proc_readlink,
	.follow = proc_follow,
	.magic = proc_magic,
};

int procfs_create(struct sandbox *sb, struct procfs **out)
{
	struct procfs *fs = calloc(1, sizeof *fs);
	int err, guest_root;

	if (!fs)
		return -ENOMEM;
	fs->sb = sb;
	pthread_mutex_init(&fs->lock, NULL);
	fs->root = tmpfs_create("64m");
	err = fs->root < 0 ? fs->root : proc_tree_init(fs->root, sb);
	guest_root = err ? -1 : fcntl(fs->root, F_DUPFD_CLOEXEC, 0);
	if (!err && guest_root < 0)
		err = -errno;
	if (!err)
		err = mount_synthetic(&sb->mounts, "/proc", MOUNT_PROC, guest_root, &procfs_ops, fs);
	if (err) {
		procfs_destroy(fs);
		return err;
	}
	*out = fs;
	return 0;
}

void procfs_destroy(struct procfs *fs)
{
	if (!fs)
		return;
	if (fs->root >= 0)
		close(fs->root);
	pthread_mutex_destroy(&fs->lock);
	free(fs);
}
