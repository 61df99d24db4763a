/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A private directory for the tests that write: tmp_init() makes a fresh
 * one with mkdtemp under /tmp (or under argv[1] when given) and makes it
 * the cwd, so every name a test uses is relative and stays inside it;
 * tmp_finish() removes all of it and fails the test if it cannot. It also
 * runs at exit, for tests that end early.
 *
 * Natively these tests run as root on a shared machine: nothing here may
 * write outside the directory it made. The removal walks with dirfds, never
 * follows a symlink and never leaves the directory's file system.
 */
#ifndef UMBRA_GUEST_TMPDIR_H
#define UMBRA_GUEST_TMPDIR_H

#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

/* Deeper than any test goes: a guard, not a limit tests meet. */
#define TMP_MAX_DEPTH 16

static char tmp_dir[PATH_MAX];

/* Removes what is inside the directory dirfd; 0 or an errno. */
static int tmp_empty_dir(int dirfd, dev_t dev, int depth)
{
	struct dirent *e;
	struct stat st;
	int err = 0, fd;
	DIR *d;

	if (depth > TMP_MAX_DEPTH)
		return ELOOP;
	fd = dup(dirfd);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return errno;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			err = errno;
			continue;
		}
		if (st.st_dev != dev) {
			err = EXDEV;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub, e2;

			/* A test may have left it without search permission. */
			fchmodat(dirfd, e->d_name, 0700, 0);
			sub = openat(dirfd, e->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
			if (sub < 0) {
				err = errno;
				continue;
			}
			e2 = tmp_empty_dir(sub, dev, depth + 1);
			close(sub);
			if (e2)
				err = e2;
		}
		if (unlinkat(dirfd, e->d_name,
			     S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0)
			err = errno;
	}
	closedir(d);
	return err;
}

/* Removes the directory and all in it; 0 or an errno. */
static int tmp_remove(void)
{
	struct stat st;
	int fd, err;

	if (!tmp_dir[0])
		return 0;
	if (chdir("/") != 0)
		return errno;
	fd = open(tmp_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (fd < 0)
		return errno;
	err = fstat(fd, &st) ? errno : tmp_empty_dir(fd, st.st_dev, 0);
	close(fd);
	if (!err && rmdir(tmp_dir) != 0)
		err = errno;
	if (!err)
		tmp_dir[0] = '\0';
	return err;
}

static void tmp_at_exit(void)
{
	int err = tmp_remove();

	if (err)
		fprintf(stderr, "tmpdir: removing %s: %s\n", tmp_dir,
			err_name(err));
}

/* Makes the directory and enters it, or ends the test with status 1. */
static inline void tmp_init(int argc, char **argv, const char *test)
{
	const char *base = argc > 1 ? argv[1] : "/tmp";

	if (snprintf(tmp_dir, sizeof(tmp_dir), "%s/umbra-XXXXXX", base) >=
		    (int)sizeof(tmp_dir) ||
	    !mkdtemp(tmp_dir)) {
		fprintf(stderr, "%s: mkdtemp under %s: %s\n", test, base,
			err_name(errno));
		tmp_dir[0] = '\0';
		exit(EXIT_FAILURE);
	}
	note("%s: working in %s", test, tmp_dir);
	atexit(tmp_at_exit);
	if (chdir(tmp_dir) != 0) {
		fprintf(stderr, "%s: chdir(%s): %s\n", test, tmp_dir,
			err_name(errno));
		exit(EXIT_FAILURE);
	}
}

/* Removes the directory; a failure to do so fails the test. */
static inline void tmp_finish(void)
{
	check_errval("removing the temporary directory", 0, tmp_remove());
}

#endif /* UMBRA_GUEST_TMPDIR_H */
