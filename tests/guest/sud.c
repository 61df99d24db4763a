/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syscall user dispatch: prctl(PR_SET_SYSCALL_USER_DISPATCH) as
 * kernel/entry/syscall_user_dispatch.c has it, the semantics of the kernel's
 * selftest syscall_user_dispatch/sud_test.c.
 *
 * - the prctl's argument checks and their order (EINVAL before EFAULT);
 * - a blocked syscall is not run: SIGSYS with SYS_USER_DISPATCH, si_errno
 *   0, si_call_addr the address after the syscall instruction, the number
 *   and the audit arch, and the registers rolled back; the handler's
 *   ucontext then answers it through rt_sigreturn;
 * - the selector: ALLOW runs the call, BLOCK dispatches it, flipped inside
 *   the handler; without one every call in scope is dispatched; any other
 *   value, and an unreadable selector, kill (SIGSYS, SIGSEGV) whatever the
 *   handlers; a blocked or ignored SIGSYS kills too;
 * - regions, decided by the address after the instruction: the exclusive
 *   one (PR_SYS_DISPATCH_EXCLUSIVE_ON) passes the calls made inside it, a
 *   restorer there included; the inclusive one (INCLUSIVE_ON, Linux 6.17)
 *   dispatches only the calls inside it;
 * - on arm64 the sigreturn trampoline the kernel gives handlers without
 *   SA_RESTORER is never dispatched;
 * - fork, threads and exec leave the new task with dispatch off.
 *
 * The syscall sites are in sud_<arch>.S, at labels the regions name. A
 * host without SUD (EINVAL, as on arm64 kernels without it) skips natively;
 * a host without the inclusive mode skips that part. Children that must die
 * of a signal run with a 10 s alarm and no core dump.
 */
#include "check.h"
#include "sig.h"

#include <linux/audit.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_OFF 0
#define SYSCALL_DISPATCH_FILTER_ALLOW 0
#define SYSCALL_DISPATCH_FILTER_BLOCK 1
#endif
#ifndef PR_SYS_DISPATCH_EXCLUSIVE_ON
#define PR_SYS_DISPATCH_EXCLUSIVE_ON 1
#define PR_SYS_DISPATCH_INCLUSIVE_ON 2
#endif
#ifndef SYS_USER_DISPATCH
#define SYS_USER_DISPATCH 2
#endif

#define OFF PR_SYS_DISPATCH_OFF
#define EXCL PR_SYS_DISPATCH_EXCLUSIVE_ON
#define INCL PR_SYS_DISPATCH_INCLUSIVE_ON
#define ALLOW SYSCALL_DISPATCH_FILTER_ALLOW
#define BLOCK SYSCALL_DISPATCH_FILTER_BLOCK

/* What the handler puts in the return register: the emulated result. */
#define EMULATED 4242L

#if defined(__x86_64__)
#define UC_IP(uc) ((uc)->uc_mcontext.gregs[REG_RIP])
#define UC_RET(uc) ((uc)->uc_mcontext.gregs[REG_RAX])
#define SUD_AUDIT_ARCH AUDIT_ARCH_X86_64
/* syscall_rollback(): rax back to orig_rax, the number. */
#define ROLLED_BACK(nr, a0) ((void)(a0), (nr))
#elif defined(__aarch64__)
#define UC_IP(uc) ((uc)->uc_mcontext.pc)
#define UC_RET(uc) ((uc)->uc_mcontext.regs[0])
#define SUD_AUDIT_ARCH AUDIT_ARCH_AARCH64
/* syscall_rollback(): x0 back to orig_x0, the first argument. */
#define ROLLED_BACK(nr, a0) ((void)(nr), (a0))
#else
#error "sud.c: unknown architecture"
#endif

/* sud_<arch>.S */
long sud_far(long nr, long a0, long a1, long a2, long a3, long a4);
long sud_near(long nr, long a0, long a1, long a2, long a3, long a4);
extern char sud_far_insn[], sud_far_ret[], sud_far_end[];
extern char sud_near_start[], sud_near_end[], sud_restorer[];

#define FAR ((unsigned long)sud_far)
#define FAR_INSN ((unsigned long)sud_far_insn)
#define FAR_RET ((unsigned long)sud_far_ret)
#define FAR_LEN ((unsigned long)(sud_far_end - (char *)sud_far))
#define NEAR ((unsigned long)sud_near_start)
#define NEAR_LEN ((unsigned long)(sud_near_end - sud_near_start))

/* The selector, which the kernel reads at every syscall in scope. */
static volatile char sel;

/* What the SIGSYS handler saw, and whether it sets the selector to ALLOW
 * before it returns (for a restorer outside the allowed region). */
static volatile struct {
	int count, signo, code, err, nr;
	unsigned int arch;
	uintptr_t call_addr, ip, ret;
} rec;
static volatile int handler_flips;
/* Counts of handlers run in children, which must die before any runs. */
static volatile int *shared_hits;

static void on_sigsys(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	if (handler_flips)
		sel = ALLOW;
	if (shared_hits)
		shared_hits[0]++;
	rec.count++;
	rec.signo = sig;
	rec.code = si->si_code;
	rec.err = si->si_errno;
	rec.nr = si->si_syscall;
	rec.arch = si->si_arch;
	rec.call_addr = (uintptr_t)si->si_call_addr;
	rec.ip = UC_IP(uc);
	rec.ret = UC_RET(uc);
	UC_RET(uc) = EMULATED;
}

static void on_sigsegv(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	if (shared_hits)
		shared_hits[1]++;
}

static long sud_set(unsigned long mode, unsigned long off, unsigned long len,
		    const volatile char *s)
{
	return prctl(PR_SET_SYSCALL_USER_DISPATCH, mode, off, len, (unsigned long)s);
}

/* Dispatch off, from wherever the caller is: the selector says ALLOW. */
static void sud_off(const char *what)
{
	sel = ALLOW;
	CHECK_OK(what, sud_set(OFF, 0, 0, NULL));
}

static void rec_reset(int flips)
{
	memset((void *)&rec, 0, sizeof rec);
	handler_flips = flips;
}

/* rt_sigaction with the kernel's struct: the handler returns through
 * restorer (SA_RESTORER), or, when it is NULL, through the trampoline the
 * kernel gives (arm64's vDSO sigreturn). */
struct k_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};
#define K_SA_RESTORER 0x04000000UL

static int install_raw(void *restorer)
{
	struct k_sigaction ka = { (void *)on_sigsys, SA_SIGINFO, restorer, 0 };

	if (restorer)
		ka.flags |= K_SA_RESTORER;
	return CHECK_OK("rt_sigaction(SIGSYS)",
			syscall(SYS_rt_sigaction, SIGSYS, &ka, NULL, sizeof ka.mask));
}

/* Whether the host has SUD: natively EINVAL skips, under umbra it fails. */
static int probe(unsigned long mode, unsigned long off, unsigned long len, const char *name)
{
	int err;

	sel = ALLOW;
	if (sud_set(mode, off, len, &sel) == 0) {
		sud_off("probe: off");
		return 1;
	}
	err = errno;
	if (err == EINVAL && !under_umbra()) {
		note("the host has no %s (EINVAL): skipped", name);
		return 0;
	}
	fail("%s: expected 0 got -1 (errno %s)", name, err_name(err));
	return 0;
}

static void prctl_errors(int inclusive)
{
	/* Past user space, even with arm64's top byte taken as a tag. */
	void *bad = (void *)-1L, *high = (void *)(1UL << 55);

	CHECK_ERRNO("mode -1", sud_set(-1UL, 0, 0, &sel), EINVAL);
	CHECK_ERRNO("mode 3", sud_set(3, 0, 0, &sel), EINVAL);
	CHECK_ERRNO("mode 3, bad selector", sud_set(3, 0, 0, bad), EINVAL);
	CHECK_ERRNO("OFF, offset 1", sud_set(OFF, 1, 0, NULL), EINVAL);
	CHECK_ERRNO("OFF, len 0xff", sud_set(OFF, 0, 0xff, NULL), EINVAL);
	CHECK_ERRNO("OFF, selector", sud_set(OFF, 0, 0, &sel), EINVAL);
	CHECK_ERRNO("OFF, bad selector", sud_set(OFF, 0, 0, bad), EINVAL);
	CHECK_OK("OFF", sud_set(OFF, 0, 0, NULL));

	CHECK_ERRNO("EXCLUSIVE, offset 1 len 0", sud_set(EXCL, 1, 0, &sel), EINVAL);
	CHECK_ERRNO("EXCLUSIVE, offset -1 len 0", sud_set(EXCL, -1UL, 0, &sel), EINVAL);
	CHECK_ERRNO("EXCLUSIVE, offset 1 len -1", sud_set(EXCL, 1, -1UL, &sel), EINVAL);
	CHECK_ERRNO("EXCLUSIVE, offset -1 len 1", sud_set(EXCL, -1UL, 1, &sel), EINVAL);
	CHECK_ERRNO("EXCLUSIVE, bad range and selector", sud_set(EXCL, 1, 0, bad), EINVAL);
	CHECK_ERRNO("EXCLUSIVE, selector -1", sud_set(EXCL, 0, 1, bad), EFAULT);
	CHECK_ERRNO("EXCLUSIVE, selector 1<<55", sud_set(EXCL, 0, 1, high), EFAULT);
	sel = ALLOW;
	if (CHECK_OK("EXCLUSIVE, offset 0 len 0", sud_set(EXCL, 0, 0, &sel)))
		sud_off("EXCLUSIVE, offset 0 len 0: off");
	if (CHECK_OK("EXCLUSIVE, offset -2 len 1", sud_set(EXCL, -2UL, 1, &sel)))
		sud_off("EXCLUSIVE, offset -2 len 1: off");
	/* No selector: everything outside [0, 2^64 - 1) is dispatched. */
	if (CHECK_OK("EXCLUSIVE, offset 0 len -1, no selector", sud_set(EXCL, 0, -1UL, NULL)))
		sud_off("EXCLUSIVE, no selector: off");
	if (!inclusive)
		return;
	CHECK_ERRNO("INCLUSIVE, len 0", sud_set(INCL, FAR, 0, &sel), EINVAL);
	CHECK_ERRNO("INCLUSIVE, offset 0 len 0", sud_set(INCL, 0, 0, &sel), EINVAL);
	CHECK_ERRNO("INCLUSIVE, offset -1 len 1", sud_set(INCL, -1UL, 1, &sel), EINVAL);
	CHECK_ERRNO("INCLUSIVE, offset 1 len -1", sud_set(INCL, 1, -1UL, &sel), EINVAL);
	CHECK_ERRNO("INCLUSIVE, len 0 and bad selector", sud_set(INCL, FAR, 0, bad), EINVAL);
	CHECK_ERRNO("INCLUSIVE, selector -1", sud_set(INCL, FAR, 1, bad), EFAULT);
	if (CHECK_OK("INCLUSIVE, offset 0 len 1", sud_set(INCL, 0, 1, &sel)))
		sud_off("INCLUSIVE, offset 0 len 1: off");
}

/* The record of one dispatched call from sud_far: nr with a0, rolled back. */
static void check_dispatched(const char *what, int count, long ret, long nr, long a0)
{
	const struct {
		const char *field;
		unsigned long expected, got;
	} f[] = {
		{ "result", EMULATED, ret },
		{ "handler runs", count, rec.count },
		{ "si_signo", SIGSYS, rec.signo },
		{ "si_code", SYS_USER_DISPATCH, rec.code },
		{ "si_errno", 0, rec.err },
		{ "si_syscall", nr, rec.nr },
		{ "si_arch", SUD_AUDIT_ARCH, rec.arch },
		{ "si_call_addr", FAR_RET, rec.call_addr },
		{ "ucontext ip", FAR_RET, rec.ip },
		{ "rolled-back return register", ROLLED_BACK(nr, a0), rec.ret },
	};

	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (f[i].expected != f[i].got)
			fail("%s: %s: expected %#lx got %#lx", what, f[i].field, f[i].expected,
			     f[i].got);
}

/* Turns dispatch on with the SIGSYS handler installed, a fresh record and
 * the selector at ALLOW; nonzero when it is on. */
static int arm(const char *what, int flips, unsigned long mode, unsigned long off,
	       unsigned long len)
{
	rec_reset(flips);
	sig_install(what, SIGSYS, on_sigsys, 0, NULL);
	sel = ALLOW;
	return CHECK_OK(what, sud_set(mode, off, len, &sel));
}

/* What the selector held when the dispatched site returned. */
static char sel_after;

/* nr(a0) from the dispatched site with the selector at BLOCK, which is
 * ALLOW again at once: a failed check can then print whatever the region. */
static long far_blocked(long nr, long a0)
{
	long r;

	sel = BLOCK;
	r = sud_far(nr, a0, 0, 0, 0, 0);
	sel_after = sel;
	sel = ALLOW;
	return r;
}

/* Everything dispatched: BLOCK skips the call, ALLOW runs it. */
static void dispatch_block(void)
{
	int fds[2];
	long r;

	if (!CHECK_OK("pipe", pipe(fds)) || !arm("EXCLUSIVE on", 1, EXCL, 0, 0))
		return;
	r = far_blocked(SYS_close, fds[0]);
	check_dispatched("close, BLOCK", 1, r, SYS_close, fds[0]);
	check_long("close, BLOCK: the handler set ALLOW", ALLOW, sel_after);
	check_true("close, BLOCK: the fd is still open", fcntl(fds[0], F_GETFD) >= 0);

	r = sud_far(SYS_close, fds[0], 0, 0, 0, 0);
	check_long("close, ALLOW: result", 0, r);
	check_long("close, ALLOW: handler runs", 1, rec.count);
	CHECK_ERRNO("close, ALLOW: the fd is closed", fcntl(fds[0], F_GETFD), EBADF);

	/* A failed prctl leaves the configuration as it was. */
	CHECK_ERRNO("mode 3 while on", sud_set(3, 0, 0, &sel), EINVAL);
	r = far_blocked(SYS_getppid, 0);
	check_dispatched("getppid after a failed prctl", 2, r, SYS_getppid, 0);

	sud_off("EXCLUSIVE: off");
	r = far_blocked(SYS_getppid, 0);
	check_long("off: getppid runs", getppid(), r);
	check_long("off: handler runs", 2, rec.count);
	close(fds[1]);
}

/* The exclusive region is decided by the address after the instruction. */
static void exclusive_edges(void)
{
	long ppid = getppid(), r;

	if (!arm("EXCLUSIVE near", 1, EXCL, NEAR, NEAR_LEN))
		return;
	sel = BLOCK;
	r = sud_near(SYS_getppid, 0, 0, 0, 0, 0);
	sel = ALLOW;
	check_long("inside the region: getppid runs", ppid, r);
	r = far_blocked(SYS_getppid, 0);
	check_dispatched("outside the region", 1, r, SYS_getppid, 0);

	if (!CHECK_OK("EXCLUSIVE [ret, ret+1)", sud_set(EXCL, FAR_RET, 1, &sel)))
		return;
	r = far_blocked(SYS_getppid, 0);
	check_long("region holds the address after: getppid runs", ppid, r);
	check_long("region holds the address after: handler runs", 1, rec.count);

	if (!CHECK_OK("EXCLUSIVE [insn, ret)", sud_set(EXCL, FAR_INSN, FAR_RET - FAR_INSN, &sel)))
		return;
	r = far_blocked(SYS_getppid, 0);
	check_dispatched("region holds only the instruction", 2, r, SYS_getppid, 0);
	sud_off("EXCLUSIVE edges: off");
}

/* Dispatched only inside the inclusive region; the libc restorer is
 * outside it, so the handler returns with the selector still BLOCK. */
static void inclusive_region(void)
{
	long ppid = getppid(), r, libc, near;

	if (!arm("INCLUSIVE far", 0, INCL, FAR, FAR_LEN))
		return;
	sel = BLOCK;
	libc = getppid();
	near = sud_near(SYS_getppid, 0, 0, 0, 0, 0);
	sel = ALLOW;
	check_long("INCLUSIVE: libc getppid runs", ppid, libc);
	check_long("INCLUSIVE: near getppid runs", ppid, near);
	r = far_blocked(SYS_getppid, 0);
	check_dispatched("INCLUSIVE: far getppid", 1, r, SYS_getppid, 0);
	check_long("INCLUSIVE: selector kept", BLOCK, sel_after);

	if (CHECK_OK("INCLUSIVE [insn, ret)", sud_set(INCL, FAR_INSN, FAR_RET - FAR_INSN, &sel)))
		check_long("INCLUSIVE, region holds only the instruction: getppid runs", ppid,
			   far_blocked(SYS_getppid, 0));
	if (CHECK_OK("INCLUSIVE [ret, ret+1)", sud_set(INCL, FAR_RET, 1, &sel))) {
		r = far_blocked(SYS_getppid, 0);
		check_dispatched("INCLUSIVE, region holds the address after", 2, r, SYS_getppid, 0);
	}
	if (CHECK_OK("INCLUSIVE, no selector", sud_set(INCL, FAR, FAR_LEN, NULL))) {
		r = sud_far(SYS_getppid, 0, 0, 0, 0, 0);
		check_dispatched("INCLUSIVE, no selector", 3, r, SYS_getppid, 0);
	}
	sud_off("INCLUSIVE: off");
}

/* A child that ends as its checks went. */
static pid_t child(const char *what)
{
	pid_t pid = proc_fork(what);

	if (pid == 0) {
		alarm(10);
		sig_no_core();
	}
	return pid;
}

/* The handler returns with the selector still BLOCK: its rt_sigreturn
 * passes only from the allowed region (its own restorer there) or, on
 * arm64, from the kernel's trampoline. A dispatched sigreturn would recurse
 * until the stack overflows: in a child. */
static void handler_returns_blocked(void)
{
	pid_t pid = child("restorer in the region");
	long r;

	if (pid == 0) {
		long ppid = getppid();

		rec_reset(0);
		if (install_raw(sud_restorer) &&
		    CHECK_OK("EXCLUSIVE near", sud_set(EXCL, NEAR, NEAR_LEN, &sel))) {
			long on, off;

			r = far_blocked(SYS_getppid, 0);
			check_dispatched("restorer in the region", 1, r, SYS_getppid, 0);
			check_long("restorer in the region: selector kept", BLOCK, sel_after);
			/* No selector: dispatched whatever it says. Nothing may
			 * print until it is off. */
			on = sud_near(SYS_prctl, PR_SET_SYSCALL_USER_DISPATCH, EXCL, NEAR,
				      NEAR_LEN, 0);
			r = sud_far(SYS_getppid, 0, 0, 0, 0, 0);
			off = sud_near(SYS_prctl, PR_SET_SYSCALL_USER_DISPATCH, OFF, 0, 0, 0);
			check_long("EXCLUSIVE near, no selector", 0, on);
			check_dispatched("no selector", 2, r, SYS_getppid, 0);
			check_long("off from the region", 0, off);
			check_long("off: getppid runs", ppid, sud_far(SYS_getppid, 0, 0, 0, 0, 0));
		}
		proc_child_exit();
	}
	proc_reap("restorer in the region", pid, PROC_EXITED(0));
#if defined(__aarch64__)
	/* The selector through a tagged pointer (TBI): the kernel checks it
	 * untagged and reads it as given. */
	pid = child("vDSO sigreturn");
	if (pid == 0) {
		volatile char *tagged = (volatile char *)((uintptr_t)&sel | 0x5aUL << 56);

		rec_reset(0);
		if (install_raw(NULL) && CHECK_OK("EXCLUSIVE", sud_set(EXCL, 0, 0, tagged))) {
			r = far_blocked(SYS_getppid, 0);
			check_dispatched("vDSO sigreturn, tagged selector", 1, r, SYS_getppid, 0);
			check_long("vDSO sigreturn: selector kept", BLOCK, sel_after);
			sud_off("vDSO sigreturn: off");
		}
		proc_child_exit();
	}
	proc_reap("vDSO sigreturn", pid, PROC_EXITED(0));
#endif
}

enum death { BAD_VALUE, SIGSYS_BLOCKED, SIGSYS_IGNORED, UNREADABLE };

/* In a child with handlers for SIGSYS and SIGSEGV: what must kill it. */
static void die(enum death how, volatile char *s)
{
	sigset_t set;

	sig_install("die", SIGSYS, on_sigsys, 0, NULL);
	sig_install("die", SIGSEGV, on_sigsegv, 0, NULL);
	*s = ALLOW;
	if (!CHECK_OK("die: EXCLUSIVE", sud_set(EXCL, 0, 0, s)))
		return;
	switch (how) {
	case BAD_VALUE:
		*s = 2;
		break;
	case SIGSYS_BLOCKED:
		sigemptyset(&set);
		sigaddset(&set, SIGSYS);
		sigprocmask(SIG_BLOCK, &set, NULL);
		*s = BLOCK;
		break;
	case SIGSYS_IGNORED:
		signal(SIGSYS, SIG_IGN);
		*s = BLOCK;
		break;
	case UNREADABLE:
		mprotect((void *)((uintptr_t)s & ~4095UL), 4096, PROT_NONE);
		break;
	}
	sud_far(SYS_getppid, 0, 0, 0, 0, 0);
	fail("die %d: the dispatched call returned", (int)how);
}

static void deaths(void)
{
	static const struct {
		const char *what;
		enum death how;
		int sig;
	} cases[] = {
		{ "selector 2", BAD_VALUE, SIGSYS },
		{ "SIGSYS blocked", SIGSYS_BLOCKED, SIGSYS },
		{ "SIGSYS ignored", SIGSYS_IGNORED, SIGSYS },
		{ "unreadable selector", UNREADABLE, SIGSEGV },
	};
	volatile char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (!check_true("mmap", page != MAP_FAILED))
		return;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		pid_t pid;

		shared_hits[0] = shared_hits[1] = 0;
		pid = child(cases[i].what);
		if (pid == 0) {
			die(cases[i].how, cases[i].how == UNREADABLE ? page : &sel);
			proc_child_exit();
		}
		sig_reap_killed(cases[i].what, pid, cases[i].sig);
		check_long(cases[i].what, 0, shared_hits[0] + shared_hits[1]);
	}
	munmap((void *)page, 4096);
}

/* fork gives the child dispatch off; the parent keeps it. */
static void fork_resets(void)
{
	pid_t pid;
	long r;

	if (!arm("fork: EXCLUSIVE", 1, EXCL, 0, 0))
		return;
	pid = child("fork");
	if (pid == 0) {
		long self = getpid();

		r = far_blocked(SYS_getpid, 0);
		check_long("fork child: getpid runs", self, r);
		check_long("fork child: handler runs", 0, rec.count);
		proc_child_exit();
	}
	proc_reap("fork child", pid, PROC_EXITED(0));
	r = far_blocked(SYS_getpid, 0);
	check_dispatched("fork parent", 1, r, SYS_getpid, 0);
	sud_off("fork: off");
}

static long thread_result;

static void *thread_main(void *arg)
{
	(void)arg;
	thread_result = sud_far(SYS_gettid, 0, 0, 0, 0, 0) == gettid();
	return NULL;
}

/* A new thread has dispatch off (the inclusive region keeps the
 * creating thread's own calls out of it meanwhile). */
static void thread_resets(void)
{
	pthread_t th;
	long r;

	if (!arm("thread: INCLUSIVE far", 0, INCL, FAR, FAR_LEN))
		return;
	sel = BLOCK;
	if (check_err_ret("pthread_create", pthread_create(&th, NULL, thread_main, NULL), 0)) {
		check_err_ret("pthread_join", pthread_join(th, NULL), 0);
		check_long("thread: gettid runs", 1, thread_result);
		check_long("thread: handler runs", 0, rec.count);
	}
	r = sud_far(SYS_getppid, 0, 0, 0, 0, 0);
	check_dispatched("thread's creator", 1, r, SYS_getppid, 0);
	sud_off("thread: off");
}

/* exec gives the new image dispatch off; the image checks (exec_check). */
static void exec_resets(const char *self)
{
	pid_t pid = child("exec");

	if (pid == 0) {
		sel = ALLOW;
		if (CHECK_OK("exec: EXCLUSIVE", sud_set(EXCL, 0, 0, &sel))) {
			execl(self, self, "exec-check", (char *)NULL);
			fail("execl(%s): errno %s", self, err_name(errno));
		}
		proc_child_exit();
	}
	proc_reap("exec", pid, PROC_EXITED(0));
}

/* The exec'd image: sel is at the same address, and would be read. */
static int exec_check(void)
{
	long self = getpid(), r;

	rec_reset(1);
	sig_install("exec-check", SIGSYS, on_sigsys, 0, NULL);
	r = far_blocked(SYS_getpid, 0);
	check_long("exec'd image: getpid runs", self, r);
	check_long("exec'd image: handler runs", 0, rec.count);
	return check_exit("sud exec-check");
}

int main(int argc, char **argv)
{
	int inclusive;

	if (argc > 1 && !strcmp(argv[1], "exec-check"))
		return exec_check();
	alarm(60);
	if (!probe(EXCL, 0, 0, "syscall user dispatch"))
		return check_failures ? check_exit("sud") : EXIT_SKIP;
	inclusive = probe(INCL, FAR, FAR_LEN, "PR_SYS_DISPATCH_INCLUSIVE_ON");
	shared_hits = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!check_true("mmap shared", shared_hits != MAP_FAILED))
		return check_exit("sud");
	sig_install("main", SIGSYS, on_sigsys, 0, NULL);
	prctl_errors(inclusive);
	dispatch_block();
	exclusive_edges();
	if (inclusive)
		inclusive_region();
	handler_returns_blocked();
	deaths();
	fork_resets();
	if (inclusive)
		thread_resets();
	exec_resets(argv[0]);
	return check_exit("sud");
}
