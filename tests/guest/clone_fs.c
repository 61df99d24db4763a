/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CLONE_FS (fs/fs_struct.c): tasks made with it share the cwd, the root
 * and the umask, so a chdir or umask in one is what the other sees;
 * without it (fork) each has its own copy. Threads share them
 * (pthread_create passes CLONE_FS).
 */
#include "check.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* A child that changes the cwd to dir and the umask to mask, then exits. */
static void child_changes(unsigned long flags, const char *dir, mode_t mask)
{
	long pid;
	int status = -1;

	fflush(stdout);
	fflush(stderr);
	pid = syscall(SYS_clone, flags | SIGCHLD, 0L, 0L, 0L, 0L);
	if (pid == 0) {
		umask(mask);
		_exit(chdir(dir) == 0 ? 0 : 1);
	}
	if (!check_ok("clone", pid, errno))
		return;
	if (waitpid((pid_t)pid, &status, 0) != pid)
		fail("waitpid: errno %s", err_name(errno));
	check_long("the child's chdir", 0, status);
}

static void check_cwd(const char *what, const char *want)
{
	char buf[256];

	if (!getcwd(buf, sizeof buf))
		return fail("%s: getcwd: errno %s", what, err_name(errno));
	if (strcmp(buf, want))
		fail("%s: expected cwd %s got %s", what, want, buf);
}

static void check_umask(const char *what, mode_t want)
{
	mode_t got = umask(want);

	check_long(what, (long)want, (long)got);
}

static void *thread_chdir(void *arg)
{
	umask(0071);
	return (void *)(long)chdir(arg);
}

int main(void)
{
	pthread_t th;
	void *ret = (void *)-1;

	if (!CHECK_OK("chdir /", chdir("/")))
		return check_exit("clone_fs");
	umask(022);
	child_changes(CLONE_FS, "/dev", 0077);
	check_cwd("after a CLONE_FS child's chdir", "/dev");
	check_umask("after a CLONE_FS child's umask", 0077);
	printf("CLONE_FS: the child's chdir and umask are the parent's\n");

	child_changes(0, "/", 0055);
	check_cwd("after a fork child's chdir", "/dev");
	check_umask("after a fork child's umask", 0077);
	printf("fork: the child's chdir and umask are its own\n");

	if (pthread_create(&th, NULL, thread_chdir, "/") != 0)
		return fail("pthread_create"), check_exit("clone_fs");
	pthread_join(th, &ret);
	check_long("the thread's chdir", 0, (long)ret);
	check_cwd("after a thread's chdir", "/");
	check_umask("after a thread's umask", 0071);
	printf("threads: one cwd and umask\n");
	return check_exit("clone_fs");
}
