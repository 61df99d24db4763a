/* Private tmpfs instances (sentry/fs/tmpfs.h) and their mounts: empty,
 * mode 1777, sized, independent of each other, absent from the host's mount
 * table, and made without privilege through a user namespace. */
#include <check.h>

#include "tests/unit/unit.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sentry/fs/mount.h"
#include "sentry/fs/tmpfs.h"

static int make(const char *size)
{
	int fd = tmpfs_create(size);

	ck_assert_msg(fd >= 0, "tmpfs_create(%s): %s", size ? size : "NULL", strerror(-fd));
	return fd;
}

/* Bytes written to a new file name before the write fails; *err its errno. */
static long fill(int root, const char *name, int *err)
{
	static char buf[16384];
	int fd = openat(root, name, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	long total = 0;
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	memset(buf, 'x', sizeof buf);
	while ((n = write(fd, buf, sizeof buf)) > 0 && total < (64L << 20))
		total += n;
	*err = n < 0 ? errno : 0;
	close(fd);
	return total;
}

START_TEST(root_is_empty_sticky_and_writable)
{
	int root = make(NULL);
	struct stat st;
	char buf[64];

	ck_assert_int_eq(fstat(root, &st), 0);
	ck_assert_uint_eq(st.st_mode, S_IFDIR | 01777);
	ck_assert_int_eq(st.st_nlink, 2);
	ck_assert_int_eq(mkdirat(root, "d", 0700), 0);
	ck_assert_int_eq(symlinkat("d", root, "l"), 0);
	ck_assert_int_eq(readlinkat(root, "l", buf, sizeof buf), 1);
	ck_assert_int_eq(fstat(root, &st), 0);
	ck_assert_int_eq(st.st_nlink, 3);
	close(root);
}
END_TEST

START_TEST(size_limit_gives_enospc)
{
	int root = make("64k"), err;
	long n = fill(root, "f", &err);

	ck_assert_int_eq(err, ENOSPC);
	ck_assert_int_eq(n, 64 * 1024);
	close(root);
}
END_TEST

START_TEST(bad_size_is_einval)
{
	ck_assert_int_eq(tmpfs_create("lots"), -EINVAL);
	ck_assert_int_eq(tmpfs_create("-1"), -EINVAL);
}
END_TEST

START_TEST(instances_are_independent)
{
	int a = make(NULL), b = make(NULL);
	struct stat sa, sb;
	int fd = openat(a, "only-in-a", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(faccessat(b, "only-in-a", F_OK, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(fstat(a, &sa), 0);
	ck_assert_int_eq(fstat(b, &sb), 0);
	ck_assert_uint_ne(sa.st_dev, sb.st_dev);
	close(a);
	close(b);
}
END_TEST

/* No path on the host leads to the instance: its device is in no mount. */
START_TEST(mounted_nowhere_on_the_host)
{
	int root = make(NULL);
	struct stat st;
	char line[4096], want[32];
	FILE *f = fopen("/proc/self/mountinfo", "r");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fstat(root, &st), 0);
	snprintf(want, sizeof want, " %u:%u ", major(st.st_dev), minor(st.st_dev));
	while (fgets(line, sizeof line, f))
		ck_assert_msg(!strstr(line, want), "the tmpfs is in the mount table: %s", line);
	fclose(f);
	close(root);
}
END_TEST

/* Without privilege (root drops to nobody in a child), the instance comes
 * from a user namespace, and its files belong to the caller. */
START_TEST(unprivileged_caller)
{
	pid_t pid;
	int status;

	if (geteuid() != 0)
		return; /* this very run is the unprivileged case */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct stat st;
		int root, fd, err;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(10);
		root = tmpfs_create("64k");
		if (root < 0)
			_exit(11);
		fd = openat(root, "f", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		if (fd < 0 || fstat(fd, &st) || st.st_uid != 65534 || st.st_gid != 65534)
			_exit(12);
		close(fd);
		if (fill(root, "g", &err) != 64 * 1024 || err != ENOSPC)
			_exit(13);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
}
END_TEST

START_TEST(mount_replaces_what_was_there)
{
	struct mount_table mt;
	const struct mount *m;

	ck_assert_int_eq(mount_default_view(&mt), 0);
	ck_assert_int_eq(mount_tmpfs(&mt, "//tmp/", NULL), 0);
	m = mount_find(&mt, "/tmp/x");
	ck_assert_str_eq(m->path, "/tmp");
	ck_assert(m->tmpfs && !m->readonly && m->kind == MOUNT_HOST);
	ck_assert_int_eq(mount_tmpfs(&mt, "/dev", "1m"), 0);
	m = mount_find(&mt, "/dev/null");
	ck_assert(m->tmpfs && m->kind == MOUNT_HOST);
	ck_assert_int_eq(mount_bind(&mt, "/", "/tmp", true), 0);
	ck_assert(!mount_find(&mt, "/tmp")->tmpfs);
	ck_assert_int_eq(mount_tmpfs(&mt, "tmp", NULL), -EINVAL);
	ck_assert_int_eq(mount_tmpfs(&mt, "/x", "bogus"), -EINVAL);
	ck_assert_str_eq(mount_find(&mt, "/x")->path, "/");
	mount_table_free(&mt);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("tmpfs");
	TCase *tc = tcase_create("tmpfs");

	tcase_add_test(tc, root_is_empty_sticky_and_writable);
	tcase_add_test(tc, size_limit_gives_enospc);
	tcase_add_test(tc, bad_size_is_einval);
	tcase_add_test(tc, instances_are_independent);
	tcase_add_test(tc, mounted_nowhere_on_the_host);
	tcase_add_test(tc, unprivileged_caller);
	tcase_add_test(tc, mount_replaces_what_was_there);
	suite_add_tcase(s, tc);
	return s;
}
