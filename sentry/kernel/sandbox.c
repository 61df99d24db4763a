/* Sandbox-wide state: defaults as a Linux machine would give them. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arch/arch.h"
#include "sentry/sched/vcpu.h"
#include "sentry/fs/fdtable.h"
#include "sentry/fs/inflight.h"
#include "sentry/fs/proc/procfs.h"
#include "sentry/kernel/itimer.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/pagecache.h"
#include "sentry/net/usock.h"

#define MEMFILE_SIZE (64ULL << 30) /* address space of the memory file, not memory */
#define UTS_RELEASE "6.18.0-umbra"
#define UTS_VERSION "#1 SMP PREEMPT_DYNAMIC umbra"

static void default_uts(struct linux_utsname *u)
{
	memset(u, 0, sizeof *u);
	strcpy(u->sysname, "Linux");
	strcpy(u->nodename, "umbra");
	strcpy(u->release, UTS_RELEASE);
	strcpy(u->version, UTS_VERSION);
	strcpy(u->machine, ARCH_UTS_MACHINE);
	strcpy(u->domainname, "(none)");
}

/* The guest inherits the caller's limits, as a child of a shell would. */
static void default_rlimits(struct linux_rlimit *rl)
{
	for (int i = 0; i < LINUX_RLIM_NLIMITS; i++) {
		struct rlimit r;

		if (getrlimit(i, &r) < 0)
			r.rlim_cur = r.rlim_max = RLIM_INFINITY;
		rl[i].rlim_cur = r.rlim_cur == RLIM_INFINITY ? LINUX_RLIM_INFINITY : r.rlim_cur;
		rl[i].rlim_max = r.rlim_max == RLIM_INFINITY ? LINUX_RLIM_INFINITY : r.rlim_max;
	}
	rl[RLIMIT_NOFILE].rlim_max = FDTABLE_MAX;
	if (rl[RLIMIT_NOFILE].rlim_cur > FDTABLE_MAX)
		rl[RLIMIT_NOFILE].rlim_cur = FDTABLE_MAX;
}

/* The caller's directory when the guest can see it, as a shell's child
 * starts where the shell is; else the root. */
void sandbox_default_cwd(struct sandbox *sb)
{
	char here[VFS_PATH_MAX];
	struct lookup l;

	strcpy(sb->cwd, "/");
	if (!getcwd(here, sizeof here) ||
	    vfs_lookup(&sb->mounts, "/", here, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &l) < 0)
		return;
	strcpy(sb->cwd, l.path);
	lookup_release(&l);
}

int sandbox_init(struct sandbox *sb)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	int err;

	memset(sb, 0, sizeof *sb);
	pthread_mutex_init(&sb->lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* deadlines of futex and exit */
		pthread_cond_init(&sb->child_cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	sb->trace_fd = -1;
	sb->log_fd = STDERR_FILENO;
	sb->ncpus = n > 0 ? (int)n : 1;
	sb->rseq_slice_ns = RSEQ_SLICE_NS_MIN;
	sb->uid = getuid();
	sb->gid = getgid();
	sb->umask = umask(022);
	umask(sb->umask);
	sb->next_pid = 1;
	default_uts(&sb->uts);
	default_rlimits(sb->rlim);
	for (int i = 0; i < 3; i++)
		sb->stdio[i] = fcntl(i, F_DUPFD_CLOEXEC, 3);
	err = memfile_create(MEMFILE_SIZE, &sb->memfile);
	if (!err)
		err = pagecache_create(sb->memfile, &sb->pagecache);
	if (!err)
		err = usock_ns_create(&sb->usock);
	if (!err)
		err = inflight_create(&sb->inflight);
	if (!err)
		err = sched_create(&sb->sched);
	if (!err)
		err = mount_default_view(&sb->mounts);
	if (!err)
		sb->tmp_err = mount_tmpfs(&sb->mounts, "/tmp", NULL);
	if (!err)
		sb->proc_err = procfs_create(sb, &sb->procfs);
	if (!err)
		sandbox_default_cwd(sb);
	if (err)
		sandbox_fini(sb);
	return err;
}

/* Detached tracer threads finish their last steps after their tasks are
 * done; the sandbox waits for them (briefly: their guests have ended). */
static void wait_tracers(struct sandbox *sb)
{
	for (int i = 0; __atomic_load_n(&sb->live_tracers, __ATOMIC_ACQUIRE) > 0; i++) {
		if (i == 10000) {
			sandbox_log(sb, "tracer threads still running at teardown");
			return;
		}
		usleep(1000);
	}
}

void sandbox_fini(struct sandbox *sb)
{
	wait_tracers(sb);
	itimer_stop(sb);
	sched_destroy(sb->sched);
	sb->sched = NULL;
	for (int i = 0; i < 3; i++)
		if (sb->stdio[i] >= 0)
			close(sb->stdio[i]);
	pagecache_destroy(sb->pagecache);
	sb->pagecache = NULL;
	memfile_destroy(sb->memfile);
	sb->memfile = NULL;
	mount_table_free(&sb->mounts);
	procfs_destroy(sb->procfs);
	sb->procfs = NULL;
	usock_ns_destroy(sb->usock);
	sb->usock = NULL;
	inflight_destroy(sb->inflight);
	sb->inflight = NULL;
	pthread_cond_destroy(&sb->child_cond);
	pthread_mutex_destroy(&sb->lock);
}

void sandbox_report_view(struct sandbox *sb)
{
	const struct mount *m = mount_find(&sb->mounts, "/tmp");

	if (sb->proc_err)
		sandbox_log(sb, "no /proc (%s)", strerror(-sb->proc_err));
	sb->proc_err = 0;
	if (!sb->tmp_err || !m || !strcmp(m->path, "/tmp"))
		return; /* or the embedder mounted something there */
	sandbox_log(sb, "no private /tmp (%s): the guest sees the host's, read-only",
		    strerror(-sb->tmp_err));
	sb->tmp_err = 0;
}

int sandbox_alloc_pid(struct sandbox *sb)
{
	int pid;

	pthread_mutex_lock(&sb->lock);
	pid = sb->next_pid++;
	pthread_mutex_unlock(&sb->lock);
	return pid;
}

void sandbox_add_task(struct sandbox *sb, struct task *t)
{
	pthread_mutex_lock(&sb->lock);
	t->next = sb->tasks;
	sb->tasks = t;
	pthread_mutex_unlock(&sb->lock);
}

void sandbox_unlink_task_locked(struct sandbox *sb, struct task *t)
{
	for (struct task **p = &sb->tasks; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			break;
		}
}

void sandbox_remove_task(struct sandbox *sb, struct task *t)
{
	pthread_mutex_lock(&sb->lock);
	sandbox_unlink_task_locked(sb, t);
	pthread_mutex_unlock(&sb->lock);
}

struct task *sandbox_find_task_locked(struct sandbox *sb, int tid)
{
	for (struct task *t = sb->tasks; t; t = t->next)
		if (t->tid == tid)
			return t;
	return NULL;
}

void sandbox_log(struct sandbox *sb, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (sb->log_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	if (write(sb->log_fd, "umbra: ", 7) == 7 && write(sb->log_fd, buf, (size_t)n) == n)
		return;
}
