/* SPDX-License-Identifier: Apache-2.0 */
/* AF_UNIX socket pairs: the three types, messages with SCM_RIGHTS, shutdown,
 * options, and the argument errors of each, as Linux gives them. A passed
 * fd is the very file, directories and their names included. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

static void stream(void)
{
	int sv[2];
	char buf[16];

	if (!CHECK_OK("socketpair(SOCK_STREAM)", socketpair(AF_UNIX, SOCK_STREAM, 0, sv)))
		return;
	check_long("send", 4, send(sv[0], "ping", 4, 0));
	check_long("recv", 4, recv(sv[1], buf, sizeof buf, 0));
	check_true("the bytes", !memcmp(buf, "ping", 4));
	check_long("nothing waiting", -1, recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
	check_long("nothing waiting errno", EAGAIN, errno);
	check_long("shutdown(SHUT_WR)", 0, shutdown(sv[0], SHUT_WR));
	check_long("EOF after the peer's shutdown", 0, recv(sv[1], buf, sizeof buf, 0));
	check_long("send after shutdown", -1, send(sv[0], "x", 1, MSG_NOSIGNAL));
	check_long("send after shutdown errno", EPIPE, errno);
	close(sv[0]);
	close(sv[1]);
}

static void datagrams(void)
{
	int sv[2], type = 0;
	socklen_t len = sizeof type;
	char buf[16];

	if (!CHECK_OK("socketpair(SOCK_SEQPACKET)", socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)))
		return;
	check_long("FD_CLOEXEC", FD_CLOEXEC, fcntl(sv[0], F_GETFD));
	check_long("first", 3, send(sv[0], "one", 3, 0));
	check_long("second", 3, send(sv[0], "two", 3, 0));
	check_long("packets keep their bounds", 3, recv(sv[1], buf, sizeof buf, 0));
	check_long("SO_TYPE", 0, getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len));
	check_long("SO_TYPE is SEQPACKET", SOCK_SEQPACKET, type);
	close(sv[0]);
	close(sv[1]);
}

/* Sends fd to ourselves over a datagram pair; the fd received, or -1. */
static int pass_fd(int fd)
{
	int sv[2], got = -1;
	char data = 'd', cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &data, 1 };
	struct msghdr m = { NULL, 0, &iov, 1, cbuf, sizeof cbuf, 0 };
	struct cmsghdr *c;

	if (!CHECK_OK("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)))
		return -1;
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	check_long("sendmsg with SCM_RIGHTS", 1, sendmsg(sv[0], &m, 0));
	memset(cbuf, 0, sizeof cbuf);
	m.msg_controllen = sizeof cbuf;
	check_long("recvmsg", 1, recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC));
	c = CMSG_FIRSTHDR(&m);
	if (check_true("a control message", c && c->cmsg_type == SCM_RIGHTS))
		memcpy(&got, CMSG_DATA(c), sizeof got);
	check_true("a new fd", got >= 0 && got != fd);
	close(sv[0]);
	close(sv[1]);
	return got;
}

static void rights(void)
{
	int p[2], got;
	char buf[32];

	if (!CHECK_OK("pipe", pipe(p)))
		return;
	got = pass_fd(p[1]);
	check_long("MSG_CMSG_CLOEXEC", FD_CLOEXEC, fcntl(got, F_GETFD));
	check_long("write through it", 5, write(got, "hello", 5));
	check_long("the pipe has it", 5, read(p[0], buf, sizeof buf));
	close(got);
	close(p[0]);
	close(p[1]);
}

/* A passed directory is the same file: its name, its "..", a start for
 * relative paths, even after the sender closed its fd. */
static void rights_dir(void)
{
	int dir = open("/proc/self", O_PATH | O_DIRECTORY), got, up;
	char want[32], link[64], path[64];
	struct stat a, b;
	ssize_t n;

	snprintf(want, sizeof want, "/proc/%d", (int)getpid());
	got = pass_fd(dir);
	close(dir);
	if (got < 0)
		return;
	snprintf(path, sizeof path, "/proc/self/fd/%d", got);
	n = readlink(path, link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	if (strcmp(link, want))
		fail("readlink of a passed fd: expected %s got %s", want, link);
	up = openat(got, "..", O_PATH | O_DIRECTORY);
	if (CHECK_OK("openat(passed fd, \"..\")", up) && CHECK_OK("fstat", fstat(up, &a)) &&
	    CHECK_OK("stat /proc", stat("/proc", &b)))
		check_true("its .. is /proc", a.st_dev == b.st_dev && a.st_ino == b.st_ino);
	CHECK_OK("fstatat(passed fd, \"status\")", fstatat(got, "status", &a, 0));
	close(up);
	close(got);
}

static void errors(void)
{
	int sv[2], x = 0;
	socklen_t len = sizeof x;

	CHECK_ERRNO("socketpair(AF_INET)", socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
	CHECK_ERRNO("bad type flags", socketpair(AF_UNIX, SOCK_STREAM | 0x100000, 0, sv), EINVAL);
	CHECK_ERRNO("bad pointer", syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, 8L), EFAULT);
	CHECK_ERRNO("send on a closed fd", send(999, "x", 1, 0), EBADF);
	CHECK_ERRNO("getsockopt on a non-socket", getsockopt(2, SOL_SOCKET, SO_TYPE, &x, &len),
		    ENOTSOCK);
}

int main(void)
{
	stream();
	datagrams();
	rights();
	rights_dir();
	errors();
	return check_exit("socket_pair");
}
