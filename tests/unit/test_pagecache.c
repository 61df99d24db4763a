/* SPDX-License-Identifier: Apache-2.0 */
/* The page cache: a file range is read once, shared while unchanged, read
 * again once the file changes, and zero past the file's end. */
#include <check.h>

#include "tests/unit/unit.h"
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/mm/memfile.h"
#include "sentry/mm/pagecache.h"

#define PAGE 4096ULL

static struct memfile *mf;
static struct pagecache *pc;
static char path[] = "/tmp/umbra-pagecache-XXXXXX";
static int fd = -1;

static void setup(void)
{
	ck_assert_int_eq(memfile_create(64ULL << 20, &mf), 0);
	ck_assert_int_eq(pagecache_create(mf, &pc), 0);
	strcpy(path, "/tmp/umbra-pagecache-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "hello", 5), 5);
}

static void teardown(void)
{
	close(fd);
	unlink(path);
	pagecache_destroy(pc);
	memfile_destroy(mf);
}

static int64_t get(uint64_t off, uint64_t len)
{
	struct stat st;
	int64_t mem = -1;

	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(pagecache_get(pc, fd, &st, off, len, &mem), 0);
	ck_assert_int_ge(mem, 0);
	return mem;
}

START_TEST(a_range_is_read_once_and_shared)
{
	int64_t a = get(0, PAGE), b = get(0, PAGE);
	const char *p = memfile_ptr(mf, (uint64_t)a);

	ck_assert_int_eq(a, b);
	ck_assert_int_eq(memcmp(p, "hello", 5), 0);
	for (uint64_t i = 5; i < PAGE; i++)
		ck_assert_int_eq(p[i], 0); /* past the end of the file */
	ck_assert_int_ne(get(0, 2 * PAGE), a); /* another length, another range */
}
END_TEST

START_TEST(a_changed_file_is_read_again)
{
	int64_t a = get(0, PAGE), b;
	struct timespec later[2] = { { 0, UTIME_OMIT }, { 12345, 0 } };

	ck_assert_int_eq(pwrite(fd, "HE", 2, 0), 2);
	ck_assert_int_eq(futimens(fd, later), 0);
	b = get(0, PAGE);
	ck_assert_int_ne(a, b);
	ck_assert_int_eq(memcmp(memfile_ptr(mf, (uint64_t)b), "HEllo", 5), 0);
	ck_assert_int_eq(memcmp(memfile_ptr(mf, (uint64_t)a), "hello", 5), 0); /* still mapped */
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("pagecache");
	TCase *tc = tcase_create("pagecache");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_range_is_read_once_and_shared);
	tcase_add_test(tc, a_changed_file_is_read_again);
	suite_add_tcase(s, tc);
	return s;
}
