/* A task's scheduling parameters as the guest sets and reads them: the
 * nice value, the policy with its real-time priority, SCHED_RESET_ON_FORK.
 * umbra keeps them exactly as Linux reports them (getpriority, the
 * sched_get* calls, /proc/PID/stat), but its vCPU scheduler does not weigh
 * them: every task gets the same quantum (sentry/sched/vcpu.h), and the
 * host schedules the stubs at the sentry's own priority. */
#ifndef UMBRA_SENTRY_SCHED_PRIO_H
#define UMBRA_SENTRY_SCHED_PRIO_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/linux_sched.h"

struct task;

struct sched_prio {
	int nice;        /* -20..19, kept under every policy (static_prio) */
	int policy;      /* LINUX_SCHED_NORMAL, _FIFO, _RR, _BATCH or _IDLE */
	int rt_priority; /* 1..99 under FIFO and RR, else 0 */
	bool reset_on_fork;
};

static inline bool sched_rt_policy(int policy)
{
	return policy == LINUX_SCHED_FIFO || policy == LINUX_SCHED_RR;
}

/* fair_policy(): the nice value weighs under these two; SCHED_IDLE is
 * apart (sched_setattr's nice does not apply to it). */
static inline bool sched_fair_policy(int policy)
{
	return policy == LINUX_SCHED_NORMAL || policy == LINUX_SCHED_BATCH;
}

/* nice_to_rlimit(): nice -20..19 as getpriority's 40..1. */
static inline int sched_nice_to_rlimit(int nice)
{
	return LINUX_MAX_NICE - nice + 1;
}

/* The sentry's own, which the first guest starts with, as it starts in the
 * caller's cwd: the host runs its stubs at that nice value and policy. */
void sched_prio_host(struct sched_prio *p);
/* sched_fork(): what a new task takes from its parent; under
 * SCHED_RESET_ON_FORK, a real-time policy or a negative nice is not. */
void sched_prio_fork(struct sched_prio *child, const struct sched_prio *parent);
/* task_prio(): /proc/PID/stat's priority field, 20 + nice for the fair
 * policies, -1 - rt_priority for FIFO and RR. */
int sched_prio_stat(const struct sched_prio *p);
/* is_nice_reduction(): RLIMIT_NICE of p's process lets it go down to nice;
 * can_nice() adds CAP_SYS_NICE, which root guests hold. sb->lock held. */
bool sched_nice_allowed(const struct task *p, int nice);
bool sched_can_nice(const struct task *p, int nice);

/* find_process_by_pid(): the thread pid names, the caller for 0, a zombie
 * too until it is reaped; NULL for none. sb->lock held. */
struct task *sched_find_locked(struct task *t, int pid);

/* sched_setparam()'s policy: keep the task's. */
#define SCHED_SETPARAM_POLICY ((uint32_t)-1)
/* __sched_setscheduler() for a guest caller, Linux's checks in Linux's
 * order: 0 or -EINVAL, -EPERM (privilege, or SCHED_DEADLINE, which umbra
 * does not have), -EOPNOTSUPP (utilization clamps, as a kernel without
 * CONFIG_UCLAMP_TASK). sb->lock held. */
int sched_setattr_locked(struct task *p, const struct linux_sched_attr *attr);
/* get_params(): p's priority or nice into attr (SCHED_FLAG_KEEP_PARAMS). */
void sched_get_params(const struct task *p, struct linux_sched_attr *attr);
/* What sched_getattr() shows of p, size aside. sb->lock held. */
void sched_getattr_locked(const struct task *p, struct linux_sched_attr *attr);

#endif
