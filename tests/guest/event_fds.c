/* SPDX-License-Identifier: Apache-2.0 */
/* eventfd, timerfd and epoll: counters, expirations, readiness and the
 * argument errors of each, as Linux gives them. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static void eventfds(void)
{
	uint64_t v = 0;
	int fd = eventfd(3, EFD_NONBLOCK), sem = eventfd(2, EFD_SEMAPHORE | EFD_CLOEXEC);

	check_true("eventfd", fd >= 0 && sem >= 0);
	v = 4;
	check_long("eventfd write", 8, write(fd, &v, sizeof v));
	check_long("eventfd read", 8, read(fd, &v, sizeof v));
	check_long("eventfd sum", 7, (long)v);
	errno = 0;
	check_long("empty nonblocking eventfd", -1, read(fd, &v, sizeof v));
	check_long("empty nonblocking eventfd errno", EAGAIN, errno);
	check_long("short read", -1, read(fd, &v, 4));
	check_long("short read errno", EINVAL, errno);
	check_long("semaphore read", 8, read(sem, &v, sizeof v));
	check_long("semaphore gives 1", 1, (long)v);
	check_long("FD_CLOEXEC", FD_CLOEXEC, fcntl(sem, F_GETFD));
	check_long("O_NONBLOCK", O_NONBLOCK, fcntl(fd, F_GETFL) & O_NONBLOCK);
	errno = 0;
	check_long("bad eventfd flags", -1, eventfd(0, 0x1234567));
	check_long("bad eventfd flags errno", EINVAL, errno);
	close(fd);
	close(sem);
}

static void timerfds(void)
{
	struct itimerspec its = { { 0, 0 }, { 0, 20 * 1000000 } }, cur;
	uint64_t n = 0;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);

	check_true("timerfd_create", fd >= 0);
	check_long("timerfd_settime", 0, timerfd_settime(fd, 0, &its, NULL));
	check_long("timerfd_gettime", 0, timerfd_gettime(fd, &cur));
	check_true("armed", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0);
	check_long("read blocks until it expires", 8, read(fd, &n, sizeof n));
	check_long("one expiration", 1, (long)n);
	errno = 0;
	check_long("bad clock", -1, timerfd_create(12345, 0));
	check_long("bad clock errno", EINVAL, errno);
	its.it_value.tv_nsec = 1000000000;
	check_long("bad timespec", -1, timerfd_settime(fd, 0, &its, NULL));
	check_long("bad timespec errno", EINVAL, errno);
	close(fd);
}

static void epolls(void)
{
	struct epoll_event ev = { EPOLLIN, { .u64 = 0xfeedULL } }, out[4];
	int ep = epoll_create1(EPOLL_CLOEXEC), p[2];
	char c = 'x';

	check_true("epoll_create1", ep >= 0 && pipe(p) == 0);
	check_long("epoll_ctl ADD", 0, epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	errno = 0;
	check_long("ADD twice", -1, epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	check_long("ADD twice errno", EEXIST, errno);
	check_long("nothing ready", 0, epoll_wait(ep, out, 4, 0));
	check_long("write", 1, write(p[1], &c, 1));
	check_long("one ready", 1, epoll_wait(ep, out, 4, 1000));
	check_true("its data", out[0].data.u64 == 0xfeedULL && (out[0].events & EPOLLIN));
	check_long("epoll_ctl DEL", 0, epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	check_long("none after DEL", 0, epoll_wait(ep, out, 4, 0));
	errno = 0;
	check_long("maxevents 0", -1, epoll_wait(ep, out, 0, 0));
	check_long("maxevents 0 errno", EINVAL, errno);
	check_long("a pipe is no epoll", -1, epoll_wait(p[0], out, 4, 0));
	check_long("a pipe is no epoll errno", EINVAL, errno);
	check_long("bad fd", -1, epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev));
	check_long("bad fd errno", EBADF, errno);
	check_long("epoll_create(0)", -1, epoll_create(0));
	check_long("epoll_create(0) errno", EINVAL, errno);
	close(p[0]);
	close(p[1]);
	close(ep);
}

int main(void)
{
	eventfds();
	timerfds();
	epolls();
	return check_exit("event_fds");
}
