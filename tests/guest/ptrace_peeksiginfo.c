/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PTRACE_PEEKSIGINFO: a tracer reads its stopped tracee's pending signals
 * without taking them. The tracee blocks SIGUSR1, SIGUSR2 and SIGRTMIN,
 * queues them to itself in that order (SIGRTMIN twice, with values 7 and
 * 8; SIGUSR2 to its process), then stops. The thread's queue shows
 * SIGUSR1 and both SIGRTMIN instances in order, the process's SIGUSR2;
 * off and nr pick a window; bad flags or nr are EINVAL; and after the
 * tracee runs on, it takes each signal as sent.
 */
#include "check.h"
#include "proc.h"
#include "tracer.h"

#include <string.h>

/* sigqueue(3) to this thread alone: rt_tgsigqueueinfo with SI_QUEUE. */
static void queue_to_self(int sig, int value)
{
	siginfo_t info;

	memset(&info, 0, sizeof info);
	info.si_signo = sig;
	info.si_code = SI_QUEUE;
	info.si_pid = getpid();
	info.si_uid = getuid();
	info.si_value.sival_int = value;
	syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), sig, &info);
}

static int queue_then_stop(void *arg)
{
	sigset_t set;
	siginfo_t info;
	int got = 0;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
	kill(getpid(), SIGUSR2);
	queue_to_self(SIGRTMIN, 7);
	queue_to_self(SIGRTMIN, 8);
	pt_stop_self();
	while (sigwaitinfo(&set, &info) > 0 && ++got < 4)
		;
	return got == 4 ? 0 : 1;
}

static long peek(pid_t pid, unsigned long long off, unsigned int flags, int nr,
		 siginfo_t *out)
{
	struct {
		unsigned long long off;
		unsigned int flags;
		int nr;
	} arg = { off, flags, nr };

	return pt_sysp(PTRACE_PEEKSIGINFO, pid, (unsigned long)&arg, out);
}

int main(void)
{
	const char *what = "PEEKSIGINFO";
	siginfo_t si[8];
	pid_t pid = pt_traceme(what, queue_then_stop, NULL);

	if (pid < 0)
		return check_exit("ptrace_peeksiginfo");
	pt_watchdog(what, PT_TIMEOUT);
	if (!pt_cont(what, pid, 0) || !pt_expect_stop("the tracee's stop", pid, SIGSTOP)) {
		pt_kill(pid);
		return check_exit("ptrace_peeksiginfo");
	}
	memset(si, 0, sizeof si);
	if (check_long("the thread's queue", 3, peek(pid, 0, 0, 8, si))) {
		check_long("its first", SIGUSR1, si[0].si_signo);
		check_long("its second", SIGRTMIN, si[1].si_signo);
		check_long("the second's value", 7, si[1].si_value.sival_int);
		check_long("its third's value", 8, si[2].si_value.sival_int);
		check_long("SIGRTMIN's code", SI_QUEUE, si[1].si_code);
	}
	if (check_long("off 2, nr 1", 1, peek(pid, 2, 0, 1, si)))
		check_long("the third", 8, si[0].si_value.sival_int);
	check_long("past the end", 0, peek(pid, 3, 0, 8, si));
	check_long("nr 0", 0, peek(pid, 0, 0, 0, si));
	if (check_long("the process's queue", 1, peek(pid, 0, PTRACE_PEEKSIGINFO_SHARED, 8, si)))
		check_long("its signal", SIGUSR2, si[0].si_signo);
	CHECK_ERRNO("unknown flags", peek(pid, 0, 2, 8, si), EINVAL);
	CHECK_ERRNO("negative nr", peek(pid, 0, 0, -1, si), EINVAL);
	CHECK_ERRNO("a bad buffer", peek(pid, 0, 0, 8, (siginfo_t *)8), EFAULT);
	if (pt_cont(what, pid, 0))
		pt_expect_end("every signal still there", pid, PROC_EXITED(0));
	alarm(0);
	return check_exit("ptrace_peeksiginfo");
}
