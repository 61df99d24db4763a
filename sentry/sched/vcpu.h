/* Virtual CPUs: umbra owns the CPU numbers its guests see. A task runs
 * guest code only while it holds one of the sandbox's vCPUs, and no two
 * tasks hold one at once. At a stop the task lets its vCPU go; for a stop
 * the sentry answers (a syscall) the vCPU stays reserved for it a moment,
 * unless its slice is spent while others wait or it blocks (sched_block),
 * so that a task making syscalls keeps its CPU as on Linux. Waiters are
 * served in the order they came, each on a vCPU its affinity allows, the
 * one it last ran on if that is free; a task that has run a quantum while
 * others wait is interrupted (its stop lets the vCPU go) by a waiter. */
#ifndef UMBRA_SENTRY_SCHED_VCPU_H
#define UMBRA_SENTRY_SCHED_VCPU_H

#include <stdbool.h>
#include <stdint.h>

struct task;
struct sched;

#define SCHED_MAX_CPUS 1024
#define SCHED_QUANTUM_NS 3000000LL /* 3 ms, EEVDF's base slice */
#define SCHED_RESERVE_NS 1000000LL  /* a syscall's answer: at most 1 ms */

int sched_create(struct sched **out);
void sched_destroy(struct sched *s);
/* Waits for a vCPU for t among the sandbox's first ncpus that t's mask
 * allows, and gives t its concurrency id there (t->mm_cid): 1 once t holds
 * one anew (a switch), 0 when it continues its reservation, -EINTR when t
 * is being ended. */
int sched_acquire(struct sched *s, struct task *t, int ncpus);
/* keep: the sentry answers the stop and t runs on (a syscall). */
void sched_release(struct sched *s, struct task *t, bool keep);
/* t (NULL: none) is about to block in the sentry, or ends: its
 * reservation ends. */
void sched_block(struct task *t);
/* Whether the sentry interrupted t, which holds its vCPU, for a waiter
 * since it took it (once: the request is taken). */
bool sched_take_resched(struct sched *s, struct task *t);
/* t keeps its vCPU past its slice until its stub thread has run ns more
 * (an rseq slice extension: the time a ptrace resume takes is not the
 * guest's); a waiter then interrupts it again. */
void sched_grant(struct sched *s, struct task *t, int64_t ns);
/* The vCPU t runs or last ran on (getcpu, /proc/PID/stat's processor). */
int sched_cpu(const struct task *t);

#endif
