// SPDX-License-Identifier: Apache-2.0
/*
 * sync, syncfs and readahead (fs/sync.c, mm/readahead.c), and the old
 * timeval calls utimes and futimesat (fs/utimes.c, x86_64 only):
 * - sync always succeeds; syncfs of an open file succeeds, of no file is
 *   EBADF;
 * - readahead of a regular file open for reading succeeds; of a file open
 *   for writing only, or of no file, is EBADF; of a pipe is EINVAL;
 * - utimes sets both times to the microsecond, NULL to now; a tv_usec
 *   outside [0, 1000000) is EINVAL; futimesat takes a path relative to a
 *   directory fd, or the fd's own file without a path.
 *
 * Usage: file_sync SCRATCH_DIR
 */
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void syncs(int fd)
{
	check_long("sync", 0, syscall(SYS_sync));
	check_long("syncfs of a file", 0, syscall(SYS_syncfs, fd));
	CHECK_ERRNO("syncfs of no file", syscall(SYS_syncfs, -1), EBADF);
	CHECK_ERRNO("syncfs of a closed fd", syscall(SYS_syncfs, 900), EBADF);
}

static void readaheads(const char *path)
{
	int rd = open(path, O_RDONLY), wr = open(path, O_WRONLY), p[2];

	check_long("readahead", 0, syscall(SYS_readahead, rd, 0L, 65536L));
	check_long("readahead past the end", 0, syscall(SYS_readahead, rd, 1L << 30, 4096L));
	CHECK_ERRNO("readahead of a file open for writing", syscall(SYS_readahead, wr, 0L, 4096L),
		    EBADF);
	CHECK_ERRNO("readahead of no file", syscall(SYS_readahead, -1, 0L, 4096L), EBADF);
	if (CHECK_OK("pipe", pipe(p))) {
		CHECK_ERRNO("readahead of a pipe", syscall(SYS_readahead, p[0], 0L, 4096L), EINVAL);
		close(p[0]);
		close(p[1]);
	}
	close(rd);
	close(wr);
}

#ifdef SYS_utimes
static void check_times(const char *what, const char *path, long sec, long usec)
{
	struct stat st;

	if (!CHECK_OK(what, stat(path, &st)))
		return;
	check_long(what, sec, st.st_atim.tv_sec);
	check_long(what, usec * 1000, st.st_atim.tv_nsec);
	check_long(what, sec + 1, st.st_mtim.tv_sec);
	check_long(what, usec * 1000 + 1000, st.st_mtim.tv_nsec);
}

static void timevals(const char *dir, const char *path)
{
	struct timeval tv[2] = { { 1000000000, 250 }, { 1000000001, 251 } };
	struct stat st;
	time_t before = time(NULL);
	int d = open(dir, O_RDONLY | O_DIRECTORY), fd = open(path, O_RDONLY);

	check_long("utimes", 0, syscall(SYS_utimes, path, tv));
	check_times("utimes set both times", path, 1000000000, 250);
	check_long("utimes(NULL)", 0, syscall(SYS_utimes, path, NULL));
	if (CHECK_OK("stat", stat(path, &st)))
		check_true("utimes(NULL) is now", st.st_mtim.tv_sec >= before);
	tv[1].tv_usec = 1000000;
	CHECK_ERRNO("utimes with tv_usec 1000000", syscall(SYS_utimes, path, tv), EINVAL);
	tv[1].tv_usec = -1;
	CHECK_ERRNO("utimes with tv_usec -1", syscall(SYS_utimes, path, tv), EINVAL);
	tv[1].tv_usec = 251;
	check_long("futimesat relative to a directory", 0,
		   syscall(SYS_futimesat, d, "synced", tv));
	check_times("futimesat set both times", path, 1000000000, 250);
	tv[0].tv_usec = tv[1].tv_usec = 7;
	tv[1].tv_usec = 8;
	check_long("futimesat of the fd's own file", 0, syscall(SYS_futimesat, fd, NULL, tv));
	check_times("futimesat(fd, NULL) set both times", path, 1000000000, 7);
	CHECK_ERRNO("utimes of no file", syscall(SYS_utimes, "/nonexistent/x", tv), ENOENT);
	CHECK_ERRNO("utimes with a bad pointer", syscall(SYS_utimes, path, bad_address()), EFAULT);
	close(d);
	close(fd);
}
#endif

int main(int argc, char **argv)
{
	char path[PATH_MAX];
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: file_sync SCRATCH_DIR\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/synced", argv[1]);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (!CHECK_OK("create", fd))
		return check_exit("file_sync");
	check_long("write", 5, write(fd, "hello", 5));
	syncs(fd);
	readaheads(path);
#ifdef SYS_utimes
	timevals(argv[1], path);
#endif
	close(fd);
	return check_exit("file_sync");
}
