/* pidfds: files that name a process. */
#ifndef UMBRA_SENTRY_PIDFD_H
#define UMBRA_SENTRY_PIDFD_H

#include <stdbool.h>
#include <stdint.h>

struct task;

/* The process a guest fd names: -EBADF when it is not a pidfd. */
long pidfd_process(struct task *t, uint64_t fd, int *pid, bool *nonblock);
/* The process has ended: its pidfds become readable. sb->lock held. */
void pidfd_notify_exit(struct task *leader);

#endif
