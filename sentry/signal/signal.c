/* Signal queues, actions and job control: what is sent, to whom, and what waits. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "platform/platform.h"
#include "sentry/sched/vcpu.h"
#include "sentry/kernel/itimer.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/sleep.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/signal/signal.h"
#include "sentry/signal/signalfd.h"

static const char *const names[LINUX_NSIG + 1] = {
	[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
	[SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE",
	[SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
	[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
	[SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP", [SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",
	[SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU", [SIGXFSZ] = "SIGXFSZ",
	[SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
	[SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR", [SIGSYS] = "SIGSYS",
};

const char *sig_name(int signo)
{
	if (signo > 0 && signo <= LINUX_NSIG && names[signo])
		return names[signo];
	return signo >= 32 && signo <= LINUX_NSIG ? "SIGRT" : "SIG?";
}

enum sig_default sig_default_action(int signo)
{
	switch (signo) {
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
	case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return SIG_DEFAULT_CORE;
	case SIGCHLD: case SIGURG: case SIGWINCH:
		return SIG_DEFAULT_IGNORE;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return SIG_DEFAULT_STOP;
	case SIGCONT:
		return SIG_DEFAULT_CONT;
	default:
		return SIG_DEFAULT_TERM;
	}
}

/* A real-time signal sent while one of its number is pending queues behind
 * it (the slot holds the first): sigqueue entries, counted against
 * RLIMIT_SIGPENDING like the kernel's. */
struct sig_more {
	struct sig_more *next;
	struct linux_siginfo info;
};

static bool is_rt(int signo)
{
	return signo >= LINUX_SIGRTMIN;
}

/* Whether one more queued real-time signal passes to's RLIMIT_SIGPENDING
 * (__send_signal_locked: no sender may pass it with one; past it, a kill's
 * adds no instance, and others fail with EAGAIN). */
static bool over_limit(const struct task *to)
{
	return (uint64_t)__atomic_load_n(&to->sb->sig_queued, __ATOMIC_RELAXED) >=
	       to->leader->rlim[LINUX_RLIMIT_SIGPENDING].rlim_cur;
}

bool sig_queue_full_locked(const struct task *to, bool shared, const struct linux_siginfo *info)
{
	linux_sigset_t pending = shared ? to->leader->shared_pending : to->sigpending;
	int signo = info->si_signo;

	return signo >= 1 && signo <= LINUX_NSIG && is_rt(signo) && info->si_code != LINUX_SI_USER &&
	       (pending & (1ULL << (signo - 1))) && over_limit(to);
}

/* Appends info; false when over the limit (over_limit) or out of memory. */
static bool push_more(struct task *to, struct sig_more **list, const struct linux_siginfo *info)
{
	struct sandbox *sb = to->sb;
	struct sig_more *m;

	if (over_limit(to))
		return false;
	m = malloc(sizeof *m);
	if (!m)
		return false;
	m->next = NULL;
	m->info = *info;
	while (*list)
		list = &(*list)->next;
	*list = m;
	__atomic_add_fetch(&sb->sig_queued, 1, __ATOMIC_RELAXED);
	return true;
}

/* The next queued instance of signo into *info: whether there was one. */
static bool pop_more(struct sandbox *sb, struct sig_more **list, int signo,
		     struct linux_siginfo *info)
{
	for (; *list; list = &(*list)->next) {
		struct sig_more *m = *list;

		if (m->info.si_signo != signo)
			continue;
		*info = m->info;
		*list = m->next;
		free(m);
		__atomic_sub_fetch(&sb->sig_queued, 1, __ATOMIC_RELAXED);
		return true;
	}
	return false;
}

/* Drops the queued instances of bits (all with ~0). */
static void drop_more(struct sandbox *sb, struct sig_more **list, linux_sigset_t bits)
{
	while (*list) {
		struct sig_more *m = *list;

		if (!(bits & (1ULL << (m->info.si_signo - 1)))) {
			list = &m->next;
			continue;
		}
		*list = m->next;
		free(m);
		__atomic_sub_fetch(&sb->sig_queued, 1, __ATOMIC_RELAXED);
	}
}

void sig_queue_free(struct task *t)
{
	drop_more(t->sb, &t->sig_more, ~0ULL);
	if (t->leader == t)
		drop_more(t->sb, &t->shared_more, ~0ULL);
}

static bool is_fault(int signo, const struct linux_siginfo *info)
{
	bool sync = signo == SIGSEGV || signo == SIGBUS || signo == SIGILL || signo == SIGFPE ||
		    signo == SIGTRAP || signo == SIGSYS;

	return sync && (info->si_code > 0 || info->si_code == 0x80 /* SI_KERNEL */);
}

static linux_sigset_t bit(int signo)
{
	return 1ULL << (signo - 1);
}

void sig_info_user(struct linux_siginfo *info, int signo, int code, const struct task *from)
{
	memset(info, 0, sizeof *info);
	info->si_signo = signo;
	info->si_code = code;
	if (from) {
		info->u.kill.pid = from->tgid;
		info->u.kill.uid = from->sb->uid;
	}
}

/* sig_ignored(): dropped at once when ignored and not blocked. */
static bool ignored(const struct task *t, int signo)
{
	const struct linux_sigaction *act = &t->sighand->action[signo - 1];
	enum sig_default def = sig_default_action(signo);

	if (t->sigmask & bit(signo))
		return false;
	if (t->ptrace.tracer && signo != SIGKILL)
		return false; /* its tracer sees every signal */
	return act->handler == LINUX_SIG_IGN ||
	       (act->handler == LINUX_SIG_DFL && (def == SIG_DEFAULT_IGNORE || def == SIG_DEFAULT_CONT));
}

#define STOP_SIGNALS (bit(SIGSTOP) | bit(SIGTSTP) | bit(SIGTTIN) | bit(SIGTTOU))
#define LINUX_SA_NOCLDSTOP 1u
#define LINUX_CLD_STOPPED 5
#define LINUX_CLD_CONTINUED 6

/* do_notify_parent_cldstop(): SIGCHLD with CLD_STOPPED or CLD_CONTINUED,
 * unless the parent ignores SIGCHLD or asked SA_NOCLDSTOP; its waits
 * wake either way. sb->lock held. */
static void notify_cldstop_locked(struct task *leader, int code, int status)
{
	struct task *p = leader->parent;
	const struct linux_sigaction *act;
	struct linux_siginfo info;

	pthread_cond_broadcast(&leader->sb->child_cond);
	if (!p)
		return;
	act = &p->sighand->action[SIGCHLD - 1];
	if (act->handler == LINUX_SIG_IGN || (act->flags & LINUX_SA_NOCLDSTOP))
		return;
	sig_info_user(&info, SIGCHLD, code, leader);
	((int32_t *)&info)[6] = status; /* si_status */
	sig_send_process_locked(p, &info);
}

void sig_unpend_group_locked(struct task *t, linux_sigset_t bits)
{
	t->leader->shared_pending &= ~bits;
	drop_more(t->sb, &t->leader->shared_more, bits);
	for (struct task *x = t->sb->tasks; x; x = x->next)
		if (x->tgid == t->tgid) {
			x->sigpending &= ~bits;
			drop_more(t->sb, &x->sig_more, bits);
		}
	signalfd_sync_locked(t);
}

/* prepare_signal(): a stop signal cancels a pending SIGCONT, and SIGCONT
 * cancels pending stops and resumes a stopped group, whatever its action. */
static void job_control_locked(struct task *t, int signo)
{
	struct task *l = t->leader;

	if (bit(signo) & STOP_SIGNALS) {
		sig_unpend_group_locked(t, bit(SIGCONT));
		return;
	}
	if (signo != SIGCONT)
		return;
	sig_unpend_group_locked(t, STOP_SIGNALS);
	if (!l->stopped)
		return;
	l->stopped = false;
	l->stop_report = false;
	l->cont_report = true;
	notify_cldstop_locked(l, LINUX_CLD_CONTINUED, SIGCONT);
}

void sig_stop_group(struct task *t, int signo)
{
	struct task *l = t->leader;

	pthread_mutex_lock(&t->sb->lock);
	if (!l->stopped && !__atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE)) {
		l->stopped = true;
		l->stop_seq++;
		l->stop_signal = signo;
		l->stop_report = true;
		l->cont_report = false;
		notify_cldstop_locked(l, LINUX_CLD_STOPPED, signo);
		for (struct task *x = t->sb->tasks; x; x = x->next)
			if (x->tgid == t->tgid && x != t)
				task_interrupt_locked(x);
	}
	pthread_mutex_unlock(&t->sb->lock);
	sig_wait_while_stopped(t);
}

void sig_wait_while_stopped(struct task *t)
{
	/* A tracee's part in a group stop is a ptrace-stop; what its tracer
	 * resumes runs on, unless PTRACE_LISTEN left it stopped. */
	if (t->ptrace.tracer && !ptrace_group_stop(t))
		return;
	pthread_mutex_lock(&t->sb->lock);
	while (t->leader->stopped && !__atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE) &&
	       !t->ptrace.trap_pending)
		pthread_cond_wait(&t->sb->child_cond, &t->sb->lock);
	if (t->ptrace.tracer && t->ptrace.listen && !t->leader->stopped) {
		t->ptrace.listen = false;
		t->ptrace.trap_pending = true; /* the group stop's end: a trap */
	}
	pthread_mutex_unlock(&t->sb->lock);
}

/* force_sig_info(): a fault cannot be blocked or ignored. */
static void force(struct task *t, int signo)
{
	struct linux_sigaction *act = &t->sighand->action[signo - 1];

	if (act->handler == LINUX_SIG_IGN || (t->sigmask & bit(signo))) {
		act->handler = LINUX_SIG_DFL;
		t->sigmask &= ~bit(signo);
	}
}

/* Queues info for t (one instance per signal); true when t must look at
 * it soon: it is not blocked. sb->lock held. */
static bool queue_locked(struct task *t, const struct linux_siginfo *info, bool fault)
{
	int signo = info->si_signo;

	if (signo < 1 || signo > LINUX_NSIG)
		return false;
	job_control_locked(t, signo);
	if (fault)
		force(t, signo);
	else if (ignored(t, signo))
		return false;
	if (!(t->sigpending & bit(signo)))
		t->siginfo[signo - 1] = *info;
	else if (is_rt(signo) && !push_more(t, &t->sig_more, info))
		return false;
	t->sigpending |= bit(signo);
	signalfd_sync_locked(t);
	return !(t->sigmask & bit(signo));
}

/* The same on the process's queue; whether some thread takes it now. */
static bool queue_shared_locked(struct task *leader, const struct linux_siginfo *info)
{
	int signo = info->si_signo;

	if (signo < 1 || signo > LINUX_NSIG)
		return false;
	job_control_locked(leader, signo);
	if (leader->sigmask & bit(signo) ? false : ignored(leader, signo))
		return false;
	if (!(leader->shared_pending & bit(signo)))
		leader->shared_info[signo - 1] = *info;
	else if (is_rt(signo) && !push_more(leader, &leader->shared_more, info))
		return false;
	leader->shared_pending |= bit(signo);
	signalfd_sync_locked(leader);
	return true;
}

void sig_raise_info(struct task *t, const struct linux_siginfo *info, bool fault)
{
	pthread_mutex_lock(&t->sb->lock);
	queue_locked(t, info, fault);
	pthread_mutex_unlock(&t->sb->lock);
}

void sig_raise(struct task *t, int signo, bool fault)
{
	struct linux_siginfo info;

	sig_info_user(&info, signo, fault ? LINUX_SI_KERNEL : LINUX_SI_USER, fault ? NULL : t);
	sig_raise_info(t, &info, fault);
}

void sig_send_locked(struct task *t, const struct linux_siginfo *info)
{
	if (t->zombie || t->exiting)
		return;
	if (!queue_locked(t, info, false))
		pthread_cond_broadcast(&t->sb->child_cond); /* rt_sigtimedwait waits for blocked ones */
	else if (t != task_current) /* the caller looks at its signals on its way out */
		task_interrupt_locked(t);
}

/* complete_signal(): a process-directed signal goes to a thread of the
 * group that does not block it, the leader first; else it waits at the
 * leader. sb->lock held. */
void sig_send_process_locked(struct task *t, const struct linux_siginfo *info)
{
	struct task *leader = t->leader, *to = NULL;
	linux_sigset_t b = info->si_signo >= 1 && info->si_signo <= LINUX_NSIG ? bit(info->si_signo) : 0;

	if (leader->zombie || !queue_shared_locked(leader, info))
		return;
	pthread_cond_broadcast(&t->sb->child_cond); /* rt_sigtimedwait waits for blocked ones */
	if (!leader->exiting && !(leader->sigmask & b))
		to = leader;
	for (struct task *x = t->sb->tasks; !to && x; x = x->next)
		if (x->tgid == leader->tgid && !x->exiting && !(x->sigmask & b))
			to = x;
	if (to && to != task_current)
		task_interrupt_locked(to);
}

/* next_signal(): SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS first. */
static int dequeue_from(struct sandbox *sb, linux_sigset_t *pending, struct linux_siginfo *infos,
			struct sig_more **more, linux_sigset_t allowed, struct linux_siginfo *info)
{
	linux_sigset_t due = *pending & allowed;
	linux_sigset_t sync = due & (bit(SIGSEGV) | bit(SIGBUS) | bit(SIGILL) | bit(SIGTRAP) |
				    bit(SIGFPE) | bit(SIGSYS));
	int signo;

	if (sync)
		due = sync;
	if (!due)
		return 0;
	signo = __builtin_ctzll(due) + 1;
	*info = infos[signo - 1];
	if (!is_rt(signo) || !pop_more(sb, more, signo, &infos[signo - 1]))
		*pending &= ~bit(signo); /* else the next instance waits in the slot */
	return signo;
}

/* dequeue_signal(): the thread's own queue first, then the process's; a
 * POSIX timer's signal takes its overrun count on the way. */
int sig_dequeue_locked(struct task *t, linux_sigset_t allowed, struct linux_siginfo *info)
{
	struct task *l = t->leader;
	int signo = dequeue_from(t->sb, &t->sigpending, t->siginfo, &t->sig_more, allowed, info);

	if (!signo)
		signo = dequeue_from(t->sb, &l->shared_pending, l->shared_info, &l->shared_more,
				     allowed, info);
	if (signo && info->si_code == LINUX_SI_TIMER)
		ktimer_dequeued_locked(t, info);
	if (signo)
		signalfd_sync_locked(t);
	return signo;
}

int sig_dequeue_wait(struct task *t, const linux_sigset_t *set, int64_t deadline,
		     struct linux_siginfo *info)
{
	struct sandbox *sb = t->sb;
	int r;

	pthread_mutex_lock(&sb->lock);
	for (;;) {
		struct timespec until = sleep_ts(deadline);

		r = sig_dequeue_locked(t, __atomic_load_n(set, __ATOMIC_RELAXED) & ~LINUX_SIG_UNBLOCKABLE,
				       info);
		if (r)
			break;
		r = -EAGAIN;
		if (!deadline)
			break;
		r = -EINTR;
		if (__atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE) || sig_pending_locked(t))
			break;
		r = -EAGAIN;
		if (deadline > 0 && sleep_now_ns(CLOCK_MONOTONIC) >= deadline)
			break;
		sched_block(t);
		if (deadline > 0)
			pthread_cond_timedwait(&sb->child_cond, &sb->lock, &until);
		else
			pthread_cond_wait(&sb->child_cond, &sb->lock);
	}
	pthread_mutex_unlock(&sb->lock);
	return r;
}

/* The slot of signo in t's queue, or its process's. */
static struct linux_siginfo *slot(struct task *t, bool shared, int signo, linux_sigset_t **pending)
{
	*pending = shared ? &t->leader->shared_pending : &t->sigpending;
	return shared ? &t->leader->shared_info[signo - 1] : &t->siginfo[signo - 1];
}

bool sig_timer_queued_locked(struct task *t, bool shared, int signo, int id)
{
	linux_sigset_t *pending;
	const struct linux_siginfo *info = slot(t, shared, signo, &pending);

	return (*pending & bit(signo)) && info->si_code == LINUX_SI_TIMER && info->u.timer.tid == id;
}

void sig_timer_unqueue_locked(struct task *t, bool shared, int signo, int id)
{
	linux_sigset_t *pending;

	if (!sig_timer_queued_locked(t, shared, signo, id))
		return;
	slot(t, shared, signo, &pending);
	*pending &= ~bit(signo);
	signalfd_sync_locked(t);
}

int sig_mask_for_wait(struct task *t, linux_sigset_t mask)
{
	bool pending;

	pthread_mutex_lock(&t->sb->lock);
	t->saved_mask = t->sigmask;
	t->restore_mask = true;
	t->sigmask = mask & ~LINUX_SIG_UNBLOCKABLE;
	pending = sig_pending_locked(t);
	pthread_mutex_unlock(&t->sb->lock);
	return pending ? -EINTR : 0;
}

int sig_mask_from_guest(struct task *t, uint64_t addr, uint64_t size)
{
	linux_sigset_t mask;

	if (size != sizeof mask)
		return -EINVAL;
	if (copy_from_guest(t, &mask, addr, sizeof mask) < 0)
		return -EFAULT;
	return sig_mask_for_wait(t, mask);
}

void sig_mask_restore(struct task *t)
{
	pthread_mutex_lock(&t->sb->lock);
	if (t->restore_mask)
		t->sigmask = t->saved_mask;
	t->restore_mask = false;
	pthread_mutex_unlock(&t->sb->lock);
}

bool sig_on_alt_stack(const struct task *t, uint64_t sp)
{
	return linux_on_sig_stack(&t->altstack, sp);
}

bool sig_pending_locked(const struct task *t)
{
	return ((t->sigpending | t->leader->shared_pending) & ~t->sigmask) != 0 ||
	       t->ptrace.trap_pending; /* PTRACE_INTERRUPT wakes waits as a signal does */
}

void sig_host_stop(struct task *t, const struct plat_stop *stop)
{
	struct linux_siginfo info = stop->info;

	info.si_signo = stop->signo;
	if (stop->fault_known) {
		t->fault_code = stop->fault_code;
		t->fault_trapno = stop->fault_trapno;
	}
	sig_raise_info(t, &info, is_fault(stop->signo, &stop->info));
}

int sig_peek_locked(struct task *t, bool shared, uint64_t off, struct linux_siginfo *out, int max)
{
	linux_sigset_t pending = shared ? t->leader->shared_pending : t->sigpending;
	const struct linux_siginfo *infos = shared ? t->leader->shared_info : t->siginfo;
	const struct sig_more *more = shared ? t->leader->shared_more : t->sig_more;
	uint64_t at = 0;
	int n = 0;

	for (int signo = 1; signo <= LINUX_NSIG && n < max; signo++) {
		if (!(pending & bit(signo)))
			continue;
		if (at++ >= off)
			out[n++] = infos[signo - 1];
		for (const struct sig_more *m = more; m && n < max; m = m->next)
			if (m->info.si_signo == signo && at++ >= off)
				out[n++] = m->info;
	}
	return n;
}
