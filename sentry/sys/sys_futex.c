/* futex(2) (kernel/futex/syscalls.c): the argument rules, then the queues
 * of sentry/kernel/futex.c. */
#include <errno.h>
#include <stdbool.h>
#include <time.h>

#include "sentry/kernel/futex.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "syscall_handlers.h"

#define FUTEX_CMD_MASK 0x7f /* without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME */
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define NSEC_PER_SEC 1000000000L

/* The wait's end on CLOCK_MONOTONIC: FUTEX_WAIT's timeout is relative,
 * FUTEX_WAIT_BITSET's absolute on the clock the flag names. */
static long deadline(struct task *t, const struct syscall_args *a, bool absolute,
		     struct timespec *out)
{
	struct linux_timespec lt;
	struct timespec now, clk;
	int64_t ns;

	if (copy_from_guest(t, &lt, a->a[3], sizeof lt) < 0)
		return -EFAULT;
	if (lt.tv_sec < 0 || lt.tv_nsec < 0 || lt.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = lt.tv_sec * NSEC_PER_SEC + lt.tv_nsec;
	if (absolute) {
		clock_gettime((a->a[1] & FUTEX_CLOCK_REALTIME) ? CLOCK_REALTIME : CLOCK_MONOTONIC,
			      &clk);
		ns -= clk.tv_sec * NSEC_PER_SEC + clk.tv_nsec;
	}
	ns += now.tv_sec * NSEC_PER_SEC + now.tv_nsec;
	out->tv_sec = ns / NSEC_PER_SEC;
	out->tv_nsec = ns % NSEC_PER_SEC;
	return 0;
}

static long wait_restart(struct task *t);

/* futex_wait(): a wait with a timeout that a signal interrupts keeps its
 * word, value and end for restart_syscall (futex_wait_restart). */
static long wait_until(struct task *t, uint64_t addr, bool private, uint32_t val,
		       uint32_t bitset, const struct timespec *end)
{
	struct restart_block *rb = &t->restart_block;
	long r = futex_wait(t, addr, private, val, bitset, end);

	if (r != -ERESTART_RESTARTBLOCK)
		return r;
	*rb = (struct restart_block){ .deadline = end->tv_sec * NSEC_PER_SEC + end->tv_nsec,
				      .addr = addr, .val = val, .bitset = bitset,
				      .private = private };
	return task_set_restart(t, wait_restart);
}

static long wait_restart(struct task *t)
{
	struct restart_block rb = t->restart_block;
	struct timespec end = { rb.deadline / NSEC_PER_SEC, rb.deadline % NSEC_PER_SEC };

	t->restart_block.fn = NULL;
	return wait_until(t, rb.addr, rb.private, rb.val, rb.bitset, &end);
}

static long wait_op(struct task *t, const struct syscall_args *a, int cmd)
{
	uint32_t bitset = cmd == FUTEX_WAIT_BITSET ? (uint32_t)a->a[5] : FUTEX_BITSET_ANY;
	bool private = a->a[1] & FUTEX_PRIVATE_FLAG;
	struct timespec end;
	long r;

	if (!bitset)
		return -EINVAL;
	if (!a->a[3])
		return futex_wait(t, a->a[0], private, (uint32_t)a->a[2], bitset, NULL);
	r = deadline(t, a, cmd == FUTEX_WAIT_BITSET, &end);
	return r ? r : wait_until(t, a->a[0], private, (uint32_t)a->a[2], bitset, &end);
}

long sys_futex(struct task *t, const struct syscall_args *a)
{
	int cmd = (int)(a->a[1] & FUTEX_CMD_MASK);
	int n = (int)a->a[2];
	uint32_t val3 = (uint32_t)a->a[5];
	bool private = a->a[1] & FUTEX_PRIVATE_FLAG;

	if (a->a[0] & 3)
		return -EINVAL;
	/* do_futex(): only the bitset wait (of what umbra has) takes this clock. */
	if ((a->a[1] & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		return wait_op(t, a, cmd);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE_BITSET && !val3)
			return -EINVAL;
		return futex_wake(t, a->a[0], private, n, cmd == FUTEX_WAKE ? FUTEX_BITSET_ANY : val3);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		if (n < 0 || (int)a->a[3] < 0)
			return -EINVAL;
		if (a->a[4] & 3)
			return -EINVAL;
		return futex_requeue(t, a->a[0], a->a[4], private, n, (int)a->a[3],
				     cmd == FUTEX_CMP_REQUEUE ? &val3 : NULL);
	case FUTEX_WAKE_OP:
		if (a->a[4] & 3)
			return -EINVAL;
		return futex_wake_op(t, a->a[0], a->a[4], private, n, (int)a->a[3], val3);
	default:
		syscall_count_unimplemented(t->sb, a->nr);
		sandbox_log(t->sb, "futex operation %d is not implemented: ENOSYS", cmd);
		return -ENOSYS; /* PI and waitv operations */
	}
}
