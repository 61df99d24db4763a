/* Work a tracer hands to its stopped tracee's own sentry thread, the only
 * host thread that may act on the tracee's stub (stop.c). */
#ifndef UMBRA_SENTRY_PTRACE_WORK_H
#define UMBRA_SENTRY_PTRACE_WORK_H

#include <stdbool.h>

struct task;

struct ptrace_work {
	int (*fn)(struct task *tracee, void *arg);
	void *arg;
	int result;
	bool done;
};

/* Runs fn(tracee, arg) on the tracee's thread while it is in a
 * ptrace-stop; fn's result, or -ESRCH when the tracee left the stop
 * first. sb->lock held (released while waiting). */
int ptrace_work_locked(struct task *tracee, int (*fn)(struct task *, void *), void *arg);

#endif
