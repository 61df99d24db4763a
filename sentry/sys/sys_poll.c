/* poll and ppoll (fs/select.c). Every guest file is a host fd the sentry
 * holds, so one host ppoll over the translated set answers; fds that are not
 * open get POLLNVAL, negative ones are skipped, as Linux does. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "abi/linux.h"
#include "sentry/sched/vcpu.h"
#include "sentry/fs/fs_task.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/signal/signal.h"
#include "sentry/mm/mm.h"
#include "syscall_handlers.h"

#define NSEC_PER_SEC 1000000000L

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
	sched_block(task_current);
	n = ppoll(h, nfds, nval ? &now : timeout, task_kick_mask());
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

static long poll_restart(struct task *t);

/* poll with the end on CLOCK_MONOTONIC (or none): a signal that runs no
 * handler lets restart_syscall poll again until the same end
 * (do_restart_poll). */
static long poll_until(struct task *t, uint64_t ufds, uint64_t nfds, const struct timespec *end)
{
	struct timespec left = end ? ts_left(*end) : (struct timespec){ 0, 0 };
	long r = do_poll(t, ufds, nfds, end ? &left : NULL);

	if (r != -EINTR)
		return r;
	t->restart_block = (struct restart_block){
		.deadline = end ? end->tv_sec * NSEC_PER_SEC + end->tv_nsec : -1,
		.addr = ufds, .nfds = nfds };
	return task_set_restart(t, poll_restart);
}

static long poll_restart(struct task *t)
{
	int64_t d = t->restart_block.deadline;
	struct timespec end = { d / NSEC_PER_SEC, d % NSEC_PER_SEC };

	return poll_until(t, t->restart_block.addr, t->restart_block.nfds, d < 0 ? NULL : &end);
}

long sys_poll(struct task *t, const struct syscall_args *a)
{
	int ms = (int)a->a[2];
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	struct timespec end = ts_add(ts_now(), ts);

	return poll_until(t, a->a[0], a->a[1], ms < 0 ? NULL : &end);
}

/* A timespec timeout argument, and the end it sets on CLOCK_MONOTONIC. */
static long read_timeout(struct task *t, uint64_t addr, struct timespec *ts, struct timespec *end)
{
	struct linux_timespec lts;

	if (copy_from_guest(t, &lts, addr, sizeof lts))
		return -EFAULT;
	if (lts.tv_sec < 0 || lts.tv_nsec < 0 || lts.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	*ts = (struct timespec){ lts.tv_sec, lts.tv_nsec };
	*end = ts_add(ts_now(), *ts);
	return 0;
}

/* Linux writes back the time left, and ignores a read-only timeout. */
static void write_left(struct task *t, uint64_t addr, struct timespec end)
{
	struct timespec ts = ts_left(end);
	struct linux_timespec lts = { ts.tv_sec, ts.tv_nsec };

	(void)copy_to_guest(t, addr, &lts, sizeof lts);
}

long sys_ppoll(struct task *t, const struct syscall_args *a)
{
	struct timespec ts, end;
	long r = a->a[2] ? read_timeout(t, a->a[2], &ts, &end) : 0;

	if (!r && a->a[3])
		r = sig_mask_from_guest(t, a->a[3], a->a[4]);
	if (r)
		return r;
	r = do_poll(t, a->a[0], a->a[1], a->a[2] ? &ts : NULL);
	/* The old mask comes back now, unless a handler's frame is to save it
	 * (restore_saved_sigmask_unless()). */
	if (a->a[3] && r != -EINTR)
		sig_mask_restore(t);
	/* poll_select_finish(): the time left goes back even when a signal
	 * interrupts, so that a restart waits only for the rest. */
	if (a->a[2] && (r >= 0 || r == -EINTR))
		write_left(t, a->a[2], end);
	return r;
}

/* select and pselect6 (fs/select.c core_sys_select) over the same host
 * poll: each fd of the three sets becomes one pollfd. */
#define SELECT_IN (POLLIN | POLLHUP | POLLERR)   /* POLLIN_SET */
#define SELECT_OUT (POLLOUT | POLLERR)           /* POLLOUT_SET */
#define SELECT_EX POLLPRI                        /* POLLEX_SET */

struct fd_sets {
	uint64_t in[FDTABLE_MAX / 64], out[FDTABLE_MAX / 64], ex[FDTABLE_MAX / 64];
};

static bool fd_isset(const uint64_t *set, int fd)
{
	return set[fd / 64] & (1ULL << (fd % 64));
}

static long read_sets(struct task *t, const uint64_t uset[3], int n, struct fd_sets *s)
{
	size_t bytes = (size_t)(n + 63) / 64 * 8;
	uint64_t *sets[3] = { s->in, s->out, s->ex };

	memset(s, 0, sizeof *s);
	for (int i = 0; i < 3; i++)
		if (uset[i] && copy_from_guest(t, sets[i], uset[i], bytes) < 0)
			return -EFAULT;
	return 0;
}

static long do_select(struct task *t, int n, const uint64_t uset[3], const struct timespec *timeout)
{
	struct fd_sets s, r;
	struct pollfd h[FDTABLE_MAX];
	int fds[FDTABLE_MAX], count = 0, ready = 0;
	size_t bytes = (size_t)(n + 63) / 64 * 8;
	uint64_t *outs[3] = { r.in, r.out, r.ex };
	long err;

	if (n < 0)
		return -EINVAL;
	if (n > fs_fd_limit(t))
		n = fs_fd_limit(t); /* max_select_fd() caps it at the open range */
	err = read_sets(t, uset, n, &s);
	if (err)
		return err;
	for (int fd = 0; fd < n; fd++) {
		short ev = (fd_isset(s.in, fd) ? SELECT_IN : 0) | (fd_isset(s.out, fd) ? SELECT_OUT : 0) |
			   (fd_isset(s.ex, fd) ? SELECT_EX : 0);
		struct file *f;

		if (!ev)
			continue;
		if (fs_file(t, (uint64_t)fd, &f))
			return -EBADF;
		h[count] = (struct pollfd){ f->host_fd, ev, 0 };
		fds[count++] = fd;
	}
	sched_block(task_current);
	if (ppoll(h, (nfds_t)count, timeout, task_kick_mask()) < 0)
		return -errno;
	memset(&r, 0, sizeof r);
	for (int i = 0; i < count; i++) {
		int fd = fds[i];
		short re = h[i].revents;
		bool hit[3] = { (re & SELECT_IN) && fd_isset(s.in, fd),
				(re & SELECT_OUT) && fd_isset(s.out, fd),
				(re & SELECT_EX) && fd_isset(s.ex, fd) };

		for (int k = 0; k < 3; k++)
			if (hit[k]) {
				outs[k][fd / 64] |= 1ULL << (fd % 64);
				ready++;
			}
	}
	for (int k = 0; k < 3; k++)
		if (uset[k] && copy_to_guest(t, uset[k], outs[k], bytes) < 0)
			return -EFAULT;
	return ready;
}

long sys_select(struct task *t, const struct syscall_args *a)
{
	uint64_t uset[3] = { a->a[1], a->a[2], a->a[3] };
	struct linux_timeval tv;
	struct timespec ts, end;
	long r;

	if (a->a[4]) {
		if (copy_from_guest(t, &tv, a->a[4], sizeof tv) < 0)
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		/* Linux normalises a tv_usec past a second rather than refusing it. */
		ts = (struct timespec){ tv.tv_sec + tv.tv_usec / 1000000, tv.tv_usec % 1000000 * 1000 };
		end = ts_add(ts_now(), ts);
	}
	r = do_select(t, (int)a->a[0], uset, a->a[4] ? &ts : NULL);
	if (a->a[4] && (r >= 0 || r == -EINTR)) {
		ts = ts_left(end);
		tv = (struct linux_timeval){ ts.tv_sec, ts.tv_nsec / 1000 };
		(void)copy_to_guest(t, a->a[4], &tv, sizeof tv);
	}
	return r;
}

long sys_pselect6(struct task *t, const struct syscall_args *a)
{
	uint64_t uset[3] = { a->a[1], a->a[2], a->a[3] };
	struct timespec ts, end;
	struct { uint64_t set, size; } sig = { 0, 0 };
	long r = a->a[4] ? read_timeout(t, a->a[4], &ts, &end) : 0;

	/* The sixth argument points at { const sigset_t *ss; size_t ss_len; }. */
	if (!r && a->a[5] && copy_from_guest(t, &sig, a->a[5], sizeof sig) < 0)
		r = -EFAULT;
	if (!r && sig.set)
		r = sig_mask_from_guest(t, sig.set, sig.size);
	if (r)
		return r;
	r = do_select(t, (int)a->a[0], uset, a->a[4] ? &ts : NULL);
	if (sig.set && r != -EINTR)
		sig_mask_restore(t);
	if (a->a[4] && (r >= 0 || r == -EINTR))
		write_left(t, a->a[4], end);
	return r;
}
