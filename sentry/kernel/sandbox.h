/* The sandbox: configuration and kernel-wide state shared by its tasks. */
#ifndef UMBRA_SENTRY_SANDBOX_H
#define UMBRA_SENTRY_SANDBOX_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "abi/linux.h"
#include "sentry/rseq/rseq.h"
#include "sentry/fs/mount.h"
#include "sentry/fs/vfs.h"

struct memfile;
struct procfs;
struct usock_ns;
struct futex_waiter;
struct inflight;
struct task;

#define SANDBOX_MAX_SYSCALLS 1024

struct sandbox {
	pthread_mutex_t lock;
	struct memfile *memfile;
	int stdio[3];   /* host fds behind guest fds 0, 1, 2 */
	int trace_fd;   /* -1: no tracing */
	int log_fd;     /* where the sentry reports what the guest cannot see */
	int ncpus;
	struct sched *sched; /* its vCPUs */
	int rseq_slice_ns; /* the slice extension's grant */
	struct rseq_stats rseq_stats;
	uint32_t uid, gid;
	uint32_t umask; /* the caller's, which guests start with */
	struct linux_utsname uts;
	struct linux_rlimit rlim[LINUX_RLIM_NLIMITS];
	long sig_queued; /* real-time signals queued behind others (RLIMIT_SIGPENDING) */
	int next_pid;
	struct task *tasks;      /* every task, by the lock */
	pthread_cond_t child_cond; /* with the lock: a task ended or was killed */
	bool warned_sigchld;
	struct futex_waiter *futex_waiters; /* by the lock */
	pthread_t timer_thread; /* runs interval timers, from the first one on */
	bool timer_running, timer_stop;
	int live_tracers; /* detached tracer threads not yet done with the sandbox */
	struct procfs *procfs;
	struct usock_ns *usock; /* AF_UNIX records and the abstract namespace */
	struct pagecache *pagecache;
	struct inflight *inflight; /* what SCM_RIGHTS messages carry (fs/inflight.h) */
	struct mount_table mounts;
	char cwd[VFS_PATH_MAX]; /* where guests start */
	bool cwd_set;           /* chosen by the embedder, else the caller's */
	int tmp_err;            /* why the default /tmp is not a private tmpfs */
	int proc_err;           /* why there is no /proc */
	_Atomic uint64_t unimplemented[SANDBOX_MAX_SYSCALLS];
};

int sandbox_init(struct sandbox *sb);
void sandbox_fini(struct sandbox *sb);
int sandbox_alloc_pid(struct sandbox *sb);
void sandbox_add_task(struct sandbox *sb, struct task *t);
void sandbox_remove_task(struct sandbox *sb, struct task *t);
void sandbox_unlink_task_locked(struct sandbox *sb, struct task *t);
/* Whether the sandbox's guests hold every capability (CAP_SYS_NICE,
 * CAP_SYS_PTRACE, ...): they do when it runs as root. */
static inline bool sandbox_capable(const struct sandbox *sb)
{
	return sb->uid == 0;
}
/* The task with guest id tid, or NULL; called with sb->lock held. */
struct task *sandbox_find_task_locked(struct sandbox *sb, int tid);
/* Where guests start unless told: the caller's cwd if visible, else /. */
void sandbox_default_cwd(struct sandbox *sb);
/* Says once, on the log fd, what of the default view the host denied. */
void sandbox_report_view(struct sandbox *sb);
/* One line, prefixed "umbra: ", on the log fd. */
void sandbox_log(struct sandbox *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
