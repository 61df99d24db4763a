/* SPDX-License-Identifier: Apache-2.0 */
/* A vfork child that kills the parent it shares memory with: the parent
 * dies of SIGKILL, the child goes on and ends on its own, and nothing of
 * either is left behind. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int p[2], st = 0;
	char c = 0;
	pid_t outer;

	if (!CHECK_OK("pipe", pipe(p)))
		return check_exit("proc_vfork_kill");
	outer = fork();
	if (outer == 0) {
		pid_t child = vfork();

		if (child == 0) {
			kill(getppid(), SIGKILL);
			usleep(100000);
			if (write(p[1], "k", 1) != 1)
				_exit(2);
			_exit(3);
		}
		_exit(1); /* never reached: the child killed us first */
	}
	close(p[1]);
	check_long("waitpid", outer, waitpid(outer, &st, 0));
	check_true("the vfork parent died of SIGKILL", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	check_long("the orphaned child went on", 1, read(p[0], &c, 1));
	check_long("and said so", 'k', c);
	return check_exit("proc_vfork_kill");
}
