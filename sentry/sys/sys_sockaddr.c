/* AF_UNIX addresses between the guest and the host: copying them as
 * net/socket.c does, checking them as net/unix/af_unix.c does, and turning
 * a guest's address into the host address of what it names in the view. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/fs/fs_task.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/sys/sock.h"

long sock_addr_in(struct task *t, uint64_t addr, int64_t len, struct usock_addr *a)
{
	memset(a, 0, sizeof *a);
	if (len < 0 || len > SOCK_STORAGE)
		return -EINVAL;
	a->len = (uint32_t)len;
	if (len && copy_from_guest(t, a->sa, addr, (size_t)len) < 0)
		return -EFAULT;
	return 0;
}

long sock_addr_out(struct task *t, const struct usock_addr *a, uint64_t uaddr, uint64_t ulen)
{
	int32_t len;
	uint32_t full = a->len;

	if (copy_from_guest(t, &len, ulen, sizeof len) < 0)
		return -EFAULT;
	if (len > (int32_t)full)
		len = (int32_t)full;
	if (len < 0)
		return -EINVAL;
	if (len && copy_to_guest(t, uaddr, a->sa, (size_t)len) < 0)
		return -EFAULT;
	return copy_to_guest(t, ulen, &full, sizeof full) < 0 ? -EFAULT : 0;
}

long sock_addr_check(struct usock_addr *a)
{
	uint16_t family;

	if (a->len <= USOCK_PATH_OFF || a->len > USOCK_ADDR_MAX)
		return -EINVAL;
	memcpy(&family, a->sa, sizeof family);
	if (family != AF_UNIX)
		return -EINVAL;
	if (a->sa[USOCK_PATH_OFF]) {
		a->sa[a->len] = 0; /* sa has room past sun_path */
		a->len = USOCK_PATH_OFF + (uint32_t)strlen((char *)a->sa + USOCK_PATH_OFF) + 1;
	}
	return 0;
}

void sock_addr_from_host(struct usock_ns *ns, const struct sockaddr_un *sa, socklen_t len,
			 struct usock_addr *out)
{
	struct usock_cred cred;

	if (!usock_sender(ns, sa, len, out, &cred) || out->len <= USOCK_PATH_OFF)
		out->len = 0; /* an unnamed sender shows no address */
}

/* unix_find_bsd(): the path, links followed by the sentry's walk, must be
 * a socket file (ECONNREFUSED); the host then reaches that very file. */
static long resolve_path(struct task *t, const struct usock_addr *a, struct sock_target *to)
{
	long err = fs_lookup_here(t, (const char *)a->sa + USOCK_PATH_OFF, LOOKUP_FOLLOW, &to->l);

	if (err)
		return err;
	if (!S_ISSOCK(to->l.st.st_mode) || to->l.mnt->readonly) {
		lookup_release(&to->l);
		to->l.fd = -1;
		/* A socket on a read-only mount of the host is a host service's
		 * (D-Bus, syslog, a container daemon): the view grants reading the
		 * files there, not talking to their owners. */
		return S_ISSOCK(to->l.st.st_mode) ? -EACCES : -ECONNREFUSED;
	}
	fs_proc_path(to->l.fd, to->sa.sun_path);
	return 0;
}

/* unix_find_abstract(): a socket of the type that holds the name in the
 * sandbox's namespace, reached through its private file. */
static long resolve_abstract(struct task *t, int type, const struct usock_addr *a,
			     struct sock_target *to)
{
	struct usock *s = usock_find_abstract(t->sb->usock, type, a);
	long err;

	if (!s)
		return -ECONNREFUSED;
	err = usock_private_path(t->sb->usock, s, to->sa.sun_path);
	usock_put(s);
	return err;
}

long sock_resolve(struct task *t, int type, const struct usock_addr *a, struct sock_target *to)
{
	memset(&to->sa, 0, sizeof to->sa);
	to->sa.sun_family = AF_UNIX;
	to->l.fd = -1;
	if (a->sa[USOCK_PATH_OFF])
		return resolve_path(t, a, to);
	return resolve_abstract(t, type, a, to);
}

void sock_target_release(struct sock_target *to)
{
	if (to->l.fd >= 0)
		lookup_release(&to->l);
	to->l.fd = -1;
}

/* SO_PASSCRED makes connect and send bind an unnamed socket first. */
long sock_passcred_autobind(struct sock_ref *r)
{
	int on = 0;
	socklen_t len = sizeof on;

	if (getsockopt(r->host, SOL_SOCKET, SO_PASSCRED, &on, &len) < 0 || !on)
		return 0;
	return usock_autobind(r->s, r->host);
}

bool sock_connected(int host)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof sa;

	return getpeername(host, (struct sockaddr *)&sa, &len) == 0;
}

/* A buffer size: the kernel doubles what it is given (sk_setsockopt). */
static void copy_buffer(int from, int to, int name)
{
	int size;
	socklen_t len = sizeof size;

	if (getsockopt(from, SOL_SOCKET, name, &size, &len) == 0) {
		size /= 2;
		setsockopt(to, SOL_SOCKET, name, &size, sizeof size);
	}
}

/* The options a fresh host socket takes over from the one it replaces. */
static void copy_options(int from, int to)
{
	static const int names[] = { SO_PASSCRED, SO_RCVTIMEO, SO_SNDTIMEO, SO_RCVLOWAT };
	uint8_t val[32];
	socklen_t len;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		len = sizeof val;
		if (getsockopt(from, SOL_SOCKET, names[i], val, &len) == 0)
			setsockopt(to, SOL_SOCKET, names[i], val, len);
	}
	copy_buffer(from, to, SO_SNDBUF);
	copy_buffer(from, to, SO_RCVBUF);
}

long sock_renew(struct sock_ref *r)
{
	int fl = fcntl(r->host, F_GETFL), fresh;
	struct stat st;

	fresh = socket(AF_UNIX, r->s->type | SOCK_CLOEXEC | (fl > 0 && (fl & O_NONBLOCK) ?
							       SOCK_NONBLOCK : 0), 0);
	if (fresh < 0)
		return -errno;
	copy_options(r->host, fresh);
	if (dup3(fresh, r->host, O_CLOEXEC) < 0) {
		close(fresh);
		return -errno;
	}
	close(fresh);
	usock_lock(r->s->ns);
	r->s->host_bound = false;
	if (fstat(r->host, &st) == 0)
		r->s->ino = (uint64_t)st.st_ino;
	usock_unlock(r->s->ns);
	return 0;
}

void sock_kicks_on(sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, task_kick_mask(), old);
}

void sock_kicks_off(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}
