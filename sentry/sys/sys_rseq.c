/* rseq(2), rseq_slice_yield(2) and prctl(PR_RSEQ_SLICE_EXTENSION) as in
 * Linux 7.1's kernel/rseq.c. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "arch/arch.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/rseq/task_rseq.h"
#include "sentry/signal/signal.h"
#include "syscall_handlers.h"

#define PR_RSEQ_SLICE_EXTENSION_GET 1
#define PR_RSEQ_SLICE_EXTENSION_SET 2
#define PR_RSEQ_SLICE_EXT_ENABLE 1
#define LINUX_ENOTSUPP 524 /* the kernel's own, never in <errno.h> */

static long rseq_unregister(struct task *t, uint64_t area, uint32_t len, int flags, uint32_t sig)
{
	struct rseq_mem m = rseq_task_mem(t);

	if (flags & ~RSEQ_FLAG_UNREGISTER)
		return -EINVAL;
	if (!t->rseq.area || t->rseq.area != area || len != t->rseq.len)
		return -EINVAL;
	if (sig != t->rseq.sig)
		return -EPERM;
	if (rseq_rule_reset_ids(&m, area)) {
		sig_raise(t, SIGSEGV, true);
		return -EFAULT;
	}
	memset(&t->rseq, 0, sizeof t->rseq);
	return 0;
}

static long rseq_reregister(struct task *t, uint64_t area, uint32_t len, uint32_t sig)
{
	if (t->rseq.area != area || len != t->rseq.len)
		return -EINVAL;
	return sig != t->rseq.sig ? -EPERM : -EBUSY;
}

static long rseq_register(struct task *t, uint64_t area, uint32_t len, int flags, uint32_t sig)
{
	struct rseq_mem m = rseq_task_mem(t);
	bool v2 = len > RSEQ_ORIG_SIZE;
	uint32_t rflags = 0;

	if (area >= ARCH_TASK_SIZE || len > ARCH_TASK_SIZE - area)
		return -EFAULT; /* access_ok */
	if (v2) {
		rflags = RSEQ_CS_FLAG_SLICE_EXT_AVAILABLE;
		if (flags & RSEQ_FLAG_SLICE_EXT_DEFAULT_ON)
			rflags |= RSEQ_CS_FLAG_SLICE_EXT_ENABLED;
	}
	if (rseq_rule_init_area(&m, area, v2, rflags))
		return -EFAULT;
	memset(&t->rseq, 0, sizeof t->rseq);
	t->rseq.area = area;
	t->rseq.len = len;
	t->rseq.sig = sig;
	t->rseq.v2 = v2;
	t->rseq.ids.cpu_id = RSEQ_CPU_ID_UNINITIALIZED; /* what the area holds now */
	t->rseq.force_ids = true;
	t->rseq.slice_enabled = rflags & RSEQ_CS_FLAG_SLICE_EXT_ENABLED;
	return 0;
}

long sys_rseq(struct task *t, const struct syscall_args *a)
{
	uint64_t area = a->a[0];
	uint32_t len = (uint32_t)a->a[1], sig = (uint32_t)a->a[3];
	int flags = (int)a->a[2], err;

	if (flags & RSEQ_FLAG_UNREGISTER)
		return rseq_unregister(t, area, len, flags, sig);
	if (flags & ~RSEQ_FLAG_SLICE_EXT_DEFAULT_ON)
		return -EINVAL;
	if (t->rseq.area)
		return rseq_reregister(t, area, len, sig);
	if ((err = rseq_rule_length(area, len)))
		return err;
	return rseq_register(t, area, len, flags, sig);
}

long sys_rseq_slice_yield(struct task *t, const struct syscall_args *a)
{
	bool yielded = t->rseq.slice_yielded;

	(void)a;
	t->rseq.slice_yielded = false;
	return yielded;
}

/* SET: the flags word in the area must agree with the kernel's view,
 * else SIGSEGV and EFAULT (rseq_slice_extension_prctl). */
static long slice_set(struct task *t, bool enable)
{
	uint32_t rflags, valid = RSEQ_CS_FLAG_SLICE_EXT_AVAILABLE;
	uint64_t at = t->rseq.area + RSEQ_OFF_FLAGS;

	if (!t->rseq.area)
		return -ENXIO;
	if (!t->rseq.v2)
		return -LINUX_ENOTSUPP;
	if (enable == t->rseq.slice_enabled)
		return 0;
	if (t->rseq.slice_enabled)
		valid |= RSEQ_CS_FLAG_SLICE_EXT_ENABLED;
	if (copy_from_guest(t, &rflags, at, sizeof rflags) || (rflags & valid) != valid)
		goto die;
	rflags &= ~RSEQ_CS_FLAG_SLICE_EXT_ENABLED;
	rflags |= RSEQ_CS_FLAG_SLICE_EXT_AVAILABLE | (enable ? RSEQ_CS_FLAG_SLICE_EXT_ENABLED : 0);
	if (copy_to_guest(t, at, &rflags, sizeof rflags))
		goto die;
	t->rseq.slice_enabled = enable;
	return 0;
die:
	sig_raise(t, SIGSEGV, true);
	return -EFAULT;
}

long rseq_slice_prctl(struct task *t, const uint64_t *a)
{
	if (a[3] || a[4])
		return -EINVAL;
	switch (a[1]) {
	case PR_RSEQ_SLICE_EXTENSION_GET:
		if (a[2])
			return -EINVAL;
		return t->rseq.slice_enabled ? PR_RSEQ_SLICE_EXT_ENABLE : 0;
	case PR_RSEQ_SLICE_EXTENSION_SET:
		if (a[2] & ~(uint64_t)PR_RSEQ_SLICE_EXT_ENABLE)
			return -EINVAL;
		return slice_set(t, a[2] & PR_RSEQ_SLICE_EXT_ENABLE);
	default:
		return -EINVAL;
	}
}
