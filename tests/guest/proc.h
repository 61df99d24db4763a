/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for the process tests (proc_fork, proc_wait, proc_exec, ...):
 * children report through pipes and exit statuses, never through signal
 * handlers.
 *
 * A child made by proc_fork() starts with no failures counted and no
 * children on record. It leaves with proc_child_exit() or _exit(), never
 * exit(): that would run the parent's atexit handlers (tmpdir.h's removes
 * the parent's directory) and flush a copy of its stdio buffers.
 *
 * Every child is on record from fork until it is reaped through
 * proc_wait(); proc_finish() kills and reaps whatever is left and fails the
 * test for each. Held children (proc_hold) block reading a pipe whose write
 * end only the parent has, so they also end when the parent dies.
 */
#ifndef UMBRA_GUEST_PROC_H
#define UMBRA_GUEST_PROC_H

#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Raw wait statuses, for check_status(). */
#define PROC_EXITED(code) (((code) & 0xff) << 8)
#define PROC_KILLED(sig) (sig)

/* What a held child exits with when its gate closes without a byte. */
#define PROC_EOF_STATUS 99

/* A pid above PID_MAX_LIMIT (4M): no process has it. */
#define PROC_NO_PID ((pid_t)0x3fffffff)

#define PROC_MAX_KIDS 64

static pid_t proc_kids[PROC_MAX_KIDS];

static inline void proc_track(pid_t pid)
{
	for (int i = 0; i < PROC_MAX_KIDS; i++) {
		if (!proc_kids[i]) {
			proc_kids[i] = pid;
			return;
		}
	}
	fail("proc.h: more than %d children on record", PROC_MAX_KIDS);
}

/* Takes a reaped child off the record. */
static inline void proc_forget(pid_t pid)
{
	for (int i = 0; i < PROC_MAX_KIDS; i++)
		if (pid > 0 && proc_kids[i] == pid)
			proc_kids[i] = 0;
}

/* fork(), with stdio flushed first so that no child writes a copy. */
static inline pid_t proc_fork(const char *what)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fail("%s: fork: expected a pid got -1 (errno %s)", what,
		     err_name(errno));
	} else if (pid == 0) {
		check_failures = 0;
		memset(proc_kids, 0, sizeof(proc_kids));
	} else {
		proc_track(pid);
	}
	return pid;
}

/* A child's end: status 0 when its checks passed, 1 otherwise. */
static inline __attribute__((noreturn)) void proc_child_exit(void)
{
	_exit(check_failures ? 1 : 0);
}

/* wait4(pid, status, options, NULL), again after EINTR; reaped children
 * leave the record. */
static inline pid_t proc_wait(pid_t pid, int *status, int options)
{
	pid_t r;

	do
		r = wait4(pid, status, options, NULL);
	while (r == -1 && errno == EINTR);
	if (r > 0)
		proc_forget(r);
	return r;
}

static inline const char *proc_status_name(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by %s%s",
			 sigabbrev_np(WTERMSIG(status)) ?: "?",
			 WCOREDUMP(status) ? " (core)" : "");
	else if (WIFSTOPPED(status))
		snprintf(buf, len, "stopped by %s",
			 sigabbrev_np(WSTOPSIG(status)) ?: "?");
	else if (WIFCONTINUED(status))
		snprintf(buf, len, "continued");
	else
		snprintf(buf, len, "status %#x", status);
	return buf;
}

/* A wait status compared with PROC_EXITED(n) or PROC_KILLED(sig). */
static inline int check_status(const char *what, int expected, int got)
{
	char a[48], b[48];

	if (expected != got) {
		fail("%s: expected %s got %s", what,
		     proc_status_name(expected, a, sizeof(a)),
		     proc_status_name(got, b, sizeof(b)));
		return 0;
	}
	return 1;
}

/* Reaps pid (blocking) and checks its status. */
static inline int proc_reap(const char *what, pid_t pid, int expected)
{
	int status = 0;
	pid_t r;

	if (pid <= 0)
		return 0;
	r = proc_wait(pid, &status, 0);
	if (r != pid) {
		fail("%s: wait4: expected the child got %ld (errno %s)", what,
		     (long)r, err_name(errno));
		return 0;
	}
	return check_status(what, expected, status);
}

/* Blocks until pid has ended, leaving it a zombie (waitid WNOWAIT). */
static inline int proc_await_zombie(const char *what, pid_t pid)
{
	siginfo_t si;
	int r;

	do
		r = waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	while (r == -1 && errno == EINTR);
	if (r != 0) {
		fail("%s: waitid(WNOWAIT): expected 0 got -1 (errno %s)", what,
		     err_name(errno));
		return 0;
	}
	return 1;
}

/* Kills and reaps every child still on record; each is a failure. */
static inline void proc_finish(void)
{
	for (int i = 0; i < PROC_MAX_KIDS; i++) {
		pid_t pid = proc_kids[i];

		if (!pid)
			continue;
		fail("a child was left behind: expected none got pid %ld",
		     (long)pid);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		proc_kids[i] = 0;
	}
}

/* A pipe whose ends an exec'd image does not inherit. */
static inline int proc_pipe(const char *what, int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) != 0) {
		fail("%s: pipe2: expected 0 got -1 (errno %s)", what,
		     err_name(errno));
		fds[0] = fds[1] = -1;
		return 0;
	}
	return 1;
}

static inline void proc_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Writes all of buf; nonzero on success. */
static inline int proc_send(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		p += n;
		len -= (size_t)n;
	}
	return 1;
}

/* Reads up to len bytes, until EOF; the count, or -1. */
static inline ssize_t proc_recv_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Reads exactly len bytes; nonzero on success. */
static inline int proc_recv(const char *what, int fd, void *buf, size_t len)
{
	ssize_t n = proc_recv_all(fd, buf, len);

	if (n != (ssize_t)len) {
		fail("%s: reading the child's report: expected %zu bytes got %ld (errno %s)",
		     what, len, (long)n, n < 0 ? err_name(errno) : "none");
		return 0;
	}
	return 1;
}

/* Closes the fds in [lo, hi]. */
static inline void proc_close_range(unsigned int lo, unsigned int hi)
{
	if (lo > hi || syscall(SYS_close_range, lo, hi, 0) == 0)
		return;
	for (unsigned int fd = lo; fd <= hi && fd < 4096; fd++)
		close((int)fd);
}

/* Closes every fd from 3 up except keep and keep2 (-1: none). */
static inline void proc_close_others(int keep, int keep2)
{
	int lo = keep < keep2 ? keep : keep2, hi = keep < keep2 ? keep2 : keep;
	unsigned int from = 3;

	if (lo >= 3) {
		proc_close_range(from, (unsigned int)lo - 1);
		from = (unsigned int)lo + 1;
	}
	if (hi >= 3 && hi != lo) {
		proc_close_range(from, (unsigned int)hi - 1);
		from = (unsigned int)hi + 1;
	}
	proc_close_range(from, ~0U);
}

/*
 * A child that runs before() (may be NULL), tells the parent it is ready,
 * then blocks reading a pipe: it exits with the byte proc_release() writes,
 * PROC_EOF_STATUS when the pipe closes without one, or 1 when a check in
 * before() failed. *gate gets the pipe's write end. The child keeps no fd
 * but 0-2 and the pipe's read end, so a later child cannot hold its gate
 * open. Returns the pid, or -1 with nothing left behind.
 */
static inline pid_t proc_hold(const char *what, int *gate, void (*before)(void))
{
	int g[2], ready[2];
	unsigned char c;
	pid_t pid;

	*gate = -1;
	if (!proc_pipe(what, g))
		return -1;
	if (!proc_pipe(what, ready)) {
		proc_close(&g[0]);
		proc_close(&g[1]);
		return -1;
	}
	pid = proc_fork(what);
	if (pid == 0) {
		ssize_t n;

		proc_close_others(g[0], ready[1]);
		if (before)
			before();
		c = 0;
		if (!proc_send(ready[1], &c, 1))
			_exit(2);
		close(ready[1]);
		do
			n = read(g[0], &c, 1);
		while (n < 0 && errno == EINTR);
		if (check_failures)
			_exit(1);
		_exit(n == 1 ? c : PROC_EOF_STATUS);
	}
	proc_close(&g[0]);
	proc_close(&ready[1]);
	if (pid > 0 && !proc_recv(what, ready[0], &c, 1)) {
		kill(pid, SIGKILL);
		proc_wait(pid, NULL, 0);
		pid = -1;
	}
	proc_close(&ready[0]);
	if (pid > 0)
		*gate = g[1];
	else
		proc_close(&g[1]);
	return pid;
}

/*
 * A held child with a held child of its own: *grandchild gets the latter's
 * pid. Closing *gate lets both go; the child reaps the grandchild and exits
 * 0 when it exited 0. Returns the child's pid, or -1.
 */
static inline pid_t proc_hold_pair(const char *what, int *gate,
				   pid_t *grandchild)
{
	int g[2], rep[2], st;
	unsigned char c;
	pid_t pid, gc;

	*gate = -1;
	*grandchild = -1;
	if (!proc_pipe(what, g))
		return -1;
	if (!proc_pipe(what, rep)) {
		proc_close(&g[0]);
		proc_close(&g[1]);
		return -1;
	}
	pid = proc_fork(what);
	if (pid == 0) {
		proc_close_others(g[0], rep[1]);
		gc = proc_fork(what);
		if (gc == 0) {
			close(rep[1]);
			while (read(g[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		if (gc < 0 || !proc_send(rep[1], &gc, sizeof(gc)))
			_exit(2);
		close(rep[1]);
		while (read(g[0], &c, 1) < 0 && errno == EINTR)
			;
		if (proc_wait(gc, &st, 0) != gc || st != 0)
			_exit(1);
		_exit(0);
	}
	proc_close(&g[0]);
	proc_close(&rep[1]);
	if (pid > 0 && !proc_recv(what, rep[0], &gc, sizeof(gc))) {
		kill(pid, SIGKILL);
		proc_wait(pid, NULL, 0);
		pid = -1;
	}
	proc_close(&rep[0]);
	if (pid > 0) {
		*gate = g[1];
		*grandchild = gc;
	} else {
		proc_close(&g[1]);
	}
	return pid;
}

/* Lets a held child exit with status code. */
static inline void proc_release(int *gate, int code)
{
	unsigned char c = (unsigned char)code;

	if (*gate >= 0 && !proc_send(*gate, &c, 1))
		fail("writing a held child's gate: errno %s", err_name(errno));
	proc_close(gate);
}

static inline void proc_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* The default action for the signals a test relies on, whatever the
 * runner left. */
static inline void proc_default_signals(void)
{
	sigset_t none;

	signal(SIGCHLD, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

#endif /* UMBRA_GUEST_PROC_H */
