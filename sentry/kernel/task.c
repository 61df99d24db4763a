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
#include "sentry/kernel/itimer.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/seccomp.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/signal/signal.h"

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

struct task *task_alloc(struct sandbox *sb)
{
	struct task *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->sb = sb;
	pthread_mutex_init(&t->kill_lock, NULL);
	t->tid = t->tgid = sandbox_alloc_pid(sb);
	t->start_time = boottime_ns();
	t->exit_signal = SIGCHLD;
	t->dumpable = 1;
	t->leader = t;
	t->nthreads = 1;
	t->nlive = 1;
	t->exit_efd = -1;
	t->vcpu = t->last_vcpu = -1;
	return t;
}

struct sighand *sighand_new(const struct sighand *copy)
{
	struct sighand *sh = calloc(1, sizeof *sh);

	if (!sh)
		return NULL;
	if (copy)
		memcpy(sh->action, copy->action, sizeof sh->action);
	sh->refs = 1;
	return sh;
}

void sighand_put(struct sighand *sh)
{
	if (sh && !__atomic_sub_fetch(&sh->refs, 1, __ATOMIC_ACQ_REL))
		free(sh);
}

struct fs_struct *fs_struct_new(const struct fs_struct *copy)
{
	struct fs_struct *fs = malloc(sizeof *fs);

	if (!fs)
		return NULL;
	if (copy)
		*fs = *copy;
	else
		memset(fs, 0, sizeof *fs);
	fs->refs = 1;
	return fs;
}

struct fs_struct *fs_struct_share(struct fs_struct *fs)
{
	__atomic_add_fetch(&fs->refs, 1, __ATOMIC_RELAXED);
	return fs;
}

void fs_struct_put(struct fs_struct *fs)
{
	if (fs && !__atomic_sub_fetch(&fs->refs, 1, __ATOMIC_ACQ_REL))
		free(fs);
}

struct task *task_create(struct sandbox *sb)
{
	struct task *t = task_alloc(sb);

	if (!t)
		return NULL;
	t->init = t;
	t->pgid = t->sid = t->tid;
	memcpy(t->rlim, sb->rlim, sizeof t->rlim);
	sched_prio_host(&t->prio);
	for (int cpu = 0; cpu < sb->ncpus && cpu < TASK_CPUMASK_BYTES * 8; cpu++)
		t->cpumask[cpu / 8] |= (uint8_t)(1u << (cpu % 8));
	t->fs = fs_struct_new(NULL);
	t->files = fdtable_create();
	t->sighand = sighand_new(NULL);
	if (t->fs) {
		strcpy(t->fs->cwd, sb->cwd);
		strcpy(t->fs->root, "/");
		t->fs->umask = sb->umask;
	}
	if (!t->fs || !t->files || !t->sighand || mm_create(sb->memfile, &t->mm) < 0 ||
	    stdio_files(t) < 0) {
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
	task_free(t);
}

void task_free(struct task *t)
{
	mm_destroy(t->mm);
	fdtable_destroy(t->files);
	sighand_put(t->sighand);
	fs_struct_put(t->fs);
	ktimer_free_all(t);
	sig_queue_free(t);
	seccomp_put(t);
	if (t->exit_efd >= 0)
		close(t->exit_efd);
	pthread_mutex_destroy(&t->kill_lock);
	free(t->exe_path);
	free(t);
}

void task_exit_group(struct task *t, int wstatus)
{
	if (t->leader->nthreads > 1) {
		task_kill(t, wstatus); /* every thread, through the stub's end */
		return;
	}
	if (!__atomic_exchange_n(&t->exiting, true, __ATOMIC_ACQ_REL))
		t->exit_status = wstatus;
}

struct task_start {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int err;
	const struct exec_file *file; /* a program to load, or */
	char *const *argv, *const *envp;
	struct arch_regs *regs;       /* a forked child's first registers */
};

/* The tracer's answer; neither it nor the starter's struct is touched by
 * the tracer after this (the starter may free t on an error, and a child
 * that ends at once frees itself). */
static void start_done(struct task *t, int err)
{
	struct task_start *st = t->start;

	t->start = NULL;
	pthread_mutex_lock(&st->lock);
	st->err = err;
	st->done = true;
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->lock);
}

/* Makes the task's stub; the calling thread becomes its tracer. */
static int make_stub(struct task *t)
{
	struct plat_proc *proc;
	int err = plat_proc_create(memfile_fd(t->sb->memfile), &proc, &t->plat);

	if (err)
		return err;
	t->proc = proc;
	t->proc_owner = true;
	mm_set_proc(t->mm, proc);
	return 0;
}

static int start_program(struct task *t)
{
	int err = make_stub(t);

	if (!err)
		err = exec_load(t, t->start->file, t->start->argv, t->start->envp);
	return err;
}

/* A forked child: the parent's memory, mapped into a stub of its own, and
 * the parent's registers. A thread (or a vfork child) runs in a thread of
 * its parent's stub instead. */
static int start_child(struct task *t)
{
	int err;

	if (t->start_host_tid) {
		err = plat_thread_attach(t->proc, t->start_host_tid, &t->plat);
	} else {
		err = make_stub(t);
		if (!err)
			err = mm_replay(t->mm, t->plat);
	}
	if (!err)
		*plat_regs(t->plat) = *t->start->regs;
	return err;
}

/* Host state of a tracer thread. */
static void tracer_setup(void)
{
	sigset_t pipe;

	/* A host write to a closed pipe must become the guest's SIGPIPE, not ours. */
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, NULL);
	task_kick_setup();
	fdtable_hold_refs();
	/* What the guest creates gets the guest's umask, which the handlers
	 * apply, and not the embedding process's on top: this thread takes its
	 * own umask (CLONE_FS) and clears it, leaving the process's alone. */
	if (unshare(CLONE_FS) == 0)
		umask(0);
}

/* Ends what runs the task: its stub, or its thread of another's stub. */
static void stub_release(struct task *t)
{
	pthread_mutex_lock(&t->kill_lock);
	if (t->proc_owner)
		plat_proc_destroy(t->proc);
	else
		plat_thread_exit(t->plat);
	t->proc = NULL;
	t->plat = NULL;
	pthread_mutex_unlock(&t->kill_lock);
}

static void tracer_serve(struct task *t)
{
	int err;

	t->tracer_tid = gettid();
	err = t->start->regs ? start_child(t) : start_program(t);
	if (err) {
		/* Nothing touches t after start_done: the starter frees it. */
		stub_release(t);
		start_done(t, err);
		return;
	}
	start_done(t, 0);
	for (struct exec_req *x = NULL;; exec_take_over(t, x)) {
		task_run(t);
		task_thread_ended(t);
		task_clear_child_tid(t); /* the leader's too, while its threads go on */
		if (t->leader != t) {
			stub_release(t);
			task_thread_gone(t); /* frees t */
			return;
		}
		task_wait_threads(t);
		/* A thread's execve: this task goes on as the new image. */
		if (!(x = task_exec_take(t)))
			break;
	}
	task_usage_self(t, &t->usage_final);
	stub_release(t);
	task_exit_notify(t);
}

static void *tracer_main(void *arg)
{
	struct task *t = arg;
	struct sandbox *sb = t->sb;
	bool detached = t->init != t;

	task_current = t;
	tracer_setup();
	tracer_serve(t); /* t may be gone after it */
	fdtable_hold_end();
	task_current = NULL;
	if (detached)
		__atomic_sub_fetch(&sb->live_tracers, 1, __ATOMIC_RELEASE); /* the last touch */
	return NULL;
}

static int start_tracer(struct task *t, struct task_start *st)
{
	pthread_attr_t attr;
	pthread_t thread;
	bool joined = t->init == t;
	int err;

	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->cond, NULL);
	st->done = false;
	t->start = st;
	pthread_attr_init(&attr);
	/* A spawned process is joined by its embedder; a forked one ends on
	 * its own, and its parent's wait4 finds it a zombie. */
	if (!joined) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		__atomic_add_fetch(&t->sb->live_tracers, 1, __ATOMIC_RELAXED);
	}
	err = -pthread_create(&thread, &attr, tracer_main, t);
	pthread_attr_destroy(&attr);
	if (err && !joined)
		__atomic_sub_fetch(&t->sb->live_tracers, 1, __ATOMIC_RELAXED);
	if (!err) {
		pthread_mutex_lock(&st->lock);
		while (!st->done)
			pthread_cond_wait(&st->cond, &st->lock);
		err = st->err;
		pthread_mutex_unlock(&st->lock);
		if (joined && err)
			pthread_join(thread, NULL); /* it ends at once */
		else if (joined)
			t->tracer = thread;
	}
	pthread_cond_destroy(&st->cond);
	pthread_mutex_destroy(&st->lock);
	return err;
}

int task_start(struct task *t, const struct exec_file *f, char *const argv[], char *const envp[])
{
	struct task_start st = { .file = f, .argv = argv, .envp = envp };

	return start_tracer(t, &st);
}

int task_start_child(struct task *t, struct arch_regs *regs)
{
	struct task_start st = { .regs = regs };

	return start_tracer(t, &st);
}

void task_join(struct task *t)
{
	pthread_join(t->tracer, NULL);
}
