// SPDX-License-Identifier: Apache-2.0
/*
 * Tracing what a tracee creates (kernel/fork.c kernel_clone, kernel/
 * ptrace.c, man 2 ptrace "PTRACE_O_TRACEFORK"):
 *
 * - PTRACE_O_TRACEFORK, TRACEVFORK, TRACECLONE: fork(), vfork() and
 *   pthread_create() stop the tracee with PTRACE_EVENT_FORK, _VFORK and
 *   _CLONE, GETEVENTMSG the new pid or tid;
 * - the new process or thread starts traced by the same tracer and
 *   stopped, with SIGSTOP after TRACEME or ATTACH, with PTRACE_EVENT_STOP
 *   (WSTOPSIG SIGTRAP) under SEIZE; waitpid(__WALL) reports a thread;
 * - PTRACE_O_TRACEVFORKDONE stops the parent once the vfork child has
 *   exited, GETEVENTMSG the child's pid;
 * - the tracer sees the new process's exit, and only then does its real
 *   parent, the tracee, get its SIGCHLD (a signal-delivery-stop, CLD_EXITED
 *   from the child) and reap it; a thread's exit is reported by its tid;
 * - without the options, a fork child is not traced (ESRCH).
 */
#include "tracer.h"

#include <pthread.h>

#define FORK_STATUS 3
#define VFORK_STATUS 4
#define SEIZE_STATUS 6

/* fork(): the child exits FORK_STATUS; reports its pid and wait status. */
static int forker(void *arg)
{
	pid_t g;
	int st = -1;

	(void)arg;
	g = fork();
	if (g == 0)
		_exit(FORK_STATUS);
	if (g > 0 && waitpid(g, &st, 0) != g)
		st = -1;
	pt_report(g, st);
	return 0;
}

/* The new process's pid from GETEVENTMSG, put on record; 0 on failure. */
static pid_t event_pid(const char *what, pid_t pid)
{
	unsigned long msg = 0;
	char w[160];

	snprintf(w, sizeof(w), "%s: GETEVENTMSG", what);
	if (!CHECK_OK(w, pt_sysp(PTRACE_GETEVENTMSG, pid, 0, &msg)))
		return 0;
	if (msg == 0 || msg > (unsigned long)INT32_MAX) {
		fail("%s: GETEVENTMSG: expected a pid got %lu", what, msg);
		return 0;
	}
	proc_track((pid_t)msg);
	return (pid_t)msg;
}

/* The tracer's view of a new child that exits with code. */
static void new_child_runs(const char *what, pid_t g, int code)
{
	char w[160];

	snprintf(w, sizeof(w), "%s: the new child starts stopped", what);
	if (!pt_expect_stop(w, g, SIGSTOP))
		return;
	pt_cont(what, g, 0);
	snprintf(w, sizeof(w), "%s: the tracer sees the new child's exit", what);
	pt_expect_end(w, g, PROC_EXITED(code));
}

/*
 * The tracee, resumed, stops for the SIGCHLD of its child's exit, which
 * the tracer passes on; at a vfork, after the VFORK_DONE event.
 */
static void sigchld_stop(const char *what, pid_t pid, pid_t g)
{
	char w[160];

	snprintf(w, sizeof(w), "%s: the child's SIGCHLD stops the parent", what);
	if (pt_expect_stop(w, pid, SIGCHLD))
		pt_check_siginfo(w, pid, SIGCHLD, CLD_EXITED, g, getuid());
	pt_cont(what, pid, SIGCHLD);
}

/* The parent's report: the child's pid and the status it reaped. */
static void check_parent(const char *what, pid_t pid, pid_t g, int code)
{
	struct pt_report r;
	char w[160];

	if (pt_recv_report(what, &r)) {
		snprintf(w, sizeof(w), "%s: the pid fork returned", what);
		check_long(w, g, r.v[0]);
		snprintf(w, sizeof(w), "%s: the real parent reaps the child", what);
		check_status(w, PROC_EXITED(code), (int)r.v[1]);
	}
	pt_expect_end(what, pid, PROC_EXITED(0));
}

static void trace_fork(void)
{
	const char *what = "TRACEFORK";
	pid_t pid, g = 0;

	pt_watchdog(what, PT_TIMEOUT);
	pid = pt_traced_child(what, forker);
	if (pid < 0)
		return;
	CHECK_OK("SETOPTIONS TRACEFORK",
		 pt_sys(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEFORK | PTRACE_O_EXITKILL));
	pt_cont(what, pid, 0);
	if (pt_expect_event("fork", pid, PTRACE_EVENT_FORK))
		g = event_pid(what, pid);
	if (g > 0)
		new_child_runs(what, g, FORK_STATUS);
	pt_cont(what, pid, 0);
	sigchld_stop(what, pid, g);
	check_parent(what, pid, g, FORK_STATUS);
}

static void untraced_fork(void)
{
	const char *what = "fork without TRACEFORK";
	struct pt_report r;
	pid_t pid;

	pt_watchdog(what, PT_TIMEOUT);
	pid = pt_traced_child(what, forker);
	if (pid < 0)
		return;
	pt_cont(what, pid, 0);
	if (pt_expect_stop("the untraced child's SIGCHLD stops the parent", pid, SIGCHLD))
		pt_cont(what, pid, SIGCHLD);
	if (pt_recv_report(what, &r)) {
		check_status("the untraced fork child's exit", PROC_EXITED(FORK_STATUS),
			     (int)r.v[1]);
		CHECK_ERRNO("PTRACE_CONT of the untraced fork child",
			    pt_sys(PTRACE_CONT, (pid_t)r.v[0], 0, 0), ESRCH);
	}
	pt_expect_end(what, pid, PROC_EXITED(0));
}

static int vforker(void *arg)
{
	pid_t g;
	int st = -1;

	(void)arg;
	g = vfork();
	if (g == 0)
		_exit(VFORK_STATUS);
	if (g > 0 && waitpid(g, &st, 0) != g)
		st = -1;
	pt_report(g, st);
	return 0;
}

static void trace_vfork(void)
{
	const char *what = "TRACEVFORK";
	unsigned long msg = 0;
	pid_t pid, g = 0;

	pt_watchdog(what, PT_TIMEOUT);
	pid = pt_traced_child(what, vforker);
	if (pid < 0)
		return;
	CHECK_OK("SETOPTIONS TRACEVFORK | TRACEVFORKDONE",
		 pt_sys(PTRACE_SETOPTIONS, pid, 0,
			PTRACE_O_TRACEVFORK | PTRACE_O_TRACEVFORKDONE | PTRACE_O_EXITKILL));
	pt_cont(what, pid, 0);
	if (pt_expect_event("vfork", pid, PTRACE_EVENT_VFORK))
		g = event_pid(what, pid);
	if (g > 0)
		new_child_runs(what, g, VFORK_STATUS);
	pt_cont(what, pid, 0);
	if (pt_expect_event("vfork done", pid, PTRACE_EVENT_VFORK_DONE) &&
	    CHECK_OK("GETEVENTMSG at vfork done", pt_sysp(PTRACE_GETEVENTMSG, pid, 0, &msg)))
		check_long("vfork done's message: the child", g, msg);
	pt_cont(what, pid, 0);
	sigchld_stop(what, pid, g);
	check_parent(what, pid, g, VFORK_STATUS);
}

static volatile pid_t thread_tid;

static void *thread_main(void *arg)
{
	(void)arg;
	thread_tid = (pid_t)syscall(SYS_gettid);
	return NULL;
}

static int threader(void *arg)
{
	pthread_t th;

	(void)arg;
	if (pthread_create(&th, NULL, thread_main, NULL) != 0)
		return 4;
	pthread_join(th, NULL);
	pt_report(thread_tid);
	return 0;
}

static void trace_clone(void)
{
	const char *what = "TRACECLONE";
	struct pt_report r;
	pid_t pid, tid = 0;

	pt_watchdog(what, PT_TIMEOUT);
	pid = pt_traced_child(what, threader);
	if (pid < 0)
		return;
	CHECK_OK("SETOPTIONS TRACECLONE",
		 pt_sys(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL));
	pt_cont(what, pid, 0);
	if (pt_expect_event("pthread_create", pid, PTRACE_EVENT_CLONE))
		tid = event_pid(what, pid);
	if (tid > 0) {
		if (pt_expect_stop("the new thread starts stopped", tid, SIGSTOP))
			pt_cont(what, tid, 0);
		pt_expect_end("the thread's exit, waited for by its tid", tid, PROC_EXITED(0));
	}
	pt_cont(what, pid, 0);
	if (pt_recv_report(what, &r))
		check_long("the thread's tid is the event's message", tid, r.v[0]);
	pt_expect_end(what, pid, PROC_EXITED(0));
}

/* A child that forks when told to (one byte on cmd), then reports. */
static pid_t fork_on_command(const char *what, int *cmd)
{
	int c[2];
	pid_t pid;

	*cmd = -1;
	if (!proc_pipe(what, c) || !proc_pipe(what, pt_rep))
		return -1;
	pid = proc_fork(what);
	if (pid == 0) {
		char ch;
		pid_t g;
		int st = -1;

		close(c[1]);
		close(pt_rep[0]);
		if (read(c[0], &ch, 1) != 1)
			_exit(2);
		g = fork();
		if (g == 0)
			_exit(SEIZE_STATUS);
		if (g > 0 && waitpid(g, &st, 0) != g)
			st = -1;
		pt_report(g, st);
		_exit(0);
	}
	proc_close(&c[0]);
	proc_close(&pt_rep[1]);
	*cmd = c[1];
	return pid;
}

static void seize_fork(void)
{
	const char *what = "TRACEFORK under SEIZE";
	pid_t pid, g = 0;
	char ch = 1;
	int cmd;

	pt_watchdog(what, PT_TIMEOUT);
	pid = fork_on_command(what, &cmd);
	if (pid < 0)
		return;
	if (!CHECK_OK("SEIZE with TRACEFORK",
		      pt_sys(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACEFORK | PTRACE_O_EXITKILL))) {
		proc_close(&cmd);
		proc_close(&pt_rep[0]);
		proc_reap(what, pid, PROC_EXITED(2));
		return;
	}
	proc_send(cmd, &ch, 1);
	proc_close(&cmd);
	if (pt_expect_event("fork under SEIZE", pid, PTRACE_EVENT_FORK))
		g = event_pid(what, pid);
	if (g > 0) {
		if (pt_expect_event("the new child starts in PTRACE_EVENT_STOP", g,
				    PTRACE_EVENT_STOP))
			pt_cont(what, g, 0);
		pt_expect_end("the tracer sees the new child's exit", g,
			      PROC_EXITED(SEIZE_STATUS));
	}
	pt_cont(what, pid, 0);
	sigchld_stop(what, pid, g);
	check_parent(what, pid, g, SEIZE_STATUS);
}

int main(void)
{
	proc_default_signals();
	trace_fork();
	untraced_fork();
	trace_vfork();
	trace_clone();
	seize_fork();
	alarm(0);
	proc_finish();
	return check_exit("ptrace_fork");
}
