// SPDX-License-Identifier: Apache-2.0
/*
 * Attaching to a running process (kernel/ptrace.c ptrace_attach,
 * __ptrace_may_access, ptrace_detach; man 2 ptrace):
 *
 * - PTRACE_ATTACH sends SIGSTOP (SI_KERNEL, no sender), which the tracer's
 *   waitpid reports; attaching again is EPERM; DETACH with 0 lets the
 *   process run on, untraced (ESRCH afterwards), and its real parent reaps
 *   it;
 * - PTRACE_SEIZE does not stop it; PTRACE_INTERRUPT then gives a
 *   PTRACE_EVENT_STOP stop (status >> 16); SEIZE's options apply (TRACEEXIT
 *   here); SEIZE with addr != 0 or an unknown option is EIO;
 * - a sibling (same uid) may attach to a process it did not fork: its stops
 *   go to the sibling only, the real parent's waitpid sees nothing, and the
 *   real parent can neither attach nor PEEK meanwhile;
 * - attaching to itself or to a thread of its own group is EPERM, to no
 *   process ESRCH;
 * - a process that made itself not dumpable (PR_SET_DUMPABLE 0) can be
 *   attached by root (CAP_SYS_PTRACE), by no one else (EPERM);
 * - process_vm_readv/writev and /proc/PID/mem read and write a stopped
 *   tracee's memory; an unmapped address is EFAULT and EIO.
 */
#include "tracer.h"

#include <pthread.h>

#define CELL_A 0x1122334455667788L
#define CELL_B 0x0badcafe5eedf00dL
#define CELL_C 0x5555aaaa5555aaaaL
#define HELD_STATUS 9

static volatile long cell = CELL_A;

/* kill(SIGSTOP), then the stop reported: the way to stop a tracee that
 * was not SEIZEd. */
static int stop_tracee(const char *what, pid_t pid)
{
	char w[160];

	snprintf(w, sizeof(w), "%s: kill(SIGSTOP)", what);
	return CHECK_OK(w, kill(pid, SIGSTOP)) && pt_expect_stop(what, pid, SIGSTOP);
}

static void attach_detach(void)
{
	const char *what = "PTRACE_ATTACH";
	long word;
	pid_t pid;
	int gate;

	pt_watchdog(what, PT_TIMEOUT);
	pid = proc_hold(what, &gate, NULL);
	if (pid < 0)
		return;
	if (!CHECK_OK("ATTACH to a running child", pt_sys(PTRACE_ATTACH, pid, 0, 0)) ||
	    !pt_expect_stop("ATTACH stops it", pid, SIGSTOP)) {
		proc_close(&gate);
		pt_kill(pid);
		return;
	}
	pt_check_siginfo("ATTACH's SIGSTOP", pid, SIGSTOP, SI_KERNEL, 0, 0);
	if (pt_peek(what, pid, (const void *)&cell, &word))
		check_ulong("PEEKDATA of an attached child", CELL_A, word);
	CHECK_ERRNO("ATTACH twice", pt_sys(PTRACE_ATTACH, pid, 0, 0), EPERM);
	CHECK_ERRNO("SEIZE of a traced child", pt_sys(PTRACE_SEIZE, pid, 0, 0), EPERM);
	pt_cont(what, pid, 0);
	if (stop_tracee(what, pid))
		CHECK_OK("DETACH", pt_sys(PTRACE_DETACH, pid, 0, 0));
	CHECK_ERRNO("PEEKDATA after DETACH",
		    pt_sysp(PTRACE_PEEKDATA, pid, (unsigned long)&cell, &word), ESRCH);
	proc_release(&gate, HELD_STATUS);
	proc_reap("a detached child runs on and exits", pid, PROC_EXITED(HELD_STATUS));
}

static void seize(void)
{
	const char *what = "PTRACE_SEIZE";
	unsigned long msg = 0;
	long word;
	pid_t pid;
	int gate, st = 0;

	pt_watchdog(what, PT_TIMEOUT);
	pid = proc_hold(what, &gate, NULL);
	if (pid < 0)
		return;
	CHECK_ERRNO("SEIZE with addr 1", pt_sys(PTRACE_SEIZE, pid, 1, 0), EIO);
	CHECK_ERRNO("SEIZE with an unknown option", pt_sys(PTRACE_SEIZE, pid, 0, 1UL << 30),
		    EIO);
	if (!CHECK_OK("SEIZE a running child",
		      pt_sys(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACEEXIT))) {
		proc_release(&gate, 0);
		proc_reap(what, pid, PROC_EXITED(0));
		return;
	}
	check_long("SEIZE does not stop it", 0, waitpid(pid, &st, WNOHANG | __WALL));
	CHECK_ERRNO("PEEKDATA of a SEIZEd child that runs",
		    pt_sysp(PTRACE_PEEKDATA, pid, (unsigned long)&cell, &word), ESRCH);
	CHECK_OK("INTERRUPT", pt_sys(PTRACE_INTERRUPT, pid, 0, 0));
	if (pt_expect_event("INTERRUPT stops it", pid, PTRACE_EVENT_STOP)) {
		pt_check_siginfo("the INTERRUPT stop", pid, SIGTRAP,
				 SIGTRAP | PTRACE_EVENT_STOP << 8, pid, getuid());
		if (pt_peek(what, pid, (const void *)&cell, &word))
			check_ulong("PEEKDATA at the INTERRUPT stop", CELL_A, word);
	}
	pt_cont(what, pid, 0);
	proc_release(&gate, HELD_STATUS);
	if (pt_expect_event("SEIZE's TRACEEXIT option", pid, PTRACE_EVENT_EXIT) &&
	    CHECK_OK("GETEVENTMSG", pt_sysp(PTRACE_GETEVENTMSG, pid, 0, &msg)))
		check_long("the exit event's message", PROC_EXITED(HELD_STATUS), msg);
	pt_cont(what, pid, 0);
	pt_expect_end(what, pid, PROC_EXITED(HELD_STATUS));
}

/* The sibling tracer: attach, PEEK, tell the test, wait for it, detach. */
static void sibling_tracer(pid_t target, int rep, int go)
{
	char c = 1;
	long word;

	if (pt_sys(PTRACE_ATTACH, target, 0, 0) != 0) {
		int skip = errno == EPERM && geteuid() != 0 && !under_umbra();

		if (!skip)
			fail("sibling: ATTACH: errno %s", err_name(errno));
		_exit(skip ? EXIT_SKIP : 1);
	}
	if (pt_expect_stop("sibling: ATTACH stops the target", target, SIGSTOP) &&
	    pt_peek("sibling", target, (const void *)&cell, &word))
		check_ulong("sibling: PEEKDATA", CELL_A, word);
	if (!proc_send(rep, &c, 1) || read(go, &c, 1) != 1)
		_exit(2);
	CHECK_OK("sibling: DETACH", pt_sys(PTRACE_DETACH, target, 0, 0));
	proc_child_exit();
}

/* While the sibling traces it: what the real parent sees. */
static void parent_meanwhile(pid_t held)
{
	long word;
	int st;

	check_long("the real parent's waitpid sees no tracing stop", 0,
		   waitpid(held, &st, WNOHANG | WUNTRACED | __WALL));
	CHECK_ERRNO("the real parent's ATTACH while a sibling traces",
		    pt_sys(PTRACE_ATTACH, held, 0, 0), EPERM);
	CHECK_ERRNO("the real parent's PEEKDATA while a sibling traces",
		    pt_sysp(PTRACE_PEEKDATA, held, (unsigned long)&cell, &word), ESRCH);
}

static void sibling(void)
{
	const char *what = "a sibling attaches";
	int gate, rep[2], go[2];
	pid_t held, sib;
	char c;

	pt_watchdog(what, PT_TIMEOUT);
	held = proc_hold(what, &gate, NULL);
	if (held < 0 || !proc_pipe(what, rep) || !proc_pipe(what, go))
		return;
	sib = proc_fork(what);
	if (sib == 0) {
		close(rep[0]);
		close(go[1]);
		sibling_tracer(held, rep[1], go[0]);
	}
	proc_close(&rep[1]);
	proc_close(&go[0]);
	if (proc_recv_all(rep[0], &c, 1) == 1) {
		parent_meanwhile(held);
		proc_send(go[1], &c, 1);
	}
	proc_close(&go[1]);
	proc_close(&rep[0]);
	if (sib > 0) {
		int st = 0;

		if (proc_wait(sib, &st, 0) == sib && st == PROC_EXITED(EXIT_SKIP))
			note("%s: EPERM for a non-root user (Yama?): skipped", what);
		else
			check_status("the sibling tracer", PROC_EXITED(0), st);
	}
	proc_release(&gate, HELD_STATUS);
	proc_reap("the real parent reaps the detached child", held,
		  PROC_EXITED(HELD_STATUS));
}

static void own_group(void)
{
	CHECK_ERRNO("ATTACH to itself", pt_sys(PTRACE_ATTACH, getpid(), 0, 0), EPERM);
	CHECK_ERRNO("SEIZE of itself", pt_sys(PTRACE_SEIZE, getpid(), 0, 0), EPERM);
	CHECK_ERRNO("ATTACH to no process", pt_sys(PTRACE_ATTACH, PROC_NO_PID, 0, 0), ESRCH);
	CHECK_ERRNO("ATTACH to pid 0", pt_sys(PTRACE_ATTACH, 0, 0, 0), ESRCH);
}

static pthread_mutex_t hold = PTHREAD_MUTEX_INITIALIZER;
static volatile pid_t held_tid;

static void *held_thread(void *arg)
{
	(void)arg;
	held_tid = (pid_t)syscall(SYS_gettid);
	pthread_mutex_lock(&hold);
	pthread_mutex_unlock(&hold);
	return NULL;
}

/* A thread of the caller's own group cannot be attached. */
static void own_thread(void)
{
	pthread_t th;

	pt_watchdog("ATTACH to an own thread", PT_TIMEOUT);
	pthread_mutex_lock(&hold);
	if (pthread_create(&th, NULL, held_thread, NULL) != 0) {
		pthread_mutex_unlock(&hold);
		fail("pthread_create failed");
		return;
	}
	while (!held_tid)
		proc_sleep_ms(1);
	CHECK_ERRNO("ATTACH to a thread of its own group",
		    pt_sys(PTRACE_ATTACH, held_tid, 0, 0), EPERM);
	CHECK_ERRNO("SEIZE of a thread of its own group",
		    pt_sys(PTRACE_SEIZE, held_tid, 0, 0), EPERM);
	pthread_mutex_unlock(&hold);
	pthread_join(th, NULL);
}

static void not_dumpable(void)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		fail("child: PR_SET_DUMPABLE 0: errno %s", err_name(errno));
}

static void dumpable(void)
{
	const char *what = "ATTACH to a process not dumpable";
	pid_t pid;
	int gate;
	long r;

	pt_watchdog(what, PT_TIMEOUT);
	pid = proc_hold(what, &gate, not_dumpable);
	if (pid < 0)
		return;
	r = pt_sys(PTRACE_ATTACH, pid, 0, 0);
	if (geteuid() != 0) {
		check_errno("ATTACH to a process not dumpable (not root)", r, errno, EPERM);
	} else if (CHECK_OK("ATTACH to a process not dumpable (root)", r) &&
		   pt_expect_stop(what, pid, SIGSTOP)) {
		CHECK_OK("DETACH", pt_sys(PTRACE_DETACH, pid, 0, 0));
	}
	proc_release(&gate, HELD_STATUS);
	proc_reap(what, pid, PROC_EXITED(HELD_STATUS));
}

static int report_cell(void *arg)
{
	(void)arg;
	pt_report(cell);
	return 0;
}

static void vm_calls(pid_t pid)
{
	long word = 0, val = CELL_B;
	struct iovec local = { &word, sizeof(word) };
	struct iovec remote = { (void *)&cell, sizeof(word) };
	struct iovec bad = { bad_address(), sizeof(word) };

	if (CHECK_OK("process_vm_readv of the tracee",
		     process_vm_readv(pid, &local, 1, &remote, 1, 0)))
		check_ulong("process_vm_readv", CELL_A, word);
	local.iov_base = &val;
	CHECK_OK("process_vm_writev to the tracee",
		 process_vm_writev(pid, &local, 1, &remote, 1, 0));
	CHECK_ERRNO("process_vm_readv at an unmapped address",
		    process_vm_readv(pid, &local, 1, &bad, 1, 0), EFAULT);
	CHECK_ERRNO("process_vm_readv of no process",
		    process_vm_readv(PROC_NO_PID, &local, 1, &remote, 1, 0), ESRCH);
}

static void proc_mem(pid_t pid)
{
	long word = 0, val = CELL_C;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (!CHECK_OK("open /proc/PID/mem of the tracee", fd))
		return;
	if (check_long("pread /proc/PID/mem", sizeof(word),
		       pread(fd, &word, sizeof(word), (off_t)(uintptr_t)&cell)))
		check_ulong("/proc/PID/mem after process_vm_writev", CELL_B, word);
	check_long("pwrite /proc/PID/mem", sizeof(val),
		   pwrite(fd, &val, sizeof(val), (off_t)(uintptr_t)&cell));
	CHECK_ERRNO("pread /proc/PID/mem at 0", pread(fd, &word, sizeof(word), 0), EIO);
	close(fd);
}

static void memory(void)
{
	const char *what = "process_vm and /proc/PID/mem";
	struct pt_report r;
	pid_t pid;

	pt_watchdog(what, PT_TIMEOUT);
	pid = pt_traced_child(what, report_cell);
	if (pid < 0)
		return;
	vm_calls(pid);
	proc_mem(pid);
	pt_cont(what, pid, 0);
	if (pt_recv_report(what, &r))
		check_ulong("the tracee's variable after the /proc/PID/mem write", CELL_C,
			    r.v[0]);
	pt_expect_end(what, pid, PROC_EXITED(0));
}

int main(void)
{
	proc_default_signals();
	attach_detach();
	seize();
	sibling();
	own_group();
	own_thread();
	dumpable();
	memory();
	alarm(0);
	proc_finish();
	return check_exit("ptrace_attach");
}
