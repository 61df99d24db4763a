/* I/O on the files the guest has: the host files behind fds 0-2. Data moves
 * straight between the host file and guest memory. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "abi/linux_fcntl.h"
#include "arch/arch.h"
#include "sentry/fs/fdtable.h"
#include "sentry/fs/fs_task.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/signal/signal.h"
#include "sentry/signal/signalfd.h"
#include "sentry/kernel/syscall.h"
#include "sentry/sys/io.h"
#include "syscall_handlers.h"

#define IOV_MAX_GUEST 1024 /* UIO_MAXIOV */
#define IOV_BATCH 64
#define RW_MAX (INT_MAX & ~4095L) /* MAX_RW_COUNT */


/* A host EPIPE is the guest's SIGPIPE; the sentry's own copy is dropped. */
static void host_epipe(struct task *t)
{
	sigset_t pipe;
	struct timespec zero = { 0, 0 };

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	while (sigtimedwait(&pipe, NULL, &zero) == SIGPIPE)
		;
	sig_raise(t, SIGPIPE, false);
}

long io_host_result(struct task *t, ssize_t n, int reading)
{
	int err = errno; /* host_epipe()'s sigtimedwait() ends with EAGAIN */

	if (n < 0 && err == EPIPE && !reading)
		host_epipe(t);
	return n < 0 ? -err : n;
}

/* A read with nowhere to put data still answers 0 at the end of a regular
 * file: Linux faults only on bytes it copies. */
static int at_eof(int fd, int64_t off)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (off < 0)
		off = lseek(fd, 0, SEEK_CUR);
	return off >= st.st_size;
}

#define BOUNCE_MAX 65536

static ssize_t host_rw_buf(int fd, void *buf, size_t n, int reading, int64_t off)
{
	if (off >= 0)
		return reading ? pread(fd, buf, n, off) : pwrite(fd, buf, n, off);
	return reading ? read(fd, buf, n) : write(fd, buf, n);
}

/* The same for guest memory the sentry reaches only by copying (a host
 * file's mapping), through a buffer: at most BOUNCE_MAX bytes, fewer when
 * the guest's memory ends sooner. A read whose bytes cannot be stored
 * (a page past the end of the mapped file) is lost to the guest: -EFAULT. */
static long host_rw_bounce(struct task *t, int fd, uint64_t addr, size_t len, int reading,
			   int64_t off)
{
	size_t n = len < BOUNCE_MAX ? len : BOUNCE_MAX;
	size_t page_left = ARCH_PAGE_SIZE - (addr & (ARCH_PAGE_SIZE - 1));
	struct io_bounce b;
	struct iovec iov;
	int r = io_bounce_buf(t, addr, n, reading, &b, &iov);

	if (r == -EFAULT && !reading && page_left < n) { /* a write up to the bad page */
		io_bounce_done(t, &b, 0);
		r = io_bounce_buf(t, addr, page_left, reading, &b, &iov);
	}
	if (r < 0)
		return io_bounce_done(t, &b, r);
	return io_bounce_done(t, &b, io_host_result(t, host_rw_buf(fd, iov.iov_base, iov.iov_len,
								    reading, off), reading));
}

/* Moves len bytes between a host fd (at off, or its own offset when off < 0)
 * and guest memory at addr. */
static long host_rw_at(struct task *t, int fd, uint64_t addr, size_t len, int reading, int64_t off,
		       bool may_block)
{
	struct iovec iov[IOV_BATCH];
	ssize_t n;
	int cnt;

	if (!len) { /* still the host's answer: EBADF, EISDIR, /dev/full's ENOSPC */
		if (off >= 0)
			n = reading ? pread(fd, NULL, 0, off) : pwrite(fd, NULL, 0, off);
		else
			n = reading ? read(fd, NULL, 0) : write(fd, NULL, 0);
		return n < 0 ? -errno : 0;
	}
	if (len > RW_MAX)
		len = RW_MAX;
	if (off < 0 && may_block && (cnt = task_wait_fd(fd, reading ? POLLIN : POLLOUT)) < 0)
		return cnt;
	cnt = mm_iov(t->mm, addr, len, reading ? MM_WRITE : MM_READ, iov, IOV_BATCH);
	if (cnt == -EREMOTEIO)
		return host_rw_bounce(t, fd, addr, len, reading, off);
	if (cnt < 0)
		return reading && at_eof(fd, off) ? 0 : cnt;
	if (off >= 0)
		n = reading ? preadv(fd, iov, cnt, off) : pwritev(fd, iov, cnt, off);
	else
		n = reading ? readv(fd, iov, cnt) : writev(fd, iov, cnt);
	return io_host_result(t, n, reading);
}

static long host_rw(struct task *t, int fd, uint64_t addr, size_t len, int reading, bool may_block)
{
	return host_rw_at(t, fd, addr, len, reading, -1, may_block);
}

/* The host fd behind a guest fd for I/O, and whether a call on it may have
 * to wait (not for regular files: no poll, no host call, before them). */
static int io_fd(struct task *t, uint64_t fd, bool *may_block)
{
	struct file *f = fd > INT_MAX ? NULL : fdtable_get(t->files, (int)fd);

	if (!f)
		return -EBADF;
	if (f->pidfd || f->sigfd)
		return -EINVAL; /* pidfd_fops has no read or write, signalfd_fops no write */
	if (may_block)
		*may_block = !file_never_blocks(f);
	return f->host_fd;
}

static int file_fd(struct task *t, uint64_t fd)
{
	return io_fd(t, fd, NULL);
}

/* /proc/PID/mem and comm: their reads and writes are the sentry's (a
 * comm file is read as rendered). */
static bool proc_file(const struct file *f, bool reading)
{
	int acc = f ? f->flags & O_ACCMODE : O_RDONLY;

	if (acc == (reading ? O_WRONLY : O_RDONLY))
		return false; /* the host fd's EBADF */
	return f && (f->mem_pid || (f->comm_tid && !reading));
}

static long proc_file_rw(struct task *t, struct file *f, uint64_t buf, size_t len, bool reading,
			 int64_t pos)
{
	if (f->mem_pid)
		return proc_mem_rw(t, f->mem_pid, buf, len, reading, pos, f->host_fd);
	return proc_comm_write(t, f->comm_tid, buf, len);
}

long sys_read(struct task *t, const struct syscall_args *a)
{
	struct file *f = a->a[0] > INT_MAX ? NULL : fdtable_get(t->files, (int)a->a[0]);
	bool may_block;
	int fd;

	if (f && f->sigfd)
		return signalfd_read(t, f->sigfd, fs_status_flags(f) & O_NONBLOCK, a->a[1], a->a[2]);
	if (proc_file(f, true))
		return proc_file_rw(t, f, a->a[1], a->a[2], true, -1);
	fd = io_fd(t, a->a[0], &may_block);
	return fd < 0 ? fd : host_rw(t, fd, a->a[1], a->a[2], 1, may_block);
}

long sys_write(struct task *t, const struct syscall_args *a)
{
	struct file *f = a->a[0] > INT_MAX ? NULL : fdtable_get(t->files, (int)a->a[0]);
	bool may_block;
	int fd;

	if (proc_file(f, false))
		return proc_file_rw(t, f, a->a[1], a->a[2], false, -1);
	fd = io_fd(t, a->a[0], &may_block);
	return fd < 0 ? fd : host_rw(t, fd, a->a[1], a->a[2], 0, may_block);
}

#define HOST_IOV_MAX IO_HOST_IOV_MAX

/* Host iovecs for the guest's, in order, up to the first byte the guest
 * cannot reach (a partial transfer, as the kernel's copy would give). With
 * whole, a stop at memory the sentry reaches only by copying is
 * -EREMOTEIO even after a prefix: a message must not be cut there. */
static int gather(struct task *t, const struct guest_iovec *v, uint64_t cnt, int reading,
		  struct iovec *iov, bool whole)
{
	enum mm_access how = reading ? MM_WRITE : MM_READ;
	struct iovec probe;
	int n = 0;

	for (uint64_t i = 0; i < cnt && n < HOST_IOV_MAX; i++) {
		size_t covered = 0;
		int got = v[i].len ? mm_iov(t->mm, v[i].base, v[i].len, how, iov + n,
					    HOST_IOV_MAX - n) : 0;

		if (got == -EREMOTEIO && whole)
			return got;
		if (got < 0)
			return n ? n : got;
		for (int j = 0; j < got; j++)
			covered += iov[n + j].iov_len;
		n += got;
		if (covered < v[i].len) {
			if (whole && mm_iov(t->mm, v[i].base + covered, 1, how, &probe, 1) ==
					     -EREMOTEIO)
				return -EREMOTEIO;
			break;
		}
	}
	return n;
}

/* A vector transfer's arguments: readv/writev, preadv2/pwritev2. */
struct vector_io {
	uint64_t fd, vec, cnt;
	int64_t pos; /* -1: at the file position, which moves */
	int flags;   /* RWF_* */
	int reading;
};

static ssize_t host_vector(int fd, const struct iovec *iov, int n, const struct vector_io *io)
{
	return io->reading ? preadv2(fd, iov, n, io->pos, io->flags)
			   : pwritev2(fd, iov, n, io->pos, io->flags);
}

/* access_ok(): the range lies below the top of user space. */
static bool user_range(uint64_t addr, uint64_t len)
{
	return len <= ARCH_TASK_SIZE && addr <= ARCH_TASK_SIZE - len;
}

/* import_iovec(): the guest's iovecs and their total length. Every length
 * must fit ssize_t (EINVAL), then every segment lie in user space (EFAULT),
 * a later segment's failure failing the whole call. */
static long import_vector(struct task *t, const struct vector_io *io, struct guest_iovec *v,
			  uint64_t *total)
{
	*total = 0;
	if (io->cnt > IOV_MAX_GUEST)
		return -EINVAL;
	if (io->cnt && copy_from_guest(t, v, io->vec, io->cnt * sizeof v[0]) < 0)
		return -EFAULT;
	for (uint64_t i = 0; i < io->cnt; i++)
		if ((int64_t)v[i].len < 0)
			return -EINVAL;
	for (uint64_t i = 0; i < io->cnt; i++) {
		if (!user_range(v[i].base, v[i].len))
			return -EFAULT;
		*total += v[i].len; /* at most 1024 * ARCH_TASK_SIZE */
	}
	return 0;
}

int io_buffer_iovecs(struct task *t, uint64_t addr, uint64_t len, int reading, struct iovec *iov)
{
	struct guest_iovec v = { addr, len };

	return gather(t, &v, 1, reading, iov, true);
}

int io_import_iovecs(struct task *t, uint64_t vec, uint64_t cnt, int reading, struct iovec *iov,
		     uint64_t *total)
{
	struct guest_iovec v[IOV_MAX_GUEST];
	struct vector_io io = { 0, vec, cnt, -1, 0, reading };
	long err = import_vector(t, &io, v, total);

	if (err)
		return (int)err;
	return *total ? gather(t, v, cnt, reading, iov, true) : 0;
}

/* A vector whose first bytes lie in memory the sentry reaches only by
 * copying: its first non-empty segment alone moves, through a buffer (a
 * partial transfer, which readv(2) and writev(2) allow). */
static long vector_bounce(struct task *t, int fd, const struct guest_iovec *v,
			  const struct vector_io *io)
{
	uint64_t i = 0;

	while (!v[i].len)
		i++;
	return host_rw_bounce(t, fd, v[i].base, v[i].len, io->reading, io->pos);
}

/* The guest's segments gathered into b's buffer (up to BOUNCE_MAX bytes)
 * for a send, or room for what a receive brings; iov describes it. */
static int bounce_fill(struct task *t, struct io_bounce *b, struct iovec *iov)
{
	size_t room = 0;

	for (uint64_t i = 0; i < b->cnt && room < IO_BOUNCE_MAX; i++)
		room += b->v[i].len < IO_BOUNCE_MAX - room ? b->v[i].len : IO_BOUNCE_MAX - room;
	b->buf = malloc(room ? room : 1);
	if (!b->buf)
		return -ENOMEM;
	b->len = room;
	for (uint64_t i = 0, at = 0; !b->reading && at < room; i++) {
		size_t n = b->v[i].len < room - at ? b->v[i].len : room - at;

		if (mm_read(t->mm, b->buf + at, b->v[i].base, n) < 0)
			return -EFAULT;
		at += n;
	}
	*iov = (struct iovec){ b->buf, room };
	return 1;
}

int io_bounce_vec(struct task *t, uint64_t vec, uint64_t cnt, int reading, struct io_bounce *b,
		  struct iovec *iov)
{
	memset(b, 0, sizeof *b);
	b->reading = reading;
	b->cnt = cnt;
	b->v = malloc((cnt ? cnt : 1) * sizeof *b->v);
	if (!b->v)
		return -ENOMEM;
	if (cnt && copy_from_guest(t, b->v, vec, cnt * sizeof *b->v) < 0)
		return -EFAULT;
	return bounce_fill(t, b, iov);
}

int io_bounce_buf(struct task *t, uint64_t addr, uint64_t len, int reading, struct io_bounce *b,
		  struct iovec *iov)
{
	memset(b, 0, sizeof *b);
	b->reading = reading;
	b->cnt = 1;
	b->v = malloc(sizeof *b->v);
	if (!b->v)
		return -ENOMEM;
	b->v[0] = (struct guest_iovec){ addr, len };
	return bounce_fill(t, b, iov);
}

long io_bounce_done(struct task *t, struct io_bounce *b, long n)
{
	for (uint64_t i = 0, at = 0; b->reading && n > 0 && at < (uint64_t)n && i < b->cnt; i++) {
		size_t k = b->v[i].len < (uint64_t)n - at ? b->v[i].len : (uint64_t)n - at;

		if (mm_write(t->mm, b->v[i].base, b->buf + at, k) < 0) {
			n = -EFAULT;
			break;
		}
		at += k;
	}
	free(b->buf);
	free(b->v);
	memset(b, 0, sizeof *b);
	return n;
}

/* do_loop_readv_writev(): a file of read and write alone (/proc/PID/mem,
 * comm) takes a vector one segment at a time, up to a short one. */
static long proc_vector_rw(struct task *t, struct file *f, const struct vector_io *io,
			   const struct guest_iovec *v, uint64_t cnt)
{
	long done = 0;

	for (uint64_t i = 0; i < cnt; i++) {
		long r = proc_file_rw(t, f, v[i].base, v[i].len, io->reading,
				      io->pos < 0 ? -1 : io->pos + done);

		if (r < 0)
			return done ? done : r;
		done += r;
		if ((uint64_t)r < v[i].len)
			break;
	}
	return done;
}

/* fs/read_write.c vfs_readv()/vfs_writev(): the file is judged first (EBADF,
 * ESPIPE, EINVAL), then every iovec, then the flags, and one host call moves
 * the data, so a pipe write of the whole vector stays atomic. When the
 * vector or the flags will not do, an empty host call gives the file's
 * verdict first. */
static long vector_rw(struct task *t, const struct vector_io *io)
{
	struct guest_iovec v[IOV_MAX_GUEST]; /* 16 KiB each: tracer threads' stacks hold them */
	struct iovec iov[HOST_IOV_MAX];
	struct file *f = io->fd > INT_MAX ? NULL : fdtable_get(t->files, (int)io->fd);
	bool may_block;
	int fd = io_fd(t, io->fd, &may_block), n;
	uint64_t total;
	long err;

	if (fd < 0)
		return fd;
	err = import_vector(t, io, v, &total);
	if (!err && proc_file(f, io->reading))
		return io->flags & ~LINUX_RWF_HIPRI ? -EOPNOTSUPP : proc_vector_rw(t, f, io, v, io->cnt);
	if (err || !total || (io->flags & ~LINUX_RWF_KNOWN)) {
		ssize_t r = host_vector(fd, NULL, 0, io);

		if (r < 0)
			return -errno;
		return err ? err : total ? -EOPNOTSUPP : 0;
	}
	n = gather(t, v, io->cnt, io->reading, iov, false);
	if (n == -EREMOTEIO)
		return vector_bounce(t, fd, v, io);
	if (n < 0)
		return n;
	if (io->pos < 0 && may_block && !(io->flags & LINUX_RWF_NOWAIT) &&
	    (err = task_wait_fd(fd, io->reading ? POLLIN : POLLOUT)) < 0)
		return err;
	return io_host_result(t, host_vector(fd, iov, n, io), io->reading);
}

/* pread64/pwrite64(fd, buf, count, offset) */
static long positional_rw(struct task *t, const struct syscall_args *a, int reading)
{
	struct file *f = a->a[0] > INT_MAX ? NULL : fdtable_get(t->files, (int)a->a[0]);
	int fd = file_fd(t, a->a[0]);

	if (fd < 0)
		return fd;
	if ((int64_t)a->a[3] < 0)
		return -EINVAL;
	if (proc_file(f, reading))
		return proc_file_rw(t, f, a->a[1], a->a[2], reading, (int64_t)a->a[3]);
	return host_rw_at(t, fd, a->a[1], a->a[2], reading, (int64_t)a->a[3], false);
}

long sys_pread64(struct task *t, const struct syscall_args *a)
{
	return positional_rw(t, a, 1);
}

long sys_pwrite64(struct task *t, const struct syscall_args *a)
{
	return positional_rw(t, a, 0);
}

long sys_readv(struct task *t, const struct syscall_args *a)
{
	struct vector_io io = { a->a[0], a->a[1], a->a[2], -1, 0, 1 };

	return vector_rw(t, &io);
}

long sys_writev(struct task *t, const struct syscall_args *a)
{
	struct vector_io io = { a->a[0], a->a[1], a->a[2], -1, 0, 0 };

	return vector_rw(t, &io);
}

/* preadv2/pwritev2(fd, vec, vlen, pos_l, pos_h, flags): on both 64-bit ABIs
 * pos_l holds the whole offset (pos_from_hilo() shifts pos_h out). -1 is the
 * file position; other negative offsets are EINVAL before the fd is looked
 * at (do_preadv()). */
static long vector_rw2(struct task *t, const struct syscall_args *a, int reading)
{
	struct vector_io io = { a->a[0], a->a[1], a->a[2], (int64_t)a->a[3], (int)a->a[5],
				reading };

	if (io.pos < -1)
		return -EINVAL;
	return vector_rw(t, &io);
}

/* preadv/pwritev(fd, vec, vlen, pos_l, pos_h): do_preadv() with no flags,
 * where every negative offset is EINVAL. */
static long vector_rw_at(struct task *t, const struct syscall_args *a, int reading)
{
	struct vector_io io = { a->a[0], a->a[1], a->a[2], (int64_t)a->a[3], 0, reading };

	if (io.pos < 0)
		return -EINVAL;
	return vector_rw(t, &io);
}

long sys_preadv(struct task *t, const struct syscall_args *a)
{
	return vector_rw_at(t, a, 1);
}

long sys_pwritev(struct task *t, const struct syscall_args *a)
{
	return vector_rw_at(t, a, 0);
}

long sys_preadv2(struct task *t, const struct syscall_args *a)
{
	return vector_rw2(t, a, 1);
}

long sys_pwritev2(struct task *t, const struct syscall_args *a)
{
	return vector_rw2(t, a, 0);
}

long sys_close(struct task *t, const struct syscall_args *a)
{
	if (a->a[0] > INT_MAX)
		return -EBADF;
	return fdtable_close(t->files, (int)a->a[0]);
}

/* close_range(first, last, flags): fd tables are never shared between tasks
 * yet, so CLOSE_RANGE_UNSHARE has nothing to unshare. */
long sys_close_range(struct task *t, const struct syscall_args *a)
{
	unsigned int first = (unsigned int)a->a[0], last = (unsigned int)a->a[1];
	unsigned int flags = (unsigned int)a->a[2];

	if (flags & ~(LINUX_CLOSE_RANGE_UNSHARE | LINUX_CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	fdtable_close_range(t->files, first, last, flags & LINUX_CLOSE_RANGE_CLOEXEC);
	return 0;
}

long sys_lseek(struct task *t, const struct syscall_args *a)
{
	int fd = file_fd(t, a->a[0]);
	off_t r;

	if (fd < 0)
		return fd;
	r = lseek(fd, (off_t)a->a[1], (int)a->a[2]);
	return r < 0 ? -errno : r;
}
