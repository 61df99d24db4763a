// SPDX-License-Identifier: Apache-2.0
/*
 * Syscall numbers that no Linux kernel has must fail with ENOSYS, leave the
 * arguments alone and let the program go on.
 */
#include "check.h"

#include <sys/syscall.h>
#include <unistd.h>

static const long numbers[] = {
	1000, 1023, 9999, 0x7fffffff,
	/* -1 is also ptrace's "skip this call" (Linux answers ENOSYS). */
	-1,
};

int main(void)
{
	char what[64];
	size_t i;
	long r;
	int err, pid = getpid();

	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		snprintf(what, sizeof(what), "syscall(%ld)", numbers[i]);
		errno = 0;
		r = syscall(numbers[i], 1L, 2L, 3L, 4L, 5L, 6L);
		err = errno;
		check_errno(what, r, err, ENOSYS);
	}

	/* Many in a row: an unknown call must not leak anything per call. */
	for (i = 0; i < 10000; i++) {
		errno = 0;
		r = syscall(1000 + (long)(i % 24));
		if (r != -1 || errno != ENOSYS) {
			fail("syscall(%ld) #%zu: expected -1 ENOSYS got %ld (%s)",
			     1000 + (long)(i % 24), i, r, err_name(errno));
			break;
		}
	}

	/* Still alive and still served. */
	check_long("getpid after ENOSYS", pid, getpid());
	printf("enosys: %zu unknown numbers answered ENOSYS\n",
	       sizeof(numbers) / sizeof(numbers[0]));
	return check_exit("enosys");
}
