// SPDX-License-Identifier: Apache-2.0
/*
 * escape_fds MARKER HOSTPATH RWDIR [NODE...]: the ways out of a view, for
 * tests/api/test_escape.py, which prepares the view. MARKER is the name of a
 * file that exists only outside the view, at host path HOSTPATH; RWDIR is a
 * writable directory of the view (a read-write bind, /tmp) whose parent is
 * read-only; each NODE is a host FIFO or device in a read-only place, which
 * the view refuses to open.
 *
 * Directory fds of "/", the cwd, RWDIR, /proc/self and /proc/PID/{root,cwd}
 * are probed here and again in a child that receives them over a socket
 * pair (SCM_RIGHTS) after this process closed its own: ".." 64 times ends
 * at "/", no ancestor holds MARKER, no /proc link, openat2 scope or symlink
 * reaches it, /proc/self/fd/N reads as the guest path, and names made
 * through ".." fail with EROFS or EXDEV. A NODE's fd, passed, reopens no
 * more than its path does.
 *
 * Natively the view is the host: the probes find MARKER and write beside
 * RWDIR, so the run fails, which proves that they look. They write only in
 * RWDIR, its parent and the marker's directory; outside umbra only when
 * RWDIR/.. holds MARKER, a layout the caller made for the run.
 */
#include "proc.h"

#include <libgen.h>
#include <linux/openat2.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define UP_MAX 8    /* "../" repeated up to this in the textual probes */
#define WALK 64     /* openat(fd, "..") and chdir("..") this often */
#define NODE_MAX 8
#define DIRS 7      /* the fds open_dirs() opens */
#define RW_FD 2     /* which of them is RWDIR's, O_RDONLY */

struct dir {
	const char *what;
	int fd;
	char path[PATH_MAX]; /* what readlink of /proc/self/fd/N must give */
};

static const char *marker, *host_path, *rwdir;
static char host_dir[PATH_MAX];
static const char *nodes[NODE_MAX];
static int nnodes;

/* prefix, "../" k times, then tail. */
static const char *updir(char *buf, const char *prefix, int k, const char *tail)
{
	size_t n = (size_t)snprintf(buf, PATH_MAX, "%s", prefix);

	for (int i = 0; i < k && n + 3 < PATH_MAX; i++, n += 3)
		memcpy(buf + n, "../", 4);
	snprintf(buf + n, PATH_MAX - n, "%s", tail);
	return buf;
}

/* path, opened O_PATH (following links), must fail with expected. */
static void absent(const char *what, int dirfd, const char *path, int expected)
{
	int fd = openat(dirfd, path, O_PATH | O_CLOEXEC), err = errno;

	if (fd >= 0) {
		fail("%s: %s: expected %s got an open file", what, path, err_name(expected));
		close(fd);
	} else if (err != expected) {
		fail("%s: %s: expected %s got %s", what, path, err_name(expected), err_name(err));
	}
}

static long open2(int dirfd, const char *path, uint64_t resolve)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = resolve };

	return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

static void absent2(const char *what, int dirfd, const char *path, uint64_t resolve,
		    int expected)
{
	long fd = open2(dirfd, path, resolve);
	int err = errno;

	if (fd >= 0) {
		fail("%s: openat2 %s (resolve %#llx): expected %s got an open file", what, path,
		     (unsigned long long)resolve, err_name(expected));
		close((int)fd);
	} else if (err != expected) {
		fail("%s: openat2 %s (resolve %#llx): expected %s got %s", what, path,
		     (unsigned long long)resolve, err_name(expected), err_name(err));
	}
}

/* fd is the view's "/" (closes it). */
static void is_root(const char *what, int fd)
{
	struct stat a, b;

	if (fd < 0) {
		fail("%s: expected the view's / got errno %s", what, err_name(errno));
		return;
	}
	if (fstat(fd, &a) < 0 || stat("/", &b) < 0)
		fail("%s: fstat: errno %s", what, err_name(errno));
	else if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		fail("%s: expected the view's / (dev %#lx ino %lu) got dev %#lx ino %lu", what,
		     (unsigned long)b.st_dev, (unsigned long)b.st_ino, (unsigned long)a.st_dev,
		     (unsigned long)a.st_ino);
	close(fd);
}

/* openat(fd, "..") 64 times: no ancestor holds MARKER, the last is "/". */
static void walk_up(const struct dir *d)
{
	char what[128];
	int cur = fcntl(d->fd, F_DUPFD_CLOEXEC, 0);

	for (int i = 0; i < WALK && cur >= 0; i++) {
		int up;

		snprintf(what, sizeof what, "%s, %d times ..", d->what, i);
		absent(what, cur, marker, ENOENT);
		up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		close(cur);
		cur = up;
	}
	snprintf(what, sizeof what, "%s, openat(..) %d times", d->what, WALK);
	is_root(what, cur);
}

/* "../../MARKER" and the like, relative to the fd, and scoped by openat2. */
static void relative(const struct dir *d)
{
	char p[PATH_MAX];

	for (int k = 0; k <= UP_MAX; k++) {
		absent(d->what, d->fd, updir(p, "", k, marker), ENOENT);
		absent2(d->what, d->fd, p, RESOLVE_IN_ROOT, ENOENT);
		absent2(d->what, d->fd, p, RESOLVE_BENEATH, k ? EXDEV : ENOENT);
	}
	absent2(d->what, d->fd, "..", RESOLVE_BENEATH, EXDEV);
	absent2(d->what, d->fd, host_path, RESOLVE_IN_ROOT, ENOENT);
	absent2(d->what, d->fd, host_path, RESOLVE_BENEATH, EXDEV);
}

/* fchdir(fd), then chdir("..") 64 times: never MARKER, and "/" at the end. */
static void chdir_up(const struct dir *d)
{
	char what[128], cwd[PATH_MAX];
	int home = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	snprintf(what, sizeof what, "%s: fchdir", d->what);
	if (!CHECK_OK(what, fchdir(d->fd))) {
		close(home);
		return;
	}
	for (int i = 0; i < WALK; i++) {
		snprintf(what, sizeof what, "%s: fchdir, %d times chdir ..", d->what, i);
		absent(what, AT_FDCWD, marker, ENOENT);
		CHECK_OK(what, chdir(".."));
	}
	snprintf(what, sizeof what, "%s: fchdir, %d times chdir ..", d->what, WALK);
	is_root(what, open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
	if (!getcwd(cwd, sizeof cwd) || strcmp(cwd, "/"))
		fail("%s: getcwd: expected / got %s", what, errno ? err_name(errno) : cwd);
	if (home < 0 || fchdir(home) < 0)
		fail("%s: back to the cwd: errno %s", d->what, err_name(errno));
	close(home);
}

/* The fd's magic links: /proc/self/fd/N/.. and /dev/fd/N/.. lead where its
 * own ".." does, and the link reads as the guest's path. */
static void through_proc(const struct dir *d)
{
	char prefix[64], p[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	for (int k = 0; k <= UP_MAX; k++) {
		snprintf(prefix, sizeof prefix, "/proc/self/fd/%d/", d->fd);
		absent(d->what, AT_FDCWD, updir(p, prefix, k, marker), ENOENT);
		snprintf(prefix, sizeof prefix, "/dev/fd/%d/", d->fd);
		absent(d->what, AT_FDCWD, updir(p, prefix, k, marker), ENOENT);
	}
	snprintf(prefix, sizeof prefix, "/proc/self/fd/%d/", d->fd);
	updir(p, prefix, WALK, "");
	is_root(p, open(p, O_PATH | O_DIRECTORY | O_CLOEXEC));
	snprintf(p, sizeof p, "/proc/self/fd/%d", d->fd);
	n = readlink(p, link, sizeof link - 1);
	if (n < 0) {
		fail("%s: readlink %s: errno %s", d->what, p, err_name(errno));
		return;
	}
	link[n] = 0;
	if (strcmp(link, d->path))
		fail("%s: readlink %s: expected %s got %s", d->what, p, d->path, link);
}

static void probe_dir(const struct dir *d)
{
	walk_up(d);
	relative(d);
	chdir_up(d);
	through_proc(d);
}

/* /proc/PID/root and /proc/PID/cwd by path. */
static void by_pid(const char *pid)
{
	char prefix[64], p[PATH_MAX];

	for (int k = 0; k <= UP_MAX; k++) {
		snprintf(prefix, sizeof prefix, "/proc/%s/root/", pid);
		absent("/proc/PID/root", AT_FDCWD, updir(p, prefix, k, marker), ENOENT);
		snprintf(prefix, sizeof prefix, "/proc/%s/cwd/", pid);
		absent("/proc/PID/cwd", AT_FDCWD, updir(p, prefix, k, marker), ENOENT);
	}
	snprintf(p, sizeof p, "/proc/%s/root%s", pid, host_path);
	absent("/proc/PID/root and the host path", AT_FDCWD, p, ENOENT);
	snprintf(prefix, sizeof prefix, "/proc/%s/root/", pid);
	updir(p, prefix, WALK, "");
	is_root(p, open(p, O_PATH | O_DIRECTORY | O_CLOEXEC));
}

/* A FIFO or device the view refuses, reached through fd: refused too. */
static void node_refused(const char *what, int dirfd, const char *path)
{
	int fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), err = errno;

	if (fd >= 0) {
		fail("%s: open %s: expected EACCES got an open file", what, path);
		close(fd);
	} else if (err != EACCES) {
		fail("%s: open %s: expected EACCES got %s", what, path, err_name(err));
	}
}

static void node_fd_refused(const char *what, int fd)
{
	char p[64];

	snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
	node_refused(what, AT_FDCWD, p);
	snprintf(p, sizeof p, "/dev/fd/%d", fd);
	node_refused(what, AT_FDCWD, p);
}

/* Links made in RWDIR that point out of it: none reaches MARKER. */
static void links(int rw)
{
	char targets[UP_MAX + 5][PATH_MAX], name[32];
	int n = 0;

	snprintf(targets[n++], PATH_MAX, "/../../%s", marker);
	for (int k = 1; k <= UP_MAX; k++)
		updir(targets[n++], "", k, marker);
	snprintf(targets[n++], PATH_MAX, "%s", host_path);
	snprintf(targets[n++], PATH_MAX, "/proc/self/root/../%s", marker);
	updir(targets[n++], "/proc/self/cwd/", UP_MAX, marker);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof name, "escape-link-%d", i);
		if (!CHECK_OK("symlink in RWDIR", symlinkat(targets[i], rw, name)))
			continue;
		absent(targets[i], rw, name, ENOENT);
		CHECK_OK("unlink the link", unlinkat(rw, name, 0));
	}
}

/* A call that must not make dir/name: it fails with one of two errnos,
 * and what it made anyway is removed. */
static void not_made(const char *what, long ret, int err, int dirfd, const char *name,
		     int e1, int e2)
{
	if (ret >= 0) {
		fail("%s: expected %s got success", what, err_name(e1));
		if (unlinkat(dirfd, name, 0) < 0)
			unlinkat(dirfd, name, AT_REMOVEDIR);
	} else if (err != e1 && err != e2) {
		fail("%s: expected %s got %s", what, err_name(e1), err_name(err));
	}
	if (ret > 0) /* an fd opened */
		close((int)ret);
}

#define NOT_MADE(what, call, dirfd, name, e1, e2)				\
	do {									\
		long r_ = (long)(call);						\
		not_made(what, r_, errno, dirfd, name, e1, e2);			\
	} while (0)

/* Creating in RWDIR/.., read-only, through rw's "..". */
static void create_above(int rw, int up)
{
	int o = O_CREAT | O_WRONLY | O_EXCL | O_CLOEXEC;

	NOT_MADE("open(O_CREAT) ../escape-new", openat(rw, "../escape-new", o, 0600), up,
		 "escape-new", EROFS, EROFS);
	NOT_MADE("open(O_CREAT) in the parent fd", openat(up, "escape-new", o, 0600), up,
		 "escape-new", EROFS, EROFS);
	NOT_MADE("mkdir ../escape-dir", mkdirat(rw, "../escape-dir", 0700), up, "escape-dir",
		 EROFS, EROFS);
	NOT_MADE("symlink ../escape-sym", symlinkat("x", rw, "../escape-sym"), up, "escape-sym",
		 EROFS, EROFS);
	if (!CHECK_OK("symlink escape-out -> ../escape-made",
		      symlinkat("../escape-made", rw, "escape-out")))
		return;
	NOT_MADE("open(O_CREAT) through escape-out", openat(rw, "escape-out", o & ~O_EXCL, 0600),
		 up, "escape-made", EROFS, EROFS);
	CHECK_OK("unlink escape-out", unlinkat(rw, "escape-out", 0));
}

/* RWDIR/escape-file, made anew for each probe (one that got out took it). */
static int fresh_file(int rw)
{
	int fd = openat(rw, "escape-file", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

	if (!CHECK_OK("create RWDIR/escape-file", fd))
		return 0;
	close(fd);
	return 1;
}

/* A file of RWDIR moved or linked into its parent: EXDEV or EROFS. */
static void move_above(int rw, int up)
{
	if (fresh_file(rw))
		NOT_MADE("rename to ../escape-file",
			 renameat(rw, "escape-file", rw, "../escape-file"), up, "escape-file",
			 EXDEV, EROFS);
	if (fresh_file(rw))
		NOT_MADE("rename into the parent fd", renameat(rw, "escape-file", up, "escape-file"),
			 up, "escape-file", EXDEV, EROFS);
	if (fresh_file(rw))
		NOT_MADE("link to ../escape-link", linkat(rw, "escape-file", rw, "../escape-link", 0),
			 up, "escape-link", EXDEV, EROFS);
	if (fresh_file(rw))
		NOT_MADE("link into the parent fd", linkat(rw, "escape-file", up, "escape-link", 0),
			 up, "escape-link", EXDEV, EROFS);
	unlinkat(rw, "escape-file", 0);
}

/* A link to a name beside the marker, on the host: nothing is made. */
static void create_at_host_path(int rw)
{
	char target[PATH_MAX + 32];
	int hd;

	snprintf(target, sizeof target, "%s/escape-made-abs", host_dir);
	if (!CHECK_OK("symlink escape-abs -> the host path", symlinkat(target, rw, "escape-abs")))
		return;
	hd = open(host_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	NOT_MADE("open(O_CREAT) through escape-abs",
		 openat(rw, "escape-abs", O_CREAT | O_WRONLY | O_CLOEXEC, 0600), hd,
		 "escape-made-abs", ENOENT, ENOENT);
	if (hd >= 0)
		close(hd);
	CHECK_OK("unlink escape-abs", unlinkat(rw, "escape-abs", 0));
}

/* Whether writes near RWDIR may go ahead: always in the sandbox; natively
 * only when RWDIR/.. holds the marker (the caller's own directory). */
static int may_write(int up)
{
	int fd;

	if (under_umbra())
		return 1;
	fd = openat(up, marker, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		note("not under umbra and RWDIR/.. has no %s: no writes", marker);
		return 0;
	}
	close(fd);
	return 1;
}

static void writes(int rw)
{
	int up = openat(rw, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (!CHECK_OK("open RWDIR/.. through the passed fd", up))
		return;
	if (may_write(up)) {
		create_above(rw, up);
		move_above(rw, up);
		create_at_host_path(rw);
	}
	close(up);
}

enum dir_is { IS_ROOT, IS_CWD, IS_RW, IS_SELF };

/* "/", the cwd, RWDIR (twice), /proc/self, /proc/PID/root and cwd. */
static int open_dirs(struct dir *d)
{
	static const struct {
		const char *what, *path; /* NULL: RWDIR; "root", "cwd": /proc/PID's */
		int flags;
		enum dir_is is;
	} spec[DIRS] = {
		{ "fd of /", "/", O_RDONLY, IS_ROOT },
		{ "fd of the cwd", ".", O_RDONLY, IS_CWD },
		{ "fd of RWDIR", NULL, O_RDONLY, IS_RW },
		{ "O_PATH fd of RWDIR", NULL, O_PATH, IS_RW },
		{ "fd of /proc/self", "/proc/self", O_RDONLY, IS_SELF },
		{ "O_PATH fd of /proc/PID/root", "root", O_PATH, IS_ROOT },
		{ "O_PATH fd of /proc/PID/cwd", "cwd", O_PATH, IS_CWD },
	};
	char cwd[PATH_MAX], self[64], p[PATH_MAX];

	if (!getcwd(cwd, sizeof cwd))
		return 0;
	snprintf(self, sizeof self, "/proc/%d", (int)getpid());
	for (int i = 0; i < DIRS; i++) {
		const char *path = spec[i].path ? spec[i].path : rwdir;
		const char *is[] = { "/", cwd, rwdir, self };

		if (!strcmp(path, "root") || !strcmp(path, "cwd"))
			path = (snprintf(p, sizeof p, "%s/%s", self, path), p);
		d[i].what = spec[i].what;
		d[i].fd = open(path, spec[i].flags | O_DIRECTORY | O_CLOEXEC);
		if (!CHECK_OK(spec[i].what, d[i].fd))
			return 0;
		snprintf(d[i].path, PATH_MAX, "%s", is[spec[i].is]);
	}
	return 1;
}

/* The received fds, in the order sent; the count, or -1. */
static int receive(int sock, int *fds, int max)
{
	char data, cbuf[CMSG_SPACE(sizeof(int) * (DIRS + NODE_MAX))];
	struct iovec iov = { &data, 1 };
	struct msghdr m = { NULL, 0, &iov, 1, cbuf, sizeof cbuf, 0 };
	struct pollfd pfd = { sock, POLLIN, 0 };
	struct cmsghdr *c;
	int n;

	if (poll(&pfd, 1, 10000) != 1 || recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
	if (n > max)
		return -1;
	memcpy(fds, CMSG_DATA(c), sizeof(int) * (size_t)n);
	return n;
}

static int send_fds(int sock, const int *fds, int n)
{
	char data = 'f', cbuf[CMSG_SPACE(sizeof(int) * (DIRS + NODE_MAX))];
	struct iovec iov = { &data, 1 };
	struct msghdr m = { NULL, 0, &iov, 1, cbuf, CMSG_SPACE(sizeof(int) * (size_t)n), 0 };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
	return sendmsg(sock, &m, 0) == 1;
}

/* The child: the same probes on the fds it received, then the writes. */
static void child(int sock, struct dir *d)
{
	int fds[DIRS + NODE_MAX], n;
	char ppid[16], what[128];

	alarm(60); /* a hang fails the test instead of blocking it */
	n = receive(sock, fds, DIRS + NODE_MAX);
	if (!check_long("fds received", DIRS + nnodes, n))
		proc_child_exit();
	for (int i = 0; i < DIRS; i++) {
		struct dir got = d[i];

		snprintf(what, sizeof what, "passed %s", d[i].what);
		got.what = what;
		got.fd = fds[i];
		probe_dir(&got);
	}
	for (int i = 0; i < nnodes; i++)
		node_fd_refused("a passed O_PATH fd of NODE", fds[DIRS + i]);
	snprintf(ppid, sizeof ppid, "%d", (int)getppid());
	by_pid(ppid);
	by_pid("self");
	links(fds[RW_FD]);
	writes(fds[RW_FD]);
	proc_child_exit();
}

static void pass_to_child(struct dir *d, const int *node_fds)
{
	int sv[2], fds[DIRS + NODE_MAX];
	pid_t pid;

	for (int i = 0; i < DIRS; i++)
		fds[i] = d[i].fd;
	memcpy(fds + DIRS, node_fds, sizeof(int) * (size_t)nnodes);
	if (!CHECK_OK("socketpair", socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv)))
		return;
	pid = proc_fork("the receiving child");
	if (pid == 0) {
		close(sv[0]);
		child(sv[1], d);
	}
	close(sv[1]);
	check_true("sendmsg with SCM_RIGHTS", send_fds(sv[0], fds, DIRS + nnodes));
	/* The child's files must stand on their own. */
	for (int i = 0; i < DIRS + nnodes; i++)
		close(fds[i]);
	proc_reap("the receiving child", pid, PROC_EXITED(0));
	close(sv[0]);
}

static void parse_args(int argc, char **argv)
{
	if (argc < 4 || argc > 4 + NODE_MAX || argv[2][0] != '/') {
		fprintf(stderr, "usage: escape_fds MARKER HOSTPATH RWDIR [NODE...]\n");
		exit(2);
	}
	marker = argv[1];
	host_path = argv[2];
	rwdir = argv[3];
	snprintf(host_dir, sizeof host_dir, "%s", host_path);
	dirname(host_dir);
	for (int i = 4; i < argc; i++)
		nodes[nnodes++] = argv[i];
}

int main(int argc, char **argv)
{
	struct dir d[DIRS];
	int node_fds[NODE_MAX];

	parse_args(argc, argv);
	if (!open_dirs(d))
		return check_exit("escape_fds");
	for (int i = 0; i < DIRS; i++)
		probe_dir(&d[i]);
	absent("the host path", AT_FDCWD, host_path, ENOENT);
	by_pid("self");
	for (int i = 0; i < nnodes; i++) {
		node_refused("NODE", AT_FDCWD, nodes[i]);
		node_fds[i] = open(nodes[i], O_PATH | O_CLOEXEC);
		if (!CHECK_OK("an O_PATH fd of NODE", node_fds[i]))
			return check_exit("escape_fds");
		node_fd_refused("an O_PATH fd of NODE", node_fds[i]);
	}
	pass_to_child(d, node_fds);
	proc_finish();
	return check_exit("escape_fds");
}
