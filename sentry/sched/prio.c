/* Scheduling parameters kept per task (kernel/sched/core.c sched_fork,
 * kernel/sched/syscalls.c task_prio, can_nice). */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>

#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"
#include "sentry/sched/prio.h"

void sched_prio_host(struct sched_prio *p)
{
	struct sched_param param = { 0 };
	int nice, policy = sched_getscheduler(0) & ~LINUX_SCHED_RESET_ON_FORK;

	errno = 0;
	nice = getpriority(PRIO_PROCESS, 0);
	p->nice = errno || nice < LINUX_MIN_NICE || nice > LINUX_MAX_NICE ? 0 : nice;
	p->policy = LINUX_SCHED_NORMAL;
	p->rt_priority = 0;
	p->reset_on_fork = false;
	if (sched_fair_policy(policy) || policy == LINUX_SCHED_IDLE)
		p->policy = policy;
	else if (sched_rt_policy(policy) && sched_getparam(0, &param) == 0 &&
		 param.sched_priority > 0 && param.sched_priority < LINUX_MAX_RT_PRIO) {
		p->policy = policy;
		p->rt_priority = param.sched_priority;
	}
}

void sched_prio_fork(struct sched_prio *child, const struct sched_prio *parent)
{
	*child = *parent;
	if (!parent->reset_on_fork)
		return;
	if (sched_rt_policy(parent->policy)) {
		child->policy = LINUX_SCHED_NORMAL;
		child->rt_priority = 0;
		child->nice = 0;
	} else if (parent->nice < 0) {
		child->nice = 0;
	}
	child->reset_on_fork = false; /* it has done its duty */
}

int sched_prio_stat(const struct sched_prio *p)
{
	if (sched_rt_policy(p->policy))
		return -1 - p->rt_priority;
	return 20 + p->nice;
}

struct task *sched_find_locked(struct task *t, int pid)
{
	return pid ? sandbox_find_task_locked(t->sb, pid) : t;
}

bool sched_nice_allowed(const struct task *p, int nice)
{
	return (uint64_t)sched_nice_to_rlimit(nice) <= p->leader->rlim[LINUX_RLIMIT_NICE].rlim_cur;
}

bool sched_can_nice(const struct task *p, int nice)
{
	return sched_nice_allowed(p, nice) || sandbox_capable(p->sb);
}

/* valid_policy(); SCHED_EXT as on a kernel without sched_ext. */
static bool valid_policy(uint32_t policy)
{
	return sched_fair_policy((int)policy) || sched_rt_policy((int)policy) ||
	       policy == LINUX_SCHED_IDLE || policy == LINUX_SCHED_DEADLINE;
}

/* __checkparam_dl() with the default sysctls: runtime of at least 1024 ns
 * (DL_SCALE), runtime <= deadline <= period, the period (the deadline
 * when 0) within sched_deadline_period_{min,max}_us, 100 us to 2^22 us. */
static bool dl_params_valid(const struct linux_sched_attr *a)
{
	uint64_t period = a->sched_period ? a->sched_period : a->sched_deadline;

	if (a->sched_flags & LINUX_SCHED_FLAG_SUGOV)
		return true;
	if (!a->sched_deadline || a->sched_runtime < 1024)
		return false;
	if ((a->sched_deadline | a->sched_period) & (1ULL << 63))
		return false;
	if (period < a->sched_deadline || a->sched_deadline < a->sched_runtime)
		return false;
	return period >= 100 * 1000ULL && period <= (1ULL << 22) * 1000;
}

/* user_check_sched_setscheduler(): what an unprivileged caller may not
 * do needs CAP_SYS_NICE. All guests share one uid, so check_same_owner()
 * holds. */
static int user_check(const struct task *p, const struct linux_sched_attr *attr, int policy,
		      bool reset_on_fork)
{
	const struct sched_prio *cur = &p->prio;
	uint64_t rtprio = p->leader->rlim[LINUX_RLIMIT_RTPRIO].rlim_cur;
	bool priv = false;

	if (sched_fair_policy(policy) && attr->sched_nice < cur->nice &&
	    !sched_nice_allowed(p, attr->sched_nice))
		priv = true;
	if (sched_rt_policy(policy) &&
	    ((policy != cur->policy && !rtprio) ||
	     (attr->sched_priority > (uint32_t)cur->rt_priority && attr->sched_priority > rtprio)))
		priv = true;
	if (policy == LINUX_SCHED_DEADLINE)
		priv = true;
	/* SCHED_IDLE counts as nice 20: leaving it is lowering the nice. */
	if (cur->policy == LINUX_SCHED_IDLE && policy != LINUX_SCHED_IDLE &&
	    !sched_nice_allowed(p, cur->nice))
		priv = true;
	if (cur->reset_on_fork && !reset_on_fork)
		priv = true;
	return priv && !sandbox_capable(p->sb) ? -EPERM : 0;
}

/* Whether the call changes more than SCHED_RESET_ON_FORK. */
static bool changes(const struct task *p, const struct linux_sched_attr *attr, int policy)
{
	if (policy != p->prio.policy)
		return true;
	if (sched_fair_policy(policy) && attr->sched_nice != p->prio.nice)
		return true;
	return sched_rt_policy(policy) && attr->sched_priority != (uint32_t)p->prio.rt_priority;
}

int sched_setattr_locked(struct task *p, const struct linux_sched_attr *attr)
{
	int policy = (int)attr->sched_policy, err;
	bool reset = attr->sched_flags & LINUX_SCHED_FLAG_RESET_ON_FORK;

	if (attr->sched_policy == SCHED_SETPARAM_POLICY) {
		reset = p->prio.reset_on_fork;
		policy = p->prio.policy;
	} else if (!valid_policy(attr->sched_policy)) {
		return -EINVAL;
	}
	if (attr->sched_flags & ~(uint64_t)(LINUX_SCHED_FLAG_ALL | LINUX_SCHED_FLAG_SUGOV))
		return -EINVAL;
	if (attr->sched_priority > LINUX_MAX_RT_PRIO - 1)
		return -EINVAL;
	if ((policy == LINUX_SCHED_DEADLINE && !dl_params_valid(attr)) ||
	    sched_rt_policy(policy) != (attr->sched_priority != 0))
		return -EINVAL;
	err = user_check(p, attr, policy, reset);
	if (err)
		return err;
	if (attr->sched_flags & LINUX_SCHED_FLAG_SUGOV)
		return -EINVAL;
	if (attr->sched_flags & LINUX_SCHED_FLAG_UTIL_CLAMP)
		return -EOPNOTSUPP;
	if (changes(p, attr, policy) && policy == LINUX_SCHED_DEADLINE)
		return -EPERM; /* as for a task whose CPUs are not its root domain's */
	p->prio.reset_on_fork = reset;
	if (!changes(p, attr, policy) || (attr->sched_flags & LINUX_SCHED_FLAG_KEEP_PARAMS))
		return 0;
	p->prio.policy = policy;
	if (sched_fair_policy(policy))
		p->prio.nice = attr->sched_nice;
	p->prio.rt_priority = (int)attr->sched_priority;
	return 0;
}

void sched_get_params(const struct task *p, struct linux_sched_attr *attr)
{
	if (sched_rt_policy(p->prio.policy))
		attr->sched_priority = (uint32_t)p->prio.rt_priority;
	else
		attr->sched_nice = p->prio.nice;
}

void sched_getattr_locked(const struct task *p, struct linux_sched_attr *attr)
{
	memset(attr, 0, sizeof *attr);
	attr->sched_policy = (uint32_t)p->prio.policy;
	if (p->prio.reset_on_fork)
		attr->sched_flags = LINUX_SCHED_FLAG_RESET_ON_FORK;
	sched_get_params(p, attr);
}
