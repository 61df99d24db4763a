// SPDX-License-Identifier: Apache-2.0
/*
 * A child traced by its parent through PTRACE_TRACEME (kernel/ptrace.c,
 * kernel/signal.c ptrace_signal, man 2 ptrace):
 *
 * - its SIGSTOP is a signal-delivery-stop that waitpid reports, and
 *   GETSIGINFO shows (SIGSTOP, SI_USER, the child's pid and uid);
 * - PEEKDATA/POKEDATA read and write its memory, a read-only private page
 *   included (FOLL_FORCE), and the child sees what was written;
 * - registers: GETREGSET NT_PRSTATUS (and GETREGS/SETREGS on x86_64) read
 *   the stop's registers, a changed return register is what the stopping
 *   syscall returns; the regset length is clamped to the regset's;
 * - resuming with a signal delivers that one (si_code SI_USER, si_pid the
 *   tracer), resuming with 0 suppresses the signal that stopped it, and a
 *   SETSIGINFO at the stop is the siginfo its handler gets;
 * - exec without PTRACE_O_TRACEEXEC stops with a plain SIGTRAP (SI_USER);
 * - exit and PTRACE_KILL are reported by waitpid;
 * - errors: ESRCH for a process not traced by the caller, or traced and
 *   running; EIO for an unmapped address, an unknown request, an invalid
 *   signal, INTERRUPT/LISTEN without SEIZE; EINVAL for unknown options or
 *   a regset length or type it does not take; EFAULT for bad pointers;
 *   EPERM for a second PTRACE_TRACEME.
 *
 * Children report through a pipe; every case is bounded by a watchdog.
 */
#include "tracer.h"

#include <sys/mman.h>

#define CELL_A 0x1122334455667788L
#define CELL_B 0x0badcafe5eedf00dL
#define RO_A 0x0123456789abcdefL
#define RO_B 0x7edcba9876543210L
#define SET_RET 12345L
#define SET_RET2 54321L
#define SET_VALUE 77
#define SET_PID 4321

static volatile long cell = CELL_A;
/* A private page the child inherits read-only (PROT_READ). */
static volatile long *ro_cell;

static int report_cells(void *arg)
{
	(void)arg;
	pt_report(cell, *ro_cell, 0, 0);
	return 0;
}

static void peek_poke(void)
{
	const char *what = "PEEKDATA/POKEDATA";
	struct pt_report r;
	long word;
	pid_t pid;

	pt_watchdog(what, PT_TIMEOUT);
	ro_cell = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro_cell == MAP_FAILED) {
		fail("%s: mmap: errno %s", what, err_name(errno));
		return;
	}
	*ro_cell = RO_A;
	CHECK_OK("mprotect(PROT_READ)", mprotect((void *)ro_cell, 4096, PROT_READ));
	pid = pt_traced_child(what, report_cells);
	if (pid < 0)
		return;
	pt_check_siginfo("the TRACEME child's SIGSTOP", pid, SIGSTOP, SI_USER, pid,
			 getuid());
	if (pt_peek(what, pid, (const void *)&cell, &word))
		check_ulong("PEEKDATA of a variable", CELL_A, word);
	pt_poke(what, pid, (const void *)&cell, CELL_B);
	if (pt_peek(what, pid, (const void *)&cell, &word))
		check_ulong("PEEKDATA after POKEDATA", CELL_B, word);
	check_ulong("the tracer's own copy is untouched", CELL_A, cell);
	if (pt_peek(what, pid, (const void *)ro_cell, &word))
		check_ulong("PEEKDATA of a read-only page", RO_A, word);
	CHECK_OK("POKEDATA into a read-only page (forced)",
		 pt_sys(PTRACE_POKEDATA, pid, (unsigned long)ro_cell, RO_B));
	if (pt_peek(what, pid, (const void *)ro_cell, &word))
		check_ulong("PEEKDATA of the read-only page after POKEDATA", RO_B, word);
	check_ulong("the tracer's own read-only page is untouched", RO_A, *ro_cell);
	CHECK_ERRNO("PEEKDATA at 0", pt_sysp(PTRACE_PEEKDATA, pid, 0, &word), EIO);
	CHECK_ERRNO("PEEKDATA at an unmapped address",
		    pt_sysp(PTRACE_PEEKDATA, pid, (unsigned long)bad_address(), &word), EIO);
	CHECK_ERRNO("PEEKDATA at a kernel address",
		    pt_sysp(PTRACE_PEEKDATA, pid, ~0UL << 47, &word), EIO);
	CHECK_ERRNO("POKEDATA at 0", pt_sys(PTRACE_POKEDATA, pid, 0, 1), EIO);
	CHECK_ERRNO("PEEKDATA into a bad pointer",
		    pt_sysp(PTRACE_PEEKDATA, pid, (unsigned long)&cell, bad_address()),
		    EFAULT);
	pt_cont(what, pid, 0);
	if (pt_recv_report(what, &r)) {
		check_ulong("the child's variable after POKEDATA", CELL_B, r.v[0]);
		check_ulong("the child's read-only page after POKEDATA", RO_B, r.v[1]);
	}
	pt_expect_end(what, pid, PROC_EXITED(0));
	munmap((void *)ro_cell, 4096);
}

/* Stops twice more; reports what each stopping kill() returned. */
static int stop_twice(void *arg)
{
	long a, b;

	(void)arg;
	a = pt_stop_self();
	b = pt_stop_self();
	pt_report(a, b, 0, 0);
	return 0;
}

#if defined(__x86_64__)
/* GETREGS is GETREGSET's struct; SETREGS sets the stopping call's result. */
static void x86_getregs(pid_t pid)
{
	struct user_regs_struct a, b;

	if (!pt_getregs("GETREGS", pid, &b))
		return;
	memset(&a, 0, sizeof(a));
	if (!CHECK_OK("PTRACE_GETREGS", pt_sysp(PTRACE_GETREGS, pid, 0, &a)))
		return;
	check_true("GETREGS and GETREGSET agree", !memcmp(&a, &b, sizeof(a)));
	check_ulong("orig_rax at the stop after kill()", SYS_kill, a.orig_rax);
	check_ulong("rax at the stop after kill()", 0, a.rax);
	CHECK_ERRNO("GETREGS into a bad pointer",
		    pt_sysp(PTRACE_GETREGS, pid, 0, bad_address()), EFAULT);
	a.rax = SET_RET;
	CHECK_OK("PTRACE_SETREGS", pt_sysp(PTRACE_SETREGS, pid, 0, &a));
}
#endif

static void regset_lengths(pid_t pid)
{
	unsigned char buf[1024];
	struct iovec iov = { buf, sizeof(buf) };
	size_t want = sizeof(struct user_regs_struct);

	if (!CHECK_OK("GETREGSET with a long buffer",
		      pt_sysp(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov)))
		return;
#if defined(__aarch64__)
	/* umbra's regset also holds orig_x0 and orig_x7 (ptrace_arm64_regs). */
	if (iov.iov_len == want + 16)
		want += 16;
#endif
	check_ulong("GETREGSET clamps iov_len to the regset", want, iov.iov_len);
	iov.iov_len = 7;
	CHECK_ERRNO("GETREGSET of 7 bytes",
		    pt_sysp(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov), EINVAL);
	iov.iov_len = sizeof(buf);
	CHECK_ERRNO("GETREGSET of an unknown regset",
		    pt_sysp(PTRACE_GETREGSET, pid, 0x7777, &iov), EINVAL);
	CHECK_ERRNO("GETREGSET with a bad iovec",
		    pt_sysp(PTRACE_GETREGSET, pid, NT_PRSTATUS, bad_address()), EFAULT);
	iov.iov_base = bad_address();
	iov.iov_len = want;
	CHECK_ERRNO("GETREGSET into a bad buffer",
		    pt_sysp(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov), EFAULT);
}

static void registers(void)
{
	const char *what = "registers";
	struct user_regs_struct r;
	struct pt_report rp;
	long first = SET_RET;
	pid_t pid;

	pt_watchdog(what, PT_TIMEOUT);
	pid = pt_traced_child(what, stop_twice);
	if (pid < 0)
		return;
	pt_cont(what, pid, 0);
	pt_expect_stop("the first stop in the child", pid, SIGSTOP);
#if defined(__x86_64__)
	x86_getregs(pid);
#else
	pt_set_ret(what, pid, SET_RET);
#endif
	pt_cont(what, pid, 0);
	pt_expect_stop("the second stop in the child", pid, SIGSTOP);
	regset_lengths(pid);
	if (pt_getregs(what, pid, &r)) {
		check_ulong("the return register at the stop after kill()", 0, PT_RET(r));
		PT_RET(r) = SET_RET2;
		pt_setregs(what, pid, &r);
	}
	pt_cont(what, pid, 0);
	if (pt_recv_report(what, &rp)) {
		check_long("kill() returns the register SETREGS set", first, rp.v[0]);
		check_long("kill() returns the register SETREGSET set", SET_RET2, rp.v[1]);
	}
	pt_expect_end(what, pid, PROC_EXITED(0));
}

static volatile int handled;
static volatile long h_code, h_pid, h_value;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	handled++;
	h_code = si->si_code;
	h_pid = si->si_pid;
	h_value = si->si_value.sival_int;
}

/* Stops again with a handler for SIGUSR2 in place; reports what it saw. */
static int injected(void *arg)
{
	(void)arg;
	if (!sig_install("child", SIGUSR2, on_signal, 0, NULL))
		return 4;
	pt_stop_self();
	pt_report(handled, h_code, h_pid, 0);
	return 0;
}

static void inject(void)
{
	const char *what = "PTRACE_CONT with a signal";
	struct pt_report r;
	pid_t pid;

	pt_watchdog(what, PT_TIMEOUT);
	pid = pt_traced_child(what, injected);
	if (pid < 0)
		return;
	pt_cont(what, pid, 0);
	pt_expect_stop(what, pid, SIGSTOP);
	pt_cont(what, pid, SIGUSR2);
	if (pt_recv_report(what, &r)) {
		check_long("the injected signal's handler ran", 1, r.v[0]);
		check_long("the injected signal's si_code", SI_USER, r.v[1]);
		check_long("the injected signal's si_pid (the tracer)", getpid(), r.v[2]);
	}
	pt_expect_end(what, pid, PROC_EXITED(0));
}

/* SIGUSR1 twice with a handler in place; reports what the handler saw. */
static int usr1_twice(void *arg)
{
	(void)arg;
	if (!sig_install("child", SIGUSR1, on_signal, 0, NULL))
		return 4;
	kill(getpid(), SIGUSR1);
	if (handled)
		return 5;
	kill(getpid(), SIGUSR1);
	pt_report(handled, h_code, h_pid, h_value);
	return 0;
}

static void suppress(void)
{
	const char *what = "signal-delivery-stop";
	struct pt_report r;
	siginfo_t si;
	pid_t pid;

	pt_watchdog(what, PT_TIMEOUT);
	pid = pt_traced_child(what, usr1_twice);
	if (pid < 0)
		return;
	pt_cont(what, pid, 0);
	if (pt_expect_stop("SIGUSR1 stops the tracee", pid, SIGUSR1))
		pt_check_siginfo("SIGUSR1's stop", pid, SIGUSR1, SI_USER, pid, getuid());
	pt_cont(what, pid, 0);
	if (pt_expect_stop("the second SIGUSR1", pid, SIGUSR1)) {
		memset(&si, 0, sizeof(si));
		si.si_signo = SIGUSR1;
		si.si_code = SI_QUEUE;
		si.si_pid = SET_PID;
		si.si_uid = getuid();
		si.si_value.sival_int = SET_VALUE;
		CHECK_OK("PTRACE_SETSIGINFO", pt_sysp(PTRACE_SETSIGINFO, pid, 0, &si));
		pt_check_siginfo("after SETSIGINFO", pid, SIGUSR1, SI_QUEUE, SET_PID,
				 getuid());
		CHECK_ERRNO("SETSIGINFO from a bad pointer",
			    pt_sysp(PTRACE_SETSIGINFO, pid, 0, bad_address()), EFAULT);
		CHECK_ERRNO("GETSIGINFO into a bad pointer",
			    pt_sysp(PTRACE_GETSIGINFO, pid, 0, bad_address()), EFAULT);
	}
	pt_cont(what, pid, SIGUSR1);
	if (pt_recv_report(what, &r)) {
		check_long("the handler ran once (CONT 0 suppressed the first)", 1, r.v[0]);
		check_long("the handler's si_code (SETSIGINFO)", SI_QUEUE, r.v[1]);
		check_long("the handler's si_pid (SETSIGINFO)", SET_PID, r.v[2]);
		check_long("the handler's si_value (SETSIGINFO)", SET_VALUE, r.v[3]);
	}
	pt_expect_end(what, pid, PROC_EXITED(0));
}

static void exec_trap(void)
{
	const char *what = "exec without TRACEEXEC";
	pid_t pid;

	pt_watchdog(what, PT_TIMEOUT);
	pid = pt_traced_child(what, pt_exec_self);
	if (pid < 0)
		return;
	proc_close(&pt_rep[0]);
	pt_cont(what, pid, 0);
	if (pt_expect_stop("exec stops the tracee with SIGTRAP", pid, SIGTRAP))
		pt_check_siginfo("exec's SIGTRAP", pid, SIGTRAP, SI_USER, pid, getuid());
	pt_cont(what, pid, 0);
	pt_expect_end("the new image's exit", pid, PROC_EXITED(PT_EXEC_STATUS));
}

static int just_return(void *arg)
{
	(void)arg;
	return 0;
}

static void killing(void)
{
	const char *what = "PTRACE_KILL";
	pid_t pid;

	pt_watchdog(what, PT_TIMEOUT);
	pid = pt_traceme(what, just_return, NULL);
	if (pid > 0) {
		CHECK_OK("PTRACE_KILL", pt_sys(PTRACE_KILL, pid, 0, 0));
		pt_expect_end("a PTRACE_KILLed tracee", pid, PROC_KILLED(SIGKILL));
	}
	pid = pt_traceme("SIGKILL", just_return, NULL);
	if (pid > 0) {
		check_long("kill(SIGKILL) of a stopped tracee", 0, kill(pid, SIGKILL));
		pt_expect_end("a stopped tracee killed", pid, PROC_KILLED(SIGKILL));
	}
}

/* A second PTRACE_TRACEME is EPERM: the child's exit status says. */
static void traceme_twice(void)
{
	pid_t pid = proc_fork("TRACEME twice");

	if (pid == 0) {
		if (pt_sys(PTRACE_TRACEME, 0, 0, 0) != 0)
			_exit(PT_NO_TRACEME);
		if (pt_sys(PTRACE_TRACEME, 0, 0, 0) == 0)
			_exit(1);
		_exit(errno == EPERM ? 0 : 2);
	}
	proc_reap("a second TRACEME is EPERM (exit 0)", pid, PROC_EXITED(0));
}

static void errors_untraced(void)
{
	long word;
	pid_t pid;
	int gate;

	pid = proc_hold("an untraced child", &gate, NULL);
	if (pid < 0)
		return;
	CHECK_ERRNO("PEEKDATA of an untraced child",
		    pt_sysp(PTRACE_PEEKDATA, pid, (unsigned long)&cell, &word), ESRCH);
	CHECK_ERRNO("CONT of an untraced child", pt_sys(PTRACE_CONT, pid, 0, 0), ESRCH);
	CHECK_ERRNO("KILL of an untraced child", pt_sys(PTRACE_KILL, pid, 0, 0), ESRCH);
	CHECK_ERRNO("an unknown request to an untraced child",
		    pt_sys(0x7fff, pid, 0, 0), ESRCH);
	CHECK_ERRNO("PEEKDATA of no process",
		    pt_sysp(PTRACE_PEEKDATA, PROC_NO_PID, 0, &word), ESRCH);
	CHECK_ERRNO("PEEKDATA of pid 0", pt_sysp(PTRACE_PEEKDATA, 0, 0, &word), ESRCH);
	CHECK_ERRNO("PEEKDATA of itself", pt_sysp(PTRACE_PEEKDATA, getpid(), 0, &word),
		    ESRCH);
	proc_release(&gate, 0);
	proc_reap("the untraced child", pid, PROC_EXITED(0));
}

static int wait_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return 0;
}

/* A tracee that runs: only KILL and INTERRUPT take it; the rest ESRCH. */
static void errors_running(void)
{
	const char *what = "a running tracee";
	long word;
	pid_t pid;

	pt_watchdog(what, PT_TIMEOUT);
	pid = pt_traced_child(what, wait_forever);
	if (pid < 0)
		return;
	pt_cont(what, pid, 0);
	CHECK_ERRNO("PEEKDATA of a running tracee",
		    pt_sysp(PTRACE_PEEKDATA, pid, (unsigned long)&cell, &word), ESRCH);
	CHECK_ERRNO("CONT of a running tracee", pt_sys(PTRACE_CONT, pid, 0, 0), ESRCH);
	CHECK_ERRNO("INTERRUPT without SEIZE", pt_sys(PTRACE_INTERRUPT, pid, 0, 0), EIO);
	CHECK_OK("KILL of a running tracee", pt_sys(PTRACE_KILL, pid, 0, 0));
	pt_expect_end(what, pid, PROC_KILLED(SIGKILL));
	proc_close(&pt_rep[0]);
}

static void errors_stopped(void)
{
	const char *what = "errors at a stop";
	sigset_t mask;
	pid_t pid;

	pt_watchdog(what, PT_TIMEOUT);
	pid = pt_traceme(what, just_return, NULL);
	if (pid < 0)
		return;
	CHECK_ERRNO("an unknown request", pt_sys(0x7fff, pid, 0, 0), EIO);
	CHECK_ERRNO("SETOPTIONS with an unknown bit",
		    pt_sys(PTRACE_SETOPTIONS, pid, 0, 1UL << 30), EINVAL);
	CHECK_ERRNO("CONT with signal 65", pt_sys(PTRACE_CONT, pid, 0, 65), EIO);
	CHECK_ERRNO("DETACH with signal 65", pt_sys(PTRACE_DETACH, pid, 0, 65), EIO);
	CHECK_ERRNO("LISTEN without SEIZE", pt_sys(PTRACE_LISTEN, pid, 0, 0), EIO);
	CHECK_ERRNO("GETEVENTMSG into a bad pointer",
		    pt_sysp(PTRACE_GETEVENTMSG, pid, 0, bad_address()), EFAULT);
	CHECK_ERRNO("GETSIGMASK of 4 bytes", pt_sysp(PTRACE_GETSIGMASK, pid, 4, &mask),
		    EINVAL);
	pt_cont(what, pid, 0);
	pt_expect_end(what, pid, PROC_EXITED(0));
}

int main(int argc, char **argv)
{
	if (pt_is_image(argc, argv))
		return PT_EXEC_STATUS;
	proc_default_signals();
	peek_poke();
	registers();
	inject();
	suppress();
	exec_trap();
	killing();
	traceme_twice();
	errors_untraced();
	errors_running();
	errors_stopped();
	alarm(0);
	proc_finish();
	return check_exit("ptrace_traceme");
}
