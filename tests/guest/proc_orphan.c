// SPDX-License-Identifier: Apache-2.0
/*
 * Orphans and zombies (kernel/exit.c). The test makes itself a child
 * subreaper (PR_SET_CHILD_SUBREAPER, which fork does not pass on), so that
 * the same rules hold natively and under umbra: a grandchild whose parent
 * exits is re-parented to the test by the time the parent's exit is
 * collected (getppid() changes from the parent to the test), and the test
 * waits for it like a child of its own, running or already a zombie. A
 * child that exited stays a zombie until waited for: kill(pid, 0) and
 * getpgid() still find it and SIGKILL does not change its status; after
 * wait4, ESRCH. With SIGCHLD set to SIG_IGN, or SA_NOCLDWAIT, children are
 * reaped as they exit: wait4 blocks until the child is gone, then ECHILD.
 */
#include "proc.h"

#include <sys/prctl.h>

static pid_t me;

struct orphan_report {
	pid_t grandchild;
	pid_t ppid_before;
};

/*
 * The child forks a grandchild that reports its parent to it and waits on
 * a gate; the child passes the report on and exits. The grandchild then
 * reports its parent again and exits 33.
 */
static void running_orphan(void)
{
	int rep[2], gate[2], again[2], mid[2];
	struct orphan_report r;
	pid_t child, gc, ppid_after = 0;
	unsigned char c;

	if (!proc_pipe("orphan", rep) || !proc_pipe("orphan", gate) ||
	    !proc_pipe("orphan", again) || !proc_pipe("orphan", mid))
		return;
	child = proc_fork("orphan: child");
	if (child == 0) {
		pid_t parent = getpid();

		gc = proc_fork("orphan: grandchild");
		if (gc == 0) {
			pid_t ppid;
			ssize_t n;

			close(gate[1]);
			r.grandchild = getpid();
			r.ppid_before = getppid();
			check_long("grandchild: getppid() is the child", parent,
				   r.ppid_before);
			proc_send(mid[1], &r, sizeof(r));
			close(mid[1]);
			do
				n = read(gate[0], &c, 1);
			while (n < 0 && errno == EINTR);
			ppid = getppid();
			proc_send(again[1], &ppid, sizeof(ppid));
			_exit(n == 1 ? 33 : PROC_EOF_STATUS);
		}
		/* Leaves as soon as the grandchild has reported. */
		close(mid[1]);
		if (gc < 0 || !proc_recv("orphan: child", mid[0], &r, sizeof(r)) ||
		    !proc_send(rep[1], &r, sizeof(r)))
			_exit(1);
		_exit(0);
	}
	close(mid[0]);
	close(mid[1]);
	close(rep[1]);
	close(gate[0]);
	close(again[1]);
	if (child < 0 || !proc_recv("orphan: the grandchild's report", rep[0],
				    &r, sizeof(r))) {
		proc_close(&gate[1]);
		if (child > 0)
			proc_wait(child, NULL, 0);
		close(rep[0]);
		close(again[0]);
		return;
	}
	close(rep[0]);
	check_long("the grandchild's parent before the exit", child, r.ppid_before);
	proc_reap("the orphan's parent", child, PROC_EXITED(0));
	/* From here the grandchild is ours: its parent's exit re-parented it. */
	proc_track(r.grandchild);
	check_long("the test is the orphan's parent after the exit", 0,
		   kill(r.grandchild, 0));
	proc_send(gate[1], "\x01", 1);
	close(gate[1]);
	if (proc_recv("orphan: getppid() after the parent's exit", again[0],
		      &ppid_after, sizeof(ppid_after)))
		check_true("the orphan's getppid() is the subreaper (the test)",
			   ppid_after == me);
	close(again[0]);
	proc_reap("waiting for the re-parented orphan", r.grandchild,
		  PROC_EXITED(33));
}

/* A grandchild that is already a zombie when its parent exits. */
static void zombie_orphan(void)
{
	int rep[2];
	pid_t child, gc = -1;
	int st;

	if (!proc_pipe("zombie orphan", rep))
		return;
	child = proc_fork("zombie orphan: child");
	if (child == 0) {
		pid_t g = proc_fork("zombie orphan: grandchild");

		if (g == 0)
			_exit(44);
		/* Not reaped: the grandchild stays a zombie of this child. */
		if (g < 0 || !proc_await_zombie("zombie orphan", g))
			_exit(1);
		proc_send(rep[1], &g, sizeof(g));
		_exit(0);
	}
	close(rep[1]);
	if (child > 0 && proc_recv("zombie orphan", rep[0], &gc, sizeof(gc))) {
		proc_reap("the zombie's parent", child, PROC_EXITED(0));
		proc_track(gc);
		st = 0;
		check_long("wait4 for the re-parented zombie", gc,
			   proc_wait(gc, &st, WNOHANG));
		check_status("the re-parented zombie's status", PROC_EXITED(44), st);
	} else if (child > 0) {
		proc_wait(child, NULL, 0);
	}
	close(rep[0]);
	CHECK_ERRNO("no child left after the orphans", wait4(-1, NULL, WNOHANG, NULL),
		    ECHILD);
}

static void not_inherited(void)
{
	pid_t pid = proc_fork("subreaper flag");

	if (pid == 0) {
		int flag = -1;

		check_long("child: PR_GET_CHILD_SUBREAPER", 0,
			   prctl(PR_GET_CHILD_SUBREAPER, &flag, 0, 0, 0));
		check_long("child: the subreaper flag is not inherited", 0, flag);
		proc_child_exit();
	}
	proc_reap("subreaper flag child", pid, PROC_EXITED(0));
}

static void zombies(void)
{
	pid_t pid, pgid;
	int st = 0;

	pid = proc_fork("zombie");
	if (pid == 0)
		_exit(55);
	if (pid < 0)
		return;
	proc_await_zombie("zombie", pid);
	proc_sleep_ms(20);
	check_long("kill(zombie, 0)", 0, kill(pid, 0));
	pgid = getpgid(pid);
	check_long("getpgid(zombie)", getpgrp(), pgid);
	check_long("kill(zombie, SIGKILL)", 0, kill(pid, SIGKILL));
	check_long("wait4(zombie)", pid, proc_wait(pid, &st, 0));
	check_status("the zombie keeps its exit status", PROC_EXITED(55), st);
	CHECK_ERRNO("kill(0) after the wait", kill(pid, 0), ESRCH);
	CHECK_ERRNO("getpgid() after the wait", getpgid(pid), ESRCH);
}

/* Children of a parent that ignores SIGCHLD are reaped on exit. */
static void no_zombies(const char *how, int ign)
{
	struct sigaction sa, old;
	char what[128];
	pid_t pid;
	int st;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ign ? SIG_IGN : SIG_DFL;
	sa.sa_flags = ign ? 0 : SA_NOCLDWAIT;
	if (sigaction(SIGCHLD, &sa, &old) != 0) {
		fail("%s: sigaction: errno %s", how, err_name(errno));
		return;
	}
	pid = proc_fork(how);
	if (pid == 0) {
		proc_sleep_ms(20);
		_exit(66);
	}
	if (pid > 0) {
		snprintf(what, sizeof(what), "%s: wait4 blocks, then ECHILD", how);
		st = 0x1234;
		CHECK_ERRNO(what, wait4(pid, &st, 0, NULL), ECHILD);
		proc_forget(pid);
		snprintf(what, sizeof(what), "%s: no status written", how);
		check_long(what, 0x1234, st);
		/* The waiter may wake before the exiting child is released:
		 * its pid goes away soon after, never to a zombie. */
		for (int i = 0; i < 100 && kill(pid, 0) == 0; i++)
			proc_sleep_ms(10);
		snprintf(what, sizeof(what), "%s: no zombie", how);
		CHECK_ERRNO(what, kill(pid, 0), ESRCH);
	}
	sigaction(SIGCHLD, &old, NULL);
}

int main(void)
{
	int flag = -1;

	me = getpid();
	proc_default_signals();
	if (!CHECK_OK("PR_SET_CHILD_SUBREAPER", prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)))
		return check_exit("proc_orphan");
	check_long("PR_GET_CHILD_SUBREAPER", 0,
		   prctl(PR_GET_CHILD_SUBREAPER, &flag, 0, 0, 0));
	check_long("the subreaper flag", 1, flag);
	not_inherited();
	running_orphan();
	zombie_orphan();
	zombies();
	no_zombies("SIGCHLD SIG_IGN", 1);
	no_zombies("SA_NOCLDWAIT", 0);
	proc_finish();
	return check_exit("proc_orphan");
}
