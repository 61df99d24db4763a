/* SPDX-License-Identifier: Apache-2.0 */
/*
 * For the sched_nice and sched_policy tests: /proc/PID/stat's priority and
 * nice fields, and a child that runs checks as an unprivileged user.
 */
#ifndef UMBRA_GUEST_PRIO_TEST_H
#define UMBRA_GUEST_PRIO_TEST_H

#include "check.h"

#include <grp.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Fields first and first + 1 of a stat file (first > 3); 0 when read. */
static inline int stat_pair(const char *path, int first, long *a, long *b)
{
	char buf[1024], *p;
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')'); /* the name may hold spaces */
	if (!p)
		return -1;
	/* ") S" is field 3: one space on per field. */
	for (int field = 3; field <= first; field++)
		if (!(p = strchr(p + 1, ' ')))
			return -1;
	return sscanf(p, " %ld %ld", a, b) == 2 ? 0 : -1;
}

/* Fields 18 (priority) and 19 (nice) of a stat file; 0 when read. */
static inline int stat_prio(const char *path, long *prio, long *nice)
{
	return stat_pair(path, 18, prio, nice);
}

/* Checks fields first and first + 1 of /proc/self/stat, named a and b. */
static inline void check_stat_pair(const char *what, int first, const char *a, long want_a,
				   const char *b, long want_b)
{
	long got_a = 0, got_b = 0;
	char buf[128];

	if (stat_pair("/proc/self/stat", first, &got_a, &got_b)) {
		fail("%s: /proc/self/stat unreadable", what);
		return;
	}
	snprintf(buf, sizeof buf, "%s: /proc/self/stat %s (%d)", what, a, first);
	check_long(buf, want_a, got_a);
	snprintf(buf, sizeof buf, "%s: /proc/self/stat %s (%d)", what, b, first + 1);
	check_long(buf, want_b, got_b);
}

/* Checks that /proc/self/stat shows priority and nice. */
static inline void check_stat_prio(const char *what, long prio, long nice)
{
	check_stat_pair(what, 18, "priority", prio, "nice", nice);
}

/* ... and the real-time priority and the policy. */
static inline void check_stat_policy(const char *what, long rt_priority, long policy)
{
	check_stat_pair(what, 40, "rt_priority", rt_priority, "policy", policy);
}

/* Whether the unprivileged child changed its ids: its parent, root, is
 * then another user's. */
static int unpriv_dropped;

/*
 * Runs fn in a child as an unprivileged user: as uid and gid id when the
 * test runs as root and may change ids (natively), as the caller when it
 * is not root. The child's status: 0 when its checks passed, 77 when it
 * could not become unprivileged (root under umbra, whose ids are fixed).
 */
static inline int unpriv_run(uid_t id, void (*fn)(void))
{
	int status = -1, before = check_failures;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		if (geteuid() == 0) {
			if (setgroups(0, NULL) || setresgid(id, id, id) || setresuid(id, id, id))
				_exit(EXIT_SKIP);
			unpriv_dropped = 1;
		}
		fn();
		fflush(stdout);
		_exit(check_failures > before ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Reports an unprivileged child's status: a skip is only noted. */
static inline void unpriv_report(const char *what, int status)
{
	if (status == EXIT_SKIP)
		note("%s: ids cannot change (root under umbra): unprivileged cases not run", what);
	else
		check_long(what, 0, status);
}

/* Lets an unprivileged child raise a limit's soft value up to max: the
 * hard limit is raised while root. */
static inline void raise_hard_limit(int res, rlim_t max)
{
	struct rlimit r;

	if (geteuid() != 0 || getrlimit(res, &r))
		return;
	if (r.rlim_max != RLIM_INFINITY && r.rlim_max < max) {
		r.rlim_max = max;
		setrlimit(res, &r);
	}
}

#endif /* UMBRA_GUEST_PRIO_TEST_H */
