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

/* Fields 18 (priority) and 19 (nice) of a stat file; 0 when read. */
static inline int stat_prio(const char *path, long *prio, long *nice)
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
	/* ") S" is field 3: 16 spaces on, field 18. */
	for (int field = 3; field <= 18; field++)
		if (!(p = strchr(p + 1, ' ')))
			return -1;
	return sscanf(p, " %ld %ld", prio, nice) == 2 ? 0 : -1;
}

/* Checks that /proc/self/stat shows priority and nice. */
static inline void check_stat_prio(const char *what, long prio, long nice)
{
	long p = 0, n = 0;
	char buf[128];

	if (stat_prio("/proc/self/stat", &p, &n)) {
		fail("%s: /proc/self/stat unreadable", what);
		return;
	}
	snprintf(buf, sizeof buf, "%s: /proc/self/stat priority (18)", what);
	check_long(buf, prio, p);
	snprintf(buf, sizeof buf, "%s: /proc/self/stat nice (19)", what);
	check_long(buf, nice, n);
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
