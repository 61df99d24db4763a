/* What the system is: uname, randomness, limits, CPUs. */
#include <errno.h>
#include <stdbool.h>
#include <sched.h>
#include <string.h>
#include <sys/random.h>

#include "sentry/sched/vcpu.h"
#include "platform/platform.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/kernel/syscall.h"
#include "syscall_handlers.h"

#define LINUX_GRND_NONBLOCK 1
#define LINUX_GRND_RANDOM 2
#define LINUX_GRND_INSECURE 4

long sys_uname(struct task *t, const struct syscall_args *a)
{
	return copy_to_guest(t, a->a[0], &t->sb->uts, sizeof t->sb->uts);
}

long sys_getrandom(struct task *t, const struct syscall_args *a)
{
	uint64_t flags = a->a[2], len = a->a[1], done = 0;
	uint8_t buf[256];

	if (flags & ~(uint64_t)(LINUX_GRND_NONBLOCK | LINUX_GRND_RANDOM | LINUX_GRND_INSECURE))
		return -EINVAL;
	if ((flags & LINUX_GRND_INSECURE) && (flags & LINUX_GRND_RANDOM))
		return -EINVAL;
	if (len > 0x1ffffff) /* MAX_RW_COUNT >> 6 style clamp of drivers/char/random.c */
		len = 0x1ffffff;
	while (done < len) {
		size_t n = len - done < sizeof buf ? len - done : sizeof buf;

		if (getrandom(buf, n, 0) != (ssize_t)n)
			return done ? (long)done : -EIO;
		if (copy_to_guest(t, a->a[0] + done, buf, n) < 0)
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}

static long rlimit_get(struct task *t, unsigned int res, uint64_t uptr)
{
	struct linux_rlimit r;

	if (res >= LINUX_RLIM_NLIMITS)
		return -EINVAL;
	pthread_mutex_lock(&t->sb->lock);
	r = t->leader->rlim[res];
	pthread_mutex_unlock(&t->sb->lock);
	return copy_to_guest(t, uptr, &r, sizeof r);
}

/* kernel/sys.c do_prlimit: soft <= hard; raising hard needs privilege.
 * The limits of p (a leader), the old ones into *old; sb->lock held. */
static long rlimit_swap_locked(struct task *t, struct task *p, unsigned int res,
			       const struct linux_rlimit *n, struct linux_rlimit *old)
{
	struct linux_rlimit *cur = &p->rlim[res];

	if (old)
		*old = *cur;
	if (!n)
		return 0;
	if (n->rlim_cur > n->rlim_max)
		return -EINVAL;
	if (res == 7 /* RLIMIT_NOFILE */ && n->rlim_max > 1024 * 1024)
		return -EPERM;
	if (n->rlim_max > cur->rlim_max && !sandbox_capable(t->sb))
		return -EPERM;
	*cur = *n;
	return 0;
}

static long rlimit_set(struct task *t, unsigned int res, const struct linux_rlimit *n)
{
	long err;

	pthread_mutex_lock(&t->sb->lock);
	err = rlimit_swap_locked(t, t->leader, res, n, NULL);
	pthread_mutex_unlock(&t->sb->lock);
	return err;
}

long sys_getrlimit(struct task *t, const struct syscall_args *a)
{
	return rlimit_get(t, (unsigned int)a->a[0], a->a[1]);
}

long sys_setrlimit(struct task *t, const struct syscall_args *a)
{
	struct linux_rlimit n;

	if ((unsigned int)a->a[0] >= LINUX_RLIM_NLIMITS)
		return -EINVAL;
	if (copy_from_guest(t, &n, a->a[1], sizeof n) < 0)
		return -EFAULT;
	return rlimit_set(t, (unsigned int)a->a[0], &n);
}

long sys_prlimit64(struct task *t, const struct syscall_args *a)
{
	unsigned int res = (unsigned int)a->a[1];
	int pid = (int)a->a[0];
	struct linux_rlimit n, old;
	struct task *p;
	long err = -ESRCH;

	if (a->a[2] && copy_from_guest(t, &n, a->a[2], sizeof n) < 0)
		return -EFAULT;
	/* Any process of the sandbox: all its guests share one uid. Then the
	 * resource (do_prlimit). */
	pthread_mutex_lock(&t->sb->lock);
	p = pid ? sandbox_find_task_locked(t->sb, pid) : t;
	if (p && !p->zombie)
		err = res >= LINUX_RLIM_NLIMITS ? -EINVAL
						: rlimit_swap_locked(t, p->leader, res,
								     a->a[2] ? &n : NULL, &old);
	pthread_mutex_unlock(&t->sb->lock);
	if (err)
		return err;
	if (a->a[3] && copy_to_guest(t, a->a[3], &old, sizeof old) < 0)
		return -EFAULT;
	return 0;
}

/* kernel/sched/syscalls.c: the length must hold nr_cpu_ids bits, in longs. */
/* The task a sched_* call names: 0 is the caller, else any task of the
 * sandbox (all its guests share one uid); its mask copied in or out under
 * the lock. */
/* A new mask moves the task off a vCPU it no longer allows, at once, as
 * the kernel's migration does: to the first it allows. sb->lock held. */
static void set_mask_locked(struct task *p, const uint8_t *mask)
{
	int last = __atomic_load_n(&p->last_vcpu, __ATOMIC_RELAXED), cpu = 0;
	int on = __atomic_load_n(&p->vcpu, __ATOMIC_RELAXED);

	memcpy(p->cpumask, mask, sizeof p->cpumask);
	if (on >= 0 && !cpumask_has(mask, on)) { /* it runs there: stop it */
		__atomic_store_n(&p->interrupted, true, __ATOMIC_RELEASE);
		pthread_mutex_lock(&p->kill_lock);
		if (p->plat)
			plat_thread_interrupt(p->plat);
		pthread_mutex_unlock(&p->kill_lock);
	}
	if (last >= 0 && cpumask_has(mask, last))
		return;
	while (cpu < p->sb->ncpus - 1 && !cpumask_has(mask, cpu))
		cpu++;
	__atomic_store_n(&p->last_vcpu, cpu, __ATOMIC_RELAXED);
}

enum affinity_op { AFFINITY_GET, AFFINITY_SET, AFFINITY_NONE /* a mask of no CPU */ };

static long affinity_io(struct task *t, int pid, uint8_t *mask, enum affinity_op op)
{
	struct task *p;
	long err = -ESRCH;

	pthread_mutex_lock(&t->sb->lock);
	p = pid ? sandbox_find_task_locked(t->sb, pid) : t;
	if (p && !p->zombie) {
		err = op == AFFINITY_NONE ? -EINVAL : 0; /* after ESRCH, as the kernel */
		if (op == AFFINITY_SET)
			set_mask_locked(p, mask);
		else if (op == AFFINITY_GET)
			memcpy(mask, p->cpumask, sizeof p->cpumask);
	}
	pthread_mutex_unlock(&t->sb->lock);
	return err;
}

/* cpumask_size(): whole longs of nr_cpu_ids bits. */
static size_t mask_bytes(const struct task *t)
{
	return (size_t)((t->sb->ncpus + 63) / 64) * 8;
}

long sys_sched_getaffinity(struct task *t, const struct syscall_args *a)
{
	uint8_t mask[TASK_CPUMASK_BYTES];
	size_t need = mask_bytes(t);
	uint64_t len = a->a[1];
	long err;

	if (len * 8 < (uint64_t)t->sb->ncpus || (len & 7))
		return -EINVAL;
	err = affinity_io(t, (int)a->a[0], mask, AFFINITY_GET);
	if (err)
		return err;
	if (copy_to_guest(t, a->a[2], mask, need) < 0)
		return -EFAULT;
	return (long)need;
}

/* kernel/sched/syscalls.c: the guest's mask, cut or zero-extended to
 * cpumask_size, must name one of the sandbox's CPUs (else EINVAL). */
long sys_sched_setaffinity(struct task *t, const struct syscall_args *a)
{
	uint8_t mask[TASK_CPUMASK_BYTES];
	size_t need = mask_bytes(t), len = a->a[1] < need ? (size_t)a->a[1] : need;
	bool any = false;

	memset(mask, 0, sizeof mask);
	if (len && copy_from_guest(t, mask, a->a[2], len) < 0)
		return -EFAULT;
	for (int cpu = 0; cpu < TASK_CPUMASK_BYTES * 8; cpu++) {
		bool on = cpumask_has(mask, cpu);

		if (cpu >= t->sb->ncpus)
			mask[cpu / 8] &= (uint8_t)~(1u << (cpu % 8));
		else
			any |= on;
	}
	return affinity_io(t, (int)a->a[0], mask, any ? AFFINITY_SET : AFFINITY_NONE);
}

/* The caller gives its vCPU up: a waiter takes it, and the caller queues
 * behind the waiters there are. */
long sys_sched_yield(struct task *t, const struct syscall_args *a)
{
	(void)a;
	sched_block(t);
	sched_yield();
	return 0;
}

/* The vCPU the task ran on until this call, on node 0. */
long sys_getcpu(struct task *t, const struct syscall_args *a)
{
	uint32_t cpu = (uint32_t)sched_cpu(t), node = 0;

	if (a->a[0] && copy_to_guest(t, a->a[0], &cpu, sizeof cpu) < 0)
		return -EFAULT;
	if (a->a[1] && copy_to_guest(t, a->a[1], &node, sizeof node) < 0)
		return -EFAULT;
	return 0;
}
