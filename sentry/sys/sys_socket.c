/* Sockets (net/socket.c, net/unix/af_unix.c). umbra's guests have no
 * network: AF_UNIX socket pairs only, each end a host socket the sentry
 * owns. Messages move straight between guest memory and the host socket;
 * SCM_RIGHTS carries guest fds as the host fds behind them and back, so a
 * guest can pass only what it holds, and the rest of each file (its mount
 * and guest path) by the side (fs/inflight.h). Named sockets (bind, connect) are not
 * there yet and say ENOSYS. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sentry/fs/fs_task.h"
#include "sentry/fs/inflight.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/sys/io.h"
#include "syscall_handlers.h"

#define SOCK_TYPE_MASK 0xf
#define SCM_MAX_FD 253 /* net/core/scm.c */
#define CONTROL_MAX 4096

/* One end as a guest file at the lowest free fd; the file owns host_fd. */
static long install(struct task *t, int host_fd, int flags)
{
	struct file *f = file_new(host_fd, O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0), NULL,
				  NULL);

	if (!f)
		return -ENOMEM;
	return fdtable_install(t->files, f, 0, fs_fd_limit(t), flags & SOCK_CLOEXEC);
}

static long check_type(int domain, int type)
{
	int kind = type & SOCK_TYPE_MASK;

	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (domain != AF_UNIX)
		return -EAFNOSUPPORT; /* no network in the sandbox */
	if (kind != SOCK_STREAM && kind != SOCK_DGRAM && kind != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	return 0;
}

long sys_socketpair(struct task *t, const struct syscall_args *a)
{
	int domain = (int)a->a[0], type = (int)a->a[1], host[2], fd[2];
	long r = check_type(domain, type);

	if (r)
		return r == -EAFNOSUPPORT ? -EOPNOTSUPP : r;
	if (a->a[2])
		return -EPROTONOSUPPORT;
	if (socketpair(AF_UNIX, (type & SOCK_TYPE_MASK) | SOCK_CLOEXEC | (type & SOCK_NONBLOCK),
		       0, host) < 0)
		return errno == EMFILE ? -ENFILE : -errno;
	r = install(t, host[0], type);
	if (r < 0) {
		close(host[1]);
		return r;
	}
	fd[0] = (int)r;
	r = install(t, host[1], type);
	if (r < 0) {
		fdtable_close(t->files, fd[0]);
		return r;
	}
	fd[1] = (int)r;
	if (copy_to_guest(t, a->a[3], fd, sizeof fd) < 0) {
		fdtable_close(t->files, fd[0]);
		fdtable_close(t->files, fd[1]);
		return -EFAULT;
	}
	return 0;
}

long sys_socket(struct task *t, const struct syscall_args *a)
{
	long r = check_type((int)a->a[0], (int)a->a[1]);

	if (r)
		return r;
	sandbox_log(t->sb, "AF_UNIX sockets with names (socket, bind, connect) are not implemented: "
			   "ENOSYS");
	return -ENOSYS;
}

/* The host socket behind a guest fd: ENOTSOCK for anything else. */
static long sock_of(struct task *t, uint64_t fd, int *host)
{
	struct file *f;
	int type;
	socklen_t len = sizeof type;
	long r = fs_file(t, fd, &f);

	if (r)
		return r;
	if (getsockopt(f->host_fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return errno == ENOTSOCK ? -ENOTSOCK : -errno;
	*host = f->host_fd;
	return 0;
}

/* SCM_RIGHTS of a message going out: the guest's fds become the host fds
 * behind them (borrowed for the call); other control messages are refused. */
static long control_out(struct task *t, uint8_t *buf, size_t len)
{
	for (struct cmsghdr *c = (struct cmsghdr *)buf; len >= sizeof *c && c->cmsg_len >= sizeof *c &&
	     c->cmsg_len <= len; ) {
		size_t clen = CMSG_ALIGN(c->cmsg_len);
		int *fds = (int *)CMSG_DATA(c);
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			return -EINVAL; /* credentials would name host ids */
		if (n > SCM_MAX_FD)
			return -EINVAL;
		for (size_t i = 0; i < n; i++) {
			struct file *f;
			long r = fs_file(t, (uint64_t)(uint32_t)fds[i], &f);

			if (r)
				return r;
			inflight_note(t->sb->inflight, f);
			fds[i] = f->host_fd;
		}
		if (clen >= len)
			break;
		len -= clen;
		c = (struct cmsghdr *)((uint8_t *)c + clen);
	}
	return 0;
}

/* A host fd that came in a message as a guest file. */
static long receive_fd(struct task *t, int host, int flags)
{
	struct file *f = inflight_file(t->sb->inflight, host);

	if (!f)
		return -ENOMEM;
	return fdtable_install(t->files, f, 0, fs_fd_limit(t), flags & MSG_CMSG_CLOEXEC);
}

/* SCM_RIGHTS of a message come in: each host fd becomes a guest file;
 * past the first that cannot, the rest are closed (scm_detach_fds). */
static long control_in(struct task *t, struct msghdr *m, int flags)
{
	long err = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		int *fds = (int *)CMSG_DATA(c);
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < n; i++) {
			long r = err ? (close(fds[i]), err) : receive_fd(t, fds[i], flags);

			if (r < 0)
				err = r;
			fds[i] = r < 0 ? -1 : (int)r;
		}
	}
	return err;
}

/* A send's EPIPE raises the guest's SIGPIPE unless it asked MSG_NOSIGNAL. */
static long send_result(struct task *t, ssize_t n, int flags, int reading)
{
	if (n < 0 && errno == EPIPE && !reading && (flags & MSG_NOSIGNAL))
		return -EPIPE;
	return io_host_result(t, n, reading);
}

struct linux_msghdr {
	uint64_t name;
	uint32_t namelen, pad0;
	uint64_t iov, iovlen, control, controllen;
	int32_t flags, pad1;
};

static long do_msg(struct task *t, uint64_t fd, uint64_t umsg, int flags, int reading)
{
	static __thread struct iovec iov[IO_HOST_IOV_MAX];
	static __thread uint8_t control[CONTROL_MAX];
	struct linux_msghdr g;
	struct msghdr m;
	uint64_t total;
	ssize_t n;
	int host, cnt;
	long r = sock_of(t, fd, &host);

	if (r)
		return r;
	if (copy_from_guest(t, &g, umsg, sizeof g) < 0)
		return -EFAULT;
	if (g.name && g.namelen && !reading)
		return -EISCONN; /* a pair's ends are connected */
	cnt = io_import_iovecs(t, g.iov, g.iovlen, reading, iov, &total);
	if (cnt < 0)
		return cnt;
	if (g.controllen > CONTROL_MAX)
		g.controllen = reading ? CONTROL_MAX : g.controllen;
	if (g.controllen > CONTROL_MAX)
		return -ENOBUFS;
	memset(&m, 0, sizeof m);
	m.msg_iov = iov;
	m.msg_iovlen = (size_t)cnt;
	m.msg_control = g.controllen ? control : NULL;
	m.msg_controllen = g.controllen;
	if (!reading && g.controllen) {
		if (copy_from_guest(t, control, g.control, g.controllen) < 0)
			return -EFAULT;
		r = control_out(t, control, g.controllen);
		if (r)
			return r;
	}
	if (!(flags & MSG_DONTWAIT) && (r = task_wait_fd(host, reading ? POLLIN : POLLOUT)) < 0)
		return r;
	n = reading ? recvmsg(host, &m, (flags & ~MSG_CMSG_CLOEXEC) | MSG_CMSG_CLOEXEC)
		    : sendmsg(host, &m, flags | MSG_NOSIGNAL);
	if (n < 0)
		return send_result(t, n, flags, reading);
	if (reading) {
		r = m.msg_controllen ? control_in(t, &m, flags) : 0;
		g.controllen = m.msg_controllen;
		g.flags = m.msg_flags;
		g.namelen = 0;
		if (!r && m.msg_controllen && copy_to_guest(t, g.control, control, m.msg_controllen) < 0)
			r = -EFAULT;
		if (!r && copy_to_guest(t, umsg, &g, sizeof g) < 0)
			r = -EFAULT;
		if (r)
			return r;
	}
	return n;
}

long sys_sendmsg(struct task *t, const struct syscall_args *a)
{
	return do_msg(t, a->a[0], a->a[1], (int)a->a[2], 0);
}

long sys_recvmsg(struct task *t, const struct syscall_args *a)
{
	return do_msg(t, a->a[0], a->a[1], (int)a->a[2], 1);
}

/* sendto and recvfrom without an address are send and recv. */
static long send_recv(struct task *t, const struct syscall_args *a, int reading)
{
	struct iovec iov[64];
	int host, cnt;
	ssize_t n;
	long r = sock_of(t, a->a[0], &host);
	int flags = (int)a->a[3];

	if (r)
		return r;
	if (!reading && a->a[4] && a->a[5])
		return -EISCONN;
	cnt = a->a[2] ? mm_iov(t->mm, a->a[1], a->a[2], reading ? MM_WRITE : MM_READ, iov, 64) : 0;
	if (cnt < 0)
		return cnt;
	if (!(flags & MSG_DONTWAIT) && (r = task_wait_fd(host, reading ? POLLIN : POLLOUT)) < 0)
		return r;
	{
		struct msghdr m = { NULL, 0, iov, (size_t)cnt, NULL, 0, 0 };

		n = reading ? recvmsg(host, &m, flags) : sendmsg(host, &m, flags | MSG_NOSIGNAL);
	}
	if (n >= 0 && reading && a->a[5]) {
		uint32_t zero = 0; /* an unnamed peer: no address */

		if (copy_to_guest(t, a->a[5], &zero, sizeof zero) < 0)
			return -EFAULT;
	}
	return send_result(t, n, flags, reading);
}

long sys_sendto(struct task *t, const struct syscall_args *a)
{
	return send_recv(t, a, 0);
}

long sys_recvfrom(struct task *t, const struct syscall_args *a)
{
	return send_recv(t, a, 1);
}

long sys_shutdown(struct task *t, const struct syscall_args *a)
{
	int host;
	long r = sock_of(t, a->a[0], &host);

	if (r)
		return r;
	return shutdown(host, (int)a->a[1]) < 0 ? -errno : 0;
}

/* The options a socket pair's end answers from the host; others (and any
 * that would name host ids, like SO_PEERCRED) are ENOPROTOOPT. */
static bool option_ok(int level, int name)
{
	if (level != SOL_SOCKET)
		return false;
	switch (name) {
	case SO_TYPE: case SO_DOMAIN: case SO_PROTOCOL: case SO_ERROR: case SO_SNDBUF:
	case SO_RCVBUF: case SO_RCVTIMEO: case SO_SNDTIMEO: case SO_ACCEPTCONN: case SO_RCVLOWAT:
	case SO_SNDLOWAT: case SO_LINGER: case SO_KEEPALIVE: case SO_REUSEADDR:
		return true;
	default:
		return false;
	}
}

long sys_getsockopt(struct task *t, const struct syscall_args *a)
{
	uint8_t val[64];
	uint32_t len;
	socklen_t hl;
	int host;
	long r = sock_of(t, a->a[0], &host);

	if (r)
		return r;
	if (copy_from_guest(t, &len, a->a[4], sizeof len) < 0)
		return -EFAULT;
	if ((int32_t)len < 0)
		return -EINVAL;
	if (!option_ok((int)a->a[1], (int)a->a[2]))
		return -ENOPROTOOPT;
	hl = len < sizeof val ? len : sizeof val;
	if (getsockopt(host, (int)a->a[1], (int)a->a[2], val, &hl) < 0)
		return -errno;
	len = hl;
	if (copy_to_guest(t, a->a[3], val, hl) < 0 || copy_to_guest(t, a->a[4], &len, sizeof len) < 0)
		return -EFAULT;
	return 0;
}

long sys_setsockopt(struct task *t, const struct syscall_args *a)
{
	uint8_t val[64];
	int host;
	long r = sock_of(t, a->a[0], &host);

	if (r)
		return r;
	if (!option_ok((int)a->a[1], (int)a->a[2]))
		return -ENOPROTOOPT;
	if (a->a[4] > sizeof val)
		return -EINVAL;
	if (copy_from_guest(t, val, a->a[3], a->a[4]) < 0)
		return -EFAULT;
	return setsockopt(host, (int)a->a[1], (int)a->a[2], val, (socklen_t)a->a[4]) < 0 ? -errno : 0;
}

/* An unnamed AF_UNIX socket's name: the family alone. */
static long unnamed(struct task *t, const struct syscall_args *a)
{
	uint16_t family = AF_UNIX;
	uint32_t len, full = sizeof family;
	int host;
	long r = sock_of(t, a->a[0], &host);

	if (r)
		return r;
	if (copy_from_guest(t, &len, a->a[2], sizeof len) < 0)
		return -EFAULT;
	if ((int32_t)len < 0)
		return -EINVAL;
	if (copy_to_guest(t, a->a[1], &family, len < full ? len : full) < 0 ||
	    copy_to_guest(t, a->a[2], &full, sizeof full) < 0)
		return -EFAULT;
	return 0;
}

long sys_getsockname(struct task *t, const struct syscall_args *a)
{
	return unnamed(t, a);
}

long sys_getpeername(struct task *t, const struct syscall_args *a)
{
	return unnamed(t, a);
}
