/* What the I/O handlers share. */
#ifndef UMBRA_SENTRY_SYS_IO_H
#define UMBRA_SENTRY_SYS_IO_H

#include <sys/types.h>

struct task;

/* A host transfer's result for the guest: n, or -errno with a host EPIPE of
 * a write raising the guest's SIGPIPE. */
long io_host_result(struct task *t, ssize_t n, int reading);

#endif
