// SPDX-License-Identifier: Apache-2.0
/*
 * preadv2 and pwritev2 (fs/read_write.c): offset -1 is the file position,
 * which moves; any other offset leaves it alone; other negative offsets are
 * EINVAL before the fd is looked at. The file is judged first (EBADF for its
 * access mode, EISDIR for a directory), then the vector (EINVAL, EFAULT),
 * then, when there is something to move, the flags: unknown ones are
 * EOPNOTSUPP. RWF_APPEND writes at the end; RWF_NOAPPEND (Linux 6.9) where
 * asked even on an O_APPEND file. preadv and pwritev never move the
 * position, and every negative offset is EINVAL for them.
 *
 * Usage: file_rw2 [rwf-6.9] SCRATCH_DIR
 *   rwf-6.9: the kernel knows the flags of Linux 6.9 and no later ones
 *   (RWF_ATOMIC, RWF_DONTCACHE, RWF_NOSIGNAL are EOPNOTSUPP), as umbra does.
 */
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define BAD_PTR bad_address()
#define KERNEL_PTR ((char *)bad_address() - 4096 - 8) /* the top page */
#define RWF_UNKNOWN 0x80000000 /* no kernel has it */
#ifndef RWF_NOAPPEND
#define RWF_NOAPPEND 0x00000020 /* include/uapi/linux/fs.h, Linux 6.9; older headers lack it */
#endif

static char path[PATH_MAX];

static long lseek_cur(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

/* Reads len bytes at off (-1: the position) and compares them. */
static void expect_read(const char *what, int fd, off_t off, const char *want)
{
	char buf[64] = { 0 };
	struct iovec v[2] = { { buf, 3 }, { buf + 3, sizeof buf - 4 } };
	long n = preadv2(fd, v, 2, off, 0);

	if (check_long(what, (long)strlen(want), n) && memcmp(buf, want, strlen(want)))
		fail("%s: expected \"%s\" got \"%.*s\"", what, want, (int)n, buf);
}

static void positions(int fd)
{
	struct iovec v[2] = { { "hello ", 6 }, { "world", 5 } };

	check_long("pwritev2 at the position", 11, pwritev2(fd, v, 2, -1, 0));
	check_long("the position moved", 11, lseek_cur(fd));
	check_long("pwritev2 at 0", 6, pwritev2(fd, v, 1, 0, 0));
	check_long("an offset leaves the position", 11, lseek_cur(fd));
	expect_read("preadv2 at 6", fd, 6, "world");
	check_long("preadv2 at an offset leaves the position", 11, lseek_cur(fd));
	expect_read("preadv2 at the end", fd, -1, "");
	lseek(fd, 0, SEEK_SET);
	expect_read("preadv2 at the position", fd, -1, "hello world");
	check_long("the read moved the position", 11, lseek_cur(fd));
	expect_read("preadv2 past the end", fd, 100, "");
}

/* preadv/pwritev(fd, vec, vlen, pos_l, pos_h), raw. */
static void without_flags(int fd)
{
	struct iovec w[2] = { { "HELLO", 5 }, { " WORLD", 6 } };
	char buf[16] = { 0 };
	struct iovec r[2] = { { buf, 2 }, { buf + 2, 3 } };

	lseek(fd, 3, SEEK_SET);
	check_long("pwritev at 0", 11, syscall(SYS_pwritev, fd, w, 2, 0L, 0L));
	check_long("preadv at 6", 5, syscall(SYS_preadv, fd, r, 2, 6L, 0L));
	if (strcmp(buf, "WORLD"))
		fail("preadv at 6: expected \"WORLD\" got \"%s\"", buf);
	check_long("neither moved the position", 3, lseek_cur(fd));
	CHECK_ERRNO("preadv at -1", syscall(SYS_preadv, fd, r, 2, -1L, -1L), EINVAL);
	CHECK_ERRNO("pwritev at -1", syscall(SYS_pwritev, fd, w, 2, -1L, -1L), EINVAL);
	check_long("pwritev back", 11, syscall(SYS_pwritev, fd, (struct iovec[]){ { "hello world", 11 } },
						1, 0L, 0L));
	lseek(fd, 11, SEEK_SET);
}

static void flags(int fd)
{
	struct iovec v = { "!", 1 };
	char buf[4];
	struct iovec r = { buf, sizeof buf };
	long n;

	check_long("RWF_DSYNC", 1, pwritev2(fd, &v, 1, 11, RWF_DSYNC));
	check_long("RWF_SYNC", 1, pwritev2(fd, &v, 1, 12, RWF_SYNC));
	check_long("RWF_HIPRI read", 4, preadv2(fd, &r, 1, 0, RWF_HIPRI));
	n = preadv2(fd, &r, 1, 0, RWF_NOWAIT);
	/* File systems without IOCB_NOWAIT support (ramfs) refuse the flag. */
	if (n != 4 && !(n == -1 && (errno == EAGAIN || errno == EOPNOTSUPP)))
		fail("RWF_NOWAIT read of cached data: expected 4, EAGAIN or EOPNOTSUPP got %ld (%s)",
		     n, err_name(errno));
	check_long("RWF_APPEND", 1, pwritev2(fd, &v, 1, 0, RWF_APPEND));
	expect_read("RWF_APPEND wrote at the end", fd, 0, "hello world!!!");
	CHECK_ERRNO("unknown flag, read", preadv2(fd, &r, 1, 0, RWF_UNKNOWN), EOPNOTSUPP);
	CHECK_ERRNO("unknown flag, write", pwritev2(fd, &v, 1, 0, RWF_UNKNOWN), EOPNOTSUPP);
	check_long("unknown flag, nothing to move", 0, preadv2(fd, &r, 0, 0, RWF_UNKNOWN));
	check_long("unknown flag, zero lengths", 0,
		   pwritev2(fd, &(struct iovec){ "x", 0 }, 1, 0, RWF_UNKNOWN));
	expect_read("unknown flags wrote nothing", fd, 0, "hello world!!!");
}

static void noappend(void)
{
	int fd = open(path, O_WRONLY | O_APPEND);
	struct iovec v = { "J", 1 };
	long n = pwritev2(fd, &v, 1, 0, RWF_NOAPPEND);
	int rd = open(path, O_RDONLY);

	if (n == -1 && errno == EOPNOTSUPP) {
		note("RWF_NOAPPEND: EOPNOTSUPP (a kernel before 6.9)");
	} else {
		check_long("RWF_NOAPPEND on an O_APPEND file", 1, n);
		expect_read("RWF_NOAPPEND wrote at 0", rd, 0, "Jello world!!!");
	}
	check_long("pwritev2 of an O_APPEND file without the flag", 1, pwritev2(fd, &v, 1, 0, 0));
	expect_read("O_APPEND wrote at the end", rd, 11, "!!!J");
	close(fd);
	close(rd);
}

static void later_flags(int fd)
{
	char buf[4];
	struct iovec r = { buf, sizeof buf }, w = { "x", 1 };

	CHECK_ERRNO("RWF_ATOMIC", pwritev2(fd, &w, 1, 0, 0x40), EOPNOTSUPP);
	CHECK_ERRNO("RWF_DONTCACHE", preadv2(fd, &r, 1, 0, 0x80), EOPNOTSUPP);
	CHECK_ERRNO("RWF_NOSIGNAL", pwritev2(fd, &w, 1, 0, 0x100), EOPNOTSUPP);
}

static void errors(int fd, const char *dir)
{
	char buf[4];
	struct iovec r = { buf, sizeof buf }, w = { "x", 1 }, big[1025];
	int rd = open(path, O_RDONLY), wr = open(path, O_WRONLY), d = open(dir, O_RDONLY);
	long n;

	for (int i = 0; i < 1025; i++)
		big[i] = r;
	CHECK_ERRNO("offset -2", preadv2(fd, &r, 1, -2, 0), EINVAL);
	CHECK_ERRNO("offset -2 of a closed fd", pwritev2(-1, &w, 1, -2, 0), EINVAL);
	CHECK_ERRNO("a closed fd", preadv2(-1, &r, 1, 0, 0), EBADF);
	CHECK_ERRNO("a closed fd at the position", pwritev2(999, &w, 1, -1, 0), EBADF);
	CHECK_ERRNO("reading a write-only fd", preadv2(wr, &r, 1, 0, 0), EBADF);
	CHECK_ERRNO("writing a read-only fd", pwritev2(rd, &w, 1, 0, 0), EBADF);
	/* Linux 6.6 and later judge the access mode first (EBADF); 6.1 read
	 * the vector first (EFAULT). umbra is the newer kernel. */
	n = pwritev2(rd, BAD_PTR, 1, 0, 0);
	if (!(n == -1 && (errno == EBADF || (errno == EFAULT && !under_umbra()))))
		fail("the access mode before the vector: expected EBADF got %ld (%s)", n,
		     err_name(errno));
	CHECK_ERRNO("the access mode before the flags", preadv2(wr, &r, 1, 0, RWF_UNKNOWN), EBADF);
	CHECK_ERRNO("a bad vector", preadv2(fd, BAD_PTR, 1, 0, 0), EFAULT);
	CHECK_ERRNO("the vector before the flags", preadv2(fd, BAD_PTR, 1, 0, RWF_UNKNOWN), EFAULT);
	CHECK_ERRNO("a bad buffer", pwritev2(fd, &(struct iovec){ BAD_PTR, 4 }, 1, 0, 0), EFAULT);
	CHECK_ERRNO("1025 iovecs", preadv2(fd, big, 1025, 0, 0), EINVAL);
	CHECK_ERRNO("a length past user space",
		    preadv2(fd, (struct iovec[]){ { buf, SSIZE_MAX }, { buf, 1 } }, 2, 0, 0), EFAULT);
	CHECK_ERRNO("a negative length after a bad segment",
		    preadv2(fd, (struct iovec[]){ { KERNEL_PTR, 1 }, { buf, (size_t)SSIZE_MAX + 1 } },
			    2, 0, 0), EINVAL);
	CHECK_ERRNO("a kernel address after a good segment",
		    pwritev2(fd, (struct iovec[]){ { "x", 1 }, { KERNEL_PTR, 1 } }, 2, 0, 0), EFAULT);
	CHECK_ERRNO("readv: a kernel address after a good segment",
		    readv(fd, (struct iovec[]){ { buf, 1 }, { KERNEL_PTR, 1 } }, 2), EFAULT);
	check_long("1024 iovecs read the file", 15, preadv2(fd, big, 1024, 0, 0));
	CHECK_ERRNO("a directory", preadv2(d, &r, 1, 0, 0), EISDIR);
	CHECK_ERRNO("a directory at the position", preadv2(d, &r, 1, -1, 0), EISDIR);
	check_long("a directory, empty vector", 0, preadv2(d, &r, 0, 0, 0));
	check_long("readv of a directory, empty vector", 0, readv(d, &r, 0));
	close(rd);
	close(wr);
	close(d);
}

int main(int argc, char **argv)
{
	int fd;

	if (argc != 2 && !(argc == 3 && !strcmp(argv[1], "rwf-6.9"))) {
		fprintf(stderr, "usage: file_rw2 [rwf-6.9] SCRATCH_DIR\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/rw2", argv[argc - 1]);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		fail("create %s: errno %s", path, err_name(errno));
		return check_exit("file_rw2");
	}
	positions(fd);
	without_flags(fd);
	flags(fd);
	noappend();
	if (argc == 3)
		later_flags(fd);
	errors(fd, argv[argc - 1]);
	close(fd);
	unlink(path);
	return check_exit("file_rw2");
}
