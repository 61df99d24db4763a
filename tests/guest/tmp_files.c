// SPDX-License-Identifier: Apache-2.0
/*
 * Regular files in a writable directory: creation with the umask applied,
 * O_EXCL and O_TRUNC (open(2)); read, write, pread, pwrite and lseek,
 * SEEK_HOLE and SEEK_DATA (lseek(2)); O_APPEND, where even pwrite appends
 * (pwrite(2), BUGS); truncate and ftruncate both ways, the grown part
 * reading as zeros (truncate(2)); fallocate with mode 0, KEEP_SIZE and
 * PUNCH_HOLE (fallocate(2)); fsync and fdatasync; fstat's size, blocks,
 * nlink, mode and owner; utimensat with UTIME_NOW, UTIME_OMIT, explicit
 * times and AT_SYMLINK_NOFOLLOW (utimensat(2)); fchmod and fchmodat; an
 * unlinked file that is still open keeps its data, with nlink 0.
 *
 * Usage: tmp_files [DIRECTORY]   (the temporary directory goes under it,
 *                                 /tmp by default)
 */
#include "tmpdir.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Big enough for any file here. */
static unsigned char buf[1 << 18];

/* Opens (creating) name or fails the check; returns the fd or -1. */
static int open_new(const char *name, int flags, mode_t mode)
{
	int fd = open(name, flags | O_CREAT, mode);

	if (fd < 0)
		fail("open(%s, O_CREAT): expected an fd got -1 (errno %s)",
		     name, err_name(errno));
	return fd;
}

static int write_all(const char *what, int fd, const void *p, size_t len)
{
	return check_long(what, (long)len, write(fd, p, len));
}

/* len bytes of fd from off must be want. */
static void check_pread(const char *what, int fd, off_t off, const void *want,
			size_t len)
{
	size_t i;

	if (!check_long(what, (long)len, pread(fd, buf, len, off)))
		return;
	for (i = 0; i < len; i++) {
		if (buf[i] != ((const unsigned char *)want)[i]) {
			fail("%s: byte at %ld: expected %#x got %#x", what,
			     (long)off + (long)i,
			     ((const unsigned char *)want)[i], buf[i]);
			return;
		}
	}
}

/* len bytes of fd from off must all be c. */
static void check_fill(const char *what, int fd, off_t off, int c, size_t len)
{
	size_t i;

	if (!check_long(what, (long)len, pread(fd, buf, len, off)))
		return;
	for (i = 0; i < len; i++) {
		if (buf[i] != (unsigned char)c) {
			fail("%s: byte at %ld: expected %#x got %#x", what,
			     (long)off + (long)i, c, buf[i]);
			return;
		}
	}
}

static long fd_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : (long)st.st_size;
}

static long path_size(const char *name)
{
	struct stat st;

	return stat(name, &st) ? -1 : (long)st.st_size;
}

static void create_and_excl(void)
{
	struct stat st;
	int fd;

	umask(022);
	fd = open_new("f", O_RDWR | O_EXCL, 0666);
	if (fd < 0)
		return;
	if (CHECK_OK("fstat(new file)", fstat(fd, &st))) {
		check_ulong("new file's mode under umask 022",
			    S_IFREG | 0644, st.st_mode);
		check_long("new file's size", 0, st.st_size);
		check_long("new file's blocks", 0, st.st_blocks);
		check_long("new file's nlink", 1, st.st_nlink);
		check_long("new file's uid", geteuid(), st.st_uid);
		check_long("new file's gid", getegid(), st.st_gid);
		check_true("new file's st_blksize > 0", st.st_blksize > 0);
	}
	write_all("write(f, 11 bytes)", fd, "hello world", 11);
	close(fd);

	CHECK_ERRNO("O_CREAT|O_EXCL of an existing file",
		    open("f", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
	/* O_EXCL does not follow a symlink, even a dangling one. */
	if (CHECK_OK("symlink(nowhere, dangling)", symlink("nowhere", "dangling")))
		CHECK_ERRNO("O_CREAT|O_EXCL of a dangling symlink",
			    open("dangling", O_RDWR | O_CREAT | O_EXCL, 0644),
			    EEXIST);
	CHECK_ERRNO("stat(nowhere) after O_EXCL", path_size("nowhere"), ENOENT);

	/* O_CREAT without O_EXCL opens the file as it is. */
	fd = open_new("f", O_RDONLY, 0600);
	if (fd >= 0) {
		check_pread("O_CREAT of an existing file keeps it", fd, 0,
			    "hello world", 11);
		fstat(fd, &st);
		check_ulong("O_CREAT of an existing file keeps the mode",
			    S_IFREG | 0644, st.st_mode);
		close(fd);
	}
	fd = open("f", O_WRONLY | O_TRUNC);
	if (CHECK_OK("open(f, O_TRUNC)", fd)) {
		check_long("size after O_TRUNC", 0, fd_size(fd));
		close(fd);
	}
	fd = creat("c", 0640);
	if (CHECK_OK("creat(c, 0640)", fd)) {
		check_long("creat's fd is write-only", O_WRONLY,
			   fcntl(fd, F_GETFL) & O_ACCMODE);
		close(fd);
	}

	umask(077);
	fd = open_new("u077", O_RDWR, 0666);
	if (fd >= 0 && CHECK_OK("fstat(u077)", fstat(fd, &st)))
		check_ulong("mode 0666 under umask 077", S_IFREG | 0600,
			    st.st_mode);
	close(fd);
	umask(0);
	fd = open_new("u000", O_RDWR, 04777);
	if (fd >= 0 && CHECK_OK("fstat(u000)", fstat(fd, &st)))
		check_ulong("mode 04777 under umask 0", S_IFREG | 04777,
			    st.st_mode);
	close(fd);
	umask(022);

	CHECK_ERRNO("O_CREAT in a missing directory",
		    open("missing/x", O_RDWR | O_CREAT, 0644), ENOENT);
	CHECK_ERRNO("O_CREAT under a file", open("f/x", O_RDWR | O_CREAT, 0644),
		    ENOTDIR);
	CHECK_ERRNO("O_CREAT with a trailing slash",
		    open("newdir/", O_RDWR | O_CREAT, 0644), EISDIR);
	CHECK_ERRNO("O_CREAT of \".\"", open(".", O_RDWR | O_CREAT, 0644),
		    EISDIR);
	CHECK_ERRNO("O_CREAT|O_DIRECTORY", open("newdir", O_RDONLY | O_CREAT |
						O_DIRECTORY, 0644), EINVAL);
	CHECK_ERRNO("O_CREAT of an empty name", open("", O_RDWR | O_CREAT, 0644),
		    ENOENT);
	printf("create: done\n");
}

static void read_write_seek(void)
{
	static const char alpha[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	char tmp[64];
	int fd, ro, wo;

	fd = open_new("rw", O_RDWR | O_TRUNC, 0644);
	if (fd < 0)
		return;
	write_all("write(rw, 10)", fd, alpha, 10);
	write_all("write(rw, 26)", fd, alpha + 10, 26);
	check_long("offset after two writes", 36, lseek(fd, 0, SEEK_CUR));
	check_long("lseek(0, SEEK_SET)", 0, lseek(fd, 0, SEEK_SET));
	if (check_long("read(rw, 64)", 36, read(fd, tmp, sizeof(tmp))))
		check_true("read(rw) gives what was written",
			   !memcmp(tmp, alpha, 36));
	check_long("read at EOF", 0, read(fd, tmp, sizeof(tmp)));

	/* pwrite past EOF: a gap of zeros; neither call moves the offset. */
	check_long("pwrite at 100", 4, pwrite(fd, "WXYZ", 4, 100));
	check_long("offset after pwrite", 36, lseek(fd, 0, SEEK_CUR));
	check_long("size after pwrite at 100", 104, fd_size(fd));
	check_fill("the gap pwrite left", fd, 36, 0, 64);
	check_pread("pread at 100", fd, 100, "WXYZ", 4);
	check_long("offset after pread", 36, lseek(fd, 0, SEEK_CUR));
	check_long("pread at EOF", 0, pread(fd, tmp, 8, 104));
	check_long("pread past EOF", 0, pread(fd, tmp, 8, 1 << 20));
	CHECK_ERRNO("pread at -1", pread(fd, tmp, 8, -1), EINVAL);
	CHECK_ERRNO("pwrite at -1", pwrite(fd, tmp, 8, -1), EINVAL);

	check_long("lseek(-4, SEEK_END)", 100, lseek(fd, -4, SEEK_END));
	if (check_long("read after SEEK_END", 4, read(fd, tmp, 8)))
		check_true("read after SEEK_END gives WXYZ",
			   !memcmp(tmp, "WXYZ", 4));
	check_long("lseek(10, SEEK_CUR)", 114, lseek(fd, 10, SEEK_CUR));
	write_all("write at 114", fd, "!", 1);
	check_long("size after a write past EOF", 115, fd_size(fd));
	check_fill("the gap a write past EOF left", fd, 104, 0, 10);
	CHECK_ERRNO("lseek to a negative offset", lseek(fd, -200, SEEK_END),
		    EINVAL);
	CHECK_ERRNO("lseek whence 42", lseek(fd, 0, 42), EINVAL);
	check_long("offset after failed lseeks", 115, lseek(fd, 0, SEEK_CUR));
	close(fd);

	ro = open("rw", O_RDONLY);
	if (CHECK_OK("open(rw, O_RDONLY)", ro)) {
		CHECK_ERRNO("write to an O_RDONLY fd", write(ro, "x", 1), EBADF);
		close(ro);
	}
	wo = open("rw", O_WRONLY);
	if (CHECK_OK("open(rw, O_WRONLY)", wo)) {
		CHECK_ERRNO("read from an O_WRONLY fd", read(wo, tmp, 1), EBADF);
		close(wo);
	}
	printf("read/write/seek: done\n");
}

static void append_mode(void)
{
	int fd;

	fd = open_new("app", O_RDWR | O_TRUNC, 0644);
	if (fd < 0)
		return;
	write_all("write(app)", fd, "0123456789", 10);
	close(fd);

	fd = open("app", O_RDWR | O_APPEND);
	if (!CHECK_OK("open(app, O_APPEND)", fd))
		return;
	check_long("O_APPEND starts at 0", 0, lseek(fd, 0, SEEK_CUR));
	write_all("write with O_APPEND", fd, "ab", 2);
	check_long("offset after an O_APPEND write", 12, lseek(fd, 0, SEEK_CUR));
	lseek(fd, 3, SEEK_SET);
	write_all("write with O_APPEND after lseek(3)", fd, "cd", 2);
	check_long("offset after lseek and write", 14, lseek(fd, 0, SEEK_CUR));
	/* pwrite(2), BUGS: with O_APPEND it appends whatever the offset. */
	check_long("pwrite(0) with O_APPEND", 2, pwrite(fd, "ef", 2, 0));
	check_long("size after pwrite with O_APPEND", 16, fd_size(fd));
	check_pread("O_APPEND file", fd, 0, "0123456789abcdef", 16);

	if (CHECK_OK("F_SETFL without O_APPEND", fcntl(fd, F_SETFL, 0))) {
		check_long("pwrite(0) without O_APPEND", 2,
			   pwrite(fd, "XY", 2, 0));
		check_pread("file after pwrite(0)", fd, 0, "XY23456789abcdef",
			    16);
	}
	close(fd);
	printf("append: done\n");
}

static void truncate_sizes(void)
{
	int fd, ro;

	fd = open_new("t", O_RDWR | O_TRUNC, 0644);
	if (fd < 0)
		return;
	write_all("write(t)", fd, "0123456789abcdef", 16);
	CHECK_OK("ftruncate(t, 10000)", ftruncate(fd, 10000));
	check_long("size after growing", 10000, fd_size(fd));
	check_pread("data before the grown part", fd, 0, "0123456789abcdef",
		    16);
	check_fill("the grown part", fd, 16, 0, 10000 - 16);
	check_long("offset after ftruncate", 16, lseek(fd, 0, SEEK_CUR));

	CHECK_OK("ftruncate(t, 5)", ftruncate(fd, 5));
	check_long("size after shrinking", 5, fd_size(fd));
	check_long("read past the new EOF", 0, read(fd, buf, 16));
	check_pread("data after shrinking", fd, 0, "01234", 5);
	/* What was cut off does not come back. */
	CHECK_OK("truncate(t, 100)", truncate("t", 100));
	check_long("size after truncate by name", 100, path_size("t"));
	check_pread("data kept by truncate", fd, 0, "01234", 5);
	check_fill("the part cut off and grown again", fd, 5, 0, 95);
	CHECK_OK("truncate(t, 0)", truncate("t", 0));
	check_long("size after truncate to 0", 0, fd_size(fd));

	CHECK_ERRNO("ftruncate to -1", ftruncate(fd, -1), EINVAL);
	CHECK_ERRNO("truncate to -1", truncate("t", -1), EINVAL);
	ro = open("t", O_RDONLY);
	if (CHECK_OK("open(t, O_RDONLY)", ro)) {
		/* fs/open.c do_ftruncate(): not open for writing is EINVAL. */
		CHECK_ERRNO("ftruncate of an O_RDONLY fd", ftruncate(ro, 1),
			    EINVAL);
		close(ro);
	}
	CHECK_ERRNO("truncate of a directory", truncate(".", 0), EISDIR);
	CHECK_ERRNO("truncate of a missing file", truncate("missing", 0),
		    ENOENT);
	CHECK_ERRNO("ftruncate(-1)", ftruncate(-1, 0), EBADF);
	close(fd);
	printf("truncate: done\n");
}

static long fd_blocks(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : (long)st.st_blocks;
}

static void fallocate_modes(void)
{
	long before;
	int fd, ro;

	fd = open_new("fa", O_RDWR | O_TRUNC, 0644);
	if (fd < 0)
		return;
	if (!CHECK_OK("fallocate(0, 64 KiB)", fallocate(fd, 0, 0, 65536))) {
		close(fd);
		return;
	}
	check_long("size after fallocate", 65536, fd_size(fd));
	check_true("blocks cover the allocation",
		   fd_blocks(fd) * 512 >= 65536);
	check_fill("fallocated range", fd, 0, 0, 65536);

	CHECK_OK("fallocate(KEEP_SIZE, 64 KiB more)",
		 fallocate(fd, FALLOC_FL_KEEP_SIZE, 65536, 65536));
	check_long("size after KEEP_SIZE", 65536, fd_size(fd));
	check_true("blocks cover the KEEP_SIZE allocation",
		   fd_blocks(fd) * 512 >= 131072);
	check_long("read at EOF after KEEP_SIZE", 0, pread(fd, buf, 16, 65536));

	memset(buf, 0xab, 65536);
	check_long("pwrite(0xab, 64 KiB)", 65536, pwrite(fd, buf, 65536, 0));
	before = fd_blocks(fd);
	CHECK_OK("fallocate(PUNCH_HOLE, 16 KiB at 16 KiB)",
		 fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			   16384, 16384));
	check_long("size after PUNCH_HOLE", 65536, fd_size(fd));
	check_true("PUNCH_HOLE frees blocks", fd_blocks(fd) < before);
	check_fill("before the hole", fd, 0, 0xab, 16384);
	check_fill("the punched hole", fd, 16384, 0, 16384);
	check_fill("after the hole", fd, 32768, 0xab, 32768);

	/* vfs_fallocate(): PUNCH_HOLE needs KEEP_SIZE. */
	CHECK_ERRNO("PUNCH_HOLE without KEEP_SIZE",
		    fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096), EOPNOTSUPP);
	CHECK_ERRNO("fallocate of length 0", fallocate(fd, 0, 0, 0), EINVAL);
	CHECK_ERRNO("fallocate at -1", fallocate(fd, 0, -1, 4096), EINVAL);
	CHECK_ERRNO("fallocate(-1)", fallocate(-1, 0, 0, 4096), EBADF);
	ro = open("fa", O_RDONLY);
	if (CHECK_OK("open(fa, O_RDONLY)", ro)) {
		CHECK_ERRNO("fallocate of an O_RDONLY fd",
			    fallocate(ro, 0, 0, 4096), EBADF);
		close(ro);
	}
	close(fd);
	printf("fallocate: done\n");
}

/*
 * Data at [0, 4 KiB) and [1 MiB, 1 MiB + 4 KiB), a hole between. Whether
 * the hole shows depends on the file system (lseek(2): it may treat the
 * whole file as data); what does not: data at 0, a hole at EOF, ENXIO at
 * and past EOF.
 */
static void seek_hole_data(void)
{
	const off_t far = 1 << 20, end = far + 4096;
	off_t hole;
	int fd;

	fd = open_new("holes", O_RDWR | O_TRUNC, 0644);
	if (fd < 0)
		return;
	memset(buf, 0x11, 4096);
	check_long("pwrite at 0", 4096, pwrite(fd, buf, 4096, 0));
	check_long("pwrite at 1 MiB", 4096, pwrite(fd, buf, 4096, far));

	check_long("SEEK_DATA from 0", 0, lseek(fd, 0, SEEK_DATA));
	hole = lseek(fd, 0, SEEK_HOLE);
	check_true("SEEK_HOLE from 0 is at 4 KiB or at EOF",
		   hole == 4096 || hole == end);
	if (hole == 4096) {
		note("the file system reports holes");
		check_long("SEEK_DATA from the hole", far,
			   lseek(fd, 8192, SEEK_DATA));
		check_long("SEEK_HOLE from the hole", 8192,
			   lseek(fd, 8192, SEEK_HOLE));
	} else {
		note("the file system reports no holes");
	}
	check_long("SEEK_HOLE from the last data", end,
		   lseek(fd, far + 10, SEEK_HOLE));
	check_long("SEEK_DATA from the last byte", end - 1,
		   lseek(fd, end - 1, SEEK_DATA));
	CHECK_ERRNO("SEEK_DATA at EOF", lseek(fd, end, SEEK_DATA), ENXIO);
	CHECK_ERRNO("SEEK_HOLE at EOF", lseek(fd, end, SEEK_HOLE), ENXIO);
	CHECK_ERRNO("SEEK_DATA past EOF", lseek(fd, end + 1, SEEK_DATA), ENXIO);
	CHECK_ERRNO("SEEK_DATA at -1", lseek(fd, -1, SEEK_DATA), ENXIO);
	check_long("a sparse file's blocks are fewer than its size",
		   1, fd_blocks(fd) * 512 < end);
	close(fd);
	printf("seek hole/data: done\n");
}

static void sync_calls(void)
{
	int fd, ro;

	fd = open_new("s", O_RDWR | O_TRUNC, 0644);
	if (fd < 0)
		return;
	write_all("write(s)", fd, "sync", 4);
	CHECK_OK("fsync", fsync(fd));
	CHECK_OK("fdatasync", fdatasync(fd));
	ro = open("s", O_RDONLY);
	if (CHECK_OK("open(s, O_RDONLY)", ro)) {
		CHECK_OK("fsync of an O_RDONLY fd", fsync(ro));
		close(ro);
	}
	ro = open(".", O_RDONLY | O_DIRECTORY);
	if (CHECK_OK("open(., O_DIRECTORY)", ro)) {
		CHECK_OK("fsync of a directory", fsync(ro));
		close(ro);
	}
	CHECK_ERRNO("fsync(-1)", fsync(-1), EBADF);
	CHECK_ERRNO("fdatasync(-1)", fdatasync(-1), EBADF);
	close(fd);
	printf("sync: done\n");
}

static void stat_fields(void)
{
	struct stat st, ls, ps;
	int fd;

	fd = open_new("st", O_RDWR | O_TRUNC, 0640);
	if (fd < 0)
		return;
	memset(buf, 'x', 5000);
	write_all("write(st, 5000)", fd, buf, 5000);
	if (!CHECK_OK("fstat(st)", fstat(fd, &st))) {
		close(fd);
		return;
	}
	check_long("st_size", 5000, st.st_size);
	check_true("st_blocks cover st_size", st.st_blocks * 512 >= 5000);
	check_long("st_nlink", 1, st.st_nlink);
	check_ulong("st_mode", S_IFREG | 0640, st.st_mode);
	if (CHECK_OK("stat(st)", stat("st", &ps)) &&
	    CHECK_OK("lstat(st)", lstat("st", &ls))) {
		check_true("stat and fstat name one inode",
			   ps.st_ino == st.st_ino && ps.st_dev == st.st_dev);
		check_true("lstat and fstat name one inode",
			   ls.st_ino == st.st_ino && ls.st_dev == st.st_dev);
		check_long("stat's size", 5000, ps.st_size);
	}
	if (CHECK_OK("stat(.)", stat(".", &ps))) {
		check_true("the file is on the directory's device",
			   ps.st_dev == st.st_dev);
		check_ulong("mkdtemp's directory mode", S_IFDIR | 0700,
			    ps.st_mode);
	}
	close(fd);
	printf("stat: done\n");
}

static struct timespec now_coarse(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return ts;
}

static struct timespec now_fine(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

static int ts_le(struct timespec a, struct timespec b)
{
	return a.tv_sec < b.tv_sec ||
	       (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec);
}

static void check_ts(const char *what, struct timespec want,
		     struct timespec got)
{
	if (want.tv_sec != got.tv_sec || want.tv_nsec != got.tv_nsec)
		fail("%s: expected %ld.%09ld got %ld.%09ld", what,
		     (long)want.tv_sec, want.tv_nsec, (long)got.tv_sec,
		     got.tv_nsec);
}

/* lo <= got <= hi, file times being taken from the coarse clock. */
static void check_ts_between(const char *what, struct timespec lo,
			     struct timespec got, struct timespec hi)
{
	if (!ts_le(lo, got) || !ts_le(got, hi))
		fail("%s: expected between %ld.%09ld and %ld.%09ld got "
		     "%ld.%09ld", what, (long)lo.tv_sec, lo.tv_nsec,
		     (long)hi.tv_sec, hi.tv_nsec, (long)got.tv_sec,
		     got.tv_nsec);
}

static void explicit_times(void)
{
	const struct timespec a = { 1000000000, 123456789 };
	const struct timespec m = { 1200000000, 987654321 };
	struct timespec ts[2], lo, hi, m_kept;
	struct stat st;

	ts[0] = a;
	ts[1] = m;
	if (CHECK_OK("utimensat(explicit)", utimensat(AT_FDCWD, "tm", ts, 0)) &&
	    CHECK_OK("stat(tm)", stat("tm", &st))) {
		check_ts("atime set explicitly", a, st.st_atim);
		check_ts("mtime set explicitly", m, st.st_mtim);
	}

	/* UTIME_OMIT keeps that time; the other one changes. */
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = 1300000000;
	ts[1].tv_nsec = 5;
	lo = now_coarse();
	if (CHECK_OK("utimensat(OMIT, explicit)",
		     utimensat(AT_FDCWD, "tm", ts, 0)) &&
	    CHECK_OK("stat(tm)", stat("tm", &st))) {
		hi = now_fine();
		check_ts("atime kept by UTIME_OMIT", a, st.st_atim);
		check_ts("mtime set next to UTIME_OMIT", ts[1], st.st_mtim);
		check_ts_between("ctime after utimensat", lo, st.st_ctim, hi);
	}

	m_kept = ts[1];
	ts[0].tv_nsec = UTIME_NOW;
	ts[1].tv_nsec = UTIME_OMIT;
	lo = now_coarse();
	if (CHECK_OK("utimensat(NOW, OMIT)", utimensat(AT_FDCWD, "tm", ts, 0)) &&
	    CHECK_OK("stat(tm)", stat("tm", &st))) {
		hi = now_fine();
		check_ts_between("atime set by UTIME_NOW", lo, st.st_atim, hi);
		check_ts("mtime kept by UTIME_OMIT", m_kept, st.st_mtim);
	}
}

static void now_times(void)
{
	struct timespec ts[2], lo, hi;
	struct stat st;
	int fd;

	lo = now_coarse();
	if (CHECK_OK("utimensat(NULL)", utimensat(AT_FDCWD, "tm", NULL, 0)) &&
	    CHECK_OK("stat(tm)", stat("tm", &st))) {
		hi = now_fine();
		check_ts_between("atime after utimensat(NULL)", lo, st.st_atim,
				 hi);
		check_ts_between("mtime after utimensat(NULL)", lo, st.st_mtim,
				 hi);
	}

	ts[0].tv_sec = ts[1].tv_sec = 42;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	fd = open("tm", O_WRONLY);
	if (!CHECK_OK("open(tm, O_WRONLY)", fd))
		return;
	CHECK_OK("futimens(42, 42)", futimens(fd, ts));
	/* A write moves mtime (and ctime) to now, not atime. */
	lo = now_coarse();
	write_all("write(tm)", fd, "x", 1);
	if (CHECK_OK("fstat(tm)", fstat(fd, &st))) {
		hi = now_fine();
		check_ts("atime after a write", ts[0], st.st_atim);
		check_ts_between("mtime after a write", lo, st.st_mtim, hi);
		check_ts_between("ctime after a write", lo, st.st_ctim, hi);
	}
	ts[0].tv_nsec = ts[1].tv_nsec = UTIME_NOW;
	lo = now_coarse();
	if (CHECK_OK("futimens(NOW, NOW)", futimens(fd, ts)) &&
	    CHECK_OK("fstat(tm)", fstat(fd, &st))) {
		hi = now_fine();
		check_ts_between("atime after futimens(NOW)", lo, st.st_atim,
				 hi);
		check_ts_between("mtime after futimens(NOW)", lo, st.st_mtim,
				 hi);
	}
	close(fd);
}

static void symlink_times(void)
{
	const struct timespec l = { 1111111111, 1 };
	struct timespec ts[2];
	struct stat before, st;

	if (!CHECK_OK("symlink(tm, tmlink)", symlink("tm", "tmlink")) ||
	    !CHECK_OK("stat(tm)", stat("tm", &before)))
		return;
	ts[0] = ts[1] = l;
	if (CHECK_OK("utimensat(tmlink, AT_SYMLINK_NOFOLLOW)",
		     utimensat(AT_FDCWD, "tmlink", ts, AT_SYMLINK_NOFOLLOW))) {
		if (CHECK_OK("lstat(tmlink)", lstat("tmlink", &st))) {
			check_ts("the link's atime", l, st.st_atim);
			check_ts("the link's mtime", l, st.st_mtim);
		}
		if (CHECK_OK("stat(tm)", stat("tm", &st)))
			check_ts("the target's mtime, untouched",
				 before.st_mtim, st.st_mtim);
	}
	/* Without the flag, the target's times. */
	if (CHECK_OK("utimensat(tmlink)", utimensat(AT_FDCWD, "tmlink", ts, 0)) &&
	    CHECK_OK("stat(tm)", stat("tm", &st)))
		check_ts("the target's mtime through the link", l, st.st_mtim);
}

static void time_errors(void)
{
	struct timespec ts[2] = { { 0, 1000000000 }, { 0, 0 } };

	CHECK_ERRNO("utimensat with tv_nsec 1e9",
		    utimensat(AT_FDCWD, "tm", ts, 0), EINVAL);
	ts[0].tv_nsec = -1;
	CHECK_ERRNO("utimensat with tv_nsec -1",
		    utimensat(AT_FDCWD, "tm", ts, 0), EINVAL);
	CHECK_ERRNO("utimensat with flags 0x1",
		    utimensat(AT_FDCWD, "tm", NULL, 0x1), EINVAL);
	CHECK_ERRNO("utimensat of a missing file",
		    utimensat(AT_FDCWD, "missing", NULL, 0), ENOENT);
	CHECK_ERRNO("futimens(-1)", futimens(-1, NULL), EBADF);
	/* utimensat(2): UTIME_OMIT twice succeeds without a lookup. */
	ts[0].tv_nsec = ts[1].tv_nsec = UTIME_OMIT;
	CHECK_OK("utimensat(OMIT, OMIT) of a missing file",
		 utimensat(AT_FDCWD, "missing", ts, 0));
}

static void file_times(void)
{
	int fd = open_new("tm", O_RDWR | O_TRUNC, 0644);

	if (fd < 0)
		return;
	close(fd);
	explicit_times();
	now_times();
	symlink_times();
	time_errors();
	printf("times: done\n");
}

static long path_mode(const char *name)
{
	struct stat st;

	return stat(name, &st) ? -1 : (long)st.st_mode;
}

static void modes(void)
{
	struct stat st;
	int fd, other, path;

	fd = open_new("md", O_RDWR | O_TRUNC, 0644);
	if (fd < 0)
		return;
	other = open("md", O_RDONLY);
	CHECK_OK("fchmod(0600)", fchmod(fd, 0600));
	if (CHECK_OK("fstat(md)", fstat(fd, &st)))
		check_ulong("mode after fchmod", S_IFREG | 0600, st.st_mode);
	if (CHECK_OK("fstat(other fd)", fstat(other, &st)))
		check_ulong("mode through another fd", S_IFREG | 0600,
			    st.st_mode);
	CHECK_OK("fchmodat(0755)", fchmodat(AT_FDCWD, "md", 0755, 0));
	check_ulong("mode after fchmodat", S_IFREG | 0755, path_mode("md"));
	/* fs/open.c chmod_common(): only S_IALLUGO is taken. */
	CHECK_OK("chmod(0170644)", chmod("md", 0170644));
	check_ulong("mode after chmod with type bits", S_IFREG | 0644,
		    path_mode("md"));
	CHECK_OK("fchmod(06755)", fchmod(fd, 06755));
	check_ulong("mode after fchmod(06755)", S_IFREG | 06755,
		    path_mode("md"));
	/* The mode limits opening for others, not an fd already open. */
	CHECK_OK("fchmod(0)", fchmod(fd, 0));
	check_long("write after fchmod(0)", 2, write(fd, "ok", 2));
	CHECK_OK("fchmod of an O_RDONLY fd", fchmod(other, 0644));
	check_ulong("mode after fchmod of an O_RDONLY fd", S_IFREG | 0644,
		    path_mode("md"));

	/* Through a symlink, the target's mode. */
	if (CHECK_OK("symlink(md, mdlink)", symlink("md", "mdlink"))) {
		CHECK_OK("chmod(mdlink, 0611)", chmod("mdlink", 0611));
		check_ulong("target mode after chmod of a link",
			    S_IFREG | 0611, path_mode("md"));
		if (CHECK_OK("lstat(mdlink)", lstat("mdlink", &st)))
			check_ulong("the link's own mode", S_IFLNK | 0777,
				    st.st_mode);
	}
	path = open("md", O_PATH);
	if (CHECK_OK("open(md, O_PATH)", path)) {
		CHECK_ERRNO("fchmod of an O_PATH fd", fchmod(path, 0644),
			    EBADF);
		close(path);
	}
	CHECK_ERRNO("fchmodat of a missing file",
		    fchmodat(AT_FDCWD, "missing", 0644, 0), ENOENT);
	CHECK_ERRNO("fchmod(-1)", fchmod(-1, 0644), EBADF);
	close(other);
	close(fd);
	printf("modes: done\n");
}

static void unlink_open_file(void)
{
	struct stat st;
	int fd;

	fd = open_new("gone", O_RDWR | O_TRUNC, 0644);
	if (fd < 0)
		return;
	write_all("write(gone)", fd, "still here", 10);
	if (!CHECK_OK("unlink(gone)", unlink("gone"))) {
		close(fd);
		return;
	}
	CHECK_ERRNO("stat after unlink", path_size("gone"), ENOENT);
	CHECK_ERRNO("open after unlink", open("gone", O_RDONLY), ENOENT);
	if (CHECK_OK("fstat of an unlinked file", fstat(fd, &st))) {
		check_long("nlink of an unlinked file", 0, st.st_nlink);
		check_long("size of an unlinked file", 10, st.st_size);
	}
	check_pread("data of an unlinked file", fd, 0, "still here", 10);
	write_all("write to an unlinked file", fd, "!", 1);
	CHECK_OK("ftruncate of an unlinked file", ftruncate(fd, 4096));
	check_long("size after ftruncate", 4096, fd_size(fd));
	check_pread("data after more writes", fd, 0, "still here!", 11);

	/* A new file of the same name is another file. */
	close(open_new("gone", O_RDWR | O_EXCL, 0644));
	check_long("the new file's size", 0, path_size("gone"));
	check_long("the unlinked file's size", 4096, fd_size(fd));
	close(fd);

	CHECK_ERRNO("unlink of a missing file", unlink("missing"), ENOENT);
	CHECK_ERRNO("unlink of a directory", unlink("."), EISDIR);
	printf("unlink open file: done\n");
}

int main(int argc, char **argv)
{
	tmp_init(argc, argv, "tmp_files");
	create_and_excl();
	read_write_seek();
	append_mode();
	truncate_sizes();
	fallocate_modes();
	seek_hole_data();
	sync_calls();
	stat_fields();
	file_times();
	modes();
	unlink_open_file();
	tmp_finish();
	printf("tmp_files: done\n");
	return check_exit("tmp_files");
}
