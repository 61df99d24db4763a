/* The tracee's side of ptrace (ptrace.h): its ptrace-stops, where its own
 * sentry thread waits for the tracer, and serves the work handed to it. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "arch/arch.h"
#include "platform/platform.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/ptrace/ptrace.h"
#include "sentry/ptrace/work.h"
#include "sentry/sched/vcpu.h"
#include "sentry/signal/signal.h"

#define LINUX_CLD_TRAPPED 4

/* do_notify_parent_cldstop(CLD_TRAPPED) to the tracer's process. */
static void tell_tracer_locked(struct task *t, int status)
{
	struct linux_siginfo info;
	int32_t *f = (int32_t *)&info;

	sig_info_user(&info, SIGCHLD, LINUX_CLD_TRAPPED, t);
	f[6] = (status >> 8) & 0xff; /* si_status: the stop's signal */
	sig_send_process_locked(t->ptrace.tracer, &info);
}

/* It ends, or a SIGKILL waits for it: that takes a task out of a
 * ptrace-stop (TASK_WAKEKILL). */
static bool ends(const struct task *t)
{
	uint64_t kill = 1ull << (SIGKILL - 1);

	return __atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE) ||
	       ((t->sigpending | t->leader->shared_pending) & kill);
}

/* Runs work the tracer handed over; sb->lock held (dropped meanwhile). */
static void serve_locked(struct task *t)
{
	struct ptrace_work *w = t->ptrace.work;

	t->ptrace.work = NULL;
	pthread_mutex_unlock(&t->sb->lock);
	w->result = w->fn(t, w->arg);
	pthread_mutex_lock(&t->sb->lock);
	w->done = true;
	pthread_cond_broadcast(&t->sb->child_cond);
}

/* Whether t's stop is over for a reason other than its tracer: it ends,
 * or (dying, in its exit stop) it is kicked, by a SIGKILL say. */
static bool stop_broken(struct task *t, bool dying)
{
	return dying ? __atomic_load_n(&t->interrupted, __ATOMIC_ACQUIRE) : ends(t);
}

/* ptrace_stop(): t stops with status (and info) until its tracer resumes,
 * detaches or t is killed; the signal it goes on with. A dying task (its
 * PTRACE_EVENT_EXIT) has no registers left to show. */
static int stop_as(struct task *t, int status, enum ptrace_at at,
		   const struct linux_siginfo *info, bool dying)
{
	struct ptrace_state *p = &t->ptrace;
	int sig;

	if (dying)
		__atomic_store_n(&t->interrupted, false, __ATOMIC_RELEASE);
	else if (plat_regs_load_full(t->plat) < 0)
		return 0; /* the stub is gone: the task is ending */
	sched_block(t);
	pthread_mutex_lock(&t->sb->lock);
	if (!p->tracer || stop_broken(t, dying)) {
		pthread_mutex_unlock(&t->sb->lock);
		return info ? info->si_signo : 0;
	}
	p->stopped = true;
	p->reported = false;
	p->status = status;
	p->at = at;
	p->resume_sig = 0;
	if (info)
		p->info = *info;
	else /* ptrace_do_notify(): the stop's own code */
		sig_info_user(&p->info, SIGTRAP, (status >> 8) & 0xffff, t);
	if (p->group_stop)
		memset(&p->info, 0, sizeof p->info); /* GETSIGINFO: EINVAL in a group stop */
	if (at == PTRACE_AT_ENTRY || at == PTRACE_AT_EXIT)
		p->eventmsg = at; /* PTRACE_EVENTMSG_SYSCALL_ENTRY, _EXIT */
	tell_tracer_locked(t, status);
	pthread_cond_broadcast(&t->sb->child_cond);
	while (p->stopped && p->tracer && !stop_broken(t, dying)) {
		if (p->work)
			serve_locked(t);
		else
			pthread_cond_wait(&t->sb->child_cond, &t->sb->lock);
	}
	p->stopped = false;
	p->at = PTRACE_AT_NONE;
	sig = p->tracer ? p->resume_sig : 0;
	pthread_mutex_unlock(&t->sb->lock);
	return sig;
}

static int stop(struct task *t, int status, enum ptrace_at at, const struct linux_siginfo *info)
{
	return stop_as(t, status, at, info, false);
}

static int event_status(int event)
{
	return ((SIGTRAP | (event << 8)) << 8) | 0x7f;
}

static bool tracing_syscalls(const struct task *t)
{
	return t->ptrace.tracer &&
	       (t->ptrace.run == PTRACE_RUN_SYSCALL || t->ptrace.run == PTRACE_RUN_SYSEMU);
}

/* ptrace_report_syscall(): SIGTRAP, | 0x80 with TRACESYSGOOD. */
static int syscall_status(const struct task *t)
{
	int sig = SIGTRAP | ((t->ptrace.options & LINUX_PTRACE_O_TRACESYSGOOD) ? 0x80 : 0);

	return (sig << 8) | 0x7f;
}

/* A signal the tracer resumed a syscall stop with is sent to the tracee
 * (ptrace_report_syscall's send_sig). */
static void resend(struct task *t, int sig)
{
	if (sig > 0 && sig <= LINUX_NSIG)
		sig_raise(t, sig, false);
}

bool ptrace_syscall_entry(struct task *t)
{
	bool emu;

	if (!tracing_syscalls(t))
		return false;
	emu = t->ptrace.run == PTRACE_RUN_SYSEMU;
	resend(t, stop(t, syscall_status(t), PTRACE_AT_ENTRY, NULL));
	return emu || arch_syscall_nr(plat_regs(t->plat)) == -1 || ends(t);
}

void ptrace_syscall_exit(struct task *t)
{
	if (tracing_syscalls(t) && t->ptrace.run == PTRACE_RUN_SYSCALL)
		resend(t, stop(t, syscall_status(t), PTRACE_AT_EXIT, NULL));
}

/* ptrace_signal(): a signal other than the one stopped for comes as if the
 * tracer sent it (SI_USER). */
int ptrace_signal(struct task *t, int signo, struct linux_siginfo *info)
{
	int sig;

	if (!t->ptrace.tracer || signo == SIGKILL)
		return signo;
	sig = stop(t, (signo << 8) | 0x7f, PTRACE_AT_NONE, info);
	pthread_mutex_lock(&t->sb->lock);
	if (sig && t->ptrace.info.si_signo == sig)
		*info = t->ptrace.info; /* as SETSIGINFO left it */
	else if (sig)
		sig_info_user(info, sig, 0, t->ptrace.tracer ? t->ptrace.tracer : t);
	pthread_mutex_unlock(&t->sb->lock);
	return sig;
}

void ptrace_stepped(struct task *t, bool syscall)
{
	if (!t->ptrace.step)
		return;
	t->ptrace.step = false;
	if (syscall && t->ptrace.run != PTRACE_RUN_SYSEMU)
		sig_raise(t, SIGTRAP, true); /* user_single_step_report() */
}

void ptrace_seccomp(struct task *t, uint32_t data)
{
	t->ptrace.eventmsg = data;
	resend(t, stop(t, event_status(LINUX_PTRACE_EVENT_SECCOMP), PTRACE_AT_SECCOMP, NULL));
}

bool ptrace_group_stop(struct task *t)
{
	struct ptrace_state *p = &t->ptrace;
	int sig = t->leader->stop_signal, status = (sig << 8) | 0x7f;

	if (!t->leader->stopped)
		return false;
	if (p->stop_seen == t->leader->stop_seq)
		return p->listen; /* reported: its tracer decided */
	p->stop_seen = t->leader->stop_seq;
	p->listen = false;
	if (p->seized)
		status |= LINUX_PTRACE_EVENT_STOP << 16;
	p->group_stop = true;
	stop_as(t, status, PTRACE_AT_NONE, NULL, false);
	p->group_stop = false;
	return p->listen;
}

void ptrace_trap(struct task *t)
{
	pthread_mutex_lock(&t->sb->lock);
	t->ptrace.trap_pending = false;
	pthread_mutex_unlock(&t->sb->lock);
	resend(t, stop(t, ((SIGTRAP | (LINUX_PTRACE_EVENT_STOP << 8)) << 8) | 0x7f, PTRACE_AT_NONE,
		       NULL));
}

void ptrace_exec(struct task *t, int old_tid)
{
	if (!t->ptrace.tracer)
		return;
	if (t->ptrace.options & LINUX_PTRACE_O_TRACEEXEC) {
		t->ptrace.eventmsg = (uint64_t)old_tid;
		resend(t, stop(t, ((SIGTRAP | (LINUX_PTRACE_EVENT_EXEC << 8)) << 8) | 0x7f,
			       PTRACE_AT_NONE, NULL));
	} else if (!t->ptrace.seized) {
		sig_raise(t, SIGTRAP, false); /* the classic exec SIGTRAP */
	}
}

void ptrace_exit_event(struct task *t)
{
	if (!t->ptrace.tracer || !(t->ptrace.options & LINUX_PTRACE_O_TRACEEXIT))
		return;
	t->ptrace.eventmsg = (uint64_t)(uint32_t)t->exit_status;
	stop_as(t, ((SIGTRAP | (LINUX_PTRACE_EVENT_EXIT << 8)) << 8) | 0x7f, PTRACE_AT_NONE, NULL,
		true);
}

static bool wants(const struct task *t, int event)
{
	return t->ptrace.tracer && (t->ptrace.options & (1u << event));
}

int ptrace_clone(struct task *t, struct task *child, int event)
{
	if (!event || !wants(t, event))
		return 0;
	pthread_mutex_lock(&t->sb->lock);
	child->ptrace.tracer = t->ptrace.tracer;
	child->ptrace.seized = t->ptrace.seized;
	child->ptrace.options = t->ptrace.options;
	if (child->ptrace.seized) {
		child->ptrace.trap_pending = true;
	} else {
		struct linux_siginfo info;

		sig_info_user(&info, SIGSTOP, 0x80 /* SI_KERNEL */, t);
		sig_send_locked(child, &info);
	}
	pthread_mutex_unlock(&t->sb->lock);
	return event;
}

void ptrace_event_pid(struct task *t, int event, int pid)
{
	if (!event || !t->ptrace.tracer)
		return;
	t->ptrace.eventmsg = (uint64_t)pid;
	resend(t, stop(t, event_status(event), PTRACE_AT_NONE, NULL));
}

void ptrace_vfork_done(struct task *t, int pid)
{
	if (wants(t, LINUX_PTRACE_EVENT_VFORK_DONE))
		ptrace_event_pid(t, LINUX_PTRACE_EVENT_VFORK_DONE, pid);
}

/* Whether t's end goes to its tracer first: it is a thread, or its
 * tracer is not of its parent's group. */
static bool tracer_collects(const struct task *t)
{
	const struct task *tr = t->ptrace.tracer;

	return tr && !tr->exiting && (t->leader != t || !t->parent || t->parent->tgid != tr->tgid);
}

/* __ptrace_unlink() of a tracee that ended: a thread is freed (it is
 * returned, unlinked), a process goes to its parent. */
static struct task *release_zombie_locked(struct task *x)
{
	x->ptrace.tracer = NULL;
	x->ptrace.zombie = false;
	if (x->leader == x) {
		task_zombie_to_parent_locked(x);
		return NULL;
	}
	sandbox_unlink_task_locked(x->sb, x);
	return x;
}

bool ptrace_exit_locked(struct task *t)
{
	bool stays = tracer_collects(t);

	for (struct task *x = t->sb->tasks, *next; x; x = next) {
		next = x->next;
		if (x->ptrace.tracer != t)
			continue;
		if (x->ptrace.zombie) {
			struct task *gone = release_zombie_locked(x);

			if (gone)
				task_free(gone);
			continue;
		}
		x->ptrace.tracer = NULL;
		x->ptrace.stopped = false;
		if (x->ptrace.options & LINUX_PTRACE_O_EXITKILL)
			task_kill_locked(x, SIGKILL);
	}
	if (stays) {
		t->ptrace.zombie = true;
		t->ptrace.stopped = false;
		task_tell_exit_locked(t, t->ptrace.tracer, SIGCHLD); /* do_notify_parent() */
	} else {
		t->ptrace.tracer = NULL;
	}
	pthread_cond_broadcast(&t->sb->child_cond);
	return stays;
}

int ptrace_work_locked(struct task *tracee, int (*fn)(struct task *, void *), void *arg)
{
	struct ptrace_work w = { fn, arg, -ESRCH, false };
	struct ptrace_state *p = &tracee->ptrace;

	if (!p->stopped || p->work)
		return -ESRCH;
	p->work = &w;
	pthread_cond_broadcast(&tracee->sb->child_cond);
	while (!w.done && p->stopped && p->work == &w && !ends(tracee))
		pthread_cond_wait(&tracee->sb->child_cond, &tracee->sb->lock);
	if (p->work == &w)
		p->work = NULL; /* never taken */
	return w.done ? w.result : -ESRCH;
}

static bool traced_by_locked(const struct task *x, const struct task *t)
{
	return x->ptrace.tracer && x->ptrace.tracer->tgid == t->tgid;
}

int ptrace_wait_locked(struct task *t, int id, bool nowait, int *pid, int *status,
		       struct task **reaped)
{
	for (struct task *x = t->sb->tasks; x; x = x->next) {
		struct ptrace_state *p = &x->ptrace;

		if (!traced_by_locked(x, t) || (id && x->tid != id))
			continue;
		if (p->zombie) {
			*pid = x->tid;
			*status = x->exit_status;
			if (!nowait)
				*reaped = release_zombie_locked(x);
			return 1;
		}
		if (!p->stopped || p->reported)
			continue;
		*pid = x->tid;
		*status = p->status;
		if (!nowait)
			p->reported = true;
		return 1;
	}
	return 0;
}

bool ptrace_has_tracees_locked(const struct task *t)
{
	for (const struct task *x = t->sb->tasks; x; x = x->next)
		if (traced_by_locked(x, t))
			return true;
	return false;
}

struct poke {
	uint64_t addr;
	const void *src;
	size_t len;
};

static int poke_on_tracee(struct task *c, void *arg)
{
	const struct poke *p = arg;

	return mm_poke_private(c->mm, c->plat, p->addr, p->src, p->len);
}

int ptrace_poke_locked(struct task *tracee, uint64_t addr, const void *src, size_t len)
{
	struct poke p = { addr, src, len };

	return ptrace_work_locked(tracee, poke_on_tracee, &p);
}
