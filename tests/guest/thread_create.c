// SPDX-License-Identifier: Apache-2.0
/*
 * Threads: 200 pthreads made and joined in rounds of 8, each returning its
 * own value, all with the process's pid, a tid of their own (distinct
 * among those alive together) and their own __thread variables, which
 * start from the image's values. Detached threads (by attribute and by
 * pthread_detach) run and are gone afterwards; pthread_exit hands its
 * value to the joiner and runs the cleanup handlers and key destructors.
 *
 * exit() (exit_group) from a thread other than the main one ends every
 * thread, threads blocked in futex waits included, and the process's
 * status is its code (in a forked child whose status the parent checks).
 *
 * Raw clone with glibc's thread flags on a stack of our own, with and
 * without CLONE_CHILD_SETTID: the parent's tid word holds the new tid when
 * clone returns, the child runs on the given stack with the given thread
 * pointer, in the same process, and at its SYS_exit its child tid word is
 * cleared and a futex waiter on it woken.
 */
#include "proc.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <sys/mman.h>

#define STORM_THREADS 200
#define STORM_ROUND 8
/* Bounds on waits that only a broken kernel reaches. */
#define WAIT_SECONDS 10

static __thread int tls_value = 5;
static __thread char tls_name[16];

static long futex_call(void *word, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

static struct timespec deadline(clockid_t clock, int seconds)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	ts.tv_sec += seconds;
	return ts;
}

/* ---- 200 threads in rounds of 8 ---- */

struct storm {
	int index;
	pid_t tid, pid;
	int tls_start, tls_end, name_start_empty, name_end_ok;
};

static pthread_barrier_t storm_barrier;

static void *storm_thread(void *p)
{
	struct storm *s = p;
	char mine[16];

	s->tid = gettid();
	s->pid = getpid();
	s->tls_start = tls_value;
	s->name_start_empty = tls_name[0] == 0;
	tls_value = 1000 + s->index;
	snprintf(mine, sizeof(mine), "t%d", s->index);
	strcpy(tls_name, mine);
	/* Every thread of the round has written its own before any reads,
	 * and the main thread has made them all: none ends before its
	 * pthread_create returned (thread_short_lived checks those). */
	pthread_barrier_wait(&storm_barrier);
	s->tls_end = tls_value;
	s->name_end_ok = strcmp(tls_name, mine) == 0;
	return (void *)(intptr_t)(s->index * 7 + 1);
}

static void storm(void)
{
	struct storm s[STORM_ROUND];
	pthread_t th[STORM_ROUND];
	pid_t me = getpid();
	char what[96];
	int joined = 0;

	check_long("the main thread's tid is the pid", me, gettid());
	tls_value = 99;
	strcpy(tls_name, "main");
	if (pthread_barrier_init(&storm_barrier, NULL, STORM_ROUND + 1)) {
		fail("pthread_barrier_init failed");
		return;
	}
	for (int base = 0; base < STORM_THREADS; base += STORM_ROUND) {
		int made = 0;

		for (int i = 0; i < STORM_ROUND; i++) {
			int r;

			memset(&s[i], 0, sizeof(s[i]));
			s[i].index = base + i;
			r = pthread_create(&th[i], NULL, storm_thread, &s[i]);
			if (r) {
				fail("pthread_create %d: expected 0 got %s",
				     base + i, err_name(r));
				break;
			}
			made++;
		}
		if (made < STORM_ROUND) {
			/* The others wait at the barrier for ever: end here. */
			fflush(stderr);
			_exit(1);
		}
		pthread_barrier_wait(&storm_barrier);
		for (int i = 0; i < STORM_ROUND; i++) {
			void *ret = NULL;
			int r = pthread_join(th[i], &ret);

			snprintf(what, sizeof(what), "thread %d", base + i);
			if (r) {
				fail("%s: pthread_join: expected 0 got %s", what,
				     err_name(r));
				continue;
			}
			joined++;
			check_long(what, (base + i) * 7 + 1, (long)(intptr_t)ret);
		}
		for (int i = 0; i < STORM_ROUND; i++) {
			snprintf(what, sizeof(what), "thread %d: getpid()", base + i);
			check_long(what, me, s[i].pid);
			snprintf(what, sizeof(what), "thread %d: gettid() is not the pid",
				 base + i);
			check_true(what, s[i].tid > 0 && s[i].tid != me);
			for (int j = 0; j < i; j++)
				if (s[j].tid == s[i].tid)
					fail("threads %d and %d, alive together: expected distinct tids got %ld twice",
					     base + j, base + i, (long)s[i].tid);
			snprintf(what, sizeof(what), "thread %d: __thread int at start",
				 base + i);
			check_long(what, 5, s[i].tls_start);
			snprintf(what, sizeof(what), "thread %d: __thread char[] zero at start",
				 base + i);
			check_true(what, s[i].name_start_empty);
			snprintf(what, sizeof(what), "thread %d: its __thread int after the others wrote theirs",
				 base + i);
			check_long(what, 1000 + base + i, s[i].tls_end);
			snprintf(what, sizeof(what), "thread %d: its __thread char[] after the others wrote theirs",
				 base + i);
			check_true(what, s[i].name_end_ok);
		}
	}
	pthread_barrier_destroy(&storm_barrier);
	check_long("threads joined", STORM_THREADS, joined);
	check_long("the main thread's __thread int", 99, tls_value);
	check_true("the main thread's __thread char[]", !strcmp(tls_name, "main"));
	check_long("getpid() after the storm", me, getpid());
	check_long("gettid() after the storm", me, gettid());
}

/* ---- detached threads ---- */

static sem_t detached_sem;
static pid_t detached_tid[2];
/* Held while the threads are made, so that none ends before its
 * pthread_create returned (thread_short_lived checks that order). */
static pthread_mutex_t detached_start = PTHREAD_MUTEX_INITIALIZER;

static void *detached_thread(void *p)
{
	int which = (int)(intptr_t)p;

	pthread_mutex_lock(&detached_start);
	pthread_mutex_unlock(&detached_start);
	if (which == 1)
		pthread_detach(pthread_self()); /* the second detaches itself */
	__atomic_store_n(&detached_tid[which], gettid(), __ATOMIC_RELEASE);
	sem_post(&detached_sem);
	return NULL;
}

/* Whether thread tid of this process is gone: tgkill(0) says ESRCH. */
static int thread_gone(pid_t tid)
{
	struct timespec end = deadline(CLOCK_MONOTONIC, WAIT_SECONDS), now;

	for (;;) {
		if (syscall(SYS_tgkill, getpid(), tid, 0) == -1 && errno == ESRCH)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec)
			return 0;
		proc_sleep_ms(1);
	}
}

static void detached(void)
{
	pthread_attr_t attr;
	pthread_t th;
	char what[64];
	int state = -1;

	sem_init(&detached_sem, 0, 0);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_getdetachstate(&attr, &state);
	check_long("PTHREAD_CREATE_DETACHED set", PTHREAD_CREATE_DETACHED, state);
	pthread_mutex_lock(&detached_start);
	check_err_ret("pthread_create(detached)",
		      pthread_create(&th, &attr, detached_thread, (void *)0), 0);
	pthread_attr_destroy(&attr);
	check_err_ret("pthread_create(to detach itself)",
		      pthread_create(&th, NULL, detached_thread, (void *)1), 0);
	pthread_mutex_unlock(&detached_start);
	for (int i = 0; i < 2; i++) {
		struct timespec dl = deadline(CLOCK_MONOTONIC, WAIT_SECONDS);

		snprintf(what, sizeof(what), "detached thread %d ran", i);
		check_err_ret(what,
			      sem_clockwait(&detached_sem, CLOCK_MONOTONIC, &dl)
				      ? errno : 0, 0);
	}
	for (int i = 0; i < 2; i++) {
		pid_t tid = __atomic_load_n(&detached_tid[i], __ATOMIC_ACQUIRE);

		snprintf(what, sizeof(what), "detached thread %d: a tid of its own", i);
		if (check_true(what, tid > 0 && tid != getpid())) {
			snprintf(what, sizeof(what), "detached thread %d has ended (tgkill 0: ESRCH)",
				 i);
			check_true(what, thread_gone(tid));
		}
	}
	sem_destroy(&detached_sem);
}

/* ---- pthread_exit from a thread ---- */

static pthread_key_t exit_key;
static pthread_mutex_t exit_start = PTHREAD_MUTEX_INITIALIZER; /* as detached_start */
static int cleanup_ran;
static intptr_t destructor_saw;

static void exit_cleanup(void *p)
{
	cleanup_ran = (int)(intptr_t)p;
}

static void exit_destructor(void *p)
{
	destructor_saw = (intptr_t)p;
}

/* pthread_exit from a call below the thread's function. */
static __attribute__((noinline)) void exit_below(void *value)
{
	pthread_exit(value);
}

static void *exiting_thread(void *p)
{
	(void)p;
	pthread_mutex_lock(&exit_start);
	pthread_mutex_unlock(&exit_start);
	pthread_setspecific(exit_key, (void *)0x4b3);
	pthread_cleanup_push(exit_cleanup, (void *)17);
	exit_below((void *)0x5eed);
	pthread_cleanup_pop(0);
	return (void *)1;
}

static void thread_exit_value(void)
{
	pthread_t th;
	void *ret = NULL;
	int r;

	if (pthread_key_create(&exit_key, exit_destructor)) {
		fail("pthread_key_create failed");
		return;
	}
	pthread_mutex_lock(&exit_start);
	r = pthread_create(&th, NULL, exiting_thread, NULL);
	pthread_mutex_unlock(&exit_start);
	if (!check_err_ret("pthread_create(pthread_exit)", r, 0))
		return;
	check_err_ret("pthread_join(pthread_exit)", pthread_join(th, &ret), 0);
	check_long("pthread_exit's value", 0x5eed, (long)(intptr_t)ret);
	check_long("pthread_exit ran the cleanup handler", 17, cleanup_ran);
	check_long("pthread_exit ran the key's destructor", 0x4b3, destructor_saw);
	check_ptr("the main thread's key value", NULL, pthread_getspecific(exit_key));
	pthread_key_delete(exit_key);
}

/* ---- exit() from another thread ---- */

static int never_word;

static void *blocked_thread(void *p)
{
	struct timespec ts = { WAIT_SECONDS, 0 };

	(void)p;
	futex_call(&never_word, FUTEX_WAIT_PRIVATE, 0, &ts);
	_exit(4); /* exit_group did not end this thread */
}

static pthread_mutex_t exiting_start = PTHREAD_MUTEX_INITIALIZER; /* as detached_start */

static void *exiting_process_thread(void *p)
{
	(void)p;
	pthread_mutex_lock(&exiting_start);
	pthread_mutex_unlock(&exiting_start);
	proc_sleep_ms(20);
	exit(9);
}

static void exit_from_thread(void)
{
	const char *what = "exit(9) from a thread that is not the main one";
	pid_t pid = proc_fork(what);

	if (pid == 0) {
		pthread_t th, last;

		for (int i = 0; i < 3; i++)
			if (pthread_create(&th, NULL, blocked_thread, NULL))
				_exit(2);
		pthread_mutex_lock(&exiting_start);
		if (pthread_create(&last, NULL, exiting_process_thread, NULL))
			_exit(2);
		pthread_mutex_unlock(&exiting_start);
		pthread_join(last, NULL);
		_exit(5); /* the exit ended only its own thread */
	}
	proc_reap(what, pid, PROC_EXITED(9));
}

/* ---- raw clone on a stack of our own ---- */

#define RAW_STACK (64 * 1024)
#define CTID_MARK 0x7fffffff

struct raw_child {
	int go;
	long tid, pid;
	uintptr_t tp, sp;
	int ctid_seen;
};

static struct raw_child raw;
static int raw_ptid, raw_ctid;
/* The child's thread pointer: on x86_64 the word at %fs:0 points to itself
 * as a TCB's does, so reading it proves the base. */
static uintptr_t raw_tcb[64] __attribute__((aligned(64)));

/* The child runs without libc's thread setup: it calls nothing but the
 * kernel, through these. */
#if defined(__x86_64__)
static inline long raw_syscall2(long nr, long a, long b)
{
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b)
			 : "rcx", "r11", "memory");
	return r;
}

static inline uintptr_t raw_thread_pointer(void)
{
	uintptr_t tp;

	__asm__ volatile("mov %%fs:0, %0" : "=r"(tp));
	return tp;
}

/* clone(flags, stack, ptid, ctid, tls); the child calls fn(arg) on the new
 * stack, then SYS_exit with its result, never returning here. */
static long raw_clone(unsigned long flags, void *stack, int *ptid, int *ctid,
		      uintptr_t tls, int (*fn)(void *), void *arg)
{
	register long r10 __asm__("r10") = (long)ctid;
	register long r8 __asm__("r8") = (long)tls;
	register long r9 __asm__("r9") = (long)fn;
	register long r12 __asm__("r12") = (long)arg;
	long ret;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "mov %%r12, %%rdi\n\t"
			 "call *%%r9\n\t"
			 "mov %%eax, %%edi\n\t"
			 "mov %[exit], %%eax\n\t"
			 "syscall\n\t"
			 "hlt\n"
			 "1:"
			 : "=a"(ret)
			 : "a"((long)SYS_clone), "D"(flags), "S"(stack),
			   "d"(ptid), "r"(r10), "r"(r8), "r"(r9), "r"(r12),
			   [exit] "i"(SYS_exit)
			 : "rcx", "r11", "memory", "cc");
	return ret;
}
#elif defined(__aarch64__)
static inline long raw_syscall2(long nr, long a, long b)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1) : "memory");
	return x0;
}

static inline uintptr_t raw_thread_pointer(void)
{
	uintptr_t tp;

	__asm__ volatile("mrs %0, tpidr_el0" : "=r"(tp));
	return tp;
}

/* clone(flags, stack, ptid, tls, ctid) on arm64. */
static long raw_clone(unsigned long flags, void *stack, int *ptid, int *ctid,
		      uintptr_t tls, int (*fn)(void *), void *arg)
{
	register long x8 __asm__("x8") = SYS_clone;
	register long x0 __asm__("x0") = (long)flags;
	register long x1 __asm__("x1") = (long)stack;
	register long x2 __asm__("x2") = (long)ptid;
	register long x3 __asm__("x3") = (long)tls;
	register long x4 __asm__("x4") = (long)ctid;
	register long x10 __asm__("x10") = (long)fn;
	register long x11 __asm__("x11") = (long)arg;

	__asm__ volatile("svc #0\n\t"
			 "cbnz x0, 1f\n\t"
			 "mov x29, xzr\n\t"
			 "mov x0, x11\n\t"
			 "blr x10\n\t"
			 "mov x8, %[exit]\n\t"
			 "svc #0\n\t"
			 "brk #0\n"
			 "1:"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4),
			   "r"(x10), "r"(x11), [exit] "i"(SYS_exit)
			 : "x30", "memory", "cc");
	return x0;
}
#else
#error "raw_clone: unsupported architecture"
#endif

static __attribute__((noinline, no_stack_protector)) int raw_child_main(void *p)
{
	struct raw_child *c = p;
	struct timespec pause = { 0, 20 * 1000000L };
	volatile int local = 0;

	c->tid = raw_syscall2(SYS_gettid, 0, 0);
	c->pid = raw_syscall2(SYS_getpid, 0, 0);
	c->tp = raw_thread_pointer();
	c->sp = (uintptr_t)&local;
	c->ctid_seen = __atomic_load_n(&raw_ctid, __ATOMIC_ACQUIRE);
	while (!__atomic_load_n(&c->go, __ATOMIC_ACQUIRE))
		raw_syscall2(SYS_sched_yield, 0, 0);
	/* Let the parent reach its futex wait on the tid word. */
	raw_syscall2(SYS_nanosleep, (long)&pause, 0);
	return local;
}

static void raw_thread(int child_settid)
{
	const unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES |
		CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
		CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |
		(child_settid ? CLONE_CHILD_SETTID : 0);
	const char *how = child_settid ? "raw clone with CLONE_CHILD_SETTID" :
					 "raw clone";
	struct timespec ts = { WAIT_SECONDS, 0 };
	char what[128];
	unsigned char *stack;
	int v, waits = 0, woken = 0;
	long tid;

	stack = mmap(NULL, RAW_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED) {
		fail("%s: mmap of the stack: errno %s", how, err_name(errno));
		return;
	}
	memset(&raw, 0, sizeof(raw));
	memset(raw_tcb, 0, sizeof(raw_tcb));
	raw_tcb[0] = (uintptr_t)raw_tcb;
	raw_ptid = 0;
	raw_ctid = CTID_MARK;
	tid = raw_clone(flags, stack + RAW_STACK, &raw_ptid, &raw_ctid,
			(uintptr_t)raw_tcb, raw_child_main, &raw);
	if (tid <= 0) {
		fail("%s: expected a tid got %ld", how, tid);
		munmap(stack, RAW_STACK);
		return;
	}
	snprintf(what, sizeof(what), "%s: CLONE_PARENT_SETTID word when clone returns", how);
	check_long(what, tid, raw_ptid);
	__atomic_store_n(&raw.go, 1, __ATOMIC_RELEASE);
	/* CLONE_CHILD_CLEARTID's wake is a shared futex wake, so the wait
	 * here is shared too. */
	while ((v = __atomic_load_n(&raw_ctid, __ATOMIC_ACQUIRE)) != 0) {
		long r = futex_call(&raw_ctid, FUTEX_WAIT, v, &ts);

		waits++;
		if (r == 0) {
			woken++;
		} else if (errno == ETIMEDOUT) {
			snprintf(what, sizeof(what), "%s: the tid word is cleared and woken at exit", how);
			fail("%s: expected 0 within %d s got %d", what,
			     WAIT_SECONDS, v);
			break;
		}
	}
	note("%s: %d futex wait(s) on the tid word, %d woken", how, waits, woken);
	if (raw_ctid == 0) {
		snprintf(what, sizeof(what), "%s: the child's gettid() is clone's result", how);
		check_long(what, tid, raw.tid);
		snprintf(what, sizeof(what), "%s: the child's getpid()", how);
		check_long(what, getpid(), raw.pid);
		snprintf(what, sizeof(what), "%s: the child's thread pointer (CLONE_SETTLS)", how);
		check_ulong(what, (uintptr_t)raw_tcb, raw.tp);
		snprintf(what, sizeof(what), "%s: the child runs on the given stack", how);
		check_true(what, raw.sp >= (uintptr_t)stack &&
				 raw.sp < (uintptr_t)stack + RAW_STACK);
		snprintf(what, sizeof(what), "%s: the child tid word as the child starts", how);
		check_long(what, child_settid ? tid : CTID_MARK, raw.ctid_seen);
		snprintf(what, sizeof(what), "%s: the thread has ended (tgkill 0: ESRCH)", how);
		check_true(what, thread_gone((pid_t)tid));
		munmap(stack, RAW_STACK);
	}
	/* Otherwise the thread may still run on the stack: leave it mapped. */
}

int main(void)
{
	proc_default_signals();
	storm();
	detached();
	thread_exit_value();
	exit_from_thread();
	raw_thread(0);
	raw_thread(1);
	proc_finish();
	return check_exit("thread_create");
}
