/* wait4(2) and waitid(2) (kernel/exit.c do_wait): children that ended are
 * zombies until their parent collects them here. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "sentry/sched/vcpu.h"
#include "sentry/kernel/pidfd.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/signal/signal.h"
#include "syscall_handlers.h"

#define LINUX_WNOHANG 0x00000001
#define LINUX_WUNTRACED 0x00000002
#define LINUX_WSTOPPED LINUX_WUNTRACED
#define LINUX_WEXITED 0x00000004
#define LINUX_WCONTINUED 0x00000008
#define LINUX_WNOWAIT 0x01000000
#define LINUX_WNOTHREAD 0x20000000
#define LINUX_WALL 0x40000000
#define LINUX_WCLONE 0x80000000u

#define LINUX_P_ALL 0
#define LINUX_P_PID 1
#define LINUX_P_PGID 2
#define LINUX_P_PIDFD 3

#define LINUX_CLD_EXITED 1
#define LINUX_CLD_KILLED 2
#define LINUX_CLD_DUMPED 3
#define LINUX_CLD_STOPPED 5
#define LINUX_CLD_CONTINUED 6

enum wait_kind { WAIT_PID, WAIT_PGID, WAIT_ALL };

struct wait_opts {
	enum wait_kind kind;
	int id;
	unsigned int flags;
	bool nonblock; /* P_PIDFD of an O_NONBLOCK pidfd: EAGAIN, not 0 */
};

struct wait_result {
	int pid;
	int status; /* waitpid(2) encoding */
	uint32_t uid;
	struct plat_usage usage; /* the child's and its collected children's */
};

static void add_usage(struct plat_usage *to, const struct plat_usage *u)
{
	to->user_ns += u->user_ns;
	to->sys_ns += u->sys_ns;
	if (u->maxrss_kb > to->maxrss_kb)
		to->maxrss_kb = u->maxrss_kb; /* the largest child's, as Linux keeps it */
}

/* eligible_child(): the id, and clone children (exit signal other than
 * SIGCHLD) only with __WCLONE, or any with __WALL. */
static bool eligible(const struct wait_opts *w, const struct task *c)
{
	bool clone_child = c->exit_signal != SIGCHLD;

	if (w->kind == WAIT_PID && c->tgid != w->id)
		return false;
	if (w->kind == WAIT_PGID && c->pgid != w->id)
		return false;
	if (w->flags & LINUX_WALL)
		return true;
	return clone_child == !!(w->flags & LINUX_WCLONE);
}

/* wait_task_stopped() and wait_task_continued(): a stop or a continue
 * not yet reported, reported once (unless WNOWAIT); sb->lock held. */
static bool report_change_locked(struct task *c, const struct wait_opts *w,
				 struct wait_result *res)
{
	bool stop = (w->flags & LINUX_WUNTRACED) && c->stop_report;
	bool cont = (w->flags & LINUX_WCONTINUED) && c->cont_report;

	if (!stop && !cont)
		return false;
	res->pid = c->tgid;
	res->uid = c->sb->uid;
	res->status = stop ? (c->stop_signal << 8) | 0x7f : 0xffff;
	if (!(w->flags & LINUX_WNOWAIT)) {
		if (stop)
			c->stop_report = false;
		else
			c->cont_report = false;
	}
	return true;
}

/* ptrace_do_wait(): a ptrace-stop of a tracee of the caller's group not
 * reported yet (any tracee is eligible, clone or not). */
static int scan_tracees_locked(struct task *t, const struct wait_opts *w, struct wait_result *res,
			       struct task **reaped)
{
	int pid = w->kind == WAIT_PID ? w->id : 0;

	if (w->kind == WAIT_PGID)
		return 0;
	if (!ptrace_wait_locked(t, pid, w->flags & LINUX_WNOWAIT, &res->pid, &res->status, reaped))
		return 0;
	res->uid = t->sb->uid;
	return 1;
}

/* One pass over the caller's children and tracees: 1 with a zombie
 * collected (freed unless WNOWAIT) or a stop reported, 0 when children or
 * tracees live, -ECHILD when there are none. */
static int scan_locked(struct task *t, const struct wait_opts *w, struct wait_result *res,
		       struct task **reaped)
{
	struct sandbox *sb = t->sb;
	bool any = ptrace_has_tracees_locked(t);

	if (scan_tracees_locked(t, w, res, reaped))
		return 1;

	for (struct task *c = sb->tasks; c; c = c->next) {
		if (!c->parent || c->parent->tgid != t->tgid || c->tid != c->tgid || !eligible(w, c))
			continue;
		any = true;
		if (c->ptrace.zombie)
			continue; /* its tracer collects its end first */
		if (!c->zombie && report_change_locked(c, w, res))
			return 1;
		if (!c->zombie || !(w->flags & LINUX_WEXITED))
			continue;
		res->pid = c->tgid;
		res->status = c->exit_status;
		res->uid = sb->uid;
		res->usage = c->usage_final;
		add_usage(&res->usage, &c->usage_children);
		if (!(w->flags & LINUX_WNOWAIT)) {
			add_usage(&t->leader->usage_children, &res->usage);
			sandbox_unlink_task_locked(sb, c);
			*reaped = c;
		}
		return 1;
	}
	return any ? 0 : -ECHILD;
}

static int do_wait(struct task *t, const struct wait_opts *w, struct wait_result *res)
{
	struct sandbox *sb = t->sb;
	struct task *reaped = NULL;
	int r;

	memset(res, 0, sizeof *res);
	pthread_mutex_lock(&sb->lock);
	for (;;) {
		r = scan_locked(t, w, res, &reaped);
		if (r || (w->flags & LINUX_WNOHANG))
			break;
		if (__atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE) || sig_pending_locked(t)) {
			r = -ERESTARTSYS;
			break;
		}
		sched_block(t);
		pthread_cond_wait(&sb->child_cond, &sb->lock);
	}
	pthread_mutex_unlock(&sb->lock);
	if (reaped)
		task_free(reaped);
	return r;
}

static long write_rusage(struct task *t, uint64_t addr, const struct wait_result *res)
{
	return addr ? usage_to_guest(t, addr, &res->usage) : 0;
}

long sys_wait4(struct task *t, const struct syscall_args *a)
{
	int pid = (int)a->a[0];
	unsigned int opts = (unsigned int)a->a[2];
	struct wait_opts w = { WAIT_ALL, 0, opts | LINUX_WEXITED, false };
	struct wait_result res;
	int32_t status;
	int r;

	if (opts & ~(LINUX_WNOHANG | LINUX_WUNTRACED | LINUX_WCONTINUED | LINUX_WNOTHREAD |
		     LINUX_WCLONE | LINUX_WALL))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH; /* -INT_MIN is undefined: kernel_wait4 refuses it */
	if (pid > 0) {
		w.kind = WAIT_PID;
		w.id = pid;
	} else if (pid < -1 || pid == 0) {
		w.kind = WAIT_PGID;
		w.id = pid ? -pid : t->pgid;
	}
	r = do_wait(t, &w, &res);
	if (r <= 0)
		return r;
	/* The child is reaped already when these fail, as on Linux. */
	status = res.status;
	if (a->a[1] && copy_to_guest(t, a->a[1], &status, sizeof status) < 0)
		return -EFAULT;
	if (write_rusage(t, a->a[3], &res) < 0)
		return -EFAULT;
	return res.pid;
}

/* waitid's siginfo: si_signo, si_errno, si_code, si_pid, si_uid, si_status. */
static long write_waitid_info(struct task *t, uint64_t addr, const struct wait_result *res,
			      bool found)
{
	struct linux_siginfo info;
	int32_t *f = (int32_t *)&info;

	memset(&info, 0, sizeof info);
	if (found) {
		bool exited = (res->status & 0x7f) == 0;

		f[0] = SIGCHLD;
		f[2] = exited ? LINUX_CLD_EXITED :
			(res->status & 0x80) ? LINUX_CLD_DUMPED : LINUX_CLD_KILLED;
		f[6] = exited ? (res->status >> 8) & 0xff : res->status & 0x7f;
		if (res->status == 0xffff) {
			f[2] = LINUX_CLD_CONTINUED;
			f[6] = SIGCONT;
		} else if ((res->status & 0xff) == 0x7f) {
			f[2] = LINUX_CLD_STOPPED;
			f[6] = (res->status >> 8) & 0xff;
		}
		f[4] = res->pid;
		f[5] = (int32_t)res->uid;
	}
	/* Linux writes these six fields and nothing else of the user's struct. */
	return copy_to_guest(t, addr, &info, 7 * sizeof(int32_t));
}

static long waitid_opts(struct task *t, int which, int id, unsigned int opts,
			struct wait_opts *w)
{
	if (opts & ~(LINUX_WNOHANG | LINUX_WNOWAIT | LINUX_WEXITED | LINUX_WSTOPPED |
		     LINUX_WCONTINUED | LINUX_WNOTHREAD | LINUX_WCLONE | LINUX_WALL))
		return -EINVAL;
	if (!(opts & (LINUX_WEXITED | LINUX_WSTOPPED | LINUX_WCONTINUED)))
		return -EINVAL;
	w->flags = opts;
	w->id = id;
	w->nonblock = false;
	switch (which) {
	case LINUX_P_ALL:
		w->kind = WAIT_ALL;
		return 0;
	case LINUX_P_PID:
		w->kind = WAIT_PID;
		return id <= 0 ? -EINVAL : 0;
	case LINUX_P_PGID:
		w->kind = WAIT_PGID;
		if (id < 0)
			return -EINVAL;
		if (!id)
			w->id = t->pgid;
		return 0;
	case LINUX_P_PIDFD:
		w->kind = WAIT_PID;
		return pidfd_process(t, (uint64_t)(uint32_t)id, &w->id, &w->nonblock);
	default:
		return -EINVAL;
	}
}

long sys_waitid(struct task *t, const struct syscall_args *a)
{
	struct wait_opts w;
	struct wait_result res;
	long r = waitid_opts(t, (int)a->a[0], (int)a->a[1], (unsigned int)a->a[3], &w);

	if (r)
		return r;
	r = do_wait(t, &w, &res);
	if (r < 0)
		return r;
	if (!r && w.nonblock && (w.flags & LINUX_WNOHANG))
		return -EAGAIN;
	if (r > 0 && write_rusage(t, a->a[4], &res) < 0)
		return -EFAULT;
	if (a->a[2] && write_waitid_info(t, a->a[2], &res, r > 0) < 0)
		return -EFAULT;
	return 0;
}
