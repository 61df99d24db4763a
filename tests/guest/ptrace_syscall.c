// SPDX-License-Identifier: Apache-2.0
/*
 * Syscall stops and ptrace events (kernel/ptrace.c, kernel/entry/
 * syscall-common.c, arch/arm64/kernel/syscall.c, man 2 ptrace):
 *
 * - PTRACE_SYSCALL with PTRACE_O_TRACESYSGOOD stops at each syscall's
 *   entry and exit with SIGTRAP | 0x80; PTRACE_GET_SYSCALL_INFO says which
 *   (op ENTRY: nr, the six arguments, instruction and stack pointer, arch;
 *   op EXIT: rval, is_error), returns its full size whatever it copies,
 *   and gives op NONE at other stops;
 * - the tracer changes the call: a number of -1 at entry skips it (x86_64
 *   returns -ENOSYS, arm64 leaves x0, the first argument, as it was), an
 *   argument changed at entry is what the call gets, a return register
 *   changed at exit is what the caller gets;
 * - PTRACE_O_TRACEEXEC: exec stops with PTRACE_EVENT_EXEC, GETEVENTMSG the
 *   former thread id, and no plain SIGTRAP follows;
 * - PTRACE_O_TRACEEXIT: exit stops with PTRACE_EVENT_EXIT, GETEVENTMSG the
 *   wait status to be, its memory still readable;
 * - PTRACE_O_EXITKILL: the tracee dies with its tracer; without it, it
 *   runs on untraced.
 */
#include "tracer.h"

#include <poll.h>

#define EXIT_STATUS 5
#define SET_RET 4242L
#define SKIP_RET 777L

/* Size of struct ptrace_syscall_info up to each op's last field. */
#define INFO_NONE_SIZE 24UL
#define INFO_ENTRY_SIZE 80UL
#define INFO_EXIT_SIZE 33UL

static int side[2] = { -1, -1 };
/* The tracee's write end of side, by number (the tracer closes its own). */
static int side_w = -1;
static volatile long mark = 0x5eed;

/* Resumes to the exit stop of the call entered; info as above. */
static int syscall_exit(const char *what, pid_t pid, struct __ptrace_syscall_info *info)
{
	long n;

	if (!pt_syscall(what, pid, 0) || !pt_expect_stop(what, pid, SIGTRAP | 0x80))
		return 0;
	n = pt_get_info(pid, info);
	if (!check_long("GET_SYSCALL_INFO at an exit stop: its size", INFO_EXIT_SIZE, n))
		return 0;
	return check_long("GET_SYSCALL_INFO at an exit stop: op", PTRACE_SYSCALL_INFO_EXIT,
			  info->op);
}

/* The calls the tracer watches, one after the other. */
static int calls(void *arg)
{
	long a, b, berr, c, d;

	(void)arg;
	a = syscall(SYS_getppid, 11, 22, 33, 44, 55, 66);
	errno = 0;
	b = syscall(SYS_write, side[1], "S", 1);
	berr = errno;
	c = syscall(SYS_write, side[1], "ABC", 1);
	d = syscall(SYS_getppid);
	pt_report(a, b, berr, c, d);
	return 0;
}

static void check_entry_info(pid_t pid, const struct __ptrace_syscall_info *info)
{
	struct __ptrace_syscall_info small;
	struct user_regs_struct r;

	check_long("entry: arch", PT_AUDIT_ARCH, info->arch);
	for (int i = 0; i < 6; i++)
		check_long("entry: an argument", 11 * (i + 1), (long)info->entry.args[i]);
	if (pt_getregs("entry", pid, &r)) {
		check_ulong("entry: instruction_pointer", PT_IP(r), info->instruction_pointer);
		check_ulong("entry: stack_pointer", PT_SP(r), info->stack_pointer);
	}
	memset(&small, 0xa5, sizeof(small));
	check_long("GET_SYSCALL_INFO of 24 bytes returns the full size", INFO_ENTRY_SIZE,
		   pt_sysp(PTRACE_GET_SYSCALL_INFO, pid, INFO_NONE_SIZE, &small));
	check_ulong("GET_SYSCALL_INFO of 24 bytes: nothing after them",
		    0xa5a5a5a5a5a5a5a5UL, small.entry.nr);
	CHECK_ERRNO("GET_SYSCALL_INFO into a bad pointer",
		    pt_sysp(PTRACE_GET_SYSCALL_INFO, pid, sizeof(small), bad_address()),
		    EFAULT);
}

/* getppid: what entry and exit say; its result changed at the exit. */
static void watch_getppid(pid_t pid)
{
	struct __ptrace_syscall_info info;

	if (!pt_syscall_entry("getppid", pid, SYS_getppid, &info))
		return;
	check_entry_info(pid, &info);
	if (!syscall_exit("getppid", pid, &info))
		return;
	check_long("getppid's exit: rval (the tracer)", getpid(), info.exit.rval);
	check_long("getppid's exit: is_error", 0, info.exit.is_error);
	pt_set_ret("getppid's exit", pid, SET_RET);
}

/* write(side, "S", 1) skipped at its entry. */
static void skip_write(pid_t pid)
{
	struct __ptrace_syscall_info info;

	if (!pt_syscall_entry("skipped write", pid, SYS_write, &info))
		return;
	check_long("write's entry: fd", side_w, (long)info.entry.args[0]);
	pt_set_nr("skipping write", pid, -1);
	if (!syscall_exit("skipped write", pid, &info))
		return;
#if defined(__x86_64__)
	check_long("a skipped call's rval", -ENOSYS, info.exit.rval);
	check_long("a skipped call's is_error", 1, info.exit.is_error);
#else
	check_long("a skipped call's rval (x0 untouched)", side_w, info.exit.rval);
	check_long("a skipped call's is_error", 0, info.exit.is_error);
#endif
}

/* write(side, "ABC", 1) made to write 3 bytes. */
static void change_count(pid_t pid)
{
	struct __ptrace_syscall_info info;
	struct user_regs_struct r;

	if (!pt_syscall_entry("write", pid, SYS_write, &info) || !pt_getregs("write", pid, &r))
		return;
	check_long("write's entry: count", 1, (long)*pt_arg(&r, 2));
	*pt_arg(&r, 2) = 3;
	pt_setregs("write's count", pid, &r);
	if (syscall_exit("write", pid, &info))
		check_long("write's exit: the changed count written", 3, info.exit.rval);
}

/* getppid skipped, its result set at the exit. */
static void skip_and_answer(pid_t pid)
{
	struct __ptrace_syscall_info info;

	if (!pt_syscall_entry("getppid answered", pid, SYS_getppid, &info))
		return;
	pt_set_nr("skipping getppid", pid, -1);
	if (syscall_exit("getppid answered", pid, &info))
		pt_set_ret("getppid's answer", pid, SKIP_RET);
}

static void check_side(void)
{
	char buf[8];
	ssize_t n = read(side[0], buf, sizeof(buf));

	if (check_long("the side pipe: only the changed write's bytes", 3, n))
		check_true("the side pipe holds ABC", !memcmp(buf, "ABC", 3));
}

static void syscall_stops(void)
{
	const char *what = "syscall stops";
	struct __ptrace_syscall_info info;
	struct pt_report r;
	pid_t pid;

	pt_watchdog(what, PT_TIMEOUT);
	if (pipe2(side, O_CLOEXEC | O_NONBLOCK) != 0) {
		fail("%s: pipe2: errno %s", what, err_name(errno));
		return;
	}
	side_w = side[1];
	pid = pt_traced_child(what, calls);
	proc_close(&side[1]);
	if (pid < 0) {
		proc_close(&side[0]);
		return;
	}
	CHECK_OK("SETOPTIONS TRACESYSGOOD | EXITKILL",
		 pt_sys(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL));
	check_long("GET_SYSCALL_INFO at a signal stop: its size", INFO_NONE_SIZE,
		   pt_get_info(pid, &info));
	check_long("GET_SYSCALL_INFO at a signal stop: op", PTRACE_SYSCALL_INFO_NONE, info.op);
	check_long("GET_SYSCALL_INFO at a signal stop: arch", PT_AUDIT_ARCH, info.arch);
	watch_getppid(pid);
	skip_write(pid);
	change_count(pid);
	skip_and_answer(pid);
	pt_cont(what, pid, 0);
	if (pt_recv_report(what, &r)) {
		check_long("getppid returns what the tracer set", SET_RET, r.v[0]);
#if defined(__x86_64__)
		check_long("a skipped write returns -1", -1, r.v[1]);
		check_errval("a skipped write's errno", ENOSYS, (int)r.v[2]);
#else
		check_long("a skipped write returns x0 as it was", side_w, r.v[1]);
#endif
		check_long("the write with its count changed returns 3", 3, r.v[3]);
		check_long("a skipped getppid returns what the tracer set", SKIP_RET, r.v[4]);
	}
	pt_expect_end(what, pid, PROC_EXITED(0));
	check_side();
	proc_close(&side[0]);
}

static void exec_event(void)
{
	const char *what = "PTRACE_O_TRACEEXEC";
	struct __ptrace_syscall_info info;
	unsigned long msg = 0;
	pid_t pid;

	pt_watchdog(what, PT_TIMEOUT);
	pid = pt_traceme(what, pt_exec_self, NULL);
	if (pid < 0)
		return;
	CHECK_OK("SETOPTIONS TRACEEXEC", pt_sys(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEEXEC));
	pt_cont(what, pid, 0);
	if (pt_expect_event("exec", pid, PTRACE_EVENT_EXEC)) {
		if (CHECK_OK("GETEVENTMSG at the exec event",
			     pt_sysp(PTRACE_GETEVENTMSG, pid, 0, &msg)))
			check_long("the exec event's message: the former thread id", pid, msg);
		pt_check_siginfo("the exec event", pid, SIGTRAP,
				 SIGTRAP | PTRACE_EVENT_EXEC << 8, pid, getuid());
		check_long("GET_SYSCALL_INFO at an event stop: its size", INFO_NONE_SIZE,
			   pt_get_info(pid, &info));
		check_long("GET_SYSCALL_INFO at an event stop: op", PTRACE_SYSCALL_INFO_NONE,
			   info.op);
	}
	pt_cont(what, pid, 0);
	pt_expect_end("exit after the exec event (no plain SIGTRAP)", pid,
		      PROC_EXITED(PT_EXEC_STATUS));
}

static int exit_five(void *arg)
{
	(void)arg;
	mark = 0xdead;
	return EXIT_STATUS;
}

static void exit_event(void)
{
	const char *what = "PTRACE_O_TRACEEXIT";
	unsigned long msg = 0;
	long word;
	pid_t pid;

	pt_watchdog(what, PT_TIMEOUT);
	pid = pt_traceme(what, exit_five, NULL);
	if (pid < 0)
		return;
	CHECK_OK("SETOPTIONS TRACEEXIT", pt_sys(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEEXIT));
	pt_cont(what, pid, 0);
	if (pt_expect_event("exit", pid, PTRACE_EVENT_EXIT)) {
		if (CHECK_OK("GETEVENTMSG at the exit event",
			     pt_sysp(PTRACE_GETEVENTMSG, pid, 0, &msg)))
			check_long("the exit event's message: the wait status",
				   PROC_EXITED(EXIT_STATUS), msg);
		if (pt_peek("the exit event", pid, (const void *)&mark, &word))
			check_long("memory at the exit event", 0xdead, word);
	}
	pt_cont(what, pid, 0);
	pt_expect_end(what, pid, PROC_EXITED(EXIT_STATUS));
}

/*
 * A tracer child T traces its own child C, which blocks on gate; T exits.
 * C holds the write end of death, so death's read end sees EOF when C is
 * gone. Returns the read end, or -1.
 */
static int orphan_tracee(const char *what, unsigned long options, int gate[2])
{
	int death[2];
	pid_t t;

	if (!proc_pipe(what, death) || !proc_pipe(what, gate))
		return -1;
	t = proc_fork(what);
	if (t == 0) {
		pid_t c = fork();
		char ch;

		if (c == 0) {
			close(gate[1]);
			if (pt_sys(PTRACE_TRACEME, 0, 0, 0) != 0)
				_exit(PT_NO_TRACEME);
			pt_stop_self();
			_exit(read(gate[0], &ch, 1) < 0);
		}
		if (c < 0 || waitpid(c, NULL, __WALL) != c ||
		    pt_sys(PTRACE_SETOPTIONS, c, 0, options) != 0 ||
		    pt_sys(PTRACE_CONT, c, 0, 0) != 0)
			_exit(1);
		_exit(0);
	}
	proc_close(&death[1]);
	proc_close(&gate[0]);
	proc_reap("the tracer that exits", t, PROC_EXITED(0));
	return death[0];
}

/* Whether the far end of fd closes within ms. */
static int closes_within(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char c;

	return poll(&p, 1, ms) == 1 && read(fd, &c, 1) == 0;
}

static void exitkill(void)
{
	const char *what = "PTRACE_O_EXITKILL";
	int gate[2], death;

	pt_watchdog(what, PT_TIMEOUT);
	death = orphan_tracee(what, PTRACE_O_EXITKILL, gate);
	if (death < 0)
		return;
	check_true("EXITKILL: the tracee dies with its tracer", closes_within(death, 5000));
	proc_close(&gate[1]);
	close(death);

	death = orphan_tracee("no EXITKILL", 0, gate);
	if (death < 0)
		return;
	check_true("without EXITKILL the tracee outlives its tracer",
		   !closes_within(death, 200));
	proc_close(&gate[1]);
	check_true("... and ends when its gate closes", closes_within(death, 5000));
	close(death);
}

int main(int argc, char **argv)
{
	if (pt_is_image(argc, argv))
		return PT_EXEC_STATUS;
	proc_default_signals();
	syscall_stops();
	exec_event();
	exit_event();
	exitkill();
	alarm(0);
	proc_finish();
	return check_exit("ptrace_syscall");
}
