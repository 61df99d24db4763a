// SPDX-License-Identifier: Apache-2.0
/*
 * What checkpoint/restore tools read and set through ptrace:
 *
 * PTRACE_GET_RSEQ_CONFIGURATION (0x420f, Linux 5.13; kernel/ptrace.c
 * ptrace_get_rseq_configuration): the tracee's rseq area (glibc's, at the
 * thread pointer + __rseq_offset), its registered length, RSEQ_SIG and
 * flags 0. It copies min(addr, 24) bytes and returns 24 whatever addr is;
 * all zero once the tracee has unregistered (but the size, 32, before
 * Linux 6.3's rseq_len); EFAULT for a bad buffer.
 *
 * PTRACE_GET/SET_SYSCALL_USER_DISPATCH_CONFIG (0x4211/0x4210, Linux 6.4;
 * kernel/entry/syscall_user_dispatch.c, the semantics of the selftest
 * ptrace/get_set_sud.c): addr must be sizeof(struct ptrace_sud_config) (32,
 * else EINVAL); GET gives mode PR_SYS_DISPATCH_ON or OFF, the selector,
 * offset and len (an inclusive region as the kernel stores it: offset +
 * len and -len); SET takes prctl's checks (EINVAL, EFAULT for a selector
 * past user space). SET turns dispatch on in a tracee, which then gets
 * SIGSYS for a blocked call (a signal-delivery-stop first), and off, after
 * which the call runs.
 *
 * Kernels without a request (EIO: arm64 6.1 has no SUD requests) or
 * without SUD (EINVAL) skip that part natively and say so.
 */
#include "tracer.h"
#include "rseq_abi.h"

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_OFF 0
#define PR_SYS_DISPATCH_ON 1
#define SYSCALL_DISPATCH_FILTER_ALLOW 0
#define SYSCALL_DISPATCH_FILTER_BLOCK 1
#endif
#ifndef PR_SYS_DISPATCH_INCLUSIVE_ON
#define PR_SYS_DISPATCH_INCLUSIVE_ON 2
#endif
#ifndef SYS_USER_DISPATCH
#define SYS_USER_DISPATCH 2
#endif

#define PT_SET_SUD_CONFIG 0x4210
#define PT_GET_SUD_CONFIG 0x4211
#define RSEQ_CONF_SIZE 24L

/* include/uapi/linux/ptrace.h struct ptrace_sud_config */
struct sud_config {
	uint64_t mode;
	uint64_t selector;
	uint64_t offset;
	uint64_t len;
};

/* The region the tracee sets itself; no code of the test is there. */
#define REGION_OFF 0x10000UL
#define REGION_LEN 0x1000UL

/* ---- rseq ---- */

static int unregister_then_stop(void *arg)
{
	(void)arg;
	if (!rseq_drop_glibc("tracee: unregister glibc's rseq"))
		return 1;
	pt_stop_self();
	return 0;
}

static long get_rseq(pid_t pid, unsigned long size, void *buf)
{
	return pt_sysp(PTRACE_GET_RSEQ_CONFIGURATION, pid, size, buf);
}

/* What a buffer of bytes holds past what the request may write. */
static int untouched_from(const unsigned char *buf, size_t from, size_t len)
{
	for (size_t i = from; i < len; i++)
		if (buf[i] != 0xa5)
			return 0;
	return 1;
}

static void rseq_sizes(pid_t pid, const struct rseq_abi *area)
{
	unsigned char buf[128];

	memset(buf, 0xa5, sizeof(buf));
	check_long("GET_RSEQ_CONFIGURATION of 8 bytes returns 24", RSEQ_CONF_SIZE,
		   get_rseq(pid, 8, buf));
	check_ulong("... and copies the pointer", (uintptr_t)area, *(uint64_t *)buf);
	check_true("... and nothing after it", untouched_from(buf, 8, sizeof(buf)));
	memset(buf, 0xa5, sizeof(buf));
	check_long("GET_RSEQ_CONFIGURATION of 100 bytes returns 24", RSEQ_CONF_SIZE,
		   get_rseq(pid, 100, buf));
	check_true("... and copies 24", untouched_from(buf, 24, sizeof(buf)));
	check_long("GET_RSEQ_CONFIGURATION of 0 bytes to NULL", RSEQ_CONF_SIZE,
		   get_rseq(pid, 0, NULL));
	CHECK_ERRNO("GET_RSEQ_CONFIGURATION into a bad pointer",
		    get_rseq(pid, RSEQ_CONF_SIZE, bad_address()), EFAULT);
}

/* glibc's registration as the tracer sees it; 0 when the host lacks it. */
static int rseq_registered(pid_t pid)
{
	struct __ptrace_rseq_configuration c;
	const struct rseq_abi *area = rseq_glibc_area();
	long r;

	memset(&c, 0xa5, sizeof(c));
	r = get_rseq(pid, sizeof(c), &c);
	if (r == -1 && pt_host_lacks("PTRACE_GET_RSEQ_CONFIGURATION", errno, EIO))
		return 0;
	if (!check_long("GET_RSEQ_CONFIGURATION returns its size", RSEQ_CONF_SIZE, r))
		return 1;
	if (!area) {
		note("glibc registered no rseq area: the tracer expects none");
		check_ulong("rseq_abi_pointer without an area", 0, c.rseq_abi_pointer);
		return 1;
	}
	check_ulong("rseq_abi_pointer: thread pointer + __rseq_offset", (uintptr_t)area,
		    c.rseq_abi_pointer);
	/* glibc 2.35 to 2.39 register 32 bytes and say so in __rseq_size. */
	if (__rseq_size == RSEQ_LEGACY_LEN)
		check_long("rseq_abi_size: the length registered", RSEQ_LEGACY_LEN,
			   c.rseq_abi_size);
	else
		check_true("rseq_abi_size: at least 32", c.rseq_abi_size >= RSEQ_LEGACY_LEN);
	check_ulong("signature", RSEQ_SIG, c.signature);
	check_ulong("flags", 0, c.flags);
	check_ulong("pad", 0, c.pad);
	rseq_sizes(pid, area);
	return 1;
}

/* All zero; before Linux 6.3 (no AT_RSEQ_FEATURE_SIZE) the size stays 32. */
static void rseq_unregistered(pid_t pid)
{
	struct __ptrace_rseq_configuration c;
	uint32_t size = 0;

	memset(&c, 0xa5, sizeof(c));
	check_long("after unregistering: returns 24", RSEQ_CONF_SIZE,
		   get_rseq(pid, sizeof(c), &c));
	check_true("after unregistering: pointer, signature, flags zero",
		   !c.rseq_abi_pointer && !c.signature && !c.flags && !c.pad);
	if (!getauxval(AT_RSEQ_FEATURE_SIZE) && !under_umbra()) {
		note("the host predates rseq_len (Linux 6.3): rseq_abi_size %u kept",
		     c.rseq_abi_size);
		size = RSEQ_LEGACY_LEN;
	}
	check_long("after unregistering: rseq_abi_size", size, c.rseq_abi_size);
}

static void rseq_config(void)
{
	const char *what = "PTRACE_GET_RSEQ_CONFIGURATION";
	pid_t pid;

	pt_watchdog(what, PT_TIMEOUT);
	pid = pt_traceme(what, unregister_then_stop, NULL);
	if (pid < 0)
		return;
	if (!rseq_registered(pid)) {
		pt_kill(pid);
		return;
	}
	pt_cont(what, pid, 0);
	if (pt_expect_stop("the tracee unregistered", pid, SIGSTOP))
		rseq_unregistered(pid);
	pt_cont(what, pid, 0);
	pt_expect_end(what, pid, PROC_EXITED(0));
}

/* ---- syscall user dispatch ---- */

static volatile char sel = SYSCALL_DISPATCH_FILTER_ALLOW;
static volatile long sigsys_count, sigsys_code, sigsys_nr;
/* Whether the tracee's PR_SYS_DISPATCH_INCLUSIVE_ON worked (Linux 6.17). */
static volatile long incl_ok;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	/* Lets the handler's own rt_sigreturn through. */
	sel = SYSCALL_DISPATCH_FILTER_ALLOW;
	sigsys_count++;
	sigsys_code = si->si_code;
	sigsys_nr = si->si_syscall;
}

static long sud_prctl(unsigned long mode, unsigned long off, unsigned long len)
{
	return prctl(PR_SET_SYSCALL_USER_DISPATCH, mode, off, len, mode ? &sel : NULL);
}

/*
 * The tracee: stops (the tracer turns dispatch on), calls getppid with
 * the selector at BLOCK; sets a region itself and stops (the tracer reads
 * it and turns it off); the same inclusive (incl_ok 0 when the kernel has
 * no inclusive mode); calls getppid blocked again.
 */
static int sud_tracee(void *arg)
{
	long ppid;

	(void)arg;
	if (!sig_install("tracee", SIGSYS, on_sigsys, 0, NULL))
		return 4;
	pt_stop_self();
	sel = SYSCALL_DISPATCH_FILTER_BLOCK;
	syscall(SYS_getppid);
	if (sud_prctl(PR_SYS_DISPATCH_ON, REGION_OFF, REGION_LEN) != 0)
		return 5;
	pt_stop_self();
	incl_ok = sud_prctl(PR_SYS_DISPATCH_INCLUSIVE_ON, REGION_OFF, REGION_LEN) == 0;
	pt_stop_self();
	sel = SYSCALL_DISPATCH_FILTER_BLOCK;
	ppid = syscall(SYS_getppid);
	pt_report(sigsys_count, sigsys_code, sigsys_nr, ppid);
	return 0;
}

static long get_sud(pid_t pid, struct sud_config *c)
{
	memset(c, 0xff, sizeof(*c));
	return pt_sysp(PT_GET_SUD_CONFIG, pid, sizeof(*c), c);
}

static long set_sud(pid_t pid, uint64_t mode, const volatile char *selector,
		    uint64_t off, uint64_t len)
{
	struct sud_config c = { mode, (uintptr_t)selector, off, len };

	return pt_sysp(PT_SET_SUD_CONFIG, pid, sizeof(c), &c);
}

static void check_sud(const char *what, pid_t pid, uint64_t mode,
		      const volatile char *selector, uint64_t off, uint64_t len)
{
	struct sud_config c;
	char w[160];

	snprintf(w, sizeof(w), "%s: GET_SYSCALL_USER_DISPATCH_CONFIG", what);
	if (!CHECK_OK(w, get_sud(pid, &c)))
		return;
	snprintf(w, sizeof(w), "%s: mode", what);
	check_ulong(w, mode, c.mode);
	snprintf(w, sizeof(w), "%s: selector", what);
	check_ulong(w, (uintptr_t)selector, c.selector);
	snprintf(w, sizeof(w), "%s: offset", what);
	check_ulong(w, off, c.offset);
	snprintf(w, sizeof(w), "%s: len", what);
	check_ulong(w, len, c.len);
}

static void sud_errors(pid_t pid)
{
	struct sud_config c = { 0, 0, 0, 0 };

	CHECK_ERRNO("GET with addr 31", pt_sysp(PT_GET_SUD_CONFIG, pid, 31, &c), EINVAL);
	CHECK_ERRNO("GET with addr 33", pt_sysp(PT_GET_SUD_CONFIG, pid, 33, &c), EINVAL);
	CHECK_ERRNO("GET into a bad pointer",
		    pt_sysp(PT_GET_SUD_CONFIG, pid, sizeof(c), bad_address()), EFAULT);
	CHECK_ERRNO("SET with addr 16", pt_sysp(PT_SET_SUD_CONFIG, pid, 16, &c), EINVAL);
	CHECK_ERRNO("SET from a bad pointer",
		    pt_sysp(PT_SET_SUD_CONFIG, pid, sizeof(c), bad_address()), EFAULT);
	CHECK_ERRNO("SET mode 3", set_sud(pid, 3, &sel, 0, 0), EINVAL);
	CHECK_ERRNO("SET OFF with an offset", set_sud(pid, PR_SYS_DISPATCH_OFF, NULL, 1, 0),
		    EINVAL);
	CHECK_ERRNO("SET ON with a wrapping region",
		    set_sud(pid, PR_SYS_DISPATCH_ON, &sel, -1UL, 2), EINVAL);
	CHECK_ERRNO("SET ON with a selector past user space",
		    set_sud(pid, PR_SYS_DISPATCH_ON, (const volatile char *)-1L, 0, 0),
		    EFAULT);
	check_sud("after the failed SETs", pid, PR_SYS_DISPATCH_OFF, NULL, 0, 0);
}

/* At the first stop: 1 when the host has the requests, and dispatch is on. */
static int sud_turn_on(pid_t pid)
{
	struct sud_config c;

	if (get_sud(pid, &c) == -1 &&
	    (pt_host_lacks("PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG", errno, EIO) ||
	     pt_host_lacks("syscall user dispatch", errno, EINVAL)))
		return 0;
	check_sud("a tracee without dispatch", pid, PR_SYS_DISPATCH_OFF, NULL, 0, 0);
	sud_errors(pid);
	CHECK_OK("SET ON, everything dispatched",
		 set_sud(pid, PR_SYS_DISPATCH_ON, &sel, 0, 0));
	check_sud("after SET ON", pid, PR_SYS_DISPATCH_ON, &sel, 0, 0);
	return 1;
}

/* The SIGSYS of a dispatched call is a signal-delivery-stop like others. */
static void sigsys_stop(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0x5a, sizeof(si));
	if (!CHECK_OK("GETSIGINFO at the SIGSYS stop", pt_sysp(PTRACE_GETSIGINFO, pid, 0, &si)))
		return;
	check_long("the SIGSYS stop: si_code", SYS_USER_DISPATCH, si.si_code);
	check_long("the SIGSYS stop: si_syscall", SYS_getppid, si.si_syscall);
	check_ulong("the SIGSYS stop: si_arch", PT_AUDIT_ARCH, si.si_arch);
}

/* The tracee's own region read, then turned off by SET. */
static void sud_turn_off(const char *what, pid_t pid, uint64_t off, uint64_t len)
{
	check_sud(what, pid, PR_SYS_DISPATCH_ON, &sel, off, len);
	CHECK_OK("SET OFF", set_sud(pid, PR_SYS_DISPATCH_OFF, NULL, 0, 0));
	check_sud("after SET OFF", pid, PR_SYS_DISPATCH_OFF, NULL, 0, 0);
}

/* Linux keeps an inclusive region inverted: offset + len, -len. */
static void sud_inclusive(pid_t pid)
{
	long ok;

	if (!pt_peek("the inclusive prctl's result", pid, (const void *)&incl_ok, &ok))
		return;
	if (ok)
		sud_turn_off("an inclusive region", pid, REGION_OFF + REGION_LEN, -REGION_LEN);
	else if (!under_umbra())
		note("the host has no PR_SYS_DISPATCH_INCLUSIVE_ON: skipped");
	else
		fail("PR_SYS_DISPATCH_INCLUSIVE_ON in the tracee: expected 0 got -1");
}

static void check_sud_report(void)
{
	struct pt_report r;

	if (!pt_recv_report("SUD", &r))
		return;
	check_long("SIGSYS once: for the call made while SET had it on", 1, r.v[0]);
	check_long("SIGSYS's si_code", SYS_USER_DISPATCH, r.v[1]);
	check_long("SIGSYS's si_syscall", SYS_getppid, r.v[2]);
	check_long("after SET OFF the call runs", getpid(), r.v[3]);
}

static void sud_config(void)
{
	const char *what = "SYSCALL_USER_DISPATCH_CONFIG";
	pid_t pid;

	pt_watchdog(what, PT_TIMEOUT);
	pid = pt_traced_child(what, sud_tracee);
	if (pid < 0)
		return;
	pt_cont(what, pid, 0);
	if (!pt_expect_stop(what, pid, SIGSTOP) || !sud_turn_on(pid)) {
		proc_close(&pt_rep[0]);
		pt_kill(pid);
		return;
	}
	pt_cont(what, pid, 0);
	if (pt_expect_stop("the dispatched call's SIGSYS", pid, SIGSYS))
		sigsys_stop(pid);
	pt_cont(what, pid, SIGSYS);
	/* The handler ran, turned the selector to ALLOW; the tracee's prctl. */
	if (pt_expect_stop("the tracee's own region", pid, SIGSTOP))
		sud_turn_off("the tracee's own region", pid, REGION_OFF, REGION_LEN);
	pt_cont(what, pid, 0);
	if (pt_expect_stop("an inclusive region", pid, SIGSTOP))
		sud_inclusive(pid);
	pt_cont(what, pid, 0);
	check_sud_report();
	pt_expect_end(what, pid, PROC_EXITED(0));
}

int main(void)
{
	proc_default_signals();
	rseq_config();
	sud_config();
	alarm(0);
	proc_finish();
	return check_exit("ptrace_rseq_sud");
}
