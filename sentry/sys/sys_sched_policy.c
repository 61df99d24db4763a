/* Scheduling policies (kernel/sched/syscalls.c): sched_setscheduler,
 * sched_setparam and the calls that read them back. The rules live in
 * sentry/sched/prio.c; here are the arguments, in Linux's order: bad pid
 * or pointer (EINVAL), the guest's memory (EFAULT), the task (ESRCH). A
 * task is any thread of the sandbox, a zombie too until it is reaped. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>

#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/sched/prio.h"
#include "syscall_handlers.h"

#define RR_TIMESLICE_NS 100000000LL /* RR_TIMESLICE: 100 ms */

/* do_sched_setscheduler(); policy SCHED_SETPARAM_POLICY keeps the task's. */
static long set_scheduler(struct task *t, int pid, uint32_t policy, uint64_t uparam)
{
	struct linux_sched_attr attr = { .sched_policy = policy };
	int32_t prio;
	struct task *p;
	long err = -ESRCH;

	if (!uparam || pid < 0)
		return -EINVAL;
	if (copy_from_guest(t, &prio, uparam, sizeof prio) < 0)
		return -EFAULT;
	attr.sched_priority = (uint32_t)prio;
	/* The legacy flag in the policy's bits (_sched_setscheduler). */
	if (policy != SCHED_SETPARAM_POLICY && (policy & LINUX_SCHED_RESET_ON_FORK)) {
		attr.sched_flags = LINUX_SCHED_FLAG_RESET_ON_FORK;
		attr.sched_policy = policy & ~(uint32_t)LINUX_SCHED_RESET_ON_FORK;
	}
	pthread_mutex_lock(&t->sb->lock);
	p = sched_find_locked(t, pid);
	if (p) {
		attr.sched_nice = p->prio.nice;
		err = sched_setattr_locked(p, &attr);
	}
	pthread_mutex_unlock(&t->sb->lock);
	return err;
}

long sys_sched_setscheduler(struct task *t, const struct syscall_args *a)
{
	if ((int)a->a[1] < 0)
		return -EINVAL;
	return set_scheduler(t, (int)a->a[0], (uint32_t)a->a[1], a->a[2]);
}

long sys_sched_setparam(struct task *t, const struct syscall_args *a)
{
	return set_scheduler(t, (int)a->a[0], SCHED_SETPARAM_POLICY, a->a[1]);
}

/* What the sched_get* calls read of the task pid names: its policy with
 * SCHED_RESET_ON_FORK, and its real-time priority; -EINVAL or -ESRCH. */
static long get_policy(struct task *t, int pid, int *rt_priority)
{
	struct task *p;
	long ret = -ESRCH;

	if (pid < 0)
		return -EINVAL;
	pthread_mutex_lock(&t->sb->lock);
	p = sched_find_locked(t, pid);
	if (p) {
		ret = p->prio.policy | (p->prio.reset_on_fork ? LINUX_SCHED_RESET_ON_FORK : 0);
		*rt_priority = sched_rt_policy(p->prio.policy) ? p->prio.rt_priority : 0;
	}
	pthread_mutex_unlock(&t->sb->lock);
	return ret;
}

long sys_sched_getscheduler(struct task *t, const struct syscall_args *a)
{
	int rt_priority;

	return get_policy(t, (int)a->a[0], &rt_priority);
}

long sys_sched_getparam(struct task *t, const struct syscall_args *a)
{
	int32_t rt_priority = 0;
	long ret;

	if (!a->a[1])
		return -EINVAL;
	ret = get_policy(t, (int)a->a[0], &rt_priority);
	if (ret < 0)
		return ret;
	return copy_to_guest(t, a->a[1], &rt_priority, sizeof rt_priority) < 0 ? -EFAULT : 0;
}

/* The bound of a policy's priorities: rt for FIFO and RR, 0 for the
 * others Linux knows, SCHED_EXT too since 6.12 (which sched_setscheduler
 * refuses, as a kernel without sched_ext does). */
static long prio_bound(int policy, long rt)
{
	if (sched_rt_policy(policy))
		return rt;
	if (sched_fair_policy(policy) || policy == LINUX_SCHED_IDLE ||
	    policy == LINUX_SCHED_DEADLINE || policy == LINUX_SCHED_EXT)
		return 0;
	return -EINVAL;
}

long sys_sched_get_priority_max(struct task *t, const struct syscall_args *a)
{
	(void)t;
	return prio_bound((int)a->a[0], LINUX_MAX_RT_PRIO - 1);
}

long sys_sched_get_priority_min(struct task *t, const struct syscall_args *a)
{
	(void)t;
	return prio_bound((int)a->a[0], 1);
}

/* The RR timeslice for SCHED_RR, 0 (infinite) for SCHED_FIFO; the fair
 * class gives its slice in whole jiffies, which the EEVDF base slice
 * (0.75 ms x (1 + log2 CPUs), at most 3 ms) never fills at HZ 250 or
 * below (Debian's kernels), so 0 there too, as this host answers. */
long sys_sched_rr_get_interval(struct task *t, const struct syscall_args *a)
{
	int64_t ts[2] = { 0, 0 }; /* struct __kernel_timespec */
	int rt_priority;
	long policy = get_policy(t, (int)a->a[0], &rt_priority);

	if (policy < 0)
		return policy;
	if ((policy & ~LINUX_SCHED_RESET_ON_FORK) == LINUX_SCHED_RR)
		ts[1] = RR_TIMESLICE_NS;
	return copy_to_guest(t, a->a[1], ts, sizeof ts) < 0 ? -EFAULT : 0;
}
