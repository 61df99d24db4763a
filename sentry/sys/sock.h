/* What the socket handlers share: sys_socket.c (sockets, options, names),
 * sys_sockconn.c (bind, listen, connect, accept), sys_sockmsg.c (messages). */
#ifndef UMBRA_SENTRY_SYS_SOCK_H
#define UMBRA_SENTRY_SYS_SOCK_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "sentry/fs/vfs.h"
#include "sentry/net/usock.h"

struct task;
struct file;

#define SOCK_TYPE_MASK 0xf
#define SOCK_STORAGE 128 /* sizeof(struct sockaddr_storage) */

/* A guest socket: its file, the host socket behind it, and its record (NULL
 * for a socket of another family the sandbox was given). */
struct sock_ref {
	struct file *file;
	int host;
	struct usock *s;
};

/* The socket at a guest fd: -EBADF, or -ENOTSOCK for another file. */
long sock_of(struct task *t, uint64_t fd, struct sock_ref *r);
/* A new socket file for host_fd (which it owns) with record s (whose
 * reference it takes) at the lowest free fd; SOCK_NONBLOCK, SOCK_CLOEXEC. */
long sock_install(struct task *t, int host_fd, struct usock *s, int flags);
/* The credentials of t as a peer sees them: guest pid, uid, gid. */
struct usock_cred sock_cred(const struct task *t);

/* move_addr_to_kernel(): len bytes of a guest address (-EINVAL past
 * sockaddr_storage, -EFAULT). */
long sock_addr_in(struct task *t, uint64_t addr, int64_t len, struct usock_addr *a);
/* move_addr_to_user(): a's bytes cut to the guest's *ulen, which then gets
 * the full length. */
long sock_addr_out(struct task *t, const struct usock_addr *a, uint64_t uaddr, uint64_t ulen);
/* unix_validate_addr(): -EINVAL for what names no AF_UNIX address. A path
 * is cut at its first NUL as unix_mkname_bsd() does, len then counting
 * the NUL. */
long sock_addr_check(struct usock_addr *a);
/* The guest's view of an address the host reported: the name the sandbox's
 * socket bound, or none (len 0) for anything else. */
void sock_addr_from_host(struct usock_ns *ns, const struct sockaddr_un *sa, socklen_t len,
			 struct usock_addr *out);

/* Where a checked guest address leads: the host address of the very
 * socket file the sentry found in the guest's view (or of the private file
 * of an abstract name), held until sock_target_release. */
struct sock_target {
	struct sockaddr_un sa;
	struct lookup l;
};
long sock_resolve(struct task *t, int type, const struct usock_addr *a, struct sock_target *to);
void sock_target_release(struct sock_target *to);
/* A socket's host socket dies in a failed bind or connect that named it on
 * the host: a fresh one of the same kind takes its fd, so that the guest's
 * socket stays unnamed. */
long sock_renew(struct sock_ref *r);
/* SO_PASSCRED: connect and send bind an unnamed socket first (autobind). */
long sock_passcred_autobind(struct sock_ref *r);
/* Whether the host socket has a peer. */
bool sock_connected(int host);
/* Host calls that block with no fd to wait on (connect, accept after a
 * wait): the kick is let through around them. */
void sock_kicks_on(sigset_t *old);
void sock_kicks_off(const sigset_t *old);

#endif
