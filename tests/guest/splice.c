// SPDX-License-Identifier: Apache-2.0
/*
 * splice(2) and tee(2) (fs/splice.c):
 * - a file into a pipe and a pipe into a file, at an offset the call
 *   advances (the file position stays) or at the position (which moves);
 * - tee copies a pipe's data into another and leaves it in the first;
 * - with nothing in the pipe, splice waits for a writer (a child), returns 0
 *   once no writer is left, is EAGAIN with SPLICE_F_NONBLOCK or from a pipe
 *   opened O_NONBLOCK, and a handler
 *   without SA_RESTART ends the wait with EINTR;
 * - the errors in Linux's order: a zero length is 0 before anything, then
 *   unknown flags EINVAL, bad fds EBADF, an offset for a pipe ESPIPE, a bad
 *   offset pointer EFAULT, no pipe at either end EINVAL; tee of a file, or
 *   of a pipe into itself, EINVAL.
 *
 * Usage: splice SCRATCH_DIR
 */
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static char path[PATH_MAX];

static void expect_pipe(const char *what, int fd, const char *want)
{
	char buf[64] = { 0 };
	long n = read(fd, buf, sizeof buf - 1);

	if (check_long(what, (long)strlen(want), n) && strcmp(buf, want))
		fail("%s: expected \"%s\" got \"%s\"", what, want, buf);
}

static void file_and_pipe(int file)
{
	int p[2];
	loff_t off = 6;
	char buf[16] = { 0 };

	if (!CHECK_OK("pipe", pipe(p)))
		return;
	lseek(file, 2, SEEK_SET);
	check_long("splice a file at an offset into a pipe", 5,
		   splice(file, &off, p[1], NULL, 5, 0));
	check_long("the offset advanced", 11, off);
	check_long("the file position stayed", 2, lseek(file, 0, SEEK_CUR));
	expect_pipe("the pipe holds the file's bytes", p[0], "world");
	check_long("splice at the file position", 3, splice(file, NULL, p[1], NULL, 3, 0));
	check_long("the position moved", 5, lseek(file, 0, SEEK_CUR));
	expect_pipe("those bytes", p[0], "llo");
	check_long("write into the pipe", 4, write(p[1], "XYZW", 4));
	off = 0;
	check_long("splice the pipe into the file at 0", 4, splice(p[0], NULL, file, &off, 4, 0));
	check_long("pread", 11, pread(file, buf, 11, 0));
	check_true("the file changed at 0", !strcmp(buf, "XYZWo world"));
	close(p[0]);
	close(p[1]);
}

static void tees(void)
{
	int a[2], b[2];

	if (!CHECK_OK("pipe a", pipe(a)) || !CHECK_OK("pipe b", pipe(b)))
		return;
	check_long("write", 6, write(a[1], "teeing", 6));
	check_long("tee", 6, tee(a[0], b[1], 100, 0));
	expect_pipe("the copy", b[0], "teeing");
	expect_pipe("the original is still there", a[0], "teeing");
	CHECK_ERRNO("tee of an empty pipe, SPLICE_F_NONBLOCK", tee(a[0], b[1], 10, SPLICE_F_NONBLOCK),
		    EAGAIN);
	CHECK_ERRNO("tee of a pipe into itself", tee(a[0], a[1], 10, 0), EINVAL);
	CHECK_ERRNO("tee of unknown flags", tee(a[0], b[1], 10, 0x100), EINVAL);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void waits(int file)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int p[2], status;
	loff_t off = 0;
	pid_t kid;

	if (!CHECK_OK("pipe", pipe(p)))
		return;
	CHECK_ERRNO("an empty pipe with SPLICE_F_NONBLOCK",
		    splice(p[0], NULL, file, &off, 4, SPLICE_F_NONBLOCK), EAGAIN);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	CHECK_ERRNO("an empty pipe opened O_NONBLOCK", splice(p[0], NULL, file, &off, 4, 0), EAGAIN);
	fcntl(p[0], F_SETFL, 0);
	fflush(stdout);
	kid = fork();
	if (kid == 0) {
		usleep(100000);
		_exit(write(p[1], "late", 4) == 4 ? 0 : 1);
	}
	if (!CHECK_OK("fork", kid))
		return;
	check_long("splice waits for the writer", 4, splice(p[0], NULL, file, &off, 4, 0));
	waitpid(kid, &status, 0);
	sigaction(SIGALRM, &sa, NULL);
	ualarm(100000, 0);
	CHECK_ERRNO("a handler ends the wait", splice(p[0], NULL, file, &off, 4, 0), EINTR);
	signal(SIGALRM, SIG_DFL);
	alarm(30);
	close(p[1]);
	check_long("no writer left: 0", 0, splice(p[0], NULL, file, &off, 4, 0));
	close(p[0]);
}

static void errors(int file)
{
	int p[2];
	loff_t off = 0;

	if (!CHECK_OK("pipe", pipe(p)))
		return;
	check_long("a zero length before anything", 0, splice(-1, NULL, -1, NULL, 0, 0x100));
	CHECK_ERRNO("unknown flags", splice(file, NULL, p[1], NULL, 4, 0x100), EINVAL);
	CHECK_ERRNO("a bad input fd", splice(-1, NULL, p[1], NULL, 4, 0), EBADF);
	CHECK_ERRNO("a bad output fd", splice(file, NULL, 999, NULL, 4, 0), EBADF);
	CHECK_ERRNO("an offset for a pipe", splice(p[0], &off, file, NULL, 4, 0), ESPIPE);
	CHECK_ERRNO("a bad offset pointer", splice(file, bad_address(), p[1], NULL, 4, 0), EFAULT);
	CHECK_ERRNO("no pipe at either end", splice(file, NULL, file, NULL, 4, 0), EINVAL);
	CHECK_ERRNO("tee of a file", tee(file, p[1], 4, 0), EINVAL);
	close(p[0]);
	close(p[1]);
}

int main(int argc, char **argv)
{
	int file;

	if (argc != 2) {
		fprintf(stderr, "usage: splice SCRATCH_DIR\n");
		return 2;
	}
	alarm(30); /* a wait that never ends fails the test */
	snprintf(path, sizeof path, "%s/spliced", argv[1]);
	file = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (!CHECK_OK("create", file) || !check_long("write", 11, write(file, "hello world", 11)))
		return check_exit("splice");
	file_and_pipe(file);
	tees();
	waits(file);
	errors(file);
	close(file);
	return check_exit("splice");
}
