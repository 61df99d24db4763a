/* A guest thread and the host thread that traces it. */
#ifndef UMBRA_SENTRY_TASK_H
#define UMBRA_SENTRY_TASK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "abi/linux.h"
#include "sentry/fs/vfs.h"

struct sandbox;
struct mm;
struct fdtable;
struct plat_thread;
struct arch_regs;

struct sighand {
	struct linux_sigaction action[LINUX_NSIG];
};

struct task {
	struct sandbox *sb;
	struct task *next; /* in the sandbox's list (sb->lock) */
	struct mm *mm;
	struct fdtable *files;
	struct sighand sighand;
	struct plat_thread *plat;
	pthread_t tracer;

	int tid; /* guest ids: the sandbox's own numbering */
	int tgid;
	int ppid;
	linux_sigset_t sigmask;
	uint64_t clear_child_tid;
	uint64_t robust_list;
	uint64_t robust_len;

	char *exe_path; /* guest path of the running program (/proc/self/exe) */
	char comm[16];  /* its name (TASK_COMM_LEN): the basename execve was given */
	uint64_t start_time; /* CLOCK_BOOTTIME ns at creation (/proc/PID/stat) */
	char cwd[VFS_PATH_MAX]; /* canonical guest path */
	char root[VFS_PATH_MAX]; /* chroot(2): where absolute paths start */
	uint32_t umask;

	bool exiting;
	int exit_status; /* waitpid(2) encoding, valid once exiting */

	/* Start-up handshake between the spawner and the tracer thread. */
	pthread_mutex_t start_lock;
	pthread_cond_t start_cond;
	bool started;
	int start_err;
	const struct exec_file *start_file;
	char *const *start_argv;
	char *const *start_envp;
};

struct exec_file;

/* The task this tracer thread serves; NULL on other threads. */
extern __thread struct task *task_current;

struct task *task_create(struct sandbox *sb);
/* Starts the tracer thread, which makes the stub and loads the program;
 * returns once guest code is about to run, or the error that prevented it. */
int task_start(struct task *t, const struct exec_file *f, char *const argv[], char *const envp[]);
/* Waits for the tracer thread to finish (the guest has ended). */
void task_join(struct task *t);
void task_destroy(struct task *t);
/* The tracer thread's loop: run, stop, handle, until the guest ends. */
void task_run(struct task *t);

/* The registers of the stopped task (owned by the platform). */
struct arch_regs *task_regs(struct task *t);
/* Ends the whole thread group with a waitpid(2) status. */
void task_exit_group(struct task *t, int wstatus);

#endif
