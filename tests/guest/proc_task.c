// SPDX-License-Identifier: Apache-2.0
/*
 * /proc/self/task (fs/proc/base.c proc_task_readdir, proc_tid_base_stuff):
 * one directory per live thread, named by its TID, holding the thread's
 * own stat (field 1 the TID, field 2 its comm), status (Name, Pid = TID,
 * Tgid = the process) and comm, each as the thread set it with
 * PR_SET_NAME; a TID of no thread of the process is ENOENT, and a joined
 * thread's directory is gone. comm is written as comm_write() takes it:
 * by another thread of the process (pthread_setname_np does), 15 bytes
 * at most, one call per segment of a writev; another process's is EINVAL.
 */
#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pid_t worker_tid;
static int done;

static void *worker(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "worker", 0, 0, 0);
	pthread_mutex_lock(&lock);
	worker_tid = (pid_t)syscall(SYS_gettid);
	pthread_cond_broadcast(&cond);
	while (!done)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* The text of /proc/self/task/TID/name, or "" (with errno) if none. */
static const char *task_file(pid_t tid, const char *name, char *buf, size_t size)
{
	char path[64];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/self/task/%d/%s", (int)tid, name);
	buf[0] = 0;
	f = fopen(path, "r");
	if (!f)
		return buf;
	n = fread(buf, 1, size - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* How many TIDs /proc/self/task lists, -1 if a or b is not among them. */
static int listed(pid_t a, pid_t b)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0, seen_a = 0, seen_b = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		long tid = strtol(e->d_name, NULL, 10);

		if (e->d_name[0] == '.')
			continue;
		n++;
		seen_a |= tid == a;
		seen_b |= tid == b;
	}
	closedir(d);
	return seen_a && seen_b ? n : -1;
}

/* A joined thread may still be on its way out of the kernel: its
 * directory goes within a second. */
static int gone(const char *path)
{
	for (int i = 0; i < 100; i++) {
		int fd = open(path, O_RDONLY | O_DIRECTORY);

		if (fd < 0)
			return errno == ENOENT;
		close(fd);
		usleep(10000);
	}
	return 0;
}

static void check_thread(pid_t tid, const char *comm)
{
	char buf[4096], want[64];
	int got_tid = 0;
	char got_comm[32] = "";

	snprintf(want, sizeof want, "%s\n", comm);
	check_true("task/TID/comm is the thread's name",
		   !strcmp(task_file(tid, "comm", buf, sizeof buf), want));
	if (sscanf(task_file(tid, "stat", buf, sizeof buf), "%d (%31[^)])", &got_tid, got_comm) != 2)
		fail("task/%d/stat: cannot parse \"%.60s\"", (int)tid, buf);
	check_long("task/TID/stat field 1 is the TID", tid, got_tid);
	if (strcmp(got_comm, comm))
		fail("task/%d/stat: comm \"%s\", expected \"%s\"", (int)tid, got_comm, comm);
	task_file(tid, "status", buf, sizeof buf);
	snprintf(want, sizeof want, "Name:\t%s\n", comm);
	check_true("task/TID/status names the thread", strstr(buf, want) != NULL);
	snprintf(want, sizeof want, "\nPid:\t%d\n", (int)tid);
	check_true("task/TID/status Pid is the TID", strstr(buf, want) != NULL);
	snprintf(want, sizeof want, "\nTgid:\t%d\n", (int)getpid());
	check_true("task/TID/status Tgid is the process", strstr(buf, want) != NULL);
	check_true("task/TID/maps is there", task_file(tid, "maps", buf, sizeof buf)[0] != 0);
}

/* Writes text to /proc/PID/... (path), with write(2); its result. */
static long write_to(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	long r;

	if (fd < 0)
		return -1;
	r = write(fd, text, strlen(text));
	close(fd);
	return r;
}

static void write_comm(pthread_t th, pid_t tid)
{
	char path[64], buf[64], name[16];
	struct iovec iov[2] = { { "ab", 2 }, { "cd", 2 } };
	int fd, status;
	pid_t kid;

	snprintf(path, sizeof path, "/proc/self/task/%d/comm", (int)tid);
	check_long("write another thread's comm", 7, write_to(path, "renamed"));
	check_true("it reads back", !strcmp(task_file(tid, "comm", buf, sizeof buf), "renamed\n"));
	check_long("a long name: the whole count", 20, write_to(path, "abcdefghijklmnopqrst"));
	check_true("cut to 15 bytes", !strcmp(task_file(tid, "comm", buf, sizeof buf),
					      "abcdefghijklmno\n"));
	fd = open(path, O_WRONLY);
	check_long("writev of two segments", 4, writev(fd, iov, 2));
	close(fd);
	fd = open(path, O_RDONLY);
	CHECK_ERRNO("write to comm opened for reading", write(fd, "x", 1), EBADF);
	close(fd);
	fd = open(path, O_PATH);
	CHECK_ERRNO("write through an O_PATH fd", write(fd, "x", 1), EBADF);
	close(fd);
	check_true("the last segment names it", !strcmp(task_file(tid, "comm", buf, sizeof buf),
							"cd\n"));
	check_long("pthread_setname_np", 0, pthread_setname_np(th, "by-name"));
	check_long("pthread_getname_np", 0, pthread_getname_np(th, name, sizeof name));
	check_true("the name comes back", !strcmp(name, "by-name"));
	fflush(stdout);
	kid = fork();
	if (kid == 0) {
		pause();
		_exit(0);
	}
	if (!CHECK_OK("fork", kid))
		return;
	snprintf(path, sizeof path, "/proc/%d/comm", (int)kid);
	errno = 0;
	check_long("another process's comm", -1, write_to(path, "x"));
	check_errval("is EINVAL", EINVAL, errno);
	kill(kid, SIGKILL);
	waitpid(kid, &status, 0);
}

int main(void)
{
	pthread_t th;
	char path[64];
	pid_t tid;

	prctl(PR_SET_NAME, "main-thread", 0, 0, 0);
	if (pthread_create(&th, NULL, worker, NULL)) {
		fail("pthread_create");
		return check_exit("proc_task");
	}
	pthread_mutex_lock(&lock);
	while (!worker_tid)
		pthread_cond_wait(&cond, &lock);
	tid = worker_tid;
	pthread_mutex_unlock(&lock);

	check_long("/proc/self/task lists the two threads", 2, listed(getpid(), tid));
	check_thread(getpid(), "main-thread");
	check_thread(tid, "worker");
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)getpid() + 100000);
	CHECK_ERRNO("task/TID of no thread", open(path, O_RDONLY), ENOENT);
	write_comm(th, tid);

	pthread_mutex_lock(&lock);
	done = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(th, NULL);
	snprintf(path, sizeof path, "/proc/self/task/%d", (int)tid);
	check_true("a joined thread's directory goes", gone(path));
	check_long("/proc/self/task lists the main thread alone", 1, listed(getpid(), getpid()));
	return check_exit("proc_task");
}
