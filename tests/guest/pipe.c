// SPDX-License-Identifier: Apache-2.0
/*
 * pipe(2) and pipe2(2) (fs/pipe.c): flags are judged first (EINVAL), then
 * the pipe is made, both fds taken (EMFILE), and the pair written (EFAULT,
 * leaving no fd behind). The ends are a FIFO's read and write side with
 * O_RDONLY and O_WRONLY plus O_NONBLOCK (and O_DIRECT on the write end);
 * O_CLOEXEC is the fd flag. A pipe holds F_GETPIPE_SZ bytes; F_SETPIPE_SZ
 * rounds up to a power-of-two number of pages, refuses less than the
 * content (EBUSY), more than 2 GiB (EINVAL) and, without CAP_SYS_RESOURCE,
 * growth past pipe-max-size (EPERM). O_DIRECT keeps write boundaries;
 * a write with no reader is EPIPE and SIGPIPE.
 *
 * Usage: pipe [sigpipe]   (sigpipe: the write with no reader must kill the
 *                          program by SIGPIPE; it never exits 0)
 */
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef O_NOTIFICATION_PIPE
#define O_NOTIFICATION_PIPE O_EXCL
#endif

#define BAD_PTR bad_address()

static long page;

/* The lowest fd not open: where the next pipe's read end goes. */
static int lowest_free(void)
{
	int fd = dup(STDERR_FILENO);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* /proc/sys/fs/pipe-max-size: 1 MiB unless the host's admin changed it;
 * umbra's is always 1 MiB. */
static long pipe_max_size(void)
{
	FILE *f = fopen("/proc/sys/fs/pipe-max-size", "re");
	long v = -1;

	if (!f || fscanf(f, "%ld", &v) != 1)
		fail("/proc/sys/fs/pipe-max-size: expected a number got %s",
		     f ? "none" : err_name(errno));
	if (f)
		fclose(f);
	if (under_umbra())
		check_long("umbra's pipe-max-size", 1024 * 1024, v);
	else if (v != 1024 * 1024)
		note("pipe-max-size %ld", v);
	return v > 0 ? v : 1024 * 1024;
}

/* Natively: whether this process may pass pipe-max-size. */
static int has_sys_resource(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return 0;
	return !!(d[CAP_TO_INDEX(CAP_SYS_RESOURCE)].effective & CAP_TO_MASK(CAP_SYS_RESOURCE));
}

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void close_pair(int fds[2])
{
	close(fds[0]);
	close(fds[1]);
}

static short revents(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

static void check_link(const char *what, int fd, ino_t ino)
{
	char path[64], want[64], got[64] = "";
	ssize_t n;

	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	snprintf(want, sizeof want, "pipe:[%lu]", (unsigned long)ino);
	n = readlink(path, got, sizeof got - 1);
	if (n >= 0)
		got[n] = 0;
	if (strcmp(want, got))
		fail("%s: expected %s got %s (errno %s)", what, want, got,
		     n < 0 ? err_name(errno) : "-");
}

static void basics(void)
{
	int lo = lowest_free(), fds[2] = { -1, -1 };
	struct stat r, w;
	char buf[8] = { 0 };
	int avail = -1;

	if (!CHECK_OK("pipe2(0)", pipe2(fds, 0)))
		return;
	check_long("the read end is the lowest free fd", lo, fds[0]);
	check_long("the write end the next", lo + 1, fds[1]);
	check_long("fstat(read end)", 0, fstat(fds[0], &r));
	check_long("fstat(write end)", 0, fstat(fds[1], &w));
	check_ulong("read end is S_IFIFO", S_IFIFO, r.st_mode & S_IFMT);
	check_ulong("write end is S_IFIFO", S_IFIFO, w.st_mode & S_IFMT);
	check_true("both ends are one inode", r.st_ino == w.st_ino && r.st_dev == w.st_dev);
	check_link("readlink of the read end", fds[0], r.st_ino);
	check_link("readlink of the write end", fds[1], r.st_ino);
	check_long("F_GETFL(read end)", O_RDONLY, fcntl(fds[0], F_GETFL));
	check_long("F_GETFL(write end)", O_WRONLY, fcntl(fds[1], F_GETFL));
	check_long("F_GETFD(read end)", 0, fcntl(fds[0], F_GETFD));
	check_long("F_GETFD(write end)", 0, fcntl(fds[1], F_GETFD));

	check_long("write", 5, write(fds[1], "hello", 5));
	check_long("FIONREAD", 0, ioctl(fds[0], FIONREAD, &avail));
	check_long("FIONREAD count", 5, avail);
	check_long("read", 5, read(fds[0], buf, sizeof buf));
	check_true("read back", !strcmp(buf, "hello"));
	CHECK_ERRNO("lseek", lseek(fds[0], 0, SEEK_CUR), ESPIPE);
	CHECK_ERRNO("pread", pread(fds[0], buf, 1, 0), ESPIPE);
	CHECK_ERRNO("write to the read end", write(fds[0], "x", 1), EBADF);
	CHECK_ERRNO("read from the write end", read(fds[1], buf, 1), EBADF);
	close_pair(fds);

#ifdef SYS_pipe
	if (CHECK_OK("pipe", syscall(SYS_pipe, fds))) {
		check_long("pipe: the read end", lo, fds[0]);
		check_long("pipe: F_GETFL(write end)", O_WRONLY, fcntl(fds[1], F_GETFL));
		check_long("pipe: F_GETFD(read end)", 0, fcntl(fds[0], F_GETFD));
		check_long("pipe: a write", 2, write(fds[1], "ok", 2));
		check_long("pipe: a read", 2, read(fds[0], buf, sizeof buf));
		close_pair(fds);
	}
#endif
}

static void flags(void)
{
	int lo = lowest_free(), fds[2], r;

	if (CHECK_OK("pipe2(O_CLOEXEC)", pipe2(fds, O_CLOEXEC))) {
		check_long("O_CLOEXEC: F_GETFD(read end)", FD_CLOEXEC, fcntl(fds[0], F_GETFD));
		check_long("O_CLOEXEC: F_GETFD(write end)", FD_CLOEXEC, fcntl(fds[1], F_GETFD));
		check_long("O_CLOEXEC: F_GETFL(read end)", O_RDONLY, fcntl(fds[0], F_GETFL));
		close_pair(fds);
	}
	if (CHECK_OK("pipe2(O_NONBLOCK)", pipe2(fds, O_NONBLOCK))) {
		check_long("O_NONBLOCK: F_GETFL(read end)", O_RDONLY | O_NONBLOCK,
			   fcntl(fds[0], F_GETFL));
		check_long("O_NONBLOCK: F_GETFL(write end)", O_WRONLY | O_NONBLOCK,
			   fcntl(fds[1], F_GETFL));
		check_long("O_NONBLOCK: F_GETFD", 0, fcntl(fds[0], F_GETFD));
		close_pair(fds);
	}
	/* create_pipe_files(): O_DIRECT is the write end's alone. */
	if (CHECK_OK("pipe2(all flags)", pipe2(fds, O_CLOEXEC | O_NONBLOCK | O_DIRECT))) {
		check_long("all flags: F_GETFL(read end)", O_RDONLY | O_NONBLOCK,
			   fcntl(fds[0], F_GETFL));
		check_long("all flags: F_GETFL(write end)", O_WRONLY | O_NONBLOCK | O_DIRECT,
			   fcntl(fds[1], F_GETFL));
		check_long("all flags: F_GETFD(write end)", FD_CLOEXEC, fcntl(fds[1], F_GETFD));
		close_pair(fds);
	}
	/* The flags are an int: the upper half of the register is not read. */
	if (CHECK_OK("pipe2(O_CLOEXEC | 1 << 32)",
		     syscall(SYS_pipe2, fds, (1UL << 32) | O_CLOEXEC))) {
		check_long("1 << 32: F_GETFD", FD_CLOEXEC, fcntl(fds[0], F_GETFD));
		close_pair(fds);
	}

	CHECK_ERRNO("pipe2(O_APPEND)", pipe2(fds, O_APPEND), EINVAL);
	CHECK_ERRNO("pipe2(O_RDWR)", pipe2(fds, O_RDWR), EINVAL);
	CHECK_ERRNO("pipe2(O_SYNC)", pipe2(fds, O_SYNC), EINVAL);
	CHECK_ERRNO("pipe2(1 << 31)", syscall(SYS_pipe2, fds, 1UL << 31), EINVAL);
	CHECK_ERRNO("pipe2(bad flags, bad pointer): the flags first",
		    pipe2(BAD_PTR, O_APPEND), EINVAL);
	check_long("nothing left open after EINVAL", lo, lowest_free());

	/* Watch queues: umbra has none, as a kernel without
	 * CONFIG_WATCH_QUEUE; a host kernel may have them. */
	r = pipe2(fds, O_NOTIFICATION_PIPE);
	if (under_umbra())
		check_errno("pipe2(O_NOTIFICATION_PIPE)", r, errno, ENOPKG);
	else if (r == 0)
		close_pair(fds);
	else
		note("pipe2(O_NOTIFICATION_PIPE): %s", err_name(errno));
}

static void faults(void)
{
	int lo = lowest_free();

	CHECK_ERRNO("pipe2(bad pointer)", pipe2(BAD_PTR, 0), EFAULT);
	CHECK_ERRNO("pipe2(bad pointer, O_CLOEXEC)", pipe2(BAD_PTR, O_CLOEXEC), EFAULT);
	check_true("EFAULT: no read end left", !is_open(lo));
	check_true("EFAULT: no write end left", !is_open(lo + 1));
#ifdef SYS_pipe
	CHECK_ERRNO("pipe(bad pointer)", syscall(SYS_pipe, BAD_PTR), EFAULT);
	check_true("pipe EFAULT: no fd left", !is_open(lo) && !is_open(lo + 1));
#endif
}

/* RLIMIT_NOFILE leaving one free fd: both ends or neither. */
static void emfile(void)
{
	int lo = lowest_free(), fds[2] = { -1, -1 };
	struct rlimit old, one;

	if (!CHECK_OK("getrlimit", getrlimit(RLIMIT_NOFILE, &old)))
		return;
	one = old;
	one.rlim_cur = (rlim_t)lo + 1;
	if (!CHECK_OK("setrlimit(one free fd)", setrlimit(RLIMIT_NOFILE, &one)))
		return;
	CHECK_ERRNO("pipe2 with one free fd", pipe2(fds, 0), EMFILE);
	check_true("EMFILE: the free fd stays free", !is_open(lo));
	CHECK_ERRNO("EMFILE before EFAULT", pipe2(BAD_PTR, 0), EMFILE);
	CHECK_ERRNO("EINVAL before EMFILE", pipe2(fds, O_APPEND), EINVAL);
	one.rlim_cur = (rlim_t)lo + 2;
	setrlimit(RLIMIT_NOFILE, &one);
	if (CHECK_OK("pipe2 with two free fds", pipe2(fds, 0))) {
		check_true("the two fds", fds[0] == lo && fds[1] == lo + 1);
		close_pair(fds);
	}
	CHECK_OK("setrlimit back", setrlimit(RLIMIT_NOFILE, &old));
}

/* Page-sized transfers on a nonblocking pipe until EAGAIN: fills it
 * (writing from buf) or drains it (reading into buf); the bytes moved. */
static long pump(int fd, char *buf, int reading)
{
	long total = 0, n;

	while ((n = reading ? read(fd, buf, (size_t)page) : write(fd, buf, (size_t)page)) > 0)
		total += n;
	if (n < 0 && errno != EAGAIN)
		fail("%s: expected EAGAIN at the end got %s", reading ? "draining" : "filling",
		     err_name(errno));
	return total;
}

static long fill(int fd, char *chunk)
{
	return pump(fd, chunk, 0);
}

static long drain(int fd, char *buf)
{
	return pump(fd, buf, 1);
}

static void capacity(char *chunk, char *buf)
{
	int fds[2], avail = -1;
	long size;

	if (!CHECK_OK("pipe2(O_NONBLOCK)", pipe2(fds, O_NONBLOCK)))
		return;
	size = fcntl(fds[0], F_GETPIPE_SZ);
	if (size != 65536)
		note("default pipe size %ld", size);
	check_true("F_GETPIPE_SZ is a power-of-two number of pages",
		   size >= page && size % page == 0 && !(size & (size - 1)));
	check_long("F_GETPIPE_SZ of the write end", size, fcntl(fds[1], F_GETPIPE_SZ));
	CHECK_ERRNO("read of an empty pipe", read(fds[0], buf, 1), EAGAIN);
	check_long("poll: nothing to read", 0, revents(fds[0], POLLIN));
	check_long("poll: room to write", POLLOUT, revents(fds[1], POLLOUT));
	check_long("a full pipe holds F_GETPIPE_SZ bytes", size, fill(fds[1], chunk));
	CHECK_ERRNO("one byte more", write(fds[1], "x", 1), EAGAIN);
	check_long("FIONREAD of a full pipe", 0, ioctl(fds[0], FIONREAD, &avail));
	check_long("FIONREAD count", size, avail);
	check_long("poll: something to read", POLLIN, revents(fds[0], POLLIN));
	check_long("poll: no room", 0, revents(fds[1], POLLOUT));
	check_long("it all comes back", size, drain(fds[0], buf));
	CHECK_ERRNO("read of the emptied pipe", read(fds[0], buf, 1), EAGAIN);
	close_pair(fds);
}

static void set_size(char *chunk, char *buf)
{
	int fds[2], null = open("/dev/null", O_RDONLY | O_CLOEXEC), path;
	long r, max = pipe_max_size();

	if (!CHECK_OK("pipe2(O_NONBLOCK)", pipe2(fds, O_NONBLOCK)))
		return;
	check_long("F_SETPIPE_SZ 0: one page", page, fcntl(fds[1], F_SETPIPE_SZ, 0));
	check_long("F_GETPIPE_SZ after it", page, fcntl(fds[0], F_GETPIPE_SZ));
	check_long("F_SETPIPE_SZ 1", page, fcntl(fds[0], F_SETPIPE_SZ, 1));
	check_long("F_SETPIPE_SZ page + 1", 2 * page, fcntl(fds[0], F_SETPIPE_SZ, page + 1));
	check_long("F_SETPIPE_SZ 3 pages", 4 * page, fcntl(fds[0], F_SETPIPE_SZ, 3 * page));
	check_long("F_GETPIPE_SZ", 4 * page, fcntl(fds[1], F_GETPIPE_SZ));
	check_long("a pipe of 4 pages holds 4 pages", 4 * page, fill(fds[1], chunk));
	check_long("drained", 4 * page, drain(fds[0], buf));
	CHECK_ERRNO("F_SETPIPE_SZ past 2 GiB", fcntl(fds[0], F_SETPIPE_SZ, (1U << 31) + 1),
		    EINVAL);
	CHECK_ERRNO("F_SETPIPE_SZ UINT_MAX", fcntl(fds[0], F_SETPIPE_SZ, UINT_MAX), EINVAL);
	check_long("EINVAL left the size", 4 * page, fcntl(fds[0], F_GETPIPE_SZ));

	/* pipe_resize_ring(): fewer slots than buffers in use is EBUSY. */
	check_long("three pages in three writes", 3 * page,
		   write(fds[1], chunk, (size_t)page) + write(fds[1], chunk, (size_t)page) +
		   write(fds[1], chunk, (size_t)page));
	CHECK_ERRNO("F_SETPIPE_SZ below the content", fcntl(fds[0], F_SETPIPE_SZ, page), EBUSY);
	CHECK_ERRNO("F_SETPIPE_SZ two pages", fcntl(fds[0], F_SETPIPE_SZ, 2 * page), EBUSY);
	check_long("EBUSY left the size", 4 * page, fcntl(fds[0], F_GETPIPE_SZ));
	check_long("three pages still there", 3 * page, drain(fds[0], buf));
	check_long("F_SETPIPE_SZ of an empty pipe", page, fcntl(fds[0], F_SETPIPE_SZ, page));

	/* Growth past pipe-max-size takes CAP_SYS_RESOURCE, which no guest
	 * of umbra has; the limit's own size is allowed. */
	r = fcntl(fds[0], F_SETPIPE_SZ, max);
	if (r < 0 && errno == EPERM && !under_umbra())
		note("F_SETPIPE_SZ pipe-max-size: EPERM (this user's pipe-user-pages-soft)");
	else
		check_long("F_SETPIPE_SZ pipe-max-size", max, r);
	r = fcntl(fds[0], F_SETPIPE_SZ, max + 1);
	if (under_umbra() || !has_sys_resource())
		check_errno("F_SETPIPE_SZ past pipe-max-size", r, errno, EPERM);
	else
		check_long("F_SETPIPE_SZ past pipe-max-size, CAP_SYS_RESOURCE", 2 * max, r);
	check_long("shrinking is always allowed", 2 * page, fcntl(fds[0], F_SETPIPE_SZ, 2 * page));
	close_pair(fds);

	CHECK_ERRNO("F_GETPIPE_SZ of /dev/null", fcntl(null, F_GETPIPE_SZ), EBADF);
	CHECK_ERRNO("F_SETPIPE_SZ of /dev/null", fcntl(null, F_SETPIPE_SZ, page), EBADF);
	CHECK_ERRNO("F_SETPIPE_SZ of /dev/null, bad size",
		    fcntl(null, F_SETPIPE_SZ, UINT_MAX), EBADF);
	close(null);
	path = open("/", O_PATH | O_CLOEXEC);
	CHECK_ERRNO("F_GETPIPE_SZ of an O_PATH fd", fcntl(path, F_GETPIPE_SZ), EBADF);
	close(path);
	CHECK_ERRNO("F_GETPIPE_SZ of a closed fd", fcntl(lowest_free(), F_GETPIPE_SZ), EBADF);
}

/* O_DIRECT: each write is a packet of at most PIPE_BUF bytes; a short read
 * takes the start of one and drops the rest. */
static void packets(char *chunk, char *buf)
{
	int fds[2], avail = -1;

	if (!CHECK_OK("pipe2(O_DIRECT | O_NONBLOCK)", pipe2(fds, O_DIRECT | O_NONBLOCK)))
		return;
	check_long("packet 1", 3, write(fds[1], "abc", 3));
	check_long("packet 2", 5, write(fds[1], "defgh", 5));
	check_long("FIONREAD", 0, ioctl(fds[0], FIONREAD, &avail));
	check_long("FIONREAD counts both packets", 8, avail);
	check_long("read stops at packet 1", 3, read(fds[0], buf, page));
	check_true("packet 1's bytes", !memcmp(buf, "abc", 3));
	check_long("then packet 2", 5, read(fds[0], buf, page));
	check_true("packet 2's bytes", !memcmp(buf, "defgh", 5));
	check_long("packet 3", 6, write(fds[1], "123456", 6));
	check_long("packet 4", 1, write(fds[1], "7", 1));
	check_long("a short read", 2, read(fds[0], buf, 2));
	check_long("the rest of packet 3 is gone", 1, read(fds[0], buf, page));
	check_true("packet 4's byte", buf[0] == '7');
	check_long("a write over PIPE_BUF", PIPE_BUF + 100, write(fds[1], chunk, PIPE_BUF + 100));
	check_long("is a packet of PIPE_BUF", PIPE_BUF, read(fds[0], buf, 2 * PIPE_BUF));
	check_long("and the remainder", 100, read(fds[0], buf, 2 * PIPE_BUF));
	CHECK_ERRNO("then nothing", read(fds[0], buf, 1), EAGAIN);
	close_pair(fds);

	/* Without O_DIRECT the bytes run together. */
	if (!CHECK_OK("pipe2(O_NONBLOCK)", pipe2(fds, O_NONBLOCK)))
		return;
	check_long("bytes 1", 3, write(fds[1], "abc", 3));
	check_long("bytes 2", 5, write(fds[1], "defgh", 5));
	check_long("a byte stream", 8, read(fds[0], buf, page));
	close_pair(fds);
}

static void vectors(void)
{
	struct iovec out[2] = { { "head", 4 }, { "tail", 4 } };
	char a[3] = { 0 }, b[5] = { 0 };
	struct iovec in[2] = { { a, 3 }, { b, 5 } };
	int fds[2];

	if (!CHECK_OK("pipe", pipe(fds)))
		return;
	check_long("writev", 8, writev(fds[1], out, 2));
	check_long("readv", 8, readv(fds[0], in, 2));
	check_true("readv's bytes", !memcmp(a, "hea", 3) && !memcmp(b, "dtail", 5));
	close_pair(fds);
}

static void end_of_file(char *buf)
{
	int fds[2];

	if (!CHECK_OK("pipe2(O_NONBLOCK)", pipe2(fds, O_NONBLOCK)))
		return;
	check_long("one byte", 1, write(fds[1], "x", 1));
	close(fds[1]);
	check_long("poll: data and hang-up", POLLIN | POLLHUP, revents(fds[0], POLLIN));
	check_long("the last byte", 1, read(fds[0], buf, page));
	check_long("then end of file", 0, read(fds[0], buf, page));
	check_long("and again", 0, read(fds[0], buf, page));
	check_long("poll: hang-up", POLLHUP, revents(fds[0], POLLIN));
	close(fds[0]);

	/* Blocking: a read of a pipe with no writer left does not wait. */
	if (!CHECK_OK("pipe", pipe(fds)))
		return;
	close(fds[1]);
	check_long("blocking read after the writer closed", 0, read(fds[0], buf, page));
	close(fds[0]);
}

static void broken_pipe(void)
{
	struct iovec v = { "x", 1 };
	int fds[2];

	if (!CHECK_OK("pipe", pipe(fds)))
		return;
	close(fds[0]);
	check_long("poll: error on the write end", POLLOUT | POLLERR, revents(fds[1], POLLOUT));
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERRNO("write with no reader, SIGPIPE ignored", write(fds[1], "x", 1), EPIPE);
	CHECK_ERRNO("writev with no reader", writev(fds[1], &v, 1), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(fds[1]);
}

/* The default action of SIGPIPE ends the program at the write. */
static int sigpipe_kills(void)
{
	int fds[2];
	long r;

	signal(SIGPIPE, SIG_DFL);
	if (!CHECK_OK("pipe", pipe(fds)))
		return EXIT_FAILURE;
	close(fds[0]);
	r = write(fds[1], "x", 1);
	fail("write with no reader: expected death by SIGPIPE got %ld (%s)", r,
	     r < 0 ? err_name(errno) : "-");
	return EXIT_FAILURE;
}

int main(int argc, char **argv)
{
	char *chunk, *buf;

	page = sysconf(_SC_PAGESIZE);
	if (argc > 1 && !strcmp(argv[1], "sigpipe"))
		return sigpipe_kills();
	chunk = malloc((size_t)page * 2);
	buf = malloc((size_t)page * 2);
	if (!chunk || !buf)
		return EXIT_FAILURE;
	memset(chunk, 'p', (size_t)page * 2);
	basics();
	flags();
	faults();
	emfile();
	capacity(chunk, buf);
	set_size(chunk, buf);
	packets(chunk, buf);
	vectors();
	end_of_file(buf);
	broken_pipe();
	free(chunk);
	free(buf);
	return check_exit("pipe");
}
