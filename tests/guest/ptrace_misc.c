/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rest of the requests a debugger or checkpointer uses:
 * - PTRACE_SYSEMU: the tracee's syscall stops at its entry and never
 *   runs; the tracer's result is what the tracee sees;
 * - PTRACE_SINGLESTEP: each step stops with SIGTRAP at a new IP;
 * - PTRACE_O_SUSPEND_SECCOMP: a tracee's filters are off while its
 *   tracer says so;
 * - x86_64: PTRACE_PEEKUSER and POKEUSER of a register agree with
 *   GETREGS, a debug register reads 0, a misaligned offset is EIO; and
 *   NT_X86_XSTATE begins with the FXSAVE image NT_PRFPREG gives.
 */
#include "check.h"
#include "proc.h"
#include "tracer.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>

#ifndef PTRACE_SYSEMU
#define PTRACE_SYSEMU 31
#endif

static int sysemu_body(void *arg)
{
	(void)arg;
	/* Not run: getppid's result is the tracer's 77. */
	return syscall(SYS_getppid) == 77 ? 0 : 1;
}

static void sysemu_case(void)
{
	const char *what = "SYSEMU";
	pid_t pid = pt_traceme(what, sysemu_body, NULL);

	if (pid < 0)
		return;
	pt_watchdog(what, PT_TIMEOUT);
	if (!CHECK_OK("SYSEMU", pt_sys(PTRACE_SYSEMU, pid, 0, 0)) ||
	    !pt_expect_stop("the syscall's entry", pid, SIGTRAP) || !pt_set_ret(what, pid, 77) ||
	    !pt_cont(what, pid, 0))
		return pt_kill(pid);
	pt_expect_end(what, pid, PROC_EXITED(0));
	alarm(0);
}

static int step_body(void *arg)
{
	volatile int n = 0;

	(void)arg;
	for (int i = 0; i < 100; i++)
		n += i;
	return n == 4950 ? 0 : 1;
}

static void singlestep_case(void)
{
	const char *what = "SINGLESTEP";
	pid_t pid = pt_traceme(what, step_body, NULL);
	struct user_regs_struct r;
	unsigned long long last = 0;
	int moved = 0;

	if (pid < 0)
		return;
	pt_watchdog(what, PT_TIMEOUT);
	for (int i = 0; i < 20; i++) {
		if (!CHECK_OK("SINGLESTEP", pt_sys(PTRACE_SINGLESTEP, pid, 0, 0)) ||
		    !pt_expect_stop("a step", pid, SIGTRAP) || !pt_getregs(what, pid, &r))
			return pt_kill(pid);
		moved += PT_IP(r) != last;
		last = PT_IP(r);
	}
	check_long("steps at a new IP", 20, moved);
	if (pt_cont(what, pid, 0))
		pt_expect_end(what, pid, PROC_EXITED(0));
	alarm(0);
}

static int suspended_body(void *arg)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 42),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog p = { 4, f };

	(void)arg;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p))
		return 2;
	pt_stop_self();
	return syscall(SYS_getppid) > 0 ? 0 : 1; /* the filter is suspended */
}

static void suspend_case(void)
{
	const char *what = "SUSPEND_SECCOMP";
	pid_t pid = pt_traceme(what, suspended_body, NULL);

	if (pid < 0)
		return;
	pt_watchdog(what, PT_TIMEOUT);
	if (!pt_cont(what, pid, 0) || !pt_expect_stop("after the filter", pid, SIGSTOP))
		return pt_kill(pid);
	if (pt_sys(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_SUSPEND_SECCOMP) && errno == EINVAL) {
		note("skip: the host kernel has no PTRACE_O_SUSPEND_SECCOMP");
		return pt_kill(pid);
	}
	if (!CHECK_OK("SETOPTIONS SUSPEND_SECCOMP",
		      pt_sys(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_SUSPEND_SECCOMP)) ||
	    !pt_cont(what, pid, 0))
		return pt_kill(pid);
	pt_expect_end(what, pid, PROC_EXITED(0));
	alarm(0);
}

#if defined(__x86_64__)
static int user_body(void *arg)
{
	(void)arg;
	return syscall(SYS_getppid) == 55 ? 0 : 1;
}

static void user_case(void)
{
	const char *what = "PEEKUSER";
	pid_t pid = pt_traceme(what, user_body, NULL);
	struct user_regs_struct r;
	struct user_fpregs_struct fp;
	static unsigned char xs[16384];
	struct iovec iov = { xs, sizeof xs }, fiov = { &fp, sizeof fp };
	size_t rax = offsetof(struct user, regs.rax), dr7 = offsetof(struct user, u_debugreg[7]);
	long word = -1;

	if (pid < 0)
		return;
	pt_watchdog(what, PT_TIMEOUT);
	if (!CHECK_OK("SYSCALL", pt_sys(PTRACE_SYSCALL, pid, 0, 0)) ||
	    !pt_expect_stop("getppid's entry", pid, SIGTRAP) || !pt_getregs(what, pid, &r))
		return pt_kill(pid);
	if (CHECK_OK("PEEKUSER orig_rax", pt_sysp(PTRACE_PEEKUSER, pid,
						   offsetof(struct user, regs.orig_rax), &word)))
		check_long("orig_rax as GETREGS has it", (long)r.orig_rax, word);
	if (CHECK_OK("PEEKUSER dr7", pt_sysp(PTRACE_PEEKUSER, pid, dr7, &word)))
		check_long("dr7", 0, word);
	CHECK_ERRNO("PEEKUSER misaligned", pt_sysp(PTRACE_PEEKUSER, pid, 3, &word), EIO);
	/* the kernel's struct user: glibc's, then error_code, fault_address */
	CHECK_ERRNO("PEEKUSER past struct user", pt_sysp(PTRACE_PEEKUSER, pid,
							 sizeof(struct user) + 16, &word), EIO);
	if (CHECK_OK("GETREGSET NT_PRFPREG", pt_sysp(PTRACE_GETREGSET, pid, NT_PRFPREG, &fiov)) &&
	    CHECK_OK("GETREGSET NT_X86_XSTATE", pt_sysp(PTRACE_GETREGSET, pid, NT_X86_XSTATE, &iov)))
		check_true("XSTATE's legacy area is NT_PRFPREG's",
			   iov.iov_len >= 576 && !memcmp(xs, &fp, 160));
	/* getppid is not run: its result is what POKEUSER puts in rax */
	if (!pt_set_nr(what, pid, -1) || !pt_syscall(what, pid, 0) ||
	    !pt_expect_stop("getppid's exit", pid, SIGTRAP) ||
	    !CHECK_OK("POKEUSER rax", pt_sys(PTRACE_POKEUSER, pid, rax, 55)) ||
	    !pt_cont(what, pid, 0))
		return pt_kill(pid);
	pt_expect_end(what, pid, PROC_EXITED(0));
	alarm(0);
}
#endif

int main(void)
{
#if defined(__x86_64__)
	user_case();
#endif
	sysemu_case();
	singlestep_case();
	suspend_case();
	return check_exit("ptrace_misc");
}
