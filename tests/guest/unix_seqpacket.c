/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Named AF_UNIX seqpacket sockets (net/unix/af_unix.c): connect and accept
 * across fork, packets that keep their boundaries (MSG_TRUNC in msg_flags
 * when cut), EOF after the peer's shutdown and close, EPIPE after it, an
 * address given to send ignored, ENOTCONN before a connection.
 *
 * Usage: unix_seqpacket SCRATCH_DIR
 */
#include "proc.h"
#include "unix.h"

static void client(void)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	struct sockaddr_un a;
	socklen_t alen = unix_path(&a, "elsewhere");
	char buf[8];

	unix_timeout(fd, 10000);
	if (!CHECK_OK("connect", unix_connect(fd, "sq")))
		proc_child_exit();
	check_name("client getpeername", fd, 1, "sq");
	check_long("a", 1, send(fd, "a", 1, 0));
	check_long("bc", 2, send(fd, "bc", 2, 0));
	check_long("an address is ignored", 3,
		   sendto(fd, "def", 3, 0, (struct sockaddr *)&a, alen));
	check_long("a long one", 6, send(fd, "ghijkl", 6, 0));
	check_long("shutdown(SHUT_WR)", 0, shutdown(fd, SHUT_WR));
	check_long("the server's packet", 4, recv(fd, buf, sizeof buf, 0));
	check_long("EOF once the server closed", 0, recv(fd, buf, sizeof buf, 0));
	CHECK_ERRNO("send after shutdown", send(fd, "x", 1, MSG_NOSIGNAL), EPIPE);
	proc_child_exit();
}

static void server(int srv)
{
	char buf[8];
	struct iovec iov = { buf, 3 };
	struct msghdr m = { NULL, 0, &iov, 1, NULL, 0, 0 };
	pid_t kid = proc_fork("client");
	int fd;

	if (kid == 0)
		client();
	if (kid < 0)
		return;
	fd = accept(srv, NULL, NULL);
	if (CHECK_OK("accept", fd)) {
		unix_timeout(fd, 10000);
		check_name("accepted getpeername", fd, 1, NULL);
		check_long("packet 1", 1, recv(fd, buf, sizeof buf, 0));
		check_long("packet 2", 2, recv(fd, buf, sizeof buf, 0));
		check_long("packet 3", 3, recv(fd, buf, sizeof buf, 0));
		check_true("its bytes", !memcmp(buf, "def", 3));
		check_long("packet 4, cut", 3, recvmsg(fd, &m, 0));
		check_true("MSG_TRUNC in msg_flags", m.msg_flags & MSG_TRUNC);
		check_long("EOF after the client's shutdown", 0, recv(fd, buf, sizeof buf, 0));
		check_long("send back", 4, send(fd, "back", 4, 0));
		close(fd);
	}
	proc_reap("client", kid, PROC_EXITED(0));
}

int main(int argc, char **argv)
{
	int srv, c;

	if (!unix_enter(argc, argv))
		return 1;
	unix_watchdog(30);
	c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK_ERRNO("send before connecting", send(c, "x", 1, MSG_NOSIGNAL), ENOTCONN);
	close(c);
	srv = unix_server("server", SOCK_SEQPACKET, "sq");
	if (srv < 0)
		return check_exit("unix_seqpacket");
	server(srv);
	close(srv);
	return check_exit("unix_seqpacket");
}
