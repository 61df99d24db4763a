/* Kicks: a host signal sent to a tracer thread so that a host call it
 * blocks in returns EINTR. The signal stays blocked except inside such
 * calls (ppoll and epoll_pwait take the unblocking mask atomically), so
 * a kick sent before the call is not lost: the call returns at once. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <unistd.h>

#include "sentry/sched/vcpu.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/task.h"

static __thread sigset_t wait_mask; /* the thread's mask with the kick let through */

static int kick_signal(void)
{
	return SIGRTMAX - 3;
}

static void kick_handler(int sig)
{
	(void)sig; /* only there to make the host call return EINTR */
}

static void kick_install(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };

	sigemptyset(&sa.sa_mask);
	sigaction(kick_signal(), &sa, NULL); /* no SA_RESTART */
}

void task_kick_setup(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	sigset_t set;

	pthread_once(&once, kick_install);
	sigemptyset(&set);
	sigaddset(&set, kick_signal());
	pthread_sigmask(SIG_BLOCK, &set, &wait_mask);
	sigdelset(&wait_mask, kick_signal());
}

const sigset_t *task_kick_mask(void)
{
	return &wait_mask;
}

void task_kick_thread(int tid)
{
	syscall(SYS_tgkill, getpid(), tid, kick_signal());
}

/* A socket's SO_RCVTIMEO or SO_SNDTIMEO bounds the wait (sock_rcvtimeo()):
 * NULL when it has none. */
static const struct timespec *sock_timeout(int fd, short events, struct timespec *ts)
{
	struct timeval tv;
	socklen_t len = sizeof tv;

	if (getsockopt(fd, SOL_SOCKET, events == POLLIN ? SO_RCVTIMEO : SO_SNDTIMEO, &tv,
		       &len) < 0 || (!tv.tv_sec && !tv.tv_usec))
		return NULL;
	ts->tv_sec = tv.tv_sec;
	ts->tv_nsec = tv.tv_usec * 1000;
	return ts;
}

static bool listening(int fd)
{
	int on = 0;
	socklen_t len = sizeof on;

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;
}

/* Waits for events, a socket no longer than its timeout allows. */
static int wait_ready(int fd, short events, bool sock)
{
	struct pollfd p = { fd, events, 0 };
	struct timespec ts;
	int n;

	sched_block(task_current);
	n = ppoll(&p, 1, sock ? sock_timeout(fd, events, &ts) : NULL, &wait_mask);
	if (n < 0)
		return -errno;
	return n ? 0 : -EAGAIN; /* the socket's timeout passed */
}

int task_wait_fd(int fd, short events)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);
	int acc = fl & O_ACCMODE;

	/* Calls on these never block, return EAGAIN, or fail (EBADF for the
	 * wrong direction, ENOTCONN or EINVAL on a listening socket) on their
	 * own. */
	if (fl < 0 || (fl & O_NONBLOCK) || (events == POLLIN && acc == O_WRONLY) ||
	    (events == POLLOUT && acc == O_RDONLY) || fstat(fd, &st) < 0 ||
	    S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode) ||
	    (S_ISSOCK(st.st_mode) && listening(fd)))
		return 0;
	return wait_ready(fd, events, S_ISSOCK(st.st_mode));
}

int task_wait_accept(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 || (fl & O_NONBLOCK) ? 0 : wait_ready(fd, POLLIN, true);
}

/* Calls with no pollable wait let the kick through around them; one sent
 * just before may then be missed, which the sender's retries cover. */
int task_blocking_flock(int fd, int op)
{
	sigset_t old;
	int r;

	pthread_sigmask(SIG_SETMASK, &wait_mask, &old);
	r = flock(fd, op) < 0 ? -errno : 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

int task_blocking_open(const struct lookup *l, int flags)
{
	sigset_t old;
	int r;

	pthread_sigmask(SIG_SETMASK, &wait_mask, &old);
	r = vfs_open_host(l, flags);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}
