/* splice(2) and tee(2) (fs/splice.c) between the host pipes and files the
 * sentry holds for the guest. The host call does the move and its checks,
 * in Linux's order; the sentry adds the guest's fd numbers and offset
 * pointers, and waits itself where Linux would block, so that a signal
 * interrupts the wait: the host call is always SPLICE_F_NONBLOCK. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/stat.h>

#include "sentry/fs/fdtable.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/sys/io.h"
#include "syscall_handlers.h"

#define SPLICE_F_ALL (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)
/* A pointer the host cannot read: its EFAULT comes where Linux's would. */
#define HOST_BAD_PTR ((loff_t *)(uintptr_t)8)

/* do_splice()/do_tee(): SPLICE_F_NONBLOCK, or an end opened O_NONBLOCK
 * (the host fd carries the guest's status flags), makes the move not
 * wait. */
static bool nonblocking(int in, int out, unsigned int flags)
{
	int fin = in < 0 ? 0 : fcntl(in, F_GETFL), fout = out < 0 ? 0 : fcntl(out, F_GETFL);

	return (flags & SPLICE_F_NONBLOCK) || (fin > 0 && (fin & O_NONBLOCK)) ||
	       (fout > 0 && (fout & O_NONBLOCK));
}

/* A device end (a terminal) may block the host call whatever its flags
 * say: it is waited for first, or, not to wait, found ready now. */
static long device_ready(int fd, short events, bool nb)
{
	struct pollfd p = { fd, events, 0 };
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode))
		return 0;
	if (!nb)
		return task_wait_fd(fd, events);
	return poll(&p, 1, 0) > 0 ? 0 : -EAGAIN;
}

/* Until data can move: the input readable, the output writable. */
static long wait_both(int in, int out)
{
	long err = task_wait_fd(in, POLLIN);

	return err ? err : task_wait_fd(out, POLLOUT);
}

/* Moves with move() (the host's splice or tee, SPLICE_F_NONBLOCK added),
 * waiting where Linux would block. */
static ssize_t move_waiting(int in, int out, unsigned int flags, ssize_t (*move)(void *),
			    void *arg)
{
	bool nb = nonblocking(in, out, flags);

	for (;;) {
		long err = device_ready(in, POLLIN, nb);
		ssize_t n;

		if (!err)
			err = device_ready(out, POLLOUT, nb);
		if (err)
			return err;
		n = move(arg);
		if (n >= 0 || errno != EAGAIN || nb)
			return n < 0 ? -errno : n;
		err = wait_both(in, out);
		if (err)
			return err;
	}
}

/* An offset the guest gave: the host's copy, or a pointer that faults
 * there, so the host judges it after the fds and pipes as Linux does. */
static loff_t *offset_in(struct task *t, uint64_t uptr, loff_t *pos)
{
	if (!uptr)
		return NULL;
	return copy_from_guest(t, pos, uptr, sizeof *pos) < 0 ? HOST_BAD_PTR : pos;
}

struct splice_call {
	int in, out;
	loff_t *ip, *op;
	size_t len;
	unsigned int flags;
};

static ssize_t do_host_splice(void *arg)
{
	struct splice_call *c = arg;

	return splice(c->in, c->ip, c->out, c->op, c->len, c->flags | SPLICE_F_NONBLOCK);
}

static ssize_t do_host_tee(void *arg)
{
	struct splice_call *c = arg;

	return tee(c->in, c->out, c->len, c->flags | SPLICE_F_NONBLOCK);
}

/* A move's result; EPIPE also raises SIGPIPE, as pipe writes do. */
static long splice_result(struct task *t, ssize_t n)
{
	if (n != -EPIPE)
		return n;
	errno = EPIPE;
	return io_host_result(t, -1, 0);
}

long sys_splice(struct task *t, const struct syscall_args *a)
{
	loff_t pin, pout;
	struct splice_call c = { io_host_fd_or_bad(t, a->a[0]), io_host_fd_or_bad(t, a->a[2]),
				 offset_in(t, a->a[1], &pin), offset_in(t, a->a[3], &pout),
				 a->a[4], (unsigned int)a->a[5] };
	ssize_t n;

	if (!c.len)
		return 0;
	if (c.flags & ~SPLICE_F_ALL)
		return -EINVAL;
	n = move_waiting(c.in, c.out, c.flags, do_host_splice, &c);
	if (n < 0)
		return splice_result(t, n);
	if (c.ip && copy_to_guest(t, a->a[1], &pin, sizeof pin) < 0)
		return -EFAULT;
	if (c.op && copy_to_guest(t, a->a[3], &pout, sizeof pout) < 0)
		return -EFAULT;
	return n;
}

long sys_tee(struct task *t, const struct syscall_args *a)
{
	struct splice_call c = { io_host_fd_or_bad(t, a->a[0]), io_host_fd_or_bad(t, a->a[1]), NULL, NULL, a->a[2],
				 (unsigned int)a->a[3] };
	ssize_t n;

	if (c.flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (!c.len)
		return 0;
	n = move_waiting(c.in, c.out, c.flags, do_host_tee, &c);
	return splice_result(t, n);
}
