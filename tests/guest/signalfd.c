// SPDX-License-Identifier: Apache-2.0
/*
 * signalfd (fs/signalfd.c): a read takes blocked signals of the fd's mask
 * off the reader's queues, lowest first, as many 128-byte records as fit;
 * the record carries ssi_signo, ssi_code, ssi_pid and a sigqueue's ssi_int.
 * O_NONBLOCK gives EAGAIN when none is pending; a blocking read waits and is
 * woken by another thread's kill. signalfd on an existing signalfd changes
 * its mask; poll says POLLIN exactly while a signal of the mask is pending.
 * EINVAL for a short buffer, bad flags, a bad size, a non-signalfd fd;
 * EBADF for a closed one. SIGKILL and SIGSTOP are left out of the mask.
 */
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static sigset_t set_of(int a, int b, int c)
{
	sigset_t s;

	sigemptyset(&s);
	if (a)
		sigaddset(&s, a);
	if (b)
		sigaddset(&s, b);
	if (c)
		sigaddset(&s, c);
	return s;
}

/* poll, select and epoll must agree. */
static int readable(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct timeval zero = { 0, 0 };
	int by_poll = poll(&p, 1, 0) == 1 && (p.revents & POLLIN), by_select, by_epoll = -1;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	fd_set in;

	FD_ZERO(&in);
	FD_SET(fd, &in);
	by_select = select(fd + 1, &in, NULL, NULL, &zero) == 1;
	if (ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0)
		by_epoll = epoll_wait(ep, &out, 1, 0) == 1 && (out.events & EPOLLIN);
	if (ep >= 0)
		close(ep);
	check_long("select agrees with poll", by_poll, by_select);
	check_long("epoll agrees with poll", by_poll, by_epoll);
	return by_poll;
}

/* Several signals, read back lowest first in one read and one by one. */
static void read_in_order(void)
{
	sigset_t s = set_of(SIGUSR1, SIGUSR2, SIGTERM);
	struct signalfd_siginfo si[4];
	int fd = signalfd(-1, &s, SFD_NONBLOCK | SFD_CLOEXEC);
	ssize_t n;

	if (!CHECK_OK("signalfd", fd))
		return;
	check_long("FD_CLOEXEC", FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	check_long("O_NONBLOCK", O_NONBLOCK, fcntl(fd, F_GETFL) & O_NONBLOCK);
	check_true("not readable before a signal", !readable(fd));
	CHECK_ERRNO("read with nothing pending", read(fd, si, sizeof si), EAGAIN);
	kill(getpid(), SIGTERM);
	kill(getpid(), SIGUSR2);
	kill(getpid(), SIGUSR1);
	check_true("readable once pending", readable(fd));
	n = read(fd, si, sizeof si);
	check_long("read of three", 3 * (long)sizeof si[0], n);
	if (n == 3 * (long)sizeof si[0]) {
		check_long("first", SIGUSR1, si[0].ssi_signo);
		check_long("second", SIGUSR2, si[1].ssi_signo);
		check_long("third", SIGTERM, si[2].ssi_signo);
		check_long("kill's ssi_code", SI_USER, si[0].ssi_code);
		check_long("kill's ssi_pid", getpid(), si[0].ssi_pid);
	}
	check_true("not readable once read", !readable(fd));
	/* The thread's own queue comes before the process's (dequeue_signal). */
	kill(getpid(), SIGUSR1);
	raise(SIGUSR2);
	check_long("one record", sizeof si[0], read(fd, si, sizeof si[0]));
	check_long("one record: the thread's first", SIGUSR2, si[0].ssi_signo);
	check_long("raise's ssi_code", SI_TKILL, si[0].ssi_code);
	check_true("still readable", readable(fd));
	check_long("next record", sizeof si[0], read(fd, si, sizeof si[0] + 10));
	check_long("next record: SIGUSR1", SIGUSR1, si[0].ssi_signo);
	CHECK_ERRNO("short buffer", read(fd, si, sizeof si[0] - 1), EINVAL);
	CHECK_ERRNO("write", write(fd, si, sizeof si[0]), EINVAL);
	close(fd);
}

/* sigqueue's value and the sender's pid come through. */
static void sigqueue_fields(void)
{
	sigset_t s = set_of(SIGRTMIN + 1, 0, 0);
	struct signalfd_siginfo si;
	union sigval v = { .sival_int = 4242 };
	int fd = signalfd(-1, &s, SFD_NONBLOCK);

	if (!CHECK_OK("signalfd rt", fd))
		return;
	CHECK_OK("sigqueue", sigqueue(getpid(), SIGRTMIN + 1, v));
	if (check_long("read", sizeof si, read(fd, &si, sizeof si))) {
		check_long("ssi_signo", SIGRTMIN + 1, si.ssi_signo);
		check_long("ssi_code", SI_QUEUE, si.ssi_code);
		check_long("ssi_pid", getpid(), si.ssi_pid);
		check_long("ssi_uid", getuid(), si.ssi_uid);
		check_long("ssi_int", 4242, si.ssi_int);
	}
	close(fd);
}

/* A new mask on the same fd; SIGKILL and SIGSTOP never in it. */
static void mask_update(void)
{
	sigset_t s = set_of(SIGUSR1, 0, 0), k = set_of(SIGUSR2, SIGKILL, SIGSTOP), pending;
	struct signalfd_siginfo si;
	int fd = signalfd(-1, &s, SFD_NONBLOCK), sig;
	struct timespec zero = { 0, 0 };
	char line[256];
	FILE *f;

	if (!CHECK_OK("signalfd mask", fd))
		return;
	kill(getpid(), SIGUSR2);
	check_true("SIGUSR2 not in the mask: not readable", !readable(fd));
	CHECK_ERRNO("SIGUSR2 not in the mask: EAGAIN", read(fd, &si, sizeof si), EAGAIN);
	check_long("same fd back", fd, signalfd(fd, &k, 0));
	check_true("readable with the new mask", readable(fd));
	if (check_long("read after update", sizeof si, read(fd, &si, sizeof si)))
		check_long("SIGUSR2 read", SIGUSR2, si.ssi_signo);
	/* fdinfo shows the mask without SIGKILL and SIGSTOP. */
	snprintf(line, sizeof line, "/proc/self/fdinfo/%d", fd);
	f = fopen(line, "r");
	if (check_true("fdinfo opens", f != NULL)) {
		int found = 0;

		while (fgets(line, sizeof line, f))
			if (!strncmp(line, "sigmask:", 8)) {
				found = 1;
				check_true("sigmask: 0000000000000800",
					   !strcmp(line, "sigmask:\t0000000000000800\n"));
			}
		check_true("fdinfo has sigmask:", found);
		fclose(f);
	}
	/* The old mask's signal stays queued for others to take. */
	kill(getpid(), SIGUSR1);
	check_true("SIGUSR1 no longer in the mask", !readable(fd));
	sigpending(&pending);
	check_true("SIGUSR1 still pending", sigismember(&pending, SIGUSR1));
	sig = sigtimedwait(&s, NULL, &zero);
	check_long("sigtimedwait takes it", SIGUSR1, sig);
	close(fd);
}

static void errors(void)
{
	sigset_t s = set_of(SIGUSR1, 0, 0);
	int pipefd[2];

	CHECK_ERRNO("bad flags", signalfd(-1, &s, O_APPEND), EINVAL);
	CHECK_ERRNO("bad size", syscall(SYS_signalfd4, -1, &s, 4, 0), EINVAL);
	CHECK_ERRNO("bad mask pointer", syscall(SYS_signalfd4, -1, bad_address(), 8, 0), EFAULT);
	CHECK_ERRNO("closed fd", signalfd(1000, &s, 0), EBADF);
	if (CHECK_OK("pipe", pipe(pipefd))) {
		CHECK_ERRNO("not a signalfd", signalfd(pipefd[0], &s, 0), EINVAL);
		close(pipefd[0]);
		close(pipefd[1]);
	}
}

static pid_t main_tid;

static void *kill_later(void *arg)
{
	struct timespec d = { 0, 100 * 1000 * 1000 };

	(void)arg;
	nanosleep(&d, NULL);
	syscall(SYS_tgkill, getpid(), main_tid, SIGUSR2);
	return NULL;
}

/* A blocking read waits until another thread's signal comes. */
static void blocked_read(void)
{
	sigset_t s = set_of(SIGUSR2, SIGALRM, 0);
	struct signalfd_siginfo si;
	struct sigaction sa = { .sa_handler = SIG_DFL };
	pthread_t th;
	int fd = signalfd(-1, &s, 0);
	ssize_t n;

	if (!CHECK_OK("signalfd blocking", fd))
		return;
	/* A bound: SIGALRM (in the mask) ends the wait after 10 s. */
	sigaction(SIGALRM, &sa, NULL);
	alarm(10);
	main_tid = gettid();
	if (!check_long("pthread_create", 0, pthread_create(&th, NULL, kill_later, NULL)))
		return;
	n = read(fd, &si, sizeof si);
	alarm(0);
	pthread_join(th, NULL);
	if (check_long("blocked read", sizeof si, n))
		check_long("woken by the thread's SIGUSR2", SIGUSR2, si.ssi_signo);
	close(fd);
}

int main(void)
{
	sigset_t all = set_of(SIGUSR1, SIGUSR2, SIGTERM);

	sigaddset(&all, SIGRTMIN + 1);
	sigaddset(&all, SIGALRM);
	sigprocmask(SIG_BLOCK, &all, NULL);
	read_in_order();
	sigqueue_fields();
	mask_update();
	errors();
	blocked_read();
	printf("signalfd: done\n");
	return check_exit("signalfd");
}
