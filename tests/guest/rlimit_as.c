// SPDX-License-Identifier: Apache-2.0
/*
 * RLIMIT_AS (mm/mmap.c may_expand_vm): with the limit a little above what
 * the process maps, mmap of more than is left fails with ENOMEM while a
 * smaller one fits; memory given back may be mapped again; MAP_FIXED over
 * a mapping counts only what it adds; brk cannot grow past it (the break
 * stays); mremap cannot grow past it (ENOMEM). The limit is set from the
 * process's own VmSize, so the same test holds wherever it runs.
 */
#include "check.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MIB (1024L * 1024)

/* VmSize of /proc/self/status, in bytes; 0 when it cannot be read. */
static long vm_size(void)
{
	char buf[4096], *p;
	FILE *f = fopen("/proc/self/status", "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strstr(buf, "VmSize:");
	return p ? strtol(p + 7, NULL, 10) * 1024 : 0;
}

static void *map(long len)
{
	return mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
}

int main(void)
{
	long base = vm_size();
	struct rlimit lim;
	void *a, *b;
	char *brk0;

	if (!check_true("VmSize in /proc/self/status", base > 0))
		return check_exit("rlimit_as");
	/* 16 MiB of room, less what stdio and the check above may still map. */
	if (!CHECK_OK("getrlimit(RLIMIT_AS)", getrlimit(RLIMIT_AS, &lim)))
		return check_exit("rlimit_as");
	lim.rlim_cur = (rlim_t)(base + 16 * MIB);
	if (!CHECK_OK("setrlimit(RLIMIT_AS)", setrlimit(RLIMIT_AS, &lim)))
		return check_exit("rlimit_as");
	a = map(10 * MIB);
	check_true("10 MiB fit under the limit", a != MAP_FAILED);
	CHECK_ERRNO("8 MiB more do not", map(8 * MIB), ENOMEM);
	b = map(4 * MIB);
	check_true("4 MiB more fit", b != MAP_FAILED);
	if (a != MAP_FAILED) {
		check_true("MAP_FIXED over the 10 MiB adds nothing",
			   mmap(a, 10 * MIB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
				0) == a);
		CHECK_ERRNO("mremap growing 10 MiB to 20 MiB",
			    mremap(a, 10 * MIB, 20 * MIB, MREMAP_MAYMOVE), ENOMEM);
		munmap(a, 10 * MIB);
	}
	a = map(8 * MIB);
	check_true("8 MiB fit again once given back", a != MAP_FAILED);
	brk0 = (char *)syscall(SYS_brk, 0);
	check_ptr("brk cannot grow 32 MiB: the break stays", brk0,
		  (void *)syscall(SYS_brk, brk0 + 32 * MIB));
	check_true("brk may grow 64 KiB",
		   (char *)syscall(SYS_brk, brk0 + 65536) == brk0 + 65536);
	if (b != MAP_FAILED)
		munmap(b, 4 * MIB);
	if (a != MAP_FAILED)
		munmap(a, 8 * MIB);
	lim.rlim_cur = lim.rlim_max;
	CHECK_OK("setrlimit(RLIMIT_AS) back to its maximum", setrlimit(RLIMIT_AS, &lim));
	printf("rlimit_as: done\n");
	return check_exit("rlimit_as");
}
