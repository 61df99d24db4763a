/* New processes: fork, vfork, clone and clone3 (kernel/fork.c). A child is
 * a task with a copy of its parent's address space in a stub of its own,
 * traced by a new tracer thread. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "arch/arch.h"
#include "platform/platform.h"
#include "sentry/fs/fdtable.h"
#include "sentry/kernel/pidfd.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/sud.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/seccomp.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/ustruct.h"
#include "sentry/rseq/task_rseq.h"
#include "sentry/mm/mm.h"
#include "syscall_handlers.h"

#define LINUX_CSIGNAL 0x000000ff
#define LINUX_CLONE_VM 0x00000100
#define LINUX_CLONE_FS 0x00000200
#define LINUX_CLONE_FILES 0x00000400
#define LINUX_CLONE_SIGHAND 0x00000800
#define LINUX_CLONE_PIDFD 0x00001000
#define LINUX_CLONE_PTRACE 0x00002000
#define LINUX_CLONE_VFORK 0x00004000
#define LINUX_CLONE_PARENT 0x00008000
#define LINUX_CLONE_THREAD 0x00010000
#define LINUX_CLONE_NEWNS 0x00020000
#define LINUX_CLONE_SYSVSEM 0x00040000
#define LINUX_CLONE_SETTLS 0x00080000
#define LINUX_CLONE_PARENT_SETTID 0x00100000
#define LINUX_CLONE_CHILD_CLEARTID 0x00200000
#define LINUX_CLONE_DETACHED 0x00400000
#define LINUX_CLONE_UNTRACED 0x00800000
#define LINUX_CLONE_CHILD_SETTID 0x01000000
#define LINUX_CLONE_NEWCGROUP 0x02000000
#define LINUX_CLONE_NEWUTS 0x04000000
#define LINUX_CLONE_NEWIPC 0x08000000
#define LINUX_CLONE_NEWUSER 0x10000000
#define LINUX_CLONE_NEWPID 0x20000000
#define LINUX_CLONE_NEWNET 0x40000000
#define LINUX_CLONE_IO 0x80000000ULL
#define LINUX_CLONE_CLEAR_SIGHAND 0x100000000ULL
#define LINUX_CLONE_INTO_CGROUP 0x200000000ULL
#define LINUX_CLONE_NEWTIME 0x00000080

#define CLONE_NAMESPACES (LINUX_CLONE_NEWNS | LINUX_CLONE_NEWCGROUP | LINUX_CLONE_NEWUTS | \
			  LINUX_CLONE_NEWIPC | LINUX_CLONE_NEWUSER | LINUX_CLONE_NEWPID |  \
			  LINUX_CLONE_NEWNET | LINUX_CLONE_NEWTIME)

/* struct kernel_clone_args, as clone and clone3 give it. */
struct clone_req {
	uint64_t flags;
	uint64_t pidfd, child_tid, parent_tid;
	int exit_signal;
	uint64_t stack, stack_size, tls;
};

/* copy_process()'s checks of the flags, in its order. */
static long clone_check(struct task *t, const struct clone_req *c)
{
	uint64_t f = c->flags;

	if ((f & (LINUX_CLONE_NEWNS | LINUX_CLONE_FS)) == (LINUX_CLONE_NEWNS | LINUX_CLONE_FS) ||
	    (f & (LINUX_CLONE_NEWUSER | LINUX_CLONE_FS)) == (LINUX_CLONE_NEWUSER | LINUX_CLONE_FS))
		return -EINVAL;
	if ((f & LINUX_CLONE_THREAD) && !(f & LINUX_CLONE_SIGHAND))
		return -EINVAL;
	if ((f & LINUX_CLONE_SIGHAND) && !(f & LINUX_CLONE_VM))
		return -EINVAL;
	if ((f & LINUX_CLONE_PARENT) && !t->parent)
		return -EINVAL; /* init has no parent to give */
	if ((f & LINUX_CLONE_PIDFD) && (f & LINUX_CLONE_DETACHED))
		return -EINVAL;
	return 0;
}

/* kernel_clone(): clone's CLONE_PIDFD writes where parent_tid points, so
 * it cannot have CLONE_PARENT_SETTID too; clone3 only not at the same
 * address. Since Linux 6.9 a CLONE_THREAD child gets a PIDFD_THREAD fd. */
static long pidfd_check(const struct clone_req *c)
{
	if ((c->flags & LINUX_CLONE_PIDFD) && (c->flags & LINUX_CLONE_PARENT_SETTID) &&
	    c->pidfd == c->parent_tid)
		return -EINVAL;
	return 0;
}

/* copy_process(): RLIMIT_NPROC bounds the tasks (threads too, zombies
 * until reaped) of the caller's real uid, which every guest task shares;
 * root (INIT_USER) is exempt, and a guest has no CAP_SYS_RESOURCE or
 * CAP_SYS_ADMIN to be exempt otherwise. */
static long nproc_check(struct task *t)
{
	uint64_t limit = t->leader->rlim[RLIMIT_NPROC].rlim_cur, n = 0;

	if (sandbox_capable(t->sb)) /* CAP_SYS_RESOURCE */
		return 0;
	pthread_mutex_lock(&t->sb->lock);
	for (struct task *x = t->sb->tasks; x; x = x->next)
		n++;
	pthread_mutex_unlock(&t->sb->lock);
	return n >= limit ? -EAGAIN : 0;
}

/* What umbra does not have yet: said once, then ENOSYS. */
static long clone_unsupported(struct task *t, const struct clone_req *c)
{
	const char *what = NULL;

	if (c->flags & CLONE_NAMESPACES)
		return -EPERM; /* as for a process without CAP_SYS_ADMIN */
	if (c->flags & (LINUX_CLONE_INTO_CGROUP | LINUX_CLONE_CLEAR_SIGHAND))
		what = "clone3 CLONE_INTO_CGROUP or CLONE_CLEAR_SIGHAND";
	if (!what)
		return 0;
	sandbox_log(t->sb, "%s is not implemented: ENOSYS", what);
	return -ENOSYS;
}

/* The child's registers: the parent's at this syscall, returning 0. */
static int child_regs(struct task *t, const struct clone_req *c, struct arch_regs *regs)
{
	int err = plat_regs_load_full(t->plat);

	if (err)
		return err;
	*regs = *plat_regs(t->plat);
	arch_syscall_set_return(regs, 0);
	if (c->stack)
		arch_set_sp(regs, c->stack + c->stack_size);
	if (c->flags & LINUX_CLONE_SETTLS)
		arch_set_tls(regs, c->tls);
	return 0;
}

/* The process a new task belongs to and the one that waits for it. */
static void child_identity(struct task *t, const struct clone_req *c, struct task *child)
{
	bool thread = c->flags & LINUX_CLONE_THREAD;
	struct task *parent = (thread || (c->flags & LINUX_CLONE_PARENT)) ? t->leader->parent
									    : t->leader;

	child->parent = parent;
	child->ppid = parent ? parent->tgid : 0;
	memcpy(child->cpumask, t->cpumask, sizeof child->cpumask);
	pthread_mutex_lock(&t->sb->lock); /* against another's setpriority */
	sched_prio_fork(&child->prio, &t->prio);
	pthread_mutex_unlock(&t->sb->lock);
	child->personality = t->personality;
	seccomp_fork(child, t);
	child->last_vcpu = t->last_vcpu; /* it starts where its parent ran */
	if (thread) {
		child->tgid = t->tgid;
		child->leader = t->leader;
		child->exit_signal = -1; /* a thread tells nobody of its end */
	} else {
		memcpy(child->rlim, t->leader->rlim, sizeof child->rlim);
		/* dup_mm copies the mm's membarrier state */
		child->membarrier = __atomic_load_n(&t->leader->membarrier, __ATOMIC_RELAXED);
		child->membarrier_ready =
			__atomic_load_n(&t->leader->membarrier_ready, __ATOMIC_RELAXED);
	}
}

/* What a new task shares with t (CLONE_FS, _VM, _FILES, _SIGHAND) or copies. */
static int child_share(struct task *t, const struct clone_req *c, struct task *child)
{
	if (c->flags & LINUX_CLONE_FS)
		child->fs = fs_struct_share(t->fs);
	else if (!(child->fs = fs_struct_new(t->fs)))
		return -ENOMEM;
	if (c->flags & LINUX_CLONE_FILES)
		child->files = fdtable_share(t->files);
	else if (!(child->files = fdtable_dup(t->files)))
		return -ENOMEM;
	if (c->flags & LINUX_CLONE_SIGHAND) {
		__atomic_add_fetch(&t->sighand->refs, 1, __ATOMIC_RELAXED);
		child->sighand = t->sighand;
	} else if (!(child->sighand = sighand_new(t->sighand))) {
		return -ENOMEM;
	}
	if (!(c->flags & LINUX_CLONE_VM))
		return mm_fork(t->mm, &child->mm);
	child->mm = mm_share(t->mm);
	child->proc = t->proc;
	return 0;
}

/* Everything a new task inherits. */
static int child_copy(struct task *t, const struct clone_req *c, struct task *child)
{
	child->init = t->init;
	child->pgid = t->pgid;
	child->sid = t->sid;
	child->exit_signal = c->exit_signal;
	child->sigmask = t->sigmask;
	child->no_new_privs = t->no_new_privs;
	child->sud = t->sud;
	sud_disarm(child);
	child->dumpable = t->dumpable;
	memcpy(child->comm, t->comm, sizeof child->comm);
	if (t->exe_path && !(child->exe_path = strdup(t->exe_path)))
		return -ENOMEM;
	if (c->flags & LINUX_CLONE_CHILD_CLEARTID)
		child->clear_child_tid = c->child_tid;
	child_identity(t, c, child);
	rseq_fork(child, t, c->flags & LINUX_CLONE_VM);
	return child_share(t, c, child);
}

/* The new task joins the sandbox (and its thread group). */
static void child_link(struct task *child)
{
	struct sandbox *sb = child->sb;

	pthread_mutex_lock(&sb->lock);
	if (child->leader != child) {
		child->leader->nthreads++;
		child->leader->nlive++;
	}
	child->next = sb->tasks;
	sb->tasks = child;
	pthread_mutex_unlock(&sb->lock);
}

static void child_unlink(struct task *child)
{
	struct sandbox *sb = child->sb;

	pthread_mutex_lock(&sb->lock);
	if (child->leader != child) {
		child->leader->nthreads--;
		child->leader->nlive--;
	}
	sandbox_unlink_task_locked(sb, child);
	pthread_mutex_unlock(&sb->lock);
}

/* vfork: the parent sleeps until the child has exec'd or ended. */
static void vfork_wait(struct task *t, int child)
{
	struct sandbox *sb = t->sb;

	pthread_mutex_lock(&sb->lock);
	while (t->vfork_child == child && !__atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE))
		pthread_cond_wait(&sb->child_cond, &sb->lock);
	t->vfork_child = 0;
	pthread_mutex_unlock(&sb->lock);
}

/* CLONE_PIDFD (copy_process): the parent's pidfd of the child, written
 * where c->pidfd points before the child runs; the child has it only
 * through a shared table (CLONE_FILES). */
static long child_pidfd(struct task *t, const struct clone_req *c, struct task *child, int *fd)
{
	long r = pidfd_install(t, child, (c->flags & LINUX_CLONE_THREAD) ? LINUX_PIDFD_THREAD : 0);
	int32_t v = (int32_t)r;

	if (r < 0)
		return r;
	if (copy_to_guest(t, c->pidfd, &v, sizeof v) < 0) {
		fdtable_close(t->files, v);
		return -EFAULT;
	}
	*fd = v;
	return 0;
}

/* A child that will not run: what was made for it goes. */
static long fork_undo(struct task *t, struct task *child, int pidfd, long err)
{
	t->vfork_child = 0;
	if (pidfd >= 0)
		fdtable_close(t->files, pidfd);
	task_free(child);
	return err;
}

/* The child as copy_process makes it, not yet running. */
static long fork_prepare(struct task *t, const struct clone_req *c, struct task *child,
			 int *pidfd)
{
	int32_t tid = child->tid;
	long err = child_copy(t, c, child);

	if (!err && (c->flags & LINUX_CLONE_CHILD_SETTID))
		mm_write(child->mm, c->child_tid, &tid, sizeof tid); /* a fault is ignored */
	if (!err && (c->flags & LINUX_CLONE_PIDFD))
		err = child_pidfd(t, c, child, pidfd);
	return err;
}

/* The ptrace event a clone is (kernel_clone), unless CLONE_UNTRACED. */
static int clone_event(const struct clone_req *c)
{
	if (c->flags & LINUX_CLONE_UNTRACED)
		return 0;
	if (c->flags & LINUX_CLONE_VFORK)
		return LINUX_PTRACE_EVENT_VFORK;
	return c->exit_signal != SIGCHLD ? LINUX_PTRACE_EVENT_CLONE : LINUX_PTRACE_EVENT_FORK;
}

static long do_fork(struct task *t, const struct clone_req *c)
{
	struct arch_regs regs;
	struct task *child;
	int32_t tid;
	int pidfd = -1, event;
	long err = pidfd_check(c);

	if (!err)
		err = clone_check(t, c);
	if (!err)
		err = clone_unsupported(t, c);
	if (!err)
		err = nproc_check(t);
	if (!err)
		err = child_regs(t, c, &regs);
	if (err)
		return err;
	child = task_alloc(t->sb);
	if (!child)
		return -ENOMEM;
	tid = child->tid;
	err = fork_prepare(t, c, child, &pidfd);
	if (err)
		return fork_undo(t, child, pidfd, err);
	if (c->flags & LINUX_CLONE_VFORK) {
		child->vfork_parent = t->tid;
		t->vfork_child = tid;
	}
	/* Shared memory: the child runs as a new thread of this stub. */
	if ((c->flags & LINUX_CLONE_VM) && (err = plat_thread_spawn(t->plat, &child->start_host_tid)))
		return fork_undo(t, child, pidfd, err);
	/* Before the child runs: a thread that ends at once clears its tid word
	 * (CLONE_CHILD_CLEARTID), which must then stay clear. */
	if (c->flags & LINUX_CLONE_PARENT_SETTID)
		copy_to_guest(t, c->parent_tid, &tid, sizeof tid);
	child_link(child);
	event = ptrace_clone(t, child, clone_event(c));
	err = task_start_child(child, &regs);
	if (err) {
		child_unlink(child);
		return fork_undo(t, child, pidfd, err == -ENOMEM ? err : -EAGAIN);
	}
	ptrace_event_pid(t, event, tid);
	if (c->flags & LINUX_CLONE_VFORK) {
		vfork_wait(t, tid);
		ptrace_vfork_done(t, tid);
	}
	return tid;
}

long sys_fork(struct task *t, const struct syscall_args *a)
{
	struct clone_req c = { .exit_signal = SIGCHLD };

	(void)a;
	return do_fork(t, &c);
}

long sys_vfork(struct task *t, const struct syscall_args *a)
{
	struct clone_req c = { .flags = LINUX_CLONE_VM | LINUX_CLONE_VFORK,
			       .exit_signal = SIGCHLD };

	(void)a;
	return do_fork(t, &c);
}

long sys_clone(struct task *t, const struct syscall_args *a)
{
	struct clone_req c = {
		.flags = a->a[0] & ~(uint64_t)LINUX_CSIGNAL & 0xffffffffULL,
		.exit_signal = (int)(a->a[0] & LINUX_CSIGNAL),
		.stack = a->a[1],
		.parent_tid = a->a[2],
		.child_tid = a->a[ARCH_CLONE_CHILD_TID_ARG],
		.tls = a->a[ARCH_CLONE_TLS_ARG],
	};

	if (c.exit_signal > LINUX_NSIG)
		return -EINVAL;
	/* clone's CLONE_PIDFD writes the pidfd where parent_tid points. */
	c.pidfd = c.parent_tid;
	return do_fork(t, &c);
}

/* struct clone_args (include/uapi/linux/sched.h), VER0 to VER2. */
struct linux_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};
#define CLONE_ARGS_SIZE_VER0 64

/* copy_clone_args_from_user(): the size rules of extensible structs. */
static long clone3_read(struct task *t, uint64_t uargs, uint64_t size,
			struct linux_clone_args *args)
{
	if (size > ARCH_PAGE_SIZE)
		return -E2BIG;
	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	return copy_struct_from_guest(t, args, sizeof *args, uargs, (size_t)size);
}

long sys_clone3(struct task *t, const struct syscall_args *a)
{
	struct linux_clone_args args;
	struct clone_req c;
	long err = clone3_read(t, a->a[0], a->a[1], &args);

	if (err)
		return err;
	/* clone3 takes the exit signal apart from the flags, and a stack as
	 * base and size (clone3_args_valid). */
	if ((args.flags & LINUX_CSIGNAL) || args.exit_signal > LINUX_NSIG ||
	    (args.flags & LINUX_CLONE_DETACHED))
		return -EINVAL;
	if ((args.stack == 0) != (args.stack_size == 0))
		return -EINVAL;
	if (args.set_tid_size || args.set_tid)
		return args.set_tid_size ? -EPERM : -EINVAL; /* no CAP_SYS_ADMIN */
	c = (struct clone_req){ args.flags, args.pidfd, args.child_tid, args.parent_tid,
				(int)args.exit_signal, args.stack, args.stack_size, args.tls };
	return do_fork(t, &c);
}
