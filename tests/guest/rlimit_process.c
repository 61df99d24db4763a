// SPDX-License-Identifier: Apache-2.0
/*
 * Resource limits belong to a process (kernel/sys.c do_prlimit): a fork
 * copies them, and a change in the child leaves the parent's alone;
 * prlimit reads and sets another process's (the same user's); its errors
 * come in the kernel's order: EFAULT for the new limit, ESRCH for the pid,
 * then EINVAL for the resource.
 */
#include "proc.h"

#include <sys/resource.h>
#include <unistd.h>

static void child_lowers(int lowered[2], int go[2])
{
	struct rlimit lim;
	char c;

	getrlimit(RLIMIT_NOFILE, &lim);
	lim.rlim_cur = 50;
	if (setrlimit(RLIMIT_NOFILE, &lim) != 0)
		_exit(2);
	if (write(lowered[1], "l", 1) != 1 || read(go[0], &c, 1) != 1)
		_exit(3);
	getrlimit(RLIMIT_NOFILE, &lim);
	/* The parent set 40 through prlimit meanwhile. */
	_exit(lim.rlim_cur == 40 ? 0 : 4);
}

int main(void)
{
	struct rlimit mine, seen, set;
	int lowered[2], go[2];
	pid_t pid;
	char c;

	getrlimit(RLIMIT_NOFILE, &mine);
	if (!proc_pipe("lowered", lowered) || !proc_pipe("go", go))
		return check_exit("rlimit_process");
	pid = proc_fork("the child");
	if (pid == 0)
		child_lowers(lowered, go);
	if (!check_long("the child lowered its limit", 1, read(lowered[0], &c, 1))) {
		close(go[1]);
		proc_reap("the child", pid, PROC_EXITED(0));
		return check_exit("rlimit_process");
	}
	getrlimit(RLIMIT_NOFILE, &seen);
	check_ulong("the parent's limit stays", mine.rlim_cur, seen.rlim_cur);
	if (CHECK_OK("prlimit(child, NULL, &old)", prlimit(pid, RLIMIT_NOFILE, NULL, &seen)))
		check_ulong("prlimit reads the child's own limit", 50, seen.rlim_cur);
	set = seen;
	set.rlim_cur = 40;
	CHECK_OK("prlimit(child, &new, NULL)", prlimit(pid, RLIMIT_NOFILE, &set, NULL));
	CHECK_ERRNO("prlimit(child, a bad new limit)",
		    prlimit(pid, RLIMIT_NOFILE, bad_address(), NULL), EFAULT);
	CHECK_ERRNO("prlimit(no such pid, a bad resource)",
		    prlimit(PROC_NO_PID, 999, NULL, &seen), ESRCH);
	CHECK_ERRNO("prlimit(child, a bad resource)", prlimit(pid, 999, NULL, &seen), EINVAL);
	if (write(go[1], "g", 1) != 1)
		fail("telling the child to go on");
	proc_reap("the child sees the limit its parent set", pid, PROC_EXITED(0));
	getrlimit(RLIMIT_NOFILE, &seen);
	check_ulong("the parent's limit still stays", mine.rlim_cur, seen.rlim_cur);
	proc_finish();
	printf("rlimit_process: done\n");
	return check_exit("rlimit_process");
}
