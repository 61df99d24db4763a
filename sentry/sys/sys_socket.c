/* Sockets (net/socket.c, net/unix/af_unix.c). umbra's guests have no
 * network: AF_UNIX only (EAFNOSUPPORT for other families), each socket a
 * host socket the sentry owns, with a record of what the guest sees
 * (sentry/net/usock.h): the names it bound, its peer's name and guest
 * credentials. Named sockets live in the guest's view: a path is resolved
 * by the sentry's walk and reached on the host through the very directory
 * or socket file it found (sys_sockconn.c); abstract names live in the
 * sandbox's own namespace, never the host's. Messages move straight between
 * guest memory and the host socket (sys_sockmsg.c). This file: socket,
 * socketpair, shutdown, options, getsockname and getpeername. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sentry/fs/fs_task.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/sys/sock.h"
#include "syscall_handlers.h"

#define SOCK_MAX 11 /* SOCK_PACKET + 1 */
#define NPROTO 46   /* AF_MAX */

struct usock_cred sock_cred(const struct task *t)
{
	struct usock_cred c = { t->tgid, t->sb->uid, t->sb->gid };

	return c;
}

long sock_install(struct task *t, int host_fd, struct usock *s, int flags)
{
	struct file *f = file_new(host_fd, O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0), NULL,
				  NULL);

	if (!f) {
		usock_put(s);
		return -ENOMEM;
	}
	f->sock = s;
	return fdtable_install(t->files, f, 0, fs_fd_limit(t), flags & SOCK_CLOEXEC);
}

/* The record of a socket file made elsewhere (one that came in a message,
 * or was given): attached on first use. */
static struct usock *attach(struct task *t, struct file *f, int type)
{
	struct usock *s = usock_of_host(t->sb->usock, f->host_fd, type), *none = NULL;

	if (s && !__atomic_compare_exchange_n(&f->sock, &none, s, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE)) {
		usock_put(s);
		s = none;
	}
	return s;
}

long sock_of(struct task *t, uint64_t fd, struct sock_ref *r)
{
	int type, domain;
	socklen_t len = sizeof type;
	long err = fs_file(t, fd, &r->file);

	if (err)
		return err;
	r->host = r->file->host_fd;
	r->s = __atomic_load_n(&r->file->sock, __ATOMIC_ACQUIRE);
	if (r->s)
		return 0;
	if (getsockopt(r->host, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return errno == ENOTSOCK ? -ENOTSOCK : -errno;
	len = sizeof domain;
	if (getsockopt(r->host, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != AF_UNIX)
		return 0;
	r->s = attach(t, r->file, type);
	return r->s ? 0 : -ENOMEM;
}

/* __sys_socket() and unix_create(): the flags, the family, the type (SOCK_RAW
 * is a datagram socket), the protocol. */
static long check_socket(int domain, int type, int protocol, int *kind)
{
	*kind = type & SOCK_TYPE_MASK;
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (domain < 0 || domain >= NPROTO)
		return -EAFNOSUPPORT;
	if (*kind >= SOCK_MAX)
		return -EINVAL;
	if (domain != AF_UNIX)
		return -EAFNOSUPPORT; /* no network in the sandbox */
	if (protocol && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	if (*kind == SOCK_RAW)
		*kind = SOCK_DGRAM;
	if (*kind != SOCK_STREAM && *kind != SOCK_DGRAM && *kind != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	return 0;
}

static int host_flags(int kind, int type)
{
	return kind | SOCK_CLOEXEC | (type & SOCK_NONBLOCK);
}

long sys_socket(struct task *t, const struct syscall_args *a)
{
	int type = (int)a->a[1], kind, host;
	long r = check_socket((int)a->a[0], type, (int)a->a[2], &kind);
	struct usock *s;

	if (r)
		return r;
	host = socket(AF_UNIX, host_flags(kind, type), 0);
	if (host < 0)
		return errno == EMFILE ? -ENFILE : -errno;
	s = usock_new(t->sb->usock, host, kind);
	if (!s) {
		close(host);
		return -ENOMEM;
	}
	s->cred = sock_cred(t);
	return sock_install(t, host, s, type);
}

/* One end of a pair: both ends' peer is the caller (unix_socketpair). */
static long pair_end(struct task *t, int host, int kind, int type)
{
	struct usock *s = usock_new(t->sb->usock, host, kind);

	if (!s) {
		close(host);
		return -ENOMEM;
	}
	s->cred = s->peer_cred = sock_cred(t);
	s->peer.len = USOCK_PATH_OFF;
	s->peer.sa[0] = AF_UNIX;
	return sock_install(t, host, s, type);
}

long sys_socketpair(struct task *t, const struct syscall_args *a)
{
	int type = (int)a->a[1], kind, host[2], fd[2];
	long r = check_socket((int)a->a[0], type, (int)a->a[2], &kind);

	if (r)
		return r == -EAFNOSUPPORT && (int)a->a[0] >= 0 && a->a[0] < NPROTO ? -EOPNOTSUPP : r;
	if (socketpair(AF_UNIX, host_flags(kind, type), 0, host) < 0)
		return errno == EMFILE ? -ENFILE : -errno;
	r = pair_end(t, host[0], kind, type);
	if (r < 0) {
		close(host[1]);
		return r;
	}
	fd[0] = (int)r;
	r = pair_end(t, host[1], kind, type);
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

long sys_shutdown(struct task *t, const struct syscall_args *a)
{
	struct sock_ref r;
	long err = sock_of(t, a->a[0], &r);

	if (err)
		return err;
	return shutdown(r.host, (int)a->a[1]) < 0 ? -errno : 0;
}

/* The options answered by the host socket; SO_PEERCRED is the sentry's,
 * and the rest ENOPROTOOPT (never passed to the host blindly). */
static bool option_ok(int level, int name)
{
	if (level != SOL_SOCKET)
		return false;
	switch (name) {
	case SO_TYPE: case SO_DOMAIN: case SO_PROTOCOL: case SO_ERROR: case SO_SNDBUF:
	case SO_RCVBUF: case SO_RCVTIMEO: case SO_SNDTIMEO: case SO_ACCEPTCONN: case SO_RCVLOWAT:
	case SO_SNDLOWAT: case SO_LINGER: case SO_KEEPALIVE: case SO_REUSEADDR: case SO_PASSCRED:
	case SO_RCVTIMEO_NEW: case SO_SNDTIMEO_NEW:
		return true;
	default:
		return false;
	}
}

/* SO_PEERCRED (sk_getsockopt): the peer's guest credentials, cut to the
 * caller's length. */
static long peercred(struct task *t, const struct sock_ref *r, const struct syscall_args *a,
		     uint32_t len)
{
	struct usock_cred c = usock_no_cred;

	if (r->s) {
		usock_lock(r->s->ns);
		c = r->s->peer_cred;
		usock_unlock(r->s->ns);
	}
	if (len > sizeof c)
		len = sizeof c;
	if (copy_to_guest(t, a->a[3], &c, len) < 0 || copy_to_guest(t, a->a[4], &len, sizeof len) < 0)
		return -EFAULT;
	return 0;
}

long sys_getsockopt(struct task *t, const struct syscall_args *a)
{
	uint8_t val[64];
	uint32_t len;
	socklen_t hl;
	struct sock_ref r;
	long err = sock_of(t, a->a[0], &r);

	if (err)
		return err;
	if (copy_from_guest(t, &len, a->a[4], sizeof len) < 0)
		return -EFAULT;
	if ((int32_t)len < 0)
		return -EINVAL;
	if ((int)a->a[1] == SOL_SOCKET && (int)a->a[2] == SO_PEERCRED)
		return peercred(t, &r, a, len);
	if (!option_ok((int)a->a[1], (int)a->a[2]))
		return -ENOPROTOOPT;
	hl = len < sizeof val ? len : sizeof val;
	if (getsockopt(r.host, (int)a->a[1], (int)a->a[2], val, &hl) < 0)
		return -errno;
	len = hl;
	if (copy_to_guest(t, a->a[3], val, hl) < 0 || copy_to_guest(t, a->a[4], &len, sizeof len) < 0)
		return -EFAULT;
	return 0;
}

long sys_setsockopt(struct task *t, const struct syscall_args *a)
{
	uint8_t val[64];
	struct sock_ref r;
	long err = sock_of(t, a->a[0], &r);

	if (err)
		return err;
	if (!option_ok((int)a->a[1], (int)a->a[2]))
		return -ENOPROTOOPT;
	if (a->a[4] > sizeof val)
		return -EINVAL;
	if (copy_from_guest(t, val, a->a[3], a->a[4]) < 0)
		return -EFAULT;
	return setsockopt(r.host, (int)a->a[1], (int)a->a[2], val, (socklen_t)a->a[4]) < 0 ? -errno
											   : 0;
}

/* A socket of another family the sandbox was given: the host's answer. */
static long host_name(struct task *t, const struct sock_ref *r, const struct syscall_args *a,
		      int peer)
{
	struct usock_addr n;
	socklen_t len = sizeof n.sa;
	int ok = peer ? getpeername(r->host, (struct sockaddr *)n.sa, &len)
		      : getsockname(r->host, (struct sockaddr *)n.sa, &len);

	if (ok < 0)
		return -errno;
	n.len = len < sizeof n.sa ? len : sizeof n.sa;
	return sock_addr_out(t, &n, a->a[1], a->a[2]);
}

/* unix_getname(): the name bound, or the peer's (ENOTCONN without one). */
static long name_of(struct task *t, const struct syscall_args *a, int peer)
{
	struct usock_addr n;
	struct sockaddr_un sa;
	socklen_t len = sizeof sa;
	struct sock_ref r;
	long err = sock_of(t, a->a[0], &r);

	if (err)
		return err;
	if (!r.s)
		return host_name(t, &r, a, peer);
	if (peer && getpeername(r.host, (struct sockaddr *)&sa, &len) < 0)
		return -errno;
	usock_lock(r.s->ns);
	n = peer ? r.s->peer : r.s->name;
	usock_unlock(r.s->ns);
	return sock_addr_out(t, &n, a->a[1], a->a[2]);
}

long sys_getsockname(struct task *t, const struct syscall_args *a)
{
	return name_of(t, a, 0);
}

long sys_getpeername(struct task *t, const struct syscall_args *a)
{
	return name_of(t, a, 1);
}
