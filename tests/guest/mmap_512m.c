// SPDX-License-Identifier: Apache-2.0
/*
 * One 512 MiB anonymous mapping with every page touched: a sandbox that backs
 * guest memory lazily must fill each page once and keep it.
 */
#include "check.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#define LEN (512UL << 20)

static uint64_t pattern(size_t pg, int which)
{
	return 0x9e3779b97f4a7c15ULL * (pg + 1) ^ (uint64_t)which << 56;
}

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	size_t npages = LEN / page, pg, bad = 0, first_bad = 0;
	size_t words = page / sizeof(uint64_t);
	unsigned char *p;

	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fail("mmap 512 MiB: expected mapping got MAP_FAILED (errno %s)",
		     err_name(errno));
		return EXIT_FAILURE;
	}

	/* First and last word of each page, the middle one stays zero. */
	for (pg = 0; pg < npages; pg++) {
		uint64_t *w = (uint64_t *)(p + pg * page);

		w[0] = pattern(pg, 0);
		w[words - 1] = pattern(pg, 1);
	}
	for (pg = 0; pg < npages; pg++) {
		uint64_t *w = (uint64_t *)(p + pg * page);

		if (w[0] != pattern(pg, 0) || w[words - 1] != pattern(pg, 1) ||
		    w[words / 2] != 0) {
			if (!bad++)
				first_bad = pg;
		}
	}
	if (bad)
		fail("512 MiB pattern: expected 0 bad pages got %zu (first at page %zu)",
		     bad, first_bad);

	check_long("munmap 512 MiB", 0, munmap(p, LEN));
	printf("mmap_512m: %zu MiB touched\n", LEN >> 20);
	return check_exit("mmap_512m");
}
