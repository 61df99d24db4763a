/* restart_syscall(2) (kernel/signal.c, include/linux/restart_block.h): a
 * sleep that a signal interrupted without running a handler (ignored, a
 * stop and SIGCONT) goes on where it stopped. The call returns
 * -ERESTART_RESTARTBLOCK; delivery turns it into restart_syscall, which
 * runs fn with what the call kept here. */
#ifndef UMBRA_SENTRY_RESTART_H
#define UMBRA_SENTRY_RESTART_H

#include <stdbool.h>
#include <stdint.h>

struct task;

struct restart_block {
	long (*fn)(struct task *t); /* NULL: do_no_restart_syscall (EINTR) */
	int64_t deadline;           /* CLOCK_MONOTONIC ns; -1: none */
	uint64_t addr;              /* nanosleep's rem, poll's fds, futex's word */
	uint64_t nfds;
	uint32_t val, bitset;
	bool private;
};

/* set_restart_fn(): the call's continuation; returns -ERESTART_RESTARTBLOCK. */
long task_set_restart(struct task *t, long (*fn)(struct task *t));

#endif
