/* pidfds: files that name a process. */
#ifndef UMBRA_SENTRY_PIDFD_H
#define UMBRA_SENTRY_PIDFD_H

#include <stdbool.h>
#include <stdint.h>

struct task;

#define LINUX_PIDFD_THREAD 00000200 /* O_EXCL: a pidfd of one thread */

/* A new pidfd in t's table naming p (the process, or with PIDFD_THREAD in
 * flags the thread), O_CLOEXEC: the guest fd or -errno. p must not be
 * reaped meanwhile (CLONE_PIDFD's child, not yet running). */
long pidfd_install(struct task *t, struct task *p, int flags);
/* The process a guest fd names: -EBADF when it is not a pidfd. */
long pidfd_process(struct task *t, uint64_t fd, int *pid, bool *nonblock);
/* The process has ended: its pidfds become readable. sb->lock held. */
void pidfd_notify_exit(struct task *leader);

#endif
