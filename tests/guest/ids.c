// SPDX-License-Identifier: Apache-2.0
/*
 * Process and user ids agree with each other: the only thread is the
 * thread-group leader, the raw calls match the libc wrappers, the parent is
 * someone else (0 for init inside a sandbox).
 */
#include "check.h"

#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	pid_t pid = getpid();

	check_true("getpid() > 0", pid > 0);
	check_long("gettid() == getpid()", pid, gettid());
	check_long("raw gettid == getpid()", pid, syscall(SYS_gettid));
	check_long("raw getpid == getpid()", pid, syscall(SYS_getpid));
	check_long("getpid() stable", pid, getpid());

	check_true("getppid() >= 0", getppid() >= 0);
	check_true("getppid() != getpid()", getppid() != pid);
	check_long("raw getppid", getppid(), syscall(SYS_getppid));

	check_long("raw getuid", getuid(), syscall(SYS_getuid));
	check_long("raw geteuid", geteuid(), syscall(SYS_geteuid));
	check_long("raw getgid", getgid(), syscall(SYS_getgid));
	check_long("raw getegid", getegid(), syscall(SYS_getegid));
	/* Not setuid or setgid: effective ids are the real ones. */
	check_long("geteuid() == getuid()", getuid(), geteuid());
	check_long("getegid() == getgid()", getgid(), getegid());
	check_true("getuid() is not (uid_t)-1", getuid() != (uid_t)-1);

	printf("ids: done\n");
	return check_exit("ids");
}
