/* seccomp for guests (seccomp.h): seccomp(2), prctl's seccomp options,
 * classic BPF checked as seccomp_check_filter does and run over struct
 * seccomp_data, and the actions in the kernel's order of precedence. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "platform/platform.h"
#include "sentry/kernel/bpf.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/seccomp.h"
#include "sentry/kernel/sud.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/ptrace/ptrace.h"
#include "sentry/signal/signal.h"
#include "syscall_handlers.h"

/* include/uapi/linux/seccomp.h */
#define SECCOMP_SET_MODE_STRICT 0
#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_GET_ACTION_AVAIL 2
#define SECCOMP_GET_NOTIF_SIZES 3
#define SECCOMP_FILTER_FLAG_TSYNC 1u
#define SECCOMP_FILTER_FLAG_LOG 2u
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW 4u
#define SECCOMP_FILTER_FLAG_NEW_LISTENER 8u
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH 16u
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV 32u
#define SECCOMP_RET_KILL_PROCESS 0x80000000u
#define SECCOMP_RET_KILL_THREAD 0x00000000u
#define SECCOMP_RET_TRAP 0x00030000u
#define SECCOMP_RET_ERRNO 0x00050000u
#define SECCOMP_RET_USER_NOTIF 0x7fc00000u
#define SECCOMP_RET_TRACE 0x7ff00000u
#define SECCOMP_RET_LOG 0x7ffc0000u
#define SECCOMP_RET_ALLOW 0x7fff0000u
#define SECCOMP_RET_ACTION_FULL 0xffff0000u
#define SECCOMP_RET_DATA 0x0000ffffu
#define LINUX_SYS_SECCOMP 1 /* SIGSYS's si_code */
#define MAX_INSNS_PER_PATH 32768
#define LINUX_MAX_ERRNO 4095

struct seccomp_filter {
	int refs; /* atomic */
	struct seccomp_filter *prev;
	uint16_t len;
	struct linux_sock_filter insns[];
};

static void filter_put(struct seccomp_filter *f)
{
	while (f && !__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL)) {
		struct seccomp_filter *prev = f->prev;

		free(f);
		f = prev;
	}
}

static void filter_get(struct seccomp_filter *f)
{
	if (f)
		__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
}

void seccomp_fork(struct task *child, const struct task *parent)
{
	child->seccomp_mode = parent->seccomp_mode;
	child->seccomp = parent->seccomp;
	filter_get(child->seccomp);
}

void seccomp_put(struct task *t)
{
	filter_put(t->seccomp);
	t->seccomp = NULL;
}

/* ---- running the filters ---- */

static void fill_data(const struct arch_regs *r, struct bpf_seccomp_data *d)
{
	d->nr = (int32_t)arch_syscall_nr(r);
	d->arch = ARCH_AUDIT_ARCH;
	d->instruction_pointer = arch_ip(r); /* KSTK_EIP: after the instruction */
	arch_syscall_args(r, d->args);
}

/* seccomp_run_filters(): every filter of the chain, the action of the
 * highest precedence (the smallest as a signed action) wins. */
static uint32_t run_filters(const struct task *t, const struct bpf_seccomp_data *d)
{
	uint32_t ret = SECCOMP_RET_ALLOW;

	for (const struct seccomp_filter *f = t->seccomp; f; f = f->prev) {
		uint32_t cur = bpf_run(f->insns, f->len, d);

		if ((int32_t)(cur & SECCOMP_RET_ACTION_FULL) < (int32_t)(ret & SECCOMP_RET_ACTION_FULL))
			ret = cur;
	}
	return ret;
}

/* SECCOMP_RET_TRACE: the tracer's PTRACE_EVENT_SECCOMP stop, or ENOSYS
 * without one; true when the call must not run. */
static bool trace(struct task *t, struct arch_regs *r, uint32_t data)
{
	if (!t->ptrace.tracer || !(t->ptrace.options & LINUX_PTRACE_O_TRACESECCOMP)) {
		arch_syscall_set_return(r, -ENOSYS);
		return true;
	}
	ptrace_seccomp(t, data);
	r = plat_regs(t->plat);
	return __atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE) || arch_syscall_nr(r) == -1;
}

static bool kill_by(struct task *t, bool process)
{
	if (process)
		task_exit_group(t, SIGSYS);
	else
		task_exit_thread(t, SIGSYS);
	return true;
}

/* __seccomp_filter()'s actions. */
static bool act(struct task *t, struct arch_regs *r, uint32_t ret)
{
	uint32_t data = ret & SECCOMP_RET_DATA;

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		return false;
	case SECCOMP_RET_ERRNO:
		arch_syscall_set_return(r, -(long)(data > LINUX_MAX_ERRNO ? LINUX_MAX_ERRNO : data));
		return true;
	case SECCOMP_RET_TRAP:
		sigsys_for_call(t, r, LINUX_SYS_SECCOMP, (int)data); /* force_sig_seccomp */
		return true;
	case SECCOMP_RET_TRACE:
		return trace(t, r, data);
	case SECCOMP_RET_USER_NOTIF: /* no listener can exist */
		arch_syscall_set_return(r, -ENOSYS);
		return true;
	case SECCOMP_RET_KILL_THREAD:
		return kill_by(t, false);
	default: /* KILL_PROCESS, and what no kernel knows */
		return kill_by(t, true);
	}
}

/* Strict mode: read, write, exit and rt_sigreturn only (mode1_syscalls). */
static bool strict_allows(long nr)
{
	return nr == SYSCALL_NR_read || nr == SYSCALL_NR_write || nr == SYSCALL_NR_exit ||
	       nr == SYSCALL_NR_rt_sigreturn;
}

bool seccomp_intercepts(struct task *t)
{
	struct arch_regs *r = plat_regs(t->plat);
	struct bpf_seccomp_data d;

	if (t->seccomp_mode == LINUX_SECCOMP_MODE_DISABLED ||
	    (t->ptrace.tracer && (t->ptrace.options & LINUX_PTRACE_O_SUSPEND_SECCOMP)))
		return false; /* suspended for a checkpointing tracer */
	if (t->seccomp_mode == LINUX_SECCOMP_MODE_STRICT) {
		if (strict_allows(arch_syscall_nr(r)))
			return false;
		task_exit_group(t, SIGKILL); /* __secure_computing_strict: do_exit(SIGKILL) */
		return true;
	}
	fill_data(r, &d);
	return act(t, r, run_filters(t, &d));
}

/* ---- installing ---- */

/* The chain's length as the kernel counts it (4 more per filter). */
static unsigned int path_len(const struct seccomp_filter *f)
{
	unsigned int n = 0;

	for (; f; f = f->prev)
		n += f->len + 4;
	return n;
}

/* seccomp_prepare_user_filter(): the program from the guest, checked. */
static long prepare(struct task *t, uint64_t uprog, struct seccomp_filter **out)
{
	struct {
		uint16_t len;
		uint16_t pad[3];
		uint64_t filter;
	} prog;
	struct seccomp_filter *f;

	if (copy_from_guest(t, &prog, uprog, sizeof prog))
		return -EFAULT;
	if (!prog.len || prog.len > BPF_MAXINSNS)
		return -EINVAL;
	if (!t->no_new_privs && !sandbox_capable(t->sb))
		return -EACCES; /* neither no_new_privs nor CAP_SYS_ADMIN */
	f = calloc(1, sizeof *f + prog.len * sizeof f->insns[0]);
	if (!f)
		return -ENOMEM;
	f->refs = 1;
	f->len = prog.len;
	if (copy_from_guest(t, f->insns, prog.filter, prog.len * sizeof f->insns[0])) {
		free(f);
		return -EFAULT;
	}
	if (bpf_check_seccomp(f->insns, f->len)) {
		free(f);
		return -EINVAL;
	}
	*out = f;
	return 0;
}

/* TSYNC: every other thread of the group must have the caller's chain or
 * an older part of it (is_ancestor); the tid of one that has not. */
static int tsync_blocker_locked(struct task *t)
{
	for (struct task *x = t->sb->tasks; x; x = x->next) {
		const struct seccomp_filter *f = t->seccomp;

		if (x == t || x->tgid != t->tgid || x->zombie)
			continue;
		if (x->seccomp_mode == LINUX_SECCOMP_MODE_STRICT)
			return x->tid;
		while (f && f != x->seccomp)
			f = f->prev;
		if (f != x->seccomp)
			return x->tid;
	}
	return 0;
}

static void tsync_locked(struct task *t)
{
	for (struct task *x = t->sb->tasks; x; x = x->next) {
		if (x == t || x->tgid != t->tgid || x->zombie)
			continue;
		filter_get(t->seccomp);
		filter_put(x->seccomp);
		x->seccomp = t->seccomp;
		x->seccomp_mode = LINUX_SECCOMP_MODE_FILTER;
	}
}

static long attach(struct task *t, unsigned int flags, uint64_t uprog)
{
	unsigned int known = SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG |
			     SECCOMP_FILTER_FLAG_SPEC_ALLOW | SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	struct seccomp_filter *f;
	long err, blocker = 0;

	if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
		sandbox_log(t->sb, "seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER) is not implemented: "
				   "EINVAL");
		return -EINVAL;
	}
	if (flags & ~known)
		return -EINVAL;
	if ((flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH) && !(flags & SECCOMP_FILTER_FLAG_TSYNC))
		return -EINVAL;
	if ((err = prepare(t, uprog, &f)))
		return err;
	pthread_mutex_lock(&t->sb->lock);
	if (t->seccomp_mode == LINUX_SECCOMP_MODE_STRICT)
		err = -EINVAL;
	else if (path_len(t->seccomp) + f->len + 4 > MAX_INSNS_PER_PATH)
		err = -ENOMEM;
	else if ((flags & SECCOMP_FILTER_FLAG_TSYNC) && (blocker = tsync_blocker_locked(t)))
		err = (flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH) ? -ESRCH : blocker;
	if (!err) {
		f->prev = t->seccomp; /* the caller's hold moves to the new head */
		t->seccomp = f;
		t->seccomp_mode = LINUX_SECCOMP_MODE_FILTER;
		if (flags & SECCOMP_FILTER_FLAG_TSYNC)
			tsync_locked(t);
	}
	pthread_mutex_unlock(&t->sb->lock);
	if (err)
		free(f);
	return err;
}

static long set_strict(struct task *t)
{
	if (t->seccomp_mode == LINUX_SECCOMP_MODE_FILTER)
		return -EINVAL;
	t->seccomp_mode = LINUX_SECCOMP_MODE_STRICT;
	return 0;
}

/* SECCOMP_GET_ACTION_AVAIL: USER_NOTIF needs a listener, which umbra
 * cannot make. */
static long action_avail(struct task *t, uint64_t uaction)
{
	uint32_t action;

	if (copy_from_guest(t, &action, uaction, sizeof action))
		return -EFAULT;
	switch (action) {
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_ERRNO:
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_ALLOW:
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

long sys_seccomp(struct task *t, const struct syscall_args *a)
{
	unsigned int op = (unsigned int)a->a[0], flags = (unsigned int)a->a[1];

	switch (op) {
	case SECCOMP_SET_MODE_STRICT:
		return flags || a->a[2] ? -EINVAL : set_strict(t);
	case SECCOMP_SET_MODE_FILTER:
		return attach(t, flags, a->a[2]);
	case SECCOMP_GET_ACTION_AVAIL:
		return flags ? -EINVAL : action_avail(t, a->a[2]);
	case SECCOMP_GET_NOTIF_SIZES:
		sandbox_log(t->sb, "seccomp(SECCOMP_GET_NOTIF_SIZES) is not implemented: EINVAL");
		return -EINVAL;
	default:
		return -EINVAL;
	}
}

long seccomp_prctl_get(struct task *t)
{
	return t->seccomp_mode;
}

long seccomp_prctl_set(struct task *t, uint64_t mode, uint64_t filter)
{
	switch (mode) {
	case LINUX_SECCOMP_MODE_STRICT:
		return set_strict(t); /* prctl always ignored a filter here */
	case LINUX_SECCOMP_MODE_FILTER:
		return attach(t, 0, filter);
	default:
		return -EINVAL;
	}
}
