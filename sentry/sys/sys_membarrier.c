/* membarrier(2) (kernel/sched/membarrier.c). Guest threads run natively on
 * host CPUs, so the kernel's IPI becomes a stop: every targeted task that
 * runs guest code on a vCPU is interrupted, and the call returns once each
 * has stopped (entering the host kernel is a full barrier and serializes
 * the core). A stopped task takes its vCPU anew, so an rseq critical
 * section it was in aborts (rseq.c), as ipi_rseq makes it. */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "platform/platform.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/sleep.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "syscall_handlers.h"

#define CMD_QUERY 0
#define CMD_GLOBAL (1 << 0)
#define CMD_GLOBAL_EXPEDITED (1 << 1)
#define CMD_REGISTER_GLOBAL_EXPEDITED (1 << 2)
#define CMD_PRIVATE_EXPEDITED (1 << 3)
#define CMD_REGISTER_PRIVATE_EXPEDITED (1 << 4)
#define CMD_PRIVATE_EXPEDITED_SYNC_CORE (1 << 5)
#define CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (1 << 6)
#define CMD_PRIVATE_EXPEDITED_RSEQ (1 << 7)
#define CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ (1 << 8)
#define CMD_GET_REGISTRATIONS (1 << 9)
#define CMD_BITMASK 0x3ff /* every command but QUERY */
#define CMD_FLAG_CPU 1

#define STOP_WAIT_NS 200000000LL /* a stopping task is never this slow */

enum target { ALL, GLOBAL_REGISTERED, PROCESS };

static bool targeted(const struct task *t, const struct task *x, enum target which, int cpu)
{
	int on = __atomic_load_n(&x->vcpu, __ATOMIC_RELAXED);

	if (x == t || on < 0 || (cpu >= 0 && on != cpu) ||
	    __atomic_load_n(&x->exiting, __ATOMIC_ACQUIRE))
		return false;
	switch (which) {
	case GLOBAL_REGISTERED:
		return __atomic_load_n(&x->leader->membarrier_ready, __ATOMIC_RELAXED) &
		       CMD_REGISTER_GLOBAL_EXPEDITED;
	case PROCESS:
		return x->mm == t->mm;
	default:
		return true;
	}
}

/* Interrupts x if it runs guest code and waits until it stopped; sb->lock
 * held, so x stays. */
static void stop_one(struct task *x)
{
	uint64_t before = __atomic_load_n(&x->stops, __ATOMIC_ACQUIRE);
	int64_t until = sleep_now_ns(CLOCK_MONOTONIC) + STOP_WAIT_NS;

	__atomic_store_n(&x->interrupted, true, __ATOMIC_RELEASE);
	pthread_mutex_lock(&x->kill_lock);
	if (x->plat)
		plat_thread_interrupt(x->plat);
	pthread_mutex_unlock(&x->kill_lock);
	while (__atomic_load_n(&x->stops, __ATOMIC_ACQUIRE) == before &&
	       __atomic_load_n(&x->vcpu, __ATOMIC_RELAXED) >= 0 &&
	       sleep_now_ns(CLOCK_MONOTONIC) < until)
		nanosleep(&(struct timespec){ 0, 20000 }, NULL);
}

static long barrier(struct task *t, enum target which, int cpu)
{
	struct sandbox *sb = t->sb;

	if (cpu >= sb->ncpus)
		return 0;
	pthread_mutex_lock(&sb->lock);
	for (struct task *x = sb->tasks; x; x = x->next)
		if (targeted(t, x, which, cpu))
			stop_one(x);
	pthread_mutex_unlock(&sb->lock);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
}

/* The registration a private command needs, or -EPERM. */
static long private_cmd(struct task *t, int registration, int cpu)
{
	if (!(__atomic_load_n(&t->leader->membarrier_ready, __ATOMIC_ACQUIRE) & registration))
		return -EPERM;
	return barrier(t, PROCESS, cpu);
}

/* As membarrier_register_private_expedited: every private registration
 * shows as PRIVATE_EXPEDITED too, which only its own makes ready. */
static long enroll(struct task *t, int registration)
{
	int shown = registration;

	if (registration != CMD_REGISTER_GLOBAL_EXPEDITED)
		shown |= CMD_REGISTER_PRIVATE_EXPEDITED;
	__atomic_or_fetch(&t->leader->membarrier, shown, __ATOMIC_SEQ_CST);
	__atomic_or_fetch(&t->leader->membarrier_ready, registration, __ATOMIC_SEQ_CST);
	return 0;
}

long sys_membarrier(struct task *t, const struct syscall_args *a)
{
	int cmd = (int)a->a[0], cpu = (int)a->a[2];
	unsigned int flags = (unsigned int)a->a[1];

	if (cmd == CMD_PRIVATE_EXPEDITED_RSEQ ? flags && flags != CMD_FLAG_CPU : flags != 0)
		return -EINVAL;
	if (!(flags & CMD_FLAG_CPU) || cpu < 0)
		cpu = -1; /* a negative one means every CPU, as in Linux */
	switch (cmd) {
	case CMD_QUERY:
		return CMD_BITMASK;
	case CMD_GLOBAL:
		return barrier(t, ALL, -1);
	case CMD_GLOBAL_EXPEDITED:
		return barrier(t, GLOBAL_REGISTERED, -1);
	case CMD_PRIVATE_EXPEDITED:
		return private_cmd(t, CMD_REGISTER_PRIVATE_EXPEDITED, cpu);
	case CMD_PRIVATE_EXPEDITED_SYNC_CORE:
		return private_cmd(t, CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, cpu);
	case CMD_PRIVATE_EXPEDITED_RSEQ:
		return private_cmd(t, CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ, cpu);
	case CMD_REGISTER_GLOBAL_EXPEDITED:
	case CMD_REGISTER_PRIVATE_EXPEDITED:
	case CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE:
	case CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ:
		return enroll(t, cmd);
	case CMD_GET_REGISTRATIONS:
		return __atomic_load_n(&t->leader->membarrier, __ATOMIC_RELAXED);
	default:
		return -EINVAL;
	}
}
