// SPDX-License-Identifier: Apache-2.0
/*
 * inotify (inotify(7), fs/notify/inotify/inotify_user.c): a watch on a
 * directory reports IN_CREATE, IN_MODIFY, IN_CLOSE_WRITE, IN_MOVED_FROM/TO
 * (one cookie) and IN_DELETE with the child's name, in order; a watch on a
 * file reports its IN_ATTRIB; rm_watch queues IN_IGNORED; a blocking read
 * waits for an event a child makes; poll sees one pending. The errors:
 * init1's unknown flags and add_watch's empty or contradictory masks are
 * EINVAL, a bad fd EBADF, a fd of another kind EINVAL, a missing path
 * ENOENT, IN_ONLYDIR on a file ENOTDIR, IN_MASK_CREATE on a watched inode
 * EEXIST, rm_watch of an unknown wd EINVAL; the watch descriptor for an
 * inode already watched is the same one.
 *
 * Usage: inotify SCRATCH_DIR
 */
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define EVENT_BUF 4096

static char dir[PATH_MAX - 64];

struct want {
	uint32_t mask;
	const char *name; /* NULL: the watched object itself */
};

/* Reads what is queued and compares it with want[0..n), in order; the
 * cookie of an IN_MOVED_FROM must come back on the IN_MOVED_TO after it. */
static void expect(const char *what, int fd, int wd, const struct want *want, int n)
{
	char buf[EVENT_BUF] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len = read(fd, buf, sizeof buf);
	uint32_t cookie = 0;
	int i = 0;

	if (!check_true(what, len > 0))
		return;
	for (char *p = buf; p < buf + len; i++) {
		struct inotify_event *e = (struct inotify_event *)p;
		const char *name = e->len ? e->name : NULL;

		p += sizeof *e + e->len;
		if (i >= n) {
			fail("%s: an extra event %#x %s", what, e->mask, name ? name : "");
			continue;
		}
		check_long(what, wd, e->wd);
		if (e->mask != want[i].mask)
			fail("%s: event %d: mask %#x, expected %#x", what, i, e->mask, want[i].mask);
		if ((name == NULL) != (want[i].name == NULL) ||
		    (name && strcmp(name, want[i].name)))
			fail("%s: event %d: name \"%s\", expected \"%s\"", what, i, name ? name : "",
			     want[i].name ? want[i].name : "");
		if (e->mask & IN_MOVED_FROM)
			cookie = e->cookie;
		if (e->mask & IN_MOVED_TO)
			check_true("the move's two events share a cookie", cookie && e->cookie == cookie);
	}
	check_long(what, n, i);
}

static void directory_events(int fd)
{
	char a[PATH_MAX], b[PATH_MAX];
	int wd = inotify_add_watch(fd, dir, IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVE |
						    IN_DELETE);
	int f;
	const struct want want[] = {
		{ IN_CREATE, "a" },       { IN_MODIFY, "a" },    { IN_CLOSE_WRITE, "a" },
		{ IN_MOVED_FROM, "a" },   { IN_MOVED_TO, "b" },  { IN_DELETE, "b" },
		{ IN_CREATE | IN_ISDIR, "sub" },
	};

	if (!CHECK_OK("inotify_add_watch of a directory", wd))
		return;
	check_long("the same inode gives the same wd", wd, inotify_add_watch(fd, dir, IN_CREATE));
	inotify_add_watch(fd, dir, IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVE | IN_DELETE);
	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(b, sizeof b, "%s/b", dir);
	f = open(a, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	check_long("write", 3, write(f, "abc", 3));
	close(f);
	CHECK_OK("rename", rename(a, b));
	CHECK_OK("unlink", unlink(b));
	snprintf(a, sizeof a, "%s/sub", dir);
	CHECK_OK("mkdir", mkdir(a, 0755));
	expect("the directory's events", fd, wd, want, sizeof want / sizeof want[0]);
	CHECK_ERRNO("IN_MASK_CREATE on a watched inode",
		    inotify_add_watch(fd, dir, IN_CREATE | IN_MASK_CREATE), EEXIST);
	CHECK_OK("inotify_rm_watch", inotify_rm_watch(fd, wd));
	expect("rm_watch queues IN_IGNORED", fd, wd, &(struct want){ IN_IGNORED, NULL }, 1);
	CHECK_ERRNO("rm_watch of it again", inotify_rm_watch(fd, wd), EINVAL);
	rmdir(a);
}

static void file_events(int fd)
{
	char path[PATH_MAX];
	int f, wd;

	snprintf(path, sizeof path, "%s/file", dir);
	f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	close(f);
	wd = inotify_add_watch(fd, path, IN_ATTRIB);
	if (!CHECK_OK("inotify_add_watch of a file", wd))
		return;
	CHECK_OK("chmod", chmod(path, 0600));
	expect("the file's IN_ATTRIB", fd, wd, &(struct want){ IN_ATTRIB, NULL }, 1);
	CHECK_ERRNO("IN_ONLYDIR on a file", inotify_add_watch(fd, path, IN_ATTRIB | IN_ONLYDIR),
		    ENOTDIR);
	inotify_rm_watch(fd, wd);
	expect("IN_IGNORED", fd, wd, &(struct want){ IN_IGNORED, NULL }, 1);
	unlink(path);
}

/* A read with nothing queued blocks until a child makes an event. */
static void blocking_read(int fd)
{
	char path[PATH_MAX];
	struct pollfd p = { fd, POLLIN, 0 };
	int wd = inotify_add_watch(fd, dir, IN_CREATE), status;
	pid_t kid;

	check_long("poll with nothing queued", 0, poll(&p, 1, 0));
	snprintf(path, sizeof path, "%s/late", dir);
	fflush(stdout);
	kid = fork();
	if (kid == 0) {
		usleep(100000);
		close(open(path, O_WRONLY | O_CREAT, 0644));
		_exit(0);
	}
	if (!CHECK_OK("fork", kid))
		return;
	check_long("poll sees the child's event", 1, poll(&p, 1, 10000));
	expect("the child's file", fd, wd, &(struct want){ IN_CREATE, "late" }, 1);
	waitpid(kid, &status, 0);
	kid = fork();
	if (kid == 0) {
		usleep(100000);
		unlink(path);
		close(open(path, O_WRONLY | O_CREAT, 0644));
		_exit(0);
	}
	expect("a blocking read waits for it", fd, wd, &(struct want){ IN_CREATE, "late" }, 1);
	waitpid(kid, &status, 0);
	inotify_rm_watch(fd, wd);
	if (read(fd, path, sizeof path) < 0) /* IN_IGNORED */
		fail("read of IN_IGNORED: errno %s", err_name(errno));
	unlink(path);
}

static void errors(int fd)
{
	char path[PATH_MAX];
	int p[2];

	CHECK_ERRNO("inotify_init1 with an unknown flag", inotify_init1(1), EINVAL);
	CHECK_ERRNO("a mask of no event", inotify_add_watch(fd, dir, 0), EINVAL);
	CHECK_ERRNO("IN_MASK_ADD with IN_MASK_CREATE",
		    inotify_add_watch(fd, dir, IN_CREATE | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
	CHECK_ERRNO("a bad fd", inotify_add_watch(-1, dir, IN_CREATE), EBADF);
	snprintf(path, sizeof path, "%s/missing", dir);
	if (CHECK_OK("pipe", pipe(p))) {
		CHECK_ERRNO("a pipe is no instance", inotify_add_watch(p[0], path, IN_CREATE),
			    EINVAL);
		CHECK_ERRNO("rm_watch on a pipe", inotify_rm_watch(p[0], 1), EINVAL);
		close(p[0]);
		close(p[1]);
	}
	CHECK_ERRNO("a missing path", inotify_add_watch(fd, path, IN_CREATE), ENOENT);
	CHECK_ERRNO("an empty path", inotify_add_watch(fd, "", IN_CREATE), ENOENT);
	CHECK_ERRNO("a bad path pointer", inotify_add_watch(fd, bad_address(), IN_CREATE), EFAULT);
	CHECK_ERRNO("rm_watch of an unknown wd", inotify_rm_watch(fd, 12345), EINVAL);
	CHECK_ERRNO("rm_watch of a bad fd", inotify_rm_watch(-1, 1), EBADF);
}

int main(int argc, char **argv)
{
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: inotify SCRATCH_DIR\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s/watched", argv[1]);
	if (!CHECK_OK("mkdir", mkdir(dir, 0755)))
		return check_exit("inotify");
	alarm(30); /* a read that never returns fails the test */
	fd = inotify_init1(IN_CLOEXEC);
	if (!CHECK_OK("inotify_init1", fd))
		return check_exit("inotify");
	check_long("FD_CLOEXEC", FD_CLOEXEC, fcntl(fd, F_GETFD));
	directory_events(fd);
	file_events(fd);
	blocking_read(fd);
	errors(fd);
	close(fd);
	rmdir(dir);
	return check_exit("inotify");
}
