// SPDX-License-Identifier: Apache-2.0
/*
 * openat(2) path resolution and its errors on the fixture tree: ENOENT,
 * ENOTDIR, EISDIR, EEXIST, ELOOP (loops, O_NOFOLLOW, Linux's 40-link limit),
 * ENAMETOOLONG (NAME_MAX, PATH_MAX), EFAULT, EBADF; O_PATH on symlinks;
 * dirfds and the working directory; ".." taken physically and clamped at
 * "/". Only reads: every check gives the same answer on a read-only view
 * (fs/namei.c: the EISDIR and EEXIST checks come before EROFS).
 *
 * Usage: file_open_errors FIXTURE
 */
#include "fixture.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static long sys_openat(long dirfd, const void *path, long flags)
{
	return syscall(SYS_openat, dirfd, path, flags, 0L);
}

/* Expects the open to fail with err; closes the fd if it did not. */
static void open_err(const char *what, int dirfd, const char *path, int flags,
		     int err)
{
	long fd = sys_openat(dirfd, path, flags);
	int e = errno;

	check_errno(what, fd, e, err);
	if (fd >= 0)
		close(fd);
}

/* Expects the open to succeed and the file to hold exactly want. */
static void open_reads(const char *what, int dirfd, const char *path,
		       int flags, const char *want)
{
	size_t len = strlen(want);
	char buf[256];
	long fd = sys_openat(dirfd, path, flags);
	ssize_t n;

	if (!check_ok(what, fd, errno))
		return;
	n = read(fd, buf, sizeof(buf));
	if (n < 0 || (size_t)n != len || memcmp(buf, want, len) != 0)
		fail("%s: expected %zu bytes \"%s\" got %zd bytes \"%.*s\"",
		     what, len, want, n, n > 0 ? (int)n : 0, buf);
	close(fd);
}

/* The file type of an open fd, as fstat sees it. */
static void check_fd_type(const char *what, int fd, mode_t type)
{
	struct stat st;

	if (!check_ok(what, fstat(fd, &st), errno))
		return;
	check_ulong(what, type, st.st_mode & S_IFMT);
}

static void missing_and_not_dirs(void)
{
	open_err("missing file", AT_FDCWD, fx("missing"), O_RDONLY, ENOENT);
	open_err("missing file, trailing slash", AT_FDCWD, fx("missing/"),
		 O_RDONLY, ENOENT);
	open_err("missing directory in the middle", AT_FDCWD,
		 fx("nodir/small.txt"), O_RDONLY, ENOENT);
	open_err("dangling symlink", AT_FDCWD, fx("dangling"), O_RDONLY, ENOENT);
	open_err("dangling symlink, trailing slash", AT_FDCWD, fx("dangling/"),
		 O_RDONLY, ENOENT);
	open_err("empty path", AT_FDCWD, "", O_RDONLY, ENOENT);
	/* The name is copied in before the dirfd is looked at. */
	open_err("empty path, bad dirfd", -1, "", O_RDONLY, ENOENT);

	open_err("file as a directory", AT_FDCWD, fx("small.txt/x"), O_RDONLY,
		 ENOTDIR);
	open_err("file with a trailing slash", AT_FDCWD, fx("small.txt/"),
		 O_RDONLY, ENOTDIR);
	open_err("file with a trailing slash and dot", AT_FDCWD,
		 fx("small.txt/."), O_RDONLY, ENOTDIR);
	open_err("symlink to a file, trailing slash", AT_FDCWD, fx("rel_small/"),
		 O_RDONLY, ENOTDIR);
	open_err("O_DIRECTORY on a file", AT_FDCWD, fx("small.txt"),
		 O_RDONLY | O_DIRECTORY, ENOTDIR);
	open_err("O_DIRECTORY on a symlink to a file", AT_FDCWD,
		 fx("rel_small"), O_RDONLY | O_DIRECTORY, ENOTDIR);
	/* The directory test comes before the symlink test in do_open(). */
	open_err("O_DIRECTORY|O_NOFOLLOW on a symlink to a directory", AT_FDCWD,
		 fx("dirlink"), O_RDONLY | O_DIRECTORY | O_NOFOLLOW, ENOTDIR);
}

static void dirs_and_creat(void)
{
	int fd;

	open_err("directory O_WRONLY", AT_FDCWD, fx("sub"), O_WRONLY, EISDIR);
	open_err("directory O_RDWR", AT_FDCWD, fx("sub"), O_RDWR, EISDIR);
	open_err("directory O_RDWR|O_DIRECTORY", AT_FDCWD, fx("sub"),
		 O_RDWR | O_DIRECTORY, EISDIR);
	open_err("symlink to a directory O_WRONLY", AT_FDCWD, fx("dirlink"),
		 O_WRONLY, EISDIR);
	open_err("directory O_CREAT", AT_FDCWD, fx("sub"), O_RDONLY | O_CREAT,
		 EISDIR);
	open_err("root directory O_WRONLY", AT_FDCWD, "/", O_WRONLY, EISDIR);

	fd = sys_openat(AT_FDCWD, fx("sub"), O_RDONLY | O_DIRECTORY);
	if (check_ok("directory O_RDONLY|O_DIRECTORY", fd, errno)) {
		check_fd_type("directory fd", fd, S_IFDIR);
		CHECK_ERRNO("read on a directory fd", read(fd, &fd, 1), EISDIR);
		close(fd);
	}
	fd = sys_openat(AT_FDCWD, fx("dirlink"), O_RDONLY | O_DIRECTORY);
	if (check_ok("symlink to a directory with O_DIRECTORY", fd, errno)) {
		check_fd_type("symlink to a directory fd", fd, S_IFDIR);
		close(fd);
	}
	open_reads("\".\" then a name", AT_FDCWD, fx("sub/./inner.txt"),
		   O_RDONLY, FIX_INNER);
	fd = sys_openat(AT_FDCWD, fx("sub/deep/.."), O_RDONLY | O_DIRECTORY);
	if (check_ok("trailing \"..\"", fd, errno)) {
		open_reads("openat(fd of sub/deep/.., name)", fd, "inner.txt",
			   O_RDONLY, FIX_INNER);
		close(fd);
	}
	fd = sys_openat(AT_FDCWD, fx("sub/."), O_RDONLY | O_DIRECTORY);
	if (check_ok("trailing \".\"", fd, errno)) {
		open_reads("openat(fd of sub/., name)", fd, "inner.txt",
			   O_RDONLY, FIX_INNER);
		close(fd);
	}

	/* O_CREAT of a file that exists creates nothing: allowed read-only. */
	open_reads("existing file O_CREAT", AT_FDCWD, fx("small.txt"),
		   O_RDONLY | O_CREAT, FIX_SMALL);
	open_err("existing file O_CREAT|O_EXCL", AT_FDCWD, fx("small.txt"),
		 O_RDONLY | O_CREAT | O_EXCL, EEXIST);
	/* O_EXCL never follows the link, dangling or not (open(2)). */
	open_err("dangling symlink O_CREAT|O_EXCL", AT_FDCWD, fx("dangling"),
		 O_RDONLY | O_CREAT | O_EXCL, EEXIST);
	open_err("directory O_CREAT|O_EXCL", AT_FDCWD, fx("sub"),
		 O_RDONLY | O_CREAT | O_EXCL, EEXIST);
}

static void links(void)
{
	int fd;

	open_reads("relative symlink", AT_FDCWD, fx("rel_small"), O_RDONLY,
		   FIX_SMALL);
	open_reads("relative symlink into a subdirectory", AT_FDCWD,
		   fx("rel_inner"), O_RDONLY, FIX_INNER);
	open_reads("absolute symlink", AT_FDCWD, fx("abs_small"), O_RDONLY,
		   FIX_SMALL);
	open_reads("symlinked directory in the middle", AT_FDCWD,
		   fx("dirlink/leaf.txt"), O_RDONLY, FIX_LEAF);
	open_reads("absolute symlinked directory in the middle", AT_FDCWD,
		   fx("absdirlink/inner.txt"), O_RDONLY, FIX_INNER);
	/* ".." leaves the link's target (sub/deep), not the link's directory. */
	open_reads("\"..\" after a symlinked directory", AT_FDCWD,
		   fx("dirlink/../inner.txt"), O_RDONLY, FIX_INNER);
	open_reads("hard link", AT_FDCWD, fx("hard.txt"), O_RDONLY, FIX_SMALL);
	open_reads("\"../\" past \"/\" in a symlink", AT_FDCWD, fx("escape"),
		   O_RDONLY, FIX_SMALL);

	open_err("O_NOFOLLOW on a relative symlink", AT_FDCWD, fx("rel_small"),
		 O_RDONLY | O_NOFOLLOW, ELOOP);
	open_err("O_NOFOLLOW on an absolute symlink", AT_FDCWD, fx("abs_small"),
		 O_RDONLY | O_NOFOLLOW, ELOOP);
	open_err("O_NOFOLLOW on a dangling symlink", AT_FDCWD, fx("dangling"),
		 O_RDONLY | O_NOFOLLOW, ELOOP);
	open_reads("O_NOFOLLOW on a file", AT_FDCWD, fx("small.txt"),
		   O_RDONLY | O_NOFOLLOW, FIX_SMALL);
	open_reads("O_NOFOLLOW with a symlink before the last component",
		   AT_FDCWD, fx("dirlink/leaf.txt"), O_RDONLY | O_NOFOLLOW,
		   FIX_LEAF);

	open_err("symlink loop a -> b -> a", AT_FDCWD, fx("loop_a"), O_RDONLY,
		 ELOOP);
	open_err("symlink to itself", AT_FDCWD, fx("self_loop"), O_RDONLY, ELOOP);
	open_err("symlink loop in the middle", AT_FDCWD, fx("loop_a/x"),
		 O_RDONLY, ELOOP);
	/* fs/namei.c: at most MAXSYMLINKS (40) links are followed per lookup. */
	open_reads("chain of 40 symlinks", AT_FDCWD, fx("chains/l40_01"),
		   O_RDONLY, FIX_SMALL);
	open_err("chain of 41 symlinks", AT_FDCWD, fx("chains/l41_01"), O_RDONLY,
		 ELOOP);
	open_reads("chain of 40 symlinked directories", AT_FDCWD,
		   fx("chains/d40_01/inner.txt"), O_RDONLY, FIX_INNER);
	open_err("chain of 41 symlinked directories", AT_FDCWD,
		 fx("chains/d41_01/inner.txt"), O_RDONLY, ELOOP);
	/* The count is per lookup: one more link anywhere in it is too many. */
	open_err("chain of 40 then one more symlink", AT_FDCWD,
		 fx("chains/d40_01/../rel_small"), O_RDONLY, ELOOP);
	fd = sys_openat(AT_FDCWD, fx("chains/d40_01/../rel_small"),
			O_PATH | O_NOFOLLOW);
	if (check_ok("chain of 40, then a 41st symlink not followed", fd,
		     errno)) {
		check_fd_type("chain of 40, then O_PATH|O_NOFOLLOW", fd, S_IFLNK);
		close(fd);
	}
}

static void o_path(void)
{
	char buf[64];
	struct stat st;
	ssize_t n;
	int fd, dfd;

	fd = sys_openat(AT_FDCWD, fx("rel_small"), O_PATH | O_NOFOLLOW);
	if (check_ok("O_PATH|O_NOFOLLOW on a symlink", fd, errno)) {
		check_fd_type("O_PATH symlink fd", fd, S_IFLNK);
		memset(buf, 0, sizeof(buf));
		n = readlinkat(fd, "", buf, sizeof(buf));
		if (check_ok("readlinkat(O_PATH symlink fd, \"\")", n, errno) &&
		    check_long("readlinkat(O_PATH symlink fd, \"\")", 9, n) &&
		    memcmp(buf, "small.txt", 9) != 0)
			fail("readlinkat(O_PATH symlink fd, \"\"): expected "
			     "\"small.txt\" got \"%.9s\"", buf);
		if (check_ok("fstatat(O_PATH symlink fd, AT_EMPTY_PATH)",
			     fstatat(fd, "", &st, AT_EMPTY_PATH), errno))
			check_ulong("fstatat(O_PATH symlink fd) type", S_IFLNK,
				    st.st_mode & S_IFMT);
		CHECK_ERRNO("read on an O_PATH fd", read(fd, buf, 1), EBADF);
		close(fd);
	}
	fd = sys_openat(AT_FDCWD, fx("dangling"), O_PATH | O_NOFOLLOW);
	if (check_ok("O_PATH|O_NOFOLLOW on a dangling symlink", fd, errno)) {
		check_fd_type("O_PATH dangling symlink fd", fd, S_IFLNK);
		close(fd);
	}
	fd = sys_openat(AT_FDCWD, fx("rel_small"), O_PATH);
	if (check_ok("O_PATH on a symlink, followed", fd, errno)) {
		check_fd_type("O_PATH followed symlink fd", fd, S_IFREG);
		close(fd);
	}
	open_err("O_PATH on a dangling symlink, followed", AT_FDCWD,
		 fx("dangling"), O_PATH, ENOENT);
	fd = sys_openat(AT_FDCWD, fx("chains/l41_01"), O_PATH | O_NOFOLLOW);
	if (check_ok("O_PATH|O_NOFOLLOW on a chain of 41", fd, errno)) {
		check_fd_type("O_PATH|O_NOFOLLOW on a chain of 41", fd, S_IFLNK);
		close(fd);
	}
	/* A symlink's own fd is no directory, whatever it points to. */
	fd = sys_openat(AT_FDCWD, fx("dirlink"), O_PATH | O_NOFOLLOW);
	if (check_ok("O_PATH|O_NOFOLLOW on a symlink to a directory", fd,
		     errno)) {
		open_err("openat(symlink fd, relative)", fd, "leaf.txt",
			 O_RDONLY, ENOTDIR);
		close(fd);
	}

	/* An O_PATH directory is a dirfd like any other. */
	dfd = sys_openat(AT_FDCWD, fx("sub"), O_PATH | O_DIRECTORY);
	if (check_ok("O_PATH|O_DIRECTORY on a directory", dfd, errno)) {
		open_reads("openat(O_PATH dirfd, relative)", dfd, "inner.txt",
			   O_RDONLY, FIX_INNER);
		open_reads("openat(O_PATH dirfd, \"..\")", dfd, "../small.txt",
			   O_RDONLY, FIX_SMALL);
		close(dfd);
	}
}

static void dirfds(void)
{
	int fd, dfd, closed;

	closed = sys_openat(AT_FDCWD, fx("sub"), O_RDONLY);
	if (closed >= 0)
		close(closed);
	open_err("openat(-1, relative)", -1, "small.txt", O_RDONLY, EBADF);
	open_err("openat(-1000, relative)", -1000, "small.txt", O_RDONLY, EBADF);
	open_err("openat(1000, relative)", 1000, "small.txt", O_RDONLY, EBADF);
	open_err("openat(closed fd, relative)", closed, "inner.txt", O_RDONLY,
		 EBADF);
	open_reads("openat(1000, absolute) ignores the dirfd", 1000,
		   fx("small.txt"), O_RDONLY, FIX_SMALL);
	open_reads("openat(-1, absolute) ignores the dirfd", -1,
		   fx("small.txt"), O_RDONLY, FIX_SMALL);

	fd = sys_openat(AT_FDCWD, fx("small.txt"), O_RDONLY);
	if (check_ok("open a file for a dirfd", fd, errno)) {
		open_err("openat(file fd, relative)", fd, "x", O_RDONLY, ENOTDIR);
		open_err("openat(file fd, \".\")", fd, ".", O_RDONLY, ENOTDIR);
		open_reads("openat(file fd, absolute)", fd, fx("alpha.txt"),
			   O_RDONLY, FIX_ALPHA);
		close(fd);
	}

	dfd = sys_openat(AT_FDCWD, fx("sub"), O_RDONLY | O_DIRECTORY);
	if (check_ok("open a directory for a dirfd", dfd, errno)) {
		open_reads("openat(dirfd, name)", dfd, "inner.txt", O_RDONLY,
			   FIX_INNER);
		open_reads("openat(dirfd, deeper)", dfd, "deep/leaf.txt",
			   O_RDONLY, FIX_LEAF);
		open_reads("openat(dirfd, \"..\")", dfd, "../small.txt",
			   O_RDONLY, FIX_SMALL);
		open_reads("openat(dirfd, \"./.\")", dfd, "./././inner.txt",
			   O_RDONLY, FIX_INNER);
		open_err("openat(dirfd, missing)", dfd, "small.txt", O_RDONLY,
			 ENOENT);
		close(dfd);
	}
}

static void cwd_relative(void)
{
	char path[PATH_MAX + 64];

	if (!check_ok("chdir(fixture)", chdir(fixture), errno))
		return;
	open_reads("relative to the cwd", AT_FDCWD, "small.txt", O_RDONLY,
		   FIX_SMALL);
	open_reads("relative to the cwd, open()", AT_FDCWD, "./sub/inner.txt",
		   O_RDONLY, FIX_INNER);
	open_reads("relative with \"..\"", AT_FDCWD, "sub/deep/../../alpha.txt",
		   O_RDONLY, FIX_ALPHA);
	open_reads("relative with repeated slashes", AT_FDCWD,
		   "sub//deep///leaf.txt", O_RDONLY, FIX_LEAF);
	open_reads("relative symlink from the cwd", AT_FDCWD, "rel_inner",
		   O_RDONLY, FIX_INNER);
	open_reads("\"../\" past \"/\" from the cwd", AT_FDCWD, "escape",
		   O_RDONLY, FIX_SMALL);
	open_err("relative missing", AT_FDCWD, "missing", O_RDONLY, ENOENT);
	snprintf(path, sizeof(path), "/../../..%s/small.txt", fixture);
	open_reads("\"..\" at \"/\" stays at \"/\"", AT_FDCWD, path, O_RDONLY,
		   FIX_SMALL);

	if (check_ok("chdir(sub)", chdir("sub"), errno)) {
		open_reads("relative after chdir(sub)", AT_FDCWD, "inner.txt",
			   O_RDONLY, FIX_INNER);
		open_reads("\"..\" after chdir(sub)", AT_FDCWD, "../small.txt",
			   O_RDONLY, FIX_SMALL);
	}
	if (check_ok("chdir(dirlink)", chdir(fx("dirlink")), errno))
		open_reads("\"..\" after chdir through a symlink", AT_FDCWD,
			   "../inner.txt", O_RDONLY, FIX_INNER);
	check_ok("chdir(\"/\")", chdir("/"), errno);
}

/* A path of exactly len bytes, "fixture/" dir, "./" padding, name. */
static int padded_path(char *buf, size_t len, const char *dir,
		       const char *name)
{
	size_t head, tail = strlen(name), pad, i;

	head = snprintf(buf, len, "%s/%s", fixture, dir);
	if (head + tail + 1 > len)
		return 0;
	pad = len - head - tail;
	for (i = 0; i < pad; i++)
		buf[head + i] = (pad - i) % 2 ? '/' : '.';
	memcpy(buf + head + pad, name, tail + 1);
	return strlen(buf) == len;
}

static void long_names(void)
{
	char name[300], path[PATH_MAX + 2];

	memset(name, 'x', 255);
	name[255] = '\0';
	snprintf(path, sizeof(path), "long/%s", name);
	open_reads("255-byte name", AT_FDCWD, fx(path), O_RDONLY, FIX_LONG_BODY);
	strcat(path, "x");
	open_err("256-byte name", AT_FDCWD, fx(path), O_RDONLY, ENAMETOOLONG);
	strcat(path, "/x");
	open_err("256-byte directory name", AT_FDCWD, fx(path), O_RDONLY,
		 ENAMETOOLONG);
	memset(name, 'y', 256);
	name[256] = '\0';
	open_err("256-byte missing name", AT_FDCWD, fx(name), O_RDONLY,
		 ENAMETOOLONG);

	/* PATH_MAX counts the NUL: 4095 bytes resolve, 4096 do not. */
	if (check_true("4095-byte path built",
		       padded_path(path, PATH_MAX - 1, "", "small.txt")))
		open_reads("4095-byte path", AT_FDCWD, path, O_RDONLY, FIX_SMALL);
	if (check_true("4096-byte path built",
		       padded_path(path, PATH_MAX, "", "small.txt")))
		open_err("4096-byte path", AT_FDCWD, path, O_RDONLY,
			 ENAMETOOLONG);
	if (check_true("4097-byte path built",
		       padded_path(path, PATH_MAX + 1, "", "small.txt")))
		open_err("4097-byte path", AT_FDCWD, path, O_RDONLY,
			 ENAMETOOLONG);

	/* Link bodies are walked in place, never pasted into the rest of the
	 * path: PATH_MAX does not bound what the links expand to. */
	open_reads("2003-byte symlink to a directory", AT_FDCWD,
		   fx("longsub/inner.txt"), O_RDONLY, FIX_INNER);
	open_reads("2007-byte symlink to a 2003-byte one", AT_FDCWD,
		   fx("longsub2/deep/leaf.txt"), O_RDONLY, FIX_LEAF);
	if (check_true("4095-byte path through longsub2 built",
		       padded_path(path, PATH_MAX - 1, "longsub2/",
				   "inner.txt")))
		open_reads("4095-byte path through 4010 bytes of links",
			   AT_FDCWD, path, O_RDONLY, FIX_INNER);
	if (check_true("4095-byte path ending in longsub2 built",
		       padded_path(path, PATH_MAX - 1, "", "longsub2"))) {
		int fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY);

		if (check_ok("4095-byte path ending in 4010 bytes of links", fd,
			     errno)) {
			open_reads("openat(its fd, name)", fd, "inner.txt",
				   O_RDONLY, FIX_INNER);
			close(fd);
		}
	}
}

static void bad_pointers(void)
{
	long page = sysconf(_SC_PAGESIZE);
	const char *name = fx("small.txt");
	size_t len = strlen(name) + 1;
	char *map;

	CHECK_ERRNO("openat((void *)1)", sys_openat(AT_FDCWD, (void *)1, 0),
		    EFAULT);
	CHECK_ERRNO("openat(NULL)", sys_openat(AT_FDCWD, NULL, 0), EFAULT);
	CHECK_ERRNO("openat(kernel address)",
		    sys_openat(AT_FDCWD, (void *)-4096L, 0), EFAULT);

	/* A name running into an unmapped page faults; one ending just
	 * before it does not. */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!check_true("mmap two pages", map != MAP_FAILED))
		return;
	if (!check_ok("munmap the second page", munmap(map + page, page), errno))
		return;
	memcpy(map + page - len, name, len);
	open_reads("path ending at the last byte of a page", AT_FDCWD,
		   map + page - len, O_RDONLY, FIX_SMALL);
	memcpy(map + page - (len - 1), name, len - 1);
	CHECK_ERRNO("path running into an unmapped page",
		    sys_openat(AT_FDCWD, map + page - (len - 1), O_RDONLY),
		    EFAULT);
	munmap(map, page);
	CHECK_ERRNO("path in an unmapped page",
		    sys_openat(AT_FDCWD, map + page - len, O_RDONLY), EFAULT);
}

int main(int argc, char **argv)
{
	fixture_init(argc, argv, "file_open_errors");
	missing_and_not_dirs();
	dirs_and_creat();
	links();
	o_path();
	dirfds();
	cwd_relative();
	long_names();
	bad_pointers();
	printf("file_open_errors: done\n");
	return check_exit("file_open_errors");
}
