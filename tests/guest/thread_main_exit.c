// SPDX-License-Identifier: Apache-2.0
/*
 * The main thread leaves before the others, each case in a forked child
 * whose wait status the parent checks:
 * - the main thread's pthread_exit ends only it: the other threads go on
 *   with the same pid and can join it (its tid word, which glibc gave
 *   set_tid_address at start, is cleared and woken at its exit) and get
 *   its value; wait4 does not report the process while one of them runs;
 *   when the last returns, glibc calls exit(0) and the status is 0, or the
 *   status an exit(3) from that thread gives;
 * - without exit_group, the status is the exit code of the last thread to
 *   exit (since Linux 6.0 the last one sets the group's exit code), not
 *   the leader's: the main thread SYS_exit(5)s, a thread that outlives it
 *   sees the main thread's set_tid_address word cleared, then SYS_exit(7)s,
 *   and wait reports 7.
 */
#include "proc.h"

#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>

/* Bounds on waits that only a broken kernel reaches. */
#define WAIT_SECONDS 10

struct main_exit_report {
	int join_err;
	long join_value;
	pid_t pid;
};

static pthread_t main_thread;
static int report_fd, go_fd;
static int main_exit_code; /* what the joining thread exits with: -1 returns */

/* Reports, then holds the process alive until the parent writes go_fd. */
static void report_and_hold(const void *rep, size_t len)
{
	unsigned char c;

	proc_send(report_fd, rep, len);
	while (read(go_fd, &c, 1) < 0 && errno == EINTR)
		;
}

static void *join_main_thread(void *p)
{
	struct main_exit_report rep = { 0, 0, 0 };
	struct timespec dl;
	void *ret = NULL;

	(void)p;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += WAIT_SECONDS;
	rep.join_err = pthread_clockjoin_np(main_thread, &ret, CLOCK_MONOTONIC, &dl);
	rep.join_value = (long)(intptr_t)ret;
	rep.pid = getpid();
	report_and_hold(&rep, sizeof(rep));
	if (main_exit_code >= 0)
		exit(main_exit_code);
	return NULL;
}

/* Held while the threads are made, so that none ends before its
 * pthread_create returned (thread_short_lived checks that order). */
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;

static void *short_thread(void *p)
{
	pthread_mutex_lock(&start_lock);
	pthread_mutex_unlock(&start_lock);
	proc_sleep_ms((long)(intptr_t)p);
	return NULL;
}

/* Forks a child that runs child(); reads its report of len bytes into
 * rep, checks wait4 does not report it yet, lets it go and reaps it.
 * Returns the child's pid, or -1. */
static pid_t run_case(const char *what, void (*child)(void), void *rep,
		     size_t len, int expected_status)
{
	int reports[2], go[2], status = 0;
	char buf[160];
	pid_t pid, r;

	if (!proc_pipe(what, reports))
		return -1;
	if (!proc_pipe(what, go)) {
		proc_close(&reports[0]);
		proc_close(&reports[1]);
		return -1;
	}
	pid = proc_fork(what);
	if (pid == 0) {
		close(reports[0]);
		close(go[1]);
		report_fd = reports[1];
		go_fd = go[0];
		child();
		_exit(2);
	}
	proc_close(&reports[1]);
	proc_close(&go[0]);
	if (pid > 0 && proc_recv(what, reports[0], rep, len)) {
		r = proc_wait(pid, &status, WNOHANG);
		snprintf(buf, sizeof(buf), "%s: wait4(WNOHANG) while a thread still runs", what);
		check_long(buf, 0, r);
	}
	proc_close(&go[1]); /* the held thread goes on */
	proc_close(&reports[0]);
	snprintf(buf, sizeof(buf), "%s: the process's status", what);
	proc_reap(buf, pid, PROC_EXITED(expected_status));
	return pid;
}

static void pthread_exit_child(void)
{
	pthread_t th;

	main_thread = pthread_self();
	pthread_mutex_lock(&start_lock);
	if (pthread_create(&th, NULL, join_main_thread, NULL) ||
	    pthread_create(&th, NULL, short_thread, (void *)20) ||
	    pthread_create(&th, NULL, short_thread, (void *)40))
		_exit(2);
	pthread_mutex_unlock(&start_lock);
	pthread_exit((void *)42);
}

static void main_pthread_exit(const char *what, int code)
{
	struct main_exit_report rep = { -1, 0, 0 };
	char buf[160];
	pid_t pid;

	main_exit_code = code;
	pid = run_case(what, pthread_exit_child, &rep, sizeof(rep), code < 0 ? 0 : code);
	if (rep.join_err < 0)
		return; /* no report */
	snprintf(buf, sizeof(buf), "%s: a thread joins the main thread", what);
	check_err_ret(buf, rep.join_err, 0);
	snprintf(buf, sizeof(buf), "%s: the main thread's pthread_exit value", what);
	check_long(buf, 42, rep.join_value);
	snprintf(buf, sizeof(buf), "%s: getpid() after the main thread left", what);
	check_long(buf, pid, rep.pid);
}

static int leader_word;

static void *outlive_leader(void *p)
{
	struct timespec ts = { WAIT_SECONDS, 0 };
	int v, cleared;

	(void)p;
	/* The kernel clears leader_word at the main thread's exit and wakes
	 * it with a shared futex wake, as for any clear_child_tid. */
	while ((v = __atomic_load_n(&leader_word, __ATOMIC_ACQUIRE)) != 0)
		if (syscall(SYS_futex, &leader_word, FUTEX_WAIT, v, &ts, NULL, 0) == -1 &&
		    errno == ETIMEDOUT)
			break;
	cleared = __atomic_load_n(&leader_word, __ATOMIC_ACQUIRE) == 0;
	report_and_hold(&cleared, sizeof(cleared));
	syscall(SYS_exit, 7);
	return NULL;
}

static void leader_exit_child(void)
{
	pthread_t th;

	leader_word = gettid();
	if (pthread_create(&th, NULL, outlive_leader, NULL))
		_exit(2);
	syscall(SYS_set_tid_address, &leader_word);
	syscall(SYS_exit, 5);
}

static void leader_status(void)
{
	int cleared = -1;

	run_case("main SYS_exit(5), then the last thread SYS_exit(7)", leader_exit_child,
		 &cleared, sizeof(cleared), 7);
	if (cleared >= 0)
		check_true("the main thread's set_tid_address word is cleared at its exit",
			   cleared);
}

int main(void)
{
	proc_default_signals();
	main_pthread_exit("the main thread's pthread_exit, then the others return", -1);
	main_pthread_exit("the main thread's pthread_exit, then exit(3) from a thread", 3);
	leader_status();
	proc_finish();
	return check_exit("thread_main_exit");
}
