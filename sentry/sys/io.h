/* What the I/O handlers share. */
#ifndef UMBRA_SENTRY_SYS_IO_H
#define UMBRA_SENTRY_SYS_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

struct task;

#define IO_HOST_IOV_MAX 1024

/* A read or write of /proc/PID/mem: len bytes between guest memory at addr
 * and pid's memory at pos (pos < 0: the file's offset on host_fd, which
 * moves); the count, or -EIO when nothing could move (sys_vm_rw.c). */
/* comm_write(): the thread's name from up to 15 bytes at buf, for a writer
 * of its own process (else EINVAL); the whole count is taken. */
long proc_comm_write(struct task *t, int tid, uint64_t buf, size_t count);
long proc_mem_rw(struct task *t, int pid, uint64_t addr, size_t len, bool reading, int64_t pos,
		 int host_fd);

struct guest_iovec {
	uint64_t base;
	uint64_t len;
};

/* Data in guest memory the sentry reaches only by copying (a host file's
 * mapping: mm_iov's -EREMOTEIO) moves through one buffer of up to
 * IO_BOUNCE_MAX bytes: begun from the guest's iovec array or one buffer,
 * gathered from the guest for a send, described by one host iovec (the
 * functions return 1, its count, or -errno); io_bounce_done scatters the
 * n bytes a receive brought into the guest's memory, frees the buffer and
 * returns n or -EFAULT. Call it whatever the begin returned. */
#define IO_BOUNCE_MAX (1 << 20) /* more than a datagram holds */
struct io_bounce {
	struct guest_iovec *v;
	uint64_t cnt;
	char *buf;
	size_t len;
	int reading;
};
int io_bounce_vec(struct task *t, uint64_t vec, uint64_t cnt, int reading, struct io_bounce *b,
		  struct iovec *iov);
int io_bounce_buf(struct task *t, uint64_t addr, uint64_t len, int reading, struct io_bounce *b,
		  struct iovec *iov);
long io_bounce_done(struct task *t, struct io_bounce *b, long n);

/* One guest buffer as up to IO_HOST_IOV_MAX host iovecs: their count, a
 * prefix when an inaccessible page ends it, -EFAULT, or -EREMOTEIO as
 * io_import_iovecs. */
int io_buffer_iovecs(struct task *t, uint64_t addr, uint64_t len, int reading, struct iovec *iov);

/* A guest iovec array by import_iovec()'s rules (EINVAL, EFAULT) as up to
 * IO_HOST_IOV_MAX host iovecs into guest memory; their count, *total the
 * guest's length; -EREMOTEIO when any of it is memory the sentry reaches
 * only by copying (io_bounce_vec then). */
int io_import_iovecs(struct task *t, uint64_t vec, uint64_t cnt, int reading, struct iovec *iov,
		     uint64_t *total);

/* The host fd behind a guest fd for a call the host judges whole (sendfile,
 * copy_file_range, splice, tee), or -1, which the host answers with EBADF
 * at the point Linux looks the fd up. */
int io_host_fd_or_bad(struct task *t, uint64_t fd);
/* A new host object (eventfd, timerfd, epoll, inotify) as a guest file of
 * access mode acc at the lowest free fd; flags: its O_NONBLOCK and
 * O_CLOEXEC. host_fd < 0: the host's errno. */
long io_install_host(struct task *t, int host_fd, int acc, int flags);

/* A host transfer's result for the guest: n, or -errno with a host EPIPE of
 * a write raising the guest's SIGPIPE. */
long io_host_result(struct task *t, ssize_t n, int reading);

#endif
