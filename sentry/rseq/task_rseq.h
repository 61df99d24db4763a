/* rseq applied to tasks (rseq.c): where Linux 7.1 looks at a task's rseq
 * area, the sentry does too. */
#ifndef UMBRA_SENTRY_TASK_RSEQ_H
#define UMBRA_SENTRY_TASK_RSEQ_H

#include <stdbool.h>
#include <stdint.h>

#include "sentry/rseq/rseq.h"

struct task;

/* t's memory for the rules. */
struct rseq_mem rseq_task_mem(struct task *t);
/* Before t runs guest code again on its vCPU (switched: it took it anew):
 * the ids written where they changed (always, in legacy mode, after a
 * switch), a critical section it was interrupted in aborted, a slice
 * grant revoked. -1 when t got SIGSEGV for a broken area instead. */
int rseq_resume(struct task *t, bool switched);
/* A handler's frame is about to be built on t's registers. */
void rseq_signal_deliver(struct task *t);
/* The scheduler stopped t for a waiter: if t asked for a slice extension,
 * it is granted and t runs on (true). */
bool rseq_slice_preempted(struct task *t);
/* t made syscall nr: a grant it had ends; true when t must give its vCPU
 * up after the syscall (rseq_syscall_enter_work). */
bool rseq_slice_syscall(struct task *t, long nr);
/* clone: a child with its own memory keeps the registration. */
void rseq_fork(struct task *child, const struct task *parent, bool share_vm);
/* execve: the registration goes. */
void rseq_exec(struct task *t);
/* prctl(PR_RSEQ_SLICE_EXTENSION, a[1], a[2], a[3], a[4]) (sys_rseq.c). */
long rseq_slice_prctl(struct task *t, const uint64_t *a);

#endif
