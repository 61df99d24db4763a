/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CLONE_PIDFD (kernel/fork.c): clone writes the pidfd where parent_tid
 * points, clone3 at args.pidfd, before the child runs. The fd is
 * close-on-exec, in the parent's table only, polls readable once the child
 * has ended, and serves pidfd_send_signal and waitid(P_PIDFD). EINVAL:
 * clone's CLONE_PIDFD with CLONE_PARENT_SETTID, clone3's with both at one
 * address, CLONE_DETACHED; EFAULT when the pidfd cannot be written (and
 * no child is left behind).
 */
#include "check.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

#define WAIT_MS 10000

/* A fork through clone: parent_tid is the third argument on both arches. */
static long raw_clone(unsigned long flags, void *parent_tid)
{
	return syscall(SYS_clone, flags, 0L, parent_tid, 0L, 0L);
}

static long raw_clone3(struct clone_args *args)
{
	return syscall(SYS_clone3, args, sizeof *args);
}

/* The child: waits for a byte (or the pipe's end), checks that the fd the
 * parent's pidfd got is not open here, exits with 7. */
static void child(int gate, int expect_fd)
{
	char c;

	if (fcntl(expect_fd, F_GETFD) != -1 || errno != EBADF)
		_exit(3);
	(void)read(gate, &c, 1);
	_exit(7);
}

static int lowest_free_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

static void check_pollin(const char *what, int pidfd, int timeout, int expect)
{
	struct pollfd p = { pidfd, POLLIN, 0 };
	int n = poll(&p, 1, timeout);

	if (expect)
		check_true(what, n == 1 && (p.revents & POLLIN));
	else
		check_long(what, 0, n);
}

static void check_waitid(const char *what, int pidfd, pid_t pid, int code, int status)
{
	siginfo_t si;
	char buf[128];

	memset(&si, 0, sizeof si);
	if (!CHECK_OK(what, waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED)))
		return;
	snprintf(buf, sizeof buf, "%s: si_pid", what);
	check_long(buf, pid, si.si_pid);
	snprintf(buf, sizeof buf, "%s: si_code", what);
	check_long(buf, code, si.si_code);
	snprintf(buf, sizeof buf, "%s: si_status", what);
	check_long(buf, status, si.si_status);
}

static void clone_with_pidfd(void)
{
	int gate[2], pidfd = -1, expect = -1;
	long pid;

	if (pipe(gate) < 0)
		return fail("pipe: errno %s", err_name(errno));
	expect = lowest_free_fd();
	fflush(stdout);
	fflush(stderr);
	pid = raw_clone(CLONE_PIDFD | SIGCHLD, &pidfd);
	if (pid == 0) {
		close(gate[1]);
		child(gate[0], expect);
	}
	close(gate[0]);
	if (!check_ok("clone CLONE_PIDFD", pid, errno))
		return;
	check_long("clone CLONE_PIDFD: the fd", expect, pidfd);
	check_long("clone CLONE_PIDFD: FD_CLOEXEC", FD_CLOEXEC, fcntl(pidfd, F_GETFD));
	check_pollin("clone pidfd: not readable while the child runs", pidfd, 0, 0);
	(void)write(gate[1], "x", 1);
	check_pollin("clone pidfd: readable once the child ended", pidfd, WAIT_MS, 1);
	check_waitid("clone pidfd: waitid P_PIDFD", pidfd, (pid_t)pid, CLD_EXITED, 7);
	close(gate[1]);
	close(pidfd);
	printf("clone CLONE_PIDFD: pidfd, poll, waitid\n");
}

static void clone3_with_pidfd(void)
{
	struct clone_args args;
	int gate[2], pidfd = -1, expect;
	long pid;

	if (pipe(gate) < 0)
		return fail("pipe: errno %s", err_name(errno));
	expect = lowest_free_fd();
	memset(&args, 0, sizeof args);
	args.flags = CLONE_PIDFD;
	args.pidfd = (uintptr_t)&pidfd;
	args.exit_signal = SIGCHLD;
	fflush(stdout);
	fflush(stderr);
	pid = raw_clone3(&args);
	if (pid == 0) {
		close(gate[1]);
		child(gate[0], expect);
	}
	close(gate[0]);
	if (!check_ok("clone3 CLONE_PIDFD", pid, errno))
		return;
	check_long("clone3 CLONE_PIDFD: the fd", expect, pidfd);
	check_long("clone3 CLONE_PIDFD: FD_CLOEXEC", FD_CLOEXEC, fcntl(pidfd, F_GETFD));
	CHECK_OK("pidfd_send_signal SIGTERM", syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0));
	check_pollin("clone3 pidfd: readable once the child was killed", pidfd, WAIT_MS, 1);
	check_waitid("clone3 pidfd: waitid P_PIDFD", pidfd, (pid_t)pid, CLD_KILLED, SIGTERM);
	close(gate[1]);
	close(pidfd);
	printf("clone3 CLONE_PIDFD: pidfd_send_signal, poll, waitid\n");
}

/* A child that exits at once, reaped by pid. */
static void reap(const char *what, long pid)
{
	int status = -1;

	if (pid == 0)
		_exit(0);
	if (pid > 0 && waitpid((pid_t)pid, &status, 0) != pid)
		fail("%s: waitpid: errno %s", what, err_name(errno));
}

static void einval_cases(void)
{
	struct clone_args args;
	int pidfd = -1, tid = -1;
	long pid;

	CHECK_ERRNO("clone CLONE_PIDFD|CLONE_PARENT_SETTID",
		    raw_clone(CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, &pidfd), EINVAL);
	CHECK_ERRNO("clone CLONE_PIDFD|CLONE_DETACHED",
		    raw_clone(CLONE_PIDFD | CLONE_DETACHED | SIGCHLD, &pidfd), EINVAL);
	memset(&args, 0, sizeof args);
	args.flags = CLONE_PIDFD | CLONE_PARENT_SETTID;
	args.pidfd = args.parent_tid = (uintptr_t)&pidfd;
	args.exit_signal = SIGCHLD;
	CHECK_ERRNO("clone3 CLONE_PIDFD|CLONE_PARENT_SETTID at one address", raw_clone3(&args),
		    EINVAL);
	args.flags = CLONE_PIDFD | CLONE_DETACHED;
	CHECK_ERRNO("clone3 CLONE_PIDFD|CLONE_DETACHED", raw_clone3(&args), EINVAL);
	/* Apart, both are written. */
	args.flags = CLONE_PIDFD | CLONE_PARENT_SETTID;
	args.parent_tid = (uintptr_t)&tid;
	fflush(stdout);
	fflush(stderr);
	pid = raw_clone3(&args);
	if (check_ok("clone3 CLONE_PIDFD|CLONE_PARENT_SETTID apart", pid, errno)) {
		reap("clone3 apart", pid);
		check_long("clone3 apart: parent_tid", pid, tid);
		check_true("clone3 apart: pidfd", pidfd >= 0);
		close(pidfd);
	}
	args.flags = CLONE_PIDFD;
	args.pidfd = (uintptr_t)bad_address();
	pid = raw_clone3(&args);
	reap("clone3 with a bad pidfd pointer", pid);
	check_errno("clone3 CLONE_PIDFD to a bad address", pid, errno, EFAULT);
	CHECK_ERRNO("no child left behind", waitpid(-1, NULL, WNOHANG), ECHILD);
	printf("CLONE_PIDFD: EINVAL and EFAULT cases\n");
}

int main(void)
{
	clone_with_pidfd();
	clone3_with_pidfd();
	einval_cases();
	return check_exit("clone_pidfd");
}
