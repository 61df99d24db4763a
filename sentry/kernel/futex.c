/* Futex wait queues (kernel/futex/): a shared futex is keyed by the
 * memory-file offset of its word, or a host file's mapped page by the file
 * and offset (mm_word), the same for every address space that maps the
 * page; a private one by its address space and address, as
 * get_futex_key() does, so the kinds never meet. All queues live under
 * sb->lock; a waiter sleeps on sb->child_cond, which kicks wake too. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "sentry/sched/vcpu.h"
#include "sentry/kernel/futex.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/signal/signal.h"

struct futex_key {
	uint64_t space; /* the mm of a private futex, 0 for a shared one */
	uint64_t id[3]; /* its address, or mm_word's key */
};

struct futex_waiter {
	struct futex_waiter *next;
	struct futex_key key;
	uint32_t bitset;
	bool woken;
};

static bool same_key(const struct futex_key *a, const struct futex_key *b)
{
	return a->space == b->space && !memcmp(a->id, b->id, sizeof a->id);
}

/* The key of the word at addr, and with word the word itself (a private
 * key needs no mapping: a wake of an unmapped word wakes nobody). */
static int key_of(struct task *t, uint64_t addr, bool private, struct mm_word *word, bool write,
		  struct futex_key *k)
{
	struct mm_word w;
	int r = 0;

	if (word || !private)
		r = mm_word(t->mm, addr, write, &w);
	if (r)
		return r;
	if (word)
		*word = w;
	if (private)
		*k = (struct futex_key){ (uint64_t)(uintptr_t)t->mm, { 0, 0, addr } };
	else
		*k = (struct futex_key){ 0, { w.key[0], w.key[1], w.key[2] } };
	return 0;
}

static void unqueue_locked(struct sandbox *sb, struct futex_waiter *w)
{
	for (struct futex_waiter **p = &sb->futex_waiters; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			return;
		}
}

static bool timed_out(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

long futex_wait(struct task *t, uint64_t addr, bool private, uint32_t val, uint32_t bitset,
		const struct timespec *deadline)
{
	struct sandbox *sb = t->sb;
	struct futex_waiter w = { NULL, { 0, { 0 } }, bitset, false };
	struct mm_word word;
	uint32_t now;
	long r = 0;

	pthread_mutex_lock(&sb->lock);
	r = key_of(t, addr, private, &word, false, &w.key);
	if (!r)
		r = mm_word_load(&word, &now);
	if (!r && now != val)
		r = -EAGAIN;
	if (r) {
		pthread_mutex_unlock(&sb->lock);
		return r;
	}
	w.next = sb->futex_waiters;
	sb->futex_waiters = &w;
	while (!w.woken) {
		if (__atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE) || sig_pending_locked(t)) {
			r = deadline ? -ERESTART_RESTARTBLOCK : -ERESTARTSYS;
			break;
		}
		if (deadline && timed_out(deadline)) {
			r = -ETIMEDOUT;
			break;
		}
		sched_block(t);
		if (deadline)
			pthread_cond_timedwait(&sb->child_cond, &sb->lock, deadline);
		else
			pthread_cond_wait(&sb->child_cond, &sb->lock);
	}
	if (!w.woken)
		unqueue_locked(sb, &w);
	pthread_mutex_unlock(&sb->lock);
	return w.woken ? 0 : r;
}

/* Wakes up to n waiters on key whose bitset meets bitset; sb->lock held. */
static int wake_locked(struct sandbox *sb, const struct futex_key *key, int n, uint32_t bitset)
{
	int woken = 0;

	for (struct futex_waiter **p = &sb->futex_waiters; *p && woken < n;) {
		struct futex_waiter *w = *p;

		if (!same_key(&w->key, key) || !(w->bitset & bitset)) {
			p = &w->next;
			continue;
		}
		*p = w->next;
		w->woken = true;
		woken++;
	}
	if (woken)
		pthread_cond_broadcast(&sb->child_cond);
	return woken;
}

long futex_wake(struct task *t, uint64_t addr, bool private, int n, uint32_t bitset)
{
	struct futex_key key;
	long r;

	pthread_mutex_lock(&t->sb->lock);
	r = key_of(t, addr, private, NULL, false, &key);
	if (!r)
		r = wake_locked(t->sb, &key, n, bitset);
	pthread_mutex_unlock(&t->sb->lock);
	return r;
}

long futex_requeue(struct task *t, uint64_t addr, uint64_t addr2, bool private, int nwake,
		   int nmove, const uint32_t *cmp)
{
	struct sandbox *sb = t->sb;
	struct mm_word word;
	struct futex_key key, key2;
	uint32_t now = 0;
	long r;
	int moved = 0;

	pthread_mutex_lock(&sb->lock);
	r = key_of(t, addr, private, cmp ? &word : NULL, false, &key);
	if (!r)
		r = key_of(t, addr2, private, NULL, false, &key2);
	if (!r && cmp)
		r = mm_word_load(&word, &now);
	if (!r && cmp && now != *cmp)
		r = -EAGAIN;
	if (!r) {
		r = wake_locked(sb, &key, nwake, FUTEX_BITSET_ANY);
		for (struct futex_waiter *w = sb->futex_waiters; w && moved < nmove; w = w->next)
			if (same_key(&w->key, &key)) {
				w->key = key2;
				moved++;
			}
		r += moved;
	}
	pthread_mutex_unlock(&sb->lock);
	return r;
}

/* FUTEX_WAKE_OP's operation on *word2 and its comparison of the old value
 * (include/uapi/linux/futex.h: op, cmp, oparg, cmparg). */
static long wake_op_apply(const struct mm_word *word2, uint32_t encoded, bool *cond)
{
	unsigned int op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	int32_t oparg = (int32_t)(encoded << 8) >> 20, cmparg = (int32_t)(encoded << 20) >> 20;
	uint32_t old, new;
	int done;

	if (encoded & (8u << 28)) /* FUTEX_OP_OPARG_SHIFT; Linux masks a bad shift */
		oparg = (int32_t)(1u << (oparg & 31));
	if (mm_word_load(word2, &old))
		return -EFAULT;
	do {
		switch (op) {
		case 0: new = (uint32_t)oparg; break;
		case 1: new = old + (uint32_t)oparg; break;
		case 2: new = old | (uint32_t)oparg; break;
		case 3: new = old & ~(uint32_t)oparg; break;
		case 4: new = old ^ (uint32_t)oparg; break;
		default: return -ENOSYS;
		}
	} while (!(done = mm_word_cmpxchg(word2, &old, new)));
	if (done < 0)
		return done;
	switch (cmp) {
	case 0: *cond = (int32_t)old == cmparg; break;
	case 1: *cond = (int32_t)old != cmparg; break;
	case 2: *cond = (int32_t)old < cmparg; break;
	case 3: *cond = (int32_t)old <= cmparg; break;
	case 4: *cond = (int32_t)old > cmparg; break;
	case 5: *cond = (int32_t)old >= cmparg; break;
	default: return -ENOSYS;
	}
	return 0;
}

long futex_wake_op(struct task *t, uint64_t addr, uint64_t addr2, bool private, int n, int n2,
		   uint32_t op)
{
	struct sandbox *sb = t->sb;
	struct mm_word word2;
	struct futex_key key, key2;
	bool cond = false;
	long r;

	pthread_mutex_lock(&sb->lock);
	r = key_of(t, addr, private, NULL, false, &key);
	if (!r)
		r = key_of(t, addr2, private, &word2, true, &key2);
	if (!r)
		r = wake_op_apply(&word2, op, &cond);
	if (!r) {
		r = wake_locked(sb, &key, n, FUTEX_BITSET_ANY);
		if (cond)
			r += wake_locked(sb, &key2, n2, FUTEX_BITSET_ANY);
	}
	pthread_mutex_unlock(&sb->lock);
	return r;
}

#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu
#define ROBUST_LIST_LIMIT 2048 /* ROBUST_LIST_LIMIT: a looped list ends */

/* handle_futex_death(): a lock the dead thread held is marked
 * FUTEX_OWNER_DIED and one waiter woken to take it over. */
static void robust_death(struct task *t, uint64_t uaddr)
{
	struct sandbox *sb = t->sb;
	struct mm_word word;
	struct futex_key key;
	uint32_t v;
	int done = 0;

	pthread_mutex_lock(&sb->lock);
	if (!(uaddr & 3) && key_of(t, uaddr, false, &word, true, &key) == 0 &&
	    !mm_word_load(&word, &v)) {
		while ((v & FUTEX_TID_MASK) == (uint32_t)t->tid &&
		       !(done = mm_word_cmpxchg(&word, &v, (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED)))
			;
		if (done > 0 && (v & FUTEX_WAITERS))
			wake_locked(sb, &key, 1, FUTEX_BITSET_ANY);
	}
	pthread_mutex_unlock(&sb->lock);
}

void futex_exit_robust(struct task *t)
{
	struct { uint64_t next; int64_t offset; uint64_t pending; } head;
	uint64_t entry;

	if (!t->robust_list || !t->mm || mm_read(t->mm, &head, t->robust_list, sizeof head) < 0)
		return;
	entry = head.next;
	/* The list is circular through its head; bit 0 of a pointer marks a
	 * PI futex, which is handled the same way here. */
	for (int i = 0; i < ROBUST_LIST_LIMIT && entry != t->robust_list; i++) {
		uint64_t next;

		if (mm_read(t->mm, &next, entry & ~1ULL, sizeof next) < 0)
			return;
		if (entry != head.pending)
			robust_death(t, (entry & ~1ULL) + (uint64_t)head.offset);
		entry = next;
	}
	if (head.pending)
		robust_death(t, (head.pending & ~1ULL) + (uint64_t)head.offset);
}
