// SPDX-License-Identifier: Apache-2.0
/*
 * Process groups and sessions (kernel/sys.c): getpgrp, getpgid, setpgid,
 * getsid, setsid with Linux's errnos. A forked child inherits its parent's
 * group and session; setpgid moves the caller or a child that has not
 * exec'd into a group of the caller's session (EACCES once the child has
 * exec'd, EPERM for a child in another session, a session leader, or a
 * group that is not in the caller's session or does not exist, ESRCH for a
 * pid that is neither the caller nor its child, EINVAL for a negative
 * pgid); setsid makes a child the leader of a new session and group
 * (getsid == getpgrp == getpid) whose children inherit both, and is EPERM
 * for a group leader. getpgid and getsid look at any process (ESRCH for no
 * process), including one in another session.
 */
#include "proc.h"

static char *self;
static pid_t me;

static void basics(void)
{
	pid_t pgrp = getpgrp(), sid = getsid(0);

	check_long("getpgid(0) is getpgrp()", pgrp, getpgid(0));
	check_long("getpgid(getpid()) is getpgrp()", pgrp, getpgid(me));
	check_long("getsid(getpid()) is getsid(0)", sid, getsid(me));
	check_true("getsid(0) > 0", sid > 0);
	if (pgrp == me)
		CHECK_ERRNO("setsid() in a group leader", setsid(), EPERM);
	else
		note("proc_pgrp: not a group leader; setsid() left alone");
	CHECK_ERRNO("getpgid(no such pid)", getpgid(PROC_NO_PID), ESRCH);
	CHECK_ERRNO("getsid(no such pid)", getsid(PROC_NO_PID), ESRCH);
	CHECK_ERRNO("getpgid(-1)", getpgid(-1), ESRCH);
	CHECK_ERRNO("setpgid(0, -1)", setpgid(0, -1), EINVAL);
	/* pgid 0 means pid, which is then a negative pgid. */
	CHECK_ERRNO("setpgid(-1, 0)", setpgid(-1, 0), EINVAL);
	CHECK_ERRNO("setpgid(-5, 7)", setpgid(-5, 7), ESRCH);
	CHECK_ERRNO("setpgid(no such pid, 0)", setpgid(PROC_NO_PID, 0), ESRCH);
	check_long("nothing moved the test", pgrp, getpgrp());
}

struct ids {
	pid_t pid, pgrp, sid;
};

static void inherited(void)
{
	int rep[2];
	struct ids got;
	pid_t pid;

	if (!proc_pipe("inherit", rep))
		return;
	pid = proc_fork("inherit");
	if (pid == 0) {
		got.pid = getpid();
		got.pgrp = getpgrp();
		got.sid = getsid(0);
		proc_send(rep[1], &got, sizeof(got));
		_exit(0);
	}
	close(rep[1]);
	if (pid > 0 && proc_recv("inherit", rep[0], &got, sizeof(got))) {
		check_long("the child's getpgrp() is the parent's", getpgrp(), got.pgrp);
		check_long("the child's getsid(0) is the parent's", getsid(0), got.sid);
		check_true("the child leads no group", got.pgrp != got.pid);
	}
	close(rep[0]);
	proc_reap("inherit", pid, PROC_EXITED(0));
}

static void own_group(void)
{
	check_long("child: setpgid(0, 0)", 0, setpgid(0, 0));
	check_long("child: getpgrp() after setpgid(0, 0)", getpid(), getpgrp());
	CHECK_ERRNO("child: setsid() as a group leader", setsid(), EPERM);
	check_long("child: the failed setsid changed nothing", getpid(), getpgrp());
}

static pid_t parent_pgrp;

static void new_session(void)
{
	pid_t pid = getpid();

	check_long("child: setsid() returns the new session", pid, setsid());
	check_long("child: getsid(0) after setsid", pid, getsid(0));
	check_long("child: getpgrp() after setsid", pid, getpgrp());
	CHECK_ERRNO("child: setsid() again", setsid(), EPERM);
	CHECK_ERRNO("child: setpgid(0, 0) as a session leader", setpgid(0, 0), EPERM);
	CHECK_ERRNO("child: setpgid(0, the old group)", setpgid(0, parent_pgrp), EPERM);
}

static void moves(void)
{
	pid_t a, b, pgrp = getpgrp();
	int ga, gb;

	/* The child moves itself. */
	a = proc_hold("own group", &ga, own_group);
	if (a > 0)
		check_long("getpgid(child) after its setpgid(0, 0)", a, getpgid(a));
	proc_release(&ga, 0);
	proc_reap("own group", a, PROC_EXITED(0));

	/* The parent moves a child, there and back. */
	b = proc_hold("moved", &gb, NULL);
	if (b > 0) {
		check_long("setpgid(child, child)", 0, setpgid(b, b));
		check_long("getpgid(child) after setpgid(child, child)", b, getpgid(b));
		check_long("setpgid(child, own group)", 0, setpgid(b, pgrp));
		check_long("getpgid(child) back in our group", pgrp, getpgid(b));
		check_long("setpgid(child, 0)", 0, setpgid(b, 0));
		check_long("getpgid(child) after setpgid(child, 0)", b, getpgid(b));
		check_long("setpgid(child, its own group)", 0, setpgid(b, b));
	}
	proc_release(&gb, 0);
	proc_reap("moved", b, PROC_EXITED(0));
}

static void sessions(void)
{
	pid_t a, b, pgrp = getpgrp();
	int ga, gb;

	parent_pgrp = pgrp;
	a = proc_hold("new session", &ga, new_session);
	b = proc_hold("same session", &gb, NULL);
	if (a > 0 && b > 0) {
		check_long("getsid(child in a new session)", a, getsid(a));
		check_long("getpgid(child in a new session)", a, getpgid(a));
		check_long("getsid(child in ours)", getsid(0), getsid(b));
		CHECK_ERRNO("setpgid(child in another session, itself)",
			    setpgid(a, a), EPERM);
		CHECK_ERRNO("setpgid(child in another session, our group)",
			    setpgid(a, pgrp), EPERM);
		CHECK_ERRNO("setpgid(child, a group in another session)",
			    setpgid(b, a), EPERM);
		CHECK_ERRNO("setpgid(child, a group that does not exist)",
			    setpgid(b, PROC_NO_PID), EPERM);
		CHECK_ERRNO("setpgid(0, a group in another session)",
			    setpgid(0, a), EPERM);
		check_long("the child stayed in our group", pgrp, getpgid(b));
		check_long("the test stayed in its group", pgrp, getpgrp());
	}
	proc_release(&ga, 0);
	proc_release(&gb, 0);
	proc_reap("new session", a, PROC_EXITED(0));
	proc_reap("same session", b, PROC_EXITED(0));
}

/* A new session's children are born in it. */
static void session_inherited(void)
{
	pid_t pid = proc_fork("new session's child");

	if (pid == 0) {
		pid_t leader = getpid(), gc;

		if (!check_long("child: setsid()", leader, setsid()))
			proc_child_exit();
		gc = proc_fork("new session's grandchild");
		if (gc == 0) {
			check_long("grandchild: getsid(0) is the new session", leader,
				   getsid(0));
			check_long("grandchild: getpgrp() is the new group", leader,
				   getpgrp());
			proc_child_exit();
		}
		check_long("child: getsid(grandchild)", leader, getsid(gc));
		proc_reap("new session's grandchild", gc, PROC_EXITED(0));
		proc_child_exit();
	}
	proc_reap("new session's child", pid, PROC_EXITED(0));
}

/* Only the caller and its children can be moved. */
static void not_a_child(void)
{
	pid_t pid, gc;
	int gate;

	pid = proc_hold_pair("grandchild", &gate, &gc);
	if (pid < 0)
		return;
	check_long("getpgid(grandchild)", getpgrp(), getpgid(gc));
	check_long("getsid(grandchild)", getsid(0), getsid(gc));
	CHECK_ERRNO("setpgid(grandchild, grandchild)", setpgid(gc, gc), ESRCH);
	CHECK_ERRNO("setpgid(grandchild, 0)", setpgid(gc, 0), ESRCH);
	check_long("the grandchild did not move", getpgrp(), getpgid(gc));
	proc_close(&gate);
	proc_reap("the grandchild's parent", pid, PROC_EXITED(0));
}

/* Once a child has exec'd, its group is its own business. */
static void after_exec(void)
{
	char *argv[] = { self, "hold", "100", "101", NULL };
	char *noenv[] = { NULL };
	int gate[2], ready[2];
	unsigned char c;
	pid_t pid;

	if (!proc_pipe("after exec", gate) || !proc_pipe("after exec", ready))
		return;
	pid = proc_fork("after exec");
	if (pid == 0) {
		if (dup2(gate[0], 100) != 100 || dup2(ready[1], 101) != 101)
			_exit(126);
		execve(self, argv, noenv);
		_exit(127);
	}
	close(gate[0]);
	close(ready[1]);
	if (pid > 0 && proc_recv("after exec: the new image is ready", ready[0],
				 &c, 1)) {
		CHECK_ERRNO("setpgid(exec'd child, itself)", setpgid(pid, pid), EACCES);
		CHECK_ERRNO("setpgid(exec'd child, 0)", setpgid(pid, 0), EACCES);
		check_long("the exec'd child stayed in our group", getpgrp(),
			   getpgid(pid));
	}
	close(ready[0]);
	proc_send(gate[1], "\x00", 1);
	close(gate[1]);
	proc_reap("after exec", pid, PROC_EXITED(0));
}

/* The image after_exec() runs: says it is ready, exits with the byte read. */
static int mode_hold(const char *in, const char *out)
{
	unsigned char c = 0;
	ssize_t n;

	if (!proc_send(atoi(out), &c, 1))
		return 2;
	close(atoi(out));
	do
		n = read(atoi(in), &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? c : PROC_EOF_STATUS;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "hold"))
		return mode_hold(argv[2], argv[3]);
	if (!strchr(argv[0], '/')) {
		fprintf(stderr, "proc_pgrp: argv[0] must be a path to the program (got \"%s\")\n",
			argv[0]);
		return EXIT_FAILURE;
	}
	self = argv[0];
	me = getpid();
	proc_default_signals();
	basics();
	inherited();
	moves();
	sessions();
	session_inherited();
	not_a_child();
	after_exec();
	proc_finish();
	return check_exit("proc_pgrp");
}
