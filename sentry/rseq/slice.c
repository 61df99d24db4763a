/* The time-slice extension's states (rseq.h), as Linux 7.1's
 * __rseq_grant_slice_extension, rseq_syscall_enter_work and
 * rseq_slice_clear_grant move them: no grant; granted at a preemption the
 * task requested one for; over at its next syscall (a yield or another), at
 * a second preemption (the grant expired) or when it is switched out. */
#include <errno.h>

#include "sentry/rseq/rseq.h"

static void count(_Atomic uint64_t *n)
{
	__atomic_add_fetch(n, 1, __ATOMIC_RELAXED);
}

void rseq_slice_on_switch(struct task_rseq *r, struct rseq_stats *st)
{
	if (!r->slice_granted)
		return;
	r->slice_granted = false;
	count(&st->revocations);
}

int rseq_slice_on_resched(struct task_rseq *r, const struct rseq_mem *m, bool work_pending,
			  struct rseq_stats *st)
{
	int granted;

	if (!r->area || !r->slice_enabled)
		return 0;
	if (work_pending || r->slice_granted) {
		rseq_slice_on_switch(r, st); /* an expired grant, or signals first */
		return rseq_rule_slice_clear(m, r->area);
	}
	granted = rseq_rule_grant(m, r->area);
	if (granted > 0) {
		r->slice_granted = true;
		count(&st->grants);
	}
	return granted;
}

int rseq_slice_on_syscall(struct task_rseq *r, const struct rseq_mem *m, bool yield,
			  struct rseq_stats *st)
{
	if (!r->slice_granted)
		return 0;
	r->slice_granted = false;
	r->slice_yielded = yield;
	count(yield ? &st->yields : &st->aborts);
	return rseq_rule_slice_clear(m, r->area) ? -EFAULT : 1;
}
