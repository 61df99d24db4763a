// SPDX-License-Identifier: Apache-2.0
/*
 * Nice values: getpriority(2) and setpriority(2) (kernel/sys.c).
 *   - round trips, clamping to -20..19, the raw syscall's 20 - nice, and
 *     /proc/PID/stat's fields 18 (20 + nice) and 19 (nice);
 *   - a thread's own value (PRIO_PROCESS takes a thread id), inherited by
 *     fork, threads and exec;
 *   - PRIO_PGRP over a group's processes and their threads (the highest
 *     priority read back), PRIO_USER, and EINVAL and ESRCH;
 *   - as root, lowering the nice value; as an unprivileged user (a child
 *     that changes its ids where it may: natively as root), EACCES below
 *     the current value unless RLIMIT_NICE allows it, EPERM for another
 *     user's process, and PRIO_USER over the user's own processes.
 * Runs relative to no starting value and leaves its own at 0 or above.
 */
#include "prio_test.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>

#define NICE_UID 54321 /* the unprivileged child's ids: nobody else's */

static int get_nice(int which, int who)
{
	errno = 0;
	return getpriority(which, who);
}

/* setpriority's result, or its errno. */
static int set_nice(int which, int who, int nice)
{
	return setpriority(which, who, nice) ? errno : 0;
}

static void round_trips(void)
{
	check_long("set nice 10", 0, set_nice(PRIO_PROCESS, 0, 10));
	check_long("nice read back", 10, get_nice(PRIO_PROCESS, 0));
	check_long("nice by own pid", 10, get_nice(PRIO_PROCESS, getpid()));
	check_long("raw getpriority is 20 - nice", 10, syscall(SYS_getpriority, PRIO_PROCESS, 0));
	check_stat_prio("nice 10", 30, 10);
	printf("round trips, the raw value and /proc/self/stat\n");
}

/* Last: an unprivileged caller cannot come back from 19. */
static void clamp_high(void)
{
	check_long("set nice 100", 0, set_nice(PRIO_PROCESS, 0, 100));
	check_long("nice 100 clamps to 19", 19, get_nice(PRIO_PROCESS, 0));
	check_long("raw getpriority at 19", 1, syscall(SYS_getpriority, PRIO_PROCESS, 0));
	check_stat_prio("nice 19", 39, 19);
	check_long("set nice 19 again", 0, set_nice(PRIO_PROCESS, 0, 19));
	printf("clamping to 19\n");
}

static void errors(void)
{
	pid_t gone = fork();

	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	CHECK_ERRNO("getpriority which 3", getpriority(3, 0), EINVAL);
	CHECK_ERRNO("getpriority which -1", getpriority(-1, 0), EINVAL);
	CHECK_ERRNO("setpriority which 3", setpriority(3, 0, 0), EINVAL);
	CHECK_ERRNO("getpriority of a reaped pid", getpriority(PRIO_PROCESS, gone), ESRCH);
	CHECK_ERRNO("setpriority of a reaped pid", setpriority(PRIO_PROCESS, gone, 5), ESRCH);
	CHECK_ERRNO("getpriority pid -1", getpriority(PRIO_PROCESS, -1), ESRCH);
	CHECK_ERRNO("getpriority of an empty group", getpriority(PRIO_PGRP, gone), ESRCH);
	CHECK_ERRNO("setpriority of an empty group", setpriority(PRIO_PGRP, gone, 5), ESRCH);
	CHECK_ERRNO("getpriority of a user with no process", getpriority(PRIO_USER, 1234567), ESRCH);
	CHECK_ERRNO("setpriority of a user with no process", setpriority(PRIO_USER, 1234567, 5),
		    ESRCH);
	printf("EINVAL for a bad which, ESRCH for nobody\n");
}

/* A child's nice value, reported by its exit status (nice + 20). */
static int child_nice(int exec_self, const char *self)
{
	int status = -1;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		if (exec_self) {
			execl(self, self, "report", (char *)NULL);
			_exit(99);
		}
		_exit(get_nice(PRIO_PROCESS, 0) + 20);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 99;
	return WEXITSTATUS(status) - 20;
}

/* A thread that sets its own nice value and waits for the main thread. */
struct nice_thread {
	int tid, inherited, fds[2], ready[2];
};

static void *nice_thread_main(void *arg)
{
	struct nice_thread *n = arg;
	struct pollfd p = { .fd = n->fds[0], .events = POLLIN };
	char c = 0;

	n->tid = gettid();
	n->inherited = get_nice(PRIO_PROCESS, 0);
	setpriority(PRIO_PROCESS, 0, 17);
	if (write(n->ready[1], &c, 1) != 1)
		return NULL;
	poll(&p, 1, 10000); /* the main thread has looked */
	return NULL;
}

static void inheritance(const char *self)
{
	struct nice_thread n = { 0 };
	struct pollfd p;
	pthread_t th;
	char path[64], c = 0;
	long prio = 0, nice = 0;

	set_nice(PRIO_PROCESS, 0, 13);
	check_long("a forked child's nice", 13, child_nice(0, self));
	check_long("nice kept across exec", 13, child_nice(1, self));
	if (pipe(n.fds) || pipe(n.ready) || pthread_create(&th, NULL, nice_thread_main, &n)) {
		fail("thread: pipe or pthread_create failed");
		return;
	}
	p = (struct pollfd){ .fd = n.ready[0], .events = POLLIN };
	check_long("thread ready within 10 s", 1, poll(&p, 1, 10000));
	check_long("a thread's inherited nice", 13, n.inherited);
	check_long("a thread's own nice, by its tid", 17, get_nice(PRIO_PROCESS, n.tid));
	check_long("the main thread's nice unchanged", 13, get_nice(PRIO_PROCESS, 0));
	check_stat_prio("process stat after a thread's change", 33, 13);
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", n.tid);
	if (!stat_prio(path, &prio, &nice)) {
		check_long("the thread's stat priority", 37, prio);
		check_long("the thread's stat nice", 17, nice);
	} else {
		note("%s unreadable: a thread's own stat not checked", path);
	}
	if (write(n.fds[1], &c, 1) != 1)
		fail("thread: write failed");
	pthread_join(th, NULL);
	printf("inherited by fork, exec and threads; a thread's own by its tid\n");
}

/* In a group of its own, the leader (a child of ours, at 13) raises its
 * nice to 16 and its thread to 17 while a child of its own stays at 13:
 * PRIO_PGRP reads the highest priority there is, and sets them all. The
 * step that failed is the status. */
static int pgrp_child(void)
{
	struct nice_thread n = { 0 };
	struct pollfd p;
	pthread_t th;
	int status = -1, hold[2], ok;
	char c = 0;
	pid_t kid;

	if (setpgid(0, 0) || pipe(hold) || pipe(n.fds) || pipe(n.ready))
		return 2;
	kid = fork();
	if (kid == 0) {
		p = (struct pollfd){ .fd = hold[0], .events = POLLIN };
		poll(&p, 1, 10000);
		_exit(0);
	}
	if (kid < 0 || setpriority(PRIO_PROCESS, 0, 16) ||
	    pthread_create(&th, NULL, nice_thread_main, &n))
		return 3;
	p = (struct pollfd){ .fd = n.ready[0], .events = POLLIN };
	if (poll(&p, 1, 10000) != 1)
		return 4;
	ok = get_nice(PRIO_PGRP, 0) == 13 ? 0 : 5;
	if (write(hold[1], &c, 1) != 1 || waitpid(kid, &status, 0) != kid)
		return 6;
	if (!ok && get_nice(PRIO_PGRP, getpid()) != 16) /* the thread is at 17 */
		ok = 7;
	if (!ok && (setpriority(PRIO_PGRP, 0, 18) || get_nice(PRIO_PROCESS, n.tid) != 18 ||
		    get_nice(PRIO_PROCESS, 0) != 18))
		ok = 8;
	if (write(n.fds[1], &c, 1) != 1)
		ok = 9;
	pthread_join(th, NULL);
	return ok;
}

static void groups(void)
{
	int status = -1, own = get_nice(PRIO_PROCESS, 0);
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0)
		_exit(pgrp_child());
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		fail("PRIO_PGRP child did not exit");
	else
		check_long("PRIO_PGRP child (step that failed)", 0, WEXITSTATUS(status));
	check_long("PRIO_PGRP of another group left ours alone", own, get_nice(PRIO_PROCESS, 0));
	/* The user's highest priority is at least ours. */
	check_true("PRIO_USER 0 reads at most our nice", get_nice(PRIO_USER, 0) <= own);
	check_true("PRIO_USER uid reads at most our nice", get_nice(PRIO_USER, getuid()) <= own);
	printf("PRIO_PGRP over a group's processes and threads; PRIO_USER\n");
}

/* As root: the value may go down, to -20 at most. */
static void as_root(void)
{
	if (geteuid() != 0) {
		note("not root: lowering the nice value is checked unprivileged only");
		return;
	}
	check_long("root sets nice -5", 0, set_nice(PRIO_PROCESS, 0, -5));
	check_long("nice -5 read back", -5, get_nice(PRIO_PROCESS, 0));
	check_stat_prio("nice -5", 15, -5);
	check_long("root sets nice -100", 0, set_nice(PRIO_PROCESS, 0, -100));
	check_long("nice -100 clamps to -20", -20, get_nice(PRIO_PROCESS, 0));
	check_long("raw getpriority at -20", 40, syscall(SYS_getpriority, PRIO_PROCESS, 0));
	if (under_umbra()) { /* natively, uid 0 is every root process of the host */
		check_long("PRIO_USER 0 reads the sandbox's highest", -20, get_nice(PRIO_USER, 0));
		check_long("PRIO_USER 0 sets the sandbox's", 0, set_nice(PRIO_USER, 0, 2));
		check_long("PRIO_USER set ours", 2, get_nice(PRIO_PROCESS, 0));
		check_long("PRIO_USER 0 reads it", 2, get_nice(PRIO_USER, 0));
	}
	check_long("root sets nice 0", 0, set_nice(PRIO_PROCESS, 0, 0));
}

/* Relative to the value it starts with (at most 13), so that a test run
 * by an unprivileged user checks the same. */
static void unprivileged(void)
{
	int base = get_nice(PRIO_PROCESS, 0), status;
	struct rlimit r;
	pid_t kid;

	check_long("unprivileged raises its nice by 2", 0, set_nice(PRIO_PROCESS, 0, base + 2));
	check_long("unprivileged lowers it by 1", EACCES, set_nice(PRIO_PROCESS, 0, base + 1));
	check_long("nice after EACCES", base + 2, get_nice(PRIO_PROCESS, 0));
	check_long("setting the same value", 0, set_nice(PRIO_PROCESS, 0, base + 2));
	if (!getrlimit(RLIMIT_NICE, &r) && r.rlim_max >= 25) {
		r.rlim_cur = 25; /* nice down to 20 - 25 = -5 */
		check_long("setrlimit RLIMIT_NICE 25", 0, setrlimit(RLIMIT_NICE, &r));
		check_long("RLIMIT_NICE lets nice -5", 0, set_nice(PRIO_PROCESS, 0, -5));
		check_long("nice -6 past RLIMIT_NICE", EACCES, set_nice(PRIO_PROCESS, 0, -6));
		check_long("nice -100 past RLIMIT_NICE", EACCES, set_nice(PRIO_PROCESS, 0, -100));
		check_long("nice after refusals", -5, get_nice(PRIO_PROCESS, 0));
		r.rlim_cur = 0;
		setrlimit(RLIMIT_NICE, &r);
		set_nice(PRIO_PROCESS, 0, base + 2);
	} else {
		note("RLIMIT_NICE's hard limit is under 25: its cases not run");
	}
	if (!unpriv_dropped)
		return;
	/* Only our own processes have this uid. */
	CHECK_ERRNO("setpriority of root's process", setpriority(PRIO_PROCESS, getppid(), 19),
		    EPERM);
	check_true("getpriority of root's process", get_nice(PRIO_PROCESS, getppid()) <= 19);
	kid = fork();
	if (kid == 0) {
		poll(NULL, 0, 10000); /* killed before */
		_exit(0);
	}
	check_long("PRIO_USER sets the user's", 0, set_nice(PRIO_USER, 0, base + 5));
	check_long("PRIO_USER set ours", base + 5, get_nice(PRIO_PROCESS, 0));
	check_long("PRIO_USER set the child's", base + 5, get_nice(PRIO_PROCESS, kid));
	check_long("PRIO_USER of our uid", base + 5, get_nice(PRIO_USER, NICE_UID));
	check_long("PRIO_USER lowering", EACCES, set_nice(PRIO_USER, 0, base + 4));
	kill(kid, SIGKILL);
	waitpid(kid, &status, 0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "report"))
		return get_nice(PRIO_PROCESS, 0) + 20;
	round_trips();
	errors();
	inheritance(argv[0]);
	groups();
	as_root();
	raise_hard_limit(RLIMIT_NICE, 40);
	unpriv_report("unprivileged child", unpriv_run(NICE_UID, unprivileged));
	printf("unprivileged rules checked where ids may change\n");
	clamp_high();
	return check_exit("sched_nice");
}
