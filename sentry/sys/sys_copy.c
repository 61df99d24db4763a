/* In-kernel copies between files (fs/read_write.c do_sendfile(),
 * copy_file_range()). The data moves between the host files the sentry
 * holds, never through the guest: the host call does the copy and, as both
 * ends are the guest's own open files, its checks are Linux's in Linux's
 * order. The sentry adds what the host cannot see: the guest's fd numbers and
 * its offset pointers. */
#include <errno.h>
#include <limits.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "sentry/fs/fdtable.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/sys/io.h"
#include "syscall_handlers.h"

int io_host_fd_or_bad(struct task *t, uint64_t fd)
{
	struct file *f = (int)fd < 0 ? NULL : fdtable_get(t->files, (int)fd); /* an int */

	/* A signalfd's host pipe is the sentry's to read (EBADF, where Linux
	 * says EINVAL: signalfd has no splice_read). */
	return f && !f->sigfd ? f->host_fd : -1;
}

/* sendfile(out_fd, in_fd, offset, count): the offset is read before any fd
 * is looked at and written back whatever the outcome (sendfile64). */
long sys_sendfile(struct task *t, const struct syscall_args *a)
{
	uint64_t uoff = a->a[2];
	int in = io_host_fd_or_bad(t, a->a[1]), out = io_host_fd_or_bad(t, a->a[0]);
	off_t pos;
	long r;

	if (uoff && copy_from_guest(t, &pos, uoff, sizeof pos) < 0)
		return -EFAULT;
	r = io_host_result(t, sendfile(out, in, uoff ? &pos : NULL, a->a[3]), 0);
	if (uoff && copy_to_guest(t, uoff, &pos, sizeof pos) < 0)
		return -EFAULT;
	return r;
}

static int read_pos(struct task *t, uint64_t uptr, loff_t *pos)
{
	return uptr && copy_from_guest(t, pos, uptr, sizeof *pos) < 0 ? -EFAULT : 0;
}

/* copy_file_range(fd_in, off_in, fd_out, off_out, len, flags): both fds
 * first (EBADF), then the offsets (EFAULT), then flags, which must be 0: the
 * kernel's COPY_FILE_SPLICE is not the caller's to ask. Offsets given are
 * advanced by what was copied and the files' positions left alone. */
long sys_copy_file_range(struct task *t, const struct syscall_args *a)
{
	uint64_t uin = a->a[1], uout = a->a[3];
	int in = io_host_fd_or_bad(t, a->a[0]), out = io_host_fd_or_bad(t, a->a[2]);
	loff_t pin, pout;
	ssize_t n;
	long err;

	if (in < 0 || out < 0)
		return -EBADF;
	err = read_pos(t, uin, &pin);
	if (!err)
		err = read_pos(t, uout, &pout);
	if (err)
		return err;
	if ((unsigned int)a->a[5])
		return -EINVAL;
	n = copy_file_range(in, uin ? &pin : NULL, out, uout ? &pout : NULL, a->a[4], 0);
	if (n <= 0)
		return io_host_result(t, n, 0);
	if (uin && copy_to_guest(t, uin, &pin, sizeof pin) < 0)
		n = -EFAULT;
	if (uout && copy_to_guest(t, uout, &pout, sizeof pout) < 0)
		n = -EFAULT;
	return n;
}
