// SPDX-License-Identifier: Apache-2.0
/*
 * arm64's NT_PRSTATUS with orig_x0 and orig_x7 after user_pt_regs, as the
 * "arm64/ptrace: allow to get all registers on syscall traps" series (v3)
 * lays it out; umbra gives guest tracers this regset, Linux never merged it.
 *
 * At syscall stops arm64 Linux puts 0 (entry) or 1 (exit) in x7 and drops
 * what the tracer writes there; the extended regset carries x7's true
 * value in orig_x7, which the tracer may change, and orig_x0, the first
 * argument as the call entered:
 *
 * - GETREGSET of sizeof(user_pt_regs) + 16 returns both (iov_len 288); a
 *   buffer of + 8 gets orig_x0 alone (iov_len 280), nothing past it;
 * - at entry: x0 == orig_x0 == the first argument, x7 == 0, orig_x7 the
 *   value the caller put in x7 before svc;
 * - orig_x7 written at entry is x7 from then on: the exit stop shows it
 *   (x7 == 1 there, orig_x0 still the argument, x0 the result);
 * - at the exit x7 written is dropped, orig_x7 written is what the caller
 *   finds in x7 after svc.
 *
 * x86_64 has nothing of the kind: the test skips there. Natively the
 * regset is 272 bytes (iov_len 272): skipped, said on stderr.
 */
#include "tracer.h"

#if defined(__aarch64__)

#define X7_A 0x686920776f726c64UL
#define X7_B (~X7_A)
#define X7_C 0x0123456789abcdefUL
#define X7_JUNK 0xdeadUL
#define ARG0 0x1234UL

struct regs_ext {
	struct user_regs_struct r;
	uint64_t orig_x0;
	uint64_t orig_x7;
};

_Static_assert(sizeof(struct user_regs_struct) == 272, "user_pt_regs");
_Static_assert(sizeof(struct regs_ext) == 288, "user_pt_regs + orig_x0, orig_x7");

/* Syscall nr with x0 = a0 and x7 = *x7; *x7 gets x7 as svc left it. */
static long svc_x7(long nr, unsigned long a0, unsigned long *x7)
{
	register unsigned long x0 __asm__("x0") = a0;
	register unsigned long *x1 __asm__("x1") = x7;
	register long x8 __asm__("x8") = nr;

	__asm__ volatile("ldr x7, [x1]\n\tsvc #0\n\tstr x7, [x1]"
			 : "+r"(x0)
			 : "r"(x1), "r"(x8)
			 : "x7", "memory");
	return (long)x0;
}

static int tracee(void *arg)
{
	unsigned long x7 = X7_A;
	long r;

	(void)arg;
	r = svc_x7(SYS_getppid, ARG0, &x7);
	pt_report(r, (long)x7);
	return 0;
}

/* GETREGSET NT_PRSTATUS of len bytes into e (the rest 0xa5); iov_len. */
static long get_ext(pid_t pid, struct regs_ext *e, size_t len)
{
	struct iovec iov = { e, len };

	memset(e, 0xa5, sizeof(*e));
	if (pt_sysp(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov) != 0) {
		fail("GETREGSET NT_PRSTATUS of %zu bytes: errno %s", len, err_name(errno));
		return -1;
	}
	return (long)iov.iov_len;
}

static int set_ext(pid_t pid, struct regs_ext *e)
{
	struct iovec iov = { e, sizeof(*e) };

	return CHECK_OK("SETREGSET NT_PRSTATUS of 288 bytes",
			pt_sysp(PTRACE_SETREGSET, pid, NT_PRSTATUS, &iov));
}

/* 1 when the regset has the two registers; 0 skips (natively). */
static int has_ext(pid_t pid)
{
	struct regs_ext e;
	long n = get_ext(pid, &e, sizeof(e));

	if (n == (long)sizeof(e.r) && !under_umbra()) {
		note("the host's NT_PRSTATUS has no orig_x0/orig_x7 (272 bytes): skipped");
		return 0;
	}
	return check_long("GETREGSET of 288 bytes: iov_len", sizeof(e), n);
}

static void at_entry(pid_t pid)
{
	struct regs_ext e;

	if (get_ext(pid, &e, sizeof(e.r) + 8) >= 0) {
		check_ulong("a buffer of 280 bytes: orig_x0", ARG0, e.orig_x0);
		check_ulong("a buffer of 280 bytes: nothing after orig_x0",
			    0xa5a5a5a5a5a5a5a5UL, e.orig_x7);
	}
	if (get_ext(pid, &e, sizeof(e)) < 0)
		return;
	check_ulong("entry: x0, the first argument", ARG0, e.r.regs[0]);
	check_ulong("entry: orig_x0", ARG0, e.orig_x0);
	check_ulong("entry: x7 says entry", 0, e.r.regs[7]);
	check_ulong("entry: orig_x7, x7 before svc", X7_A, e.orig_x7);
	check_ulong("entry: x8, the number", SYS_getppid, e.r.regs[8]);
	e.orig_x7 = X7_B;
	set_ext(pid, &e);
}

static void at_exit(pid_t pid)
{
	struct regs_ext e;

	if (!pt_syscall("exit", pid, 0) ||
	    !pt_expect_stop("getppid's exit stop", pid, SIGTRAP | 0x80) ||
	    get_ext(pid, &e, sizeof(e)) < 0)
		return;
	check_ulong("exit: x7 says exit", 1, e.r.regs[7]);
	check_ulong("exit: orig_x7, as set at entry", X7_B, e.orig_x7);
	check_ulong("exit: orig_x0, the first argument still", ARG0, e.orig_x0);
	check_ulong("exit: x0, getppid's result", (unsigned long)getpid(), e.r.regs[0]);
	e.r.regs[7] = X7_JUNK;
	e.orig_x7 = X7_C;
	set_ext(pid, &e);
}

int main(void)
{
	const char *what = "orig_x0 and orig_x7";
	struct __ptrace_syscall_info info;
	struct pt_report r;
	pid_t pid;

	proc_default_signals();
	pt_watchdog(what, PT_TIMEOUT);
	pid = pt_traced_child(what, tracee);
	if (pid < 0)
		return check_exit("ptrace_arm64_regs");
	if (!has_ext(pid)) {
		proc_close(&pt_rep[0]);
		pt_kill(pid);
		return check_failures ? check_exit("ptrace_arm64_regs") : EXIT_SKIP;
	}
	CHECK_OK("SETOPTIONS TRACESYSGOOD | EXITKILL",
		 pt_sys(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL));
	if (pt_syscall_entry("getppid", pid, SYS_getppid, &info)) {
		at_entry(pid);
		at_exit(pid);
	}
	pt_cont(what, pid, 0);
	if (pt_recv_report(what, &r)) {
		check_long("the caller gets getppid's result", getpid(), r.v[0]);
		check_ulong("the caller's x7 after svc: orig_x7 set at the exit", X7_C,
			    (unsigned long)r.v[1]);
	}
	pt_expect_end(what, pid, PROC_EXITED(0));
	alarm(0);
	proc_finish();
	return check_exit("ptrace_arm64_regs");
}

#else

int main(void)
{
	note("skip: orig_x0 and orig_x7 are arm64's");
	return EXIT_SKIP;
}

#endif
