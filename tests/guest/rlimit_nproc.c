/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RLIMIT_NPROC (kernel/fork.c copy_process): fork and clone fail with
 * EAGAIN when the tasks of the caller's real uid would pass the soft
 * limit. Root (the initial user namespace's uid 0) is exempt, so what is
 * checked depends on who runs the test, and it says which:
 *   - not root: fork and pthread_create under a limit of 1 fail (EAGAIN);
 *   - root: they succeed; and where setuid works (natively), a child that
 *     becomes uid 65534 is held to the limit. Under umbra the ids cannot
 *     change (EPERM), and that part is skipped.
 * setrlimit and prlimit set the limit and read it back either way.
 */
#include "check.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOBODY 65534

static void set_limit(rlim_t soft)
{
	struct rlimit r, back;

	if (!CHECK_OK("getrlimit RLIMIT_NPROC", getrlimit(RLIMIT_NPROC, &r)))
		return;
	r.rlim_cur = soft;
	CHECK_OK("setrlimit RLIMIT_NPROC", setrlimit(RLIMIT_NPROC, &r));
	CHECK_OK("prlimit RLIMIT_NPROC", prlimit(0, RLIMIT_NPROC, NULL, &back));
	check_long("RLIMIT_NPROC read back", (long)soft, (long)back.rlim_cur);
}

static void *nothing(void *arg)
{
	return arg;
}

/* fork and pthread_create under the limit set: 0 or the error of each. */
static void try_both(int *fork_err, int *thread_err)
{
	pthread_t th;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0)
		_exit(0);
	*fork_err = pid < 0 ? errno : 0;
	if (pid > 0)
		waitpid(pid, NULL, 0);
	*thread_err = pthread_create(&th, NULL, nothing, NULL);
	if (!*thread_err)
		pthread_join(th, NULL);
}

/* A child that becomes NOBODY and forks under a limit of 1: its status
 * is 0 when the fork failed with EAGAIN, 77 when setuid is refused. */
static int as_nobody(void)
{
	int status = -1, fe, te;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		if (setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
			_exit(EXIT_SKIP);
		set_limit(1);
		try_both(&fe, &te);
		_exit(fe == EAGAIN && te == EAGAIN && !check_failures ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
	int fe, te, r;

	set_limit(1);
	try_both(&fe, &te);
	if (getuid() != 0) {
		check_errval("fork past RLIMIT_NPROC", EAGAIN, fe);
		check_errval("pthread_create past RLIMIT_NPROC", EAGAIN, te);
		printf("not root: fork and pthread_create past RLIMIT_NPROC fail with EAGAIN\n");
		return check_exit("rlimit_nproc");
	}
	check_errval("fork past RLIMIT_NPROC as root", 0, fe);
	check_errval("pthread_create past RLIMIT_NPROC as root", 0, te);
	printf("root: RLIMIT_NPROC does not hold root back\n");
	r = as_nobody();
	if (r == EXIT_SKIP)
		note("setuid(%d) refused: the limit for another user is not checked", NOBODY);
	else
		check_long("a child as uid 65534 held to RLIMIT_NPROC (exit status)", 0, r);
	return check_exit("rlimit_nproc");
}
