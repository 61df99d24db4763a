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

/* The host fd behind a guest fd, or -1 (the host's EBADF). */
static int host_of(struct task *t, uint64_t fd, struct file **f)
{
	*f = fd > INT32_MAX ? NULL : fdtable_get(t->files, (int)fd);
	return *f && !(*f)->sigfd ? (*f)->host_fd : -1;
}

/* Whether a move that would block waits: not with SPLICE_F_NONBLOCK, nor
 * for a socket opened O_NONBLOCK (a pipe's O_NONBLOCK does not count). */
static bool waits(const struct file *f, unsigned int flags)
{
	struct stat st;

	if (flags & SPLICE_F_NONBLOCK)
		return false;
	return !(f && (f->flags & O_NONBLOCK) && fstat(f->host_fd, &st) == 0 &&
		 S_ISSOCK(st.st_mode));
}

/* Until data can move: the input readable, the output writable. */
static long wait_both(int in, int out)
{
	long err = task_wait_io(in, POLLIN);

	return err ? err : task_wait_io(out, POLLOUT);
}

/* An offset the guest gave: the host's copy, or a pointer that faults
 * there, so the host judges it after the fds and pipes as Linux does. */
static loff_t *offset_in(struct task *t, uint64_t uptr, loff_t *pos)
{
	if (!uptr)
		return NULL;
	return copy_from_guest(t, pos, uptr, sizeof *pos) < 0 ? HOST_BAD_PTR : pos;
}

long sys_splice(struct task *t, const struct syscall_args *a)
{
	unsigned int flags = (unsigned int)a->a[5];
	struct file *fin, *fout;
	int in = host_of(t, a->a[0], &fin), out = host_of(t, a->a[2], &fout);
	loff_t pin, pout, *ip = offset_in(t, a->a[1], &pin), *op = offset_in(t, a->a[3], &pout);
	ssize_t n;
	long err;

	if (!a->a[4])
		return 0;
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	for (;;) {
		n = splice(in, ip, out, op, a->a[4], flags | SPLICE_F_NONBLOCK);
		if (n >= 0 || errno != EAGAIN || !waits(fin, flags) || !waits(fout, flags))
			break;
		err = wait_both(in, out);
		if (err)
			return err;
	}
	if (n < 0)
		return io_host_result(t, n, 0);
	if (ip && copy_to_guest(t, a->a[1], &pin, sizeof pin) < 0)
		return -EFAULT;
	if (op && copy_to_guest(t, a->a[3], &pout, sizeof pout) < 0)
		return -EFAULT;
	return n;
}

long sys_tee(struct task *t, const struct syscall_args *a)
{
	unsigned int flags = (unsigned int)a->a[3];
	struct file *fin, *fout;
	int in = host_of(t, a->a[0], &fin), out = host_of(t, a->a[1], &fout);
	ssize_t n;
	long err;

	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (!a->a[2])
		return 0;
	for (;;) {
		n = tee(in, out, a->a[2], flags | SPLICE_F_NONBLOCK);
		if (n >= 0 || errno != EAGAIN || !waits(NULL, flags))
			break;
		err = wait_both(in, out);
		if (err)
			return err;
	}
	return io_host_result(t, n, 0);
}
