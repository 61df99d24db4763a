/* seccomp for guests (kernel/seccomp.c): strict mode, and classic BPF
 * filters that every syscall of the task runs through after its ptrace
 * entry stop. A task's filters are a chain shared with the tasks it
 * forked, kept across execve. */
#ifndef UMBRA_SENTRY_SECCOMP_H
#define UMBRA_SENTRY_SECCOMP_H

#include <stdbool.h>
#include <stdint.h>

struct task;
struct seccomp_filter;

#define LINUX_SECCOMP_MODE_DISABLED 0
#define LINUX_SECCOMP_MODE_STRICT 1
#define LINUX_SECCOMP_MODE_FILTER 2

/* At a syscall, after its entry stop: true when it must not run (its
 * result, or the task's end, is set). */
bool seccomp_intercepts(struct task *t);
/* prctl(PR_GET_SECCOMP) and prctl(PR_SET_SECCOMP, mode, filter). */
long seccomp_prctl_get(struct task *t);
long seccomp_prctl_set(struct task *t, uint64_t mode, uint64_t filter);
/* fork: the child shares the chain; a task's end drops its hold. */
void seccomp_fork(struct task *child, const struct task *parent);
void seccomp_put(struct task *t);

#endif
