/* The sentry's record lock manager (fs/locks.c: posix_lock_inode(),
 * posix_test_lock(), posix_locks_deadlock()). Each inode's locks are one
 * list in which an owner's locks stay together, sorted and disjoint, and a
 * new owner's come last, as in Linux, so F_GETLK reports the same lock. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "abi/linux_fcntl.h"
#include "sentry/fs/lock.h"

#define MAX_DEADLK_ITERATIONS 10

struct lock {
	struct lock *next;
	struct lock_owner owner;
	struct lock_range r;
};

struct lock_inode {
	struct lock_inode *next;
	struct lock_key key;
	struct lock *locks;
};

/* A POSIX owner blocked on a lock of another: the edges deadlock detection
 * follows (Linux's blocked_hash). */
struct lock_waiter {
	struct lock_waiter *next;
	const void *owner;
	const void *blocker;
};

struct lock_table {
	pthread_mutex_t mu;
	pthread_cond_t changed;
	struct lock_inode *inodes;
	struct lock_waiter *waiters;
	long held; /* locks in the table: closes skip the lookup at 0 */
};

static struct lock_table global_table = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.changed = PTHREAD_COND_INITIALIZER,
};

struct lock_table *lock_table_global(void)
{
	return &global_table;
}

struct lock_table *lock_table_create(void)
{
	struct lock_table *lt = calloc(1, sizeof *lt);

	if (lt) {
		pthread_mutex_init(&lt->mu, NULL);
		pthread_cond_init(&lt->changed, NULL);
	}
	return lt;
}

static void free_locks(struct lock *l)
{
	while (l) {
		struct lock *next = l->next;

		free(l);
		l = next;
	}
}

void lock_table_destroy(struct lock_table *lt)
{
	if (!lt)
		return;
	while (lt->inodes) {
		struct lock_inode *in = lt->inodes;

		lt->inodes = in->next;
		free_locks(in->locks);
		free(in);
	}
	pthread_cond_destroy(&lt->changed);
	pthread_mutex_destroy(&lt->mu);
	free(lt);
}

int lock_range_make(int type, int64_t base, int64_t start, int64_t len, struct lock_range *r)
{
	if (start > LOCK_OFFSET_MAX - base)
		return -EOVERFLOW;
	r->start = base + start;
	if (r->start < 0)
		return -EINVAL;
	if (len > 0) {
		if (len - 1 > LOCK_OFFSET_MAX - r->start)
			return -EOVERFLOW;
		r->end = r->start + len - 1;
	} else if (len < 0) {
		if (r->start + len < 0)
			return -EINVAL;
		r->end = r->start - 1;
		r->start += len;
	} else {
		r->end = LOCK_OFFSET_MAX;
	}
	if (type != LINUX_F_RDLCK && type != LINUX_F_WRLCK && type != LINUX_F_UNLCK)
		return -EINVAL;
	r->type = type;
	return 0;
}

void lock_range_to_flock(const struct lock_range *r, int64_t *start, int64_t *len)
{
	*start = r->start;
	*len = r->end == LOCK_OFFSET_MAX ? 0 : r->end - r->start + 1;
}

static bool overlap(const struct lock_range *a, const struct lock_range *b)
{
	return a->end >= b->start && b->end >= a->start;
}

static bool conflicts(const struct lock *l, const struct lock_owner *o,
		      const struct lock_range *req)
{
	if (req->type == LINUX_F_UNLCK) /* the F_OFD_GETLK query for one's own */
		return l->owner.id == o->id && overlap(&l->r, req);
	return l->owner.id != o->id && overlap(&l->r, req) &&
	       (l->r.type == LINUX_F_WRLCK || req->type == LINUX_F_WRLCK);
}

static struct lock_inode *find_inode(struct lock_table *lt, struct lock_key key)
{
	for (struct lock_inode *in = lt->inodes; in; in = in->next)
		if (in->key.dev == key.dev && in->key.ino == key.ino)
			return in;
	return NULL;
}

static struct lock *first_conflict(const struct lock_inode *in, const struct lock_owner *o,
				   const struct lock_range *req)
{
	for (struct lock *l = in ? in->locks : NULL; l; l = l->next)
		if (conflicts(l, o, req))
			return l;
	return NULL;
}

void lock_test(struct lock_table *lt, struct lock_key key, const struct lock_owner *o,
	       const struct lock_range *req, struct lock_range *found, struct lock_owner *holder)
{
	const struct lock *l;

	pthread_mutex_lock(&lt->mu);
	l = first_conflict(find_inode(lt, key), o, req);
	if (l) {
		*found = l->r;
		*holder = l->owner;
	} else {
		found->type = LINUX_F_UNLCK;
	}
	pthread_mutex_unlock(&lt->mu);
}

/* posix_locks_deadlock(): whether the owner that holds the blocking lock
 * waits, through a chain of waiting POSIX owners, for the caller. */
static bool deadlock(const struct lock_table *lt, const void *caller, const void *blocker)
{
	for (int i = 0;;) {
		const struct lock_waiter *w = lt->waiters;

		while (w && w->owner != blocker)
			w = w->next;
		if (!w || i++ > MAX_DEADLK_ITERATIONS)
			return false;
		blocker = w->blocker;
		if (blocker == caller)
			return true;
	}
}

/* Appends l at *tail and moves tail on. */
static void append(struct lock ***tail, struct lock *l)
{
	l->next = NULL;
	**tail = l;
	*tail = &l->next;
}

static void sort_by_start(struct lock **list)
{
	struct lock *sorted = NULL, *l = *list;

	while (l) {
		struct lock *next = l->next, **at = &sorted;

		while (*at && (*at)->r.start < l->r.start)
			at = &(*at)->next;
		l->next = *at;
		*at = l;
		l = next;
	}
	*list = sorted;
}

/* The owner's lock l against the request (of another type, or an unlock):
 * what lies outside it survives, split in two when l spans it. Returns the
 * change in the number of locks. */
static int cut(struct lock ***tail, struct lock *l, const struct lock_range *req,
	       struct lock **spare)
{
	if (l->r.start < req->start && l->r.end > req->end) {
		struct lock *right = *spare;

		*spare = NULL;
		*right = *l;
		right->r.start = req->end + 1;
		l->r.end = req->start - 1;
		append(tail, l);
		append(tail, right);
		return 1;
	}
	if (l->r.start < req->start) {
		l->r.end = req->start - 1;
	} else if (l->r.end > req->end) {
		l->r.start = req->end + 1;
	} else {
		free(l);
		return -1;
	}
	append(tail, l);
	return 0;
}

/* The owner's locks (sorted, disjoint, same-type ones never adjacent) after
 * req: neighbours and overlaps of its type merge into it, others are cut
 * around it. spare holds the two locks this may need. Returns the change in
 * the number of locks. */
static long owner_apply(struct lock **mine, const struct lock_owner *o, struct lock_range req,
			struct lock *spare[2])
{
	struct lock *out = NULL, **tail = &out, *l = *mine, *next;
	long delta = 0;

	for (; l; l = next) {
		next = l->next;
		if (req.type != LINUX_F_UNLCK && l->r.type == req.type &&
		    l->r.end >= req.start - 1 && l->r.start - 1 <= req.end) {
			req.start = l->r.start < req.start ? l->r.start : req.start;
			req.end = l->r.end > req.end ? l->r.end : req.end;
			free(l);
			delta--;
		} else if (!overlap(&l->r, &req)) {
			append(&tail, l);
		} else {
			delta += cut(&tail, l, &req, &spare[1]);
		}
	}
	if (req.type != LINUX_F_UNLCK) {
		spare[0]->owner = *o;
		spare[0]->r = req;
		append(&tail, spare[0]);
		spare[0] = NULL;
		delta++;
	}
	sort_by_start(&out);
	*mine = out;
	return delta;
}

/* Takes the owner's locks out of the inode's list; *at is where they were
 * (the end for an owner with none). */
static struct lock *take_owner(struct lock_inode *in, const void *owner, struct lock ***at)
{
	struct lock *mine = NULL, **tail = &mine, **pp = &in->locks;

	*at = NULL;
	while (*pp) {
		struct lock *l = *pp;

		if (l->owner.id != owner) {
			pp = &l->next;
			continue;
		}
		if (!*at)
			*at = pp;
		*pp = l->next;
		append(&tail, l);
	}
	if (!*at)
		*at = pp;
	return mine;
}

static void put_back(struct lock **at, struct lock *mine)
{
	struct lock *last = mine;

	if (!mine)
		return;
	while (last->next)
		last = last->next;
	last->next = *at;
	*at = mine;
}

static void forget_inode(struct lock_table *lt, struct lock_inode *in)
{
	struct lock_inode **pp = &lt->inodes;

	if (in->locks)
		return;
	while (*pp != in)
		pp = &(*pp)->next;
	*pp = in->next;
	free(in);
}

static struct lock_inode *get_inode(struct lock_table *lt, struct lock_key key)
{
	struct lock_inode *in = find_inode(lt, key);

	if (!in && (in = calloc(1, sizeof *in))) {
		in->key = key;
		in->next = lt->inodes;
		lt->inodes = in;
	}
	return in;
}

/* The request, granted: mutex held, no conflict. */
static int grant(struct lock_table *lt, struct lock_key key, const struct lock_owner *o,
		 const struct lock_range *req)
{
	struct lock *spare[2], *mine, **at;
	struct lock_inode *in;
	int err = -ENOLCK;

	if (req->type == LINUX_F_UNLCK && !find_inode(lt, key))
		return 0; /* nothing to unlock */
	in = get_inode(lt, key);
	spare[0] = malloc(sizeof(struct lock));
	spare[1] = malloc(sizeof(struct lock));
	if (in && spare[0] && spare[1]) {
		mine = take_owner(in, o->id, &at);
		__atomic_add_fetch(&lt->held, owner_apply(&mine, o, *req, spare), __ATOMIC_RELAXED);
		put_back(at, mine);
		pthread_cond_broadcast(&lt->changed);
		err = 0;
	}
	if (in)
		forget_inode(lt, in);
	free(spare[0]);
	free(spare[1]);
	return err;
}

static void add_waiter(struct lock_table *lt, struct lock_waiter *w)
{
	w->next = lt->waiters;
	lt->waiters = w;
}

static void remove_waiter(struct lock_table *lt, struct lock_waiter *w)
{
	struct lock_waiter **pp = &lt->waiters;

	while (*pp != w)
		pp = &(*pp)->next;
	*pp = w->next;
}

/* Waits once for a change; mutex held. */
static int wait_change(struct lock_table *lt, const struct lock_owner *o,
		       const struct lock *blocker, const struct lock_wait *w)
{
	struct lock_waiter me = { NULL, o->id, blocker->owner.id };
	bool edge = !blocker->owner.ofd; /* only POSIX holders are followed */

	if (w && w->interrupted && w->interrupted(w->arg))
		return -EINTR;
	if (edge)
		add_waiter(lt, &me);
	pthread_cond_wait(&lt->changed, &lt->mu);
	if (edge)
		remove_waiter(lt, &me);
	return 0;
}

int lock_set(struct lock_table *lt, struct lock_key key, const struct lock_owner *o,
	     const struct lock_range *req, bool wait, const struct lock_wait *w)
{
	int err = 0;

	pthread_mutex_lock(&lt->mu);
	for (;;) {
		const struct lock *l = req->type == LINUX_F_UNLCK ? NULL
					: first_conflict(find_inode(lt, key), o, req);

		if (!l) {
			err = grant(lt, key, o, req);
			break;
		}
		if (!wait) {
			err = -EAGAIN;
			break;
		}
		if (!o->ofd && deadlock(lt, o->id, l->owner.id)) {
			err = -EDEADLK;
			break;
		}
		err = wait_change(lt, o, l, w);
		if (err)
			break;
	}
	pthread_mutex_unlock(&lt->mu);
	return err;
}

void lock_release(struct lock_table *lt, struct lock_key key, const void *owner)
{
	struct lock_inode *in;
	struct lock **at;
	long n = 0;

	pthread_mutex_lock(&lt->mu);
	in = find_inode(lt, key);
	if (in) {
		for (struct lock *l = take_owner(in, owner, &at), *next; l; l = next, n++) {
			next = l->next;
			free(l);
		}
		__atomic_sub_fetch(&lt->held, n, __ATOMIC_RELAXED);
		forget_inode(lt, in);
	}
	if (n)
		pthread_cond_broadcast(&lt->changed);
	pthread_mutex_unlock(&lt->mu);
}

void lock_table_wake(struct lock_table *lt)
{
	pthread_mutex_lock(&lt->mu);
	pthread_cond_broadcast(&lt->changed);
	pthread_mutex_unlock(&lt->mu);
}

int lock_key_of(int host_fd, struct lock_key *key)
{
	struct stat st;

	if (fstat(host_fd, &st) < 0)
		return -errno;
	key->dev = st.st_dev;
	key->ino = st.st_ino;
	return 0;
}

void lock_drop_fd(int host_fd, const void *owner)
{
	struct lock_table *lt = lock_table_global();
	struct lock_key key;

	if (!__atomic_load_n(&lt->held, __ATOMIC_RELAXED) || lock_key_of(host_fd, &key))
		return;
	lock_release(lt, key, owner);
}
