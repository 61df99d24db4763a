/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Abstract AF_UNIX names (unix(7)): bind, connect and accept by name, the
 * exact bytes and length getsockname and getpeername report, EADDRINUSE for
 * a name a socket of the same type holds (one of another type may hold it
 * too: the kernel hashes the type in), ECONNREFUSED for a name nobody
 * holds, EINVAL for binding a bound socket, the name free again once its
 * socket is closed, and autobind: "\0" and five hex digits, nothing new for
 * a bound socket, and what a datagram's receiver sees of it.
 *
 * Names carry the pid, so that runs at the same time do not meet.
 *
 * Usage: unix_abstract SCRATCH_DIR (unused: nothing is written)
 */
#include "unix.h"

#include <ctype.h>

static char name[64];

static int bind_abstract(int fd, const char *n)
{
	struct sockaddr_un a;
	socklen_t len = unix_abstract(&a, n);

	return bind(fd, (struct sockaddr *)&a, len);
}

static int connect_abstract(int fd, const char *n)
{
	struct sockaddr_un a;
	socklen_t len = unix_abstract(&a, n);

	return connect(fd, (struct sockaddr *)&a, len);
}

static void check_abstract(const char *what, int fd, int peer, const char *n)
{
	struct sockaddr_un want, got;
	socklen_t wlen = unix_abstract(&want, n), len = sizeof got;
	int r = peer ? getpeername(fd, (struct sockaddr *)&got, &len)
		     : getsockname(fd, (struct sockaddr *)&got, &len);

	if (CHECK_OK(what, r))
		check_addr(what, &want, wlen, &got, len);
}

static void stream(void)
{
	int srv = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0);
	int other = socket(AF_UNIX, SOCK_STREAM, 0), dg = socket(AF_UNIX, SOCK_DGRAM, 0), in;
	char more[80];

	if (!CHECK_OK("bind", bind_abstract(srv, name)) || !CHECK_OK("listen", listen(srv, 4)))
		return;
	check_abstract("getsockname", srv, 0, name);
	CHECK_ERRNO("the same name, the same type", bind_abstract(other, name), EADDRINUSE);
	CHECK_OK("the same name, another type", bind_abstract(dg, name));
	CHECK_ERRNO("bind a bound socket", bind_abstract(srv, "x"), EINVAL);
	snprintf(more, sizeof more, "%s-", name);
	CHECK_ERRNO("a name nobody holds", connect_abstract(c, more), ECONNREFUSED);
	if (CHECK_OK("connect", connect_abstract(c, name))) {
		check_abstract("getpeername", c, 1, name);
		in = accept(srv, NULL, NULL);
		if (CHECK_OK("accept", in)) {
			check_abstract("accepted getsockname", in, 0, name);
			check_long("data", 2, send(c, "hi", 2, 0));
			check_long("arrives", 2, recv(in, more, sizeof more, 0));
			close(in);
		}
	}
	close(srv);
	CHECK_OK("the name is free once its socket is closed", bind_abstract(other, name));
	close(other);
	close(c);
	close(dg);
}

static int autobind(int fd, struct sockaddr_un *got)
{
	socklen_t len = sizeof *got;
	sa_family_t family = AF_UNIX;

	if (!CHECK_OK("autobind", bind(fd, (struct sockaddr *)&family, sizeof family)) ||
	    !CHECK_OK("getsockname", getsockname(fd, (struct sockaddr *)got, &len)))
		return 0;
	if (!check_long("autobind's length", UNIX_OFF + 6, len))
		return 0;
	check_long("an abstract name", 0, got->sun_path[0]);
	for (int i = 1; i < 6; i++)
		if (!isxdigit((unsigned char)got->sun_path[i]) || isupper(got->sun_path[i]))
			fail("autobind: expected five lowercase hex digits got \"%.5s\"",
			     got->sun_path + 1);
	return 1;
}

static void autobound(void)
{
	int a = socket(AF_UNIX, SOCK_DGRAM, 0), srv = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un first, again, from, to;
	socklen_t len = sizeof again, flen = sizeof from, tlen;
	sa_family_t family = AF_UNIX;
	char buf[4];

	if (!autobind(a, &first))
		return;
	CHECK_OK("autobind again", bind(a, (struct sockaddr *)&family, sizeof family));
	getsockname(a, (struct sockaddr *)&again, &len);
	check_addr("a bound socket keeps its name", &first, UNIX_OFF + 6, &again, len);
	tlen = unix_abstract(&to, name);
	CHECK_OK("bind the receiver", bind(srv, (struct sockaddr *)&to, tlen));
	unix_timeout(srv, 10000);
	check_long("sendto", 1, sendto(a, "z", 1, 0, (struct sockaddr *)&to, tlen));
	check_long("recvfrom", 1, recvfrom(srv, buf, sizeof buf, 0, (struct sockaddr *)&from,
					  &flen));
	check_addr("the sender's autobind name", &first, UNIX_OFF + 6, &from, flen);
	close(a);
	close(srv);
}

int main(int argc, char **argv)
{
	if (!unix_enter(argc, argv))
		return 1;
	unix_watchdog(30);
	snprintf(name, sizeof name, "umbra-test-%d", getpid());
	stream();
	autobound();
	return check_exit("unix_abstract");
}
