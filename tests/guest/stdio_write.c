// SPDX-License-Identifier: Apache-2.0
/*
 * Output through stdio and the raw write family on fds 0-2: return counts,
 * empty writes, bad fds and bad buffers. stdout is deterministic so the
 * sandbox run can be compared byte for byte with the native one.
 */
#include "check.h"

#include <limits.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

/* Large enough to need several trips through a 64 KiB pipe. */
#define BIG_LEN (256 * 1024)

static char big[BIG_LEN];

static void check_stdio(void)
{
	static const char rec[] = "fwrite\0with a NUL\n";
	int n;

	n = printf("stdio_write: printf %d %s %c\n", 42, "str", 'c');
	check_long("printf count", 29, n);
	n = puts("stdio_write: puts");
	check_true("puts returns nonnegative", n >= 0);
	check_long("fwrite items", 3,
		   (long)fwrite(rec, 6, 3, stdout));
	n = fprintf(stderr, "stdio_write: to stderr\n");
	check_long("fprintf stderr count", 23, n);
	check_long("fflush stdout", 0, fflush(stdout));
}

static void check_writev(void)
{
	char a[] = "stdio_write: writev ";
	char b[] = "in ";
	char c[] = "four pieces\n";
	struct iovec iov[] = {
		{ a, strlen(a) },
		{ NULL, 0 },
		{ b, strlen(b) },
		{ c, strlen(c) },
	};
	ssize_t want = strlen(a) + strlen(b) + strlen(c);
	ssize_t r;
	int err;

	r = writev(STDOUT_FILENO, iov, 4);
	err = errno;
	if (check_ok("writev(1, 4 iovecs)", r, err))
		check_long("writev count", want, r);

	r = writev(STDOUT_FILENO, iov, 0);
	check_long("writev(1, iovcnt 0)", 0, r);

	/* Raw calls: the kernel rejects the count before reading the array. */
	r = syscall(SYS_writev, STDOUT_FILENO, iov, -1);
	err = errno;
	check_errno("writev(1, iovcnt -1)", r, err, EINVAL);

	r = syscall(SYS_writev, STDOUT_FILENO, iov, IOV_MAX + 1);
	err = errno;
	check_errno("writev(1, iovcnt IOV_MAX+1)", r, err, EINVAL);

	r = writev(-1, iov, 4);
	err = errno;
	check_errno("writev(-1)", r, err, EBADF);
}

static void check_write(void)
{
	static const char line[] = "stdio_write: raw write\n";
	ssize_t r;
	int err;

	r = write(STDOUT_FILENO, line, sizeof(line) - 1);
	check_long("write(1) count", sizeof(line) - 1, r);

	r = write(STDOUT_FILENO, line, 0);
	check_long("write(1, 0 bytes)", 0, r);
	r = write(STDERR_FILENO, line, 0);
	check_long("write(2, 0 bytes)", 0, r);

	r = write(-1, line, 1);
	err = errno;
	check_errno("write(-1)", r, err, EBADF);
	r = write(1000, line, 1);
	err = errno;
	check_errno("write(1000)", r, err, EBADF);
	r = write(INT_MAX, line, 1);
	err = errno;
	check_errno("write(INT_MAX)", r, err, EBADF);
}

/*
 * One large write must go through whole: a blocking pipe write is not
 * short unless a signal arrives.
 */
static void check_big_write(void)
{
	static const char head[] = "stdio_write: 256 KiB follow\n";
	ssize_t r;
	size_t i;

	for (i = 0; i < BIG_LEN; i++)
		big[i] = (i % 64 == 63) ? '\n' : 'a' + (i / 64) % 26;
	r = write(STDOUT_FILENO, head, sizeof(head) - 1);
	check_long("write head", sizeof(head) - 1, r);
	r = write(STDOUT_FILENO, big, BIG_LEN);
	check_long("write 256 KiB", BIG_LEN, r);
}

/*
 * What a pipe on stdout must answer. The runner always gives a pipe; when run
 * by hand stdout may be a terminal or file, where these answers differ.
 */
static void check_pipe_stdout(void)
{
	struct termios tio;
	struct stat st;
	ssize_t r;
	off_t off;
	int err;

	if (fstat(STDOUT_FILENO, &st) != 0) {
		fail("fstat(1): expected 0 got -1 (errno %s)", err_name(errno));
		return;
	}
	if (!S_ISFIFO(st.st_mode)) {
		note("stdout is not a pipe, pipe checks skipped");
		return;
	}
	off = lseek(STDOUT_FILENO, 0, SEEK_CUR);
	err = errno;
	check_errno("lseek(pipe)", off, err, ESPIPE);
	r = ioctl(STDOUT_FILENO, TCGETS, &tio);
	err = errno;
	check_errno("ioctl(pipe, TCGETS)", r, err, ENOTTY);
	check_long("isatty(pipe)", 0, isatty(STDOUT_FILENO));
	/* Nothing of a bad buffer may reach the pipe. */
	r = syscall(SYS_write, STDOUT_FILENO, 1L, 16L);
	err = errno;
	check_errno("write(pipe, bad pointer)", r, err, EFAULT);
}

static void check_fstat_std(void)
{
	struct stat st;
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		char what[32];

		snprintf(what, sizeof(what), "fstat(%d)", fd);
		if (fstat(fd, &st) != 0)
			fail("%s: expected 0 got -1 (errno %s)", what,
			     err_name(errno));
	}
	if (fstat(1000, &st) != -1 || errno != EBADF)
		fail("fstat(1000): expected -1 EBADF got %s",
		     err_name(errno));
}

int main(void)
{
	check_stdio();
	check_writev();
	check_write();
	check_fstat_std();
	check_pipe_stdout();
	check_big_write();
	printf("stdio_write: done\n");
	return check_exit("stdio_write");
}
