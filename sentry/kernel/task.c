/* Tasks and their tracer threads. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "platform/platform.h"
#include "sentry/exec/exec.h"
#include "sentry/fs/fdtable.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"

__thread struct task *task_current;

struct arch_regs *task_regs(struct task *t)
{
	return plat_regs(t->plat);
}

static int stdio_files(struct task *t)
{
	for (int i = 0; i < 3; i++) {
		int fd;

		if (t->sb->stdio[i] < 0)
			continue;
		fd = fcntl(t->sb->stdio[i], F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return -errno;
		if (fdtable_install_host(t->files, i, fd) < 0)
			return -ENOMEM;
	}
	return 0;
}

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct task *task_create(struct sandbox *sb)
{
	struct task *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->sb = sb;
	pthread_mutex_init(&t->start_lock, NULL);
	pthread_cond_init(&t->start_cond, NULL);
	t->tid = t->tgid = sandbox_alloc_pid(sb);
	t->start_time = boottime_ns();
	t->ppid = 0;
	strcpy(t->cwd, sb->cwd);
	strcpy(t->root, "/");
	t->umask = sb->umask;
	t->files = fdtable_create();
	if (!t->files || mm_create(sb->memfile, &t->mm) < 0 || stdio_files(t) < 0) {
		task_destroy(t);
		return NULL;
	}
	sandbox_add_task(sb, t);
	return t;
}

void task_destroy(struct task *t)
{
	if (!t)
		return;
	sandbox_remove_task(t->sb, t);
	mm_destroy(t->mm);
	fdtable_destroy(t->files);
	pthread_mutex_destroy(&t->start_lock);
	pthread_cond_destroy(&t->start_cond);
	free(t->exe_path);
	free(t);
}

void task_exit_group(struct task *t, int wstatus)
{
	if (t->exiting)
		return;
	t->exiting = true;
	t->exit_status = wstatus;
}

static void start_done(struct task *t, int err)
{
	pthread_mutex_lock(&t->start_lock);
	t->start_err = err;
	t->started = true;
	pthread_cond_signal(&t->start_cond);
	pthread_mutex_unlock(&t->start_lock);
}

static void *tracer_main(void *arg)
{
	struct task *t = arg;
	struct plat_proc *proc = NULL;
	sigset_t pipe;
	int err;

	task_current = t;
	/* A host write to a closed pipe must become the guest's SIGPIPE, not ours. */
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, NULL);
	/* What the guest creates gets the guest's umask, which the handlers
	 * apply, and not the embedding process's on top: this thread takes its
	 * own umask (CLONE_FS) and clears it, leaving the process's alone. */
	if (unshare(CLONE_FS) == 0)
		umask(0);
	err = plat_proc_create(memfile_fd(t->sb->memfile), &proc, &t->plat);
	if (!err) {
		mm_set_proc(t->mm, proc);
		err = exec_load(t, t->start_file, t->start_argv, t->start_envp);
	}
	start_done(t, err);
	if (!err)
		task_run(t);
	plat_proc_destroy(proc);
	t->plat = NULL;
	return NULL;
}

int task_start(struct task *t, const struct exec_file *f, char *const argv[], char *const envp[])
{
	int err;

	t->start_file = f;
	t->start_argv = argv;
	t->start_envp = envp;
	err = -pthread_create(&t->tracer, NULL, tracer_main, t);
	if (err)
		return err;
	pthread_mutex_lock(&t->start_lock);
	while (!t->started)
		pthread_cond_wait(&t->start_cond, &t->start_lock);
	err = t->start_err;
	pthread_mutex_unlock(&t->start_lock);
	t->start_file = NULL;
	t->start_argv = t->start_envp = NULL;
	if (err)
		pthread_join(t->tracer, NULL);
	return err;
}

void task_join(struct task *t)
{
	pthread_join(t->tracer, NULL);
}
