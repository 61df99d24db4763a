// SPDX-License-Identifier: Apache-2.0
/*
 * The two flags of a futex operation.
 *
 * FUTEX_PRIVATE_FLAG: a private futex is known by its process and address,
 * a shared one by the memory behind the address, and the two never meet.
 * On one word, a private wake does not wake a shared waiter nor a shared
 * wake a private one, and each kind counts only its own waiters; across a
 * fork, a private wait on a MAP_SHARED word is the child's own, which no
 * wake from the parent reaches. A private FUTEX_WAKE or FUTEX_REQUEUE
 * needs no page at its address (nobody can wait there: 0), while a shared
 * one looks the page up (EFAULT when there is none).
 *
 * FUTEX_CLOCK_REALTIME: only the wait that takes an absolute deadline,
 * FUTEX_WAIT_BITSET, accepts it (among the operations without PI); all
 * others, FUTEX_WAIT included, fail with ENOSYS.
 *
 * Whether a thread waits is known by a FUTEX_REQUEUE of the word onto
 * itself that wakes nobody: it returns how many wait there (see
 * futex_ops.c).
 */
#include "proc.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#define WAIT_SECONDS 10

static long futex6(uint32_t *word, int op, uint32_t val, unsigned long val2,
		   uint32_t *word2, uint32_t val3)
{
	return syscall(SYS_futex, word, op, val, val2, word2, val3);
}

/* A count a call returns; on -1 its errno is named. */
#define CHECK_COUNT(what, expected, call)					\
	do {									\
		long r_ = (long)(call);						\
		int e_ = errno;							\
		if (r_ != (expected))						\
			fail("%s: expected %ld got %ld%s%s", what,		\
			     (long)(expected), r_, r_ == -1 ? ", errno " : "",	\
			     r_ == -1 ? err_name(e_) : "");			\
	} while (0)

static long queued(uint32_t *word, int private)
{
	return futex6(word, private ? FUTEX_REQUEUE_PRIVATE : FUTEX_REQUEUE, 0,
		      INT_MAX, word, 0);
}

static void clock_realtime_flag(void)
{
	static uint32_t word = 1, word2;
	struct timespec ts = { 0, 0 };
	const int rt = FUTEX_CLOCK_REALTIME;

	CHECK_ERRNO("FUTEX_WAIT | FUTEX_CLOCK_REALTIME",
		    futex6(&word, FUTEX_WAIT_PRIVATE | rt, 1, (unsigned long)&ts, NULL, 0), ENOSYS);
	CHECK_ERRNO("FUTEX_WAKE | FUTEX_CLOCK_REALTIME",
		    futex6(&word, FUTEX_WAKE_PRIVATE | rt, 1, 0, NULL, 0), ENOSYS);
	CHECK_ERRNO("FUTEX_WAKE (shared) | FUTEX_CLOCK_REALTIME",
		    futex6(&word, FUTEX_WAKE | rt, 1, 0, NULL, 0), ENOSYS);
	CHECK_ERRNO("FUTEX_WAKE_BITSET | FUTEX_CLOCK_REALTIME",
		    futex6(&word, FUTEX_WAKE_BITSET_PRIVATE | rt, 1, 0, NULL, FUTEX_BITSET_MATCH_ANY), ENOSYS);
	CHECK_ERRNO("FUTEX_REQUEUE | FUTEX_CLOCK_REALTIME",
		    futex6(&word, FUTEX_REQUEUE_PRIVATE | rt, 0, 1, &word2, 0), ENOSYS);
	CHECK_ERRNO("FUTEX_CMP_REQUEUE | FUTEX_CLOCK_REALTIME",
		    futex6(&word, FUTEX_CMP_REQUEUE_PRIVATE | rt, 0, 1, &word2, 1), ENOSYS);
	CHECK_ERRNO("FUTEX_WAKE_OP | FUTEX_CLOCK_REALTIME",
		    futex6(&word, FUTEX_WAKE_OP_PRIVATE | rt, 1, 1, &word2,
			   FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0)), ENOSYS);
	check_long("FUTEX_WAKE_OP | FUTEX_CLOCK_REALTIME left the second word", 0, word2);
	/* Accepted: the wait gets as far as comparing the word. */
	CHECK_ERRNO("FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, the word differs",
		    futex6(&word, FUTEX_WAIT_BITSET_PRIVATE | rt, 0, (unsigned long)&ts, NULL,
			   FUTEX_BITSET_MATCH_ANY), EAGAIN);
}

static void unmapped_words(void)
{
	uint32_t *unmapped = bad_address();
	static uint32_t word;

	CHECK_COUNT("FUTEX_WAKE_PRIVATE of an unmapped word", 0,
		    futex6(unmapped, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0));
	CHECK_ERRNO("FUTEX_WAKE (shared) of an unmapped word",
		    futex6(unmapped, FUTEX_WAKE, 1, 0, NULL, 0), EFAULT);
	CHECK_COUNT("FUTEX_REQUEUE_PRIVATE from an unmapped word", 0,
		    futex6(unmapped, FUTEX_REQUEUE_PRIVATE, 1, 1, &word, 0));
	CHECK_ERRNO("FUTEX_REQUEUE (shared) from an unmapped word",
		    futex6(unmapped, FUTEX_REQUEUE, 1, 1, &word, 0), EFAULT);
}

struct waiter {
	uint32_t *word;
	int op;
	long ret;
};

static void *waiter_main(void *p)
{
	struct waiter *w = p;
	struct timespec ts = { WAIT_SECONDS, 0 };

	w->ret = futex6(w->word, w->op, 0, (unsigned long)&ts, NULL, 0);
	return NULL;
}

/* One thread waits on word with wait_op (private or shared); the other
 * kind's count and wake do not see it, its own kind's do. */
static void kinds_apart(const char *kind, int private)
{
	static uint32_t word;
	struct waiter w = { &word, private ? FUTEX_WAIT_PRIVATE : FUTEX_WAIT, -2 };
	struct timespec end, now;
	char what[128];
	pthread_t th;

	if (pthread_create(&th, NULL, waiter_main, &w)) {
		fail("%s: pthread_create failed", kind);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += WAIT_SECONDS;
	while (queued(&word, private) != 1) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec)
			break;
		proc_sleep_ms(1);
	}
	snprintf(what, sizeof(what), "a %s waiter: counted by its own kind", kind);
	if (check_long(what, 1, queued(&word, private))) {
		snprintf(what, sizeof(what), "a %s waiter: counted by the other kind", kind);
		check_long(what, 0, queued(&word, !private));
		snprintf(what, sizeof(what), "a %s waiter: woken by the other kind's FUTEX_WAKE", kind);
		check_long(what, 0, futex6(&word, private ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE,
					   INT_MAX, 0, NULL, 0));
		snprintf(what, sizeof(what), "a %s waiter: woken by its own kind's FUTEX_WAKE", kind);
		check_long(what, 1, futex6(&word, private ? FUTEX_WAKE_PRIVATE : FUTEX_WAKE,
					   INT_MAX, 0, NULL, 0));
	}
	pthread_join(th, NULL);
	snprintf(what, sizeof(what), "a %s waiter: its FUTEX_WAIT returned 0", kind);
	check_long(what, 0, w.ret);
}

/* A private wait in the child on a MAP_SHARED word: the parent's wakes,
 * private and shared, are not for it, and it times out. */
static void private_across_fork(void)
{
	const char *what = "a child's private FUTEX_WAIT on a MAP_SHARED word";
	uint32_t *page;
	int ready[2];
	unsigned char c;
	pid_t pid;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		fail("mmap(MAP_SHARED | MAP_ANONYMOUS): errno %s", err_name(errno));
		return;
	}
	page[0] = 0;
	if (!proc_pipe(what, ready))
		return;
	pid = proc_fork(what);
	if (pid == 0) {
		struct timespec ts = { 0, 300 * 1000000L };
		long r;

		close(ready[0]);
		c = 0;
		proc_send(ready[1], &c, 1);
		r = futex6(&page[0], FUTEX_WAIT_PRIVATE, 0, (unsigned long)&ts, NULL, 0);
		_exit(r == -1 && errno == ETIMEDOUT ? 0 : r == 0 ? 1 : 2);
	}
	close(ready[1]);
	if (pid > 0 && proc_recv(what, ready[0], &c, 1)) {
		/* The child is about to wait, or waits: either way no wake
		 * here is for it, whatever it returns. */
		proc_sleep_ms(50);
		check_long("the parent's FUTEX_WAKE_PRIVATE of the child's private waiter", 0,
			   futex6(&page[0], FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0));
		check_long("the parent's shared FUTEX_WAKE of the child's private waiter", 0,
			   futex6(&page[0], FUTEX_WAKE, INT_MAX, 0, NULL, 0));
	}
	close(ready[0]);
	proc_reap("the child's private FUTEX_WAIT times out (exit 1: woken)", pid, PROC_EXITED(0));
	munmap(page, 4096);
}

int main(void)
{
	proc_default_signals();
	clock_realtime_flag();
	unmapped_words();
	kinds_apart("private", 1);
	kinds_apart("shared", 0);
	private_across_fork();
	proc_finish();
	return check_exit("futex_flags");
}
