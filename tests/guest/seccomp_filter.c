/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seccomp filters in forked children (a filter cannot be removed):
 * - a filter answers getppid with ERRNO(42), sched_yield with TRAP(7)
 *   (SIGSYS with si_code SYS_SECCOMP, si_errno 7, the call, the arch) and
 *   umask with KILL_PROCESS, and lets the rest through; prctl
 *   PR_GET_SECCOMP says 2; a fork keeps the filter, and so does exec;
 * - strict mode: write works, getppid kills with SIGKILL;
 * - bad programs (a jump past the end, no return at the end, a load
 *   outside seccomp_data, an uninitialised scratch word) are EINVAL, a
 *   filter on strict mode is EINVAL, unknown flags are EINVAL;
 * - SECCOMP_GET_ACTION_AVAIL;
 * - SECCOMP_RET_TRACE stops a tracer with PTRACE_O_TRACESECCOMP in
 *   PTRACE_EVENT_SECCOMP (message: the data), and the tracer can skip the
 *   call and set its result.
 */
#include "check.h"
#include "proc.h"
#include "tracer.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#define LD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define ON(nr, ret) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, (ret))

static struct sock_filter prog[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PT_AUDIT_ARCH, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	LD_NR,
	ON(SYS_getppid, SECCOMP_RET_ERRNO | 42),
	ON(SYS_sched_yield, SECCOMP_RET_TRAP | 7),
	ON(SYS_umask, SECCOMP_RET_KILL_PROCESS),
	ON(SYS_getpgid, SECCOMP_RET_TRACE | 5),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

static long install(struct sock_filter *f, unsigned short len, unsigned int flags)
{
	struct sock_fprog p = { len, f };

	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &p);
}

static volatile sig_atomic_t sys_code, sys_errno, sys_nr;
static volatile unsigned int sys_arch;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	sys_code = si->si_code;
	sys_errno = si->si_errno;
	sys_nr = si->si_syscall;
	sys_arch = si->si_arch;
}

/* In the filtered child: what each action does, and what fork and exec
 * keep (the exec'd image checks getppid itself). */
static int filtered(const char *self)
{
	pid_t pid;

	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (!CHECK_OK("install", install(prog, sizeof prog / sizeof prog[0], 0)))
		return 1;
	check_long("PR_GET_SECCOMP", 2, prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	CHECK_ERRNO("getppid", syscall(SYS_getppid), 42);
	sig_install("SIGSYS", SIGSYS, on_sigsys, SA_SIGINFO, NULL);
	syscall(SYS_sched_yield);
	check_long("SIGSYS's si_code", 1 /* SYS_SECCOMP */, sys_code);
	check_long("SIGSYS's si_errno", 7, sys_errno);
	check_long("SIGSYS's si_syscall", SYS_sched_yield, sys_nr);
	check_long("SIGSYS's si_arch", PT_AUDIT_ARCH, (long)sys_arch);
	pid = proc_fork("a child of the filtered");
	if (pid == 0)
		_exit(syscall(SYS_getppid) == -1 && errno == 42 ? 0 : 1);
	proc_reap("a child of the filtered", pid, PROC_EXITED(0));
	pid = proc_fork("umask");
	if (pid == 0) {
		sig_no_core();
		umask(022);
		_exit(0);
	}
	proc_reap("umask: KILL_PROCESS", pid, PROC_KILLED(SIGSYS));
	pid = proc_fork("exec");
	if (pid == 0) {
		execl(self, self, "image", (char *)NULL);
		_exit(9);
	}
	proc_reap("exec keeps the filter", pid, PROC_EXITED(0));
	return check_failures ? 1 : 0;
}

static void filter_cases(const char *self)
{
	pid_t pid = proc_fork("filtered");

	if (pid == 0)
		_exit(filtered(self));
	proc_reap("the filtered child", pid, PROC_EXITED(0));
}

static void strict_case(void)
{
	pid_t pid = proc_fork("strict");

	if (pid == 0) {
		sig_no_core();
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0))
			_exit(2);
		if (syscall(SYS_write, 1, "", 0) != 0)
			syscall(SYS_exit, 3);
		syscall(SYS_getppid);
		syscall(SYS_exit, 4);
	}
	proc_reap("strict: getppid", pid, PROC_KILLED(SIGKILL));
}

static void bad_programs(void)
{
	struct sock_filter past[] = { BPF_JUMP(BPF_JMP | BPF_JA, 5, 0, 0),
				      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_filter noret[] = { LD_NR };
	struct sock_filter far[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64),
				     BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_filter mem[] = { BPF_STMT(BPF_LD | BPF_MEM, 3), BPF_STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter ok[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	unsigned int action = SECCOMP_RET_ALLOW, bogus = 0x12345678;

	CHECK_ERRNO("a jump past the end", install(past, 2, 0), EINVAL);
	CHECK_ERRNO("no return at the end", install(noret, 1, 0), EINVAL);
	CHECK_ERRNO("a load past seccomp_data", install(far, 2, 0), EINVAL);
	CHECK_ERRNO("an uninitialised scratch word", install(mem, 2, 0), EINVAL);
	CHECK_ERRNO("no instructions", install(ok, 0, 0), EINVAL);
	CHECK_ERRNO("unknown flags", install(ok, 1, 1u << 20), EINVAL);
	CHECK_ERRNO("a bad program pointer", syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0,
						     (void *)8), EFAULT);
	CHECK_OK("GET_ACTION_AVAIL of ALLOW",
		 syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action));
	CHECK_ERRNO("GET_ACTION_AVAIL of no action",
		    syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &bogus), EOPNOTSUPP);
	CHECK_ERRNO("an unknown operation", syscall(SYS_seccomp, 99, 0, NULL), EINVAL);
	check_long("PR_GET_SECCOMP unfiltered", 0, prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
}

static int traced_body(void *arg)
{
	(void)arg;
	if (install(prog, sizeof prog / sizeof prog[0], 0))
		return 1;
	pt_stop_self();
	return syscall(SYS_getpgid, 0) == 99 ? 0 : 2;
}

static void trace_case(void)
{
	const char *what = "SECCOMP_RET_TRACE";
	pid_t pid = pt_traceme(what, traced_body, NULL);
	unsigned long msg = 0;

	if (pid < 0)
		return;
	pt_watchdog(what, PT_TIMEOUT);
	if (!CHECK_OK("TRACESECCOMP", pt_sys(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESECCOMP)) ||
	    !pt_cont(what, pid, 0) || !pt_expect_stop("the filter's install stop", pid, SIGSTOP) ||
	    !pt_cont(what, pid, 0) || !pt_expect_event(what, pid, PTRACE_EVENT_SECCOMP))
		return pt_kill(pid);
	CHECK_OK("GETEVENTMSG", pt_sysp(PTRACE_GETEVENTMSG, pid, 0, &msg));
	check_long("the event's message: the filter's data", 5, (long)msg);
	if (!pt_set_nr(what, pid, -1) || !pt_set_ret(what, pid, 99) || !pt_cont(what, pid, 0))
		return pt_kill(pid);
	pt_expect_end(what, pid, PROC_EXITED(0));
	alarm(0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "image"))
		return syscall(SYS_getppid) == -1 && errno == 42 ? 0 : 1;
	bad_programs();
	filter_cases(argv[0]);
	strict_case();
	trace_case();
	return check_exit("seccomp_filter");
}
