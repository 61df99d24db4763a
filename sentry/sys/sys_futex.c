/* futex(2) for a guest of one thread (kernel/futex/syscalls.c argument rules):
 * nobody else can wake a waiter, so a matching wait lasts its timeout. */
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "syscall_handlers.h"

#define FUTEX_CMD_MASK 0x7f /* without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME */
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define NSEC_PER_SEC 1000000000L

static long futex_wait(struct task *t, const struct syscall_args *a, int cmd)
{
	struct linux_timespec lt;
	struct timespec ts;
	uint32_t val;
	int abs = cmd == FUTEX_WAIT_BITSET;
	clockid_t clk = (a->a[1] & FUTEX_CLOCK_REALTIME) ? CLOCK_REALTIME : CLOCK_MONOTONIC;

	if (cmd == FUTEX_WAIT_BITSET && !(uint32_t)a->a[5])
		return -EINVAL;
	if (copy_from_guest(t, &val, a->a[0], sizeof val) < 0)
		return -EFAULT;
	if (val != (uint32_t)a->a[2])
		return -EAGAIN;
	if (!a->a[3]) {
		/* No timeout and no other thread: the guest deadlocked, as it would
		 * on Linux. Signals that could end the wait are not delivered yet. */
		for (;;)
			pause();
	}
	if (copy_from_guest(t, &lt, a->a[3], sizeof lt) < 0)
		return -EFAULT;
	if (lt.tv_sec < 0 || lt.tv_nsec < 0 || lt.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	ts.tv_sec = lt.tv_sec;
	ts.tv_nsec = lt.tv_nsec;
	while (clock_nanosleep(abs ? clk : CLOCK_MONOTONIC, abs ? TIMER_ABSTIME : 0, &ts, &ts) ==
	       EINTR)
		;
	return -ETIMEDOUT;
}

long sys_futex(struct task *t, const struct syscall_args *a)
{
	int cmd = (int)(a->a[1] & FUTEX_CMD_MASK);
	uint32_t val;

	if (a->a[0] & 3)
		return -EINVAL;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		return futex_wait(t, a, cmd);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE_BITSET && !(uint32_t)a->a[5])
			return -EINVAL;
		if (copy_from_guest(t, &val, a->a[0], sizeof val) < 0)
			return -EFAULT;
		return 0; /* no other thread can be waiting */
	default:
		return -ENOSYS; /* requeue, PI and waitv operations: with threads */
	}
}
