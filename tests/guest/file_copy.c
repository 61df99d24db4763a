// SPDX-License-Identifier: Apache-2.0
/*
 * sendfile and copy_file_range (fs/read_write.c). sendfile reads its offset
 * before any fd and writes it back whatever happens; with an offset the
 * input's position stays, without one it moves; the input is judged (EBADF,
 * EINVAL for a negative offset) before the output. copy_file_range wants
 * both fds (EBADF), then its offsets (EFAULT), then flags 0 (EINVAL), then
 * two regular files (EISDIR, EINVAL), the right access modes and no
 * O_APPEND (EBADF), one file system (EXDEV, Linux 5.19), no overlap within a
 * file (EINVAL).
 *
 * Usage: file_copy SCRATCH_DIR
 */
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <unistd.h>

#define BAD_PTR bad_address()

static char dir[PATH_MAX / 2]; /* room for a name after it */

static int make(const char *name, const char *text, int flags)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		fail("create %s: errno %s", name, err_name(errno));
	close(fd);
	fd = open(path, flags);
	if (fd < 0)
		fail("open %s: errno %s", name, err_name(errno));
	return fd;
}

static int reopen(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return open(path, O_RDONLY);
}

static void expect_text(const char *what, int fd, const char *want)
{
	char buf[64] = { 0 };
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

	if (n < 0 || strcmp(buf, want))
		fail("%s: expected \"%s\" got \"%s\"", what, want, buf);
}

static long pos(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

/* A page holding an offset that the kernel can read but not write back. */
static off_t *readonly_offset(off_t value)
{
	off_t *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	*p = value;
	mprotect(p, 4096, PROT_READ);
	return p;
}

static void sendfile_moves(void)
{
	int in = make("src", "0123456789", O_RDONLY), out = make("dst", "", O_WRONLY);
	off_t off = 2, *ro;

	check_long("sendfile at the position", 4, sendfile(out, in, NULL, 4));
	check_long("the input's position moved", 4, pos(in));
	check_long("the output's position moved", 4, pos(out));
	check_long("sendfile at an offset", 3, sendfile(out, in, &off, 3));
	check_long("the offset moved", 5, off);
	check_long("the input's position stayed", 4, pos(in));
	expect_text("sendfile wrote", reopen("dst"), "0123234");
	check_long("count 0", 0, sendfile(out, in, NULL, 0));
	off = 20;
	check_long("an offset past the end", 0, sendfile(out, in, &off, 4));
	check_long("to stdout", 10, sendfile(1, in, &(off_t){ 0 }, 10));
	printf("\n");
	ro = readonly_offset(0);
	if (ro) {
		CHECK_ERRNO("an offset that cannot be written back", sendfile(out, in, ro, 2),
			    EFAULT);
		check_long("the data went all the same", 9, pos(out));
	}
	close(in);
	close(out);
}

static void sendfile_errors(void)
{
	int in = make("src", "0123456789", O_RDONLY), out = make("dst", "", O_WRONLY);
	int app = make("app", "", O_WRONLY | O_APPEND), d = open(dir, O_RDONLY);
	off_t neg = -1;

	CHECK_ERRNO("a bad offset pointer before the fds", sendfile(-1, -1, BAD_PTR, 1), EFAULT);
	CHECK_ERRNO("no input", sendfile(out, -1, NULL, 1), EBADF);
	CHECK_ERRNO("no output", sendfile(-1, in, NULL, 1), EBADF);
	CHECK_ERRNO("fd 999", sendfile(out, 999, NULL, 1), EBADF);
	CHECK_ERRNO("a write-only input", sendfile(in, out, NULL, 1), EBADF);
	CHECK_ERRNO("a negative offset", sendfile(out, in, &neg, 1), EINVAL);
	CHECK_ERRNO("the input before the output", sendfile(-1, in, &neg, 1), EINVAL);
	check_long("the offset written back", -1, neg);
	CHECK_ERRNO("an O_APPEND output", sendfile(app, in, NULL, 1), EINVAL);
	CHECK_ERRNO("a directory input", sendfile(out, d, NULL, 1), EINVAL);
	check_long("the failures moved nothing", 0, pos(in));
	close(in);
	close(out);
	close(app);
	close(d);
}

static void copy_moves(void)
{
	int in = make("src", "0123456789", O_RDONLY), out = make("dst", "", O_RDWR);
	loff_t a = 3, b = 1, *ro;

	check_long("copy_file_range at the positions", 2, copy_file_range(in, NULL, out, NULL, 2, 0));
	check_long("the input's position moved", 2, pos(in));
	check_long("the output's position moved", 2, pos(out));
	check_long("copy_file_range at offsets", 4, copy_file_range(in, &a, out, &b, 4, 0));
	check_long("off_in moved", 7, a);
	check_long("off_out moved", 5, b);
	check_long("the positions stayed", 4, pos(in) + pos(out));
	expect_text("copy_file_range wrote", out, "03456");
	check_long("length 0", 0, copy_file_range(in, NULL, out, NULL, 0, 0));
	a = 10;
	check_long("from the end", 0, copy_file_range(in, &a, out, NULL, 4, 0));
	check_long("nothing copied, offset stays", 10, a);
	check_long("within one file", 3, copy_file_range(out, &(loff_t){ 0 }, out, &(loff_t){ 5 }, 3, 0));
	expect_text("within one file wrote", out, "03456034");
	ro = (loff_t *)readonly_offset(0);
	if (ro)
		CHECK_ERRNO("an offset that cannot be written back",
			    copy_file_range(in, ro, out, NULL, 2, 0), EFAULT);
	close(in);
	close(out);
}

static void copy_errors(void)
{
	int in = make("src", "0123456789", O_RDONLY), out = make("dst", "0123456789", O_RDWR);
	int app = make("app", "", O_WRONLY | O_APPEND), d = open(dir, O_RDONLY);
	int null = open("/dev/null", O_RDWR), mem = memfd_create("copy", 0);
	loff_t a = 0, b = 2;

	CHECK_ERRNO("no input", copy_file_range(-1, NULL, out, NULL, 1, 0), EBADF);
	CHECK_ERRNO("no output", copy_file_range(in, NULL, 999, NULL, 1, 0), EBADF);
	CHECK_ERRNO("the fds before the offsets", copy_file_range(-1, BAD_PTR, out, NULL, 1, 0),
		    EBADF);
	CHECK_ERRNO("a bad off_in", copy_file_range(in, BAD_PTR, out, NULL, 1, 0), EFAULT);
	CHECK_ERRNO("a bad off_out", copy_file_range(in, NULL, out, BAD_PTR, 1, 0), EFAULT);
	CHECK_ERRNO("flags 1", copy_file_range(in, NULL, out, NULL, 1, 1), EINVAL);
	CHECK_ERRNO("the offsets before the flags", copy_file_range(in, BAD_PTR, out, NULL, 1, 1),
		    EFAULT);
	CHECK_ERRNO("a directory", copy_file_range(d, NULL, out, NULL, 1, 0), EISDIR);
	CHECK_ERRNO("a device", copy_file_range(null, NULL, out, NULL, 1, 0), EINVAL);
	CHECK_ERRNO("a write-only input", copy_file_range(app, NULL, out, NULL, 1, 0), EBADF);
	CHECK_ERRNO("a read-only output", copy_file_range(out, NULL, in, NULL, 1, 0), EBADF);
	CHECK_ERRNO("an O_APPEND output", copy_file_range(in, NULL, app, NULL, 1, 0), EBADF);
	if (mem >= 0 && write(mem, "abc", 3) == 3)
		CHECK_ERRNO("another file system", copy_file_range(mem, &a, out, NULL, 3, 0), EXDEV);
	CHECK_ERRNO("a read-only file onto itself", copy_file_range(in, &a, in, &b, 4, 0), EBADF);
	CHECK_ERRNO("overlapping ranges of one file",
		    copy_file_range(out, &(loff_t){ 0 }, out, &(loff_t){ 2 }, 4, 0), EINVAL);
	check_long("the failures moved nothing", 0, pos(in) + pos(out));
	close(in);
	close(out);
	close(app);
	close(d);
	close(null);
	close(mem);
}

int main(int argc, char **argv)
{
	const char *names[] = { "src", "dst", "app" };

	if (argc != 2) {
		fprintf(stderr, "usage: file_copy SCRATCH_DIR\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s", argv[1]);
	sendfile_moves();
	sendfile_errors();
	copy_moves();
	copy_errors();
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	return check_exit("file_copy");
}
