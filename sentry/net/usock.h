/* AF_UNIX sockets as the guest sees them. Each guest socket is a host
 * socket the sentry owns; what the host cannot be trusted to show stays
 * here, in one record per socket: the name the guest bound, its peer's
 * name and credentials (guest pids, never the sentry's), and the sandbox's
 * own abstract namespace, which never reaches the host's.
 *
 * Every host socket the sentry binds gets a host name of its own making,
 * ".umbra-<token>-<id>": in the guest's directory (then renamed to the
 * guest's name) or in a private directory no guest path reaches (abstract
 * names, autobind, and stream clients before they connect). The addresses
 * the host reports (a datagram's sender, an accepted connection's peer)
 * then lead back to the record by its id. */
#ifndef UMBRA_SENTRY_NET_USOCK_H
#define UMBRA_SENTRY_NET_USOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#define USOCK_ADDR_MAX 110 /* sizeof(struct sockaddr_un) */
#define USOCK_PATH_OFF 2   /* offsetof(struct sockaddr_un, sun_path) */
#define USOCK_HOST_NAME 48
#define USOCK_SUN_PATH 108

/* A guest address as the guest sees it: len bytes of a sockaddr_un (0 for
 * no address, 2 for an unnamed socket's family alone). */
struct usock_addr {
	uint32_t len;
	uint8_t sa[128]; /* a path's NUL may lie past sun_path, as in Linux */
};

/* struct ucred (SO_PEERCRED, SCM_CREDENTIALS) */
struct usock_cred {
	int32_t pid;
	uint32_t uid, gid;
};

/* What SO_PEERCRED gives with no peer credentials (cred_to_ucred()), and
 * for a peer outside the sandbox, as for one outside a process's pid and
 * user namespaces (pid 0, the overflow ids). */
extern const struct usock_cred usock_no_cred, usock_foreign_cred;

struct usock_ns;

struct usock {
	int refs;
	struct usock_ns *ns;
	uint32_t id;
	int type;
	uint64_t ino;      /* the host socket's inode (SCM_RIGHTS finds it again) */
	bool private_file; /* a file in the private directory names it */
	bool host_bound;   /* the host socket has a name (maybe hidden) */
	/* By the namespace's lock: */
	struct usock_addr name; /* bound: getsockname (family alone when not) */
	struct usock_addr peer; /* the peer's name when connected */
	struct usock_cred cred; /* what a peer sees: set at connect and listen */
	struct usock_cred peer_cred; /* SO_PEERCRED */
	struct usock *next;
};

int usock_ns_create(struct usock_ns **out);
/* The sandbox ends: the private directory goes once the last record has. */
void usock_ns_destroy(struct usock_ns *ns);

/* A record for host socket fd of the given type; NULL when out of memory. */
struct usock *usock_new(struct usock_ns *ns, int fd, int type);
/* The record of host socket fd if one is alive (a socket that came in a
 * message), else a new one; NULL when out of memory. */
struct usock *usock_of_host(struct usock_ns *ns, int fd, int type);
void usock_get(struct usock *s);
void usock_put(struct usock *s);
void usock_lock(struct usock_ns *ns);
void usock_unlock(struct usock_ns *ns);

/* The host name for s in a directory: ".umbra-<token>-<id>". */
void usock_host_name(const struct usock *s, char out[USOCK_HOST_NAME]);
/* The record whose host name ends a host address, with a reference; NULL
 * for an unnamed socket, a dead one or one the sandbox did not bind. */
struct usock *usock_from_host(struct usock_ns *ns, const struct sockaddr_un *sa, socklen_t len);
/* The name and credentials of the sender whose host address a datagram
 * carries, also once that socket is closed, as Linux keeps them with the
 * datagram; false for an address the sandbox did not make. */
bool usock_sender(struct usock_ns *ns, const struct sockaddr_un *sa, socklen_t len,
		  struct usock_addr *name, struct usock_cred *cred);
/* The guest pid a hidden name (usock_bind_hidden) carries: the client's
 * credentials outlive its record, as Linux keeps them with the connection
 * it queued; 0 for other addresses. */
int32_t usock_host_pid(struct usock_ns *ns, const struct sockaddr_un *sa, socklen_t len);
/* "/proc/self/fd/N/<host name>" in the private directory (made on first
 * use); -errno when there is none. */
int usock_private_path(struct usock_ns *ns, const struct usock *s, char out[USOCK_SUN_PATH]);

/* Abstract names: bind s (already bound: -EINVAL; the name taken by a socket
 * of its type: -EADDRINUSE), autobind ("\0" and five hex digits, nothing
 * when bound), and the socket of a type that holds a name (a reference). */
int usock_bind_abstract(struct usock *s, int fd, const struct usock_addr *a);
int usock_autobind(struct usock *s, int fd);
struct usock *usock_find_abstract(struct usock_ns *ns, int type, const struct usock_addr *a);
/* Binds host socket fd to s's name and the pid of s->cred in the private
 * directory and removes the file at once: the host name alone stays, for
 * the peers of a stream client to find it by. */
int usock_bind_hidden(struct usock *s, int fd);

#endif
