/* Futexes: waiting on a guest word, and waking its waiters. */
#ifndef UMBRA_SENTRY_FUTEX_H
#define UMBRA_SENTRY_FUTEX_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct task;

#define FUTEX_BITSET_ANY 0xffffffffu

/* Sleeps while the word at addr holds val, until a wake whose bitset meets
 * bitset, the CLOCK_MONOTONIC deadline (NULL: none; -ETIMEDOUT), or a
 * signal or kill (-ERESTARTSYS, -ERESTART_RESTARTBLOCK with a deadline).
 * -EAGAIN when the word differs, -EFAULT when it is not mapped. */
long futex_wait(struct task *t, uint64_t addr, bool private, uint32_t val, uint32_t bitset,
		const struct timespec *deadline);
/* Wakes up to n waiters; returns how many. private: FUTEX_PRIVATE_FLAG. */
long futex_wake(struct task *t, uint64_t addr, bool private, int n, uint32_t bitset);
/* FUTEX_REQUEUE and, with cmp, FUTEX_CMP_REQUEUE (-EAGAIN when the word at
 * addr is not *cmp): wakes nwake, moves up to nmove to addr2. */
long futex_requeue(struct task *t, uint64_t addr, uint64_t addr2, bool private, int nwake,
		   int nmove, const uint32_t *cmp);
/* exit_robust_list(): the robust futexes a thread still holds as it ends
 * (or execs) are marked FUTEX_OWNER_DIED and a waiter of each woken. */
void futex_exit_robust(struct task *t);
long futex_wake_op(struct task *t, uint64_t addr, uint64_t addr2, bool private, int n, int n2,
		   uint32_t op);

#endif
