// SPDX-License-Identifier: Apache-2.0
/*
 * sigaltstack(2) and handlers on the alternate stack (kernel/signal.c
 * do_sigaltstack, the arch's get_sigframe). Errors: EINVAL for an unknown
 * mode, ENOMEM for a size below MINSIGSTKSZ (the kernel's constant: 2048 on
 * x86_64, 5120 on arm64, whatever AT_MINSIGSTKSZ says), EFAULT, and EPERM
 * for any change while running on the stack; SS_DISABLE takes no size, and
 * the old stack reads back as set (sp, size, SS_AUTODISARM kept, SS_ONSTACK
 * or SS_DISABLE as the state). A handler with SA_ONSTACK runs on the stack,
 * one without it does not, and what a handler does to the stack is undone
 * by rt_sigreturn, which puts back the one its frame saved; a signal taken there, by a handler with or
 * without SA_ONSTACK, nests below on the same stack. Under SS_AUTODISARM
 * the handler sees the stack disabled and may set another, which a nested
 * SA_ONSTACK handler then uses; the first comes back after rt_sigreturn. A
 * handler that raises its own signal again and again (SA_NODEFER) until the
 * stack is used up kills the process with SIGSEGV.
 */
#include "sig.h"

#include <sys/auxv.h>
#include <sys/mman.h>

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31) /* include/uapi/linux/signal.h */
#endif

/* MINSIGSTKSZ of the kernel's uapi headers: glibc's macro of that name is
 * sysconf(_SC_MINSIGSTKSZ) under _GNU_SOURCE. */
#if defined(__x86_64__)
#define KERNEL_MINSIGSTKSZ 2048
#elif defined(__aarch64__)
#define KERNEL_MINSIGSTKSZ 5120
#endif

#define STACK_LEN (64 * 1024)
#define GUARD_LEN (64 * 1024)

/* Two alternate stacks, each with an inaccessible guard below it. */
static char *stack_a, *stack_b;

static char *map_stack(void)
{
	char *p = mmap(NULL, GUARD_LEN + STACK_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fail("mmap of an alternate stack: errno %s", err_name(errno));
		return NULL;
	}
	if (mprotect(p, GUARD_LEN, PROT_NONE) != 0)
		fail("mprotect of a guard: errno %s", err_name(errno));
	return p + GUARD_LEN;
}

static int set_stack(void *sp, size_t size, int flags)
{
	stack_t ss;

	ss.ss_sp = sp;
	ss.ss_size = size;
	ss.ss_flags = flags;
	return sigaltstack(&ss, NULL);
}

static int on(const char *base, const volatile void *p)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;

	return a >= b && a < b + STACK_LEN;
}

static void check_stack(const char *what, const stack_t *ss, const void *sp,
			size_t size, int flags)
{
	char w[160];

	snprintf(w, sizeof(w), "%s: ss_sp", what);
	check_ptr(w, sp, ss->ss_sp);
	snprintf(w, sizeof(w), "%s: ss_size", what);
	check_long(w, (long)size, (long)ss->ss_size);
	snprintf(w, sizeof(w), "%s: ss_flags", what);
	check_long(w, flags, ss->ss_flags);
}

static void query(const char *what, const void *sp, size_t size, int flags)
{
	stack_t old;

	memset(&old, 0x5a, sizeof(old));
	if (CHECK_OK(what, sigaltstack(NULL, &old)))
		check_stack(what, &old, sp, size, flags);
}

static void errors(void)
{
	unsigned long at_min = getauxval(AT_MINSIGSTKSZ);

	note("AT_MINSIGSTKSZ %lu, MINSIGSTKSZ %d", at_min, KERNEL_MINSIGSTKSZ);
	query("no alternate stack at start", NULL, 0, SS_DISABLE);
	CHECK_ERRNO("sigaltstack with flags 4", set_stack(stack_a, STACK_LEN, 4),
		    EINVAL);
	CHECK_ERRNO("sigaltstack with SS_ONSTACK|SS_DISABLE",
		    set_stack(stack_a, STACK_LEN, SS_ONSTACK | SS_DISABLE),
		    EINVAL);
	CHECK_ERRNO("sigaltstack with SS_AUTODISARM|4",
		    set_stack(stack_a, STACK_LEN, SS_AUTODISARM | 4), EINVAL);
	CHECK_ERRNO("sigaltstack of MINSIGSTKSZ - 1 bytes",
		    set_stack(stack_a, KERNEL_MINSIGSTKSZ - 1, 0), ENOMEM);
	CHECK_ERRNO("sigaltstack of 0 bytes", set_stack(stack_a, 0, 0), ENOMEM);
	CHECK_ERRNO("sigaltstack with a bad new stack pointer",
		    sigaltstack(bad_address(), NULL), EFAULT);
	query("after the errors", NULL, 0, SS_DISABLE);

	CHECK_OK("sigaltstack of MINSIGSTKSZ bytes",
		 set_stack(stack_a, KERNEL_MINSIGSTKSZ, 0));
	query("a MINSIGSTKSZ stack", stack_a, KERNEL_MINSIGSTKSZ, 0);
	if (at_min > KERNEL_MINSIGSTKSZ && at_min <= STACK_LEN) {
		CHECK_OK("sigaltstack of AT_MINSIGSTKSZ bytes",
			 set_stack(stack_a, at_min, 0));
		query("an AT_MINSIGSTKSZ stack", stack_a, at_min, 0);
	}
	CHECK_OK("sigaltstack with SS_AUTODISARM",
		 set_stack(stack_a, STACK_LEN, SS_AUTODISARM));
	query("an SS_AUTODISARM stack", stack_a, STACK_LEN, SS_AUTODISARM);
	/* SS_ONSTACK as the mode is taken as 0, as it always was. */
	CHECK_OK("sigaltstack with SS_ONSTACK", set_stack(stack_a, STACK_LEN,
							  SS_ONSTACK));
	query("a stack set with SS_ONSTACK", stack_a, STACK_LEN, 0);
	/* SS_DISABLE ignores the size and forgets the stack. */
	CHECK_OK("sigaltstack with SS_DISABLE and size 1",
		 set_stack(stack_a, 1, SS_DISABLE));
	query("disabled", NULL, 0, SS_DISABLE);
	CHECK_ERRNO("sigaltstack with a bad old stack pointer",
		    sigaltstack(NULL, bad_address()), EFAULT);
}

/* What each handler run saw, by order of entry: where its local lay and
 * what sigaltstack(NULL, &old) answered; the first run's tries to change
 * the stack. */
static volatile const void *where[4];
static volatile int q_err[4], q_flags[4];
static volatile void *q_sp[4];
static volatile size_t q_size[4];
static volatile int hits, set_err, disable_err, nest_sig;

static int inside(void)
{
	volatile char local = 0;
	int i = hits++;
	stack_t old;

	if (i >= 4)
		return i;
	where[i] = &local;
	memset(&old, 0x5a, sizeof(old));
	q_err[i] = sigaltstack(NULL, &old) ? errno : 0;
	q_sp[i] = old.ss_sp;
	q_size[i] = old.ss_size;
	q_flags[i] = old.ss_flags;
	return i;
}

static void reset(void)
{
	hits = 0;
	set_err = disable_err = -1;
	for (int i = 0; i < 4; i++) {
		where[i] = NULL;
		q_err[i] = q_flags[i] = -1;
		q_sp[i] = (void *)1;
		q_size[i] = 1;
	}
}

static void check_inside(const char *what, int i, const void *sp, size_t size,
			 int flags)
{
	stack_t ss;
	char w[160];

	snprintf(w, sizeof(w), "%s: sigaltstack(NULL, &old) in the handler",
		 what);
	if (!check_errval(w, 0, q_err[i]))
		return;
	ss.ss_sp = (void *)q_sp[i];
	ss.ss_size = q_size[i];
	ss.ss_flags = q_flags[i];
	snprintf(w, sizeof(w), "%s: in the handler", what);
	check_stack(w, &ss, sp, size, flags);
}

static void check_on(const char *what, const char *base, int i)
{
	if (!on(base, where[i]))
		fail("%s: a local of the handler: expected in [%p, %p) got %p",
		     what, (void *)base, (void *)(base + STACK_LEN),
		     (void *)where[i]);
}

/* The first run tries to change and to disable the stack, then raises
 * nest_sig when set. */
static void trying_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	if (inside() != 0)
		return;
	set_err = set_stack(stack_b, STACK_LEN, 0) ? errno : 0;
	disable_err = set_stack(NULL, 0, SS_DISABLE) ? errno : 0;
	if (nest_sig)
		raise(nest_sig);
}

static void plain_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	inside();
}

static void on_stack(void)
{
	volatile char here = 0;

	if (!CHECK_OK("sigaltstack", set_stack(stack_a, STACK_LEN, 0)))
		return;
	if (on(stack_a, &here))
		fail("the main code runs on the alternate stack");
	sig_install("SA_ONSTACK", SIGUSR1, trying_handler, SA_ONSTACK, NULL);
	sig_install("no SA_ONSTACK", SIGUSR2, trying_handler, 0, NULL);
	nest_sig = 0;

	reset();
	raise(SIGUSR1);
	if (check_long("SA_ONSTACK: the handler runs", 1, hits)) {
		check_on("SA_ONSTACK", stack_a, 0);
		check_inside("SA_ONSTACK", 0, stack_a, STACK_LEN, SS_ONSTACK);
		check_errval("SA_ONSTACK: changing the stack while on it", EPERM,
			     set_err);
		check_errval("SA_ONSTACK: disabling the stack while on it",
			     EPERM, disable_err);
	}
	query("SA_ONSTACK: after the handler", stack_a, STACK_LEN, 0);

	reset();
	raise(SIGUSR2);
	if (check_long("without SA_ONSTACK: the handler runs", 1, hits)) {
		if (on(stack_a, where[0]))
			fail("without SA_ONSTACK: a local of the handler: expected off the alternate stack got %p",
			     (void *)where[0]);
		check_inside("without SA_ONSTACK", 0, stack_a, STACK_LEN, 0);
		check_errval("without SA_ONSTACK: changing the stack", 0,
			     set_err);
		check_errval("without SA_ONSTACK: disabling the stack", 0,
			     disable_err);
	}
	/* rt_sigreturn puts back the stack the frame saved. */
	query("without SA_ONSTACK: after the handler disabled it", stack_a,
	      STACK_LEN, 0);

	/* Taken on the alternate stack: nested below, with or without
	 * SA_ONSTACK. */
	for (int onstack = 0; onstack < 2; onstack++) {
		char what[96];

		snprintf(what, sizeof(what), "nested (%s SA_ONSTACK)",
			 onstack ? "with" : "without");
		set_stack(stack_a, STACK_LEN, 0);
		sig_install(what, SIGUSR2, plain_handler,
			    onstack ? SA_ONSTACK : 0, NULL);
		nest_sig = SIGUSR2;
		reset();
		raise(SIGUSR1);
		if (!check_long(what, 2, hits))
			continue;
		if (!on(stack_a, where[0]) || !on(stack_a, where[1]) ||
		    where[1] >= where[0])
			fail("%s: the handlers' locals: expected both in [%p, %p), the nested one lower, got %p then %p",
			     what, (void *)stack_a, (void *)(stack_a + STACK_LEN),
			     (void *)where[0], (void *)where[1]);
		check_inside(what, 1, stack_a, STACK_LEN, SS_ONSTACK);
	}
	nest_sig = 0;
	set_stack(NULL, 0, SS_DISABLE);
	sig_default(SIGUSR1);
	sig_default(SIGUSR2);
}

/* Under SS_AUTODISARM the stack in use is disabled: another may be set,
 * and a nested SA_ONSTACK handler runs on that one. */
static void setting_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	if (inside() != 0)
		return;
	set_err = set_stack(stack_b, STACK_LEN, 0) ? errno : 0;
	raise(SIGUSR2);
}

static void autodisarm(void)
{
	if (!CHECK_OK("sigaltstack with SS_AUTODISARM",
		      set_stack(stack_a, STACK_LEN, SS_AUTODISARM)))
		return;
	sig_install("SS_AUTODISARM", SIGUSR1, plain_handler, SA_ONSTACK, NULL);
	reset();
	raise(SIGUSR1);
	if (check_long("SS_AUTODISARM: the handler runs", 1, hits)) {
		check_on("SS_AUTODISARM", stack_a, 0);
		check_inside("SS_AUTODISARM", 0, NULL, 0, SS_DISABLE);
	}
	query("SS_AUTODISARM: after the handler", stack_a, STACK_LEN,
	      SS_AUTODISARM);

	sig_install("SS_AUTODISARM", SIGUSR1, setting_handler, SA_ONSTACK, NULL);
	sig_install("SS_AUTODISARM", SIGUSR2, plain_handler, SA_ONSTACK, NULL);
	reset();
	raise(SIGUSR1);
	if (check_long("SS_AUTODISARM, a new stack: deliveries", 2, hits)) {
		check_on("SS_AUTODISARM, a new stack: the first handler",
			 stack_a, 0);
		check_errval("SS_AUTODISARM, a new stack: setting it in the handler",
			     0, set_err);
		check_on("SS_AUTODISARM, a new stack: the nested handler",
			 stack_b, 1);
		check_inside("SS_AUTODISARM, a new stack: the nested handler", 1,
			     stack_b, STACK_LEN, SS_ONSTACK);
	}
	query("SS_AUTODISARM, a new stack: after the handlers", stack_a,
	      STACK_LEN, SS_AUTODISARM);
	set_stack(NULL, 0, SS_DISABLE);
	sig_default(SIGUSR1);
	sig_default(SIGUSR2);
}

/* Each run raises again, on the same stack, until the frames fill it. */
static volatile int *overflow_depth;

static void overflow_handler(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	(*overflow_depth)++;
	raise(sig);
}

static void overflow(void)
{
	pid_t pid;

	overflow_depth = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (overflow_depth == MAP_FAILED) {
		fail("overflow: mmap: errno %s", err_name(errno));
		return;
	}
	*overflow_depth = 0;
	pid = proc_fork("overflow");
	if (pid == 0) {
		sig_no_core();
		if (set_stack(stack_a, STACK_LEN, 0) != 0 ||
		    !sig_install("overflow", SIGUSR1, overflow_handler,
				 SA_ONSTACK | SA_NODEFER, NULL))
			_exit(2);
		raise(SIGUSR1);
		_exit(3);
	}
	sig_reap_killed("overflowing the alternate stack", pid, SIGSEGV);
	if (*overflow_depth < 4)
		fail("overflowing the alternate stack: nested handlers: expected several got %d",
		     *overflow_depth);
	note("overflow after %d nested handlers", *overflow_depth);
	munmap((void *)overflow_depth, 4096);
}

int main(void)
{
	proc_default_signals();
	stack_a = map_stack();
	stack_b = map_stack();
	if (!stack_a || !stack_b)
		return check_exit("signal_altstack");
	errors();
	on_stack();
	autodisarm();
	overflow();
	proc_finish();
	printf("signal_altstack: done\n");
	return check_exit("signal_altstack");
}
