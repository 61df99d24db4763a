/* SPDX-License-Identifier: Apache-2.0 */
/*
 * execve from a thread other than the leader (fs/exec.c de_thread): the
 * other threads end, the exec'ing thread takes over the leader's pid, and
 * the parent sees one process go on: the new image's getpid() (and its
 * gettid()) is the pid fork gave, wait reports that pid's exit once, and
 * nothing else. Both with the leader blocked and with the leader gone
 * first (pthread_exit from main). The new image is this program with
 * "image FD", writing its ids to the pipe FD.
 */
#include "check.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 10000
#define IMAGE_STATUS 5

static const char *self;
static int report_fd;

static void *exec_self(void *arg)
{
	char fd[16];

	(void)arg;
	snprintf(fd, sizeof fd, "%d", report_fd);
	execl(self, self, "image", fd, (char *)NULL);
	_exit(2); /* the exec failed */
}

/* The child: a thread execs; main blocks, or leaves first. */
static void child(int leader_leaves)
{
	pthread_t th;

	if (pthread_create(&th, NULL, exec_self, NULL) != 0)
		_exit(3);
	if (leader_leaves)
		pthread_exit(NULL);
	for (;;)
		pause();
}

/* The new image: pid and tid to the pipe. */
static int image(const char *fd)
{
	int32_t ids[2] = { getpid(), (int32_t)syscall(SYS_gettid) };
	int w = atoi(fd);

	if (write(w, ids, sizeof ids) != sizeof ids)
		return 4;
	return IMAGE_STATUS;
}

static int read_ids(int r, int32_t ids[2])
{
	struct pollfd p = { r, POLLIN, 0 };

	if (poll(&p, 1, WAIT_MS) != 1)
		return -1;
	return read(r, ids, 2 * sizeof ids[0]) == 2 * sizeof ids[0] ? 0 : -1;
}

/* waitpid with a bound: the pid reaped, or -1. */
static pid_t wait_bounded(pid_t pid, int *status)
{
	struct timespec tick = { 0, 10000000 };

	for (int i = 0; i < WAIT_MS / 10; i++) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r != 0)
			return r;
		nanosleep(&tick, NULL);
	}
	return -1;
}

static void run(const char *what, int leader_leaves)
{
	int fds[2], status = -1;
	int32_t ids[2] = { 0, 0 };
	char buf[160];
	pid_t pid;

	if (pipe(fds) < 0)
		return fail("%s: pipe: errno %s", what, err_name(errno));
	report_fd = fds[1];
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child(leader_leaves);
	}
	close(fds[1]);
	if (pid < 0)
		return fail("%s: fork: errno %s", what, err_name(errno));
	snprintf(buf, sizeof buf, "%s: the new image's report", what);
	if (check_long(buf, 0, read_ids(fds[0], ids))) {
		snprintf(buf, sizeof buf, "%s: the new image's getpid()", what);
		check_long(buf, pid, ids[0]);
		snprintf(buf, sizeof buf, "%s: the new image's gettid()", what);
		check_long(buf, pid, ids[1]);
	}
	close(fds[0]);
	snprintf(buf, sizeof buf, "%s: wait for the child", what);
	if (!check_long(buf, pid, wait_bounded(-1, &status))) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return;
	}
	snprintf(buf, sizeof buf, "%s: the child's status", what);
	check_long(buf, IMAGE_STATUS << 8, status);
	snprintf(buf, sizeof buf, "%s: nothing else to wait for", what);
	CHECK_ERRNO(buf, waitpid(-1, NULL, WNOHANG), ECHILD);
	printf("%s: the thread's exec goes on as the process\n", what);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "image"))
		return image(argv[2]);
	self = argv[0];
	run("exec from a thread, leader blocked", 0);
	run("exec from a thread, leader gone", 1);
	return check_exit("exec_thread");
}
