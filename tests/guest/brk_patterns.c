// SPDX-License-Identifier: Apache-2.0
/*
 * The program break: grow, shrink, grow again; pages given back and taken
 * again read as zero (mm/mmap.c: shrinking unmaps them); raw brk(0) and
 * out-of-range requests answer the current break; malloc of many small
 * blocks, which glibc serves from the break.
 */
#include "check.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NPAGES 16

static long page;

/* The raw call answers the new break (or the old one on failure). */
static uintptr_t raw_brk(uintptr_t addr)
{
	return (uintptr_t)syscall(SYS_brk, addr);
}

static int all_bytes(const unsigned char *p, size_t len, unsigned char v)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

/*
 * Raw brk experiments come first, before stdio's buffer or any malloc takes
 * the break, and they leave it where they found it.
 */
static void check_raw_brk(void)
{
	uintptr_t start, base, top, r;
	unsigned char *p;

	start = raw_brk(0);
	check_true("brk(0) is nonzero", start != 0);
	check_ulong("brk(0) twice", start, raw_brk(0));
	check_ulong("sbrk(0) == brk(0)", start, (uintptr_t)sbrk(0));

	/* Below the start of the heap Linux refuses and answers the break. */
	check_ulong("brk(1) refused", start, raw_brk(1));

	base = (start + page - 1) & ~(uintptr_t)(page - 1);
	top = base + NPAGES * page;
	r = raw_brk(top);
	if (!check_ulong("brk grow", top, r))
		return;
	check_ulong("brk(0) after grow", top, raw_brk(0));

	p = (unsigned char *)start;
	check_true("grown memory reads zero", all_bytes(p, top - start, 0));
	memset(p, 0xa5, top - start);
	check_true("grown memory writable", all_bytes(p, top - start, 0xa5));

	/* Shrink to a page boundary: the pages above are unmapped. */
	r = raw_brk(base + page);
	check_ulong("brk shrink", base + page, r);
	check_true("memory below the break kept",
		   all_bytes(p, base + page - start, 0xa5));

	r = raw_brk(top);
	check_ulong("brk regrow", top, r);
	check_true("regrown pages read zero",
		   all_bytes((unsigned char *)base + page,
			     (NPAGES - 1) * page, 0));
	check_true("memory below the old break still kept",
		   all_bytes(p, base + page - start, 0xa5));

	/* An unaligned break is kept as asked, its page stays mapped. */
	r = raw_brk(top + 123);
	check_ulong("brk unaligned", top + 123, r);
	((unsigned char *)top)[122] = 1;
	check_ulong("brk(0) unaligned", top + 123, raw_brk(0));

	r = raw_brk(start);
	check_ulong("brk back to start", start, r);
	check_ulong("brk(0) at end", start, raw_brk(0));
}

static void check_sbrk(void)
{
	unsigned char *a, *b, *c;
	void *start = sbrk(0);
	long pad = -(uintptr_t)start & (page - 1);

	/* From a page boundary, so that shrinking gives whole pages back. */
	if (sbrk(pad) != start) {
		fail("sbrk(pad): expected %p got other", start);
		return;
	}
	a = sbrk(4 * page);
	if (!check_ptr("sbrk(+4 pages) old break", (char *)start + pad, a))
		return;
	memset(a, 0x5a, 4 * page);
	b = sbrk(0);
	check_ptr("sbrk(0) after grow", a + 4 * page, b);

	c = sbrk(-2 * page);
	check_ptr("sbrk(-2 pages) old break", b, c);
	check_ptr("sbrk(0) after shrink", a + 2 * page, sbrk(0));
	check_true("kept half intact", all_bytes(a, 2 * page, 0x5a));

	c = sbrk(2 * page);
	check_ptr("sbrk(+2 pages) old break", a + 2 * page, c);
	check_true("sbrk regrown half reads zero", all_bytes(c, 2 * page, 0));

	check_long("brk() back", 0, brk(start));
	check_ptr("sbrk(0) at end", start, sbrk(0));
}

struct block {
	struct block *next;
	unsigned int size;
	unsigned char data[];
};

/* Enough small blocks to move the break many times. */
#define NBLOCKS 200000

static void check_malloc(void)
{
	struct block *head = NULL, *b;
	uintptr_t before = raw_brk(0);
	unsigned int i, bad = 0, n = 0;

	for (i = 0; i < NBLOCKS; i++) {
		unsigned int size = 1 + (i * 7) % 61;

		b = malloc(sizeof(*b) + size);
		if (!b) {
			fail("malloc block %u: expected pointer got NULL", i);
			break;
		}
		b->size = size;
		memset(b->data, (unsigned char)i, size);
		b->next = head;
		head = b;
	}
	check_true("malloc moved the break", raw_brk(0) > before);

	i = NBLOCKS;
	for (b = head; b; b = head) {
		i--;
		if (!all_bytes(b->data, b->size, (unsigned char)i))
			bad++;
		head = b->next;
		free(b);
		n++;
	}
	check_long("blocks freed", NBLOCKS, n);
	check_long("blocks with damaged contents", 0, bad);

	/* The arena is reused after free. */
	for (i = 0; i < 1000; i++) {
		void *p = malloc(48);

		if (!p) {
			fail("malloc after free: expected pointer got NULL");
			break;
		}
		memset(p, 1, 48);
		free(p);
	}
}

int main(void)
{
	page = sysconf(_SC_PAGESIZE);

	check_raw_brk();
	check_sbrk();
	printf("brk_patterns: raw brk and sbrk done\n");
	check_malloc();
	printf("brk_patterns: %d small blocks allocated and freed\n", NBLOCKS);
	return check_exit("brk_patterns");
}
