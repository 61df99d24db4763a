/* The mount table (sentry/fs/mount.h): which mount answers for a canonical
 * path, the path relative to its root, the /dev allowlist and the default
 * view. */
#include <check.h>

#include "tests/unit/unit.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/fs/mount.h"

static struct mount_table mt;

static void setup(void)
{
	memset(&mt, 0, sizeof mt);
}

static void teardown(void)
{
	mount_table_free(&mt);
}

static void add(const char *guest, enum mount_kind kind, const char *host)
{
	int err = mount_add(&mt, guest, kind, host, true);

	ck_assert_msg(err == 0, "mount_add(%s, %s) = %d", guest, host ? host : "NULL", err);
}

/* The guest path of the mount that answers for path, or "(none)". */
static const char *found(const char *path)
{
	const struct mount *m = mount_find(&mt, path);

	return m ? m->path : "(none)";
}

#define ck_found(path, want) ck_assert_str_eq(found(path), want)

/* A table with mounts nested two deep and neighbours sharing a prefix;
 * added deepest first, so the answer cannot depend on the order. */
static void nested(void)
{
	add("/a/b", MOUNT_HOST, "/");
	add("/dev", MOUNT_DEV, "/dev");
	add("/proc", MOUNT_HIDDEN, NULL);
	add("/a", MOUNT_HOST, "/");
	add("/", MOUNT_HOST, "/");
}

START_TEST(find_longest_prefix)
{
	nested();
	ck_found("/", "/");
	ck_found("/etc/passwd", "/");
	ck_found("/dev", "/dev");
	ck_found("/dev/null", "/dev");
	ck_found("/proc", "/proc");
	ck_found("/proc/1/status", "/proc");
	ck_found("/a", "/a");
	ck_found("/a/x", "/a");
	ck_found("/a/b", "/a/b");
	ck_found("/a/b/c/d", "/a/b");
}
END_TEST

/* A mount point is a whole component: "/devices" is not under "/dev". */
START_TEST(find_component_boundary)
{
	nested();
	ck_found("/devices", "/");
	ck_found("/devices/null", "/");
	ck_found("/dev2", "/");
	ck_found("/de", "/");
	ck_found("/d", "/");
	ck_found("/process", "/");
	ck_found("/ab", "/");
	ck_found("/a/bc", "/a");
	ck_found("/a/b2/c", "/a");
}
END_TEST

START_TEST(find_without_root)
{
	ck_assert_ptr_null(mount_find(&mt, "/"));
	add("/dev", MOUNT_DEV, "/dev");
	ck_assert_ptr_null(mount_find(&mt, "/"));
	ck_assert_ptr_null(mount_find(&mt, "/devices"));
	ck_found("/dev/zero", "/dev");
}
END_TEST

START_TEST(relative_to_root)
{
	const struct mount *m;

	nested();
	m = mount_find(&mt, "/");
	ck_assert_str_eq(mount_relative(m, "/"), ".");
	ck_assert_str_eq(mount_relative(m, "/etc"), "etc");
	ck_assert_str_eq(mount_relative(m, "/etc/passwd"), "etc/passwd");
	ck_assert_str_eq(mount_relative(m, "/devices/x"), "devices/x");
}
END_TEST

START_TEST(relative_to_submount)
{
	nested();
	ck_assert_str_eq(mount_relative(mount_find(&mt, "/dev"), "/dev"), ".");
	ck_assert_str_eq(mount_relative(mount_find(&mt, "/dev/null"), "/dev/null"), "null");
	ck_assert_str_eq(mount_relative(mount_find(&mt, "/a/b"), "/a/b"), ".");
	ck_assert_str_eq(mount_relative(mount_find(&mt, "/a/b/c/d"), "/a/b/c/d"), "c/d");
	ck_assert_str_eq(mount_relative(mount_find(&mt, "/a/bc"), "/a/bc"), "bc");
}
END_TEST

START_TEST(add_kinds)
{
	nested();
	ck_assert_uint_eq(mt.n, 5);
	for (size_t i = 0; i < mt.n; i++) {
		const struct mount *m = &mt.m[i];

		ck_assert_uint_eq(m->len, strlen(m->path));
		ck_assert(m->readonly);
		if (m->kind == MOUNT_HIDDEN) {
			ck_assert_int_eq(m->root_fd, -1);
		} else {
			struct stat st;

			ck_assert_int_ge(m->root_fd, 0);
			ck_assert_int_eq(fstat(m->root_fd, &st), 0);
			ck_assert(S_ISDIR(st.st_mode));
		}
	}
}
END_TEST

/* A failed mount_add leaves the table as it was. */
START_TEST(add_errors)
{
	add("/", MOUNT_HOST, "/");
	ck_assert_int_eq(mount_add(&mt, "/x", MOUNT_HOST, "/nonexistent-umbra-dir", true), -ENOENT);
	ck_assert_int_eq(mount_add(&mt, "/x", MOUNT_HOST, "/proc/self/exe", true), -ENOTDIR);
	ck_assert_uint_eq(mt.n, 1);
	ck_found("/x", "/");
}
END_TEST

START_TEST(add_full)
{
	char path[32];

	for (int i = 0; i < MOUNT_MAX; i++) {
		snprintf(path, sizeof path, "/m%d", i);
		add(path, MOUNT_HIDDEN, NULL);
	}
	ck_assert_int_eq(mount_add(&mt, "/one-more", MOUNT_HIDDEN, NULL, true), -ENOSPC);
	ck_assert_uint_eq(mt.n, MOUNT_MAX);
	ck_found("/m63/x", "/m63");
	ck_found("/one-more", "(none)");
}
END_TEST

/* Freeing closes every root fd, so a sandbox's teardown leaks nothing. */
START_TEST(free_closes)
{
	int fds[2];

	add("/", MOUNT_HOST, "/");
	add("/hidden", MOUNT_HIDDEN, NULL);
	add("/dev", MOUNT_DEV, "/dev");
	fds[0] = mt.m[0].root_fd;
	fds[1] = mt.m[2].root_fd;
	mount_table_free(&mt);
	ck_assert_uint_eq(mt.n, 0);
	ck_assert_ptr_null(mount_find(&mt, "/"));
	for (int i = 0; i < 2; i++) {
		errno = 0;
		ck_assert_int_eq(fcntl(fds[i], F_GETFD), -1);
		ck_assert_int_eq(errno, EBADF);
	}
}
END_TEST

START_TEST(dev_allowlist)
{
	static const char *const yes[] = { "null", "zero", "full", "random", "urandom", "tty",
					   "fd", "stdin", "stdout", "stderr" };
	static const char *const no[] = {
		"", ".", "..", "sda", "mem", "kmem", "port", "kmsg", "pts", "ptmx", "shm", "fd/0",
		"stdio", "tty0", "tty1", "console", "fuse", "nul", "nullx", "null/", "NULL",
		"zero/x", "urandom ", "/null",
	};

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		ck_assert_msg(mount_dev_allowed(yes[i]), "%s refused", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		ck_assert_msg(!mount_dev_allowed(no[i]), "\"%s\" allowed", no[i]);
}
END_TEST

START_TEST(default_view)
{
	const struct mount *m;

	ck_assert_int_eq(mount_default_view(&mt), 0);
	m = mount_find(&mt, "/etc/passwd");
	ck_assert_str_eq(m->path, "/");
	ck_assert_int_eq(m->kind, MOUNT_HOST);
	ck_assert(m->readonly);
	ck_assert_int_eq(mount_find(&mt, "/proc/self/status")->kind, MOUNT_HIDDEN);
	ck_assert_int_eq(mount_find(&mt, "/proc")->kind, MOUNT_HIDDEN);
	ck_assert_int_eq(mount_find(&mt, "/sys/kernel")->kind, MOUNT_HIDDEN);
	ck_assert_int_eq(mount_find(&mt, "/dev/null")->kind, MOUNT_DEV);
	ck_assert_str_eq(found("/devices"), "/");
	ck_assert_str_eq(found("/system"), "/");
	ck_assert_str_eq(found("/procedure"), "/");
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("mount");
	TCase *find = tcase_create("find");
	TCase *table = tcase_create("table");

	tcase_add_checked_fixture(find, setup, teardown);
	tcase_add_test(find, find_longest_prefix);
	tcase_add_test(find, find_component_boundary);
	tcase_add_test(find, find_without_root);
	tcase_add_test(find, relative_to_root);
	tcase_add_test(find, relative_to_submount);
	suite_add_tcase(s, find);

	tcase_add_checked_fixture(table, setup, teardown);
	tcase_add_test(table, add_kinds);
	tcase_add_test(table, add_errors);
	tcase_add_test(table, add_full);
	tcase_add_test(table, free_closes);
	tcase_add_test(table, dev_allowlist);
	tcase_add_test(table, default_view);
	suite_add_tcase(s, table);
	return s;
}
