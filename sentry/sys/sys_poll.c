/* poll and ppoll (fs/select.c). Every guest file is a host fd the sentry
 * holds, so one host ppoll over the translated set answers; fds that are not
 * open get POLLNVAL, negative ones are skipped, as Linux does. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <time.h>

#include "abi/linux.h"
#include "sentry/fs/fs_task.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/signal/signal.h"
#include "sentry/mm/mm.h"
#include "syscall_handlers.h"

#define NSEC_PER_SEC 1000000000L
#define LINUX_SIGSET_SIZE 8

struct linux_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

static struct timespec ts_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

static struct timespec ts_add(struct timespec a, struct timespec b)
{
	a.tv_sec += b.tv_sec;
	a.tv_nsec += b.tv_nsec;
	if (a.tv_nsec >= NSEC_PER_SEC) {
		a.tv_sec++;
		a.tv_nsec -= NSEC_PER_SEC;
	}
	return a;
}

/* end - now, never negative. */
static struct timespec ts_left(struct timespec end)
{
	struct timespec now = ts_now(), d = { end.tv_sec - now.tv_sec, end.tv_nsec - now.tv_nsec };

	if (d.tv_nsec < 0) {
		d.tv_sec--;
		d.tv_nsec += NSEC_PER_SEC;
	}
	if (d.tv_sec < 0)
		d.tv_sec = d.tv_nsec = 0;
	return d;
}

/* The host's ppoll on the guest's set; timeout NULL waits for ever. */
static long do_poll(struct task *t, uint64_t ufds, uint64_t nfds, const struct timespec *timeout)
{
	struct linux_pollfd g[FDTABLE_MAX];
	struct pollfd h[FDTABLE_MAX];
	static const struct timespec now = { 0, 0 };
	int n, nval = 0;

	if (nfds > (uint64_t)fs_fd_limit(t))
		return -EINVAL;
	if (nfds && copy_from_guest(t, g, ufds, nfds * sizeof g[0]))
		return -EFAULT;
	for (uint64_t i = 0; i < nfds; i++) {
		struct file *f;

		h[i].fd = -1;
		h[i].events = g[i].events | POLLERR | POLLHUP;
		if (g[i].fd >= 0 && fs_file(t, (uint64_t)g[i].fd, &f) == 0)
			h[i].fd = f->host_fd;
		nval += g[i].fd >= 0 && h[i].fd < 0;
	}
	/* A POLLNVAL is an event: the call returns at once. */
	n = ppoll(h, nfds, nval ? &now : timeout, NULL);
	if (n < 0)
		return -errno;
	for (uint64_t i = 0; i < nfds; i++) {
		int open = h[i].fd >= 0;

		g[i].revents = open ? (int16_t)(h[i].revents & (g[i].events | POLLERR | POLLHUP))
				    : (g[i].fd >= 0 ? POLLNVAL : 0);
	}
	n += nval;
	if (nfds && copy_to_guest(t, ufds, g, nfds * sizeof g[0]))
		return -EFAULT;
	return n;
}

long sys_poll(struct task *t, const struct syscall_args *a)
{
	int ms = (int)a->a[2];
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	return do_poll(t, a->a[0], a->a[1], ms < 0 ? NULL : &ts);
}

long sys_ppoll(struct task *t, const struct syscall_args *a)
{
	struct linux_timespec lts;
	struct timespec ts, end;
	uint64_t mask;
	long r;

	if (a->a[2]) {
		if (copy_from_guest(t, &lts, a->a[2], sizeof lts))
			return -EFAULT;
		if (lts.tv_sec < 0 || lts.tv_nsec < 0 || lts.tv_nsec >= NSEC_PER_SEC)
			return -EINVAL;
		ts = (struct timespec){ lts.tv_sec, lts.tv_nsec };
		end = ts_add(ts_now(), ts);
	}
	if (a->a[3] && a->a[4] != LINUX_SIGSET_SIZE)
		return -EINVAL;
	if (a->a[3] && copy_from_guest(t, &mask, a->a[3], sizeof mask))
		return -EFAULT;
	if (a->a[3])
		sig_mask_for_wait(t, mask);
	r = do_poll(t, a->a[0], a->a[1], a->a[2] ? &ts : NULL);
	/* The old mask comes back now, unless a handler's frame is to save it
	 * (restore_saved_sigmask_unless()). */
	if (a->a[3] && r != -EINTR)
		sig_mask_restore(t);
	if (a->a[2] && r >= 0) {
		/* Linux writes back the time left, and ignores a read-only timeout. */
		ts = ts_left(end);
		lts = (struct linux_timespec){ ts.tv_sec, ts.tv_nsec };
		(void)copy_to_guest(t, a->a[2], &lts, sizeof lts);
	}
	return r;
}
