// SPDX-License-Identifier: Apache-2.0
/*
 * The fd table: dup, dup2, dup3 and F_DUPFD take the lowest free number at
 * or above their floor; dup'd fds share one open file (offset, status
 * flags) but not FD_CLOEXEC; F_GETFL reports the open flags the kernel keeps
 * (fs/open.c, fs/fcntl.c); RLIMIT_NOFILE bounds new fds (EMFILE, EBADF,
 * EINVAL as dup(2) and fcntl(2) say); ioctl FIONREAD, FIOCLEX, FIONCLEX.
 *
 * Usage: file_fds FIXTURE
 */
#include "fixture.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

/*
 * F_GETFL shows O_LARGEFILE, which the kernel adds to every open on a
 * 64-bit system (fs/open.c: force_o_largefile()) and glibc defines as 0.
 */
#if defined(__x86_64__)
#define KERNEL_O_LARGEFILE 0100000 /* include/uapi/asm-generic/fcntl.h */
#elif defined(__aarch64__)
#define KERNEL_O_LARGEFILE 0400000 /* arch/arm64/include/uapi/asm/fcntl.h */
#else
#error "KERNEL_O_LARGEFILE: unknown architecture"
#endif

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static int lowest_free(void)
{
	int fd = 0;

	while (is_open(fd))
		fd++;
	return fd;
}

static int open_fx(const char *rel, int flags)
{
	int fd = open(fx(rel), flags);

	if (fd < 0)
		fail("open(%s): expected an fd got -1 (errno %s)", rel,
		     err_name(errno));
	return fd;
}

/* Both fds name the same file (and not just the same name). */
static void check_same_file(const char *what, int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) != 0 || fstat(b, &sb) != 0) {
		fail("%s: fstat: expected 0 got -1 (errno %s)", what,
		     err_name(errno));
		return;
	}
	check_true(what, sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
}

static void lowest_numbers(void)
{
	int base = lowest_free();
	int a, b, c, d;

	a = open_fx("small.txt", O_RDONLY);
	check_long("open takes the lowest free fd", base, a);
	b = open_fx("alpha.txt", O_RDONLY);
	check_long("next open takes the next fd", base + 1, b);
	close(a);
	c = dup(b);
	check_long("dup takes the freed lower fd", base, c);
	check_same_file("dup names the same file", b, c);
	d = dup(b);
	check_long("dup after that", base + 2, d);
	close(c);
	check_long("F_DUPFD 0 takes the lowest", base, fcntl(b, F_DUPFD, 0));
	close(base);
	check_long("F_DUPFD 50", 50, fcntl(b, F_DUPFD, 50));
	check_long("F_DUPFD 50 again skips 50", 51, fcntl(b, F_DUPFD, 50));
	check_long("F_DUPFD_CLOEXEC 50", 52, fcntl(b, F_DUPFD_CLOEXEC, 50));
	check_same_file("F_DUPFD names the same file", b, 52);
	CHECK_ERRNO("F_DUPFD -1", fcntl(b, F_DUPFD, -1), EINVAL);
	close(50);
	close(51);
	close(52);

	/* dup2 onto an open fd closes it first, silently. */
	check_long("dup2 onto an open fd", d, dup2(b, d));
	check_same_file("dup2 replaced the file", b, d);
	check_long("dup2 onto itself", b, dup2(b, b));
	check_long("dup2 to 100", 100, dup2(b, 100));
	check_same_file("dup2 to 100 names the same file", b, 100);
	check_long("dup3 to 101", 101, dup3(b, 101, 0));
	CHECK_ERRNO("dup3 onto itself", dup3(b, b, 0), EINVAL);
	CHECK_ERRNO("dup3 flag O_NONBLOCK", dup3(b, 102, O_NONBLOCK), EINVAL);
	check_true("dup3 with a bad flag opened nothing", !is_open(102));
	close(100);
	close(101);
	CHECK_ERRNO("dup2 of a closed fd onto itself", dup2(100, 100), EBADF);
	CHECK_ERRNO("dup2 of a closed fd", dup2(100, 101), EBADF);
	CHECK_ERRNO("dup2 to -1", dup2(b, -1), EBADF);
	CHECK_ERRNO("dup of -1", dup(-1), EBADF);
	CHECK_ERRNO("dup of a closed fd", dup(100), EBADF);
	CHECK_ERRNO("F_DUPFD of a closed fd", fcntl(100, F_DUPFD, 0), EBADF);
	CHECK_ERRNO("dup3 of a closed fd", dup3(100, 101, 0), EBADF);
	close(b);
	close(d);
	CHECK_ERRNO("close of a closed fd", close(d), EBADF);
	CHECK_ERRNO("close(-1)", close(-1), EBADF);
	check_long("all closed again", base, lowest_free());
}

static void shared_file(void)
{
	char buf[8];
	int a, b, c;

	a = open_fx("alpha.txt", O_RDONLY);
	b = dup(a);
	c = open_fx("alpha.txt", O_RDONLY);
	if (a < 0 || b < 0 || c < 0)
		return;
	check_long("read 5 on the first fd", 5, read(a, buf, 5));
	check_long("the dup's offset moved too", 5, lseek(b, 0, SEEK_CUR));
	check_long("read 3 on the dup", 3, read(b, buf, 3));
	check_true("the dup read on from 5", memcmp(buf, "567", 3) == 0);
	check_long("the first fd's offset moved", 8, lseek(a, 0, SEEK_CUR));
	check_long("a separate open has its own offset", 0,
		   lseek(c, 0, SEEK_CUR));
	check_long("lseek on the dup", 20, lseek(b, 20, SEEK_SET));
	check_long("read on the first fd after lseek on the dup", 1,
		   read(a, buf, 1));
	check_long("byte at 20", 'k', buf[0]);

	/* Status flags belong to the open file, FD_CLOEXEC to the fd. */
	check_long("F_SETFL O_NONBLOCK", 0, fcntl(a, F_SETFL, O_NONBLOCK));
	check_ulong("the dup sees O_NONBLOCK", O_NONBLOCK,
		    fcntl(b, F_GETFL) & O_NONBLOCK);
	check_ulong("a separate open does not", 0,
		    fcntl(c, F_GETFL) & O_NONBLOCK);
	check_long("F_SETFD FD_CLOEXEC", 0, fcntl(a, F_SETFD, FD_CLOEXEC));
	check_long("the dup's FD_CLOEXEC stays clear", 0, fcntl(b, F_GETFD));
	close(a);
	close(b);
	close(c);
}

static void cloexec(void)
{
	int a, b, c;

	a = open_fx("small.txt", O_RDONLY | O_CLOEXEC);
	b = open_fx("small.txt", O_RDONLY);
	if (a < 0 || b < 0)
		return;
	check_long("O_CLOEXEC sets FD_CLOEXEC", FD_CLOEXEC, fcntl(a, F_GETFD));
	check_long("without O_CLOEXEC", 0, fcntl(b, F_GETFD));
	check_long("F_SETFD 0", 0, fcntl(a, F_SETFD, 0));
	check_long("F_GETFD after F_SETFD 0", 0, fcntl(a, F_GETFD));
	/* Only FD_CLOEXEC is kept from the argument (fs/fcntl.c). */
	check_long("F_SETFD 0xff", 0, fcntl(a, F_SETFD, 0xff));
	check_long("F_GETFD after F_SETFD 0xff", FD_CLOEXEC, fcntl(a, F_GETFD));

	c = dup(a);
	check_long("dup clears FD_CLOEXEC", 0, fcntl(c, F_GETFD));
	close(c);
	c = fcntl(a, F_DUPFD, 0);
	check_long("F_DUPFD clears FD_CLOEXEC", 0, fcntl(c, F_GETFD));
	close(c);
	c = fcntl(b, F_DUPFD_CLOEXEC, 0);
	check_long("F_DUPFD_CLOEXEC sets it", FD_CLOEXEC, fcntl(c, F_GETFD));
	check_long("dup2 onto a close-on-exec fd", c, dup2(b, c));
	check_long("dup2 clears FD_CLOEXEC", 0, fcntl(c, F_GETFD));
	check_long("dup3 O_CLOEXEC", c, dup3(b, c, O_CLOEXEC));
	check_long("dup3 O_CLOEXEC sets it", FD_CLOEXEC, fcntl(c, F_GETFD));
	check_long("dup3 0", c, dup3(a, c, 0));
	check_long("dup3 0 clears it", 0, fcntl(c, F_GETFD));
	/* dup2 onto itself changes nothing, FD_CLOEXEC included. */
	check_long("dup2 of a close-on-exec fd onto itself", a, dup2(a, a));
	check_long("FD_CLOEXEC kept", FD_CLOEXEC, fcntl(a, F_GETFD));

	check_long("ioctl FIONCLEX", 0, ioctl(a, FIONCLEX));
	check_long("after FIONCLEX", 0, fcntl(a, F_GETFD));
	check_long("ioctl FIOCLEX", 0, ioctl(a, FIOCLEX));
	check_long("after FIOCLEX", FD_CLOEXEC, fcntl(a, F_GETFD));
	close(a);
	close(b);
	close(c);
	CHECK_ERRNO("F_GETFD of a closed fd", fcntl(a, F_GETFD), EBADF);
	CHECK_ERRNO("F_SETFD of a closed fd", fcntl(a, F_SETFD, 0), EBADF);
	CHECK_ERRNO("F_GETFD of -1", fcntl(-1, F_GETFD), EBADF);
}

static void check_getfl(const char *rel, int flags, long want)
{
	char what[128];
	int fd = open_fx(rel, flags);

	if (fd < 0)
		return;
	snprintf(what, sizeof(what), "F_GETFL of open(%s, %#o)", rel, flags);
	check_ulong(what, want, fcntl(fd, F_GETFL));
	close(fd);
}

static void status_flags(void)
{
	char buf[4];
	int fd;

	check_getfl("small.txt", O_RDONLY, KERNEL_O_LARGEFILE);
	/* O_CLOEXEC is an fd flag; the open file does not keep it. */
	check_getfl("small.txt", O_RDONLY | O_CLOEXEC, KERNEL_O_LARGEFILE);
	check_getfl("small.txt", O_RDONLY | O_NOFOLLOW,
		    KERNEL_O_LARGEFILE | O_NOFOLLOW);
	check_getfl("small.txt", O_RDONLY | O_NONBLOCK,
		    KERNEL_O_LARGEFILE | O_NONBLOCK);
	check_getfl("sub", O_RDONLY | O_DIRECTORY,
		    KERNEL_O_LARGEFILE | O_DIRECTORY);
	/* O_PATH keeps only O_PATH_FLAGS (fs/open.c: build_open_how). */
	check_getfl("small.txt", O_PATH, O_PATH);
	check_getfl("small.txt", O_PATH | O_CLOEXEC, O_PATH);

	fd = open_fx("small.txt", O_RDONLY);
	if (fd < 0)
		return;
	/* F_SETFL changes only O_APPEND, O_NONBLOCK, O_DIRECT, O_NOATIME. */
	check_long("F_SETFL O_APPEND on a read-only fd", 0,
		   fcntl(fd, F_SETFL, O_APPEND));
	check_ulong("F_GETFL after O_APPEND", KERNEL_O_LARGEFILE | O_APPEND,
		    fcntl(fd, F_GETFL));
	check_long("read with O_APPEND", 4, read(fd, buf, 4));
	check_long("F_SETFL 0", 0, fcntl(fd, F_SETFL, 0));
	check_ulong("F_GETFL after clearing", KERNEL_O_LARGEFILE,
		    fcntl(fd, F_GETFL));
	check_long("F_SETFL with O_RDWR|O_CREAT|O_TRUNC|O_APPEND", 0,
		   fcntl(fd, F_SETFL, O_RDWR | O_CREAT | O_TRUNC | O_APPEND));
	check_ulong("F_GETFL keeps O_RDONLY, takes O_APPEND",
		    KERNEL_O_LARGEFILE | O_APPEND, fcntl(fd, F_GETFL));
	check_long("F_SETFL O_NONBLOCK", 0, fcntl(fd, F_SETFL, O_NONBLOCK));
	check_ulong("F_GETFL after O_NONBLOCK", KERNEL_O_LARGEFILE | O_NONBLOCK,
		    fcntl(fd, F_GETFL));
	CHECK_ERRNO("fcntl unknown command", fcntl(fd, 9999), EINVAL);
	close(fd);
	CHECK_ERRNO("F_GETFL of a closed fd", fcntl(fd, F_GETFL), EBADF);
	CHECK_ERRNO("F_SETFL of a closed fd", fcntl(fd, F_SETFL, 0), EBADF);

	/* An O_PATH fd takes the fd-table commands only (fs/fcntl.c). */
	fd = open_fx("small.txt", O_PATH);
	if (fd < 0)
		return;
	check_long("F_GETFD of an O_PATH fd", 0, fcntl(fd, F_GETFD));
	check_long("F_SETFD of an O_PATH fd", 0, fcntl(fd, F_SETFD, FD_CLOEXEC));
	CHECK_ERRNO("F_SETFL of an O_PATH fd", fcntl(fd, F_SETFL, O_APPEND),
		    EBADF);
	CHECK_ERRNO("ioctl FIONREAD of an O_PATH fd",
		    ioctl(fd, FIONREAD, &(int){ 0 }), EBADF);
	close(fd);
}

static void ioctls(void)
{
	struct termios tio;
	struct winsize ws;
	int n, fd;

	fd = open_fx("alpha.txt", O_RDONLY);
	if (fd < 0)
		return;
	/* A regular file's FIONREAD is its size less the offset (fs/ioctl.c). */
	n = -1;
	check_long("FIONREAD at 0", 0, ioctl(fd, FIONREAD, &n));
	check_long("FIONREAD at 0 value", 36, n);
	lseek(fd, 30, SEEK_SET);
	check_long("FIONREAD at 30", 0, ioctl(fd, FIONREAD, &n));
	check_long("FIONREAD at 30 value", 6, n);
	lseek(fd, 40, SEEK_SET);
	check_long("FIONREAD past EOF", 0, ioctl(fd, FIONREAD, &n));
	check_long("FIONREAD past EOF value", -4, n);
	CHECK_ERRNO("FIONREAD to (void *)1", ioctl(fd, FIONREAD, (void *)1),
		    EFAULT);
	CHECK_ERRNO("TCGETS on a file", ioctl(fd, TCGETS, &tio), ENOTTY);
	CHECK_ERRNO("TIOCGWINSZ on a file", ioctl(fd, TIOCGWINSZ, &ws), ENOTTY);
	close(fd);
	CHECK_ERRNO("ioctl on a closed fd", ioctl(fd, FIONREAD, &n), EBADF);
	CHECK_ERRNO("FIOCLEX on a closed fd", ioctl(fd, FIOCLEX), EBADF);
}

static void nofile_limit(void)
{
	struct rlimit old, low;
	int fds[16], n = 0, fd, base, keep, i;

	if (!check_ok("getrlimit(NOFILE)", getrlimit(RLIMIT_NOFILE, &old), errno))
		return;
	if (old.rlim_cur < 300) {
		note("RLIMIT_NOFILE %llu: the limit checks need 300",
		     (unsigned long long)old.rlim_cur);
		return;
	}
	base = lowest_free();
	keep = dup2(0, 200);
	if (!check_long("dup2 to 200", 200, keep))
		return;

	low = old;
	low.rlim_cur = base + 4;
	if (!check_ok("setrlimit(NOFILE, base + 4)",
		      setrlimit(RLIMIT_NOFILE, &low), errno))
		return;
	for (i = 0; i < 16; i++) {
		fd = open(fx("small.txt"), O_RDONLY);
		if (fd < 0)
			break;
		fds[n++] = fd;
	}
	check_errval("open until the limit ends with", EMFILE, errno);
	check_long("fds opened below the limit", 4, n);
	check_long("the last fd is limit - 1", base + 3, n ? fds[n - 1] : -1);
	CHECK_ERRNO("dup at the limit", dup(0), EMFILE);
	CHECK_ERRNO("F_DUPFD 0 at the limit", fcntl(0, F_DUPFD, 0), EMFILE);
	CHECK_ERRNO("F_DUPFD at the limit", fcntl(0, F_DUPFD, base + 4), EINVAL);
	CHECK_ERRNO("dup2 to the limit", dup2(0, base + 4), EBADF);
	CHECK_ERRNO("dup3 to the limit", dup3(0, base + 4, 0), EBADF);
	/* Replacing an fd below the limit needs no new slot. */
	check_long("dup2 onto an fd below the limit", base + 3,
		   dup2(0, base + 3));
	/* An fd above the limit, opened before it was lowered, stays usable. */
	check_long("F_GETFD of an fd above the limit", 0, fcntl(keep, F_GETFD));
	CHECK_ERRNO("dup2 onto an open fd above the limit", dup2(0, keep),
		    EBADF);
	if (n == 4) {
		close(fds[1]);
		check_long("open after a close takes the freed fd", fds[1],
			   open(fx("small.txt"), O_RDONLY));
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	close(keep);
	check_ok("setrlimit(NOFILE) restored", setrlimit(RLIMIT_NOFILE, &old),
		 errno);
	check_long("after the limit is restored", base, lowest_free());
}

int main(int argc, char **argv)
{
	fixture_init(argc, argv, "file_fds");
	lowest_numbers();
	shared_file();
	cloexec();
	status_flags();
	ioctls();
	nofile_limit();
	printf("file_fds: done\n");
	return check_exit("file_fds");
}
