/* Work a tracer hands to its stopped tracee's own sentry thread, the only
 * host thread that may act on the tracee's stub (stop.c). */
#ifndef UMBRA_SENTRY_PTRACE_WORK_H
#define UMBRA_SENTRY_PTRACE_WORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
/* A write past the protections (FOLL_FORCE) into the stopped tracee's
 * memory, on its thread, which first gives memory it shares with other
 * address spaces its own copy: 0 or -errno. sb->lock held. */
int ptrace_poke_locked(struct task *tracee, uint64_t addr, const void *src, size_t len);

#endif
