/* Rendering procfs into its tmpfs. Directories are 0555 and files 0444 as
 * Linux shows them; the sentry lends itself write permission around each
 * change, so that it needs no privilege. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/fs/fdtable.h"
#include "sentry/fs/proc/proc_gen.h"
#include "sentry/fs/proc/proc_tree.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"

#define DIR_MODE 0555
#define FD_DIR_MODE 0500
#define FILE_MODE 0444
#define LINK_TEXT "." /* what the tree stores; readlink is answered by procfs.c */

/* Directory name beneath dirfd as an fd for reading and changing entries. */
static int open_dir(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Replaces the text of file name in dirfd (creating it with mode). */
static int put_file(int dirfd, const char *name, unsigned int mode, const char *buf, size_t len)
{
	int fd, err;

	fchmodat(dirfd, name, 0600, 0); /* ENOENT: it is made below */
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	err = write_all(fd, buf, len);
	if (fchmod(fd, mode) < 0 && !err)
		err = -errno;
	close(fd);
	return err;
}

static int put_text(int dirfd, const char *name, unsigned int mode, struct strbuf *b, int r)
{
	if (!r && b->err)
		r = b->err;
	if (!r)
		r = put_file(dirfd, name, mode, b->buf ? b->buf : "", b->len);
	strbuf_free(b);
	return r;
}

/* A new directory, left writable for its filling; -EEXIST if it is there. */
static int make_dir(int dirfd, const char *name)
{
	return mkdirat(dirfd, name, 0700) < 0 ? -errno : 0;
}

static int make_link(int dirfd, const char *name)
{
	if (symlinkat(LINK_TEXT, dirfd, name) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Removes name beneath dirfd and everything in it. */
static int remove_tree(int dirfd, const char *name)
{
	int fd, err = 0;
	DIR *d;
	struct dirent *e;

	if (!unlinkat(dirfd, name, 0) || errno != EISDIR)
		return 0;
	fchmodat(dirfd, name, 0700, 0);
	fd = open_dir(dirfd, name);
	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while (!err && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			err = remove_tree(fd, e->d_name);
	closedir(d);
	if (!err && unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
		err = -errno;
	return err;
}

/* Entries of directory fd that keep() rejects are removed; returns -errno. */
static int prune(int fd, int (*keep)(const char *name, void *arg), void *arg)
{
	int dup = fcntl(fd, F_DUPFD_CLOEXEC, 0), err = 0;
	DIR *d = dup < 0 ? NULL : fdopendir(dup);
	struct dirent *e;

	if (!d) {
		if (dup >= 0)
			close(dup);
		return -ENOMEM;
	}
	while (!err && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && !keep(e->d_name, arg))
			err = remove_tree(fd, e->d_name);
	closedir(d);
	return err;
}

/* Makes every directory on the way to path (relative to root). */
static int make_parents(int root, const char *path)
{
	char dir[256];
	const char *slash = path;
	int err = 0;

	while (!err && (slash = strchr(slash, '/'))) {
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
		err = make_dir(root, dir);
		if (!err)
			err = fchmodat(root, dir, DIR_MODE, 0) < 0 ? -errno : 0;
		if (err == -EEXIST)
			err = 0;
		slash++;
	}
	return err;
}

int proc_tree_init(int root, struct sandbox *sb)
{
	int err = 0;

	(void)sb;
	fchmodat(root, ".", 0755, 0);
	for (const struct proc_sb_file *f = proc_sb_files; !err && f->path; f++) {
		err = make_parents(root, f->path);
		if (!err)
			err = put_file(root, f->path, FILE_MODE, "", 0);
	}
	if (!err)
		err = make_link(root, "self");
	if (!err)
		err = make_link(root, "mounts");
	if (fchmodat(root, ".", DIR_MODE, 0) < 0 && !err)
		err = -errno;
	return err;
}

int proc_tree_sb_file(int root, struct sandbox *sb, const char *rel)
{
	for (const struct proc_sb_file *f = proc_sb_files; f->path; f++) {
		struct strbuf b;

		if (strcmp(f->path, rel))
			continue;
		strbuf_init(&b);
		return put_text(root, rel, FILE_MODE, &b, f->gen(sb, &b));
	}
	return 0;
}

/* A /proc/PID directory's fixed entries. */
static int fill_pid_dir(int dir)
{
	static const char *const links[] = { "exe", "cwd", "root" };
	int err = 0;

	for (const struct proc_pid_file *f = proc_pid_files; !err && f->name; f++)
		err = put_file(dir, f->name, f->mode, "", 0);
	for (size_t i = 0; !err && i < sizeof links / sizeof links[0]; i++)
		err = make_link(dir, links[i]);
	if (!err)
		err = make_dir(dir, "fd");
	if (!err)
		err = make_dir(dir, "fdinfo");
	if (!err)
		err = make_dir(dir, "task");
	if (!err && (fchmodat(dir, "fd", FD_DIR_MODE, 0) || fchmodat(dir, "fdinfo", FD_DIR_MODE, 0) ||
		     fchmodat(dir, "task", DIR_MODE, 0)))
		err = -errno;
	return err;
}

/* /proc/PID exists and is filled; its fd, or -errno. */
static int pid_dir(int root, int pid)
{
	char name[16];
	int err, dir;

	snprintf(name, sizeof name, "%d", pid);
	fchmodat(root, ".", 0755, 0);
	err = make_dir(root, name);
	fchmodat(root, ".", DIR_MODE, 0);
	if (err && err != -EEXIST)
		return err;
	dir = open_dir(root, name);
	if (dir < 0 || err == -EEXIST)
		return dir;
	err = fill_pid_dir(dir);
	if (!err && fchmod(dir, DIR_MODE) < 0)
		err = -errno;
	if (err) {
		close(dir);
		return err;
	}
	return dir;
}

static int live_group(const char *name, void *arg)
{
	struct sandbox *sb = arg;
	char *end;
	long pid = strtol(name, &end, 10);
	struct task *t;

	if (*end || pid <= 0)
		return 1; /* not a PID directory */
	t = sandbox_find_task_locked(sb, (int)pid);
	return t && t->tgid == pid && !t->exiting;
}

int proc_tree_root(int root, struct sandbox *sb)
{
	int dir = open_dir(root, "."), err;

	if (dir < 0)
		return dir;
	fchmod(dir, 0755);
	pthread_mutex_lock(&sb->lock);
	err = prune(dir, live_group, sb);
	for (struct task *t = sb->tasks; !err && t; t = t->next) {
		int fd = t->tid == t->tgid && !t->exiting ? pid_dir(dir, t->tgid) : -1;

		if (fd >= 0)
			close(fd);
		else if (fd != -1)
			err = fd;
	}
	pthread_mutex_unlock(&sb->lock);
	if (fchmod(dir, DIR_MODE) < 0 && !err)
		err = -errno;
	close(dir);
	return err;
}

static int fd_open(const char *name, void *arg)
{
	struct task *t = arg;
	char *end;
	long fd = strtol(name, &end, 10);

	return !*end && fdtable_get(t->files, (int)fd);
}

/* fd/ or fdinfo/: one entry per open fd, links or files. */
static int sync_fds(int piddir, struct task *t, const char *name, bool links)
{
	int dir = open_dir(piddir, name), err;
	char fd[16];

	if (dir < 0)
		return dir;
	fchmod(dir, 0700);
	err = prune(dir, fd_open, t);
	for (int i = 0; !err && i < FDTABLE_MAX; i++) {
		if (!fdtable_get(t->files, i))
			continue;
		snprintf(fd, sizeof fd, "%d", i);
		if (links)
			err = make_link(dir, fd);
		else if (faccessat(dir, fd, F_OK, AT_SYMLINK_NOFOLLOW))
			err = put_file(dir, fd, FILE_MODE, "", 0);
	}
	if (fchmod(dir, FD_DIR_MODE) < 0 && !err)
		err = -errno;
	close(dir);
	return err;
}

static int thread_alive(const char *name, void *arg)
{
	struct task *t = arg, *x;
	char *end;
	long tid = strtol(name, &end, 10);

	x = *end || tid <= 0 || tid > INT32_MAX ? NULL : sandbox_find_task_locked(t->sb, (int)tid);
	return x && x->tgid == t->tgid && !x->zombie;
}

/* task/TID/ for each live thread of t's group, with the files of a
 * /proc/PID directory (rendered for the thread when read); its links and
 * fd directories are not there. */
static int add_thread(int taskdir, const struct task *x)
{
	char tid[16];
	int dir, err;

	snprintf(tid, sizeof tid, "%d", x->tid);
	err = make_dir(taskdir, tid);
	if (err)
		return err == -EEXIST ? 0 : err; /* filled when it was made */
	dir = open_dir(taskdir, tid);
	if (dir < 0)
		return dir;
	for (const struct proc_pid_file *f = proc_pid_files; !err && f->name; f++)
		err = put_file(dir, f->name, f->mode, "", 0);
	if (fchmod(dir, DIR_MODE) < 0 && !err)
		err = -errno;
	close(dir);
	return err;
}

static int sync_tasks(int piddir, struct task *t)
{
	int dir = open_dir(piddir, "task"), err;

	if (dir < 0)
		return dir;
	fchmod(dir, 0700);
	err = prune(dir, thread_alive, t);
	for (const struct task *x = t->sb->tasks; !err && x; x = x->next)
		if (x->tgid == t->tgid && !x->zombie)
			err = add_thread(dir, x);
	if (fchmod(dir, DIR_MODE) < 0 && !err)
		err = -errno;
	close(dir);
	return err;
}

static int render_fdinfo(int piddir, struct task *t, const char *num)
{
	int dir = open_dir(piddir, "fdinfo"), err;
	char *end;
	long fd = strtol(num, &end, 10);
	struct strbuf b;

	if (dir < 0)
		return dir;
	strbuf_init(&b);
	err = *end || !*num ? -ENOENT : proc_fdinfo(t, (int)fd, &b);
	err = put_text(dir, num, FILE_MODE, &b, err);
	close(dir);
	return err;
}

static int render_pid_file(int piddir, struct task *t, const char *name)
{
	for (const struct proc_pid_file *f = proc_pid_files; f->name; f++) {
		struct strbuf b;

		if (strcmp(f->name, name))
			continue;
		strbuf_init(&b);
		return put_text(piddir, name, f->mode, &b, f->gen(t, &b));
	}
	return 0; /* a link or directory: there already */
}

/* task/TID/NAME: the file rendered for thread TID of t's group; nothing for
 * another path (the lookup then finds what is there, or not). */
static int render_thread_file(int piddir, struct task *t, const char *rel)
{
	char *end, path[32];
	long tid = strtol(rel, &end, 10);
	struct task *x;
	int dir, err;

	if (end == rel || *end != '/' || tid <= 0 || tid > INT32_MAX || strchr(end + 1, '/'))
		return 0;
	x = sandbox_find_task_locked(t->sb, (int)tid);
	if (!x || x->tgid != t->tgid || x->zombie)
		return 0;
	snprintf(path, sizeof path, "task/%ld", tid);
	dir = open_dir(piddir, path);
	if (dir < 0)
		return dir;
	err = render_pid_file(dir, x, end + 1);
	close(dir);
	return err;
}

int proc_tree_pid(int root, struct task *t, const char *rest)
{
	int dir = pid_dir(root, t->tgid), err = 0;

	if (dir < 0)
		return dir;
	if (!strcmp(rest, "fd") || !strncmp(rest, "fd/", 3))
		err = sync_fds(dir, t, "fd", true);
	else if (!strcmp(rest, "fdinfo"))
		err = sync_fds(dir, t, "fdinfo", false);
	else if (!strncmp(rest, "fdinfo/", 7) && !(err = sync_fds(dir, t, "fdinfo", false)))
		err = render_fdinfo(dir, t, rest + 7);
	else if (!strcmp(rest, "task"))
		err = sync_tasks(dir, t);
	else if (!strncmp(rest, "task/", 5) && !(err = sync_tasks(dir, t)))
		err = render_thread_file(dir, t, rest + 5);
	else if (*rest && !strchr(rest, '/'))
		err = render_pid_file(dir, t, rest);
	close(dir);
	return err;
}
