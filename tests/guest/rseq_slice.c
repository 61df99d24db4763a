// SPDX-License-Identifier: Apache-2.0
/*
 * The rseq time-slice extension (Linux 7.1: kernel/rseq.c, kernel/sys.c,
 * include/linux/rseq_entry.h): prctl(PR_RSEQ_SLICE_EXTENSION) and its
 * errors in the kernel's order, the flags word it keeps, DEFAULT_ON at
 * registration, legacy (32-byte) registrations, fork; then grants under
 * forced preemption: thread A requests an extension while thread B spins
 * on the same CPU, and each way a grant ends is checked (rseq_slice_yield,
 * the timer, another syscall), with and without the extension enabled.
 *
 * Skips (77) natively where the kernel has no slice extension (prctl EINVAL
 * or AT_RSEQ_FEATURE_SIZE < 33); under umbra every case runs.
 *
 * No spin calls the kernel: umbra has no vDSO, so clock_gettime would be a
 * syscall and end the grant. Spins read a flag the main thread raises
 * when the 10 s it waits for thread A have passed.
 */
#include "sig.h"
#include "rseq_slice_abi.h"

#include <pthread.h>
#include <sched.h>
#include <sys/auxv.h>
#include <time.h>

#define WAIT_S 10
#define YIELD_TRIES 20

static struct slice_rseq area_main;
static struct slice_rseq area_a;

static volatile sig_atomic_t segv_armed, segv_count, segv_stray;

/* A result as Linux gives it: >= 0, or -errno. */
static long res(long ret)
{
	return ret == -1 ? -errno : ret;
}

static const char *res_name(long r, char *buf, size_t len)
{
	if (r >= 0)
		snprintf(buf, len, "%ld", r);
	else if (r == -SLICE_ENOTSUPP)
		snprintf(buf, len, "-1 (ENOTSUPP)");
	else
		snprintf(buf, len, "-1 (%s)", err_name((int)-r));
	return buf;
}

static int check_res(const char *what, long expected, long got)
{
	char a[48], b[48];

	if (expected == got)
		return 1;
	fail("%s: expected %s got %s", what, res_name(expected, a, sizeof(a)),
	     res_name(got, b, sizeof(b)));
	return 0;
}

#define PRCTL(op, a3, a4, a5) res(slice_prctl(op, a3, a4, a5))
#define GET() PRCTL(SLICE_PR_GET, 0, 0, 0)
#define SET(on) PRCTL(SLICE_PR_SET, on, 0, 0)

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (segv_armed) {
		segv_count++;
		return;
	}
	/* Sent for no case here: counted; a fault's retry, or the next one,
	 * kills. */
	segv_stray++;
	signal(sig, SIG_DFL);
}

static uint32_t flags_of(struct slice_rseq *rs)
{
	return __atomic_load_n(&rs->flags, __ATOMIC_RELAXED);
}

static void set_flags(struct slice_rseq *rs, uint32_t v)
{
	__atomic_store_n(&rs->flags, v, __ATOMIC_RELAXED);
}

/* Registers rs with len and flags after filling it with what the kernel
 * must overwrite. */
static int reg(const char *what, struct slice_rseq *rs, uint32_t len, int flags)
{
	memset(rs, 0, sizeof(*rs));
	rs->flags = SLICE_AVAILABLE | SLICE_ENABLED | 0x3;
	rs->slice_ctrl.all = SLICE_CTRL_REQUEST | SLICE_CTRL_GRANTED;
	return check_res(what, 0, res(slice_rseq_call(rs, len, flags)));
}

static void unreg(const char *what, struct slice_rseq *rs, uint32_t len)
{
	check_res(what, 0, res(slice_rseq_call(rs, len, SLICE_FLAG_UNREGISTER)));
}

/* kernel/sys.c checks arg4 and arg5 before rseq_slice_extension_prctl. */
static void check_unregistered(void)
{
	check_res("GET with arg4", -EINVAL, PRCTL(SLICE_PR_GET, 0, 1, 0));
	check_res("GET with arg5", -EINVAL, PRCTL(SLICE_PR_GET, 0, 0, 1));
	check_res("SET 1 with arg4, unregistered", -EINVAL, PRCTL(SLICE_PR_SET, 1, 1, 0));
	check_res("GET with arg3 1", -EINVAL, PRCTL(SLICE_PR_GET, 1, 0, 0));
	check_res("GET, unregistered", 0, GET());
	check_res("SET 2, unregistered", -EINVAL, SET(2));
	check_res("SET 3, unregistered", -EINVAL, SET(3));
	check_res("SET 1, unregistered", -ENXIO, SET(1));
	check_res("SET 0, unregistered", -ENXIO, SET(0));
	check_res("arg2 0", -EINVAL, PRCTL(0, 0, 0, 0));
	check_res("arg2 3", -EINVAL, PRCTL(3, 0, 0, 0));
	check_res("rseq_slice_yield, unregistered", 0, res(slice_yield()));
}

/* A 32-byte registration is the legacy ABI: no extension, flags 0. */
static void check_legacy(void)
{
	if (reg("register 32 bytes", &area_main, SLICE_LEGACY_LEN, 0)) {
		check_ulong("flags after a 32-byte registration", 0, flags_of(&area_main));
		check_res("SET 2, legacy", -EINVAL, SET(2));
		check_res("SET 1, legacy", -SLICE_ENOTSUPP, SET(1));
		check_res("SET 0, legacy", -SLICE_ENOTSUPP, SET(0));
		check_res("GET, legacy", 0, GET());
		unreg("unregister 32 bytes", &area_main, SLICE_LEGACY_LEN);
	}
	if (reg("register 32 bytes DEFAULT_ON", &area_main, SLICE_LEGACY_LEN,
		SLICE_FLAG_DEFAULT_ON)) {
		check_ulong("flags after a 32-byte DEFAULT_ON registration", 0,
			    flags_of(&area_main));
		check_res("GET, legacy DEFAULT_ON", 0, GET());
		unreg("unregister 32 bytes DEFAULT_ON", &area_main, SLICE_LEGACY_LEN);
	}
}

/*
 * SET that changes the state reads the flags word first: without the bits
 * the kernel wrote (AVAILABLE, and ENABLED while enabled) the caller gets
 * SIGSEGV and EFAULT, and nothing changes.
 */
static void check_bad_flags(const char *what, uint32_t bad, unsigned long on, long state)
{
	uint32_t good = flags_of(&area_main);
	char buf[96];

	segv_count = 0;
	segv_armed = 1;
	set_flags(&area_main, bad);
	snprintf(buf, sizeof(buf), "%s: SET %lu", what, on);
	check_res(buf, -EFAULT, SET(on));
	segv_armed = 0;
	snprintf(buf, sizeof(buf), "%s: SIGSEGVs", what);
	check_long(buf, 1, segv_count);
	snprintf(buf, sizeof(buf), "%s: GET after", what);
	check_res(buf, state, GET());
	snprintf(buf, sizeof(buf), "%s: flags word after", what);
	check_ulong(buf, bad, flags_of(&area_main));
	set_flags(&area_main, good);
}

/* fork keeps the registration and the enabled state; the child's SET is
 * its own. */
static void check_fork(void)
{
	pid_t pid = proc_fork("fork");

	if (pid == 0) {
		check_res("child: GET", 1, GET());
		check_res("child: SET 0", 0, SET(0));
		check_ulong("child: flags", SLICE_AVAILABLE, flags_of(&area_main));
		proc_child_exit();
	}
	proc_reap("fork: child", pid, PROC_EXITED(0));
	check_res("GET after the child's SET 0", 1, GET());
	check_ulong("flags after the child's SET 0", SLICE_AVAILABLE | SLICE_ENABLED,
		    flags_of(&area_main));
}

static void check_set_get(void)
{
	struct slice_rseq *rs = &area_main;

	if (!reg("register 64 bytes", rs, SLICE_AREA_LEN, 0))
		return;
	check_ulong("flags after registration", SLICE_AVAILABLE, flags_of(rs));
	check_ulong("slice_ctrl after registration", 0, slice_ctrl(rs));
	check_res("GET after registration", 0, GET());
	check_res("GET with arg3 1, registered", -EINVAL, PRCTL(SLICE_PR_GET, 1, 0, 0));
	check_res("SET 1 with arg5, registered", -EINVAL, PRCTL(SLICE_PR_SET, 1, 0, 1));
	check_res("SET 2, registered", -EINVAL, SET(2));
	check_res("SET 0, no change", 0, SET(0));
	/* No change returns before the flags word is read. */
	set_flags(rs, 0);
	check_res("SET 0, no change, flags word 0", 0, SET(0));
	set_flags(rs, SLICE_AVAILABLE);
	check_bad_flags("flags word 0", 0, 1, 0);
	check_res("SET 1", 0, SET(1));
	check_ulong("flags after SET 1", SLICE_AVAILABLE | SLICE_ENABLED, flags_of(rs));
	check_res("GET after SET 1", 1, GET());
	check_res("SET 1, no change", 0, SET(1));
	check_bad_flags("flags word without ENABLED", SLICE_AVAILABLE, 0, 1);
	check_bad_flags("flags word without AVAILABLE", SLICE_ENABLED, 0, 1);
	check_fork();
	check_res("SET 0", 0, SET(0));
	check_ulong("flags after SET 0", SLICE_AVAILABLE, flags_of(rs));
	check_res("GET after SET 0", 0, GET());
	check_res("SET 1 again", 0, SET(1));
	unreg("unregister 64 bytes", rs, SLICE_AREA_LEN);
	check_res("GET after unregistering", 0, GET());
	check_res("SET 1 after unregistering", -ENXIO, SET(1));
	if (reg("register 64 bytes again", rs, SLICE_AREA_LEN, 0)) {
		check_res("GET: unregistering forgot the state", 0, GET());
		unreg("unregister 64 bytes again", rs, SLICE_AREA_LEN);
	}
}

static void check_default_on(void)
{
	struct slice_rseq *rs = &area_main;

	if (reg("register 33 bytes DEFAULT_ON", rs, SLICE_FEATURE_SIZE, SLICE_FLAG_DEFAULT_ON)) {
		check_ulong("flags after DEFAULT_ON", SLICE_AVAILABLE | SLICE_ENABLED,
			    flags_of(rs));
		check_ulong("slice_ctrl after DEFAULT_ON", 0, slice_ctrl(rs));
		check_res("GET after DEFAULT_ON", 1, GET());
		check_res("SET 1 after DEFAULT_ON, no change", 0, SET(1));
		check_res("rseq with UNREGISTER|DEFAULT_ON", -EINVAL,
			  res(slice_rseq_call(rs, SLICE_FEATURE_SIZE,
					      SLICE_FLAG_UNREGISTER | SLICE_FLAG_DEFAULT_ON)));
		unreg("unregister 33 bytes", rs, SLICE_FEATURE_SIZE);
	}
	check_res("rseq with flag 1<<2", -EINVAL, res(slice_rseq_call(rs, SLICE_AREA_LEN, 1 << 2)));
}

/* ---- Grants: thread A requests, thread B spins on the same CPU. ---- */

static int shared_cpu;
static pid_t parent_pid;
static volatile int expired, b_ready, b_stop;
static volatile unsigned long b_count;
static uint64_t slots[CPU_SETSIZE];

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static void *spinner(void *arg)
{
	if (pin(shared_cpu) != 0) {
		b_ready = -errno;
		return arg;
	}
	b_ready = 1;
	while (!b_stop)
		b_count = b_count + 1;
	return arg;
}

/*
 * Requests an extension and spins until the kernel grants one: B waits for
 * this CPU, so A's slice runs out within a quantum. A reschedule without a
 * grant clears the request; it is made again. 1 once granted, with *b0 B's
 * count read before the grant was seen (B can have run since, never after
 * the grant began).
 */
static int wait_grant(struct slice_rseq *rs, unsigned long *b0)
{
	slice_set_request(rs, 1);
	while (!expired) {
		unsigned long b = b_count;
		uint32_t c = slice_ctrl(rs);

		if (c & SLICE_CTRL_GRANTED) {
			*b0 = b;
			return 1;
		}
		if (c == 0)
			slice_set_request(rs, 1);
	}
	fail("no grant within %d s", WAIT_S);
	return 0;
}

/* Spins until B has run, which it can only while A is off the CPU. */
static int wait_preempted(void)
{
	unsigned long b0 = b_count;

	while (b_count == b0 && !expired)
		;
	return b_count != b0;
}

/* Extension disabled: the request is never granted, and the reschedule
 * that comes instead clears it (rseq_exit_user_update). */
static void case_disabled(struct slice_rseq *rs)
{
	slice_set_request(rs, 1);
	if (!wait_preempted())
		fail("disabled: A was not preempted within %d s", WAIT_S);
	check_ulong("disabled: slice_ctrl after a reschedule", 0, slice_ctrl(rs));
	slice_set_request(rs, 0);
}

/* rseq_slice_yield within the grant returns 1 and gives the CPU to B. The
 * grant lasts microseconds, and the timer may win the race: it is tried
 * again, as the kernel's selftest counts "raced". */
static void case_yield(struct slice_rseq *rs)
{
	int tries, yielded = 0;

	for (tries = 0; tries < YIELD_TRIES && !yielded; tries++) {
		unsigned long b0;
		long r;

		if (!wait_grant(rs, &b0))
			return;
		r = res(slice_yield());
		check_ulong("yield: slice_ctrl after rseq_slice_yield", 0, slice_ctrl(rs));
		if (r == 1) {
			yielded = 1;
			check_true("yield: B ran while A yielded", b_count != b0);
		} else if (r != 0) {
			check_res("yield: rseq_slice_yield", 1, r);
		}
	}
	if (!yielded)
		fail("yield: rseq_slice_yield in a grant: expected 1 got 0 in %d grants", tries);
	else if (tries > 1)
		note("yield: %d grants ended by the timer before rseq_slice_yield", tries - 1);
}

/* A keeps running after the grant: the timer ends it, A is preempted, and
 * runs again with slice_ctrl 0. */
static void case_expiry(struct slice_rseq *rs)
{
	unsigned long b0;

	if (!wait_grant(rs, &b0))
		return;
	while ((slice_ctrl(rs) & SLICE_CTRL_GRANTED) && !expired)
		;
	if (expired) {
		fail("expiry: grant still on after %d s", WAIT_S);
		return;
	}
	check_ulong("expiry: slice_ctrl after the grant ended", 0, slice_ctrl(rs));
	check_true("expiry: B ran when the grant ended", b_count != b0);
	check_res("expiry: rseq_slice_yield after the grant ended", 0, res(slice_yield()));
}

/* Any other syscall in a grant ends it and reschedules; the syscall itself
 * runs as always. */
static void case_revoke(struct slice_rseq *rs)
{
	unsigned long b0;
	long ppid;

	if (!wait_grant(rs, &b0))
		return;
	ppid = res(syscall(SYS_getppid));
	check_res("revoke: getppid in a grant", parent_pid, ppid);
	check_ulong("revoke: slice_ctrl after getppid", 0, slice_ctrl(rs));
	check_true("revoke: B ran during getppid", b_count != b0);
	check_res("revoke: rseq_slice_yield after getppid", 0, res(slice_yield()));
}

/*
 * The documented use: request, a critical section (a per-CPU increment),
 * withdraw the request, yield if it was granted meanwhile. Runs until one
 * grant landed; every increment must count once.
 */
static void case_pattern(struct slice_rseq *rs)
{
	uint64_t done = 0, sum = 0;
	int grants = 0;

	while (!grants && !expired) {
		uint32_t cpu;

		slice_set_request(rs, 1);
		do
			cpu = slice_cpu_start(rs) % CPU_SETSIZE;
		while (slice_percpu_inc(rs, &slots[cpu], cpu));
		done++;
		if (slice_ctrl(rs) & SLICE_CTRL_REQUEST)
			slice_set_request(rs, 0);
		if (slice_ctrl(rs) & SLICE_CTRL_GRANTED) {
			grants++;
			slice_yield();
		}
	}
	if (!grants)
		fail("pattern: no grant within %d s", WAIT_S);
	for (int i = 0; i < CPU_SETSIZE; i++)
		sum += slots[i];
	check_ulong("pattern: per-CPU increments", done, sum);
	check_ulong("pattern: increments on A's CPU", done, slots[shared_cpu]);
	check_ulong("pattern: slice_ctrl at the end", 0, slice_ctrl(rs));
}

static void *requester(void *arg)
{
	struct slice_rseq *rs = &area_a;
	int err;

	if (pin(shared_cpu) != 0) {
		fail("A: sched_setaffinity(%d): %s", shared_cpu, err_name(errno));
		return arg;
	}
	err = slice_release_glibc();
	if (err) {
		fail("A: unregistering glibc's rseq area: %s", err_name(-err));
		return arg;
	}
	if (!reg("A: register 64 bytes", rs, SLICE_AREA_LEN, 0))
		return arg;
	while (!b_ready && !expired)
		;
	if (b_ready != 1) {
		fail("B: sched_setaffinity(%d): %s", shared_cpu, err_name(-b_ready));
		return arg;
	}
	check_res("A: rseq_slice_yield without a grant", 0, res(slice_yield()));
	case_disabled(rs);
	check_res("A: SET 1", 0, SET(1));
	case_yield(rs);
	case_expiry(rs);
	case_revoke(rs);
	case_pattern(rs);
	unreg("A: unregister", rs, SLICE_AREA_LEN);
	return arg;
}

static int first_cpu(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 0;
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set))
			return i;
	return 0;
}

static int join_within(pthread_t th, int seconds)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	return pthread_timedjoin_np(th, NULL, &ts) == 0;
}

/* A thread that does not end is left running: the process's exit ends it. */
static void check_grants(void)
{
	pthread_t a, b;

	shared_cpu = first_cpu();
	parent_pid = getppid();
	if (pthread_create(&b, NULL, spinner, NULL) != 0 ||
	    pthread_create(&a, NULL, requester, NULL) != 0) {
		fail("pthread_create: %s", err_name(errno));
		return;
	}
	if (!join_within(a, WAIT_S)) {
		expired = 1;
		if (!join_within(a, 5)) {
			fail("thread A: still running 5 s past its deadline");
			return;
		}
		fail("thread A: not done within %d s", WAIT_S);
	}
	b_stop = 1;
	if (!join_within(b, 5))
		fail("thread B: still spinning 5 s after it was told to stop");
}

/* Linux without the extension answers the prctl EINVAL and advertises a
 * feature size below 33. */
static int have_slice_extension(void)
{
	unsigned long size = getauxval(AT_RSEQ_FEATURE_SIZE);
	long r = res(slice_prctl(SLICE_PR_GET, 0, 0, 0));
	char buf[48];

	if (r != -EINVAL && size >= SLICE_FEATURE_SIZE)
		return 1;
	if (under_umbra())
		fail("umbra: expected the slice extension got AT_RSEQ_FEATURE_SIZE %lu, GET %s",
		     size, res_name(r, buf, sizeof(buf)));
	else
		note("no rseq slice extension here (AT_RSEQ_FEATURE_SIZE %lu, GET %s): skipped",
		     size, res_name(r, buf, sizeof(buf)));
	return 0;
}

int main(void)
{
	int err;

	if (!have_slice_extension())
		return check_failures ? check_exit("rseq_slice") : EXIT_SKIP;
	if (!sig_install("SIGSEGV", SIGSEGV, on_segv, 0, NULL))
		return check_exit("rseq_slice");
	err = slice_release_glibc();
	if (err) {
		fail("unregistering glibc's rseq area: %s", err_name(-err));
		return check_exit("rseq_slice");
	}
	check_unregistered();
	check_legacy();
	check_set_get();
	check_default_on();
	check_grants();
	check_long("SIGSEGVs outside the flags word cases", 0, segv_stray);
	return check_exit("rseq_slice");
}
