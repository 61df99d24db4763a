// SPDX-License-Identifier: Apache-2.0
/*
 * membarrier(2) (kernel/sched/membarrier.c): QUERY's bitmask, EINVAL for
 * flags (only PRIVATE_EXPEDITED_RSEQ takes MEMBARRIER_CMD_FLAG_CPU) before
 * the command, EINVAL for an unknown command, EPERM for a private
 * expedited command before its registration, and GET_REGISTRATIONS, which
 * names the registrations of the process's mm: a fork's child starts with
 * a copy of its parent's (dup_mm), what it registers then is its own, and
 * an execve clears them. REGISTER_PRIVATE_EXPEDITED_RSEQ alone shows REGISTER_PRIVATE_EXPEDITED
 * too, though PRIVATE_EXPEDITED stays EPERM, as in Linux. The commands
 * themselves show the same: a fork's child may run the private expedited
 * ones, an execve's image may not. With a CPU, PRIVATE_EXPEDITED_RSEQ takes
 * any cpu_id: one the system lacks is no error. The commands run with one
 * thread and with a second one alive.
 *
 * QUERY must name at least what umbra implements: GLOBAL, GLOBAL_EXPEDITED,
 * PRIVATE_EXPEDITED, PRIVATE_EXPEDITED_RSEQ and their registrations.
 * PRIVATE_EXPEDITED_SYNC_CORE (Linux has it on x86_64 and arm64) and
 * GET_REGISTRATIONS (Linux 6.3) are checked when QUERY names them, and
 * must be EINVAL when not; under umbra QUERY must name GET_REGISTRATIONS.
 *
 * Usage: membarrier [exec-child]   (exec-child: the image an execve
 * started, which checks that it has no registrations)
 */
#include "proc.h"

#include <pthread.h>

#define MB_QUERY 0
#define MB_GLOBAL (1 << 0)
#define MB_GLOBAL_EXPEDITED (1 << 1)
#define MB_REGISTER_GLOBAL_EXPEDITED (1 << 2)
#define MB_PRIVATE_EXPEDITED (1 << 3)
#define MB_REGISTER_PRIVATE_EXPEDITED (1 << 4)
#define MB_PRIVATE_EXPEDITED_SYNC_CORE (1 << 5)
#define MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (1 << 6)
#define MB_PRIVATE_EXPEDITED_RSEQ (1 << 7)
#define MB_REGISTER_PRIVATE_EXPEDITED_RSEQ (1 << 8)
#define MB_GET_REGISTRATIONS (1 << 9)
#define MB_FLAG_CPU 1

#define MB_KNOWN 0x3ff
#define MB_SYNC_CORE (MB_PRIVATE_EXPEDITED_SYNC_CORE | MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE)
#define MB_UMBRA (MB_GLOBAL | MB_GLOBAL_EXPEDITED | MB_REGISTER_GLOBAL_EXPEDITED |	\
		  MB_PRIVATE_EXPEDITED | MB_REGISTER_PRIVATE_EXPEDITED |		\
		  MB_PRIVATE_EXPEDITED_RSEQ | MB_REGISTER_PRIVATE_EXPEDITED_RSEQ |	\
		  MB_GET_REGISTRATIONS)

static long mb(int cmd, unsigned int flags, int cpu)
{
	return syscall(SYS_membarrier, cmd, flags, cpu);
}

static int sync_core, get_registrations;

/* Whether QUERY names GET_REGISTRATIONS (for the exec'd image). */
static int query_get_registrations(void)
{
	long q = mb(MB_QUERY, 0, 0);

	return q > 0 && (q & MB_GET_REGISTRATIONS);
}

static void check_registrations(const char *what, long want)
{
	long got;

	if (!get_registrations)
		return;
	got = mb(MB_GET_REGISTRATIONS, 0, 0);
	if (got != want)
		fail("%s: GET_REGISTRATIONS: expected %#lx got %#lx (errno %s)", what, want, got,
		     got < 0 ? err_name(errno) : "none");
}

static void query(void)
{
	long q = mb(MB_QUERY, 0, 0);
	long least = under_umbra() ? MB_UMBRA : MB_UMBRA & ~MB_GET_REGISTRATIONS;

	if (!check_ok("QUERY", q, errno))
		return;
	note("QUERY: %#lx", q);
	if ((q & least) != least)
		fail("QUERY: expected at least %#lx got %#lx", least, q);
	if (q & ~(long)MB_KNOWN)
		fail("QUERY: expected no bits outside %#x got %#lx", MB_KNOWN, q);
	if ((q & MB_SYNC_CORE) && (q & MB_SYNC_CORE) != MB_SYNC_CORE)
		fail("QUERY: expected both SYNC_CORE bits or neither got %#lx", q);
	sync_core = (q & MB_SYNC_CORE) != 0;
	get_registrations = (q & MB_GET_REGISTRATIONS) != 0;
	if (!get_registrations)
		note("QUERY names no GET_REGISTRATIONS (before Linux 6.3): registrations "
		     "checked by the commands only");
}

static void invalid(void)
{
	CHECK_ERRNO("QUERY with FLAG_CPU", mb(MB_QUERY, MB_FLAG_CPU, 0), EINVAL);
	CHECK_ERRNO("command 1 << 10", mb(1 << 10, 0, 0), EINVAL);
	CHECK_ERRNO("two commands at once", mb(MB_GLOBAL | MB_GLOBAL_EXPEDITED, 0, 0), EINVAL);
	CHECK_ERRNO("command -1", mb(-1, 0, 0), EINVAL);
	CHECK_ERRNO("PRIVATE_EXPEDITED with FLAG_CPU", mb(MB_PRIVATE_EXPEDITED, MB_FLAG_CPU, 0),
		    EINVAL);
	CHECK_ERRNO("REGISTER_PRIVATE_EXPEDITED_RSEQ with FLAG_CPU",
		    mb(MB_REGISTER_PRIVATE_EXPEDITED_RSEQ, MB_FLAG_CPU, 0), EINVAL);
	CHECK_ERRNO("PRIVATE_EXPEDITED_RSEQ with flags 2", mb(MB_PRIVATE_EXPEDITED_RSEQ, 2, 0),
		    EINVAL);
	CHECK_ERRNO("PRIVATE_EXPEDITED_RSEQ with flags 3", mb(MB_PRIVATE_EXPEDITED_RSEQ, 3, 0),
		    EINVAL);
	if (!get_registrations)
		CHECK_ERRNO("GET_REGISTRATIONS, not in QUERY", mb(MB_GET_REGISTRATIONS, 0, 0),
			    EINVAL);
	if (sync_core)
		return;
	CHECK_ERRNO("PRIVATE_EXPEDITED_SYNC_CORE, not in QUERY",
		    mb(MB_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0), EINVAL);
	CHECK_ERRNO("REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, not in QUERY",
		    mb(MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0), EINVAL);
}

static void unregistered(void)
{
	check_registrations("at start", 0);
	CHECK_OK("GLOBAL", mb(MB_GLOBAL, 0, 0));
	CHECK_OK("GLOBAL_EXPEDITED", mb(MB_GLOBAL_EXPEDITED, 0, 0));
	CHECK_ERRNO("PRIVATE_EXPEDITED unregistered", mb(MB_PRIVATE_EXPEDITED, 0, 0), EPERM);
	CHECK_ERRNO("PRIVATE_EXPEDITED_RSEQ unregistered", mb(MB_PRIVATE_EXPEDITED_RSEQ, 0, 0),
		    EPERM);
	CHECK_ERRNO("PRIVATE_EXPEDITED_RSEQ, FLAG_CPU, unregistered",
		    mb(MB_PRIVATE_EXPEDITED_RSEQ, MB_FLAG_CPU, 0), EPERM);
	if (sync_core)
		CHECK_ERRNO("PRIVATE_EXPEDITED_SYNC_CORE unregistered",
			    mb(MB_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0), EPERM);
	check_registrations("after the EPERMs", 0);
}

/* A child registers RSEQ only; its parent's mm stays unregistered. */
static void rseq_only_child(void)
{
	pid_t pid = proc_fork("RSEQ only");

	if (pid == 0) {
		check_registrations("fork child", 0);
		CHECK_OK("child: REGISTER_PRIVATE_EXPEDITED_RSEQ",
			 mb(MB_REGISTER_PRIVATE_EXPEDITED_RSEQ, 0, 0));
		check_registrations("child: RSEQ registered",
				    MB_REGISTER_PRIVATE_EXPEDITED | MB_REGISTER_PRIVATE_EXPEDITED_RSEQ);
		CHECK_ERRNO("child: PRIVATE_EXPEDITED, only RSEQ registered",
			    mb(MB_PRIVATE_EXPEDITED, 0, 0), EPERM);
		CHECK_OK("child: PRIVATE_EXPEDITED_RSEQ", mb(MB_PRIVATE_EXPEDITED_RSEQ, 0, 0));
		proc_child_exit();
	}
	proc_reap("RSEQ only child", pid, PROC_EXITED(0));
	check_registrations("parent after its child registered", 0);
	CHECK_ERRNO("parent: PRIVATE_EXPEDITED_RSEQ after its child registered",
		    mb(MB_PRIVATE_EXPEDITED_RSEQ, 0, 0), EPERM);
}

/* The private expedited commands once registered; cpus: a CPU and more. */
static void private_commands(const char *when)
{
	char w[128];
	static const int cpus[] = { 0, 1, -1, 100000 };

	snprintf(w, sizeof(w), "PRIVATE_EXPEDITED, %s", when);
	CHECK_OK(w, mb(MB_PRIVATE_EXPEDITED, 0, 0));
	snprintf(w, sizeof(w), "PRIVATE_EXPEDITED_RSEQ, %s", when);
	CHECK_OK(w, mb(MB_PRIVATE_EXPEDITED_RSEQ, 0, 0));
	for (unsigned int i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		snprintf(w, sizeof(w), "PRIVATE_EXPEDITED_RSEQ, FLAG_CPU %d, %s", cpus[i], when);
		CHECK_OK(w, mb(MB_PRIVATE_EXPEDITED_RSEQ, MB_FLAG_CPU, cpus[i]));
	}
	snprintf(w, sizeof(w), "GLOBAL_EXPEDITED, %s", when);
	CHECK_OK(w, mb(MB_GLOBAL_EXPEDITED, 0, 0));
	if (sync_core) {
		snprintf(w, sizeof(w), "PRIVATE_EXPEDITED_SYNC_CORE, %s", when);
		CHECK_OK(w, mb(MB_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
	}
}

/* Registers everything; what GET_REGISTRATIONS then answers. */
static long registered(void)
{
	long regs = MB_REGISTER_PRIVATE_EXPEDITED;

	CHECK_OK("REGISTER_PRIVATE_EXPEDITED", mb(MB_REGISTER_PRIVATE_EXPEDITED, 0, 0));
	CHECK_OK("REGISTER_PRIVATE_EXPEDITED again", mb(MB_REGISTER_PRIVATE_EXPEDITED, 0, 0));
	check_registrations("PRIVATE_EXPEDITED registered", regs);
	CHECK_OK("PRIVATE_EXPEDITED registered", mb(MB_PRIVATE_EXPEDITED, 0, 0));
	CHECK_ERRNO("PRIVATE_EXPEDITED_RSEQ, only PRIVATE_EXPEDITED registered",
		    mb(MB_PRIVATE_EXPEDITED_RSEQ, 0, 0), EPERM);
	regs |= MB_REGISTER_PRIVATE_EXPEDITED_RSEQ;
	CHECK_OK("REGISTER_PRIVATE_EXPEDITED_RSEQ", mb(MB_REGISTER_PRIVATE_EXPEDITED_RSEQ, 0, 0));
	check_registrations("RSEQ registered", regs);
	regs |= MB_REGISTER_GLOBAL_EXPEDITED;
	CHECK_OK("REGISTER_GLOBAL_EXPEDITED", mb(MB_REGISTER_GLOBAL_EXPEDITED, 0, 0));
	check_registrations("GLOBAL_EXPEDITED registered", regs);
	if (sync_core) {
		regs |= MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE;
		CHECK_OK("REGISTER_PRIVATE_EXPEDITED_SYNC_CORE",
			 mb(MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
		check_registrations("SYNC_CORE registered", regs);
	}
	private_commands("one thread");
	return regs;
}

static int gate[2] = { -1, -1 };

static void *blocked(void *arg)
{
	char c;

	(void)arg;
	while (read(gate[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/* The same with a second thread alive (blocked reading a pipe). */
static void with_thread(void)
{
	pthread_t th;

	if (!proc_pipe("pipe", gate))
		return;
	if (pthread_create(&th, NULL, blocked, NULL) != 0) {
		fail("pthread_create");
	} else {
		private_commands("two threads");
		proc_close(&gate[1]);
		pthread_join(th, NULL);
	}
	proc_close(&gate[0]);
	proc_close(&gate[1]);
}

/* execve gives the new image an mm with no registrations. */
static void exec_clears(const char *self)
{
	pid_t pid = proc_fork("exec");

	if (pid == 0) {
		char *args[] = { (char *)self, "exec-child", NULL };

		execv(self, args);
		fail("execv %s: errno %s", self, err_name(errno));
		proc_child_exit();
	}
	proc_reap("exec child", pid, PROC_EXITED(0));
}

int main(int argc, char **argv)
{
	long regs;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "exec-child")) {
		get_registrations = query_get_registrations();
		check_registrations("after execve", 0);
		CHECK_ERRNO("PRIVATE_EXPEDITED after execve", mb(MB_PRIVATE_EXPEDITED, 0, 0), EPERM);
		CHECK_ERRNO("PRIVATE_EXPEDITED_RSEQ after execve",
			    mb(MB_PRIVATE_EXPEDITED_RSEQ, 0, 0), EPERM);
		return check_exit("membarrier exec-child");
	}
	proc_default_signals();
	query();
	invalid();
	unregistered();
	printf("membarrier: QUERY, EINVAL, EPERM before registering\n");
	rseq_only_child();
	regs = registered();
	with_thread();
	printf("membarrier: registrations\n");
	pid = proc_fork("fork");
	if (pid == 0) {
		check_registrations("fork child of a registered process", regs);
		private_commands("fork child of a registered process");
		proc_child_exit();
	}
	proc_reap("fork child", pid, PROC_EXITED(0));
	exec_clears(argv[0]);
	printf("membarrier: fork keeps the registrations, exec drops them\n");
	proc_finish();
	return check_exit("membarrier");
}
