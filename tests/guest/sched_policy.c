// SPDX-License-Identifier: Apache-2.0
/*
 * Scheduling policies (kernel/sched/syscalls.c, sched_setscheduler(2),
 * sched_setattr(2), sched_rr_get_interval(2)):
 *   - sched_get_priority_max/min per policy, EINVAL for others;
 *   - round trips of SCHED_OTHER, BATCH, IDLE, FIFO and RR with their
 *     priorities, the nice value kept under a real-time policy, and
 *     /proc/self/stat's priority field (-1 - rt_priority), its rt_priority
 *     and policy fields (40, 41);
 *   - sched_rr_get_interval: 100 ms for RR, 0 for FIFO;
 *   - inheritance by fork, and SCHED_RESET_ON_FORK's resets;
 *   - errors in Linux's order (EINVAL for the pid, pointer and values,
 *     EFAULT, ESRCH);
 *   - sched_getattr and sched_setattr: the size protocol (E2BIG with the
 *     kernel's size written back, a larger struct's tail), flags, the nice
 *     value in the attr, KEEP_POLICY and KEEP_PARAMS, utilization clamps
 *     and SCHED_DEADLINE;
 *   - as an unprivileged user (a child that changes its ids where it may:
 *     natively, as root): EPERM for FIFO and RR, for leaving SCHED_IDLE,
 *     for a lower nice in the attr, for clearing SCHED_RESET_ON_FORK and
 *     for SCHED_DEADLINE.
 * Real-time cases run only where the kernel lets root have them (a cgroup
 * without real-time runtime refuses with EPERM; the test says so).
 */
#include "prio_test.h"

#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

#define POLICY_UID 54322

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif
#define FLAG_RESET_ON_FORK 0x01
#define FLAG_KEEP_POLICY 0x08
#define FLAG_KEEP_PARAMS 0x10
#define FLAG_UTIL_CLAMP_MIN 0x20
#define SCHED_DL 6

struct attr { /* struct sched_attr, VER1 */
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};

static int setattr(pid_t pid, void *a, unsigned int flags)
{
	return syscall(SYS_sched_setattr, pid, a, flags) ? errno : 0;
}

static int getattr(pid_t pid, void *a, unsigned int size, unsigned int flags)
{
	return syscall(SYS_sched_getattr, pid, a, size, flags) ? errno : 0;
}

/* sched_setscheduler's result, or its errno. */
static int set_policy(pid_t pid, int policy, int prio)
{
	struct sched_param p = { .sched_priority = prio };

	return sched_setscheduler(pid, policy, &p) ? errno : 0;
}

static int get_prio(void)
{
	struct sched_param p = { .sched_priority = -1 };

	return sched_getparam(0, &p) ? -errno : p.sched_priority;
}

static long rr_interval_ns(void)
{
	struct timespec ts;

	if (sched_rr_get_interval(0, &ts))
		return -errno;
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void bounds(void)
{
	static const int known[] = { SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE,
				     SCHED_DL };
	/* Not 7, SCHED_EXT, which has bounds since Linux 6.12. */
	static const int unknown[] = { 4, 8, -1, 100, SCHED_RESET_ON_FORK };

	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		printf("policy %d: priorities %d..%d\n", known[i],
		       sched_get_priority_min(known[i]), sched_get_priority_max(known[i]));
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		CHECK_ERRNO("sched_get_priority_max of an unknown policy",
			    sched_get_priority_max(unknown[i]), EINVAL);
		CHECK_ERRNO("sched_get_priority_min of an unknown policy",
			    sched_get_priority_min(unknown[i]), EINVAL);
	}
}

static void normal_policies(void)
{
	check_long("policy at start", SCHED_OTHER, sched_getscheduler(0));
	check_long("priority at start", 0, get_prio());
	check_long("SCHED_BATCH", 0, set_policy(0, SCHED_BATCH, 0));
	check_long("SCHED_BATCH read back", SCHED_BATCH, sched_getscheduler(getpid()));
	check_long("SCHED_OTHER with priority 1", EINVAL, set_policy(0, SCHED_OTHER, 1));
	check_long("SCHED_BATCH with priority -1", EINVAL, set_policy(0, SCHED_BATCH, -1));
	check_long("back to SCHED_OTHER", 0, set_policy(0, SCHED_OTHER, 0));
	if (geteuid() != 0) { /* it could not leave (the unprivileged child checks it) */
		note("not root: SCHED_IDLE is checked unprivileged only");
		return;
	}
	check_long("SCHED_IDLE", 0, set_policy(0, SCHED_IDLE, 0));
	check_long("SCHED_IDLE read back", SCHED_IDLE, sched_getscheduler(0));
	check_long("SCHED_IDLE priority", 0, get_prio());
	check_long("sched_setparam 0 keeps SCHED_IDLE", 0,
		   sched_setparam(0, &(struct sched_param){ 0 }) ? errno : 0);
	check_long("SCHED_IDLE after sched_setparam", SCHED_IDLE, sched_getscheduler(0));
	check_long("sched_setparam 1 under SCHED_IDLE", EINVAL,
		   sched_setparam(0, &(struct sched_param){ 1 }) ? errno : 0);
	check_long("root leaves SCHED_IDLE", 0, set_policy(0, SCHED_OTHER, 0));
	printf("SCHED_OTHER, SCHED_BATCH and SCHED_IDLE round trips\n");
}

static void errors(void)
{
	struct sched_param p = { 0 };
	struct timespec ts;
	pid_t gone = fork();

	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	CHECK_ERRNO("policy -1", sched_setscheduler(0, -1, &p), EINVAL);
	CHECK_ERRNO("policy -1 before a bad pointer", sched_setscheduler(0, -1, bad_address()),
		    EINVAL);
	CHECK_ERRNO("policy 4", sched_setscheduler(0, 4, &p), EINVAL);
	CHECK_ERRNO("policy 7", sched_setscheduler(0, 7, &p), EINVAL);
	CHECK_ERRNO("SCHED_DEADLINE without parameters", sched_setscheduler(0, SCHED_DL, &p),
		    EINVAL);
	CHECK_ERRNO("NULL param", sched_setscheduler(0, SCHED_OTHER, NULL), EINVAL);
	CHECK_ERRNO("pid -1", sched_setscheduler(-1, SCHED_OTHER, &p), EINVAL);
	CHECK_ERRNO("pid -1 before a bad pointer", sched_setscheduler(-1, 0, bad_address()),
		    EINVAL);
	CHECK_ERRNO("bad param", sched_setscheduler(0, SCHED_OTHER, bad_address()), EFAULT);
	CHECK_ERRNO("a reaped pid with a bad pointer", sched_setscheduler(gone, 0, bad_address()),
		    EFAULT);
	CHECK_ERRNO("a reaped pid before a bad policy", sched_setscheduler(gone, 4, &p), ESRCH);
	CHECK_ERRNO("sched_setparam NULL", sched_setparam(0, NULL), EINVAL);
	CHECK_ERRNO("sched_setparam of a reaped pid", sched_setparam(gone, &p), ESRCH);
	CHECK_ERRNO("sched_getscheduler pid -1", sched_getscheduler(-1), EINVAL);
	CHECK_ERRNO("sched_getscheduler of a reaped pid", sched_getscheduler(gone), ESRCH);
	CHECK_ERRNO("sched_getparam NULL", sched_getparam(0, NULL), EINVAL);
	CHECK_ERRNO("sched_getparam pid -1", sched_getparam(-1, &p), EINVAL);
	CHECK_ERRNO("sched_getparam of a reaped pid", sched_getparam(gone, &p), ESRCH);
	CHECK_ERRNO("sched_getparam to a bad pointer", sched_getparam(0, bad_address()), EFAULT);
	CHECK_ERRNO("sched_rr_get_interval pid -1", sched_rr_get_interval(-1, &ts), EINVAL);
	CHECK_ERRNO("sched_rr_get_interval of a reaped pid", sched_rr_get_interval(gone, &ts),
		    ESRCH);
	CHECK_ERRNO("sched_rr_get_interval to a bad pointer",
		    sched_rr_get_interval(0, bad_address()), EFAULT);
	printf("EINVAL, EFAULT and ESRCH in order\n");
}

/* A child's policy, priority and nice, through a pipe. */
static void child_params(int out[3])
{
	int fds[2], status;
	pid_t pid;

	out[0] = out[1] = out[2] = -99;
	if (pipe(fds))
		return;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		int v[3] = { sched_getscheduler(0), get_prio(), getpriority(PRIO_PROCESS, 0) };

		_exit(write(fds[1], v, sizeof v) == sizeof v ? 0 : 1);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid && read(fds[0], out, 3 * sizeof(int)) < 0)
		out[0] = -99;
	close(fds[0]);
	close(fds[1]);
}

static void check_child(const char *what, int policy, int prio, int nice)
{
	int v[3];
	char buf[128];

	child_params(v);
	snprintf(buf, sizeof buf, "%s: child's policy", what);
	check_long(buf, policy, v[0]);
	snprintf(buf, sizeof buf, "%s: child's priority", what);
	check_long(buf, prio, v[1]);
	snprintf(buf, sizeof buf, "%s: child's nice", what);
	check_long(buf, nice, v[2]);
}

/* Whether root may have real-time policies here. */
static int rt_allowed(void)
{
	int err = set_policy(0, SCHED_FIFO, 10);

	if (err == EPERM && !under_umbra()) {
		note("SCHED_FIFO refused to root (no real-time runtime here): RT cases not run");
		return 0;
	}
	check_long("root sets SCHED_FIFO 10", 0, err);
	return !err;
}

static void realtime(void)
{
	if (geteuid() != 0 || !rt_allowed()) {
		note("real-time cases not run");
		return;
	}
	setpriority(PRIO_PROCESS, 0, 6);
	check_long("SCHED_FIFO read back", SCHED_FIFO, sched_getscheduler(0));
	check_long("SCHED_FIFO priority", 10, get_prio());
	check_long("nice kept under SCHED_FIFO", 6, getpriority(PRIO_PROCESS, 0));
	check_stat_prio("SCHED_FIFO 10", -11, 6);
	check_stat_policy("SCHED_FIFO 10", 10, SCHED_FIFO);
	check_long("SCHED_FIFO interval (infinite)", 0, rr_interval_ns());
	check_child("SCHED_FIFO", SCHED_FIFO, 10, 6);
	check_long("sched_setparam 30", 0, sched_setparam(0, &(struct sched_param){ 30 }) ? errno : 0);
	check_long("priority 30", 30, get_prio());
	check_long("sched_setparam 0 under FIFO", EINVAL,
		   sched_setparam(0, &(struct sched_param){ 0 }) ? errno : 0);
	check_long("sched_setparam 100", EINVAL,
		   sched_setparam(0, &(struct sched_param){ 100 }) ? errno : 0);
	check_long("SCHED_FIFO 0", EINVAL, set_policy(0, SCHED_FIFO, 0));
	check_long("SCHED_RR 99", 0, set_policy(0, SCHED_RR, 99));
	check_long("SCHED_RR read back", SCHED_RR, sched_getscheduler(0));
	check_long("SCHED_RR interval", 100000000L, rr_interval_ns());
	check_stat_prio("SCHED_RR 99", -100, 6);
	check_stat_policy("SCHED_RR 99", 99, SCHED_RR);
	check_long("SCHED_RR with RESET_ON_FORK", 0,
		   set_policy(0, SCHED_RR | SCHED_RESET_ON_FORK, 5));
	check_long("RESET_ON_FORK read back", SCHED_RR | SCHED_RESET_ON_FORK,
		   sched_getscheduler(0));
	check_child("SCHED_RR reset on fork", SCHED_OTHER, 0, 0);
	check_long("back to SCHED_OTHER", 0, set_policy(0, SCHED_OTHER, 0));
	check_long("nice kept back under SCHED_OTHER", 6, getpriority(PRIO_PROCESS, 0));
	check_stat_prio("SCHED_OTHER nice 6", 26, 6);
	check_stat_policy("SCHED_OTHER nice 6", 0, SCHED_OTHER);
	printf("real-time policies checked where root may have them\n");
}

static void inheritance(void)
{
	check_long("SCHED_BATCH", 0, set_policy(0, SCHED_BATCH, 0));
	check_child("SCHED_BATCH", SCHED_BATCH, 0, getpriority(PRIO_PROCESS, 0));
	if (geteuid() != 0) { /* it could not clear the flag (the unprivileged child checks it) */
		note("not root: SCHED_RESET_ON_FORK is checked unprivileged only");
		return;
	}
	check_long("SCHED_BATCH with RESET_ON_FORK", 0,
		   set_policy(0, SCHED_BATCH | SCHED_RESET_ON_FORK, 0));
	/* Only a negative nice or a real-time policy is reset. */
	check_child("SCHED_BATCH reset on fork", SCHED_BATCH, 0, getpriority(PRIO_PROCESS, 0));
	check_long("nice -4", 0, setpriority(PRIO_PROCESS, 0, -4));
	check_child("nice -4 reset on fork", SCHED_BATCH, 0, 0);
	check_long("nice 6", 0, setpriority(PRIO_PROCESS, 0, 6));
	/* Root may clear the flag. */
	check_long("root clears RESET_ON_FORK", 0, set_policy(0, SCHED_BATCH, 0));
	check_long("RESET_ON_FORK cleared", SCHED_BATCH, sched_getscheduler(0));
	printf("inherited by fork; SCHED_RESET_ON_FORK\n");
}

static void getattr_sizes(void)
{
	unsigned char buf[80];
	struct attr *a = (struct attr *)buf;

	CHECK_ERRNO("getattr NULL", syscall(SYS_sched_getattr, 0, NULL, 56, 0), EINVAL);
	check_long("getattr pid -1", EINVAL, getattr(-1, buf, 56, 0));
	check_long("getattr size 47", EINVAL, getattr(0, buf, 47, 0));
	check_long("getattr size 4097", EINVAL, getattr(0, buf, 4097, 0));
	check_long("getattr flags 1", EINVAL, getattr(0, buf, 56, 1));
	check_long("getattr to a bad pointer", EFAULT, getattr(0, bad_address(), 56, 0));
	memset(buf, 0xaa, sizeof buf);
	check_long("getattr size 48", 0, getattr(0, buf, 48, 0));
	check_long("getattr size 48: size", 48, a->size);
	check_long("getattr size 48: policy", SCHED_BATCH, a->policy);
	check_long("getattr size 48: nice", getpriority(PRIO_PROCESS, 0), a->nice);
	check_long("getattr size 48: nothing past it", 0xaa, buf[48]);
	memset(buf, 0xaa, sizeof buf);
	check_long("getattr size 80", 0, getattr(0, buf, 80, 0));
	check_long("getattr size 80: the kernel's size", 56, a->size);
	check_long("getattr size 80: flags", 0, a->flags);
	check_long("getattr size 80: priority", 0, a->priority);
	/* Zeroed since Linux 6.11 (copy_struct_to_user), as under umbra. */
	if (buf[56] == 0xaa && !under_umbra())
		note("getattr left a larger struct's tail alone (before Linux 6.11)");
	else
		check_long("getattr size 80: tail zeroed", 0, buf[56] | buf[79]);
	printf("sched_getattr: sizes and flags\n");
}

static void setattr_sizes(void)
{
	unsigned char buf[80];
	struct attr *a = (struct attr *)buf;
	uint32_t size = 47;

	check_long("setattr NULL", EINVAL, setattr(0, NULL, 0));
	check_long("setattr pid -1", EINVAL, setattr(-1, buf, 0));
	check_long("setattr flags 1", EINVAL, setattr(0, buf, 1));
	check_long("setattr at a bad pointer", EFAULT, setattr(0, bad_address(), 0));
	check_long("setattr size 47", E2BIG, setattr(0, &size, 0));
	check_long("setattr size 47: the kernel's size written back", 56, size);
	memset(buf, 0, sizeof buf);
	a->size = 4097;
	check_long("setattr size 4097", E2BIG, setattr(0, buf, 0));
	check_long("setattr size 4097: size written back", 56, a->size);
	a->size = 80;
	buf[70] = 1;
	check_long("setattr size 80 with a byte past 56", E2BIG, setattr(0, buf, 0));
	check_long("setattr size 80: size written back", 56, a->size);
	memset(buf, 0, sizeof buf);
	a->size = 80;
	a->nice = 7;
	check_long("setattr size 80, zero tail", 0, setattr(0, buf, 0));
	check_long("setattr's nice", 7, getpriority(PRIO_PROCESS, 0));
	check_long("setattr's policy", SCHED_OTHER, sched_getscheduler(0));
	memset(buf, 0, sizeof buf);
	a->nice = 100;
	check_long("setattr size 0 (VER0)", 0, setattr(0, buf, 0));
	check_long("setattr nice 100 clamps", 19, getpriority(PRIO_PROCESS, 0));
	printf("sched_setattr: sizes\n");
}

static void setattr_flags(void)
{
	struct attr a = { .size = sizeof a };
	int err;

	a.flags = 0x80;
	check_long("setattr flag 0x80", EINVAL, setattr(0, &a, 0));
	a.flags = 0;
	a.policy = (uint32_t)-1;
	check_long("setattr policy -1", EINVAL, setattr(0, &a, 0));
	a.policy = SCHED_BATCH;
	a.nice = 19;
	check_long("setattr SCHED_BATCH", 0, setattr(0, &a, 0));
	a.policy = SCHED_IDLE;
	a.flags = FLAG_KEEP_POLICY;
	check_long("setattr KEEP_POLICY", 0, setattr(0, &a, 0));
	check_long("KEEP_POLICY kept SCHED_BATCH", SCHED_BATCH, sched_getscheduler(0));
	/* KEEP_POLICY is sched_setparam's: the task's flag is kept too. */
	a.flags = FLAG_KEEP_POLICY | FLAG_RESET_ON_FORK;
	check_long("setattr KEEP_POLICY with RESET_ON_FORK", 0, setattr(0, &a, 0));
	check_long("KEEP_POLICY ignores RESET_ON_FORK", SCHED_BATCH, sched_getscheduler(0));
	a = (struct attr){ .size = 48, .policy = SCHED_BATCH, .nice = 19,
			   .flags = FLAG_UTIL_CLAMP_MIN };
	check_long("utilization clamp in a VER0 struct", EINVAL, setattr(0, &a, 0));
	a.size = sizeof a;
	err = setattr(0, &a, 0);
	if (err == 0 && !under_umbra())
		note("this kernel has utilization clamps: not checked");
	else
		check_long("utilization clamp (no CONFIG_UCLAMP_TASK)", EOPNOTSUPP, err);
	a = (struct attr){ .size = sizeof a, .nice = 19 };
	a.policy = SCHED_RR; /* not applied, but checked: a priority of 0 */
	a.flags = FLAG_KEEP_PARAMS | FLAG_RESET_ON_FORK;
	check_long("KEEP_PARAMS with SCHED_RR and no priority", EINVAL, setattr(0, &a, 0));
	a.policy = SCHED_BATCH;
	a.nice = 0;
	check_long("setattr KEEP_PARAMS with RESET_ON_FORK", 0, setattr(0, &a, 0));
	check_long("only RESET_ON_FORK changed", SCHED_BATCH | SCHED_RESET_ON_FORK,
		   sched_getscheduler(0));
	check_long("KEEP_PARAMS kept the nice", 19, getpriority(PRIO_PROCESS, 0));
	memset(&a, 0, sizeof a);
	check_long("getattr", 0, getattr(0, &a, sizeof a, 0));
	check_long("getattr shows RESET_ON_FORK", FLAG_RESET_ON_FORK, a.flags);
	a = (struct attr){ .size = sizeof a, .policy = SCHED_DL, .runtime = 10000000,
			   .deadline = 30000000, .period = 30000000 };
	a.runtime = 100;
	check_long("SCHED_DEADLINE runtime under 1024 ns", EINVAL, setattr(0, &a, 0));
	a.runtime = 40000000;
	check_long("SCHED_DEADLINE runtime past its deadline", EINVAL, setattr(0, &a, 0));
	a.runtime = 10000000;
	a.priority = 1;
	check_long("SCHED_DEADLINE with a priority", EINVAL, setattr(0, &a, 0));
	printf("sched_setattr: flags, nice, clamps, deadline parameters\n");
}

/* Valid deadline parameters as root: umbra has no deadline class. */
static void deadline_as_root(void)
{
	struct attr a = { .size = sizeof a, .policy = SCHED_DL, .runtime = 10000000,
			  .deadline = 30000000, .period = 30000000 };
	struct attr other = { .size = sizeof other };
	int err;

	if (geteuid() != 0)
		return;
	err = setattr(0, &a, 0);
	if (under_umbra()) {
		check_long("SCHED_DEADLINE under umbra", EPERM, err);
		return;
	}
	note("SCHED_DEADLINE as root natively: %s", err ? err_name(err) : "set");
	if (!err)
		check_long("back from SCHED_DEADLINE", 0, setattr(0, &other, 0));
}

static void unprivileged(void)
{
	struct attr a = { .size = sizeof a };
	struct rlimit r;
	int nice = getpriority(PRIO_PROCESS, 0), policy;

	check_long("unprivileged SCHED_FIFO", EPERM, set_policy(0, SCHED_FIFO, 1));
	check_long("unprivileged SCHED_RR", EPERM, set_policy(0, SCHED_RR, 1));
	check_long("unprivileged bad SCHED_FIFO priority", EINVAL, set_policy(0, SCHED_FIFO, 0));
	check_long("unprivileged SCHED_BATCH", 0, set_policy(0, SCHED_BATCH, 0));
	a.nice = nice - 1;
	check_long("unprivileged lower nice in the attr", EPERM, setattr(0, &a, 0));
	a.nice = nice + 1;
	check_long("unprivileged higher nice in the attr", 0, setattr(0, &a, 0));
	check_long("SCHED_IDLE", 0, set_policy(0, SCHED_IDLE, 0));
	check_long("unprivileged leaving SCHED_IDLE", EPERM, set_policy(0, SCHED_OTHER, 0));
	check_long("unprivileged SCHED_IDLE to SCHED_BATCH", EPERM, set_policy(0, SCHED_BATCH, 0));
	check_long("still SCHED_IDLE", SCHED_IDLE, sched_getscheduler(0));
	if (!getrlimit(RLIMIT_NICE, &r) && r.rlim_max >= 40) {
		r.rlim_cur = 40;
		check_long("setrlimit RLIMIT_NICE 40", 0, setrlimit(RLIMIT_NICE, &r));
		check_long("RLIMIT_NICE lets it leave SCHED_IDLE", 0, set_policy(0, SCHED_OTHER, 0));
	} else {
		note("RLIMIT_NICE's hard limit is under 40: SCHED_IDLE stays");
	}
	policy = sched_getscheduler(0); /* SCHED_IDLE, or SCHED_OTHER */
	check_long("unprivileged sets RESET_ON_FORK", 0,
		   set_policy(0, policy | SCHED_RESET_ON_FORK, 0));
	check_long("unprivileged clearing RESET_ON_FORK", EPERM, set_policy(0, policy, 0));
	a = (struct attr){ .size = sizeof a, .policy = SCHED_DL, .runtime = 10000000,
			   .deadline = 30000000, .period = 30000000 };
	check_long("unprivileged SCHED_DEADLINE", EPERM, setattr(0, &a, 0));
	a.deadline = 0;
	check_long("unprivileged bad SCHED_DEADLINE", EINVAL, setattr(0, &a, 0));
	if (unpriv_dropped)
		check_long("another user's process", EPERM, set_policy(getppid(), SCHED_BATCH, 0));
}

int main(void)
{
	bounds();
	normal_policies();
	errors();
	realtime();
	inheritance();
	getattr_sizes();
	setattr_sizes();
	setattr_flags();
	deadline_as_root();
	if (geteuid() == 0) {
		check_long("SCHED_OTHER at last", 0, set_policy(0, SCHED_OTHER, 0));
		setpriority(PRIO_PROCESS, 0, 5);
	}
	raise_hard_limit(RLIMIT_NICE, 40);
	unpriv_report("unprivileged child", unpriv_run(POLICY_UID, unprivileged));
	printf("unprivileged rules checked where ids may change\n");
	return check_exit("sched_policy");
}
