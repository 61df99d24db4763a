// SPDX-License-Identifier: Apache-2.0
/*
 * CPU placement as the guest sees it: a nonempty affinity mask, getcpu and
 * sched_getcpu naming a CPU inside it, sched_yield succeeding, and the
 * kernel's size rules for the raw sched_getaffinity. sched_setaffinity
 * narrows the mask to one CPU, where getcpu then finds the task; a fork
 * inherits it; a mask of no CPU the system has is EINVAL, after ESRCH for
 * a bad pid; a bad pointer is EFAULT.
 */
#include "check.h"

#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Narrows the affinity to the first CPU of all, then puts all back. */
static void set_affinity(const cpu_set_t *all)
{
	cpu_set_t one, back, none;
	unsigned int cpu = ~0U;
	int first = 0, status;
	pid_t pid;

	while (first < CPU_SETSIZE && !CPU_ISSET(first, all))
		first++;
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	if (!CHECK_OK("sched_setaffinity(one CPU)", sched_setaffinity(0, sizeof(one), &one)))
		return;
	CPU_ZERO(&back);
	if (CHECK_OK("sched_getaffinity after it", sched_getaffinity(0, sizeof(back), &back)))
		check_true("the mask is that one CPU", CPU_EQUAL(&one, &back));
	sched_yield();
	if (CHECK_OK("getcpu on one CPU", getcpu(&cpu, NULL)))
		check_long("getcpu names that CPU", first, (long)cpu);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		CPU_ZERO(&back);
		sched_getaffinity(0, sizeof(back), &back);
		_exit(CPU_EQUAL(&one, &back) ? 0 : 1);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		check_long("a fork inherits the mask", 0, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	CPU_ZERO(&none);
	CHECK_ERRNO("sched_setaffinity(no CPU)", sched_setaffinity(0, sizeof(none), &none), EINVAL);
	CPU_ZERO(&none);
	CPU_SET(CPU_SETSIZE - 1, &none);
	CHECK_ERRNO("sched_setaffinity(only a CPU past the system's)",
		    sched_setaffinity(0, sizeof(none), &none), EINVAL);
	CHECK_ERRNO("sched_setaffinity(pid -1, no CPU)",
		    syscall(SYS_sched_setaffinity, -1L, sizeof(none), &none), ESRCH);
	CHECK_ERRNO("sched_setaffinity(a bad pointer)",
		    syscall(SYS_sched_setaffinity, 0L, sizeof(none), 1L), EFAULT);
	CHECK_OK("sched_setaffinity(all again)", sched_setaffinity(0, sizeof(*all), all));
}

int main(void)
{
	cpu_set_t set;
	unsigned int cpu = ~0U, node = ~0U;
	long r;
	int i, n, same = 0;

	CPU_ZERO(&set);
	r = sched_getaffinity(0, sizeof(set), &set);
	if (!check_ok("sched_getaffinity", r, errno))
		return check_exit("sched_affinity");
	n = CPU_COUNT(&set);
	if (n < 1)
		fail("CPU_COUNT(affinity): expected >= 1 got %d", n);

	/* The raw call answers how many bytes of mask the kernel wrote. */
	r = syscall(SYS_sched_getaffinity, 0L, sizeof(set), &set);
	if (r <= 0 || r > (long)sizeof(set) || r % sizeof(long))
		fail("raw sched_getaffinity: expected a multiple of %zu in 1..%zu got %ld",
		     sizeof(long), sizeof(set), r);
	CHECK_ERRNO("raw sched_getaffinity size 1",
		    syscall(SYS_sched_getaffinity, 0L, 1L, &set), EINVAL);
	CHECK_ERRNO("raw sched_getaffinity to (void *)1",
		    syscall(SYS_sched_getaffinity, 0L, sizeof(set), 1L), EFAULT);
	CHECK_ERRNO("sched_getaffinity(pid -1)",
		    sched_getaffinity(-1, sizeof(set), &set), ESRCH);
	r = sched_getaffinity(getpid(), sizeof(set), &set);
	check_ok("sched_getaffinity(getpid())", r, errno);

	r = getcpu(&cpu, &node);
	if (check_ok("getcpu", r, errno)) {
		if (cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &set))
			fail("getcpu: expected a cpu in the affinity mask got %u",
			     cpu);
		if (node == ~0U)
			fail("getcpu: expected a node got none written");
	}
	check_long("getcpu(NULL, NULL)", 0, getcpu(NULL, NULL));

	/* The task may move between two calls; agreeing once is enough. */
	for (i = 0; i < 100 && !same; i++) {
		int c = sched_getcpu();

		if (getcpu(&cpu, NULL) == 0 && c >= 0 && (unsigned int)c == cpu)
			same = 1;
	}
	check_true("sched_getcpu agrees with getcpu", same);

	for (i = 0; i < 100; i++) {
		if (sched_yield() != 0) {
			fail("sched_yield: expected 0 got -1 (errno %s)",
			     err_name(errno));
			break;
		}
	}

	set_affinity(&set);
	printf("sched_affinity: done\n");
	return check_exit("sched_affinity");
}
