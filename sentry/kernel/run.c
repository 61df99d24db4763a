/* The per-task loop: run guest code, take the stop, answer it. */
#include <errno.h>
#include <signal.h>

#include "platform/platform.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/seccomp.h"
#include "sentry/kernel/sud.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/ptrace/ptrace.h"
#include "sentry/rseq/task_rseq.h"
#include "sentry/sched/vcpu.h"
#include "sentry/signal/signal.h"
#include "syscall_handlers.h"

/* A traced task's syscall ended: an exec's stop, then the exit stop. */
static void traced_syscall_done(struct task *t, const struct syscall_args *a, long ret)
{
	if (!ret && (a->nr == SYSCALL_NR_execve || a->nr == SYSCALL_NR_execveat))
		ptrace_exec(t, t->tid);
	if (!__atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE))
		ptrace_syscall_exit(t);
}

static void task_syscall(struct task *t)
{
	struct arch_regs *r = plat_regs(t->plat);
	uint8_t insn[ARCH_SYSCALL_INSN_LEN];
	int insn_ok = mm_read(t->mm, insn, arch_ip(r) - sizeof insn, sizeof insn) == 0;
	enum arch_syscall_class class = arch_syscall_classify(r, insn, insn_ok);
	struct syscall_args a;
	long ret = -ENOSYS;

	if (class != ARCH_SYSCALL_COMPAT && sud_intercepts(t, r))
		return; /* not run: the guest's SIGSYS handler answers it */
	switch (class) {
	case ARCH_SYSCALL_COMPAT:
		/* umbra's kernel has no i386 ABI: int $0x80 faults, as on a Linux
		 * built without IA32 emulation. */
		sig_raise(t, SIGSEGV, true);
		return;
	case ARCH_SYSCALL_X32:
		a.nr = arch_syscall_nr(r);
		syscall_count_unimplemented(t->sb, a.nr);
		break;
	case ARCH_SYSCALL_NATIVE:
		if (ptrace_syscall_entry(t) || seccomp_intercepts(t)) {
			ptrace_syscall_exit(t);
			return; /* skipped: the tracer or the filter set its result */
		}
		r = plat_regs(t->plat);
		a.nr = arch_syscall_nr(r);
		arch_syscall_args(r, a.a);
		ret = syscall_dispatch(t, &a);
		break;
	}
	if (ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK)
		t->restart = ret;
	if (!t->exiting && !t->regs_final)
		arch_syscall_set_return(plat_regs(t->plat), ret);
	t->regs_final = false;
	if (class == ARCH_SYSCALL_NATIVE && t->ptrace.tracer)
		traced_syscall_done(t, &a, ret);
}

/* The stub ended without the guest asking: killed from outside, or by its
 * seccomp filter (which only a sentry bug could trigger). */
static void task_stub_gone(struct task *t, const struct plat_stop *stop)
{
	int sig = stop->kind == PLAT_STOP_KILLED ? stop->signo : SIGKILL;

	if (__atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE))
		return; /* killed by the sentry, for a kill or an exit_group */
	sandbox_log(t->sb, "the guest's host process ended unexpectedly (%s)", sig_name(sig));
	task_exit_group(t, sig);
}

/* Signals or a stop for the loop to look at before guest code runs. */
static bool work_pending(const struct task *t)
{
	return t->sigpending || t->leader->shared_pending || t->restart || t->restore_mask ||
	       t->leader->stopped || t->ptrace.trap_pending;
}

/* An interrupt stop the guest runs through: a late one nobody wants now
 * (it was meant for an earlier turn), or one the scheduler sent a task
 * that is granted a slice extension instead. */
static bool runs_through(struct task *t)
{
	if (__atomic_exchange_n(&t->interrupted, false, __ATOMIC_ACQ_REL) || work_pending(t) ||
	    __atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE))
		return false;
	return !sched_take_resched(t->sb->sched, t) || rseq_slice_preempted(t);
}

/* Runs t's guest code on its vCPU until a stop it must answer; 0 or the
 * platform's error. */
static int run_guest(struct task *t, struct plat_stop *stop)
{
	int err;

	do {
		if (t->ptrace.step)
			err = plat_run_step(t->plat, stop);
		else
			err = plat_run(t->plat, stop);
		__atomic_add_fetch(&t->stops, 1, __ATOMIC_RELEASE);
	} while (!err && stop->kind == PLAT_STOP_INTERRUPT && runs_through(t));
	if (!err && stop->kind != PLAT_STOP_INTERRUPT)
		ptrace_stepped(t, stop->kind == PLAT_STOP_SYSCALL);
	return err;
}

/* Whether t keeps its vCPU reserved while the sentry answers stop. */
static bool keeps_vcpu(struct task *t, int err, const struct plat_stop *stop)
{
	t->rseq.user_irq = stop->kind != PLAT_STOP_SYSCALL;
	if (err || stop->kind != PLAT_STOP_SYSCALL)
		return false;
	return !rseq_slice_syscall(t, arch_syscall_nr(plat_regs(t->plat)));
}

void task_run(struct task *t)
{
	struct plat_stop stop;

	while (!__atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE)) {
		int err;

		if (work_pending(t))
			sig_deliver(t); /* a PTRACE_INTERRUPT's trap too */
		if (__atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE))
			break;
		if ((err = sched_acquire(t->sb->sched, t, t->sb->ncpus)) < 0)
			break; /* being ended */
		if (rseq_resume(t, err == 1) < 0) {
			sched_release(t->sb->sched, t, true);
			continue; /* its SIGSEGV first */
		}
		err = run_guest(t, &stop);
		sched_release(t->sb->sched, t, keeps_vcpu(t, err, &stop));

		if (err) {
			sandbox_log(t->sb, "cannot run the guest: error %d", -err);
			task_exit_group(t, SIGKILL);
			break;
		}
		switch (stop.kind) {
		case PLAT_STOP_SYSCALL:
			task_syscall(t);
			break;
		case PLAT_STOP_SIGNAL:
			sig_host_stop(t, &stop);
			break;
		case PLAT_STOP_INTERRUPT:
			break; /* the loop looks at the signals */
		case PLAT_STOP_EXITED:
		case PLAT_STOP_KILLED:
			task_stub_gone(t, &stop);
			break;
		}
	}
	ptrace_exit_event(t);
	sched_block(t); /* its vCPU and concurrency id go */
}
