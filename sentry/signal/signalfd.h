/* signalfd objects (fs/signalfd.c): a mask, and a host eventfd the sentry
 * keeps readable while a signal of the mask is pending for the process that
 * made it, so that the host's poll and epoll answer for it. */
#ifndef UMBRA_SENTRY_SIGNALFD_H
#define UMBRA_SENTRY_SIGNALFD_H

#include <stdint.h>

#include "abi/linux.h"

struct task;
struct signalfd;

/* A new signalfd for t with mask (SIGKILL and SIGSTOP already out): the
 * host fd for its file, which the file then owns (flags: O_NONBLOCK), or
 * -errno. */
int signalfd_new(struct task *t, linux_sigset_t mask, int flags, struct signalfd **out);
void signalfd_free(struct signalfd *s);
linux_sigset_t signalfd_mask(const struct signalfd *s);
void signalfd_set_mask(struct task *t, struct signalfd *s, linux_sigset_t mask);
/* Reads signalfd_siginfo records for t into the guest buffer (read(2)). */
long signalfd_read(struct task *t, struct signalfd *s, int nonblock, uint64_t addr, uint64_t len);
/* The queues of t's process changed: its signalfds' readiness follows.
 * sb->lock held. */
void signalfd_sync_locked(struct task *t);

#endif
