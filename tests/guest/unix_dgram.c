/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Named AF_UNIX datagram sockets (net/unix/af_unix.c, unix(7)): sendto and
 * recvfrom with the sender's address (the name it bound, none when it is
 * unbound), message boundaries and MSG_TRUNC, connected sockets and their
 * dissolution (AF_UNSPEC), recvmsg's msg_namelen rules, SCM_CREDENTIALS of
 * a bound sender, a datagram read after its sender is gone (name and
 * credentials kept), and the errors: EMSGSIZE (before the destination is
 * looked up), ENOTCONN, ENOENT, ECONNREFUSED, EPROTOTYPE, EAGAIN past
 * SO_RCVTIMEO.
 *
 * Usage: unix_dgram SCRATCH_DIR [READONLY_DIR]
 *   READONLY_DIR: a directory on a read-only mount: binding there is
 *   EROFS and makes nothing (umbra's --scratch-ro).
 */
#include "proc.h"
#include "unix.h"

#include <sys/stat.h>

static long send_to(int fd, const char *msg, const char *path)
{
	struct sockaddr_un a;
	socklen_t len = unix_path(&a, path);

	return sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&a, len);
}

/* One datagram: its text and the sender's name (NULL: no address). */
static void check_from(const char *what, int fd, const char *text, const char *from)
{
	struct sockaddr_un got, want;
	socklen_t len = sizeof got, wlen = from ? unix_path(&want, from) : 0;
	char buf[64] = "";
	ssize_t n;

	memset(&got, 0x55, sizeof got);
	n = recvfrom(fd, buf, sizeof buf - 1, 0, (struct sockaddr *)&got, &len);
	if (!CHECK_OK(what, n))
		return;
	if (!check_long(what, (long)strlen(text), n) || strcmp(buf, text))
		fail("%s: expected \"%s\" got \"%s\"", what, text, buf);
	check_addr(what, &want, wlen, &got, len);
}

static void addresses(int srv)
{
	int cli = unix_server("client", SOCK_DGRAM, "dcli"), anon = socket(AF_UNIX, SOCK_DGRAM, 0);
	char buf[8];

	check_long("sendto one", 3, send_to(cli, "one", "dsrv"));
	check_long("sendto four", 4, send_to(cli, "four", "dsrv"));
	check_from("first datagram", srv, "one", "dcli");
	check_from("second datagram", srv, "four", "dcli");
	check_long("unbound sendto", 4, send_to(anon, "anon", "dsrv"));
	check_from("an unbound sender has no address", srv, "anon", NULL);
	check_long("reply", 5, send_to(srv, "reply", "dcli"));
	check_from("the reply comes from the server's name", cli, "reply", "dsrv");
	check_long("sendto long", 6, send_to(cli, "abcdef", "dsrv"));
	check_long("a short read cuts the datagram", 2, recv(srv, buf, 2, 0));
	check_long("sendto again", 3, send_to(cli, "xyz", "dsrv"));
	check_long("MSG_TRUNC gives the whole length", 3, recv(srv, buf, 1, MSG_TRUNC));
	CHECK_ERRNO("nothing left", recv(srv, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	close(cli);
	close(anon);
}

static void recvmsg_names(int srv)
{
	int cli = unix_server("client2", SOCK_DGRAM, "longer-name");
	struct sockaddr_un got;
	char buf[8];
	struct iovec iov = { buf, sizeof buf };
	struct msghdr m = { &got, 5, &iov, 1, NULL, 0, 0 };

	memset(&got, 0, sizeof got);
	send_to(cli, "m", "dsrv");
	check_long("recvmsg", 1, recvmsg(srv, &m, 0));
	check_long("msg_namelen is the full length", UNIX_OFF + 12, m.msg_namelen);
	check_true("5 bytes were copied", got.sun_path[2] == 'n' && got.sun_path[3] == 0);
	send_to(cli, "n", "dsrv");
	m.msg_name = NULL;
	m.msg_namelen = 77;
	check_long("recvmsg without a name", 1, recvmsg(srv, &m, 0));
	check_long("msg_namelen untouched without msg_name", 77, m.msg_namelen);
	close(cli);
}

static void credentials(int srv)
{
	int cli = unix_server("client3", SOCK_DGRAM, "credcli"), on = 1;
	char buf[8], cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { buf, sizeof buf };
	struct msghdr m = { NULL, 0, &iov, 1, cbuf, sizeof cbuf, 0 };
	struct cmsghdr *c;
	struct ucred cred;

	CHECK_OK("SO_PASSCRED", setsockopt(srv, SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
	send_to(cli, "c", "dsrv");
	check_long("recvmsg with credentials", 1, recvmsg(srv, &m, 0));
	c = CMSG_FIRSTHDR(&m);
	if (check_true("an SCM_CREDENTIALS message", c && c->cmsg_level == SOL_SOCKET &&
						     c->cmsg_type == SCM_CREDENTIALS)) {
		memcpy(&cred, CMSG_DATA(c), sizeof cred);
		check_long("the sender's pid", getpid(), cred.pid);
		check_long("the sender's uid", getuid(), cred.uid);
		check_long("the sender's gid", getgid(), cred.gid);
	}
	on = 0;
	setsockopt(srv, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
	close(cli);
}

static void connected(int srv)
{
	int c = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };

	CHECK_ERRNO("send unconnected", send(c, "x", 1, 0), ENOTCONN);
	CHECK_OK("connect", unix_connect(c, "dsrv"));
	check_name("getpeername", c, 1, "dsrv");
	check_long("send connected", 4, send(c, "conn", 4, 0));
	check_from("a connected datagram", srv, "conn", NULL);
	CHECK_OK("dissolve with AF_UNSPEC", connect(c, &unspec, sizeof unspec.sa_family));
	CHECK_ERRNO("send after AF_UNSPEC", send(c, "x", 1, 0), ENOTCONN);
	CHECK_ERRNO("getpeername after AF_UNSPEC", getpeername(c, NULL, NULL), ENOTCONN);
	close(c);
}

static void errors(int srv)
{
	int c = socket(AF_UNIX, SOCK_DGRAM, 0), stream, file, sndbuf = 0;
	socklen_t len = sizeof sndbuf;
	char *big;
	char buf[4];

	file = open("file", O_CREAT | O_WRONLY, 0600);
	close(file);
	stream = unix_server("stream", SOCK_STREAM, "stream");
	CHECK_ERRNO("sendto a missing name", send_to(c, "x", "missing"), ENOENT);
	CHECK_ERRNO("sendto a regular file", send_to(c, "x", "file"), ECONNREFUSED);
	CHECK_ERRNO("sendto a stream socket", send_to(c, "x", "stream"), EPROTOTYPE);
	CHECK_ERRNO("connect to a stream socket", unix_connect(c, "stream"), EPROTOTYPE);
	getsockopt(c, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len);
	big = calloc(1, (size_t)sndbuf);
	if (big) {
		struct sockaddr_un a;
		socklen_t alen = unix_path(&a, "missing");

		CHECK_ERRNO("a datagram past SO_SNDBUF", sendto(c, big, (size_t)sndbuf, 0,
								 (struct sockaddr *)&a, alen), EMSGSIZE);
		free(big);
	}
	unix_timeout(srv, 100);
	CHECK_ERRNO("recv past SO_RCVTIMEO", recv(srv, buf, sizeof buf, 0), EAGAIN);
	unix_timeout(srv, 0);
	close(stream);
	close(c);
}

/* A datagram keeps its sender's name and credentials after the sender is
 * gone: the child closes its socket and is reaped before the read. */
static void across_fork(int srv)
{
	char buf[8] = "", cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { buf, sizeof buf - 1 };
	struct sockaddr_un got, want;
	struct msghdr m = { &got, sizeof got, &iov, 1, cbuf, sizeof cbuf, 0 };
	struct cmsghdr *c;
	struct ucred cred;
	int on = 1;
	pid_t kid;

	setsockopt(srv, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
	kid = proc_fork("child");
	if (kid == 0) {
		int s = socket(AF_UNIX, SOCK_DGRAM, 0);

		CHECK_OK("child bind", unix_bind(s, "kid"));
		check_long("child sendto", 5, send_to(s, "child", "dsrv"));
		proc_child_exit();
	}
	if (kid < 0)
		return;
	proc_reap("child", kid, PROC_EXITED(0));
	check_long("the departed child's datagram", 5, recvmsg(srv, &m, MSG_DONTWAIT));
	check_true("its text", !strcmp(buf, "child"));
	check_addr("the departed child's name", &want, unix_path(&want, "kid"), &got,
		   m.msg_namelen);
	c = CMSG_FIRSTHDR(&m);
	if (check_true("its credentials", c && c->cmsg_type == SCM_CREDENTIALS)) {
		memcpy(&cred, CMSG_DATA(c), sizeof cred);
		check_long("the departed child's pid", kid, cred.pid);
	}
	on = 0;
	setsockopt(srv, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
}

/* On a read-only mount a bind is EROFS and leaves no file behind. */
static void read_only(const char *dir)
{
	char path[108];
	struct stat st;
	int c = socket(AF_UNIX, SOCK_DGRAM, 0);

	snprintf(path, sizeof path, "%s/ro-sock", dir);
	CHECK_ERRNO("bind on a read-only mount", unix_bind(c, path), EROFS);
	CHECK_ERRNO("nothing was made", stat(path, &st), ENOENT);
	CHECK_OK("the socket can bind elsewhere", unix_bind(c, "rw-sock"));
	close(c);
}

int main(int argc, char **argv)
{
	int srv;

	if (!unix_enter(argc, argv))
		return 1;
	unix_watchdog(30);
	if (argc > 2) {
		read_only(argv[2]);
		return check_exit("unix_dgram");
	}
	srv = unix_server("server", SOCK_DGRAM, "dsrv");
	if (srv < 0)
		return check_exit("unix_dgram");
	addresses(srv);
	recvmsg_names(srv);
	credentials(srv);
	connected(srv);
	errors(srv);
	across_fork(srv);
	close(srv);
	return check_exit("unix_dgram");
}
