/* The records of guest AF_UNIX sockets and the sandbox's abstract
 * namespace (net/unix/af_unix.c: unix_bind_abstract, unix_autobind). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/fs/tmpfs.h"
#include "sentry/net/usock.h"

#define HOST_PREFIX ".umbra-"
#define AUTOBIND_NAMES 0x100000 /* five hex digits */
/* Departed senders remembered: a datagram read after more host-named
 * sockets than this closed shows no sender. */
#define DEPARTED 1024

const struct usock_cred usock_no_cred = { 0, UINT32_MAX, UINT32_MAX };
const struct usock_cred usock_foreign_cred = { 0, 65534, 65534 };

struct usock_ns {
	pthread_mutex_t lock;
	int refs; /* the sandbox's and one per record */
	uint32_t next_id;
	char token[17]; /* tells this sandbox's host names from another's */
	int priv_fd;    /* the private directory, -1 until first use */
	char priv_path[64]; /* when it is a host directory (no private tmpfs) */
	struct usock *list;
	struct departed *departed; /* a ring, made at the first departure */
	uint32_t departed_next;
};

/* What a closed socket's datagrams still carry: Linux's skb holds its
 * sender's address and credentials until it is read. */
struct departed {
	uint32_t id;
	struct usock_addr name;
	struct usock_cred cred;
};

static uint64_t random64(void)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
		r = (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)&r;
	return r;
}

int usock_ns_create(struct usock_ns **out)
{
	struct usock_ns *ns = calloc(1, sizeof *ns);

	if (!ns)
		return -ENOMEM;
	pthread_mutex_init(&ns->lock, NULL);
	ns->refs = 1;
	ns->next_id = 1;
	ns->priv_fd = -1;
	snprintf(ns->token, sizeof ns->token, "%016" PRIx64, random64());
	*out = ns;
	return 0;
}

/* A host directory made for want of a private tmpfs: emptied and removed. */
static void remove_priv_dir(struct usock_ns *ns)
{
	int fd = open(ns->priv_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
	else if (fd >= 0)
		close(fd);
	rmdir(ns->priv_path);
}

static void ns_put(struct usock_ns *ns)
{
	pthread_mutex_lock(&ns->lock);
	if (--ns->refs) {
		pthread_mutex_unlock(&ns->lock);
		return;
	}
	pthread_mutex_unlock(&ns->lock);
	if (ns->priv_path[0])
		remove_priv_dir(ns);
	if (ns->priv_fd >= 0)
		close(ns->priv_fd);
	pthread_mutex_destroy(&ns->lock);
	free(ns->departed);
	free(ns);
}

void usock_ns_destroy(struct usock_ns *ns)
{
	if (ns)
		ns_put(ns);
}

void usock_lock(struct usock_ns *ns)
{
	pthread_mutex_lock(&ns->lock);
}

void usock_unlock(struct usock_ns *ns)
{
	pthread_mutex_unlock(&ns->lock);
}

static uint64_t inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) < 0 ? 0 : (uint64_t)st.st_ino;
}

struct usock *usock_new(struct usock_ns *ns, int fd, int type)
{
	struct usock *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->refs = 1;
	s->ns = ns;
	s->type = type;
	s->ino = inode_of(fd);
	s->name.len = s->peer.len = USOCK_PATH_OFF; /* unnamed: the family alone */
	s->name.sa[0] = s->peer.sa[0] = AF_UNIX;
	s->cred = s->peer_cred = usock_no_cred;
	pthread_mutex_lock(&ns->lock);
	ns->refs++;
	s->id = ns->next_id++;
	s->next = ns->list;
	ns->list = s;
	pthread_mutex_unlock(&ns->lock);
	return s;
}

struct usock *usock_of_host(struct usock_ns *ns, int fd, int type)
{
	uint64_t ino = inode_of(fd);
	struct usock *s;

	pthread_mutex_lock(&ns->lock);
	for (s = ns->list; s && (s->ino != ino || !ino); s = s->next)
		;
	if (s)
		s->refs++;
	pthread_mutex_unlock(&ns->lock);
	return s ? s : usock_new(ns, fd, type);
}

void usock_get(struct usock *s)
{
	pthread_mutex_lock(&s->ns->lock);
	s->refs++;
	pthread_mutex_unlock(&s->ns->lock);
}

/* ns->lock held; without memory the sender is simply forgotten. */
static void remember_departed(struct usock_ns *ns, const struct usock *s)
{
	struct departed *d;

	if (!ns->departed)
		ns->departed = calloc(DEPARTED, sizeof *ns->departed);
	if (!ns->departed)
		return;
	d = &ns->departed[ns->departed_next++ % DEPARTED];
	d->id = s->id;
	d->name = s->name;
	d->cred = s->cred;
}

void usock_put(struct usock *s)
{
	struct usock_ns *ns = s->ns;
	char name[USOCK_HOST_NAME];

	pthread_mutex_lock(&ns->lock);
	if (--s->refs) {
		pthread_mutex_unlock(&ns->lock);
		return;
	}
	for (struct usock **p = &ns->list; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	if (s->private_file && ns->priv_fd >= 0) {
		usock_host_name(s, name);
		unlinkat(ns->priv_fd, name, 0); /* an abstract name dies with its socket */
	}
	if (s->host_bound)
		remember_departed(ns, s);
	pthread_mutex_unlock(&ns->lock);
	free(s);
	ns_put(ns);
}

void usock_host_name(const struct usock *s, char out[USOCK_HOST_NAME])
{
	snprintf(out, USOCK_HOST_NAME, HOST_PREFIX "%s-%" PRIu32, s->ns->token, s->id);
}

/* The id in a host address this sandbox made, or 0; *pid the guest pid a
 * hidden name carries, else 0. */
static uint32_t host_id(const struct usock_ns *ns, const struct sockaddr_un *sa, socklen_t len,
			int32_t *pid)
{
	char path[USOCK_ADDR_MAX], prefix[40], *last, *end;
	size_t n, plen;
	unsigned long id, p = 0;

	if (len <= USOCK_PATH_OFF || sa->sun_path[0] == 0)
		return 0;
	n = len - USOCK_PATH_OFF < sizeof path - 1 ? len - USOCK_PATH_OFF : sizeof path - 1;
	memcpy(path, sa->sun_path, n);
	path[n] = 0;
	last = strrchr(path, '/');
	last = last ? last + 1 : path;
	plen = (size_t)snprintf(prefix, sizeof prefix, HOST_PREFIX "%s-", ns->token);
	if (strncmp(last, prefix, plen))
		return 0;
	errno = 0;
	id = strtoul(last + plen, &end, 10);
	if (*end == '-')
		p = strtoul(end + 1, &end, 10);
	if (errno || *end || id > UINT32_MAX || p > INT32_MAX)
		return 0;
	*pid = (int32_t)p;
	return (uint32_t)id;
}

int32_t usock_host_pid(struct usock_ns *ns, const struct sockaddr_un *sa, socklen_t len)
{
	int32_t pid = 0;

	return host_id(ns, sa, len, &pid) ? pid : 0;
}

/* The live record of id, or NULL; ns->lock held. */
static struct usock *live_locked(struct usock_ns *ns, uint32_t id)
{
	struct usock *s;

	for (s = ns->list; s && s->id != id; s = s->next)
		;
	return s;
}

struct usock *usock_from_host(struct usock_ns *ns, const struct sockaddr_un *sa, socklen_t len)
{
	int32_t pid;
	uint32_t id = host_id(ns, sa, len, &pid);
	struct usock *s = NULL;

	if (!id)
		return NULL;
	pthread_mutex_lock(&ns->lock);
	s = live_locked(ns, id);
	if (s)
		s->refs++;
	pthread_mutex_unlock(&ns->lock);
	return s;
}

bool usock_sender(struct usock_ns *ns, const struct sockaddr_un *sa, socklen_t len,
		  struct usock_addr *name, struct usock_cred *cred)
{
	int32_t pid;
	uint32_t id = host_id(ns, sa, len, &pid);
	const struct usock *s;
	bool found = false;

	if (!id)
		return false;
	pthread_mutex_lock(&ns->lock);
	s = live_locked(ns, id);
	if (s) {
		*name = s->name;
		*cred = s->cred;
		found = true;
	}
	for (uint32_t i = 0; !found && ns->departed && i < DEPARTED; i++)
		if (ns->departed[i].id == id) {
			*name = ns->departed[i].name;
			*cred = ns->departed[i].cred;
			found = true;
		}
	pthread_mutex_unlock(&ns->lock);
	return found;
}

/* A private tmpfs, or else a fresh host directory only the sentry's user
 * can enter; ns->lock held. */
static int private_dir(struct usock_ns *ns)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	if (ns->priv_fd >= 0)
		return ns->priv_fd;
	fd = tmpfs_create("1m");
	if (fd < 0) {
		snprintf(ns->priv_path, sizeof ns->priv_path, "%s/umbra-unix-XXXXXX",
			 tmp && strlen(tmp) < 40 ? tmp : "/tmp");
		if (!mkdtemp(ns->priv_path)) {
			ns->priv_path[0] = 0;
			return -errno;
		}
		fd = open(ns->priv_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	ns->priv_fd = fd;
	return fd;
}

static int private_path_locked(struct usock_ns *ns, const struct usock *s,
			       char out[USOCK_SUN_PATH])
{
	char name[USOCK_HOST_NAME];
	int fd = private_dir(ns);

	if (fd < 0)
		return fd;
	usock_host_name(s, name);
	snprintf(out, USOCK_SUN_PATH, "/proc/self/fd/%d/%s", fd, name);
	return 0;
}

int usock_private_path(struct usock_ns *ns, const struct usock *s, char out[USOCK_SUN_PATH])
{
	int r;

	pthread_mutex_lock(&ns->lock);
	r = private_path_locked(ns, s, out);
	pthread_mutex_unlock(&ns->lock);
	return r;
}

/* Binds host socket fd in the private directory, under s's host name and
 * "-<pid>" when pid is not 0; ns->lock held. */
static int bind_private(struct usock *s, int fd, int32_t pid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int r = private_path_locked(s->ns, s, sa.sun_path);
	size_t n = strlen(sa.sun_path);

	if (r)
		return r;
	if (pid)
		snprintf(sa.sun_path + n, sizeof sa.sun_path - n, "-%" PRId32, pid);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -errno;
	s->host_bound = true;
	return 0;
}

int usock_bind_hidden(struct usock *s, int fd)
{
	char name[USOCK_HOST_NAME + 16];
	size_t n;
	int r;

	pthread_mutex_lock(&s->ns->lock);
	r = bind_private(s, fd, s->cred.pid);
	if (!r) {
		usock_host_name(s, name);
		n = strlen(name);
		snprintf(name + n, sizeof name - n, "-%" PRId32, s->cred.pid);
		unlinkat(s->ns->priv_fd, name, 0);
	}
	pthread_mutex_unlock(&s->ns->lock);
	return r;
}

static bool same_name(const struct usock_addr *a, const struct usock_addr *b)
{
	return a->len == b->len && !memcmp(a->sa, b->sa, a->len);
}

static struct usock *find_abstract_locked(struct usock_ns *ns, int type,
					  const struct usock_addr *a)
{
	for (struct usock *s = ns->list; s; s = s->next)
		if (s->type == type && s->private_file && same_name(&s->name, a))
			return s;
	return NULL;
}

struct usock *usock_find_abstract(struct usock_ns *ns, int type, const struct usock_addr *a)
{
	struct usock *s;

	pthread_mutex_lock(&ns->lock);
	s = find_abstract_locked(ns, type, a);
	if (s)
		s->refs++;
	pthread_mutex_unlock(&ns->lock);
	return s;
}

/* ns->lock held; the name is free. */
static int take_name(struct usock *s, int fd, const struct usock_addr *a)
{
	int r = bind_private(s, fd, 0);

	if (r)
		return r;
	s->name = *a;
	s->private_file = true;
	return 0;
}

int usock_bind_abstract(struct usock *s, int fd, const struct usock_addr *a)
{
	int r = -EINVAL;

	pthread_mutex_lock(&s->ns->lock);
	if (s->name.len <= USOCK_PATH_OFF)
		r = find_abstract_locked(s->ns, s->type, a) ? -EADDRINUSE : take_name(s, fd, a);
	pthread_mutex_unlock(&s->ns->lock);
	return r;
}

int usock_autobind(struct usock *s, int fd)
{
	uint32_t num = (uint32_t)random64() % AUTOBIND_NAMES;
	struct usock_addr a = { USOCK_PATH_OFF + 6, { AF_UNIX } };
	int r = -ENOSPC;

	pthread_mutex_lock(&s->ns->lock);
	if (s->name.len > USOCK_PATH_OFF)
		r = 0;
	for (uint32_t i = 0; r == -ENOSPC && i < AUTOBIND_NAMES; i++) {
		char hex[8];

		snprintf(hex, sizeof hex, "%05x", (num + i) % AUTOBIND_NAMES);
		memcpy(a.sa + USOCK_PATH_OFF + 1, hex, 5);
		if (!find_abstract_locked(s->ns, s->type, &a))
			r = take_name(s, fd, &a);
	}
	pthread_mutex_unlock(&s->ns->lock);
	return r;
}
