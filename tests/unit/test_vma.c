/* The guest's sorted area list (sentry/mm/vma.h): lookups, splits, carving
 * and the top-down gap search mmap uses. */
#include <check.h>

#include "tests/unit/unit.h"
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "sentry/mm/vma.h"

static struct vma_list l;

static void teardown(void)
{
	vma_list_free(&l);
}

static void add(uint64_t start, uint64_t end, uint64_t off, unsigned int flags)
{
	struct vma v = { start, end, off, PROT_READ | PROT_WRITE, flags, NULL, 0 };

	ck_assert_int_eq(vma_insert(&l, &v), 0);
}

static void expect(size_t i, uint64_t start, uint64_t end, uint64_t off)
{
	ck_assert_uint_lt(i, l.n);
	ck_assert_msg(l.v[i].start == start && l.v[i].end == end && l.v[i].off == off,
		      "area %zu is [%#llx, %#llx) off %#llx, want [%#llx, %#llx) off %#llx", i,
		      (unsigned long long)l.v[i].start, (unsigned long long)l.v[i].end,
		      (unsigned long long)l.v[i].off, (unsigned long long)start,
		      (unsigned long long)end, (unsigned long long)off);
}

/* Three areas with gaps: [0x10000, 0x20000) [0x30000, 0x40000) [0x40000, 0x50000). */
static void three(void)
{
	add(0x40000, 0x50000, 0x300000, 0);
	add(0x10000, 0x20000, 0x100000, 0);
	add(0x30000, 0x40000, 0x200000, 0);
}

START_TEST(insert_sorts)
{
	three();
	ck_assert_uint_eq(l.n, 3);
	expect(0, 0x10000, 0x20000, 0x100000);
	expect(1, 0x30000, 0x40000, 0x200000);
	expect(2, 0x40000, 0x50000, 0x300000);
}
END_TEST

/* Past the first growth of the array, order still holds. */
START_TEST(insert_many)
{
	for (uint64_t i = 0; i < 100; i++) {
		uint64_t k = (i * 37) % 100; /* a permutation of 0..99 */

		add(0x1000000 + k * 0x2000, 0x1000000 + k * 0x2000 + 0x1000, k, 0);
	}
	ck_assert_uint_eq(l.n, 100);
	for (size_t i = 0; i < l.n; i++)
		expect(i, 0x1000000 + i * 0x2000, 0x1000000 + i * 0x2000 + 0x1000, i);
}
END_TEST

START_TEST(find_and_lower_bound)
{
	three();
	ck_assert_ptr_eq(vma_find(&l, 0x10000), &l.v[0]);
	ck_assert_ptr_eq(vma_find(&l, 0x1ffff), &l.v[0]);
	ck_assert_ptr_null(vma_find(&l, 0x20000));
	ck_assert_ptr_null(vma_find(&l, 0xffff));
	ck_assert_ptr_null(vma_find(&l, 0));
	ck_assert_ptr_eq(vma_find(&l, 0x3ffff), &l.v[1]);
	ck_assert_ptr_eq(vma_find(&l, 0x40000), &l.v[2]);
	ck_assert_ptr_null(vma_find(&l, 0x50000));
	ck_assert_ptr_null(vma_find(&l, UINT64_MAX));

	ck_assert_uint_eq(vma_lower_bound(&l, 0), 0);
	ck_assert_uint_eq(vma_lower_bound(&l, 0x1ffff), 0);
	ck_assert_uint_eq(vma_lower_bound(&l, 0x20000), 1);
	ck_assert_uint_eq(vma_lower_bound(&l, 0x28000), 1);
	ck_assert_uint_eq(vma_lower_bound(&l, 0x40000), 2);
	ck_assert_uint_eq(vma_lower_bound(&l, 0x4ffff), 2);
	ck_assert_uint_eq(vma_lower_bound(&l, 0x50000), 3);
}
END_TEST

START_TEST(find_in_empty_list)
{
	ck_assert_ptr_null(vma_find(&l, 0x1000));
	ck_assert_uint_eq(vma_lower_bound(&l, 0x1000), 0);
	ck_assert(vma_range_free(&l, 0, UINT64_MAX));
	ck_assert(!vma_range_mapped(&l, 0x1000, 0x2000));
}
END_TEST

START_TEST(split_advances_offset)
{
	struct vma v = { 0x10000, 0x20000, 0x5000, PROT_READ | PROT_EXEC, 0, NULL, 0 };

	ck_assert_int_eq(vma_insert(&l, &v), 0);
	ck_assert_int_eq(vma_split_at(&l, 0x14000), 0);
	ck_assert_uint_eq(l.n, 2);
	expect(0, 0x10000, 0x14000, 0x5000);
	expect(1, 0x14000, 0x20000, 0x9000);
	ck_assert_int_eq(l.v[1].prot, PROT_READ | PROT_EXEC);

	/* At a boundary or outside any area there is nothing to split. */
	ck_assert_int_eq(vma_split_at(&l, 0x14000), 0);
	ck_assert_int_eq(vma_split_at(&l, 0x10000), 0);
	ck_assert_int_eq(vma_split_at(&l, 0x20000), 0);
	ck_assert_int_eq(vma_split_at(&l, 0x30000), 0);
	ck_assert_uint_eq(l.n, 2);
}
END_TEST

/* What the released callback saw. */
struct released {
	struct vma piece[8];
	int n;
};

static void on_release(void *arg, const struct vma *piece)
{
	struct released *r = arg;

	ck_assert_int_lt(r->n, 8);
	r->piece[r->n++] = *piece;
}

static void expect_piece(const struct released *r, int i, uint64_t start, uint64_t end,
			 uint64_t off)
{
	ck_assert_int_lt(i, r->n);
	ck_assert_msg(r->piece[i].start == start && r->piece[i].end == end &&
		      r->piece[i].off == off,
		      "piece %d is [%#llx, %#llx) off %#llx, want [%#llx, %#llx) off %#llx", i,
		      (unsigned long long)r->piece[i].start, (unsigned long long)r->piece[i].end,
		      (unsigned long long)r->piece[i].off, (unsigned long long)start,
		      (unsigned long long)end, (unsigned long long)off);
}

START_TEST(carve_middle)
{
	struct released r = { 0 };

	add(0x10000, 0x20000, 0x100000, 0);
	ck_assert_int_eq(vma_carve(&l, 0x13000, 0x15000, on_release, &r), 0);
	ck_assert_int_eq(r.n, 1);
	expect_piece(&r, 0, 0x13000, 0x15000, 0x103000);
	ck_assert_uint_eq(l.n, 2);
	expect(0, 0x10000, 0x13000, 0x100000);
	expect(1, 0x15000, 0x20000, 0x105000);
	ck_assert_ptr_null(vma_find(&l, 0x13000));
	ck_assert_ptr_null(vma_find(&l, 0x14fff));
}
END_TEST

START_TEST(carve_across_areas)
{
	struct released r = { 0 };

	add(0x10000, 0x12000, 0xa000, 0);
	add(0x13000, 0x14000, 0xb000, 0);
	add(0x15000, 0x18000, 0xc000, 0);
	add(0x20000, 0x21000, 0xd000, 0);
	ck_assert_int_eq(vma_carve(&l, 0x11000, 0x16000, on_release, &r), 0);
	ck_assert_int_eq(r.n, 3);
	expect_piece(&r, 0, 0x11000, 0x12000, 0xb000);
	expect_piece(&r, 1, 0x13000, 0x14000, 0xb000);
	expect_piece(&r, 2, 0x15000, 0x16000, 0xc000);
	ck_assert_uint_eq(l.n, 3);
	expect(0, 0x10000, 0x11000, 0xa000);
	expect(1, 0x16000, 0x18000, 0xd000);
	expect(2, 0x20000, 0x21000, 0xd000);
}
END_TEST

START_TEST(carve_whole_and_nothing)
{
	struct released r = { 0 };

	three();
	/* A hole: nothing released, nothing changed. */
	ck_assert_int_eq(vma_carve(&l, 0x20000, 0x30000, on_release, &r), 0);
	ck_assert_int_eq(r.n, 0);
	ck_assert_uint_eq(l.n, 3);
	/* Exactly two whole areas, without a callback. */
	ck_assert_int_eq(vma_carve(&l, 0x30000, 0x50000, NULL, NULL), 0);
	ck_assert_uint_eq(l.n, 1);
	expect(0, 0x10000, 0x20000, 0x100000);
	/* Everything. */
	ck_assert_int_eq(vma_carve(&l, 0, UINT64_MAX, on_release, &r), 0);
	ck_assert_int_eq(r.n, 1);
	expect_piece(&r, 0, 0x10000, 0x20000, 0x100000);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

START_TEST(range_queries)
{
	three();
	add(0x60000, 0x70000, 0, VMA_RESERVED);

	ck_assert(vma_range_free(&l, 0x20000, 0x30000));
	ck_assert(vma_range_free(&l, 0, 0x10000));
	ck_assert(vma_range_free(&l, 0x50000, 0x60000));
	ck_assert(vma_range_free(&l, 0x70000, UINT64_MAX));
	ck_assert(!vma_range_free(&l, 0x1f000, 0x30000));
	ck_assert(!vma_range_free(&l, 0x20000, 0x30001));
	ck_assert(!vma_range_free(&l, 0, 0x80000));

	ck_assert(vma_range_mapped(&l, 0x10000, 0x20000));
	ck_assert(vma_range_mapped(&l, 0x38000, 0x48000)); /* two adjacent areas */
	ck_assert(vma_range_mapped(&l, 0x30000, 0x50000));
	ck_assert(!vma_range_mapped(&l, 0x18000, 0x38000)); /* the hole between */
	ck_assert(!vma_range_mapped(&l, 0xf000, 0x11000));
	ck_assert(!vma_range_mapped(&l, 0x48000, 0x51000));
	ck_assert(!vma_range_mapped(&l, 0x28000, 0x29000));

	ck_assert(vma_range_reserved(&l, 0x6f000, 0x71000));
	ck_assert(vma_range_reserved(&l, 0, UINT64_MAX));
	ck_assert(!vma_range_reserved(&l, 0x50000, 0x60000));
	ck_assert(!vma_range_reserved(&l, 0x70000, 0x80000));
	ck_assert(!vma_range_reserved(&l, 0x10000, 0x50000));
}
END_TEST

START_TEST(gap_top_down)
{
	three();
	/* Above every area, the gap ends at hi. */
	ck_assert_int_eq(vma_find_gap(&l, 0x1000, 0, 0x60000), 0x5f000);
	/* hi at an area's end or inside it: the highest hole below. */
	ck_assert_int_eq(vma_find_gap(&l, 0x1000, 0, 0x50000), 0x2f000);
	ck_assert_int_eq(vma_find_gap(&l, 0x1000, 0, 0x35000), 0x2f000);
	ck_assert_int_eq(vma_find_gap(&l, 0x10000, 0, 0x50000), 0x20000);
	/* Too big for the middle hole: the one below the first area. */
	ck_assert_int_eq(vma_find_gap(&l, 0x10000, 0, 0x1f000), 0);
	ck_assert_int_eq(vma_find_gap(&l, 0x10000, 0, 0x60000), 0x50000);
	ck_assert_int_eq(vma_find_gap(&l, 0x10000, 0, 0x5f000), 0x20000);
	ck_assert_int_eq(vma_find_gap(&l, 0x11000, 0, 0x50000), -ENOMEM);
	/* Empty list. */
	vma_list_free(&l);
	ck_assert_int_eq(vma_find_gap(&l, 0x1000, 0x1000, 0x10000), 0xf000);
	ck_assert_int_eq(vma_find_gap(&l, 0xf000, 0x1000, 0x10000), 0x1000);
	ck_assert_int_eq(vma_find_gap(&l, 0xf001, 0x1000, 0x10000), -ENOMEM);
}
END_TEST

START_TEST(gap_respects_lo)
{
	three();
	ck_assert_int_eq(vma_find_gap(&l, 0x1000, 0x8000, 0x10000), 0xf000);
	ck_assert_int_eq(vma_find_gap(&l, 0x8000, 0x8000, 0x10000), 0x8000);
	ck_assert_int_eq(vma_find_gap(&l, 0x9000, 0x8000, 0x10000), -ENOMEM);
	/* lo inside an area: the gap may not reach below the area's end. */
	ck_assert_int_eq(vma_find_gap(&l, 0x10000, 0x18000, 0x30000), 0x20000);
	ck_assert_int_eq(vma_find_gap(&l, 0x11000, 0x18000, 0x30000), -ENOMEM);
	ck_assert_int_eq(vma_find_gap(&l, 0x1000, 0x18000, 0x50000), 0x2f000);
	/* lo inside the middle hole, hi above everything. */
	ck_assert_int_eq(vma_find_gap(&l, 0x10000, 0x28000, 0x60000), 0x50000);
	ck_assert_int_eq(vma_find_gap(&l, 0x10001, 0x28000, 0x60000), -ENOMEM);
	ck_assert_int_eq(vma_find_gap(&l, 0x8000, 0x28000, 0x50000), 0x28000);
	/* lo above hi: nothing fits. */
	ck_assert_int_eq(vma_find_gap(&l, 0x1000, 0x60000, 0x50000), -ENOMEM);
}
END_TEST

START_TEST(gap_full)
{
	add(0x10000, 0x20000, 0, 0);
	add(0x20000, 0x30000, 0, 0);
	ck_assert_int_eq(vma_find_gap(&l, 0x1000, 0x10000, 0x30000), -ENOMEM);
	ck_assert_int_eq(vma_find_gap(&l, 0x1000, 0x18000, 0x28000), -ENOMEM);
	ck_assert_int_eq(vma_find_gap(&l, 0x1000, 0x10000, 0x31000), 0x30000);
	ck_assert_int_eq(vma_find_gap(&l, 0x1000, 0xf000, 0x30000), 0xf000);
}
END_TEST

/* Against a brute-force search over a page bitmap, on a fixed pseudo-random
 * layout, for every hi, lo and length on a small grid. */
#define GRID 64
#define PG 0x1000

static int page_used[GRID];

static int64_t brute_gap(uint64_t len, uint64_t lo, uint64_t hi)
{
	for (uint64_t top = hi; top >= lo + len && top >= len; top -= PG) {
		int ok = 1;

		for (uint64_t a = top - len; a < top; a += PG)
			if (page_used[a / PG])
				ok = 0;
		if (ok)
			return (int64_t)(top - len);
		if (top < PG)
			break;
	}
	return -ENOMEM;
}

START_TEST(gap_matches_brute_force)
{
	uint32_t seed = 12345;

	for (int p = 0; p < GRID;) {
		int run;

		seed = seed * 1103515245 + 12345;
		run = 1 + (seed >> 16) % 5;
		if ((seed >> 8) & 1) {
			if (p + run > GRID)
				run = GRID - p;
			add((uint64_t)p * PG, (uint64_t)(p + run) * PG, 0, 0);
			for (int k = p; k < p + run; k++)
				page_used[k] = 1;
		}
		p += run;
	}
	ck_assert_uint_gt(l.n, 3);
	for (uint64_t lo = 0; lo <= GRID * PG; lo += 3 * PG) {
		for (uint64_t hi = lo; hi <= GRID * PG; hi += PG) {
			for (uint64_t len = PG; len <= 8 * PG; len += PG) {
				int64_t got = vma_find_gap(&l, len, lo, hi);
				int64_t want = brute_gap(len, lo, hi);

				ck_assert_msg(got == want,
					      "len %#llx [%#llx, %#llx): %lld, want %lld",
					      (unsigned long long)len, (unsigned long long)lo,
					      (unsigned long long)hi, (long long)got,
					      (long long)want);
			}
		}
	}
}
END_TEST

/* A file mapped at [0x10000, 0x30000) from offset 0x7000. */
static struct vma_file *file_area(void)
{
	struct vma_file *f = vma_file_new("/usr/lib/libx.so", 0xfe00, 42);
	struct vma v = { 0x10000, 0x30000, 0, PROT_READ, 0, vma_file_get(f), 0x7000 };

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(vma_insert(&l, &v), 0);
	return f;
}

/* Pieces of a file mapping keep the name and the offset of their start. */
START_TEST(split_keeps_file_and_offset)
{
	struct vma_file *f = file_area();

	ck_assert_int_eq(vma_split_at(&l, 0x14000), 0);
	ck_assert_int_eq(vma_split_at(&l, 0x20000), 0);
	ck_assert_uint_eq(l.n, 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_ptr_eq(l.v[i].file, f);
	ck_assert_uint_eq(l.v[0].pgoff, 0x7000);
	ck_assert_uint_eq(l.v[1].pgoff, 0xb000);
	ck_assert_uint_eq(l.v[2].pgoff, 0x17000);
	ck_assert_str_eq(l.v[2].file->path, "/usr/lib/libx.so");
	ck_assert_uint_eq(atomic_load(&f->refs), 4); /* ours and three areas' */
	vma_file_put(f);
}
END_TEST

/* Carving drops the removed pieces' references; freeing the list the rest. */
START_TEST(carve_drops_file_references)
{
	struct vma_file *f = file_area();

	ck_assert_int_eq(vma_carve(&l, 0x18000, 0x1c000, NULL, NULL), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(l.v[1].pgoff, 0x7000 + 0xc000);
	ck_assert_uint_eq(atomic_load(&f->refs), 3);
	ck_assert_int_eq(vma_carve(&l, 0x10000, 0x18000, NULL, NULL), 0);
	ck_assert_uint_eq(atomic_load(&f->refs), 2);
	vma_list_free(&l);
	ck_assert_uint_eq(atomic_load(&f->refs), 1);
	vma_file_put(f);
}
END_TEST

static struct vma area(uint64_t start, uint64_t end, int prot, unsigned int flags,
		       struct vma_file *f, uint64_t pgoff)
{
	struct vma v = { start, end, 0, prot, flags, vma_file_get(f), pgoff };

	return v;
}

/* Neighbours merge as Linux's vma_merge would have merged them. */
START_TEST(merge_view_folds_neighbours)
{
	struct vma_file *f = vma_file_new("/bin/x", 1, 2), *g = vma_file_new("/bin/y", 1, 3);
	struct vma v[] = {
		area(0x10000, 0x11000, PROT_READ, 0, NULL, 0),
		area(0x11000, 0x13000, PROT_READ, 0, NULL, 0),        /* merges */
		area(0x13000, 0x14000, PROT_READ | PROT_WRITE, 0, NULL, 0), /* other prot */
		area(0x15000, 0x16000, PROT_READ | PROT_WRITE, 0, NULL, 0), /* a hole before */
		area(0x16000, 0x17000, PROT_READ | PROT_WRITE, VMA_ACCOUNT, NULL, 0),
		area(0x17000, 0x18000, PROT_READ, 0, f, 0x1000),
		area(0x18000, 0x1a000, PROT_READ, 0, f, 0x2000),     /* contiguous: merges */
		area(0x1a000, 0x1b000, PROT_READ, 0, f, 0x5000),     /* offset jumps */
		area(0x1b000, 0x1c000, PROT_READ, 0, g, 0x6000),     /* another file */
	};
	size_t n = vma_merge_view(v, sizeof v / sizeof v[0]);

	ck_assert_uint_eq(n, 7);
	ck_assert(v[0].start == 0x10000 && v[0].end == 0x13000);
	ck_assert(v[1].start == 0x13000 && v[1].end == 0x14000);
	ck_assert(v[2].start == 0x15000 && v[2].flags == 0);
	ck_assert(v[3].flags == VMA_ACCOUNT && v[3].end == 0x17000);
	ck_assert(v[4].file == f && v[4].start == 0x17000 && v[4].end == 0x1a000);
	ck_assert(v[5].file == f && v[5].pgoff == 0x5000);
	ck_assert(v[6].file == g);
	ck_assert_uint_eq(atomic_load(&f->refs), 3); /* ours and two areas' */
	for (size_t i = 0; i < n; i++)
		vma_file_put(v[i].file);
	ck_assert_uint_eq(atomic_load(&f->refs), 1);
	vma_file_put(f);
	vma_file_put(g);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("vma");
	TCase *list = tcase_create("list");
	TCase *carve = tcase_create("carve");
	TCase *gap = tcase_create("gap");

	tcase_add_checked_fixture(list, NULL, teardown);
	tcase_add_test(list, insert_sorts);
	tcase_add_test(list, insert_many);
	tcase_add_test(list, find_and_lower_bound);
	tcase_add_test(list, find_in_empty_list);
	tcase_add_test(list, split_advances_offset);
	tcase_add_test(list, range_queries);
	tcase_add_test(list, split_keeps_file_and_offset);
	tcase_add_test(list, merge_view_folds_neighbours);
	suite_add_tcase(s, list);

	tcase_add_checked_fixture(carve, NULL, teardown);
	tcase_add_test(carve, carve_middle);
	tcase_add_test(carve, carve_across_areas);
	tcase_add_test(carve, carve_whole_and_nothing);
	tcase_add_test(carve, carve_drops_file_references);
	suite_add_tcase(s, carve);

	tcase_add_checked_fixture(gap, NULL, teardown);
	tcase_add_test(gap, gap_top_down);
	tcase_add_test(gap, gap_respects_lo);
	tcase_add_test(gap, gap_full);
	tcase_add_test(gap, gap_matches_brute_force);
	suite_add_tcase(s, gap);
	return s;
}
