/* What the I/O handlers share. */
#ifndef UMBRA_SENTRY_SYS_IO_H
#define UMBRA_SENTRY_SYS_IO_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

struct task;

#define IO_HOST_IOV_MAX 1024

/* A guest iovec array by import_iovec()'s rules (EINVAL, EFAULT) as up to
 * IO_HOST_IOV_MAX host iovecs into guest memory; their count, *total the
 * guest's length. */
int io_import_iovecs(struct task *t, uint64_t vec, uint64_t cnt, int reading, struct iovec *iov,
		     uint64_t *total);

/* A host transfer's result for the guest: n, or -errno with a host EPIPE of
 * a write raising the guest's SIGPIPE. */
long io_host_result(struct task *t, ssize_t n, int reading);

#endif
