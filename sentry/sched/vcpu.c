/* The vCPUs of a sandbox (vcpu.h): holders, and a FIFO of waiters. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "platform/platform.h"
#include "sentry/kernel/sleep.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"
#include "sentry/sched/vcpu.h"

struct vcpu {
	struct task *holder;
	int64_t since; /* when its holder's slice began, or it was last asked to stop */
	/* Between a holder's stop and its return to guest code (a syscall the
	 * sentry answers), the vCPU stays its own until reserved_until, unless
	 * the holder blocks (sched_block) or its slice is spent: a task that
	 * makes syscalls keeps its CPU as it would on Linux. */
	struct task *reserved_for;
	int64_t reserved_until;
	/* The concurrency id (rseq's mm_cid) its holder or the task it is
	 * reserved for has, and in which address space (compared, never
	 * followed); cid_mm NULL: none. */
	const struct mm *cid_mm;
	int cid;
	/* Its holder was asked to stop for a waiter (resched), and was granted
	 * a slice extension instead until grant_until. */
	bool resched, granted;
	int64_t grant_until; /* when it may be over: its ns, run or not */
	int64_t grant_ns;
	uint64_t grant_run0; /* the stub thread's run time at the grant */
	uint64_t run0; /* its holder's run time when its slice began (0: unknown) */
};

struct waiter {
	struct waiter *next;
	struct task *t;
};

struct sched {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* a vCPU came free */
	struct waiter *waiters; /* oldest first */
	struct vcpu cpu[SCHED_MAX_CPUS];
};

int sched_create(struct sched **out)
{
	struct sched *s = calloc(1, sizeof *s);
	pthread_condattr_t attr;

	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &attr);
	pthread_condattr_destroy(&attr);
	*out = s;
	return 0;
}

void sched_destroy(struct sched *s)
{
	if (!s)
		return;
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static bool allowed(const struct task *t, int cpu)
{
	return cpumask_has(t->cpumask, cpu);
}

/* Whether v's occupant still counts for its concurrency id. */
static bool occupied(const struct vcpu *v, int64_t now)
{
	return v->cid_mm && (v->holder || (v->reserved_for && now < v->reserved_until));
}

/* A concurrency id no other vCPU's occupant of mm has, as Linux's mm_cid:
 * compact, and unique among the threads that run. keep (-1: none) if it is
 * free, else the smallest. */
static int cid_alloc(const struct sched *s, const struct vcpu *self, const struct mm *mm,
		     int keep, int ncpus, int64_t now)
{
	uint64_t used[SCHED_MAX_CPUS / 64] = { 0 };
	int cid = 0;

	for (int cpu = 0; cpu < ncpus; cpu++) {
		const struct vcpu *v = &s->cpu[cpu];

		if (v != self && v->cid_mm == mm && occupied(v, now))
			used[v->cid / 64] |= 1ull << (v->cid % 64);
	}
	if (keep >= 0 && !(used[keep / 64] & (1ull << (keep % 64))))
		return keep;
	while (used[cid / 64] & (1ull << (cid % 64)))
		cid++;
	return cid;
}

/* Whether t may take the vCPU now: nobody holds it, and no other task's
 * reservation on it still runs. Lock held. */
static bool open_to(const struct vcpu *v, const struct task *t, int64_t now)
{
	return !v->holder && (!v->reserved_for || v->reserved_for == t || now >= v->reserved_until);
}

/* A vCPU t may take, its last one first; -1 if none. Lock held. */
static int free_cpu(const struct sched *s, const struct task *t, int ncpus, int64_t now)
{
	int last = t->last_vcpu;

	if (last >= 0 && last < ncpus && allowed(t, last) && open_to(&s->cpu[last], t, now))
		return last;
	for (int cpu = 0; cpu < ncpus; cpu++)
		if (allowed(t, cpu) && open_to(&s->cpu[cpu], t, now))
			return cpu;
	return -1;
}

/* The vCPU for the first waiter that one can serve is w's: or -1. */
static int turn(const struct sched *s, const struct waiter *w, int ncpus, int64_t now)
{
	for (const struct waiter *x = s->waiters; x; x = x->next) {
		int cpu = free_cpu(s, x->t, ncpus, now);

		if (cpu >= 0)
			return x == w ? cpu : -1;
	}
	return -1;
}

/* How long holder's stub thread has run on a host CPU, in ns (0: unknown). */
static uint64_t run_time(struct task *holder)
{
	uint64_t ns = 0;

	pthread_mutex_lock(&holder->kill_lock);
	if (!holder->plat || plat_thread_cputime(holder->plat, 2, &ns) < 0)
		ns = 0;
	pthread_mutex_unlock(&holder->kill_lock);
	return ns;
}

/* t takes cpu: true when that is a switch (a new slice), false when it
 * continues its reservation. */
static bool take(struct sched *s, struct task *t, int cpu, int ncpus, int64_t now)
{
	struct vcpu *v = &s->cpu[cpu];
	bool fresh = v->reserved_for != t;

	if (fresh) { /* a new slice; a reservation continues the old */
		v->since = now;
		v->run0 = s->waiters ? run_time(t) : 0; /* what a quantum counts from */
	}
	v->cid = cid_alloc(s, v, t->mm, !fresh && v->cid_mm == t->mm ? v->cid : -1, ncpus, now);
	v->cid_mm = t->mm;
	v->holder = t;
	v->reserved_for = NULL;
	v->resched = v->granted = false;
	t->mm_cid = v->cid;
	__atomic_store_n(&t->vcpu, cpu, __ATOMIC_RELAXED);
	__atomic_store_n(&t->last_vcpu, cpu, __ATOMIC_RELAXED);
	return fresh;
}

static void unqueue(struct sched *s, struct waiter *w)
{
	for (struct waiter **p = &s->waiters; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			return;
		}
}

static void interrupt(struct vcpu *v, int64_t now)
{
	v->since = now; /* asked once a quantum */
	v->resched = true;
	pthread_mutex_lock(&v->holder->kill_lock);
	if (v->holder->plat)
		plat_thread_interrupt(v->holder->plat);
	pthread_mutex_unlock(&v->holder->kill_lock);
}

/* Whether v's slice extension is over: its time has passed and the guest
 * thread ran that long (else the grant is timed again for what is left). */
static bool grant_over(struct vcpu *v, int64_t now)
{
	uint64_t ran;

	if (now < v->grant_until)
		return false;
	ran = run_time(v->holder) - v->grant_run0;
	if (!v->grant_run0 || ran >= (uint64_t)v->grant_ns)
		return true;
	v->grant_until = now + (v->grant_ns - (int64_t)ran);
	return false;
}

/* Whether v's holder, a quantum after its slice began, ran a quantum: a
 * slice counts the time its stub thread ran, as the kernel's counts a
 * task's runtime, not the time a slow host took to run it. If not, the
 * slice is timed again from what it ran. */
static bool quantum_run(struct vcpu *v, int64_t now)
{
	uint64_t ran, run = run_time(v->holder);

	if (!run)
		return true;
	if (!v->run0) { /* contention began during the slice: count from here */
		v->run0 = run;
		v->since = now;
		return false;
	}
	ran = run - v->run0;
	if (ran >= (uint64_t)SCHED_QUANTUM_NS)
		return true;
	v->since = now - (int64_t)ran;
	return false;
}

/* A holder t may displace whose slice extension is over: or NULL. */
static struct vcpu *expired_grant(struct sched *s, const struct task *t, int ncpus, int64_t now)
{
	for (int cpu = 0; cpu < ncpus; cpu++) {
		struct vcpu *v = &s->cpu[cpu];

		if (v->holder && v->granted && allowed(t, cpu) && grant_over(v, now))
			return v;
	}
	return NULL;
}

/* A waiter asks a holder on a vCPU it may use to stop: one whose slice
 * extension is over, else the one that has run longest if that has run a
 * quantum and has no extension. */
static void preempt(struct sched *s, const struct task *t, int ncpus, int64_t now)
{
	struct vcpu *oldest = expired_grant(s, t, ncpus, now);

	if (oldest) {
		oldest->granted = false;
		__atomic_add_fetch(&oldest->holder->sb->rseq_stats.expiries, 1, __ATOMIC_RELAXED);
		interrupt(oldest, now);
		return;
	}
	for (int cpu = 0; cpu < ncpus; cpu++) {
		struct vcpu *v = &s->cpu[cpu];

		if (v->holder && allowed(t, cpu) && (!oldest || v->since < oldest->since))
			oldest = v;
	}
	if (oldest && !oldest->granted && now - oldest->since >= SCHED_QUANTUM_NS &&
	    quantum_run(oldest, now))
		interrupt(oldest, now);
}

/* The vCPU reserved for t, which it takes back at once: or -1. */
static int reserved_cpu(struct sched *s, const struct task *t, int ncpus)
{
	int cpu = t->last_vcpu;

	if (cpu >= 0 && cpu < ncpus && s->cpu[cpu].reserved_for == t && allowed(t, cpu))
		return cpu;
	return -1;
}

/* When a waiter should look again: a quantum on, or sooner when a
 * reservation it could use runs out. */
static int64_t next_event(const struct sched *s, const struct task *t, int ncpus, int64_t now)
{
	int64_t next = now + SCHED_QUANTUM_NS;

	for (int cpu = 0; cpu < ncpus; cpu++) {
		const struct vcpu *v = &s->cpu[cpu];

		if (allowed(t, cpu) && !v->holder && v->reserved_for && v->reserved_until < next)
			next = v->reserved_until > now ? v->reserved_until : now + 1;
		if (allowed(t, cpu) && v->holder && v->granted && v->grant_until < next)
			next = v->grant_until > now ? v->grant_until : now + 1;
	}
	return next;
}

int sched_acquire(struct sched *s, struct task *t, int ncpus)
{
	struct waiter w = { NULL, t };
	bool queued = false;
	int cpu, err = 0;

	if (ncpus > SCHED_MAX_CPUS)
		ncpus = SCHED_MAX_CPUS;
	pthread_mutex_lock(&s->lock);
	cpu = reserved_cpu(s, t, ncpus);
	if (cpu < 0 && !s->waiters)
		cpu = free_cpu(s, t, ncpus, sleep_now_ns(CLOCK_MONOTONIC));
	if (cpu < 0) {
		struct waiter **end = &s->waiters;

		while (*end)
			end = &(*end)->next;
		*end = &w;
		queued = true;
	}
	while (cpu < 0 && !(err = __atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE) ? -EINTR : 0)) {
		int64_t now = sleep_now_ns(CLOCK_MONOTONIC);
		struct timespec until = sleep_ts(next_event(s, t, ncpus, now));

		cpu = turn(s, &w, ncpus, now);
		if (cpu >= 0)
			break;
		preempt(s, t, ncpus, now); /* a holder past its slice goes now */
		pthread_cond_timedwait(&s->cond, &s->lock, &until);
	}
	if (queued)
		unqueue(s, &w);
	if (cpu >= 0)
		err = take(s, t, cpu, ncpus, sleep_now_ns(CLOCK_MONOTONIC));
	if (s->waiters)
		pthread_cond_broadcast(&s->cond); /* the next in line may be served too */
	pthread_mutex_unlock(&s->lock);
	return err;
}

void sched_release(struct sched *s, struct task *t, bool keep)
{
	int cpu = __atomic_load_n(&t->vcpu, __ATOMIC_RELAXED);
	int64_t now = sleep_now_ns(CLOCK_MONOTONIC);
	struct vcpu *v;

	if (cpu < 0)
		return;
	pthread_mutex_lock(&s->lock);
	v = &s->cpu[cpu];
	v->holder = NULL;
	v->resched = v->granted = false;
	/* A slice not spent, or nobody waiting: the vCPU stays the task's
	 * while the sentry answers it. */
	if (keep && (!s->waiters || now - v->since < SCHED_QUANTUM_NS)) {
		v->reserved_for = t;
		v->reserved_until = now + SCHED_RESERVE_NS;
	} else {
		v->cid_mm = NULL;
	}
	__atomic_store_n(&t->vcpu, -1, __ATOMIC_RELAXED);
	if (s->waiters && !v->reserved_for)
		pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void sched_block(struct task *t)
{
	struct sched *s = t ? t->sb->sched : NULL;
	int cpu = t ? __atomic_load_n(&t->last_vcpu, __ATOMIC_RELAXED) : -1;

	if (!s || cpu < 0)
		return;
	pthread_mutex_lock(&s->lock);
	if (s->cpu[cpu].reserved_for == t) {
		s->cpu[cpu].reserved_for = NULL;
		s->cpu[cpu].cid_mm = NULL;
		if (s->waiters)
			pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
}

int sched_cpu(const struct task *t)
{
	int cpu = __atomic_load_n(&t->last_vcpu, __ATOMIC_RELAXED);

	return cpu < 0 ? 0 : cpu;
}

bool sched_take_resched(struct sched *s, struct task *t)
{
	int cpu = __atomic_load_n(&t->vcpu, __ATOMIC_RELAXED);
	bool asked;

	if (cpu < 0)
		return false;
	pthread_mutex_lock(&s->lock);
	asked = s->cpu[cpu].resched;
	s->cpu[cpu].resched = false;
	pthread_mutex_unlock(&s->lock);
	return asked;
}

void sched_grant(struct sched *s, struct task *t, int64_t ns)
{
	int cpu = __atomic_load_n(&t->vcpu, __ATOMIC_RELAXED);
	uint64_t run0;

	if (cpu < 0)
		return;
	run0 = run_time(t);
	pthread_mutex_lock(&s->lock);
	s->cpu[cpu].granted = true;
	s->cpu[cpu].grant_ns = ns;
	s->cpu[cpu].grant_run0 = run0;
	s->cpu[cpu].grant_until = sleep_now_ns(CLOCK_MONOTONIC) + ns;
	if (s->waiters)
		pthread_cond_broadcast(&s->cond); /* they time the grant */
	pthread_mutex_unlock(&s->lock);
}
