/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for the ptrace tests (ptrace_*): one guest traces another.
 *
 * - the raw syscall (pt_sys), so that PEEKDATA writes through its data
 *   pointer as the kernel does and errors come back as -1/errno;
 * - a watchdog: every case arms pt_watchdog(), whose SIGALRM kills the
 *   children on record and fails the test, so that a tracee that never
 *   stops, or a stop never reported, ends the test instead of hanging it;
 * - waits that check what they see: a signal stop, a PTRACE_EVENT stop
 *   (status >> 8 == SIGTRAP | event << 8), an exit;
 * - tracees made by PTRACE_TRACEME, which stop themselves with a raw
 *   kill(SIGSTOP): glibc's raise() makes more syscalls after it, which
 *   PTRACE_SYSCALL and syscall user dispatch would see first; they report
 *   what they saw through a pipe (pt_report);
 * - registers through PTRACE_GETREGSET NT_PRSTATUS (both architectures),
 *   named by role (return value, arguments, ip, sp), and the syscall number
 *   (orig_rax on x86_64, the NT_ARM_SYSTEM_CALL regset on arm64).
 */
#ifndef UMBRA_GUEST_TRACER_H
#define UMBRA_GUEST_TRACER_H

#include "sig.h"

#include <elf.h>
#include <linux/audit.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>

/* What a bounded wait allows a tracee, in seconds. */
#define PT_TIMEOUT 10

/* A TRACEME child whose PTRACE_TRACEME failed exits with this. */
#define PT_NO_TRACEME 90

#ifndef NT_ARM_SYSTEM_CALL
#define NT_ARM_SYSTEM_CALL 0x404
#endif

#if defined(__x86_64__)
#define PT_AUDIT_ARCH AUDIT_ARCH_X86_64
#define PT_RET(r) ((r).rax)
#define PT_IP(r) ((r).rip)
#define PT_SP(r) ((r).rsp)
#elif defined(__aarch64__)
#define PT_AUDIT_ARCH AUDIT_ARCH_AARCH64
#define PT_RET(r) ((r).regs[0])
#define PT_IP(r) ((r).pc)
#define PT_SP(r) ((r).sp)
#else
#error "tracer.h: unknown architecture"
#endif

static inline long pt_sys(long req, pid_t pid, unsigned long addr,
			  unsigned long data)
{
	return syscall(SYS_ptrace, req, pid, addr, data);
}

static inline long pt_sysp(long req, pid_t pid, unsigned long addr,
			   const void *data)
{
	return pt_sys(req, pid, addr, (unsigned long)data);
}

/* ---- the watchdog ---- */

static const char *volatile pt_case = "?";

static void pt_write_err(const char *s)
{
	ssize_t n = write(2, s, strlen(s));

	(void)n;
}

static void pt_on_alarm(int sig)
{
	(void)sig;
	pt_write_err("FAIL: ");
	pt_write_err(pt_case);
	pt_write_err(": expected the tracee's stops within the time allowed got none "
		     "(killed its children)\n");
	for (int i = 0; i < PROC_MAX_KIDS; i++)
		if (proc_kids[i] > 0)
			kill(proc_kids[i], SIGKILL);
	_exit(1);
}

/* Starts a case: what names it in failures; fails the test after secs. */
static inline void pt_watchdog(const char *what, unsigned int secs)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pt_on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	pt_case = what;
	alarm(secs);
}

/* ---- waits ---- */

/* waitpid(pid, __WALL) after EINTR; the status, or -1 after a failure. */
static inline int pt_wait(const char *what, pid_t pid)
{
	int status = 0;
	pid_t r = proc_wait(pid, &status, __WALL);

	if (r != pid) {
		fail("%s: waitpid(%ld, __WALL): expected the tracee got %ld (errno %s)",
		     what, (long)pid, (long)r, err_name(errno));
		return -1;
	}
	/* proc_wait() took it off the record; a stopped tracee stays on. */
	if (WIFSTOPPED(status))
		proc_track(pid);
	return status;
}

/* A signal stop (or syscall stop, sig SIGTRAP | 0x80) with no event bits. */
static inline int pt_expect_stop(const char *what, pid_t pid, int sig)
{
	char b[48];
	int st = pt_wait(what, pid);

	if (st == -1)
		return 0;
	if (!WIFSTOPPED(st)) {
		fail("%s: expected a stop by %s got %s%s", what,
		     sigabbrev_np(sig & 0x7f) ?: "?", proc_status_name(st, b, sizeof(b)),
		     st == PROC_EXITED(PT_NO_TRACEME) ? " (PTRACE_TRACEME failed)" : "");
		return 0;
	}
	if ((st >> 8) != sig) {
		fail("%s: expected stop status %#x (%s) got %#x", what, sig,
		     sigabbrev_np(sig & 0x7f) ?: "?", st >> 8);
		return 0;
	}
	return 1;
}

/* A PTRACE_EVENT stop: status >> 8 == sig | event << 8, sig SIGTRAP but for
 * PTRACE_EVENT_STOP in a group stop (the stopping signal). */
static inline int pt_expect_event_sig(const char *what, pid_t pid, int event, int sig)
{
	char b[48];
	int st = pt_wait(what, pid);

	if (st == -1)
		return 0;
	if (!WIFSTOPPED(st)) {
		fail("%s: expected PTRACE_EVENT %d got %s", what, event,
		     proc_status_name(st, b, sizeof(b)));
		return 0;
	}
	if ((st >> 8) != (sig | event << 8)) {
		fail("%s: expected stop status %#x (event %d) got %#x", what,
		     sig | event << 8, event, st >> 8);
		return 0;
	}
	return 1;
}

static inline int pt_expect_event(const char *what, pid_t pid, int event)
{
	return pt_expect_event_sig(what, pid, event, SIGTRAP);
}

/* The tracee's end, as a raw wait status (PROC_EXITED, PROC_KILLED). */
static inline int pt_expect_end(const char *what, pid_t pid, int expected)
{
	int st = pt_wait(what, pid);

	if (st == -1)
		return 0;
	return check_status(what, expected, st);
}

/* Kills a tracee on record (a failed case) and reaps it. */
static inline void pt_kill(pid_t pid)
{
	int st;

	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (proc_wait(pid, &st, __WALL) == pid && !WIFEXITED(st) && !WIFSIGNALED(st))
		;
	proc_forget(pid);
}

static inline int pt_cont(const char *what, pid_t pid, int sig)
{
	char w[160];

	snprintf(w, sizeof(w), "%s: PTRACE_CONT", what);
	return CHECK_OK(w, pt_sys(PTRACE_CONT, pid, 0, (unsigned long)sig));
}

static inline int pt_syscall(const char *what, pid_t pid, int sig)
{
	char w[160];

	snprintf(w, sizeof(w), "%s: PTRACE_SYSCALL", what);
	return CHECK_OK(w, pt_sys(PTRACE_SYSCALL, pid, 0, (unsigned long)sig));
}

/* ---- syscall stops (PTRACE_O_TRACESYSGOOD) ---- */

/* How many syscall stops the tracer walks to find the one it wants. */
#define PT_MAX_STOPS 64

static inline long pt_get_info(pid_t pid, struct __ptrace_syscall_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	return pt_sysp(PTRACE_GET_SYSCALL_INFO, pid, sizeof(*info), info);
}

/*
 * Resumes with PTRACE_SYSCALL until the entry stop of nr; info then holds
 * its PTRACE_GET_SYSCALL_INFO. Other calls' stops are passed over.
 */
static inline int pt_syscall_entry(const char *what, pid_t pid, long nr,
				   struct __ptrace_syscall_info *info)
{
	for (int i = 0; i < PT_MAX_STOPS; i++) {
		if (!pt_syscall(what, pid, 0) ||
		    !pt_expect_stop(what, pid, SIGTRAP | 0x80))
			return 0;
		if (pt_get_info(pid, info) < 0) {
			fail("%s: PTRACE_GET_SYSCALL_INFO: errno %s", what, err_name(errno));
			return 0;
		}
		if (info->op == PTRACE_SYSCALL_INFO_ENTRY && info->entry.nr == (unsigned long)nr)
			return 1;
	}
	fail("%s: expected the entry of syscall %ld within %d stops got none", what,
	     nr, PT_MAX_STOPS);
	return 0;
}

/* ---- tracees ---- */

/* The tracee stops itself with one syscall, nothing after it. */
static inline long pt_stop_self(void)
{
	return syscall(SYS_kill, getpid(), SIGSTOP);
}

/*
 * A child that runs body(arg) under PTRACE_TRACEME after stopping itself
 * with SIGSTOP; it exits with body's result (PT_NO_TRACEME when TRACEME
 * failed). The parent sees the stop; returns the pid, or -1 with the child
 * reaped.
 */
static inline pid_t pt_traceme(const char *what, int (*body)(void *), void *arg)
{
	pid_t pid = proc_fork(what);

	if (pid == 0) {
		if (pt_sys(PTRACE_TRACEME, 0, 0, 0) != 0)
			_exit(PT_NO_TRACEME);
		pt_stop_self();
		_exit(body(arg));
	}
	if (pid < 0)
		return -1;
	if (!pt_expect_stop(what, pid, SIGSTOP)) {
		pt_kill(pid);
		return -1;
	}
	return pid;
}

/* ---- exec: the program itself, by argv[0], exiting at once ---- */

#define PT_EXEC_STATUS 7

static const char *pt_self;

/* In main: 1 when this run is the exec'd image ("exit-7"), which then
 * exits PT_EXEC_STATUS; otherwise notes argv[0] for pt_exec_self. */
static inline int pt_is_image(int argc, char **argv)
{
	pt_self = argv[0];
	return argc > 1 && !strcmp(argv[1], "exit-7");
}

/* A tracee body: exec the image (returns 6 when the exec failed). */
static inline int pt_exec_self(void *arg)
{
	(void)arg;
	execl(pt_self, pt_self, "exit-7", (char *)NULL);
	return 6;
}

/* ---- reports: what a tracee saw, through a pipe ---- */

#define PT_REPORT_LEN 6

struct pt_report {
	long v[PT_REPORT_LEN];
};

/* The report pipe of the current tracee: it writes [1], the tracer reads [0]. */
static int pt_rep[2] = { -1, -1 };

/* In the tracee: up to six numbers, the rest 0. */
#define pt_report(...)							\
	pt_report_v((struct pt_report){ { __VA_ARGS__ } })

static inline void pt_report_v(struct pt_report r)
{
	if (!proc_send(pt_rep[1], &r, sizeof(r)))
		_exit(3);
}

/* pt_traceme() with the report pipe made first; the tracer keeps [0]. */
static inline pid_t pt_traced_child(const char *what, int (*body)(void *))
{
	pid_t pid;

	if (!proc_pipe(what, pt_rep))
		return -1;
	pid = pt_traceme(what, body, NULL);
	proc_close(&pt_rep[1]);
	if (pid < 0)
		proc_close(&pt_rep[0]);
	return pid;
}

static inline int pt_recv_report(const char *what, struct pt_report *r)
{
	int ok = proc_recv(what, pt_rep[0], r, sizeof(*r));

	proc_close(&pt_rep[0]);
	return ok;
}

/* GETSIGINFO at a stop: signo, code, and the sender (si_pid, si_uid). */
static inline void pt_check_siginfo(const char *what, pid_t pid, int signo,
				    int code, pid_t from, uid_t uid)
{
	siginfo_t si;
	char w[320];

	memset(&si, 0x5a, sizeof(si));
	snprintf(w, sizeof(w), "%s: PTRACE_GETSIGINFO", what);
	if (!CHECK_OK(w, pt_sysp(PTRACE_GETSIGINFO, pid, 0, &si)))
		return;
	snprintf(w, sizeof(w), "%s: si_signo", what);
	check_long(w, signo, si.si_signo);
	snprintf(w, sizeof(w), "%s: si_code", what);
	check_long(w, code, si.si_code);
	snprintf(w, sizeof(w), "%s: si_pid", what);
	check_long(w, from, si.si_pid);
	snprintf(w, sizeof(w), "%s: si_uid", what);
	check_long(w, (long)uid, si.si_uid);
}

/* ---- registers ---- */

static inline int pt_getregs(const char *what, pid_t pid, struct user_regs_struct *r)
{
	struct iovec iov = { r, sizeof(*r) };
	char w[160];

	memset(r, 0, sizeof(*r));
	snprintf(w, sizeof(w), "%s: PTRACE_GETREGSET NT_PRSTATUS", what);
	return CHECK_OK(w, pt_sysp(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov));
}

static inline int pt_setregs(const char *what, pid_t pid, const struct user_regs_struct *r)
{
	struct iovec iov = { (void *)r, sizeof(*r) };
	char w[160];

	snprintf(w, sizeof(w), "%s: PTRACE_SETREGSET NT_PRSTATUS", what);
	return CHECK_OK(w, pt_sysp(PTRACE_SETREGSET, pid, NT_PRSTATUS, &iov));
}

/* The n-th syscall argument (0-5) of a syscall stop's registers. */
static inline unsigned long long *pt_arg(struct user_regs_struct *r, int n)
{
#if defined(__x86_64__)
	unsigned long long *args[6] = { &r->rdi, &r->rsi, &r->rdx,
					&r->r10, &r->r8, &r->r9 };

	return args[n];
#else
	return (unsigned long long *)&r->regs[n];
#endif
}

/* Sets the syscall number at a syscall-entry stop (-1 skips the call). */
static inline int pt_set_nr(const char *what, pid_t pid, long nr)
{
#if defined(__x86_64__)
	struct user_regs_struct r;

	if (!pt_getregs(what, pid, &r))
		return 0;
	r.orig_rax = (unsigned long long)nr;
	return pt_setregs(what, pid, &r);
#else
	int n = (int)nr;
	struct iovec iov = { &n, sizeof(n) };
	char w[160];

	snprintf(w, sizeof(w), "%s: PTRACE_SETREGSET NT_ARM_SYSTEM_CALL", what);
	return CHECK_OK(w, pt_sysp(PTRACE_SETREGSET, pid, NT_ARM_SYSTEM_CALL, &iov));
#endif
}

/* Sets the return register (at a syscall-exit or signal stop). */
static inline int pt_set_ret(const char *what, pid_t pid, long val)
{
	struct user_regs_struct r;

	if (!pt_getregs(what, pid, &r))
		return 0;
	PT_RET(r) = (unsigned long long)val;
	return pt_setregs(what, pid, &r);
}

/* A word of the tracee by PTRACE_PEEKDATA; nonzero on success. */
static inline int pt_peek(const char *what, pid_t pid, const void *addr, long *word)
{
	char w[160];

	*word = 0;
	snprintf(w, sizeof(w), "%s: PTRACE_PEEKDATA", what);
	return CHECK_OK(w, pt_sysp(PTRACE_PEEKDATA, pid, (unsigned long)addr, word));
}

static inline int pt_poke(const char *what, pid_t pid, const void *addr, long word)
{
	char w[160];

	snprintf(w, sizeof(w), "%s: PTRACE_POKEDATA", what);
	return CHECK_OK(w, pt_sys(PTRACE_POKEDATA, pid, (unsigned long)addr,
				  (unsigned long)word));
}

/* Whether the native kernel lacks what a request gave err for: note it and
 * skip there; under umbra, which must have it, that is a failure. */
static inline int pt_host_lacks(const char *what, int err, int lack_err)
{
	if (err != lack_err || under_umbra())
		return 0;
	note("the host kernel has no %s (%s): skipped", what, err_name(err));
	return 1;
}

#endif /* UMBRA_GUEST_TRACER_H */
