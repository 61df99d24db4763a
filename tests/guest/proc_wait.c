// SPDX-License-Identifier: Apache-2.0
/*
 * wait4, waitpid and waitid (kernel/exit.c) with Linux's errnos: ECHILD
 * without children and for pids that are not children (self, a
 * grandchild, no process); options are judged before children (EINVAL for
 * bits wait4 does not take, for waitid without WEXITED|WSTOPPED|WCONTINUED,
 * for a bad idtype or id); wait4(INT_MIN) is ESRCH. WNOHANG returns 0 while
 * a child runs (waitid then zeroes si_signo and si_pid). waitid's siginfo:
 * si_signo SIGCHLD, si_code CLD_EXITED or CLD_KILLED, si_pid, si_uid,
 * si_status. WNOWAIT leaves the zombie for a later wait. A bad status,
 * rusage or infop pointer is EFAULT after the child is reaped: the next
 * wait is ECHILD. pid -1 and P_ALL collect several children in any order;
 * pid 0, P_PGID 0, -PGID and P_PGID PGID select by process group. A child
 * killed by SIGKILL or by its own raise(SIGTERM) shows WIFSIGNALED.
 */
#include "proc.h"

static pid_t me;

static void check_siginfo(const char *what, const siginfo_t *si, pid_t pid,
			  int code, int status)
{
	char w[160];

	snprintf(w, sizeof(w), "%s: si_signo", what);
	check_long(w, SIGCHLD, si->si_signo);
	snprintf(w, sizeof(w), "%s: si_errno", what);
	check_long(w, 0, si->si_errno);
	snprintf(w, sizeof(w), "%s: si_code", what);
	check_long(w, code, si->si_code);
	snprintf(w, sizeof(w), "%s: si_pid", what);
	check_long(w, pid, si->si_pid);
	snprintf(w, sizeof(w), "%s: si_uid", what);
	check_long(w, getuid(), si->si_uid);
	snprintf(w, sizeof(w), "%s: si_status", what);
	check_long(w, status, si->si_status);
}

/* waitid, again after EINTR, with si filled with junk first. */
static int do_waitid(idtype_t type, id_t id, siginfo_t *si, int options)
{
	int r;

	if (si && si != bad_address())
		memset(si, 0x5a, sizeof(*si));
	do
		r = waitid(type, id, si, options);
	while (r == -1 && errno == EINTR);
	return r;
}

static void no_children(void)
{
	siginfo_t si;
	int st;

	CHECK_ERRNO("wait4(-1) without children", wait4(-1, &st, 0, NULL), ECHILD);
	CHECK_ERRNO("waitpid(-1, WNOHANG) without children",
		    waitpid(-1, &st, WNOHANG), ECHILD);
	CHECK_ERRNO("wait(NULL) without children", wait(NULL), ECHILD);
	CHECK_ERRNO("waitpid(0) without children", waitpid(0, &st, 0), ECHILD);
	CHECK_ERRNO("waitid(P_ALL) without children",
		    do_waitid(P_ALL, 0, &si, WEXITED), ECHILD);
	CHECK_ERRNO("waitid(P_PGID, 0) without children",
		    do_waitid(P_PGID, 0, &si, WEXITED | WNOHANG), ECHILD);
	CHECK_ERRNO("wait4(own pid)", wait4(me, &st, 0, NULL), ECHILD);
	CHECK_ERRNO("wait4(no such pid)", wait4(PROC_NO_PID, &st, 0, NULL), ECHILD);
	CHECK_ERRNO("waitid(P_PID, own pid)", do_waitid(P_PID, (id_t)me, &si, WEXITED),
		    ECHILD);
	/* Nothing is written without a child. */
	CHECK_ERRNO("wait4(-1) with a bad status pointer and no children",
		    wait4(-1, bad_address(), 0, NULL), ECHILD);
	/* -INT_MIN does not exist: Linux refuses it before looking. */
	CHECK_ERRNO("wait4(INT_MIN)", wait4(INT_MIN, &st, 0, NULL), ESRCH);
}

/* Options are judged before anything else, children or not. */
static void bad_options(void)
{
	siginfo_t si;
	int st;

	CHECK_ERRNO("wait4 option 0x100", wait4(-1, &st, 0x100, NULL), EINVAL);
	CHECK_ERRNO("wait4 WEXITED", wait4(-1, &st, WEXITED, NULL), EINVAL);
	CHECK_ERRNO("wait4 WNOWAIT", wait4(-1, &st, WNOHANG | WNOWAIT, NULL), EINVAL);
	CHECK_ERRNO("waitpid option 1 << 20", waitpid(-1, &st, 1 << 20), EINVAL);
	CHECK_ERRNO("waitid options 0", do_waitid(P_ALL, 0, &si, 0), EINVAL);
	CHECK_ERRNO("waitid WNOHANG alone", do_waitid(P_ALL, 0, &si, WNOHANG), EINVAL);
	CHECK_ERRNO("waitid WNOWAIT alone", do_waitid(P_ALL, 0, &si, WNOWAIT), EINVAL);
	CHECK_ERRNO("waitid WEXITED | 0x100",
		    do_waitid(P_ALL, 0, &si, WEXITED | 0x100), EINVAL);
	CHECK_ERRNO("waitid idtype 42", do_waitid((idtype_t)42, 0, &si, WEXITED), EINVAL);
	CHECK_ERRNO("waitid P_PID 0", do_waitid(P_PID, 0, &si, WEXITED), EINVAL);
	CHECK_ERRNO("waitid P_PID -1", do_waitid(P_PID, (id_t)-1, &si, WEXITED), EINVAL);
	CHECK_ERRNO("waitid P_PGID -1", do_waitid(P_PGID, (id_t)-1, &si, WEXITED), EINVAL);
}

static void wnohang(void)
{
	siginfo_t si;
	pid_t pid;
	int gate, st = 0x1234;

	pid = proc_hold("wnohang", &gate, NULL);
	if (pid < 0)
		return;
	check_long("waitpid(pid, WNOHANG) while it runs", 0,
		   waitpid(pid, &st, WNOHANG));
	check_long("the status is left alone", 0x1234, st);
	check_long("wait4(-1, WNOHANG) while it runs", 0,
		   wait4(-1, &st, WNOHANG, NULL));
	check_long("waitpid(0, WNOHANG) while it runs", 0,
		   waitpid(0, &st, WNOHANG));
	check_long("waitid(P_PID, WNOHANG) while it runs", 0,
		   do_waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG));
	check_long("waitid WNOHANG: si_signo zeroed", 0, si.si_signo);
	check_long("waitid WNOHANG: si_pid zeroed", 0, si.si_pid);
	check_long("waitid WNOHANG: si_status zeroed", 0, si.si_status);
	check_long("waitid(P_ALL, WNOHANG) while it runs", 0,
		   do_waitid(P_ALL, 0, &si, WEXITED | WNOHANG));
	/* Nothing to report: wait4 writes no status, waitid still zeroes. */
	check_long("wait4(WNOHANG) with a bad status pointer while it runs", 0,
		   wait4(pid, bad_address(), WNOHANG, NULL));
	CHECK_ERRNO("waitid(WNOHANG) with a bad infop while it runs",
		    do_waitid(P_PID, (id_t)pid, bad_address(), WEXITED | WNOHANG),
		    EFAULT);
	CHECK_ERRNO("waitid(P_PGID) of a group without children",
		    do_waitid(P_PGID, (id_t)pid, &si, WEXITED | WNOHANG), ECHILD);
	proc_release(&gate, 5);
	st = 0;
	check_long("waitpid after the release", pid, proc_wait(pid, &st, 0));
	check_true("WIFEXITED", WIFEXITED(st));
	check_long("WEXITSTATUS", 5, WEXITSTATUS(st));
	check_true("not WIFSIGNALED", !WIFSIGNALED(st));
	CHECK_ERRNO("a reaped child is not a child", waitpid(pid, &st, WNOHANG),
		    ECHILD);
}

static void siginfo_exited(void)
{
	struct rusage ru;
	siginfo_t si;
	pid_t pid;
	int gate, st;

	/* P_PID */
	pid = proc_hold("waitid P_PID", &gate, NULL);
	proc_release(&gate, 17);
	if (pid > 0 && CHECK_OK("waitid(P_PID, WEXITED)",
				do_waitid(P_PID, (id_t)pid, &si, WEXITED))) {
		proc_forget(pid);
		check_siginfo("waitid P_PID", &si, pid, CLD_EXITED, 17);
	}
	CHECK_ERRNO("waitid(P_PID) after the reap",
		    do_waitid(P_PID, (id_t)pid, &si, WEXITED), ECHILD);

	/* P_ALL */
	pid = proc_hold("waitid P_ALL", &gate, NULL);
	proc_release(&gate, 0);
	if (pid > 0 && CHECK_OK("waitid(P_ALL, WEXITED)",
				do_waitid(P_ALL, 0, &si, WEXITED))) {
		proc_forget(si.si_pid);
		check_siginfo("waitid P_ALL", &si, pid, CLD_EXITED, 0);
	}

	/* WNOWAIT: the zombie stays until a wait without it. */
	pid = proc_hold("WNOWAIT", &gate, NULL);
	proc_release(&gate, 33);
	if (pid > 0 && CHECK_OK("waitid(WNOWAIT)",
				do_waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT)))
		check_siginfo("waitid WNOWAIT", &si, pid, CLD_EXITED, 33);
	if (CHECK_OK("waitid(WNOWAIT) again",
		     do_waitid(P_ALL, 0, &si, WEXITED | WNOWAIT | WNOHANG)))
		check_siginfo("waitid WNOWAIT again", &si, pid, CLD_EXITED, 33);
	check_long("the zombie still takes signal 0", 0, kill(pid, 0));
	memset(&ru, 0x5a, sizeof(ru));
	st = 0;
	check_long("wait4 after WNOWAIT", pid, wait4(pid, &st, 0, &ru));
	proc_forget(pid);
	check_status("wait4 after WNOWAIT", PROC_EXITED(33), st);
	check_true("rusage: ru_utime.tv_usec in range",
		   ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
	check_true("rusage: ru_stime.tv_usec in range",
		   ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000);
	check_true("rusage: ru_maxrss >= 0", ru.ru_maxrss >= 0);
	CHECK_ERRNO("kill(0) after the reap", kill(pid, 0), ESRCH);

	/* A NULL infop is allowed: the child is reaped all the same. */
	pid = proc_hold("NULL infop", &gate, NULL);
	proc_release(&gate, 3);
	if (pid > 0 && CHECK_OK("waitid(P_PID) with a NULL infop",
				do_waitid(P_PID, (id_t)pid, NULL, WEXITED)))
		proc_forget(pid);
	CHECK_ERRNO("waitid(NULL infop) reaped", waitpid(pid, &st, WNOHANG), ECHILD);
}

/* The child is reaped before the status is written: EFAULT, then ECHILD. */
static void efault(void)
{
	struct rusage ru;
	siginfo_t si;
	pid_t pid;
	int gate, st;

	pid = proc_hold("EFAULT status", &gate, NULL);
	proc_release(&gate, 1);
	if (pid > 0 && proc_await_zombie("EFAULT status", pid)) {
		CHECK_ERRNO("wait4 with a bad status pointer",
			    wait4(pid, bad_address(), 0, NULL), EFAULT);
		CHECK_ERRNO("... reaped the child", wait4(pid, &st, WNOHANG, NULL),
			    ECHILD);
		proc_forget(pid);
	}

	pid = proc_hold("EFAULT rusage", &gate, NULL);
	proc_release(&gate, 1);
	if (pid > 0 && proc_await_zombie("EFAULT rusage", pid)) {
		CHECK_ERRNO("wait4 with a bad rusage pointer",
			    wait4(pid, &st, 0, bad_address()), EFAULT);
		CHECK_ERRNO("... reaped the child", wait4(pid, &st, WNOHANG, &ru),
			    ECHILD);
		proc_forget(pid);
	}

	pid = proc_hold("EFAULT infop", &gate, NULL);
	proc_release(&gate, 1);
	if (pid > 0 && proc_await_zombie("EFAULT infop", pid)) {
		CHECK_ERRNO("waitid with a bad infop",
			    do_waitid(P_PID, (id_t)pid, bad_address(), WEXITED), EFAULT);
		CHECK_ERRNO("... reaped the child",
			    do_waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG), ECHILD);
		proc_forget(pid);
	}
}

/* Five children, released in reverse order, collected by pid -1 / P_ALL. */
static void any_child(void)
{
	enum { N = 5 };
	pid_t pids[N];
	int gates[N], seen[N] = { 0 };
	siginfo_t si;

	for (int i = 0; i < N; i++)
		pids[i] = proc_hold("any child", &gates[i], NULL);
	for (int i = N - 1; i >= 0; i--)
		proc_release(&gates[i], 10 + i);
	for (int n = 0; n < N; n++) {
		pid_t got;
		int st = 0, i;

		if (n < 3) {
			got = proc_wait(-1, &st, 0);
		} else if (do_waitid(P_ALL, 0, &si, WEXITED) == 0) {
			got = si.si_pid;
			st = PROC_EXITED(si.si_status);
			check_long("waitid(P_ALL): si_code", CLD_EXITED, si.si_code);
			proc_forget(got);
		} else {
			got = -1;
		}
		for (i = 0; i < N && pids[i] != got; i++)
			;
		if (i == N) {
			fail("wait for any child, round %d: expected one of the children got %ld (errno %s)",
			     n, (long)got, err_name(errno));
			break;
		}
		check_long("each child collected once", 0, seen[i]++);
		check_status("wait for any child", PROC_EXITED(10 + i), st);
	}
	CHECK_ERRNO("wait4(-1) once all are collected", wait4(-1, NULL, 0, NULL),
		    ECHILD);
}

static void own_group(void)
{
	if (setpgid(0, 0) != 0)
		fail("child: setpgid(0, 0): errno %s", err_name(errno));
}

/* pid 0 and P_PGID 0 take only children in the caller's group. */
static void by_group(void)
{
	pid_t other, same;
	int g1, g2, st;
	siginfo_t si;

	other = proc_hold("own group", &g1, own_group);
	same = proc_hold("same group", &g2, NULL);
	if (other < 0 || same < 0)
		return;
	check_long("the child's own group", other, getpgid(other));
	check_long("the other child is in ours", getpgrp(), getpgid(same));
	check_long("waitpid(0, WNOHANG) while they run", 0,
		   waitpid(0, &st, WNOHANG));
	check_long("waitpid(-other, WNOHANG) while it runs", 0,
		   waitpid(-other, &st, WNOHANG));
	proc_release(&g1, 41);
	proc_release(&g2, 42);
	proc_await_zombie("own group", other);
	proc_await_zombie("same group", same);
	st = 0;
	check_long("waitpid(0) takes the child of our group", same,
		   proc_wait(0, &st, WNOHANG));
	check_status("waitpid(0)", PROC_EXITED(42), st);
	CHECK_ERRNO("waitpid(0) with only another group's child",
		    waitpid(0, &st, WNOHANG), ECHILD);
	CHECK_ERRNO("waitid(P_PGID, 0) with only another group's child",
		    do_waitid(P_PGID, 0, &si, WEXITED | WNOHANG), ECHILD);
	if (CHECK_OK("waitid(P_PGID, other, WNOWAIT)",
		     do_waitid(P_PGID, (id_t)other, &si, WEXITED | WNOWAIT)))
		check_siginfo("waitid P_PGID", &si, other, CLD_EXITED, 41);
	st = 0;
	check_long("waitpid(-pgid)", other, proc_wait(-other, &st, 0));
	check_status("waitpid(-pgid)", PROC_EXITED(41), st);

	/* P_PGID 0 for a child of our own group. */
	same = proc_hold("P_PGID 0", &g2, NULL);
	proc_release(&g2, 43);
	if (same > 0 && CHECK_OK("waitid(P_PGID, 0)",
				 do_waitid(P_PGID, 0, &si, WEXITED))) {
		proc_forget(si.si_pid);
		check_siginfo("waitid P_PGID 0", &si, same, CLD_EXITED, 43);
	}
}

static void killed(void)
{
	siginfo_t si;
	pid_t pid;
	int gate, st;

	pid = proc_fork("SIGKILL self");
	if (pid == 0) {
		kill(getpid(), SIGKILL);
		_exit(100);
	}
	st = 0;
	if (pid > 0 && check_long("wait for a child that killed itself", pid,
				  proc_wait(pid, &st, 0))) {
		check_true("WIFSIGNALED", WIFSIGNALED(st));
		check_true("not WIFEXITED", !WIFEXITED(st));
		check_long("WTERMSIG", SIGKILL, WTERMSIG(st));
		check_true("no core dump", !WCOREDUMP(st));
	}

	pid = proc_fork("raise SIGTERM");
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		raise(SIGTERM);
		_exit(100);
	}
	if (pid > 0 && CHECK_OK("waitid for a child that raised SIGTERM",
				do_waitid(P_PID, (id_t)pid, &si, WEXITED))) {
		proc_forget(pid);
		check_siginfo("raise(SIGTERM)", &si, pid, CLD_KILLED, SIGTERM);
	}

	pid = proc_hold("killed by the parent", &gate, NULL);
	if (pid > 0) {
		check_long("kill(child, SIGKILL)", 0, kill(pid, SIGKILL));
		proc_reap("killed by the parent", pid, PROC_KILLED(SIGKILL));
		proc_close(&gate);
	}
}

/* A grandchild is no child: ECHILD, and the child's wait is untouched. */
static void not_a_child(void)
{
	pid_t pid, gc;
	siginfo_t si;
	int gate, st;

	pid = proc_hold_pair("grandchild", &gate, &gc);
	if (pid < 0)
		return;
	CHECK_ERRNO("wait4(grandchild)", wait4(gc, &st, WNOHANG, NULL), ECHILD);
	CHECK_ERRNO("waitid(P_PID, grandchild)",
		    do_waitid(P_PID, (id_t)gc, &si, WEXITED | WNOHANG), ECHILD);
	proc_close(&gate);
	proc_reap("the grandchild's parent", pid, PROC_EXITED(0));
}

int main(void)
{
	me = getpid();
	proc_default_signals();
	no_children();
	bad_options();
	wnohang();
	siginfo_exited();
	efault();
	any_child();
	by_group();
	killed();
	not_a_child();
	CHECK_ERRNO("no child is left", wait4(-1, NULL, WNOHANG, NULL), ECHILD);
	proc_finish();
	return check_exit("proc_wait");
}
