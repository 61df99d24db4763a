/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Group stops of a traced process (ptrace(2), "Group-stop"):
 * - a seized tracee's SIGSTOP is first a signal-delivery-stop; resumed
 *   with the signal it enters the group stop, which its tracer sees as a
 *   PTRACE_EVENT_STOP with SIGSTOP; PTRACE_LISTEN leaves it there until a
 *   SIGCONT ends the group stop, which the tracer sees as a
 *   PTRACE_EVENT_STOP trap first and then as SIGCONT's own
 *   signal-delivery-stop; then it runs to its end;
 * - LISTEN on a tracee that is not in a group stop is EIO;
 * - a tracee attached the classic way reports its group stop as a plain
 *   SIGSTOP stop, and PTRACE_CONT lets it run on although its group is
 *   stopped.
 */
#include "check.h"
#include "proc.h"
#include "tracer.h"

#define PT_EVENT_STOP_OF(sig) ((sig) | (PTRACE_EVENT_STOP << 8))

static int stop_then_exit(void *arg)
{
	(void)arg;
	pt_stop_self();
	return 5;
}

static void seized(void)
{
	const char *what = "seized";
	pid_t pid = proc_fork(what);

	if (pid == 0) {
		usleep(100000); /* the tracer seizes first */
		_exit(stop_then_exit(NULL));
	}
	if (pid < 0)
		return;
	pt_watchdog(what, PT_TIMEOUT);
	if (!CHECK_OK("PTRACE_SEIZE", pt_sys(PTRACE_SEIZE, pid, 0, 0)) ||
	    !pt_expect_stop("SIGSTOP's signal-delivery-stop", pid, SIGSTOP))
		return pt_kill(pid);
	CHECK_ERRNO("PTRACE_LISTEN outside a group stop", pt_sys(PTRACE_LISTEN, pid, 0, 0), EIO);
	if (!pt_cont(what, pid, SIGSTOP) ||
	    !pt_expect_stop("the group stop", pid, PT_EVENT_STOP_OF(SIGSTOP)))
		return pt_kill(pid);
	if (!CHECK_OK("PTRACE_LISTEN in the group stop", pt_sys(PTRACE_LISTEN, pid, 0, 0)))
		return pt_kill(pid);
	usleep(100000);
	kill(pid, SIGCONT);
	if (!pt_expect_stop("the group stop's end", pid, PT_EVENT_STOP_OF(SIGTRAP)) ||
	    !pt_cont(what, pid, 0) || !pt_expect_stop("SIGCONT's signal-delivery-stop", pid, SIGCONT) ||
	    !pt_cont(what, pid, 0))
		return pt_kill(pid);
	pt_expect_end(what, pid, PROC_EXITED(5));
	alarm(0);
}

static void classic(void)
{
	const char *what = "classic";
	pid_t pid = pt_traceme(what, stop_then_exit, NULL);

	if (pid < 0)
		return;
	pt_watchdog(what, PT_TIMEOUT);
	if (!pt_cont(what, pid, 0) || !pt_expect_stop("SIGSTOP's signal-delivery-stop", pid, SIGSTOP) ||
	    !pt_cont(what, pid, SIGSTOP) || !pt_expect_stop("the group stop", pid, SIGSTOP))
		return pt_kill(pid);
	{
		siginfo_t si;

		CHECK_ERRNO("GETSIGINFO in a group stop", pt_sysp(PTRACE_GETSIGINFO, pid, 0, &si),
			    EINVAL);
	}
	CHECK_ERRNO("PTRACE_LISTEN without SEIZE", pt_sys(PTRACE_LISTEN, pid, 0, 0), EIO);
	if (!pt_cont("PTRACE_CONT out of the group stop", pid, 0))
		return pt_kill(pid);
	pt_expect_end(what, pid, PROC_EXITED(5));
	alarm(0);
}

int main(void)
{
	seized();
	classic();
	return check_exit("ptrace_group_stop");
}
