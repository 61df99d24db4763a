// SPDX-License-Identifier: Apache-2.0
/*
 * poll and ppoll (fs/select.c): readiness of files and devices, POLLNVAL for
 * fds that are not open (which ends the wait at once), negative fds skipped,
 * the nfds limit, bad pointers, ppoll's timeout checks and the time left
 * that it writes back, and its signal-mask size.
 */
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long sys_ppoll(struct pollfd *fds, unsigned long n, struct timespec *ts,
		      const void *mask, unsigned long size)
{
	return syscall(SYS_ppoll, fds, n, ts, mask, size);
}

static void devices(void)
{
	struct pollfd p[3] = {
		{ open("/dev/null", O_RDWR), POLLIN | POLLOUT, 0 },
		{ -1, POLLIN, 0x55 },
		{ open("/dev/zero", O_RDONLY), POLLIN | POLLPRI, 0 },
	};

	check_long("poll of /dev/null, -1, /dev/zero", 2, poll(p, 3, -1));
	check_long("/dev/null is readable and writable", POLLIN | POLLOUT, p[0].revents);
	check_long("a negative fd is skipped, its revents zeroed", 0, p[1].revents);
	check_long("only asked-for events come back", POLLIN, p[2].revents);
	close(p[0].fd);
	close(p[2].fd);
}

static void not_open(void)
{
	struct pollfd p[2] = { { 1000, POLLIN, 0 }, { 1001, 0, 0 } };

	/* An infinite timeout: POLLNVAL must end the wait. */
	check_long("poll of fds not open", 2, poll(p, 2, -1));
	check_long("fd 1000: POLLNVAL", POLLNVAL, p[0].revents);
	check_long("fd 1001 with no events: POLLNVAL", POLLNVAL, p[1].revents);
}

static void limits(void)
{
	struct rlimit rl;
	struct pollfd p = { 0, POLLIN, 0 };

	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK_ERRNO("poll of more fds than RLIMIT_NOFILE", poll(&p, rl.rlim_cur + 1, 0), EINVAL);
	CHECK_ERRNO("ppoll of a bad pointer", syscall(SYS_ppoll, 8, 1, NULL, NULL, 0), EFAULT);
	check_long("poll of nothing, no wait", 0, poll(NULL, 0, 0));
}

static void ppoll_timeouts(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 }, bad = { 0, 1000000000 };
	struct timespec neg = { -1, 0 };
	sigset_t mask;

	sigemptyset(&mask);
	check_long("ppoll of nothing for 20 ms", 0, sys_ppoll(NULL, 0, &ts, NULL, 0));
	check_true("the time left is written back: 0",
		   ts.tv_sec == 0 && ts.tv_nsec == 0);
	CHECK_ERRNO("ppoll with tv_nsec 1e9", sys_ppoll(NULL, 0, &bad, NULL, 0), EINVAL);
	CHECK_ERRNO("ppoll with tv_sec -1", sys_ppoll(NULL, 0, &neg, NULL, 0), EINVAL);
	CHECK_ERRNO("ppoll with a bad timeout pointer",
		    sys_ppoll(NULL, 0, (struct timespec *)8, NULL, 0), EFAULT);
	ts = (struct timespec){ 0, 0 };
	CHECK_ERRNO("ppoll with sigsetsize 4", sys_ppoll(NULL, 0, &ts, &mask, 4), EINVAL);
	CHECK_ERRNO("ppoll with a bad mask pointer", sys_ppoll(NULL, 0, &ts, (void *)8, 8),
		    EFAULT);
	check_long("ppoll with a mask", 0, sys_ppoll(NULL, 0, &ts, &mask, 8));
	check_long("ppoll with a size but no mask", 0, sys_ppoll(NULL, 0, &ts, NULL, 4));
}

int main(void)
{
	devices();
	not_open();
	limits();
	ppoll_timeouts();
	printf("poll: done\n");
	return check_exit("poll");
}
