/* Messages on sockets: sendmsg, recvmsg, sendto, recvfrom (net/socket.c,
 * net/core/scm.c, net/unix/af_unix.c). Data moves straight between guest
 * memory and the host socket. Addresses are the guest's: a datagram's
 * destination is resolved in the view (sock_resolve), a sender's address is
 * the name its guest bound (never a host path). SCM_RIGHTS carries guest
 * fds as the host fds behind them and back, so a guest passes only what it
 * holds; SCM_CREDENTIALS arrive as guest credentials (the sender's record:
 * the peer's connect or listen time credentials on a stream, the sending
 * socket's on a datagram, pid 0 and the overflow ids when unknown) and the
 * guest's own are checked (EPERM) and left to that. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sentry/fs/inflight.h"
#include "sentry/fs/fs_task.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/sys/io.h"
#include "sentry/sys/sock.h"
#include "syscall_handlers.h"

#define SCM_MAX_FD 253 /* net/core/scm.c */
#define CONTROL_MAX 4096

/* One message for the host: the parts of a msghdr (or of sendto's and
 * recvfrom's arguments) the sentry has read or will write. */
struct msg_io {
	struct iovec *iov;
	int cnt;
	uint64_t total;
	int flags;
	struct usock_addr name; /* send: the guest's destination; recv: the sender */
	bool want_name;         /* recv: the guest asked for the sender */
	uint64_t *control;      /* CONTROL_MAX bytes */
	size_t controllen;
	int msg_flags;          /* recv: what the host said */
	struct io_bounce bounce; /* data where the sentry only copies (io.h) */
};

/* scm_check_creds(): a guest may name only itself, unless it is root. */
static long check_creds(struct task *t, const struct cmsghdr *c)
{
	struct usock_cred g, me = sock_cred(t);

	if (c->cmsg_len != CMSG_LEN(sizeof g))
		return -EINVAL;
	memcpy(&g, CMSG_DATA(c), sizeof g);
	if (me.uid == 0)
		return 0;
	return g.pid == me.pid && g.uid == me.uid && g.gid == me.gid ? 0 : -EPERM;
}

/* SCM_RIGHTS going out: the guest's fds become the host fds behind them,
 * borrowed for the call, appended to out at *o. */
static long rights_out(struct task *t, const struct cmsghdr *c, uint8_t *out, size_t *o)
{
	size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	struct cmsghdr *d = (struct cmsghdr *)(out + *o);
	int fds[SCM_MAX_FD];

	if (n > SCM_MAX_FD)
		return -EINVAL;
	memcpy(fds, CMSG_DATA(c), n * sizeof(int));
	for (size_t i = 0; i < n; i++) {
		struct file *f;
		long r = fs_file(t, (uint64_t)(uint32_t)fds[i], &f);

		if (r)
			return r;
		inflight_note(t->sb->inflight, f);
		fds[i] = f->host_fd;
	}
	d->cmsg_len = CMSG_LEN(n * sizeof(int));
	d->cmsg_level = SOL_SOCKET;
	d->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(d), fds, n * sizeof(int));
	*o += CMSG_SPACE(n * sizeof(int));
	return 0;
}

/* __scm_send(): each header must fit (EINVAL); other levels are skipped;
 * SOL_SOCKET knows SCM_RIGHTS and SCM_CREDENTIALS. The host's message gets
 * the translated fds only. */
static long control_out(struct task *t, struct msg_io *m, const uint8_t *in, size_t len)
{
	uint8_t *out = (uint8_t *)m->control;
	size_t o = 0;

	for (size_t off = 0; off + sizeof(struct cmsghdr) <= len;) {
		struct cmsghdr c;
		long r = 0;

		memcpy(&c, in + off, sizeof c);
		if (c.cmsg_len < sizeof c || c.cmsg_len > len - off)
			return -EINVAL;
		if (c.cmsg_level == SOL_SOCKET && c.cmsg_type == SCM_RIGHTS)
			r = rights_out(t, (const struct cmsghdr *)(in + off), out, &o);
		else if (c.cmsg_level == SOL_SOCKET && c.cmsg_type == SCM_CREDENTIALS)
			r = check_creds(t, (const struct cmsghdr *)(in + off));
		else if (c.cmsg_level == SOL_SOCKET)
			r = -EINVAL;
		if (r)
			return r;
		off += CMSG_ALIGN(c.cmsg_len);
	}
	m->controllen = o;
	return 0;
}

/* A host fd that came in a message as a guest file: the file it was when
 * sent, if a guest of the sandbox sent it (fs/inflight.h). */
static long receive_fd(struct task *t, int host, int flags)
{
	struct file *f = inflight_file(t->sb->inflight, host);

	if (!f)
		return -ENOMEM;
	return fdtable_install(t->files, f, 0, fs_fd_limit(t), flags & MSG_CMSG_CLOEXEC);
}

/* SCM_RIGHTS coming in: each host fd becomes a guest file; past the first
 * that cannot, the rest are closed (scm_detach_fds). */
static long rights_in(struct task *t, struct cmsghdr *c, int flags, long err)
{
	int *fds = (int *)CMSG_DATA(c);
	size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

	for (size_t i = 0; i < n; i++) {
		long r = err ? (close(fds[i]), err) : receive_fd(t, fds[i], flags);

		if (r < 0)
			err = r;
		fds[i] = r < 0 ? -1 : (int)r;
	}
	return err;
}

/* The guest credentials of a message's sender (see the header comment). */
static struct usock_cred sender_cred(const struct sock_ref *r, const struct sockaddr_un *from,
				     socklen_t len)
{
	struct usock_cred c = usock_foreign_cred;
	struct usock_addr name;

	if (!r->s)
		return c;
	if (r->s->type == SOCK_DGRAM) {
		usock_sender(r->s->ns, from, len, &name, &c);
		return c;
	}
	usock_lock(r->s->ns);
	c = r->s->peer_cred;
	usock_unlock(r->s->ns);
	return c;
}

static long control_in(struct task *t, const struct sock_ref *r, struct msghdr *h, int flags)
{
	long err = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_RIGHTS) {
			err = rights_in(t, c, flags, err);
		} else if (c->cmsg_type == SCM_CREDENTIALS &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct usock_cred))) {
			struct usock_cred g = sender_cred(r, h->msg_name, h->msg_namelen);

			memcpy(CMSG_DATA(c), &g, sizeof g);
		}
	}
	return err;
}

/* unix_dgram_sendmsg(): a message past the send buffer is EMSGSIZE before
 * its destination is looked up. */
static long dgram_size(int host, uint64_t total)
{
	int sndbuf;
	socklen_t len = sizeof sndbuf;

	if (getsockopt(host, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) < 0)
		return -errno;
	return total > (uint64_t)sndbuf - 32 ? -EMSGSIZE : 0;
}

/* The destination of a message with an address: a stream has none to take
 * (EISCONN, EOPNOTSUPP), a seqpacket ignores it, a datagram resolves it. */
static long destination(struct task *t, struct sock_ref *r, struct msg_io *m,
			struct sock_target *to)
{
	long err;

	if (!r->s)
		return -ENETUNREACH; /* a socket of another family: no network */
	if (r->s->type == SOCK_STREAM)
		return sock_connected(r->host) ? -EISCONN : -EOPNOTSUPP;
	if (r->s->type == SOCK_SEQPACKET) {
		m->name.len = 0;
		return 0;
	}
	err = sock_addr_check(&m->name);
	if (!err)
		err = sock_passcred_autobind(r);
	if (!err)
		err = dgram_size(r->host, m->total);
	return err ? err : sock_resolve(t, r->s->type, &m->name, to);
}

/* A send's EPIPE raises the guest's SIGPIPE unless it asked MSG_NOSIGNAL. */
static long send_result(struct task *t, ssize_t n, int flags)
{
	if (n < 0 && errno == EPIPE && (flags & MSG_NOSIGNAL))
		return -EPIPE;
	return io_host_result(t, n, 0);
}

static long sock_send(struct task *t, struct sock_ref *r, struct msg_io *m)
{
	struct msghdr h = { .msg_iov = m->iov, .msg_iovlen = (size_t)m->cnt };
	struct sock_target to = { .l.fd = -1 };
	sigset_t old;
	ssize_t n;
	long err = m->name.len ? destination(t, r, m, &to) : 0;

	if (!err && !(m->flags & MSG_DONTWAIT))
		err = task_wait_fd(r->host, POLLOUT);
	if (err) {
		sock_target_release(&to);
		return err;
	}
	if (m->name.len) {
		h.msg_name = &to.sa;
		h.msg_namelen = sizeof to.sa;
	}
	h.msg_control = m->controllen ? m->control : NULL;
	h.msg_controllen = m->controllen;
	sock_kicks_on(&old);
	n = sendmsg(r->host, &h, m->flags | MSG_NOSIGNAL);
	sock_kicks_off(&old);
	err = send_result(t, n, m->flags);
	sock_target_release(&to);
	return err;
}

static long sock_recv(struct task *t, struct sock_ref *r, struct msg_io *m)
{
	struct sockaddr_un from;
	struct msghdr h = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = m->iov,
			    .msg_iovlen = (size_t)m->cnt };
	sigset_t old;
	ssize_t n;
	long err = m->flags & MSG_DONTWAIT ? 0 : task_wait_fd(r->host, POLLIN);

	if (err)
		return err;
	h.msg_control = m->controllen ? m->control : NULL;
	h.msg_controllen = m->controllen;
	sock_kicks_on(&old);
	n = recvmsg(r->host, &h, m->flags | MSG_CMSG_CLOEXEC);
	sock_kicks_off(&old);
	if (n < 0)
		return io_host_result(t, n, 1);
	m->name.len = 0;
	if (r->s)
		sock_addr_from_host(r->s->ns, &from, h.msg_namelen, &m->name);
	m->controllen = h.msg_controllen;
	m->msg_flags = h.msg_flags;
	err = h.msg_controllen ? control_in(t, r, &h, m->flags) : 0;
	return err ? err : n;
}

struct linux_msghdr {
	uint64_t name;
	uint32_t namelen, pad0;
	uint64_t iov, iovlen, control, controllen;
	int32_t flags, pad1;
};

static __thread struct iovec msg_iov[IO_HOST_IOV_MAX];
static __thread uint64_t msg_control[CONTROL_MAX / 8];
static __thread uint64_t msg_guest_control[CONTROL_MAX / 8];

/* ___sys_sendmsg(): the header, the address (namelen past sockaddr_storage
 * is cut to it), the data, the control messages. */
static long sendmsg_from(struct task *t, struct sock_ref *r, const struct linux_msghdr *g,
			 struct msg_io *m)
{
	long err = 0;

	if (g->name && g->namelen)
		err = sock_addr_in(t, g->name, (int32_t)g->namelen > SOCK_STORAGE ? SOCK_STORAGE :
					       (int32_t)g->namelen, &m->name);
	if (err)
		return err;
	m->cnt = io_import_iovecs(t, g->iov, g->iovlen, 0, m->iov, &m->total);
	if (m->cnt == -EREMOTEIO)
		m->cnt = io_bounce_vec(t, g->iov, g->iovlen, 0, &m->bounce, m->iov);
	if (m->cnt < 0)
		return m->cnt;
	if (g->controllen > CONTROL_MAX)
		return -ENOBUFS;
	if (g->controllen && copy_from_guest(t, msg_guest_control, g->control, g->controllen) < 0)
		return -EFAULT;
	err = control_out(t, m, (const uint8_t *)msg_guest_control, g->controllen);
	return err ? err : sock_send(t, r, m);
}

/* ___sys_recvmsg(): the sender's address by move_addr_to_user() into the
 * guest's msg_name, then flags and the control length. */
static long recvmsg_to(struct task *t, struct sock_ref *r, struct linux_msghdr *g, uint64_t umsg,
		       struct msg_io *m)
{
	long n, err;

	m->cnt = io_import_iovecs(t, g->iov, g->iovlen, 1, m->iov, &m->total);
	if (m->cnt == -EREMOTEIO)
		m->cnt = io_bounce_vec(t, g->iov, g->iovlen, 1, &m->bounce, m->iov);
	if (m->cnt < 0)
		return m->cnt;
	m->controllen = g->controllen > CONTROL_MAX ? CONTROL_MAX : g->controllen;
	n = sock_recv(t, r, m);
	if (n < 0)
		return n;
	if (m->bounce.buf && (err = io_bounce_done(t, &m->bounce, n)) < 0)
		return err;
	err = g->name ? sock_addr_out(t, &m->name, g->name, umsg + offsetof(struct linux_msghdr,
									  namelen)) : 0;
	g->controllen = m->controllen;
	g->flags = m->msg_flags;
	if (!err && m->controllen && copy_to_guest(t, g->control, m->control, m->controllen) < 0)
		err = -EFAULT;
	if (!err && (copy_to_guest(t, umsg + offsetof(struct linux_msghdr, controllen),
				   &g->controllen, sizeof g->controllen) < 0 ||
		     copy_to_guest(t, umsg + offsetof(struct linux_msghdr, flags), &g->flags,
				   sizeof g->flags) < 0))
		err = -EFAULT;
	return err ? err : n;
}

static long do_msg(struct task *t, uint64_t fd, uint64_t umsg, int flags, int reading)
{
	struct msg_io m = { .iov = msg_iov, .flags = flags, .control = msg_control };
	struct linux_msghdr g;
	struct sock_ref r;
	long err = sock_of(t, fd, &r);

	if (err)
		return err;
	if (copy_from_guest(t, &g, umsg, sizeof g) < 0)
		return -EFAULT;
	if (!g.name)
		g.namelen = 0;
	if ((int32_t)g.namelen < 0)
		return -EINVAL;
	err = reading ? recvmsg_to(t, &r, &g, umsg, &m) : sendmsg_from(t, &r, &g, &m);
	io_bounce_done(t, &m.bounce, 0);
	return err;
}

long sys_sendmsg(struct task *t, const struct syscall_args *a)
{
	return do_msg(t, a->a[0], a->a[1], (int)a->a[2], 0);
}

long sys_recvmsg(struct task *t, const struct syscall_args *a)
{
	return do_msg(t, a->a[0], a->a[1], (int)a->a[2], 1);
}

/* recvfrom's address, once the data is in. */
static long recvfrom_done(struct task *t, const struct syscall_args *a, struct msg_io *m, long n)
{
	if (n >= 0 && a->a[4]) {
		long err = sock_addr_out(t, &m->name, a->a[4], a->a[5]);

		if (err)
			return err;
	}
	return n;
}

/* send_recv with the buffer in memory the sentry reaches only by copying. */
static long send_recv_bounce(struct task *t, const struct syscall_args *a, int reading,
			     struct sock_ref *r, struct msg_io *m)
{
	long n = io_bounce_buf(t, a->a[1], a->a[2], reading, &m->bounce, m->iov);

	if (n > 0) {
		m->cnt = (int)n;
		n = reading ? sock_recv(t, r, m) : sock_send(t, r, m);
		n = io_bounce_done(t, &m->bounce, n);
		return reading ? recvfrom_done(t, a, m, n) : n;
	}
	io_bounce_done(t, &m->bounce, 0);
	return n;
}

/* sendto(fd, buf, len, flags, addr, addrlen), recvfrom(fd, buf, len, flags,
 * addr, addrlen_ptr): one buffer, the address only when addr is given. */
static long send_recv(struct task *t, const struct syscall_args *a, int reading)
{
	struct msg_io m = { .iov = msg_iov, .flags = (int)a->a[3], .control = msg_control };
	struct sock_ref r;
	long n = sock_of(t, a->a[0], &r);

	if (n)
		return n;
	if (!reading && a->a[4] && (n = sock_addr_in(t, a->a[4], (int)a->a[5], &m.name)))
		return n;
	m.total = a->a[2];
	m.cnt = a->a[2] ? io_buffer_iovecs(t, a->a[1], a->a[2], reading, m.iov) : 0;
	if (m.cnt == -EREMOTEIO)
		return send_recv_bounce(t, a, reading, &r, &m);
	if (m.cnt < 0)
		return m.cnt;
	if (!reading)
		return sock_send(t, &r, &m);
	n = sock_recv(t, &r, &m);
	return recvfrom_done(t, a, &m, n);
}

long sys_sendto(struct task *t, const struct syscall_args *a)
{
	return send_recv(t, a, 0);
}

long sys_recvfrom(struct task *t, const struct syscall_args *a)
{
	return send_recv(t, a, 1);
}
