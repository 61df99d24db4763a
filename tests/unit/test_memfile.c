/* The memory file (sentry/mm/memfile.h): allocation, reuse of freed ranges
 * and that reused memory reads as zero. */
#include <check.h>

#include "tests/unit/unit.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sentry/mm/memfile.h"

#define PAGE 4096ULL
#define MIB (1024ULL * 1024)
#define FILE_SIZE (64 * MIB)

static struct memfile *mf;

static void setup(void)
{
	ck_assert_int_eq(memfile_create(FILE_SIZE, &mf), 0);
	ck_assert_ptr_nonnull(mf);
}

static void teardown(void)
{
	memfile_destroy(mf);
	mf = NULL;
}

static uint64_t alloc(uint64_t len)
{
	int64_t off = memfile_alloc(mf, len);

	ck_assert_msg(off >= 0, "alloc %llu: %lld", (unsigned long long)len, (long long)off);
	ck_assert_msg(off % PAGE == 0, "offset %#llx not page-aligned", (unsigned long long)off);
	ck_assert_uint_le((uint64_t)off + len, FILE_SIZE);
	return (uint64_t)off;
}

static int all_zero(uint64_t off, uint64_t len)
{
	const uint8_t *p = memfile_ptr(mf, off);

	for (uint64_t i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

START_TEST(alloc_disjoint)
{
	static const uint64_t lens[] = { PAGE, 3 * PAGE, 16 * PAGE, PAGE, MIB, 2 * PAGE };
	uint64_t off[6];

	for (size_t i = 0; i < 6; i++) {
		off[i] = alloc(lens[i]);
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(off[i] + lens[i] <= off[j] || off[j] + lens[j] <= off[i],
				      "ranges %zu and %zu overlap", j, i);
	}
	/* Fresh ranges read as zero. */
	for (size_t i = 0; i < 6; i++)
		ck_assert(all_zero(off[i], lens[i]));
}
END_TEST

/* The sentry's pointer and the guest's mapping of the fd are the same pages. */
START_TEST(ptr_shares_the_fd)
{
	uint64_t a = alloc(PAGE), b = alloc(2 * PAGE);
	uint8_t *view;

	memset(memfile_ptr(mf, a), 0x11, PAGE);
	memset(memfile_ptr(mf, b), 0x22, 2 * PAGE);
	view = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfile_fd(mf), 0);
	ck_assert_ptr_ne(view, MAP_FAILED);
	ck_assert_uint_eq(view[a], 0x11);
	ck_assert_uint_eq(view[a + PAGE - 1], 0x11);
	ck_assert_uint_eq(view[b], 0x22);
	ck_assert_uint_eq(view[b + 2 * PAGE - 1], 0x22);
	/* And the other way. */
	view[b + PAGE] = 0x33;
	ck_assert_uint_eq(((uint8_t *)memfile_ptr(mf, b))[PAGE], 0x33);
	munmap(view, FILE_SIZE);
}
END_TEST

START_TEST(free_reuses_zeroed)
{
	uint64_t a = alloc(4 * PAGE), b;

	alloc(PAGE); /* keeps a from being the top of the file */
	memset(memfile_ptr(mf, a), 0x5a, 4 * PAGE);
	memfile_free(mf, a, 4 * PAGE);
	b = alloc(4 * PAGE);
	ck_assert_uint_eq(b, a);
	ck_assert(all_zero(b, 4 * PAGE));
}
END_TEST

/* A smaller request is cut from the front of a freed range, the rest stays free. */
START_TEST(free_range_split)
{
	uint64_t a = alloc(4 * PAGE);

	alloc(PAGE);
	memfile_free(mf, a, 4 * PAGE);
	ck_assert_uint_eq(alloc(PAGE), a);
	ck_assert_uint_eq(alloc(3 * PAGE), a + PAGE);
	/* Used up: the next comes from the untouched end of the file. */
	ck_assert_uint_eq(alloc(PAGE), a + 5 * PAGE);
}
END_TEST

START_TEST(zero_range)
{
	uint64_t a = alloc(3 * PAGE);

	memset(memfile_ptr(mf, a), 0x77, 3 * PAGE);
	ck_assert_int_eq(memfile_zero(mf, a + PAGE, PAGE), 0);
	ck_assert(all_zero(a + PAGE, PAGE));
	ck_assert_uint_eq(((uint8_t *)memfile_ptr(mf, a))[PAGE - 1], 0x77);
	ck_assert_uint_eq(((uint8_t *)memfile_ptr(mf, a))[2 * PAGE], 0x77);
}
END_TEST

START_TEST(exhaustion)
{
	ck_assert_int_eq(memfile_alloc(mf, FILE_SIZE + PAGE), -ENOMEM);
	ck_assert_uint_eq(alloc(FILE_SIZE - PAGE), 0);
	ck_assert_uint_eq(alloc(PAGE), FILE_SIZE - PAGE);
	ck_assert_int_eq(memfile_alloc(mf, PAGE), -ENOMEM);
	/* A freed range makes room again, for no more than its size. */
	memfile_free(mf, 8 * PAGE, 2 * PAGE);
	ck_assert_int_eq(memfile_alloc(mf, 3 * PAGE), -ENOMEM);
	ck_assert_uint_eq(alloc(2 * PAGE), 8 * PAGE);
	ck_assert_int_eq(memfile_alloc(mf, PAGE), -ENOMEM);
}
END_TEST

/* Neighbours freed in either order merge, so a request for their sum fits
 * there rather than at the end of the file. */
START_TEST(coalesce_with_previous)
{
	uint64_t a = alloc(PAGE), b = alloc(2 * PAGE);

	alloc(PAGE);
	memfile_free(mf, a, PAGE);
	memfile_free(mf, b, 2 * PAGE);
	ck_assert_uint_eq(alloc(3 * PAGE), a);
}
END_TEST

START_TEST(coalesce_with_next)
{
	uint64_t a = alloc(PAGE), b = alloc(2 * PAGE);

	alloc(PAGE);
	memfile_free(mf, b, 2 * PAGE);
	memfile_free(mf, a, PAGE);
	ck_assert_uint_eq(alloc(3 * PAGE), a);
}
END_TEST

START_TEST(coalesce_both_sides)
{
	uint64_t a = alloc(PAGE), b = alloc(PAGE), c = alloc(PAGE);

	alloc(PAGE);
	memfile_free(mf, a, PAGE);
	memfile_free(mf, c, PAGE);
	memfile_free(mf, b, PAGE);
	ck_assert_uint_eq(alloc(3 * PAGE), a);
	ck_assert_uint_eq(alloc(PAGE), c + 2 * PAGE);
}
END_TEST

/* Ranges that are not neighbours stay apart. */
START_TEST(no_false_coalesce)
{
	uint64_t a = alloc(PAGE), c, top;

	alloc(PAGE);
	c = alloc(PAGE);
	top = alloc(PAGE) + PAGE;
	memfile_free(mf, a, PAGE);
	memfile_free(mf, c, PAGE);
	ck_assert_uint_eq(alloc(2 * PAGE), top);
	ck_assert_uint_eq(alloc(PAGE), a);
	ck_assert_uint_eq(alloc(PAGE), c);
}
END_TEST

/* Many scattered frees, more than the free list's first allocation. */
START_TEST(many_frees)
{
	uint64_t first = alloc(PAGE), off;

	for (int i = 1; i < 400; i++)
		ck_assert_uint_eq(alloc(PAGE), first + i * PAGE);
	for (int i = 0; i < 400; i += 2)
		memfile_free(mf, first + i * PAGE, PAGE);
	for (int i = 1; i < 400; i += 2)
		memfile_free(mf, first + i * PAGE, PAGE);
	/* All 400 pages merged back into one range. */
	off = alloc(400 * PAGE);
	ck_assert_uint_eq(off, first);
}
END_TEST

/* A range two address spaces map is released only with its last user. */
START_TEST(shared_range_lives_until_its_last_user)
{
	uint64_t off = alloc(2 * PAGE);

	memset(memfile_ptr(mf, off), 'x', 2 * PAGE);
	ck_assert_int_eq(memfile_share(mf, off, 2 * PAGE), 0);
	ck_assert_int_eq(memfile_share(mf, off, 2 * PAGE), 0); /* three users */
	memfile_free(mf, off, 2 * PAGE);
	memfile_free(mf, off, 2 * PAGE);
	ck_assert_int_eq(*(char *)memfile_ptr(mf, off + PAGE), 'x');
	ck_assert_uint_ne(alloc(2 * PAGE), off); /* still in use */
	memfile_free(mf, off, 2 * PAGE);
	ck_assert(all_zero(off, 2 * PAGE));
	ck_assert_uint_eq(alloc(2 * PAGE), off); /* free again */
}
END_TEST

/* A piece of a shared range is never released on its own: the memory
 * stays (a leak at worst), and is never handed out while others map it. */
START_TEST(shared_range_piece_is_kept)
{
	uint64_t off = alloc(2 * PAGE);

	memset(memfile_ptr(mf, off), 'y', 2 * PAGE);
	ck_assert_int_eq(memfile_share(mf, off, 2 * PAGE), 0);
	memfile_free(mf, off, PAGE);
	ck_assert_int_eq(*(char *)memfile_ptr(mf, off), 'y');
	ck_assert_uint_ne(alloc(PAGE), off);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("memfile");
	TCase *alloc_tc = tcase_create("alloc");
	TCase *free_tc = tcase_create("free");

	tcase_add_checked_fixture(alloc_tc, setup, teardown);
	tcase_add_test(alloc_tc, alloc_disjoint);
	tcase_add_test(alloc_tc, ptr_shares_the_fd);
	tcase_add_test(alloc_tc, zero_range);
	tcase_add_test(alloc_tc, exhaustion);
	suite_add_tcase(s, alloc_tc);

	tcase_add_checked_fixture(free_tc, setup, teardown);
	tcase_add_test(free_tc, free_reuses_zeroed);
	tcase_add_test(free_tc, free_range_split);
	tcase_add_test(free_tc, coalesce_with_previous);
	tcase_add_test(free_tc, coalesce_with_next);
	tcase_add_test(free_tc, coalesce_both_sides);
	tcase_add_test(free_tc, no_false_coalesce);
	tcase_add_test(free_tc, many_frees);
	tcase_add_test(free_tc, shared_range_lives_until_its_last_user);
	tcase_add_test(free_tc, shared_range_piece_is_kept);
	suite_add_tcase(s, free_tc);
	return s;
}
