// SPDX-License-Identifier: Apache-2.0
/*
 * vfork(2): the child runs in the parent's memory (its stores show in the
 * parent) while the parent waits until the child exits or execs: the parent
 * finds the child's last store done, and after an exec it resumes while
 * the new image still runs; a failed execve in the child reports its errno
 * through memory. clone(SIGCHLD) by the raw syscall is a fork: memory
 * copied, wait4 collects it; CLONE_PARENT_SETTID writes the pid in the
 * parent's memory only (after the copy), CLONE_CHILD_SETTID in the child's
 * copy only. A clone
 * with exit signal 0 is a "clone" child: wait4 without __WALL or __WCLONE
 * does not see it (ECHILD). clone3 with exit_signal SIGCHLD is a fork too;
 * its size and exit_signal are judged (EINVAL, E2BIG). Without clone3
 * (ENOSYS) the test ends with 77 when everything else passed.
 *
 * The raw clone's arguments are (flags, stack, parent_tid, child_tid, tls)
 * on x86_64 and (flags, stack, parent_tid, tls, child_tid) on arm64.
 */
#include "proc.h"

#include <stdint.h>

#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef CLONE_PARENT_SETTID
#define CLONE_PARENT_SETTID 0x00100000
#endif
#ifndef CLONE_CHILD_SETTID
#define CLONE_CHILD_SETTID 0x01000000
#endif

/* struct clone_args, as of Linux 5.5 (CLONE_ARGS_SIZE_VER1 = 80). */
struct proc_clone_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid;
	uint64_t set_tid_size;
};

static char *self;
static pid_t me;

static volatile int shared_value;
static volatile pid_t child_pid, child_ppid;
static volatile int child_errno;

static long raw_clone(unsigned long flags, pid_t *ptid, pid_t *ctid)
{
#if defined(__x86_64__)
	return syscall(SYS_clone, flags, NULL, ptid, ctid, 0UL);
#elif defined(__aarch64__)
	return syscall(SYS_clone, flags, NULL, ptid, 0UL, ctid);
#else
#error "raw_clone: unknown argument order"
#endif
}

static void vfork_exit(void)
{
	pid_t pid;

	shared_value = 0;
	child_pid = 0;
	fflush(stdout);
	fflush(stderr);
	pid = vfork();
	if (pid == 0) {
		child_pid = getpid();
		child_ppid = getppid();
		/* The parent may not run before this store is made. */
		proc_sleep_ms(50);
		shared_value = 7;
		_exit(9);
	}
	if (pid < 0) {
		fail("vfork: errno %s", err_name(errno));
		return;
	}
	proc_track(pid);
	check_long("vfork: the parent sees the child's last store", 7, shared_value);
	check_long("vfork: the child's getpid() is what vfork returned", pid,
		   child_pid);
	check_long("vfork: the child's getppid()", me, child_ppid);
	check_true("vfork: the child's pid is not the parent's", pid != me);
	proc_reap("vfork + _exit(9)", pid, PROC_EXITED(9));
}

/* The parent resumes at the exec, while the new image waits for it. */
static void vfork_exec(void)
{
	char fdarg[16];
	char *argv[] = { self, "hold", fdarg, NULL };
	char *noenv[] = { NULL };
	int p[2], st;
	pid_t pid;

	if (!proc_pipe("vfork exec", p))
		return;
	snprintf(fdarg, sizeof(fdarg), "%d", 100);
	shared_value = 0;
	fflush(stdout);
	fflush(stderr);
	pid = vfork();
	if (pid == 0) {
		shared_value = 1;
		/* dup2 changes the child's fd table only. */
		if (dup2(p[0], 100) != 100)
			_exit(126);
		execve(self, argv, noenv);
		child_errno = errno;
		_exit(127);
	}
	if (pid < 0) {
		fail("vfork: errno %s", err_name(errno));
		return;
	}
	proc_track(pid);
	close(p[0]);
	check_long("vfork + execve: the store before the exec", 1, shared_value);
	check_long("vfork: fd 100 is the child's alone", -1, fcntl(100, F_GETFD));
	check_long("vfork + execve: the new image still runs", 0,
		   waitpid(pid, &st, WNOHANG));
	proc_send(p[1], "\x05", 1);
	close(p[1]);
	proc_reap("vfork + execve", pid, PROC_EXITED(5));

	child_errno = 0;
	fflush(stdout);
	fflush(stderr);
	pid = vfork();
	if (pid == 0) {
		execve("/nonexistent-umbra/program", argv, noenv);
		child_errno = errno;
		_exit(127);
	}
	if (pid < 0)
		return;
	proc_track(pid);
	check_errval("vfork + a failed execve: errno through memory", ENOENT,
		     child_errno);
	proc_reap("vfork + a failed execve", pid, PROC_EXITED(127));
}

static void clone_fork(void)
{
	pid_t ptid = 0, ctid = 0;
	long pid;

	shared_value = 3;
	fflush(stdout);
	fflush(stderr);
	pid = raw_clone(SIGCHLD, NULL, NULL);
	if (pid == 0) {
		int ok = getppid() == me && getpid() != me && shared_value == 3;

		shared_value = 4;
		_exit(ok ? 11 : 1);
	}
	if (pid < 0) {
		fail("clone(SIGCHLD): errno %s", err_name(errno));
		return;
	}
	proc_track((pid_t)pid);
	proc_reap("clone(SIGCHLD)", (pid_t)pid, PROC_EXITED(11));
	check_long("clone(SIGCHLD): memory is copied", 3, shared_value);

	pid = raw_clone(SIGCHLD | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID,
			&ptid, &ctid);
	if (pid == 0)
		_exit(ctid != getpid() ? 1 : ptid != 0 ? 2 : 12);
	if (pid < 0) {
		fail("clone(SIGCHLD | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID): errno %s",
		     err_name(errno));
		return;
	}
	proc_track((pid_t)pid);
	/* exit 1: no child tid in the child; 2: the parent tid there too. */
	proc_reap("clone with SETTIDs: the child's copy has the child tid only",
		  (pid_t)pid, PROC_EXITED(12));
	check_long("CLONE_PARENT_SETTID", pid, ptid);
	check_long("CLONE_CHILD_SETTID: not in the parent's memory", 0, ctid);

	/* Exit signal 0: only __WALL or __WCLONE wait for it. */
	pid = raw_clone(0, NULL, NULL);
	if (pid == 0)
		_exit(13);
	if (pid < 0) {
		fail("clone(0): errno %s", err_name(errno));
		return;
	}
	proc_track((pid_t)pid);
	CHECK_ERRNO("wait4 for a clone child without __WALL",
		    wait4((pid_t)pid, NULL, WNOHANG, NULL), ECHILD);
	{
		int st = 0;

		check_long("wait4(__WALL) for a clone child", pid,
			   proc_wait((pid_t)pid, &st, __WALL));
		check_status("clone(0): the status", PROC_EXITED(13), st);
	}
}

static long clone3(struct proc_clone_args *args, size_t size)
{
	return syscall(__NR_clone3, args, size);
}

/* A clone3 that must fail; a child it made anyway leaves at once. */
static void clone3_refused(const char *what, struct proc_clone_args *a,
			   size_t size, int expected)
{
	long pid = clone3(a, size);
	int err = errno;

	if (pid == 0)
		_exit(1);
	if (pid > 0) {
		proc_track((pid_t)pid);
		proc_wait((pid_t)pid, NULL, 0);
	}
	check_errno(what, pid, err, expected);
}

/* 0 when clone3 is there, ENOSYS when it is not. */
static int clone3_fork(void)
{
	static unsigned char big[65536 + 1];
	long page = sysconf(_SC_PAGESIZE);
	struct proc_clone_args a;
	pid_t ptid = 0;
	long pid;

	memset(&a, 0, sizeof(a));
	a.exit_signal = SIGCHLD;
	shared_value = 5;
	fflush(stdout);
	fflush(stderr);
	pid = clone3(&a, 64);
	if (pid == 0) {
		int ok = getppid() == me && shared_value == 5;

		shared_value = 6;
		_exit(ok ? 21 : 1);
	}
	if (pid < 0 && errno == ENOSYS) {
		note("proc_vfork: clone3 is ENOSYS: not tested");
		return ENOSYS;
	}
	if (pid < 0) {
		fail("clone3(exit_signal = SIGCHLD): errno %s", err_name(errno));
		return 0;
	}
	proc_track((pid_t)pid);
	proc_reap("clone3(exit_signal = SIGCHLD)", (pid_t)pid, PROC_EXITED(21));
	check_long("clone3: memory is copied", 5, shared_value);

	memset(&a, 0, sizeof(a));
	a.flags = CLONE_PARENT_SETTID;
	a.parent_tid = (uintptr_t)&ptid;
	a.exit_signal = SIGCHLD;
	pid = clone3(&a, 64);
	if (pid == 0)
		_exit(22);
	if (pid > 0) {
		proc_track((pid_t)pid);
		proc_reap("clone3 with CLONE_PARENT_SETTID", (pid_t)pid,
			  PROC_EXITED(22));
		check_long("clone3: parent_tid", pid, ptid);
	} else {
		fail("clone3(CLONE_PARENT_SETTID): errno %s", err_name(errno));
	}

	/* Refused before any child is made. */
	memset(&a, 0, sizeof(a));
	a.exit_signal = SIGCHLD;
	clone3_refused("clone3 with size 63", &a, 63, EINVAL);
	clone3_refused("clone3 with size 0", &a, 0, EINVAL);
	a.exit_signal = 65;
	clone3_refused("clone3 with exit_signal 65", &a, 64, EINVAL);
	a.exit_signal = 0x100 | SIGCHLD;
	clone3_refused("clone3 with exit_signal 0x111", &a, 64, EINVAL);
	/* Past the fields Linux knows, a larger struct must be zero. */
	a.exit_signal = SIGCHLD;
	memcpy(big, &a, sizeof(a));
	big[page - 1] = 1;
	clone3_refused("clone3 with a nonzero tail", (void *)big, (size_t)page, E2BIG);
	clone3_refused("clone3 with size past a page", (void *)big, (size_t)page + 1,
		       E2BIG);
	clone3_refused("clone3 with a bad pointer", bad_address(), 64, EFAULT);
	return 0;
}

/* The image vfork_exec() runs: exits with the byte read from fd. */
static int mode_hold(const char *fdarg)
{
	unsigned char c;
	int fd = atoi(fdarg);
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? c : PROC_EOF_STATUS;
}

int main(int argc, char **argv)
{
	int clone3_err;

	if (argc == 3 && !strcmp(argv[1], "hold"))
		return mode_hold(argv[2]);
	if (!strchr(argv[0], '/')) {
		fprintf(stderr, "proc_vfork: argv[0] must be a path to the program (got \"%s\")\n",
			argv[0]);
		return EXIT_FAILURE;
	}
	self = argv[0];
	me = getpid();
	proc_default_signals();
	vfork_exit();
	vfork_exec();
	clone_fork();
	clone3_err = clone3_fork();
	proc_finish();
	if (clone3_err == ENOSYS && !check_failures)
		return EXIT_SKIP;
	return check_exit("proc_vfork");
}
