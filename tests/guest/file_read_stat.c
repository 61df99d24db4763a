// SPDX-License-Identifier: Apache-2.0
/*
 * Reading the fixture's files and asking about them: read, pread64, readv
 * return exactly the contents and move the offset as read(2), pread(2) and
 * readv(2) say; lseek(2) with every whence; fstat, stat, lstat, newfstatat
 * and statx agree on one file; readlink(2) truncates and never
 * NUL-terminates; access(2) and faccessat2 as root (X_OK needs an x bit).
 *
 * Usage: file_read_stat FIXTURE
 */
#include "fixture.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

static int open_fx(const char *rel, int flags)
{
	int fd = open(fx(rel), flags);

	if (fd < 0)
		fail("open(%s): expected an fd got -1 (errno %s)", rel,
		     err_name(errno));
	return fd;
}

static void check_bytes(const char *what, const void *want, const void *got,
			size_t len)
{
	const unsigned char *w = want, *g = got;
	size_t i;

	for (i = 0; i < len; i++) {
		if (w[i] != g[i]) {
			fail("%s: byte %zu: expected %#x got %#x", what, i, w[i],
			     g[i]);
			return;
		}
	}
}

static long offset_of(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

static void reads(void)
{
	static unsigned char big[FIX_BIG_SIZE + 4096];
	static const size_t chunks[] = { 1, 4095, 4097, 65536, 65537, 7 };
	char buf[128];
	unsigned long off;
	ssize_t n;
	size_t i;
	int fd;

	fd = open_fx("small.txt", O_RDONLY);
	if (fd >= 0) {
		check_long("read(small.txt, 0)", 0, read(fd, buf, 0));
		n = read(fd, buf, sizeof(buf));
		if (check_long("read(small.txt)", strlen(FIX_SMALL), n))
			check_bytes("read(small.txt)", FIX_SMALL, buf, n);
		check_long("read at EOF", 0, read(fd, buf, sizeof(buf)));
		check_long("read at EOF again", 0, read(fd, buf, sizeof(buf)));
		check_long("offset after EOF reads", strlen(FIX_SMALL),
			   offset_of(fd));
		/* At EOF nothing is copied, so nothing faults. */
		check_long("read into (void *)1 at EOF", 0,
			   syscall(SYS_read, fd, 1L, 16L));
		lseek(fd, 0, SEEK_SET);
		CHECK_ERRNO("read into (void *)1",
			    syscall(SYS_read, fd, 1L, 16L), EFAULT);
		close(fd);
		CHECK_ERRNO("read on a closed fd", read(fd, buf, 1), EBADF);
	}

	/* A regular file gives all that is asked for, up to EOF, at once. */
	fd = open_fx("big.bin", O_RDONLY);
	if (fd >= 0) {
		memset(big, 0xee, sizeof(big));
		n = read(fd, big, sizeof(big));
		if (check_long("read(big.bin) whole", FIX_BIG_SIZE, n))
			check_big("read(big.bin) whole", big, 0, n);
		check_long("read(big.bin) at EOF", 0, read(fd, big, 1));
		check_long("lseek(big.bin, 0)", 0, lseek(fd, 0, SEEK_SET));
		off = 0;
		for (i = 0; off < FIX_BIG_SIZE; i++) {
			size_t want = chunks[i % 6];

			if (want > FIX_BIG_SIZE - off)
				want = FIX_BIG_SIZE - off;
			n = read(fd, big, chunks[i % 6]);
			if (!check_long("read(big.bin) chunk", want, n))
				break;
			check_big("read(big.bin) chunk", big, off, n);
			off += n;
		}
		close(fd);
	}

	fd = open_fx("empty", O_RDONLY);
	if (fd >= 0) {
		check_long("read(empty)", 0, read(fd, buf, sizeof(buf)));
		close(fd);
	}
	fd = open_fx("sub", O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		CHECK_ERRNO("read(directory)", read(fd, buf, 1), EISDIR);
		CHECK_ERRNO("pread(directory)", pread(fd, buf, 1, 0), EISDIR);
		close(fd);
	}
	fd = open_fx("small.txt", O_PATH);
	if (fd >= 0) {
		CHECK_ERRNO("read(O_PATH fd)", read(fd, buf, 1), EBADF);
		CHECK_ERRNO("pread(O_PATH fd)", pread(fd, buf, 1, 0), EBADF);
		close(fd);
	}
	/* Root reads whatever the mode says. */
	if (geteuid() == 0) {
		fd = open_fx("mode0000", O_RDONLY);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf));
			if (check_long("read(mode0000) as root",
				       strlen(FIX_SECRET), n))
				check_bytes("read(mode0000)", FIX_SECRET, buf, n);
			close(fd);
		}
	}
}

/* A read that runs into an unmapped page copies what fits, then stops. */
static void partial_fault(void)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *map;
	ssize_t n;
	int fd;

	fd = open_fx("big.bin", O_RDONLY);
	if (fd < 0)
		return;
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (check_true("mmap two pages", map != MAP_FAILED) &&
	    check_ok("munmap the second page", munmap(map + page, page),
		     errno)) {
		n = read(fd, map + page - 100, 300);
		if (check_long("read 300 bytes into 100 mapped ones", 100, n))
			check_big("read into 100 mapped bytes", map + page - 100,
				  0, 100);
		check_long("offset after the partial read", 100, offset_of(fd));
		CHECK_ERRNO("pread into an unmapped page",
			    pread(fd, map + page, 10, 0), EFAULT);
		check_long("offset after EFAULT", 100, offset_of(fd));
		munmap(map, page);
	}
	close(fd);
}

static void preads(void)
{
	static unsigned char big[8192];
	char buf[64];
	ssize_t n;
	int fd;

	fd = open_fx("alpha.txt", O_RDONLY);
	if (fd < 0)
		return;
	check_long("read 3 before pread", 3, read(fd, buf, 3));
	n = pread(fd, buf, 10, 5);
	if (check_long("pread(alpha, 10, 5)", 10, n))
		check_bytes("pread(alpha, 10, 5)", FIX_ALPHA + 5, buf, 10);
	check_long("pread leaves the offset", 3, offset_of(fd));
	n = pread(fd, buf, sizeof(buf), 30);
	if (check_long("pread past EOF is short", 6, n))
		check_bytes("pread(alpha, 64, 30)", FIX_ALPHA + 30, buf, 6);
	check_long("pread at EOF", 0, pread(fd, buf, sizeof(buf), 36));
	check_long("pread beyond EOF", 0, pread(fd, buf, sizeof(buf), 1 << 20));
	CHECK_ERRNO("pread at offset -1", pread(fd, buf, 1, -1), EINVAL);
	check_long("read after pread continues at 3", 3, read(fd, buf, 3));
	check_bytes("read after pread", FIX_ALPHA + 3, buf, 3);
	close(fd);

	fd = open_fx("big.bin", O_RDONLY);
	if (fd < 0)
		return;
	n = pread(fd, big, sizeof(big), 65536 - 4000);
	if (check_long("pread across 64 KiB", sizeof(big), n))
		check_big("pread across 64 KiB", big, 65536 - 4000, n);
	n = pread(fd, big, sizeof(big), FIX_BIG_SIZE - 100);
	if (check_long("pread of the last 100 bytes", 100, n))
		check_big("pread of the last 100 bytes", big,
			  FIX_BIG_SIZE - 100, n);
	check_long("offset after preads", 0, offset_of(fd));
	close(fd);
}

static void readvs(void)
{
	char a[5], b[10], c[100], d[1];
	struct iovec iov[4] = {
		{ a, sizeof(a) }, { d, 0 }, { b, sizeof(b) }, { c, sizeof(c) },
	};
	struct iovec many[1025];
	ssize_t n;
	int fd, i;

	fd = open_fx("alpha.txt", O_RDONLY);
	if (fd < 0)
		return;
	n = readv(fd, iov, 4);
	if (check_long("readv(5, 0, 10, 100)", 36, n)) {
		check_bytes("readv first iovec", FIX_ALPHA, a, 5);
		check_bytes("readv third iovec", FIX_ALPHA + 5, b, 10);
		check_bytes("readv fourth iovec", FIX_ALPHA + 15, c, 21);
	}
	check_long("offset after readv", 36, offset_of(fd));
	check_long("readv at EOF", 0, readv(fd, iov, 4));
	check_long("readv of 0 iovecs", 0, readv(fd, iov, 0));

	lseek(fd, 30, SEEK_SET);
	n = readv(fd, iov + 2, 2);
	if (check_long("readv(10, 100) at 30", 6, n))
		check_bytes("readv(10, 100) at 30", FIX_ALPHA + 30, b, 6);

	/* UIO_MAXIV is 1024 (uio.h). */
	for (i = 0; i < 1025; i++) {
		many[i].iov_base = c;
		many[i].iov_len = 1;
	}
	lseek(fd, 0, SEEK_SET);
	CHECK_ERRNO("readv of 1025 iovecs", readv(fd, many, 1025), EINVAL);
	CHECK_ERRNO("readv of -1 iovecs", syscall(SYS_readv, fd, many, -1L),
		    EINVAL);
	n = readv(fd, many, 1024);
	check_long("readv of 1024 one-byte iovecs", 36, n);
	check_long("readv of 1024 iovecs, last byte", 'z', c[0]);
	lseek(fd, 0, SEEK_SET);
	many[0].iov_len = (size_t)-1;
	CHECK_ERRNO("readv of a negative length", readv(fd, many, 2), EINVAL);
	CHECK_ERRNO("readv of an iovec at (void *)1",
		    syscall(SYS_readv, fd, 1L, 2L), EFAULT);
	check_long("offset after failed readvs", 0, offset_of(fd));
	close(fd);
}

static void seeks(void)
{
	char buf[8];
	int fd;

	fd = open_fx("alpha.txt", O_RDONLY);
	if (fd < 0)
		return;
	check_long("SEEK_SET 10", 10, lseek(fd, 10, SEEK_SET));
	check_long("read 3 at 10", 3, read(fd, buf, 3));
	check_bytes("read 3 at 10", "abc", buf, 3);
	check_long("SEEK_CUR -5", 8, lseek(fd, -5, SEEK_CUR));
	check_long("SEEK_CUR 0", 8, lseek(fd, 0, SEEK_CUR));
	check_long("SEEK_END 0", 36, lseek(fd, 0, SEEK_END));
	check_long("SEEK_END -6", 30, lseek(fd, -6, SEEK_END));
	check_long("read 6 at 30", 6, read(fd, buf, 8));
	check_bytes("read 6 at 30", "uvwxyz", buf, 6);
	check_long("SEEK_END +100", 136, lseek(fd, 100, SEEK_END));
	check_long("read beyond EOF", 0, read(fd, buf, 8));
	check_long("SEEK_SET 1 TiB", 1L << 40, lseek(fd, 1L << 40, SEEK_SET));
	check_long("SEEK_SET 7", 7, lseek(fd, 7, SEEK_SET));
	CHECK_ERRNO("SEEK_SET -1", lseek(fd, -1, SEEK_SET), EINVAL);
	CHECK_ERRNO("SEEK_CUR to -1", lseek(fd, -8, SEEK_CUR), EINVAL);
	CHECK_ERRNO("SEEK_END to -1", lseek(fd, -37, SEEK_END), EINVAL);
	CHECK_ERRNO("whence 5", lseek(fd, 0, 5), EINVAL);
	CHECK_ERRNO("whence -1", lseek(fd, 0, -1), EINVAL);
	check_long("offset after failed lseeks", 7, offset_of(fd));
	/* A file without holes is data up to EOF, then one hole at EOF. */
	check_long("SEEK_DATA 5", 5, lseek(fd, 5, SEEK_DATA));
	check_long("SEEK_HOLE 5", 36, lseek(fd, 5, SEEK_HOLE));
	CHECK_ERRNO("SEEK_DATA at EOF", lseek(fd, 36, SEEK_DATA), ENXIO);
	CHECK_ERRNO("SEEK_HOLE past EOF", lseek(fd, 37, SEEK_HOLE), ENXIO);
	close(fd);
	CHECK_ERRNO("lseek on a closed fd", lseek(fd, 0, SEEK_SET), EBADF);

	fd = open_fx("empty", O_RDONLY);
	if (fd >= 0) {
		CHECK_ERRNO("SEEK_DATA in an empty file", lseek(fd, 0, SEEK_DATA),
			    ENXIO);
		check_long("SEEK_END of an empty file", 0, lseek(fd, 0, SEEK_END));
		close(fd);
	}
	fd = open_fx("small.txt", O_PATH);
	if (fd >= 0) {
		CHECK_ERRNO("lseek on an O_PATH fd", lseek(fd, 0, SEEK_SET),
			    EBADF);
		close(fd);
	}
}

/* One file's identity and shape, as each stat call reports it. */
static void same_stat(const char *what, const struct stat *want,
		      const struct stat *got)
{
	char w[160];

	snprintf(w, sizeof(w), "%s st_dev", what);
	check_ulong(w, want->st_dev, got->st_dev);
	snprintf(w, sizeof(w), "%s st_ino", what);
	check_ulong(w, want->st_ino, got->st_ino);
	snprintf(w, sizeof(w), "%s st_mode", what);
	check_ulong(w, want->st_mode, got->st_mode);
	snprintf(w, sizeof(w), "%s st_nlink", what);
	check_ulong(w, want->st_nlink, got->st_nlink);
	snprintf(w, sizeof(w), "%s st_uid", what);
	check_ulong(w, want->st_uid, got->st_uid);
	snprintf(w, sizeof(w), "%s st_gid", what);
	check_ulong(w, want->st_gid, got->st_gid);
	snprintf(w, sizeof(w), "%s st_size", what);
	check_long(w, want->st_size, got->st_size);
	snprintf(w, sizeof(w), "%s st_blocks", what);
	check_long(w, want->st_blocks, got->st_blocks);
	snprintf(w, sizeof(w), "%s st_mtim", what);
	check_true(w, want->st_mtim.tv_sec == got->st_mtim.tv_sec &&
		       want->st_mtim.tv_nsec == got->st_mtim.tv_nsec);
}

static void same_statx(const char *what, const struct stat *want,
		       const struct statx *got)
{
	char w[160];

	snprintf(w, sizeof(w), "%s stx_mask has the basic stats", what);
	check_ulong(w, STATX_BASIC_STATS, got->stx_mask & STATX_BASIC_STATS);
	snprintf(w, sizeof(w), "%s stx_dev", what);
	check_ulong(w, want->st_dev,
		    makedev(got->stx_dev_major, got->stx_dev_minor));
	snprintf(w, sizeof(w), "%s stx_ino", what);
	check_ulong(w, want->st_ino, got->stx_ino);
	snprintf(w, sizeof(w), "%s stx_mode", what);
	check_ulong(w, want->st_mode, got->stx_mode);
	snprintf(w, sizeof(w), "%s stx_nlink", what);
	check_ulong(w, want->st_nlink, got->stx_nlink);
	snprintf(w, sizeof(w), "%s stx_uid", what);
	check_ulong(w, want->st_uid, got->stx_uid);
	snprintf(w, sizeof(w), "%s stx_size", what);
	check_long(w, want->st_size, got->stx_size);
	snprintf(w, sizeof(w), "%s stx_blocks", what);
	check_long(w, want->st_blocks, got->stx_blocks);
	snprintf(w, sizeof(w), "%s stx_mtime", what);
	check_true(w, want->st_mtim.tv_sec == got->stx_mtime.tv_sec &&
		       (unsigned long)want->st_mtim.tv_nsec ==
			       got->stx_mtime.tv_nsec);
}

struct stat_case {
	const char *rel;
	mode_t mode;     /* type and permissions after following */
	long size;       /* -1: not checked (directories) */
	unsigned nlink;  /* 0: not checked (directories) */
};

static const struct stat_case stat_cases[] = {
	{ "small.txt", S_IFREG | 0644, 13, 2 },
	{ "hard.txt", S_IFREG | 0644, 13, 2 },
	{ "alpha.txt", S_IFREG | 0644, 36, 1 },
	{ "empty", S_IFREG | 0644, 0, 1 },
	{ "big.bin", S_IFREG | 0644, FIX_BIG_SIZE, 1 },
	{ "exec.sh", S_IFREG | 0755, 17, 1 },
	{ "mode0000", S_IFREG | 0000, 7, 1 },
	{ "sub", S_IFDIR | 0755, -1, 0 },
	{ "rel_small", S_IFREG | 0644, 13, 2 },
	{ "dirlink", S_IFDIR | 0755, -1, 0 },
	{ "chains/l40_01", S_IFREG | 0644, 13, 2 },
	{ "list/fifo", S_IFIFO | 0644, 0, 1 },
};

static void stat_one(const struct stat_case *c)
{
	struct stat st, other;
	struct statx stx;
	char what[160];
	int fd, dfd;

	snprintf(what, sizeof(what), "stat(%s)", c->rel);
	if (!check_ok(what, stat(fx(c->rel), &st), errno))
		return;
	snprintf(what, sizeof(what), "stat(%s) st_mode", c->rel);
	check_ulong(what, c->mode, st.st_mode);
	snprintf(what, sizeof(what), "stat(%s) st_size", c->rel);
	if (c->size >= 0)
		check_long(what, c->size, st.st_size);
	snprintf(what, sizeof(what), "stat(%s) st_nlink", c->rel);
	if (c->nlink)
		check_ulong(what, c->nlink, st.st_nlink);
	snprintf(what, sizeof(what), "stat(%s) st_blksize > 0", c->rel);
	check_true(what, st.st_blksize > 0);

	snprintf(what, sizeof(what), "newfstatat(AT_FDCWD, %s, 0)", c->rel);
	if (check_ok(what, fstatat(AT_FDCWD, fx(c->rel), &other, 0), errno))
		same_stat(what, &st, &other);
	snprintf(what, sizeof(what), "statx(AT_FDCWD, %s)", c->rel);
	if (check_ok(what, statx(AT_FDCWD, fx(c->rel), 0, STATX_BASIC_STATS,
				 &stx), errno))
		same_statx(what, &st, &stx);

	/* A FIFO would block in open(), and only root opens mode0000;
	 * O_PATH does not open for I/O. */
	fd = open(fx(c->rel), S_ISFIFO(st.st_mode) ||
			      (geteuid() != 0 && !(st.st_mode & S_IRUSR)) ?
			      O_PATH : O_RDONLY);
	snprintf(what, sizeof(what), "open(%s)", c->rel);
	if (!check_ok(what, fd, errno))
		return;
	snprintf(what, sizeof(what), "fstat(%s)", c->rel);
	if (check_ok(what, fstat(fd, &other), errno))
		same_stat(what, &st, &other);
	snprintf(what, sizeof(what), "newfstatat(fd of %s, AT_EMPTY_PATH)",
		 c->rel);
	if (check_ok(what, fstatat(fd, "", &other, AT_EMPTY_PATH), errno))
		same_stat(what, &st, &other);
	snprintf(what, sizeof(what), "statx(fd of %s, AT_EMPTY_PATH)", c->rel);
	if (check_ok(what, statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS,
				 &stx), errno))
		same_statx(what, &st, &stx);
	close(fd);

	fd = open(fx(c->rel), O_PATH);
	snprintf(what, sizeof(what), "fstat(O_PATH fd of %s)", c->rel);
	if (check_ok(what, fd, errno) &&
	    check_ok(what, fstat(fd, &other), errno))
		same_stat(what, &st, &other);
	if (fd >= 0)
		close(fd);

	dfd = open(fixture, O_RDONLY | O_DIRECTORY);
	snprintf(what, sizeof(what), "newfstatat(fixture fd, %s)", c->rel);
	if (check_ok(what, dfd, errno) &&
	    check_ok(what, fstatat(dfd, c->rel, &other, 0), errno))
		same_stat(what, &st, &other);
	if (dfd >= 0)
		close(dfd);
}

static void check_lstat(const char *rel, const char *target_end)
{
	struct stat st, other;
	struct statx stx;
	char what[160], buf[PATH_MAX];
	ssize_t n;

	snprintf(what, sizeof(what), "lstat(%s)", rel);
	if (!check_ok(what, lstat(fx(rel), &st), errno))
		return;
	check_ulong(what, S_IFLNK | 0777, st.st_mode);
	n = readlink(fx(rel), buf, sizeof(buf));
	if (check_ok("readlink for lstat", n, errno)) {
		snprintf(what, sizeof(what), "lstat(%s) st_size", rel);
		check_long(what, n, st.st_size);
		snprintf(what, sizeof(what), "readlink(%s) ends", rel);
		check_true(what, (size_t)n >= strlen(target_end) &&
				 memcmp(buf + n - strlen(target_end),
					target_end, strlen(target_end)) == 0);
	}
	snprintf(what, sizeof(what), "newfstatat(%s, AT_SYMLINK_NOFOLLOW)", rel);
	if (check_ok(what, fstatat(AT_FDCWD, fx(rel), &other,
				   AT_SYMLINK_NOFOLLOW), errno))
		same_stat(what, &st, &other);
	snprintf(what, sizeof(what), "statx(%s, AT_SYMLINK_NOFOLLOW)", rel);
	if (check_ok(what, statx(AT_FDCWD, fx(rel), AT_SYMLINK_NOFOLLOW,
				 STATX_BASIC_STATS, &stx), errno))
		same_statx(what, &st, &stx);
}

static void stats(void)
{
	struct stat st, a, b;
	struct statx stx;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(stat_cases) / sizeof(stat_cases[0]); i++)
		stat_one(&stat_cases[i]);

	check_lstat("rel_small", "small.txt");
	check_lstat("abs_small", "/small.txt");
	check_lstat("dirlink", "sub/deep");
	check_lstat("dangling", "does-not-exist");
	check_lstat("loop_a", "loop_b");
	check_lstat("escape", "/small.txt");
	check_lstat("chains/l41_01", "l41_02");
	check_lstat("longsub", "/./sub");
	check_lstat("longsub2", "/./longsub");

	if (check_ok("lstat(small.txt)", lstat(fx("small.txt"), &a), errno) &&
	    check_ok("stat(hard.txt)", stat(fx("hard.txt"), &b), errno)) {
		check_ulong("hard link: same inode", a.st_ino, b.st_ino);
		check_ulong("hard link: same device", a.st_dev, b.st_dev);
	}
	if (check_ok("lstat(dirlink/)", lstat(fx("dirlink/"), &st), errno))
		check_ulong("lstat with a trailing slash follows", S_IFDIR,
			    st.st_mode & S_IFMT);
	if (check_ok("stat(sub/..)", stat(fx("sub/.."), &a), errno) &&
	    check_ok("stat(fixture)", stat(fixture, &b), errno))
		check_ulong("sub/.. is the fixture", b.st_ino, a.st_ino);
	if (check_ok("stat(dirlink/..)", stat(fx("dirlink/.."), &a), errno) &&
	    check_ok("stat(sub)", stat(fx("sub"), &b), errno))
		check_ulong("dirlink/.. is sub", b.st_ino, a.st_ino);

	CHECK_ERRNO("stat(missing)", stat(fx("missing"), &st), ENOENT);
	CHECK_ERRNO("stat(dangling)", stat(fx("dangling"), &st), ENOENT);
	CHECK_ERRNO("stat(loop_a)", stat(fx("loop_a"), &st), ELOOP);
	CHECK_ERRNO("stat(chains/l41_01)", stat(fx("chains/l41_01"), &st),
		    ELOOP);
	CHECK_ERRNO("stat(small.txt/)", stat(fx("small.txt/"), &st), ENOTDIR);
	CHECK_ERRNO("lstat(rel_small/)", lstat(fx("rel_small/"), &st), ENOTDIR);
	CHECK_ERRNO("stat(\"\")", stat("", &st), ENOENT);
	CHECK_ERRNO("newfstatat(\"\", 0)", fstatat(AT_FDCWD, "", &st, 0),
		    ENOENT);
	CHECK_ERRNO("newfstatat(bad flag)",
		    fstatat(AT_FDCWD, fx("small.txt"), &st, 0x1), EINVAL);
	CHECK_ERRNO("newfstatat(-1, \"\", AT_EMPTY_PATH)",
		    fstatat(-1, "", &st, AT_EMPTY_PATH), EBADF);
	CHECK_ERRNO("newfstatat(-1, relative)", fstatat(-1, "x", &st, 0),
		    EBADF);
	CHECK_ERRNO("fstat(-1)", fstat(-1, &st), EBADF);
	CHECK_ERRNO("stat to (void *)1",
		    syscall(SYS_newfstatat, (long)AT_FDCWD, fx("small.txt"),
			    1L, 0L), EFAULT);
	CHECK_ERRNO("stat of (void *)1",
		    syscall(SYS_newfstatat, (long)AT_FDCWD, 1L, &st, 0L),
		    EFAULT);

	CHECK_ERRNO("statx(bad flag)",
		    statx(AT_FDCWD, fx("small.txt"), 0x1, STATX_BASIC_STATS,
			  &stx), EINVAL);
	CHECK_ERRNO("statx(FORCE_SYNC|DONT_SYNC)",
		    statx(AT_FDCWD, fx("small.txt"),
			  AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC,
			  STATX_BASIC_STATS, &stx), EINVAL);
	CHECK_ERRNO("statx(STATX__RESERVED)",
		    statx(AT_FDCWD, fx("small.txt"), 0, STATX__RESERVED, &stx),
		    EINVAL);
	CHECK_ERRNO("statx(missing)",
		    statx(AT_FDCWD, fx("missing"), 0, STATX_BASIC_STATS, &stx),
		    ENOENT);
	CHECK_ERRNO("statx to (void *)1",
		    syscall(SYS_statx, (long)AT_FDCWD, fx("small.txt"), 0L,
			    (long)STATX_BASIC_STATS, 1L), EFAULT);

	fd = open(fx("sub"), O_RDONLY | O_DIRECTORY);
	if (check_ok("open(sub)", fd, errno)) {
		if (check_ok("newfstatat(sub fd, inner.txt)",
			     fstatat(fd, "inner.txt", &st, 0), errno))
			check_long("sub/inner.txt size", strlen(FIX_INNER),
				   st.st_size);
		if (check_ok("statx(sub fd, deep/leaf.txt)",
			     statx(fd, "deep/leaf.txt", 0, STATX_SIZE, &stx),
			     errno))
			check_long("sub/deep/leaf.txt size", strlen(FIX_LEAF),
				   stx.stx_size);
		close(fd);
	}
}

static void readlinks(void)
{
	char buf[PATH_MAX], small[4];
	ssize_t n;
	int dfd, fd;

	memset(buf, 'X', sizeof(buf));
	n = readlink(fx("rel_small"), buf, sizeof(buf));
	if (check_long("readlink(rel_small)", 9, n))
		check_bytes("readlink(rel_small)", "small.txtX", buf, 10);
	memset(small, 'X', sizeof(small));
	n = readlink(fx("rel_small"), small, sizeof(small));
	if (check_long("readlink(rel_small) into 4 bytes", 4, n))
		check_bytes("readlink(rel_small) into 4 bytes", "smal", small, 4);
	n = readlink(fx("dangling"), buf, sizeof(buf));
	if (check_long("readlink(dangling)", 14, n))
		check_bytes("readlink(dangling)", "does-not-exist", buf, 14);
	n = readlink(fx("abs_small"), buf, sizeof(buf));
	if (check_long("readlink(abs_small)", strlen(fx("small.txt")), n))
		check_bytes("readlink(abs_small)", fx("small.txt"), buf, n);
	n = readlink(fx("dirlink/../../rel_inner"), buf, sizeof(buf));
	if (check_long("readlink through a symlinked directory", 13, n))
		check_bytes("readlink(dirlink/../../rel_inner)", "sub/inner.txt",
			    buf, 13);

	CHECK_ERRNO("readlink(file)", readlink(fx("small.txt"), buf, 64),
		    EINVAL);
	CHECK_ERRNO("readlink(directory)", readlink(fx("sub"), buf, 64), EINVAL);
	CHECK_ERRNO("readlink(symlink to a directory, trailing slash)",
		    readlink(fx("dirlink/"), buf, 64), EINVAL);
	CHECK_ERRNO("readlink(missing)", readlink(fx("missing"), buf, 64),
		    ENOENT);
	CHECK_ERRNO("readlink(loop_a/x)", readlink(fx("loop_a/x"), buf, 64),
		    ELOOP);
	CHECK_ERRNO("readlinkat size 0",
		    syscall(SYS_readlinkat, (long)AT_FDCWD, fx("rel_small"),
			    buf, 0L), EINVAL);
	CHECK_ERRNO("readlinkat size -1",
		    syscall(SYS_readlinkat, (long)AT_FDCWD, fx("rel_small"),
			    buf, -1L), EINVAL);
	CHECK_ERRNO("readlinkat to (void *)1",
		    syscall(SYS_readlinkat, (long)AT_FDCWD, fx("rel_small"),
			    1L, 64L), EFAULT);
	CHECK_ERRNO("readlinkat(\"\")", readlinkat(AT_FDCWD, "", buf, 64),
		    ENOENT);

	dfd = open(fixture, O_RDONLY | O_DIRECTORY);
	if (check_ok("open(fixture)", dfd, errno)) {
		n = readlinkat(dfd, "loop_a", buf, sizeof(buf));
		if (check_long("readlinkat(fixture fd, loop_a)", 6, n))
			check_bytes("readlinkat(loop_a)", "loop_b", buf, 6);
		n = readlinkat(dfd, "chains/l41_01", buf, sizeof(buf));
		if (check_long("readlinkat(chains/l41_01)", 6, n))
			check_bytes("readlinkat(chains/l41_01)", "l41_02", buf, 6);
		CHECK_ERRNO("readlinkat(fixture fd, \"\")",
			    readlinkat(dfd, "", buf, 64), ENOENT);
		close(dfd);
	}
	/* An empty path names the fd's own file: ENOENT unless a symlink. */
	fd = open(fx("small.txt"), O_RDONLY);
	if (check_ok("open(small.txt)", fd, errno)) {
		CHECK_ERRNO("readlinkat(file fd, \"\")",
			    readlinkat(fd, "", buf, 64), ENOENT);
		CHECK_ERRNO("readlinkat(file fd, relative)",
			    readlinkat(fd, "x", buf, 64), ENOTDIR);
		close(fd);
	}
	CHECK_ERRNO("readlinkat(-1, relative)",
		    readlinkat(-1, "rel_small", buf, 64), EBADF);
}

static long sys_faccessat2(int dirfd, const char *path, int mode, int flags)
{
	return syscall(SYS_faccessat2, (long)dirfd, path, (long)mode,
		       (long)flags);
}

static void accesses(void)
{
	int dfd;

	check_long("access(small.txt, F_OK)", 0, access(fx("small.txt"), F_OK));
	check_long("access(small.txt, R_OK)", 0, access(fx("small.txt"), R_OK));
	check_long("access(sub, R_OK|X_OK)", 0,
		   access(fx("sub"), R_OK | X_OK));
	check_long("access(exec.sh, X_OK)", 0, access(fx("exec.sh"), X_OK));
	check_long("access(rel_small, R_OK)", 0, access(fx("rel_small"), R_OK));
	CHECK_ERRNO("access(missing)", access(fx("missing"), F_OK), ENOENT);
	CHECK_ERRNO("access(dangling)", access(fx("dangling"), F_OK), ENOENT);
	CHECK_ERRNO("access(loop_a)", access(fx("loop_a"), F_OK), ELOOP);
	CHECK_ERRNO("access(small.txt/)", access(fx("small.txt/"), F_OK),
		    ENOTDIR);
	CHECK_ERRNO("access(mode 8)", access(fx("small.txt"), 8), EINVAL);
	CHECK_ERRNO("access of (void *)1",
		    syscall(SYS_faccessat, (long)AT_FDCWD, 1L, 0L), EFAULT);
	/* Root may read anything, but executes only what has an x bit. */
	if (geteuid() == 0) {
		check_long("access(mode0000, R_OK) as root", 0,
			   access(fx("mode0000"), R_OK));
		CHECK_ERRNO("access(small.txt, X_OK) as root",
			    access(fx("small.txt"), X_OK), EACCES);
		CHECK_ERRNO("access(mode0000, X_OK) as root",
			    access(fx("mode0000"), X_OK), EACCES);
	}

	dfd = open(fixture, O_RDONLY | O_DIRECTORY);
	if (!check_ok("open(fixture)", dfd, errno))
		return;
	check_long("faccessat(fixture fd, small.txt)", 0,
		   syscall(SYS_faccessat, (long)dfd, "small.txt", (long)R_OK));
	CHECK_ERRNO("faccessat(fixture fd, missing)",
		    syscall(SYS_faccessat, (long)dfd, "missing", (long)F_OK),
		    ENOENT);
	CHECK_ERRNO("faccessat(-1, relative)",
		    syscall(SYS_faccessat, -1L, "small.txt", (long)F_OK), EBADF);
	check_long("faccessat2(dangling, AT_SYMLINK_NOFOLLOW)", 0,
		   sys_faccessat2(dfd, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
	CHECK_ERRNO("faccessat2(dangling, 0)",
		    sys_faccessat2(dfd, "dangling", F_OK, 0), ENOENT);
	check_long("faccessat2(AT_EACCESS)", 0,
		   sys_faccessat2(dfd, "small.txt", R_OK, AT_EACCESS));
	check_long("faccessat2(fd, \"\", AT_EMPTY_PATH)", 0,
		   sys_faccessat2(dfd, "", X_OK, AT_EMPTY_PATH));
	CHECK_ERRNO("faccessat2(fd, \"\", 0)", sys_faccessat2(dfd, "", F_OK, 0),
		    ENOENT);
	CHECK_ERRNO("faccessat2(bad flag)",
		    sys_faccessat2(dfd, "small.txt", F_OK, 0x1), EINVAL);
	close(dfd);
}

int main(int argc, char **argv)
{
	fixture_init(argc, argv, "file_read_stat");
	reads();
	partial_fault();
	preads();
	readvs();
	seeks();
	stats();
	readlinks();
	accesses();
	printf("file_read_stat: done\n");
	return check_exit("file_read_stat");
}
