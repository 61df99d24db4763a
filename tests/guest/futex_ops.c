// SPDX-License-Identifier: Apache-2.0
/*
 * futex(2) without PI: the argument rules (EAGAIN when the word differs,
 * EINVAL for an unaligned word, a zero bitset or a bad timeout, EFAULT for
 * an unmapped word or timeout, ENOSYS for FUTEX_CLOCK_REALTIME on anything
 * but FUTEX_WAIT_BITSET); timeouts, relative for FUTEX_WAIT and absolute
 * on CLOCK_MONOTONIC or CLOCK_REALTIME for FUTEX_WAIT_BITSET; a ping-pong
 * of 10000 rounds between two threads; the counts FUTEX_WAKE,
 * FUTEX_WAKE_BITSET, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE and FUTEX_WAKE_OP
 * return and whom they wake or move; FUTEX_WAKE_OP's operations and
 * comparisons on the second word; a shared futex in a MAP_SHARED page
 * between a parent and its child, both ways.
 *
 * Whether a thread is queued on a word is never guessed from time: a
 * FUTEX_REQUEUE of a word onto itself with nr_wake 0 wakes nobody and
 * returns how many wait there (its waiters stay queued on the same word).
 * Waiters wait with a timeout, so a broken wake fails instead of hanging.
 */
#include "proc.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#define PING_ROUNDS 10000
#define WAIT_SECONDS 10

static long futex6(uint32_t *word, int op, uint32_t val, unsigned long val2,
		   uint32_t *word2, uint32_t val3)
{
	return syscall(SYS_futex, word, op, val, val2, word2, val3);
}

static long futex_wait(uint32_t *word, int op, uint32_t val,
		       const struct timespec *ts)
{
	return futex6(word, op, val, (unsigned long)ts, NULL, 0);
}

static long futex_wake(uint32_t *word, int op, int n)
{
	return futex6(word, op, (uint32_t)n, 0, NULL, 0);
}

static int64_t ns_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static int64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ns_of(&ts);
}

static struct timespec ts_of(int64_t ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };

	return ts;
}

/* How many wait on word (private or shared as op says): a requeue onto
 * itself that wakes none. */
static long queued(uint32_t *word, int private)
{
	return futex6(word, private ? FUTEX_REQUEUE_PRIVATE : FUTEX_REQUEUE, 0,
		      INT_MAX, word, 0);
}

/* Waits until n wait on word; nonzero when they do within the bound. */
static int await_queued(const char *what, uint32_t *word, int private, long n)
{
	int64_t end = now_ns(CLOCK_MONOTONIC) + (int64_t)WAIT_SECONDS * 1000000000;
	long q;

	for (;;) {
		q = queued(word, private);
		if (q == n)
			return 1;
		if (q < 0 || q > n || now_ns(CLOCK_MONOTONIC) > end)
			break;
		proc_sleep_ms(1);
	}
	if (q < 0)
		fail("%s: counting waiters: errno %s", what, err_name(errno));
	else
		fail("%s: waiters queued: expected %ld got %ld", what, n, q);
	return 0;
}

/* ---- argument rules ---- */

static void errors(void)
{
	static uint32_t word = 1, word2 = 7;
	struct timespec zero = { 0, 0 }, bad_ns = { 0, 1000000000 },
			neg = { -1, 0 };
	uint32_t *unaligned = (uint32_t *)((char *)&word + 1);
	uint32_t *unmapped = bad_address();

	CHECK_ERRNO("FUTEX_WAIT_PRIVATE, the word differs", futex_wait(&word, FUTEX_WAIT_PRIVATE, 0, NULL), EAGAIN);
	CHECK_ERRNO("FUTEX_WAIT (shared), the word differs", futex_wait(&word, FUTEX_WAIT, 0, NULL), EAGAIN);
	CHECK_ERRNO("FUTEX_WAIT_BITSET_PRIVATE, the word differs",
		    futex6(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, 0, NULL, FUTEX_BITSET_MATCH_ANY), EAGAIN);
	CHECK_ERRNO("FUTEX_WAIT, unaligned word", futex_wait(unaligned, FUTEX_WAIT_PRIVATE, 1, NULL), EINVAL);
	CHECK_ERRNO("FUTEX_WAKE, unaligned word", futex_wake(unaligned, FUTEX_WAKE_PRIVATE, 1), EINVAL);
	CHECK_ERRNO("FUTEX_REQUEUE, unaligned second word",
		    futex6(&word, FUTEX_REQUEUE_PRIVATE, 0, 1, unaligned, 0), EINVAL);
	CHECK_ERRNO("FUTEX_WAIT_PRIVATE, unmapped word", futex_wait(unmapped, FUTEX_WAIT_PRIVATE, 0, NULL), EFAULT);
	CHECK_ERRNO("FUTEX_WAIT (shared), unmapped word", futex_wait(unmapped, FUTEX_WAIT, 0, NULL), EFAULT);
	CHECK_ERRNO("FUTEX_WAKE (shared), unmapped word", futex_wake(unmapped, FUTEX_WAKE, 1), EFAULT);
	CHECK_ERRNO("FUTEX_WAKE_OP, unmapped second word",
		    futex6(&word, FUTEX_WAKE_OP_PRIVATE, 1, 1, unmapped, FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0)),
		    EFAULT);
	CHECK_ERRNO("FUTEX_WAIT_BITSET, bitset 0",
		    futex6(&word, FUTEX_WAIT_BITSET_PRIVATE, 1, 0, NULL, 0), EINVAL);
	CHECK_ERRNO("FUTEX_WAKE_BITSET, bitset 0",
		    futex6(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, NULL, 0), EINVAL);
	CHECK_ERRNO("FUTEX_WAIT | FUTEX_CLOCK_REALTIME",
		    futex_wait(&word, FUTEX_WAIT_PRIVATE | FUTEX_CLOCK_REALTIME, 1, &zero), ENOSYS);
	CHECK_ERRNO("FUTEX_WAIT, tv_nsec 1e9 (before the word's check)",
		    futex_wait(&word, FUTEX_WAIT_PRIVATE, 0, &bad_ns), EINVAL);
	CHECK_ERRNO("FUTEX_WAIT, negative tv_sec", futex_wait(&word, FUTEX_WAIT_PRIVATE, 1, &neg), EINVAL);
	CHECK_ERRNO("FUTEX_WAIT, unmapped timeout",
		    futex_wait(&word, FUTEX_WAIT_PRIVATE, 1, bad_address()), EFAULT);
	CHECK_ERRNO("FUTEX_REQUEUE, negative nr_requeue",
		    futex6(&word, FUTEX_REQUEUE_PRIVATE, 0, (unsigned long)-1, &word2, 0), EINVAL);
	CHECK_ERRNO("FUTEX_CMP_REQUEUE, the word differs",
		    futex6(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &word2, 2), EAGAIN);
	check_long("FUTEX_CMP_REQUEUE, the word matches, nobody waits", 0,
		   futex6(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &word2, 1));
	check_long("FUTEX_WAKE, nobody waits", 0, futex_wake(&word, FUTEX_WAKE_PRIVATE, INT_MAX));
	check_long("FUTEX_WAKE (shared), nobody waits", 0, futex_wake(&word, FUTEX_WAKE, 1));
	/* An operation or comparison FUTEX_WAKE_OP does not know is ENOSYS;
	 * the operation is done before the comparison is looked at. */
	CHECK_ERRNO("FUTEX_WAKE_OP, operation 7",
		    futex6(&word, FUTEX_WAKE_OP_PRIVATE, 1, 1, &word2, FUTEX_OP(7, 1, FUTEX_OP_CMP_EQ, 0)), ENOSYS);
	check_long("FUTEX_WAKE_OP, operation 7: the second word is unchanged", 7, word2);
	CHECK_ERRNO("FUTEX_WAKE_OP, comparison 7",
		    futex6(&word, FUTEX_WAKE_OP_PRIVATE, 1, 1, &word2, FUTEX_OP(FUTEX_OP_SET, 9, 7, 0)), ENOSYS);
	check_long("FUTEX_WAKE_OP, comparison 7: the operation was done", 9, word2);
	check_long("the first word is never written", 1, word);
}

/* ---- timeouts ---- */

static void timeouts(void)
{
	static uint32_t word;
	const int64_t ms50 = 50 * 1000000;
	struct timespec rel = ts_of(ms50), ts;
	int64_t start, end, dl;

	start = now_ns(CLOCK_MONOTONIC);
	CHECK_ERRNO("FUTEX_WAIT, relative 50 ms", futex_wait(&word, FUTEX_WAIT_PRIVATE, 0, &rel), ETIMEDOUT);
	end = now_ns(CLOCK_MONOTONIC);
	check_true("FUTEX_WAIT, relative 50 ms: at least 50 ms passed", end - start >= ms50);
	note("relative 50 ms: %lld us", (long long)(end - start) / 1000);

	ts = ts_of(0);
	CHECK_ERRNO("FUTEX_WAIT, relative 0", futex_wait(&word, FUTEX_WAIT_PRIVATE, 0, &ts), ETIMEDOUT);

	dl = now_ns(CLOCK_MONOTONIC) + ms50;
	ts = ts_of(dl);
	CHECK_ERRNO("FUTEX_WAIT_BITSET, CLOCK_MONOTONIC deadline",
		    futex6(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, (unsigned long)&ts, NULL, FUTEX_BITSET_MATCH_ANY),
		    ETIMEDOUT);
	end = now_ns(CLOCK_MONOTONIC);
	check_true("FUTEX_WAIT_BITSET: CLOCK_MONOTONIC has passed the deadline", end >= dl);
	note("CLOCK_MONOTONIC deadline: returned %lld us after it", (long long)(end - dl) / 1000);

	dl = now_ns(CLOCK_REALTIME) + ms50;
	ts = ts_of(dl);
	CHECK_ERRNO("FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME deadline",
		    futex6(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, (unsigned long)&ts, NULL,
			   FUTEX_BITSET_MATCH_ANY),
		    ETIMEDOUT);
	end = now_ns(CLOCK_REALTIME);
	check_true("FUTEX_CLOCK_REALTIME: CLOCK_REALTIME has passed the deadline", end >= dl);
	note("CLOCK_REALTIME deadline: returned %lld us after it", (long long)(end - dl) / 1000);

	/* A deadline already past, on each clock. */
	ts = ts_of(now_ns(CLOCK_MONOTONIC) - ms50);
	CHECK_ERRNO("FUTEX_WAIT_BITSET, a past CLOCK_MONOTONIC deadline",
		    futex6(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, (unsigned long)&ts, NULL, FUTEX_BITSET_MATCH_ANY),
		    ETIMEDOUT);
	ts = ts_of(now_ns(CLOCK_REALTIME) - ms50);
	CHECK_ERRNO("FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, a past deadline",
		    futex6(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, (unsigned long)&ts, NULL,
			   FUTEX_BITSET_MATCH_ANY),
		    ETIMEDOUT);
}

/* ---- ping-pong ---- */

static uint32_t turn; /* 0: ping's, 1: pong's */
static int ping_stop;

/* Waits until turn is want; 0 when it is, -1 on a timeout or error. */
static int await_turn(uint32_t want, const char *who)
{
	struct timespec ts = { WAIT_SECONDS, 0 };
	uint32_t v;

	while ((v = __atomic_load_n(&turn, __ATOMIC_ACQUIRE)) != want) {
		if (__atomic_load_n(&ping_stop, __ATOMIC_ACQUIRE))
			return -1;
		if (futex_wait(&turn, FUTEX_WAIT_PRIVATE, v, &ts) == -1 &&
		    errno != EAGAIN && errno != EINTR) {
			fail("ping-pong: %s's FUTEX_WAIT: expected 0 or EAGAIN got errno %s",
			     who, err_name(errno));
			__atomic_store_n(&ping_stop, 1, __ATOMIC_RELEASE);
			futex_wake(&turn, FUTEX_WAKE_PRIVATE, INT_MAX);
			return -1;
		}
	}
	return 0;
}

static void *pong(void *p)
{
	long *count = p;

	for (int i = 0; i < PING_ROUNDS; i++) {
		if (await_turn(1, "pong"))
			break;
		++*count;
		__atomic_store_n(&turn, 0, __ATOMIC_RELEASE);
		futex_wake(&turn, FUTEX_WAKE_PRIVATE, 1);
	}
	return NULL;
}

static void ping_pong(void)
{
	long pings = 0, pongs = 0;
	int64_t start = now_ns(CLOCK_MONOTONIC);
	pthread_t th;

	turn = 0;
	ping_stop = 0;
	if (!check_err_ret("ping-pong: pthread_create", pthread_create(&th, NULL, pong, &pongs), 0))
		return;
	for (int i = 0; i < PING_ROUNDS; i++) {
		__atomic_store_n(&turn, 1, __ATOMIC_RELEASE);
		futex_wake(&turn, FUTEX_WAKE_PRIVATE, 1);
		if (await_turn(0, "ping"))
			break;
		pings++;
	}
	__atomic_store_n(&ping_stop, 1, __ATOMIC_RELEASE);
	futex_wake(&turn, FUTEX_WAKE_PRIVATE, INT_MAX);
	pthread_join(th, NULL);
	check_long("ping-pong: rounds the main thread saw back", PING_ROUNDS, pings);
	check_long("ping-pong: rounds the other thread played", PING_ROUNDS, pongs);
	note("ping-pong: %d rounds in %lld ms", PING_ROUNDS,
	     (long long)(now_ns(CLOCK_MONOTONIC) - start) / 1000000);
}

/* ---- waiter threads ---- */

struct waiter {
	pthread_t th;
	uint32_t *word;
	int op;
	uint32_t val, bitset;
	long ret;
	int err;
};

static void *waiter_main(void *p)
{
	struct waiter *w = p;
	struct timespec ts = { WAIT_SECONDS, 0 };

	if ((w->op & FUTEX_CMD_MASK) == FUTEX_WAIT_BITSET) {
		/* An absolute deadline on CLOCK_MONOTONIC. */
		ts = ts_of(now_ns(CLOCK_MONOTONIC) + (int64_t)WAIT_SECONDS * 1000000000);
		w->ret = futex6(w->word, w->op, w->val, (unsigned long)&ts, NULL, w->bitset);
	} else {
		w->ret = futex_wait(w->word, w->op, w->val, &ts);
	}
	w->err = w->ret ? errno : 0;
	return NULL;
}

static int start_waiter(struct waiter *w, uint32_t *word, int op, uint32_t val,
			uint32_t bitset)
{
	w->word = word;
	w->op = op;
	w->val = val;
	w->bitset = bitset;
	w->ret = -2;
	w->err = 0;
	if (pthread_create(&w->th, NULL, waiter_main, w)) {
		fail("pthread_create for a waiter failed");
		return 0;
	}
	return 1;
}

/* Joins the waiters and checks each was woken (its wait returned 0). */
static void join_waiters(const char *what, struct waiter *w, int n)
{
	char buf[128];

	for (int i = 0; i < n; i++) {
		pthread_join(w[i].th, NULL);
		snprintf(buf, sizeof(buf), "%s: waiter %d was woken", what, i);
		if (w[i].ret != 0)
			fail("%s: expected 0 got %ld (errno %s)", buf, w[i].ret,
			     err_name(w[i].err));
	}
}

static void wake_counts(void)
{
	static uint32_t word;
	struct waiter w[3];
	int64_t end;
	long total = 0, r;

	/* Three waiters: FUTEX_WAKE, retried until it has woken all three,
	 * wakes each once. */
	for (int i = 0; i < 3; i++)
		start_waiter(&w[i], &word, FUTEX_WAIT_PRIVATE, 0, 0);
	end = now_ns(CLOCK_MONOTONIC) + (int64_t)WAIT_SECONDS * 1000000000;
	while (total < 3 && now_ns(CLOCK_MONOTONIC) < end) {
		r = futex_wake(&word, FUTEX_WAKE_PRIVATE, INT_MAX);
		if (r < 0) {
			fail("FUTEX_WAKE: errno %s", err_name(errno));
			break;
		}
		total += r;
		if (total < 3)
			proc_sleep_ms(1);
	}
	check_long("FUTEX_WAKE retried: the total woken", 3, total);
	join_waiters("FUTEX_WAKE retried", w, 3);
	check_long("FUTEX_WAKE once they are all gone", 0, futex_wake(&word, FUTEX_WAKE_PRIVATE, INT_MAX));

	/* With three queued, waking 2 wakes exactly 2, then 1 is left. */
	for (int i = 0; i < 3; i++)
		start_waiter(&w[i], &word, FUTEX_WAIT_PRIVATE, 0, 0);
	if (await_queued("FUTEX_WAKE 2 of 3", &word, 1, 3)) {
		check_long("FUTEX_WAKE(2) with 3 queued", 2, futex_wake(&word, FUTEX_WAKE_PRIVATE, 2));
		check_long("waiters left after FUTEX_WAKE(2)", 1, queued(&word, 1));
		check_long("FUTEX_WAKE(5) with 1 queued", 1, futex_wake(&word, FUTEX_WAKE_PRIVATE, 5));
	}
	join_waiters("FUTEX_WAKE 2 of 3", w, 3);

	/* Bitsets: FUTEX_WAKE_BITSET wakes only the waiters whose bitset
	 * meets its own; FUTEX_WAKE wakes any. */
	start_waiter(&w[0], &word, FUTEX_WAIT_BITSET_PRIVATE, 0, 1);
	start_waiter(&w[1], &word, FUTEX_WAIT_BITSET_PRIVATE, 0, 2);
	start_waiter(&w[2], &word, FUTEX_WAIT_BITSET_PRIVATE, 0, 6);
	if (await_queued("bitsets", &word, 1, 3)) {
		check_long("FUTEX_WAKE_BITSET 8: nobody's bitset", 0,
			   futex6(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, 0, NULL, 8));
		check_long("FUTEX_WAKE_BITSET 2: the waiters on 2 and 6", 2,
			   futex6(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, 0, NULL, 2));
		check_long("waiters left after FUTEX_WAKE_BITSET 2", 1, queued(&word, 1));
		check_long("FUTEX_WAKE: the waiter on bitset 1", 1, futex_wake(&word, FUTEX_WAKE_PRIVATE, INT_MAX));
	}
	join_waiters("bitsets", w, 3);
}

static void requeues(void)
{
	static uint32_t a, b;
	struct waiter w[3];

	/* FUTEX_REQUEUE wakes nr_wake and moves up to nr_requeue, and
	 * returns both counts together. */
	for (int i = 0; i < 3; i++)
		start_waiter(&w[i], &a, FUTEX_WAIT_PRIVATE, 0, 0);
	if (await_queued("FUTEX_REQUEUE", &a, 1, 3)) {
		check_long("FUTEX_REQUEUE: woken 1 + moved 2", 3,
			   futex6(&a, FUTEX_REQUEUE_PRIVATE, 1, 2, &b, 0));
		check_long("FUTEX_REQUEUE: left on the first word", 0, queued(&a, 1));
		check_long("FUTEX_WAKE on the first word after the requeue", 0,
			   futex_wake(&a, FUTEX_WAKE_PRIVATE, INT_MAX));
		check_long("FUTEX_WAKE on the second word wakes the 2 moved", 2,
			   futex_wake(&b, FUTEX_WAKE_PRIVATE, INT_MAX));
	}
	join_waiters("FUTEX_REQUEUE", w, 3);

	/* FUTEX_CMP_REQUEUE moves nobody when the word differs. */
	a = 5;
	for (int i = 0; i < 3; i++)
		start_waiter(&w[i], &a, FUTEX_WAIT_PRIVATE, 5, 0);
	if (await_queued("FUTEX_CMP_REQUEUE", &a, 1, 3)) {
		CHECK_ERRNO("FUTEX_CMP_REQUEUE, the word differs",
			    futex6(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, INT_MAX, &b, 4), EAGAIN);
		check_long("FUTEX_CMP_REQUEUE that failed left them all", 3, queued(&a, 1));
		check_long("FUTEX_CMP_REQUEUE, the word matches: none woken, 2 moved", 2,
			   futex6(&a, FUTEX_CMP_REQUEUE_PRIVATE, 0, 2, &b, 5));
		check_long("FUTEX_CMP_REQUEUE: left on the first word", 1, queued(&a, 1));
		check_long("FUTEX_WAKE on the second word after FUTEX_CMP_REQUEUE", 2,
			   futex_wake(&b, FUTEX_WAKE_PRIVATE, INT_MAX));
		check_long("FUTEX_WAKE on the first word after FUTEX_CMP_REQUEUE", 1,
			   futex_wake(&a, FUTEX_WAKE_PRIVATE, INT_MAX));
	}
	join_waiters("FUTEX_CMP_REQUEUE", w, 3);
}

static void wake_op(void)
{
	static uint32_t w1, w2;
	struct waiter w[2];

	/* Nobody waits: the operation is still done, none woken. */
	w2 = 3;
	check_long("FUTEX_WAKE_OP ADD 5 (old == 3), nobody waits", 0,
		   futex6(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2,
			  FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 3)));
	check_long("FUTEX_WAKE_OP ADD 5: the second word", 8, w2);

	/* The comparison holds: one woken on each word. */
	start_waiter(&w[0], &w1, FUTEX_WAIT_PRIVATE, 0, 0);
	start_waiter(&w[1], &w2, FUTEX_WAIT_PRIVATE, 8, 0);
	if (await_queued("FUTEX_WAKE_OP", &w1, 1, 1) &&
	    await_queued("FUTEX_WAKE_OP", &w2, 1, 1)) {
		check_long("FUTEX_WAKE_OP ADD 2 (old 8 > 7): woken on both words", 2,
			   futex6(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2,
				  FUTEX_OP(FUTEX_OP_ADD, 2, FUTEX_OP_CMP_GT, 7)));
		check_long("FUTEX_WAKE_OP ADD 2: the second word", 10, w2);
	}
	join_waiters("FUTEX_WAKE_OP, comparison true", w, 2);

	/* The comparison fails: only the first word's waiter is woken. */
	start_waiter(&w[0], &w1, FUTEX_WAIT_PRIVATE, 0, 0);
	start_waiter(&w[1], &w2, FUTEX_WAIT_PRIVATE, 10, 0);
	if (await_queued("FUTEX_WAKE_OP", &w1, 1, 1) &&
	    await_queued("FUTEX_WAKE_OP", &w2, 1, 1)) {
		check_long("FUTEX_WAKE_OP ADD 1 (old 10 < 0 fails): woken on the first word only", 1,
			   futex6(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2,
				  FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_LT, 0)));
		check_long("FUTEX_WAKE_OP ADD 1: the second word", 11, w2);
		check_long("FUTEX_WAKE_OP: the second word's waiter is still queued", 1, queued(&w2, 1));
		check_long("FUTEX_WAKE on the second word", 1, futex_wake(&w2, FUTEX_WAKE_PRIVATE, 1));
	}
	join_waiters("FUTEX_WAKE_OP, comparison false", w, 2);

	/* The other operations and comparisons, nobody waiting. */
	check_long("FUTEX_WAKE_OP OR 1<<4 (old == 11)", 0,
		   futex6(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2,
			  FUTEX_OP((FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT), 4, FUTEX_OP_CMP_EQ, 11)));
	check_long("FUTEX_WAKE_OP OR 1<<4: the second word", 27, w2);
	futex6(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2, FUTEX_OP(FUTEX_OP_ANDN, 3, FUTEX_OP_CMP_NE, 0));
	check_long("FUTEX_WAKE_OP ANDN 3: the second word", 24, w2);
	futex6(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2, FUTEX_OP(FUTEX_OP_XOR, 0x7ff, FUTEX_OP_CMP_GE, 0));
	check_long("FUTEX_WAKE_OP XOR 0x7ff: the second word", 24 ^ 0x7ff, w2);
	futex6(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2, FUTEX_OP(FUTEX_OP_SET, -1, FUTEX_OP_CMP_LE, 0));
	check_ulong("FUTEX_WAKE_OP SET -1 (oparg is 12 bits, signed)", 0xffffffffUL, w2);

	/* The old value compares as a signed int with a signed 12-bit
	 * argument: -1 < 0, and -1 == -1. */
	start_waiter(&w[0], &w1, FUTEX_WAIT_PRIVATE, 0, 0);
	start_waiter(&w[1], &w2, FUTEX_WAIT_PRIVATE, 0xffffffff, 0);
	if (await_queued("FUTEX_WAKE_OP", &w1, 1, 1) &&
	    await_queued("FUTEX_WAKE_OP", &w2, 1, 1)) {
		check_long("FUTEX_WAKE_OP SET 0 (old -1 < 0): woken on both words, nr_wake2 2", 2,
			   futex6(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 2, &w2,
				  FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_LT, 0)));
		check_long("FUTEX_WAKE_OP SET 0: the second word", 0, w2);
	}
	join_waiters("FUTEX_WAKE_OP signed comparison", w, 2);
	check_long("the first word is never written by FUTEX_WAKE_OP", 0, w1);
}

/* ---- a shared futex between processes ---- */

static void shared(void)
{
	struct timespec ts = { WAIT_SECONDS, 0 };
	uint32_t *page;
	pid_t pid;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		fail("mmap(MAP_SHARED | MAP_ANONYMOUS): errno %s", err_name(errno));
		return;
	}
	page[0] = page[1] = 0;

	/* The child waits, the parent wakes it: its exit status is 0 when
	 * its FUTEX_WAIT returned 0. */
	pid = proc_fork("shared futex, the child waits");
	if (pid == 0)
		_exit(futex_wait(&page[0], FUTEX_WAIT, 0, &ts) == 0 ? 0 : 10 + (errno & 0xff) % 100);
	if (pid > 0 && await_queued("shared futex, the child waits", &page[0], 0, 1))
		check_long("shared FUTEX_WAKE from the parent", 1, futex_wake(&page[0], FUTEX_WAKE, INT_MAX));
	proc_reap("shared futex: the child's FUTEX_WAIT returned 0", pid, PROC_EXITED(0));

	/* The parent waits, the child wakes it and exits with the count. */
	pid = proc_fork("shared futex, the parent waits");
	if (pid == 0) {
		if (!await_queued("shared futex, the parent waits", &page[1], 0, 1))
			_exit(100);
		page[1] = 1;
		_exit((int)futex_wake(&page[1], FUTEX_WAKE, INT_MAX));
	}
	if (pid > 0) {
		long r = futex_wait(&page[1], FUTEX_WAIT, 0, &ts);
		int err = errno;

		if (r != 0)
			fail("shared FUTEX_WAIT in the parent: expected 0 got %ld (errno %s)", r,
			     err_name(err));
	}
	proc_reap("shared futex: the child's FUTEX_WAKE woke 1", pid, PROC_EXITED(1));
	munmap(page, 4096);
}

int main(void)
{
	proc_default_signals();
	errors();
	timeouts();
	ping_pong();
	wake_counts();
	requeues();
	wake_op();
	shared();
	proc_finish();
	return check_exit("futex_ops");
}
