/* bind, listen, connect, accept of AF_UNIX sockets (net/unix/af_unix.c).
 *
 * A path is bound in the guest's view: its parent is resolved by the
 * sentry's walk, the host socket is bound there under the sentry's own
 * name (through /proc/self/fd/<parent>/) and renamed to the guest's with
 * RENAME_NOREPLACE. connect and sendto reach the socket file the sentry's
 * walk found, by its O_PATH fd: the host never resolves a guest's path.
 * Abstract names and autobind live in the sandbox's namespace (usock.c).
 *
 * A stream client the guest left unnamed is bound on the host, under a
 * hidden name, before it connects: the accepting side then learns which
 * guest socket (name, credentials) connected from the host's getpeername. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/fs/fs_task.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/sys/sock.h"
#include "syscall_handlers.h"

/* The socket file just bound, as the guest's umask wants it; reached by
 * O_PATH without following links, so that nothing else can be changed. */
static long set_mode(int dir, const char *name, mode_t mode)
{
	char proc[32];
	struct stat st;
	int fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	long err = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		err = -EADDRINUSE; /* changed under us */
	fs_proc_path(fd, proc);
	if (!err && chmod(proc, mode) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* The sentry's name becomes the guest's, unless that exists meanwhile. */
static long give_name(int dir, const char *from, const char *to)
{
	if (renameat2(dir, from, dir, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL)
		return errno == EEXIST ? -EADDRINUSE : -errno;
	if (linkat(dir, from, dir, to, 0) < 0) /* no RENAME_NOREPLACE there */
		return errno == EEXIST ? -EADDRINUSE : -errno;
	unlinkat(dir, from, 0);
	return 0;
}

static long bind_in_dir(struct task *t, struct sock_ref *r, const struct fs_parent *p)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char tmp[USOCK_HOST_NAME];
	long err;

	usock_host_name(r->s, tmp);
	snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/%s", p->dir.fd, tmp);
	if (bind(r->host, (struct sockaddr *)&sa, sizeof sa) < 0)
		return errno == EADDRINUSE ? -EADDRINUSE : -errno;
	err = set_mode(p->dir.fd, tmp, 0777 & ~t->fs->umask);
	if (!err)
		err = give_name(p->dir.fd, tmp, p->name);
	if (err) {
		unlinkat(p->dir.fd, tmp, 0);
		sock_renew(r); /* a bound host socket cannot be unbound */
	}
	return err;
}

/* unix_bind_bsd(): filename_create's order (EEXIST, a trailing slash,
 * EROFS), then an already bound socket (EINVAL). */
static long bind_path(struct task *t, struct sock_ref *r, const struct usock_addr *ad)
{
	struct fs_parent p;
	bool bound;
	long err = fs_lookup_parent_here(t, (const char *)ad->sa + USOCK_PATH_OFF, &p);

	if (err)
		return err;
	err = fs_may_create(t, &p);
	if (p.slash && (!err || err == -EROFS))
		err = -ENOENT;
	if (err == -EEXIST)
		err = -EADDRINUSE;
	usock_lock(r->s->ns);
	bound = r->s->name.len > USOCK_PATH_OFF || r->s->host_bound;
	usock_unlock(r->s->ns);
	if (!err && bound)
		err = -EINVAL;
	if (!err)
		err = bind_in_dir(t, r, &p);
	lookup_release(&p.dir);
	if (err)
		return err;
	usock_lock(r->s->ns);
	r->s->name = *ad;
	r->s->host_bound = true;
	usock_unlock(r->s->ns);
	return 0;
}

/* bind's and connect's arguments: the socket, then the address; foreign
 * for a socket of another family the sandbox was given. */
static long sock_and_addr(struct task *t, const struct syscall_args *a, struct sock_ref *r,
			  struct usock_addr *ad, long foreign)
{
	long err = sock_of(t, a->a[0], r);

	if (!err)
		err = sock_addr_in(t, a->a[1], (int)a->a[2], ad);
	return !err && !r->s ? foreign : err;
}

long sys_bind(struct task *t, const struct syscall_args *a)
{
	struct usock_addr ad;
	struct sock_ref r;
	long err = sock_and_addr(t, a, &r, &ad, -EINVAL);

	if (err)
		return err;
	if (ad.len == USOCK_PATH_OFF && ad.sa[0] == AF_UNIX && ad.sa[1] == 0)
		return usock_autobind(r.s, r.host);
	err = sock_addr_check(&ad);
	if (err)
		return err;
	if (ad.sa[USOCK_PATH_OFF])
		return bind_path(t, &r, &ad);
	return usock_bind_abstract(r.s, r.host, &ad);
}

long sys_listen(struct task *t, const struct syscall_args *a)
{
	struct sock_ref r;
	long err = sock_of(t, a->a[0], &r);

	if (err)
		return err;
	if (listen(r.host, (int)a->a[1]) < 0)
		return -errno;
	if (r.s) { /* update_peercred(): for SO_PEERCRED and connect to copy */
		usock_lock(r.s->ns);
		r.s->cred = r.s->peer_cred = sock_cred(t);
		usock_unlock(r.s->ns);
	}
	return 0;
}

/* After a connect: the peer's name and credentials from its record, found
 * by the host name the host reports; else (a socket outside the sandbox)
 * the address the guest gave and no one's credentials. */
static void learn_peer(struct sock_ref *r, const struct usock_addr *ad, bool creds)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof sa;
	struct usock *p = NULL;

	if (getpeername(r->host, (struct sockaddr *)&sa, &len) == 0)
		p = usock_from_host(r->s->ns, &sa, len);
	usock_lock(r->s->ns);
	r->s->peer = p ? p->name : *ad;
	if (creds)
		r->s->peer_cred = p ? p->cred : usock_foreign_cred;
	usock_unlock(r->s->ns);
	if (p)
		usock_put(p);
}

static long host_connect(int host, const struct sockaddr_un *sa)
{
	sigset_t old;
	int ok;

	sock_kicks_on(&old);
	ok = connect(host, (const struct sockaddr *)sa, sizeof *sa);
	sock_kicks_off(&old);
	return ok < 0 ? -errno : 0;
}

/* unix_stream_connect(): the client, unnamed, gets its hidden host name
 * and the caller's credentials before the host connects it. */
static long connect_stream(struct task *t, struct sock_ref *r, const struct usock_addr *ad)
{
	struct sock_target to;
	bool hidden, was = sock_connected(r->host);
	long err = sock_resolve(t, r->s->type, ad, &to);

	if (err)
		return err;
	usock_lock(r->s->ns);
	hidden = !r->s->host_bound && !was;
	if (!was)
		r->s->cred = sock_cred(t);
	usock_unlock(r->s->ns);
	if (hidden)
		err = usock_bind_hidden(r->s, r->host);
	if (!err)
		err = host_connect(r->host, &to.sa);
	sock_target_release(&to);
	if (err && hidden)
		sock_renew(r);
	if (!err)
		learn_peer(r, ad, true);
	return err;
}

/* unix_dgram_connect(): AF_UNSPEC dissolves the association. */
static long connect_dgram(struct task *t, struct sock_ref *r, struct usock_addr *ad)
{
	struct sockaddr_un unspec = { .sun_family = AF_UNSPEC };
	struct sock_target to;
	long err;

	if (ad->len < sizeof unspec.sun_family)
		return -EINVAL;
	if (ad->sa[0] == AF_UNSPEC && ad->sa[1] == 0) {
		if (connect(r->host, (struct sockaddr *)&unspec, sizeof unspec.sun_family) < 0)
			return -errno;
		usock_lock(r->s->ns);
		r->s->peer.len = 0;
		usock_unlock(r->s->ns);
		return 0;
	}
	err = sock_addr_check(ad);
	if (!err)
		err = sock_passcred_autobind(r);
	if (!err)
		err = sock_resolve(t, r->s->type, ad, &to);
	if (err)
		return err;
	err = connect(r->host, (struct sockaddr *)&to.sa, sizeof to.sa) < 0 ? -errno : 0;
	sock_target_release(&to);
	if (!err)
		learn_peer(r, ad, false);
	return err;
}

long sys_connect(struct task *t, const struct syscall_args *a)
{
	struct usock_addr ad;
	struct sock_ref r;
	long err = sock_and_addr(t, a, &r, &ad, -ENETUNREACH); /* no network */

	if (err)
		return err;
	if (r.s->type == SOCK_DGRAM)
		return connect_dgram(t, &r, &ad);
	err = sock_addr_check(&ad);
	if (!err)
		err = sock_passcred_autobind(&r);
	return err ? err : connect_stream(t, &r, &ad);
}

/* unix_accept(): only a listening stream or seqpacket socket. */
static long may_accept(const struct sock_ref *r)
{
	int on = 0;
	socklen_t len = sizeof on;

	if (r->s->type != SOCK_STREAM && r->s->type != SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	if (getsockopt(r->host, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) < 0)
		return -errno;
	return on ? 0 : -EINVAL;
}

/* The accepted socket: the listener's name (unix_stream_connect copies
 * it), and the client's name and connect-time credentials from its record. */
static struct usock *accepted(struct task *t, const struct sock_ref *l, int fd,
			      const struct sockaddr_un *sa, socklen_t len)
{
	struct usock *s = usock_new(t->sb->usock, fd, l->s->type);
	struct usock *c = usock_from_host(t->sb->usock, sa, len);
	struct usock_cred gone = sock_cred(t);

	/* A client gone before the accept: its hidden name tells its pid. */
	gone.pid = usock_host_pid(t->sb->usock, sa, len);
	if (s) {
		usock_lock(s->ns);
		s->cred = sock_cred(t);
		s->name = l->s->name;
		memset(&s->peer, 0, sizeof s->peer);
		s->peer.len = USOCK_PATH_OFF; /* family alone: unnamed */
		s->peer.sa[0] = AF_UNIX;
		if (c)
			s->peer = c->name;
		s->peer_cred = c ? c->cred : gone.pid ? gone : usock_foreign_cred;
		usock_unlock(s->ns);
	}
	if (c)
		usock_put(c);
	return s;
}

static long do_accept(struct task *t, const struct syscall_args *a, int flags)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof sa;
	struct sock_ref r;
	struct usock *s;
	sigset_t old;
	int fd;
	long err;

	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	err = sock_of(t, a->a[0], &r);
	if (!err)
		err = r.s ? may_accept(&r) : -EOPNOTSUPP;
	if (!err)
		err = task_wait_accept(r.host);
	if (err)
		return err;
	sock_kicks_on(&old);
	fd = accept4(r.host, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC | (flags & SOCK_NONBLOCK));
	sock_kicks_off(&old);
	if (fd < 0)
		return errno == EMFILE ? -ENFILE : -errno;
	s = accepted(t, &r, fd, &sa, len);
	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	/* move_addr_to_user() after the accept: a bad address loses it */
	err = a->a[1] ? sock_addr_out(t, &s->peer, a->a[1], a->a[2]) : 0;
	if (err) {
		usock_put(s);
		close(fd);
		return err;
	}
	return sock_install(t, fd, s, flags);
}

long sys_accept(struct task *t, const struct syscall_args *a)
{
	return do_accept(t, a, 0);
}

long sys_accept4(struct task *t, const struct syscall_args *a)
{
	return do_accept(t, a, (int)a->a[3]);
}
