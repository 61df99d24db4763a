/* sched_setattr(2) and sched_getattr(2) (kernel/sched/syscalls.c): struct
 * sched_attr with its size protocol. umbra's struct is VER1 (56 bytes,
 * with the utilization clamps, which it refuses as a kernel without
 * CONFIG_UCLAMP_TASK does: EOPNOTSUPP, and 0 when read). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>

#include "arch/arch.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/sched/prio.h"
#include "sentry/kernel/ustruct.h"
#include "syscall_handlers.h"

/* sched_copy_attr(): size 0 is VER0; a size under VER0 or past a page, or
 * a larger struct with bytes umbra does not know set, is E2BIG with
 * umbra's size written back. */
static long copy_attr(struct task *t, uint64_t uattr, struct linux_sched_attr *attr)
{
	uint32_t size, ksize = sizeof *attr;
	int err;

	if (copy_from_guest(t, &size, uattr, sizeof size) < 0)
		return -EFAULT;
	if (!size)
		size = LINUX_SCHED_ATTR_SIZE_VER0;
	err = size < LINUX_SCHED_ATTR_SIZE_VER0 || size > ARCH_PAGE_SIZE
		      ? -E2BIG
		      : copy_struct_from_guest(t, attr, sizeof *attr, uattr, size);
	if (err == -E2BIG) {
		(void)copy_to_guest(t, uattr, &ksize, sizeof ksize); /* put_user, unchecked */
		return -E2BIG;
	}
	if (err)
		return err;
	if ((attr->sched_flags & LINUX_SCHED_FLAG_UTIL_CLAMP) && size < LINUX_SCHED_ATTR_SIZE_VER1)
		return -EINVAL;
	if (attr->sched_nice < LINUX_MIN_NICE)
		attr->sched_nice = LINUX_MIN_NICE;
	if (attr->sched_nice > LINUX_MAX_NICE)
		attr->sched_nice = LINUX_MAX_NICE;
	return 0;
}

long sys_sched_setattr(struct task *t, const struct syscall_args *a)
{
	struct linux_sched_attr attr;
	int pid = (int)a->a[0];
	struct task *p;
	long err;

	if (!a->a[1] || pid < 0 || (uint32_t)a->a[2])
		return -EINVAL;
	err = copy_attr(t, a->a[1], &attr);
	if (err)
		return err;
	if ((int32_t)attr.sched_policy < 0)
		return -EINVAL;
	if (attr.sched_flags & LINUX_SCHED_FLAG_KEEP_POLICY)
		attr.sched_policy = SCHED_SETPARAM_POLICY;
	pthread_mutex_lock(&t->sb->lock);
	p = sched_find_locked(t, pid);
	err = -ESRCH;
	if (p) {
		if (attr.sched_flags & LINUX_SCHED_FLAG_KEEP_PARAMS)
			sched_get_params(p, &attr);
		err = sched_setattr_locked(p, &attr);
	}
	pthread_mutex_unlock(&t->sb->lock);
	return err;
}

/* The size field says how much was written: the guest's size or umbra's,
 * the smaller. A larger struct's tail is zeroed, as copy_struct_to_user()
 * does since Linux 6.11 (this host's 6.18 too); before, it was left alone. */
long sys_sched_getattr(struct task *t, const struct syscall_args *a)
{
	static const uint8_t zero[256];
	struct linux_sched_attr attr;
	uint32_t usize = (uint32_t)a->a[2];
	int pid = (int)a->a[0];
	struct task *p;

	if (!a->a[1] || pid < 0 || usize > ARCH_PAGE_SIZE || usize < LINUX_SCHED_ATTR_SIZE_VER0 ||
	    (uint32_t)a->a[3])
		return -EINVAL;
	pthread_mutex_lock(&t->sb->lock);
	p = sched_find_locked(t, pid);
	if (p)
		sched_getattr_locked(p, &attr);
	pthread_mutex_unlock(&t->sb->lock);
	if (!p)
		return -ESRCH;
	attr.size = usize < sizeof attr ? usize : (uint32_t)sizeof attr;
	for (uint32_t off = attr.size; off < usize; off += sizeof zero) {
		uint32_t n = usize - off < sizeof zero ? usize - off : (uint32_t)sizeof zero;

		if (copy_to_guest(t, a->a[1] + off, zero, n) < 0)
			return -EFAULT;
	}
	return copy_to_guest(t, a->a[1], &attr, attr.size) < 0 ? -EFAULT : 0;
}
