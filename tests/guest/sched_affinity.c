// SPDX-License-Identifier: Apache-2.0
/*
 * CPU placement as the guest sees it: a nonempty affinity mask, getcpu and
 * sched_getcpu naming a CPU inside it, sched_yield succeeding, and the
 * kernel's size rules for the raw sched_getaffinity.
 */
#include "check.h"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

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

	printf("sched_affinity: done\n");
	return check_exit("sched_affinity");
}
