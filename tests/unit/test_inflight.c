/* Files in flight in SCM_RIGHTS messages (sentry/fs/inflight.h): a received
 * host fd of an object a guest sent is that guest's file again, mount, path
 * and flags; anything else is received as given. */
#include <check.h>

#include "tests/unit/unit.h"
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "sentry/fs/fdtable.h"
#include "sentry/fs/inflight.h"
#include "sentry/fs/mount.h"

static struct inflight *in;
static const struct mount ro = { .path = "/r", .len = 2, .kind = MOUNT_HOST, .readonly = true };

static void setup(void)
{
	ck_assert_int_eq(inflight_create(&in), 0);
}

static void teardown(void)
{
	inflight_destroy(in);
}

/* A guest's file of host path at guest path, with mount m. */
static struct file *guest_file(const char *host, int flags, const struct mount *m,
			       const char *path)
{
	int fd = open(host, flags | O_CLOEXEC);
	struct file *f;

	ck_assert_int_ge(fd, 0);
	f = file_new(fd, flags, m, path);
	ck_assert_ptr_nonnull(f);
	return f;
}

/* What the receiver gets for a host fd of the object behind f. */
static struct file *received(const struct file *f)
{
	struct file *got = inflight_file(in, fcntl(f->host_fd, F_DUPFD_CLOEXEC, 0));

	ck_assert_ptr_nonnull(got);
	return got;
}

START_TEST(a_sent_file_keeps_its_mount_and_path)
{
	struct file *f = guest_file("/", O_PATH | O_DIRECTORY, &ro, "/r/d"), *got;

	inflight_note(in, f);
	got = received(f);
	ck_assert_ptr_eq(got->mnt, &ro);
	ck_assert_str_eq(got->path, "/r/d");
	ck_assert_int_eq(got->flags, O_PATH | O_DIRECTORY);
	file_put(got);
	file_put(f);
}
END_TEST

START_TEST(an_unnoted_object_is_received_as_given)
{
	struct file *f = guest_file("/", O_PATH | O_DIRECTORY, &ro, "/r"), *got;
	struct file *other = guest_file("/dev/null", O_RDONLY, &ro, "/r/null");

	inflight_note(in, other);
	got = received(f);
	ck_assert_ptr_null(got->mnt);
	ck_assert_ptr_null(got->path);
	ck_assert_int_ne(got->flags & O_PATH, 0);
	file_put(got);
	file_put(f);
	file_put(other);
}
END_TEST

START_TEST(files_of_no_mount_are_not_noted)
{
	struct file *f = guest_file("/", O_PATH | O_DIRECTORY, NULL, NULL), *got;

	inflight_note(in, f);
	got = received(f);
	ck_assert_ptr_null(got->mnt);
	file_put(got);
	file_put(f);
}
END_TEST

START_TEST(the_newest_note_wins_and_old_ones_go)
{
	struct file *a = guest_file("/", O_PATH | O_DIRECTORY, &ro, "/a");
	struct file *b = guest_file("/", O_PATH | O_DIRECTORY, &ro, "/b");
	struct file *null = guest_file("/dev/null", O_RDONLY, &ro, "/r/null"), *got;

	inflight_note(in, a);
	inflight_note(in, b);
	got = received(a);
	ck_assert_str_eq(got->path, "/b");
	file_put(got);
	for (int i = 0; i < INFLIGHT_NOTES; i++)
		inflight_note(in, null);
	got = received(a);
	ck_assert_ptr_null(got->mnt);
	file_put(got);
	got = received(null);
	ck_assert_str_eq(got->path, "/r/null");
	file_put(got);
	file_put(a);
	file_put(b);
	file_put(null);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("inflight");
	TCase *tc = tcase_create("inflight");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_sent_file_keeps_its_mount_and_path);
	tcase_add_test(tc, an_unnoted_object_is_received_as_given);
	tcase_add_test(tc, files_of_no_mount_are_not_noted);
	tcase_add_test(tc, the_newest_note_wins_and_old_ones_go);
	suite_add_tcase(s, tc);
	return s;
}
