/* POSIX record locks and open file description (OFD) locks, fcntl(2)'s
 * F_GETLK/F_SETLK/F_SETLKW and their F_OFD_ forms (fs/locks.c). The host
 * keeps record locks per host process, and the sentry is one host process for
 * every guest, so the guests' locks live here instead, keyed by host inode.
 *
 * A POSIX lock belongs to a guest process (its fd table, as Linux's belongs
 * to the files_struct), an OFD lock to an open file. Locks of one owner never
 * overlap: a new one replaces, splits or merges with them. Locks of different
 * owners conflict when they overlap and either is a write lock, whatever
 * their kinds. Ranges are inclusive; LOCK_OFFSET_MAX as the end means "to the
 * end of the file, however it grows". One table serves every tracer thread. */
#ifndef UMBRA_SENTRY_LOCK_H
#define UMBRA_SENTRY_LOCK_H

#include <stdbool.h>
#include <stdint.h>

#define LOCK_OFFSET_MAX INT64_MAX

struct lock_key {
	uint64_t dev;
	uint64_t ino;
};

struct lock_owner {
	const void *id; /* the fd table (POSIX) or the struct file (OFD) */
	const void *ns; /* the sandbox whose pids count pid */
	int pid;        /* the owning guest process (POSIX) */
	bool ofd;
};

struct lock_range {
	int type; /* LINUX_F_RDLCK, LINUX_F_WRLCK or LINUX_F_UNLCK */
	int64_t start;
	int64_t end;
};

/* What may cut an F_SETLKW wait short (-EINTR); checked before each wait
 * and after every wake-up (lock_table_wake). */
struct lock_wait {
	bool (*interrupted)(void *arg);
	void *arg;
};

struct lock_table;

struct lock_table *lock_table_create(void);
void lock_table_destroy(struct lock_table *lt);
/* The sentry's own table: host inodes are shared by every sandbox. */
struct lock_table *lock_table_global(void);

/* flock64_to_posix_lock(): the range of l_start and l_len counted from base
 * (0, the file position or its size, by l_whence), then the type. 0, -EINVAL
 * or -EOVERFLOW. */
int lock_range_make(int type, int64_t base, int64_t start, int64_t len, struct lock_range *r);
/* The range as F_GETLK reports it (l_whence SEEK_SET, l_len 0 to the end). */
void lock_range_to_flock(const struct lock_range *r, int64_t *start, int64_t *len);

/* F_GETLK: the first lock of another owner that would block req, into
 * *found and *holder; found->type LINUX_F_UNLCK when there is none. A req of
 * type LINUX_F_UNLCK (F_OFD_GETLK, Linux 6.5) finds o's own lock instead. */
void lock_test(struct lock_table *lt, struct lock_key key, const struct lock_owner *o,
	       const struct lock_range *req, struct lock_range *found, struct lock_owner *holder);
/* F_SETLK (wait false) or F_SETLKW: 0, -EAGAIN, -EDEADLK (a POSIX owner
 * waiting, in a circle, on itself), -EINTR, -ENOLCK (out of memory). */
int lock_set(struct lock_table *lt, struct lock_key key, const struct lock_owner *o,
	     const struct lock_range *req, bool wait, const struct lock_wait *w);
/* Drops every lock owner holds on key. */
void lock_release(struct lock_table *lt, struct lock_key key, const void *owner);
/* Makes every waiter look at its lock_wait again. */
void lock_table_wake(struct lock_table *lt);

/* close(2) of a host fd's file: drops owner's locks on its inode; cheap when
 * no lock is held anywhere. */
void lock_drop_fd(int host_fd, const void *owner);
/* The key of a host fd's inode: 0 or -errno. */
int lock_key_of(int host_fd, struct lock_key *key);

#endif
