/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Named AF_UNIX stream sockets (net/unix/af_unix.c, unix(7)): bind, listen,
 * connect and accept across fork with data both ways; the names
 * getsockname, getpeername and accept report; SO_PEERCRED of both ends
 * (the client's pid as fork gave it, the listener's); the errors of bind
 * (EADDRINUSE, EINVAL, EFAULT), connect (ECONNREFUSED on a file and on a
 * socket nobody listens on, ENOENT, ENOTDIR, EISCONN, EAGAIN on a full
 * backlog) and accept (EINVAL, EAGAIN, EINTR from a signal, SO_RCVTIMEO);
 * a name unlinked and bound again; a connect through a symlink; a client
 * that ended before the accept.
 *
 * Usage: unix_stream SCRATCH_DIR
 */
#include "proc.h"
#include "unix.h"

#include <signal.h>
#include <sys/stat.h>

/* The child: connects, checks what it sees, talks, waits for the end. */
static void client(pid_t parent, const char *bind_as)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	char buf[16];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	unix_timeout(fd, 10000);
	if (bind_as)
		CHECK_OK("client bind", unix_bind(fd, bind_as));
	if (!CHECK_OK("connect", unix_connect(fd, "srv")))
		proc_child_exit();
	check_name("client getpeername", fd, 1, "srv");
	check_name("client getsockname", fd, 0, bind_as);
	CHECK_OK("client SO_PEERCRED", getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len));
	check_long("SO_PEERCRED length", sizeof cred, len);
	check_long("client sees the listener's pid", parent, cred.pid);
	check_long("client sees the listener's uid", getuid(), cred.uid);
	check_long("send hello", 5, send(fd, "hello", 5, 0));
	check_long("recv world", 5, recv(fd, buf, sizeof buf, 0));
	check_true("world's bytes", !memcmp(buf, "world", 5));
	check_long("EOF when the server closes", 0, recv(fd, buf, sizeof buf, 0));
	proc_child_exit();
}

static void serve_one(int srv, const char *bind_as)
{
	struct sockaddr_un peer, want;
	socklen_t plen = sizeof peer, wlen = bind_as ? unix_path(&want, bind_as) : UNIX_OFF;
	struct ucred cred;
	socklen_t len = sizeof cred;
	char buf[16];
	pid_t kid = proc_fork("client");
	int fd;

	if (kid == 0)
		client(getppid(), bind_as);
	if (kid < 0)
		return;
	if (!bind_as) {
		memset(&want, 0, sizeof want);
		want.sun_family = AF_UNIX;
	}
	fd = accept(srv, (struct sockaddr *)&peer, &plen);
	if (CHECK_OK("accept", fd)) {
		check_addr("accept's address", &want, wlen, &peer, plen);
		check_name("accepted getsockname", fd, 0, "srv");
		check_name("accepted getpeername", fd, 1, bind_as);
		CHECK_OK("SO_PEERCRED", getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len));
		check_long("SO_PEERCRED pid is the child's", kid, cred.pid);
		check_long("SO_PEERCRED uid", getuid(), cred.uid);
		check_long("SO_PEERCRED gid", getgid(), cred.gid);
		unix_timeout(fd, 10000);
		check_long("recv hello", 5, recv(fd, buf, sizeof buf, 0));
		check_true("hello's bytes", !memcmp(buf, "hello", 5));
		check_long("send world", 5, send(fd, "world", 5, 0));
		close(fd);
	}
	proc_reap("client", kid, PROC_EXITED(0));
}

/* A client that connects, writes and ends before the accept: its data and
 * its credentials (kept with the connection) are still there. */
static void gone_client(int srv)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	char buf[8];
	pid_t kid = proc_fork("short-lived client");
	int fd;

	if (kid == 0) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		CHECK_OK("connect", unix_connect(fd, "srv"));
		check_long("send bye", 3, send(fd, "bye", 3, 0));
		proc_child_exit();
	}
	if (kid < 0 || !proc_reap("short-lived client", kid, PROC_EXITED(0)))
		return;
	fd = accept(srv, NULL, NULL);
	if (!CHECK_OK("accept after the client ended", fd))
		return;
	CHECK_OK("SO_PEERCRED", getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len));
	check_long("SO_PEERCRED pid of the ended client", kid, cred.pid);
	check_long("its data", 3, recv(fd, buf, sizeof buf, 0));
	check_long("then EOF", 0, recv(fd, buf, sizeof buf, 0));
	close(fd);
}

static void refused(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), lonely, file;

	file = open("file", O_CREAT | O_WRONLY, 0600);
	close(file);
	CHECK_ERRNO("connect to a regular file", unix_connect(fd, "file"), ECONNREFUSED);
	CHECK_ERRNO("connect to a missing name", unix_connect(fd, "missing"), ENOENT);
	CHECK_ERRNO("connect below a file", unix_connect(fd, "file/x"), ENOTDIR);
	lonely = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK("bind lonely", unix_bind(lonely, "lonely"));
	CHECK_ERRNO("connect to a socket nobody listens on", unix_connect(fd, "lonely"),
		    ECONNREFUSED);
	CHECK_ERRNO("listen on an unbound socket", listen(fd, 1), EINVAL);
	/* A failed connect leaves the socket unnamed: it can still serve. */
	check_name("unnamed after a failed connect", fd, 0, NULL);
	CHECK_OK("bind after a failed connect", unix_bind(fd, "later"));
	CHECK_OK("listen after a failed connect", listen(fd, 1));
	check_name("getsockname after it", fd, 0, "later");
	CHECK_ERRNO("getpeername unconnected", getpeername(lonely, NULL, NULL), ENOTCONN);
	close(fd);
	close(lonely);
}

static void bind_errors(int srv)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	CHECK_ERRNO("bind to a name in use", unix_bind(fd, "srv"), EADDRINUSE);
	CHECK_ERRNO("bind to a file's name", unix_bind(fd, "file"), EADDRINUSE);
	CHECK_ERRNO("bind a bound socket", unix_bind(srv, "other"), EINVAL);
	CHECK_ERRNO("bind in a missing directory", unix_bind(fd, "nodir/s"), ENOENT);
	CHECK_ERRNO("bind with a bad address", bind(fd, bad_address(), 10), EFAULT);
	unix_path(&a, "x");
	CHECK_ERRNO("bind past sockaddr_storage", bind(fd, (struct sockaddr *)&a, 129), EINVAL);
	CHECK_ERRNO("bind past sockaddr_un", bind(fd, (struct sockaddr *)&a, 111), EINVAL);
	CHECK_ERRNO("bind a family alone of another family",
		    bind(fd, (struct sockaddr *)&(struct sockaddr){ .sa_family = AF_INET }, 3), EINVAL);
	close(fd);
}

static void names(int srv)
{
	struct sockaddr_un got;
	socklen_t len = 3;
	struct stat st;

	memset(&got, 0, sizeof got);
	CHECK_OK("getsockname, short buffer", getsockname(srv, (struct sockaddr *)&got, &len));
	check_long("the full length comes back", UNIX_OFF + 4, len);
	check_long("three bytes were copied", 's', got.sun_path[0]);
	check_long("no more", 0, got.sun_path[1]);
	if (CHECK_OK("stat the socket file", stat("srv", &st)))
		check_true("it is a socket", S_ISSOCK(st.st_mode));
	CHECK_OK("symlink to the socket", symlink("srv", "link"));
}

static int interrupted;

static void on_alarm(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Blocking accepts end: by a signal (EINTR, the handler has no
 * SA_RESTART) and by SO_RCVTIMEO (EAGAIN); O_NONBLOCK and accept4's
 * flags. */
static void accept_ends(int srv)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { { 0, 0 }, { 0, 200000 } };
	struct timeval tv = { 0, 100000 };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK_ERRNO("accept interrupted by a signal", accept(srv, NULL, NULL), EINTR);
	check_true("the handler ran", interrupted);
	setsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	CHECK_ERRNO("accept past SO_RCVTIMEO", accept(srv, NULL, NULL), EAGAIN);
	tv.tv_usec = 0;
	setsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	CHECK_ERRNO("recv on a listening socket", recv(srv, &tv, 1, 0), EINVAL);
	CHECK_ERRNO("send on a listening socket", send(srv, "x", 1, MSG_NOSIGNAL), ENOTCONN);
	CHECK_ERRNO("accept4 with bad flags", accept4(srv, NULL, NULL, 0x10), EINVAL);
	CHECK_ERRNO("accept on a socket not listening", accept(fd, NULL, NULL), EINVAL);
	fcntl(srv, F_SETFL, O_NONBLOCK);
	CHECK_ERRNO("accept, O_NONBLOCK", accept(srv, NULL, NULL), EAGAIN);
	fcntl(srv, F_SETFL, 0);
	signal(SIGALRM, SIG_DFL);
	unix_watchdog(30);
	close(fd);
}

/* A backlog of 0 takes one connection; a second, O_NONBLOCK, is EAGAIN. */
static void backlog(void)
{
	int srv = socket(AF_UNIX, SOCK_STREAM, 0), a = socket(AF_UNIX, SOCK_STREAM, 0);
	int b = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0), in, acc = 0;
	socklen_t len = sizeof acc;

	CHECK_OK("bind full", unix_bind(srv, "full"));
	CHECK_OK("listen(0)", listen(srv, 0));
	CHECK_OK("SO_ACCEPTCONN", getsockopt(srv, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len));
	check_long("SO_ACCEPTCONN is 1", 1, acc);
	CHECK_OK("first connect", unix_connect(a, "full"));
	CHECK_ERRNO("second connect, backlog full", unix_connect(b, "full"), EAGAIN);
	in = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
	if (CHECK_OK("accept4", in))
		check_long("accept4's SOCK_CLOEXEC", FD_CLOEXEC, fcntl(in, F_GETFD));
	/* (With the backlog full, a connect waits before it looks at its socket.) */
	CHECK_ERRNO("connect a connected socket", unix_connect(a, "full"), EISCONN);
	CHECK_OK("connect once there is room", unix_connect(b, "full"));
	close(in);
	close(a);
	close(b);
	close(srv);
}

int main(int argc, char **argv)
{
	int srv;

	if (!unix_enter(argc, argv))
		return 1;
	unix_watchdog(30);
	srv = unix_server("server", SOCK_STREAM, "srv");
	if (srv < 0)
		return check_exit("unix_stream");
	check_name("server getsockname", srv, 0, "srv");
	serve_one(srv, NULL);
	serve_one(srv, "cli");
	gone_client(srv);
	refused();
	bind_errors(srv);
	names(srv);
	accept_ends(srv);
	backlog();
	/* The name outlives nothing: unlinked, it can be bound again. */
	close(srv);
	CHECK_ERRNO("bind over the old socket file", unix_bind(socket(AF_UNIX, SOCK_STREAM, 0),
								"srv"), EADDRINUSE);
	CHECK_OK("unlink srv", unlink("srv"));
	CHECK_OK("unlink link", unlink("link"));
	srv = unix_server("bind again", SOCK_STREAM, "srv");
	CHECK_OK("symlink to the new socket", symlink("srv", "link"));
	{
		int c = socket(AF_UNIX, SOCK_STREAM, 0);

		CHECK_OK("connect through a symlink", unix_connect(c, "link"));
		close(c);
	}
	close(srv);
	return check_exit("unix_stream");
}
