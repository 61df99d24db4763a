/* rseq for tasks (rseq.h): the rules of rules.c applied where Linux applies
 * them, with the task's vCPU for its CPU and concurrency id. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "arch/arch.h"
#include "platform/platform.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/rseq/task_rseq.h"
#include "sentry/sched/vcpu.h"
#include "sentry/signal/signal.h"
#include "syscall_handlers.h"

static int guest_read(void *ctx, void *dst, uint64_t addr, size_t len)
{
	return copy_from_guest(ctx, dst, addr, len) ? -EFAULT : 0;
}

static int guest_write(void *ctx, uint64_t addr, const void *src, size_t len)
{
	return copy_to_guest(ctx, addr, src, len) ? -EFAULT : 0;
}

struct rseq_mem rseq_task_mem(struct task *t)
{
	return (struct rseq_mem){ t, guest_read, guest_write };
}

/* What Linux does where rseq finds the guest's state broken: force_sig. */
static int fatal(struct task *t)
{
	sig_raise(t, SIGSEGV, true);
	return -1;
}

/* A critical section t was in when it stopped ends at its abort_ip. */
static int abort_cs(struct task *t, const struct rseq_mem *m)
{
	struct arch_regs *r = plat_regs(t->plat);
	uint64_t ip = arch_ip(r), was = ip;
	int err = rseq_rule_cs(m, t->rseq.area, t->rseq.sig, ARCH_TASK_SIZE, &ip);

	if (!err && ip != was)
		arch_set_ip(r, ip);
	return err;
}

int rseq_resume(struct task *t, bool switched)
{
	struct task_rseq *r = &t->rseq;
	struct rseq_mem m = rseq_task_mem(t);
	struct rseq_ids now = { (uint32_t)t->vcpu, 0, (uint32_t)t->mm_cid };
	bool user_irq = r->user_irq, changed;
	int err = 0;

	r->user_irq = false;
	if (!r->area)
		return 0;
	changed = memcmp(&now, &r->ids, sizeof now) != 0;
	if (!switched && !r->force_ids && !changed)
		return 0;
	if (r->force_ids || changed || !r->v2)
		err = rseq_rule_ids(&m, r->area, r->v2, &r->ids, &now);
	else if (switched)
		err = rseq_rule_slice_clear(&m, r->area);
	r->force_ids = false;
	if (switched)
		rseq_slice_on_switch(r, &t->sb->rseq_stats);
	if (!err && switched && user_irq)
		err = abort_cs(t, &m);
	if (!err)
		return 0;
	r->ids = now; /* told once, as the kernel's cached ids move on */
	return fatal(t);
}

void rseq_signal_deliver(struct task *t)
{
	struct rseq_mem m = rseq_task_mem(t);

	if (!t->rseq.area)
		return;
	if (abort_cs(t, &m))
		fatal(t);
	if (!t->rseq.v2)
		t->rseq.force_ids = true; /* legacy: ids before every handler */
}

bool rseq_slice_preempted(struct task *t)
{
	struct rseq_mem m = rseq_task_mem(t);
	int granted;

	if (!t->rseq.slice_enabled)
		return false;
	granted = rseq_slice_on_resched(&t->rseq, &m, false, &t->sb->rseq_stats);
	if (granted < 0)
		fatal(t);
	if (granted <= 0)
		return false;
	sched_grant(t->sb->sched, t, t->sb->rseq_slice_ns);
	return true;
}

bool rseq_slice_syscall(struct task *t, long nr)
{
	struct rseq_mem m = rseq_task_mem(t);
	int ended;

	if (!t->rseq.slice_granted)
		return false;
	ended = rseq_slice_on_syscall(&t->rseq, &m, nr == SYSCALL_NR_rseq_slice_yield,
				      &t->sb->rseq_stats);
	if (ended < 0)
		fatal(t);
	return ended != 0;
}

void rseq_fork(struct task *child, const struct task *parent, bool share_vm)
{
	if (share_vm) {
		memset(&child->rseq, 0, sizeof child->rseq);
		return;
	}
	child->rseq = parent->rseq;
	child->rseq.slice_granted = child->rseq.slice_yielded = false;
	child->rseq.user_irq = false;
}

void rseq_exec(struct task *t)
{
	memset(&t->rseq, 0, sizeof t->rseq);
}
