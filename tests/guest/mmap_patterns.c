// SPDX-License-Identifier: Apache-2.0
/*
 * Anonymous mappings: zero fill, MAP_FIXED over a mapping, holes punched by
 * munmap, mprotect there and back, mremap in place, moved and shrunk,
 * MAP_FIXED_NOREPLACE, madvise(MADV_DONTNEED), and the EINVAL cases.
 *
 * No access to unmapped or read-only memory: faults are not delivered yet.
 * Whether a range is free is asked with MAP_FIXED_NOREPLACE instead, which
 * answers EEXIST on any overlap (mmap(2)).
 */
#include "check.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static size_t page;

static unsigned char *map_anon(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fail("mmap(%zu): expected mapping got MAP_FAILED (errno %s)",
		     len, err_name(errno));
		exit(EXIT_FAILURE);
	}
	return p;
}

static int all_bytes(const unsigned char *p, size_t len, unsigned char v)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

/* Nonzero when [addr, addr+len) is mapped; leaves the range as it found it. */
static int range_mapped(void *addr, size_t len)
{
	void *p = mmap(addr, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return errno == EEXIST;
	if (p != addr) {
		/* Kernels before 4.17 ignore the flag and place it elsewhere. */
		fail("MAP_FIXED_NOREPLACE: expected %p got %p", addr, p);
		munmap(p, len);
		return 0;
	}
	munmap(p, len);
	return 0;
}

static void check_basic(void)
{
	unsigned char *p = map_anon(8 * page, PROT_READ | PROT_WRITE);

	check_true("mmap is page aligned", (uintptr_t)p % page == 0);
	check_true("fresh mapping reads zero", all_bytes(p, 8 * page, 0));
	memset(p, 0x11, 8 * page);
	check_true("mapping writable", all_bytes(p, 8 * page, 0x11));
	check_true("mapping is mapped", range_mapped(p, 8 * page));
	check_long("munmap", 0, munmap(p, 8 * page));
	check_true("unmapped range is free", !range_mapped(p, 8 * page));

	p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fail("mmap shared anonymous: expected mapping got MAP_FAILED (errno %s)",
		     err_name(errno));
		return;
	}
	check_true("shared anonymous reads zero", all_bytes(p, 4 * page, 0));
	memset(p, 0x22, 4 * page);
	check_true("shared anonymous writable", all_bytes(p, 4 * page, 0x22));
	check_long("munmap shared", 0, munmap(p, 4 * page));
}

static void check_fixed_over(void)
{
	unsigned char *p = map_anon(4 * page, PROT_READ | PROT_WRITE);
	void *q;

	memset(p, 0xaa, 4 * page);
	q = mmap(p + page, 2 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	check_ptr("MAP_FIXED over a mapping", p + page, q);
	check_true("MAP_FIXED replaced pages read zero",
		   all_bytes(p + page, 2 * page, 0));
	check_true("page before kept", all_bytes(p, page, 0xaa));
	check_true("page after kept", all_bytes(p + 3 * page, page, 0xaa));

	q = mmap(p + page, page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (q != MAP_FAILED) {
		fail("MAP_FIXED_NOREPLACE onto a mapping: expected EEXIST got %p",
		     q);
	} else {
		check_errval("MAP_FIXED_NOREPLACE errno", EEXIST, errno);
	}
	check_true("NOREPLACE left the page alone", all_bytes(p + page, page, 0));
	munmap(p, 4 * page);
}

static void check_hole(void)
{
	unsigned char *p = map_anon(5 * page, PROT_READ | PROT_WRITE);

	memset(p, 0x33, 5 * page);
	check_long("munmap middle", 0, munmap(p + 2 * page, page));
	check_true("hole is free", !range_mapped(p + 2 * page, page));
	check_true("left of hole mapped", range_mapped(p, 2 * page));
	check_true("right of hole mapped", range_mapped(p + 3 * page, 2 * page));
	check_true("left of hole intact", all_bytes(p, 2 * page, 0x33));
	check_true("right of hole intact", all_bytes(p + 3 * page, 2 * page, 0x33));
	p[0] = 1;
	p[2 * page - 1] = 2;
	p[3 * page] = 3;
	p[5 * page - 1] = 4;
	check_long("write left of hole", 2, p[2 * page - 1]);
	check_long("write right of hole", 3, p[3 * page]);
	/* munmap of a range that is partly a hole is fine. */
	check_long("munmap across the hole", 0, munmap(p, 5 * page));
	check_true("whole range free", !range_mapped(p, 5 * page));
}

static void check_mprotect(void)
{
	unsigned char *p = map_anon(4 * page, PROT_READ | PROT_WRITE);
	int r;

	memset(p, 0x44, 4 * page);
	r = mprotect(p + page, 2 * page, PROT_READ);
	check_long("mprotect read-only", 0, r);
	check_true("read-only pages readable", all_bytes(p + page, 2 * page, 0x44));
	p[0] = 0x45;
	p[3 * page] = 0x46;
	r = mprotect(p + page, 2 * page, PROT_READ | PROT_WRITE);
	check_long("mprotect back to read-write", 0, r);
	memset(p + page, 0x47, 2 * page);
	check_true("writable again", all_bytes(p + page, 2 * page, 0x47));
	check_long("neighbour before", 0x45, p[0]);
	check_long("neighbour after", 0x46, p[3 * page]);

	r = mprotect(p, 4 * page, PROT_NONE);
	check_long("mprotect PROT_NONE", 0, r);
	r = mprotect(p, 4 * page, PROT_READ);
	check_long("mprotect PROT_NONE to read", 0, r);
	check_long("contents survive PROT_NONE", 0x47, p[page]);

	CHECK_ERRNO("mprotect unaligned", mprotect(p + 1, page, PROT_READ),
		    EINVAL);
	munmap(p, 4 * page);
}

static void check_mremap(void)
{
	unsigned char *x = map_anon(8 * page, PROT_READ | PROT_WRITE);
	unsigned char *q;
	size_t i;

	/* x[0..2) is the subject, x[2..4) a gap, x[4..8) a blocker. */
	check_long("munmap gap", 0, munmap(x + 2 * page, 2 * page));
	for (i = 0; i < 2 * page; i++)
		x[i] = (unsigned char)(i * 7);

	q = mremap(x, 2 * page, 4 * page, 0);
	if (!check_ptr("mremap grow in place", x, q))
		exit(EXIT_FAILURE);
	check_true("grown tail reads zero", all_bytes(x + 2 * page, 2 * page, 0));

	q = mremap(x, 4 * page, 6 * page, 0);
	if (q != MAP_FAILED)
		fail("mremap grow into a mapping without MAYMOVE: expected ENOMEM got %p",
		     (void *)q);
	else
		check_errval("mremap blocked errno", ENOMEM, errno);

	q = mremap(x, 4 * page, 64 * page, MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		fail("mremap MAYMOVE: expected mapping got MAP_FAILED (errno %s)",
		     err_name(errno));
		exit(EXIT_FAILURE);
	}
	check_true("mremap MAYMOVE moved", q != x);
	for (i = 0; i < 2 * page; i++)
		if (q[i] != (unsigned char)(i * 7))
			break;
	check_long("mremap moved bytes preserved", 2 * page, i);
	check_true("moved tail reads zero", all_bytes(q + 2 * page, 62 * page, 0));
	memset(q + 32 * page, 0x55, 32 * page);
	check_true("old place is free", !range_mapped(x, 4 * page));
	check_true("blocker untouched", range_mapped(x + 4 * page, 4 * page));

	check_ptr("mremap shrink", q, mremap(q, 64 * page, 2 * page, 0));
	check_true("shrunk tail is free", !range_mapped(q + 2 * page, 62 * page));
	check_long("shrunk head preserved", (unsigned char)(7 * 5), q[5]);

	check_ptr("mremap unaligned", MAP_FAILED,
		  mremap(q + 1, page, 2 * page, MREMAP_MAYMOVE));
	check_errval("mremap unaligned errno", EINVAL, errno);

	munmap(q, 2 * page);
	munmap(x + 4 * page, 4 * page);
}

static void check_madvise(void)
{
	unsigned char *p = map_anon(4 * page, PROT_READ | PROT_WRITE);

	memset(p, 0x66, 4 * page);
	check_long("madvise DONTNEED", 0, madvise(p + page, 2 * page, MADV_DONTNEED));
	check_true("DONTNEED pages read zero", all_bytes(p + page, 2 * page, 0));
	check_true("page before kept", all_bytes(p, page, 0x66));
	check_true("page after kept", all_bytes(p + 3 * page, page, 0x66));
	check_long("madvise WILLNEED", 0, madvise(p, 4 * page, MADV_WILLNEED));
	check_long("madvise NORMAL", 0, madvise(p, 4 * page, MADV_NORMAL));
	CHECK_ERRNO("madvise unaligned", madvise(p + 1, page, MADV_DONTNEED),
		    EINVAL);
	munmap(p, 4 * page);
}

static void check_einval(void)
{
	unsigned char *p = map_anon(2 * page, PROT_READ | PROT_WRITE);
	void *q;

	CHECK_ERRNO("munmap unaligned", munmap(p + 1, page), EINVAL);
	CHECK_ERRNO("munmap length 0", munmap(p, 0), EINVAL);
	check_true("failed munmap left it mapped", range_mapped(p, 2 * page));

	q = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check_ptr("mmap length 0", MAP_FAILED, q);
	check_errval("mmap length 0 errno", EINVAL, errno);

	q = mmap(NULL, page, PROT_READ, MAP_ANONYMOUS, -1, 0);
	check_ptr("mmap neither private nor shared", MAP_FAILED, q);
	check_errval("mmap neither private nor shared errno", EINVAL, errno);

	q = mmap(p + 1, page, PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	check_ptr("mmap MAP_FIXED unaligned", MAP_FAILED, q);
	check_errval("mmap MAP_FIXED unaligned errno", EINVAL, errno);
	munmap(p, 2 * page);
}

int main(void)
{
	page = sysconf(_SC_PAGESIZE);

	check_basic();
	check_fixed_over();
	check_hole();
	check_mprotect();
	check_mremap();
	check_madvise();
	check_einval();
	printf("mmap_patterns: done\n");
	return check_exit("mmap_patterns");
}
