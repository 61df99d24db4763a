// SPDX-License-Identifier: Apache-2.0
/*
 * File locks in one process (fs/locks.c). flock locks belong to the open
 * file: dup'd fds share one, a second open conflicts. fcntl record locks:
 * POSIX locks belong to the process, so its own never conflict, they split
 * and merge, and closing any fd of the file drops them all; OFD locks belong
 * to the open file, conflict with every other owner's, POSIX ones of the same
 * process included, and go when the file's last fd does. F_GETLK reports the
 * blocker from SEEK_SET with its pid (-1 for an OFD lock). Ranges: l_whence
 * SEEK_CUR and SEEK_END, negative l_len, EINVAL and EOVERFLOW; the access
 * mode decides which locks an fd may take (EBADF).
 *
 * Usage: file_locks SCRATCH_DIR
 */
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/file.h>
#include <unistd.h>

#define BAD_PTR bad_address()

static char path[PATH_MAX];

static int open_file(int flags)
{
	int fd = open(path, flags);

	if (fd < 0)
		fail("open %s: errno %s", path, err_name(errno));
	return fd;
}

static long setlk(int fd, int cmd, short type, short whence, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = whence, .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl);
}

/* The lock that blocks a write lock of [start, start + len) through fd, as
 * "TYPE START LEN PID" ("none" when nothing does). */
static const char *blocker_len(int fd, int cmd, off_t start, off_t len)
{
	static char out[64];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	if (fcntl(fd, cmd, &fl)) {
		snprintf(out, sizeof out, "error %s", err_name(errno));
	} else if (fl.l_type == F_UNLCK) {
		snprintf(out, sizeof out, "none");
	} else {
		snprintf(out, sizeof out, "%s %ld %ld %s", fl.l_type == F_WRLCK ? "W" : "R",
			 (long)fl.l_start, (long)fl.l_len,
			 fl.l_pid == -1 ? "ofd" : fl.l_pid == getpid() ? "me" : "other");
		if (fl.l_whence != SEEK_SET)
			fail("F_GETLK l_whence: expected SEEK_SET got %d", fl.l_whence);
	}
	return out;
}

static void expect_blocker_len(const char *what, int fd, int cmd, off_t start, off_t len,
			       const char *want)
{
	const char *got = blocker_len(fd, cmd, start, len);

	if (strcmp(got, want))
		fail("%s: expected %s got %s", what, want, got);
}

static void expect_blocker(const char *what, int fd, int cmd, off_t start, const char *want)
{
	const char *got = blocker_len(fd, cmd, start, 1);

	if (strcmp(got, want))
		fail("%s: expected %s got %s", what, want, got);
}

static void flocks(void)
{
	int a = open_file(O_RDONLY), b = open_file(O_RDONLY), c = dup(a);

	check_long("LOCK_EX", 0, flock(a, LOCK_EX));
	CHECK_ERRNO("another open file", flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	check_long("a dup'd fd shares the lock", 0, flock(c, LOCK_EX | LOCK_NB));
	check_long("LOCK_UN through the dup", 0, flock(c, LOCK_UN));
	check_long("now the other file", 0, flock(b, LOCK_SH | LOCK_NB));
	CHECK_ERRNO("exclusive over shared", flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	check_long("shared over shared", 0, flock(a, LOCK_SH | LOCK_NB));
	close(b);
	check_long("closing the last fd drops it", 0, flock(a, LOCK_EX | LOCK_NB));
	CHECK_ERRNO("LOCK_SH | LOCK_EX", flock(a, LOCK_SH | LOCK_EX), EINVAL);
	CHECK_ERRNO("0", flock(a, 0), EINVAL);
	CHECK_ERRNO("LOCK_NB alone", flock(a, LOCK_NB), EINVAL);
	CHECK_ERRNO("the command before the fd", flock(-1, 0), EINVAL);
	CHECK_ERRNO("a closed fd", flock(-1, LOCK_SH), EBADF);
	check_long("LOCK_MAND is ignored", 0, flock(-1, 32 | LOCK_SH));
	close(a);
	close(c);
}

static void posix_splits(int rw, int other)
{
	check_long("F_SETLK read [0, 100)", 0, setlk(rw, F_SETLK, F_RDLCK, SEEK_SET, 0, 100));
	check_long("F_SETLK unlock [40, 60)", 0, setlk(rw, F_SETLK, F_UNLCK, SEEK_SET, 40, 20));
	expect_blocker("left piece", other, F_OFD_GETLK, 39, "R 0 40 me");
	expect_blocker("the hole", other, F_OFD_GETLK, 50, "none");
	expect_blocker("right piece", other, F_OFD_GETLK, 60, "R 60 40 me");
	check_long("F_SETLK read [40, 60) merges", 0, setlk(rw, F_SETLK, F_RDLCK, SEEK_SET, 40, 20));
	expect_blocker("merged", other, F_OFD_GETLK, 50, "R 0 100 me");
	check_long("F_SETLKW write [10, 20)", 0, setlk(rw, F_SETLKW, F_WRLCK, SEEK_SET, 10, 10));
	expect_blocker("read left of the write", other, F_OFD_GETLK, 5, "R 0 10 me");
	expect_blocker("the write", other, F_OFD_GETLK, 15, "W 10 10 me");
	expect_blocker("read right of the write", other, F_OFD_GETLK, 20, "R 20 80 me");
	check_long("read over all of it", 0, setlk(rw, F_SETLK, F_RDLCK, SEEK_SET, 0, 100));
	expect_blocker("one read lock again", other, F_OFD_GETLK, 15, "R 0 100 me");
	expect_blocker("own locks never block", rw, F_GETLK, 15, "none");
	check_long("write to the end", 0, setlk(rw, F_SETLK, F_WRLCK, SEEK_SET, 200, 0));
	expect_blocker("l_len 0 reported", other, F_OFD_GETLK, 1000000, "W 200 0 me");
	check_long("unlock everything", 0, setlk(rw, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	expect_blocker("nothing left", other, F_OFD_GETLK, 15, "none");
}

static void ranges(int rw, int other)
{
	check_long("l_whence SEEK_CUR", 50, lseek(rw, 50, SEEK_SET));
	check_long("[SEEK_CUR - 10, +5)", 0, setlk(rw, F_SETLK, F_WRLCK, SEEK_CUR, -10, 5));
	expect_blocker("SEEK_CUR", other, F_OFD_GETLK, 40, "W 40 5 me");
	check_long("l_whence SEEK_END", 0, setlk(rw, F_SETLK, F_WRLCK, SEEK_END, -2, 2));
	expect_blocker("SEEK_END", other, F_OFD_GETLK, 8, "W 8 2 me");
	check_long("negative l_len", 0, setlk(rw, F_SETLK, F_WRLCK, SEEK_SET, 30, -5));
	expect_blocker("negative l_len", other, F_OFD_GETLK, 25, "W 25 5 me");
	setlk(rw, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
	CHECK_ERRNO("l_whence 3", setlk(rw, F_SETLK, F_WRLCK, 3, 0, 1), EINVAL);
	CHECK_ERRNO("a negative start", setlk(rw, F_SETLK, F_WRLCK, SEEK_SET, -1, 1), EINVAL);
	CHECK_ERRNO("l_len reaching below 0", setlk(rw, F_SETLK, F_WRLCK, SEEK_SET, 5, -6), EINVAL);
	CHECK_ERRNO("an end past OFFSET_MAX",
		    setlk(rw, F_SETLK, F_WRLCK, SEEK_SET, INT64_MAX, 2), EOVERFLOW);
	CHECK_ERRNO("a start past OFFSET_MAX",
		    setlk(rw, F_SETLK, F_WRLCK, SEEK_END, INT64_MAX, 1), EOVERFLOW);
	check_long("the last byte", 0, setlk(rw, F_SETLK, F_WRLCK, SEEK_SET, INT64_MAX, 1));
	setlk(rw, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
	CHECK_ERRNO("l_type 7", setlk(rw, F_SETLK, 7, SEEK_SET, 0, 1), EINVAL);
	CHECK_ERRNO("F_GETLK of F_UNLCK", setlk(rw, F_GETLK, F_UNLCK, SEEK_SET, 0, 1), EINVAL);
	CHECK_ERRNO("F_GETLK: the type before the range",
		    setlk(rw, F_GETLK, F_UNLCK, SEEK_SET, INT64_MAX, 2), EINVAL);
}

static void ofd(int rw, int other)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	int dup_other, third;

	check_long("POSIX write [0, 10)", 0, setlk(rw, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	CHECK_ERRNO("an OFD lock against the process's own", setlk(other, F_OFD_SETLK, F_WRLCK,
								  SEEK_SET, 5, 1), EAGAIN);
	check_long("an OFD lock beside it", 0, setlk(other, F_OFD_SETLK, F_WRLCK, SEEK_SET, 10, 10));
	expect_blocker("F_GETLK sees the OFD lock", rw, F_GETLK, 15, "W 10 10 ofd");
	CHECK_ERRNO("POSIX against OFD", setlk(rw, F_SETLK, F_RDLCK, SEEK_SET, 12, 1), EAGAIN);
	third = open_file(O_RDONLY);
	expect_blocker_len("the older of two blockers", third, F_OFD_GETLK, 0, 20, "W 0 10 me");
	fl.l_pid = 1;
	CHECK_ERRNO("F_OFD_SETLK with l_pid", fcntl(other, F_OFD_SETLK, &fl), EINVAL);
	CHECK_ERRNO("F_OFD_GETLK with l_pid", fcntl(other, F_OFD_GETLK, &fl), EINVAL);
	fl.l_pid = 0;
	fl.l_type = F_UNLCK;
	if (fcntl(other, F_OFD_GETLK, &fl) == -1 && errno == EINVAL) {
		note("F_OFD_GETLK of F_UNLCK: EINVAL (a kernel before 6.5)");
	} else {
		fl.l_start = 0;
		fl.l_len = 0;
		fcntl(other, F_OFD_GETLK, &fl);
		check_long("F_OFD_GETLK of F_UNLCK finds the file's own lock", F_WRLCK, fl.l_type);
		check_long("its start", 10, fl.l_start);
	}

	close(third);
	expect_blocker("closing drops the POSIX lock", third = open_file(O_RDONLY), F_OFD_GETLK, 0,
		       "none");
	close(third);
	dup_other = dup(other);
	close(other);
	expect_blocker("a dup keeps the OFD lock", rw, F_GETLK, 15, "W 10 10 ofd");
	close(dup_other);
	expect_blocker("the last fd takes it", rw, F_GETLK, 15, "none");
}

static void closing(int rw)
{
	int other = open_file(O_RDWR), third = open_file(O_RDONLY);

	check_long("POSIX write [0, 10)", 0, setlk(rw, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	check_long("OFD read [20, 30)", 0, setlk(other, F_OFD_SETLK, F_RDLCK, SEEK_SET, 20, 10));
	close(third);
	expect_blocker("closing any fd drops the POSIX locks", other, F_OFD_GETLK, 5, "none");
	expect_blocker("but not OFD ones", rw, F_GETLK, 25, "R 20 10 ofd");
	close(other);
}

static void errors(int rw)
{
	int rd = open_file(O_RDONLY), wr = open_file(O_WRONLY), p = open_file(O_PATH);

	CHECK_ERRNO("a write lock on a read-only fd", setlk(rd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1),
		    EBADF);
	CHECK_ERRNO("a read lock on a write-only fd", setlk(wr, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 1),
		    EBADF);
	check_long("unlock on a read-only fd", 0, setlk(rd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));
	check_long("F_GETLK of a write lock on a read-only fd", 0,
		   setlk(rd, F_GETLK, F_WRLCK, SEEK_SET, 0, 1));
	CHECK_ERRNO("the range before the access mode", setlk(rd, F_SETLK, F_WRLCK, 3, 0, 1),
		    EINVAL);
	CHECK_ERRNO("an O_PATH fd", setlk(p, F_SETLK, F_UNLCK, SEEK_SET, 0, 1), EBADF);
	CHECK_ERRNO("F_GETLK of an O_PATH fd", setlk(p, F_GETLK, F_WRLCK, SEEK_SET, 0, 1), EBADF);
	CHECK_ERRNO("a closed fd", setlk(-1, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), EBADF);
	CHECK_ERRNO("F_SETLK of a bad pointer", fcntl(rw, F_SETLK, BAD_PTR), EFAULT);
	CHECK_ERRNO("F_GETLK of a bad pointer", fcntl(rw, F_GETLK, BAD_PTR), EFAULT);
	CHECK_ERRNO("F_OFD_SETLKW of a bad pointer", fcntl(rw, F_OFD_SETLKW, BAD_PTR), EFAULT);
	close(rd);
	close(wr);
	close(p);
}

int main(int argc, char **argv)
{
	int rw, other;

	if (argc != 2) {
		fprintf(stderr, "usage: file_locks SCRATCH_DIR\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/locked", argv[1]);
	rw = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (rw < 0 || write(rw, "0123456789", 10) != 10) {
		fail("create %s: errno %s", path, err_name(errno));
		return check_exit("file_locks");
	}
	flocks();
	other = open_file(O_RDWR);
	posix_splits(rw, other);
	ranges(rw, other);
	ofd(rw, other);
	closing(rw);
	errors(rw);
	close(rw);
	unlink(path);
	return check_exit("file_locks");
}
