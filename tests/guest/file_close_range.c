// SPDX-License-Identifier: Apache-2.0
/*
 * close_range(first, last, flags) (fs/file.c): closes the open fds in
 * [first, last] or, with CLOSE_RANGE_CLOEXEC, marks them close-on-exec;
 * last may be ~0U; EINVAL for unknown flags or first > last; the arguments
 * are unsigned int, so the upper half of each register is ignored.
 */
#include "check.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

static long close_range_raw(unsigned long first, unsigned long last, unsigned long flags)
{
	return syscall(SYS_close_range, first, last, flags);
}

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* fds [from, to] all duplicates of /dev/null. */
static void open_range(int null, int from, int to)
{
	for (int fd = from; fd <= to; fd++)
		if (dup2(null, fd) != fd)
			fail("dup2 to %d: errno %s", fd, err_name(errno));
}

static void closes(int null)
{
	open_range(null, 100, 105);
	check_long("close_range(101, 103, 0)", 0, close_range_raw(101, 103, 0));
	check_true("100 stays open", is_open(100));
	check_true("101 closed", !is_open(101));
	check_true("103 closed", !is_open(103));
	check_true("104 stays open", is_open(104));
	check_long("a range with nothing open", 0, close_range_raw(200, 300, 0));
	check_long("up to ~0U", 0, close_range_raw(104, ~0U, 0));
	check_true("104 closed by ~0U", !is_open(104));
	check_true("105 closed by ~0U", !is_open(105));
	check_long("first = last = ~0U", 0, close_range_raw(~0U, ~0U, 0));
	check_long("CLOSE_RANGE_UNSHARE", 0, close_range_raw(100, 100, CLOSE_RANGE_UNSHARE));
	check_true("100 closed with UNSHARE", !is_open(100));

	open_range(null, 106, 106);
	check_long("upper halves ignored", 0,
		   close_range_raw((1UL << 32) | 106, (1UL << 32) | 106, 1UL << 32));
	check_true("106 closed through the lower halves", !is_open(106));
}

static void cloexec(int null)
{
	open_range(null, 110, 112);
	check_long("CLOSE_RANGE_CLOEXEC", 0, close_range_raw(111, ~0U, CLOSE_RANGE_CLOEXEC));
	check_long("110 without FD_CLOEXEC", 0, fcntl(110, F_GETFD));
	check_long("111 FD_CLOEXEC", FD_CLOEXEC, fcntl(111, F_GETFD));
	check_long("112 FD_CLOEXEC", FD_CLOEXEC, fcntl(112, F_GETFD));
	check_long("CLOEXEC with UNSHARE", 0,
		   close_range_raw(110, 110, CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE));
	check_long("110 FD_CLOEXEC", FD_CLOEXEC, fcntl(110, F_GETFD));
	close_range_raw(110, 112, 0);
	check_true("all closed", !is_open(110) && !is_open(111) && !is_open(112));
}

static void errors(int null)
{
	open_range(null, 120, 120);
	CHECK_ERRNO("first > last", close_range_raw(121, 120, 0), EINVAL);
	CHECK_ERRNO("flag 1", close_range_raw(120, 120, 1), EINVAL);
	CHECK_ERRNO("flag 8", close_range_raw(120, 120, 8), EINVAL);
	CHECK_ERRNO("flag 1 << 31", close_range_raw(120, 120, 1U << 31), EINVAL);
	CHECK_ERRNO("~0U > 0", close_range_raw(~0U, 0, 0), EINVAL);
	check_true("errors closed nothing", is_open(120));
	close(120);
}

int main(void)
{
	int null = open("/dev/null", O_RDONLY);

	if (null < 0) {
		fail("open /dev/null: errno %s", err_name(errno));
		return check_exit("file_close_range");
	}
	closes(null);
	cloexec(null);
	errors(null);
	close(null);
	return check_exit("file_close_range");
}
