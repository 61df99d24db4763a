/* process_vm_readv(2) and process_vm_writev(2) (mm/process_vm_access.c)
 * between the sandbox's processes: the remote side a page at a time, so a
 * copy stops at the first page it cannot reach and says how far it got. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "arch/arch.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/ptrace/work.h"
#include "sentry/sys/io.h"
#include "syscall_handlers.h"

#define VM_RW_IOV_MAX 1024 /* UIO_MAXIOV */

struct vm_rw {
	struct task *t, *remote;
	bool write;
	bool force; /* /proc/PID/mem: FOLL_FORCE, read-only memory written too */
	unsigned long nlocal, nrem;
	size_t li, loff; /* where the local side is */
	struct iovec local[VM_RW_IOV_MAX], rem[VM_RW_IOV_MAX]; /* last: not cleared */
};

/* FOLL_FORCE: a write past the protections, which only the target's own
 * thread can make when it is shared memory; so while it is in a
 * ptrace-stop (its tracer's breakpoints, say). sb->lock held. */
static bool force_write(struct task *remote, uint64_t ra, const void *buf, size_t len)
{
	return remote->ptrace.stopped && ptrace_poke_locked(remote, ra, buf, len) == 0;
}

/* Moves len bytes between the remote address ra and the local iovecs;
 * -EFAULT when a local buffer faults, else what was moved of them. */
static long move_page(struct vm_rw *v, uint64_t ra, size_t len)
{
	static __thread uint8_t buf[ARCH_PAGE_SIZE];
	size_t done = 0;

	if (!v->write && copy_from_guest(v->remote, buf, ra, len))
		return 0;
	while (done < len && v->li < v->nlocal) {
		struct iovec *l = &v->local[v->li];
		size_t n = l->iov_len - v->loff < len - done ? l->iov_len - v->loff : len - done;
		uint64_t la = (uint64_t)l->iov_base + v->loff;
		int err = v->write ? copy_from_guest(v->t, buf + done, la, n)
				   : copy_to_guest(v->t, la, buf + done, n);

		if (err)
			return -EFAULT;
		done += n;
		v->loff += n;
		if (v->loff == l->iov_len) {
			v->li++;
			v->loff = 0;
		}
	}
	if (v->write && done && copy_to_guest(v->remote, ra, buf, done) &&
	    !(v->force && force_write(v->remote, ra, buf, done)))
		return 0;
	return (long)done;
}

/* The remote iovecs page by page; bytes moved, or -EFAULT if none. */
static long move_all(struct vm_rw *v)
{
	long total = 0;

	for (unsigned long i = 0; i < v->nrem; i++) {
		uint64_t ra = (uint64_t)v->rem[i].iov_base, end = ra + v->rem[i].iov_len;

		while (ra < end && v->li < v->nlocal) {
			size_t chunk = ARCH_PAGE_SIZE - (ra & (ARCH_PAGE_SIZE - 1));
			long n;

			if (chunk > end - ra)
				chunk = end - ra;
			n = move_page(v, ra, chunk);
			if (n < 0)
				return total ? total : n;
			total += n;
			if ((size_t)n < chunk)
				return total ? total : -EFAULT;
			ra += chunk;
		}
	}
	return total;
}

/* A fresh transfer of t's, its iovecs to be filled. */
static struct vm_rw *vm_rw_start(struct task *t, bool write, bool force)
{
	static __thread struct vm_rw v;

	memset(&v, 0, offsetof(struct vm_rw, local));
	v.t = t;
	v.write = write;
	v.force = force;
	return &v;
}

/* The transfer with the live process pid: bytes moved, -EFAULT if none,
 * -ESRCH when there is no such process. */
static long vm_rw_with(struct vm_rw *v, int pid)
{
	struct sandbox *sb = v->t->sb;
	long r = -ESRCH;

	pthread_mutex_lock(&sb->lock);
	v->remote = sandbox_find_task_locked(sb, pid);
	if (v->remote && !v->remote->zombie && v->remote->mm)
		r = move_all(v);
	pthread_mutex_unlock(&sb->lock);
	return r;
}

long proc_mem_rw(struct task *t, int pid, uint64_t addr, size_t len, bool reading, int64_t pos,
		 int host_fd)
{
	struct vm_rw *v = vm_rw_start(t, !reading, true);
	off_t at = pos >= 0 ? pos : lseek(host_fd, 0, SEEK_CUR);
	long r;

	if (at < 0)
		return -errno;
	v->nlocal = v->nrem = 1;
	v->local[0] = (struct iovec){ (void *)addr, len };
	v->rem[0] = (struct iovec){ (void *)(uintptr_t)at, len };
	r = vm_rw_with(v, pid);
	if (r == -EFAULT)
		r = -EIO; /* mem_rw(): nothing could be reached */
	if (r > 0 && pos < 0)
		lseek(host_fd, at + r, SEEK_SET);
	return r;
}

static long vm_rw(struct task *t, const struct syscall_args *a, bool write)
{
	struct vm_rw *v;

	if (a->a[5])
		return -EINVAL;
	if (a->a[2] > VM_RW_IOV_MAX || a->a[4] > VM_RW_IOV_MAX)
		return -EINVAL;
	v = vm_rw_start(t, write, false);
	v->nlocal = a->a[2];
	v->nrem = a->a[4];
	if (copy_from_guest(t, v->local, a->a[1], v->nlocal * sizeof(struct iovec)) ||
	    copy_from_guest(t, v->rem, a->a[3], v->nrem * sizeof(struct iovec)))
		return -EFAULT;
	return vm_rw_with(v, (int)a->a[0]);
}

long sys_process_vm_readv(struct task *t, const struct syscall_args *a)
{
	return vm_rw(t, a, false);
}

long sys_process_vm_writev(struct task *t, const struct syscall_args *a)
{
	return vm_rw(t, a, true);
}
