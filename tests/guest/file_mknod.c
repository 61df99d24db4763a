// SPDX-License-Identifier: Apache-2.0
/*
 * mknod and mknodat (fs/namei.c): regular files (type 0 too), FIFOs and
 * sockets, with the umask applied and the mode a 16-bit umode_t; the type is
 * judged before the path (EPERM for a directory, EINVAL for others), then
 * the name (EEXIST), a trailing slash (ENOENT), the mount (EROFS), and last
 * the privilege devices need (EPERM without CAP_MKNOD).
 *
 * Usage: file_mknod SCRATCH_DIR [READONLY_DIR]
 *   READONLY_DIR: a directory on a read-only mount, where making anything is
 *   EROFS; given, devices must be EPERM too (umbra never makes them).
 */
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define BAD_PTR bad_address()

static char dir[PATH_MAX / 2]; /* room for a name after it */

static const char *in(const char *name)
{
	static char path[2][PATH_MAX];
	static int next;

	next ^= 1;
	snprintf(path[next], PATH_MAX, "%s/%s", dir, name);
	return path[next];
}

static mode_t lmode(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? 0 : st.st_mode;
}

static void makes(void)
{
	int d = open(dir, O_RDONLY | O_DIRECTORY);

	umask(0);
	check_long("a regular file", 0, mknod(in("reg"), S_IFREG | 0640, 0));
	check_long("its mode", S_IFREG | 0640, lmode(in("reg")));
	check_long("type 0", 0, mknod(in("zero"), 0604, 0));
	check_long("type 0 is a regular file", S_IFREG | 0604, lmode(in("zero")));
	check_long("a FIFO", 0, mknod(in("fifo"), S_IFIFO | 0666, 0));
	check_long("its mode, umask 0", S_IFIFO | 0666, lmode(in("fifo")));
	umask(022);
	check_long("a FIFO, umask 022", 0, mknod(in("fifo2"), S_IFIFO | 0666, 0));
	check_long("its mode, umask 022", S_IFIFO | 0644, lmode(in("fifo2")));
	check_long("a socket beneath a dirfd", 0, mknodat(d, "sock", S_IFSOCK | 0600, 0));
	check_long("its mode", S_IFSOCK | 0600, lmode(in("sock")));
	check_long("the mode is 16 bits", 0,
		   syscall(SYS_mknodat, AT_FDCWD, in("wide"), 0x10000 | S_IFIFO | 0600, 0));
	check_long("its mode", S_IFIFO | 0600, lmode(in("wide")));
	check_long("setgid kept", 0, mknod(in("sgid"), S_IFREG | 02755, 0));
	check_long("its mode", S_IFREG | 02755, lmode(in("sgid")));
	close(d);
}

static void errors(void)
{
	int d = open(dir, O_RDONLY | O_DIRECTORY), f = open(in("reg"), O_RDONLY);

	CHECK_ERRNO("an existing name", mknod(in("reg"), S_IFIFO | 0600, 0), EEXIST);
	CHECK_ERRNO("/", mknod("/", S_IFIFO | 0600, 0), EEXIST);
	CHECK_ERRNO("/etc", mknod("/etc", S_IFREG | 0600, 0), EEXIST);
	CHECK_ERRNO("an existing name and a slash", mknod(in("reg/"), S_IFIFO | 0600, 0), EEXIST);
	CHECK_ERRNO("a new name and a slash", mknod(in("new/"), S_IFIFO | 0600, 0), ENOENT);
	CHECK_ERRNO("a missing directory", mknod(in("missing/x"), S_IFIFO | 0600, 0), ENOENT);
	CHECK_ERRNO("through a file", mknod(in("reg/x"), S_IFIFO | 0600, 0), ENOTDIR);
	CHECK_ERRNO("a directory", mknod(in("dir"), S_IFDIR | 0700, 0), EPERM);
	CHECK_ERRNO("a symlink type", mknod(in("lnk"), S_IFLNK | 0700, 0), EINVAL);
	CHECK_ERRNO("type S_IFMT", mknod(in("bad"), S_IFMT | 0700, 0), EINVAL);
	CHECK_ERRNO("the type before the path", mknod(BAD_PTR, S_IFLNK, 0), EINVAL);
	CHECK_ERRNO("a bad path", mknod(BAD_PTR, S_IFIFO, 0), EFAULT);
	CHECK_ERRNO("an empty path", mknod("", S_IFIFO, 0), ENOENT);
	CHECK_ERRNO("a file as dirfd", mknodat(f, "x", S_IFIFO, 0), ENOTDIR);
	CHECK_ERRNO("a closed dirfd", mknodat(-5, "x", S_IFIFO, 0), EBADF);
	check_long("nothing made by the errors", 0,
		   lmode(in("dir")) | lmode(in("lnk")) | lmode(in("bad")) | lmode(in("new")));
	close(d);
	close(f);
}

/* Devices: made only with CAP_MKNOD (the native run as root), else EPERM,
 * after the name is judged. */
static void devices(int strict)
{
	long r = mknod(in("chr"), S_IFCHR | 0600, makedev(1, 3));
	int err = errno;

	CHECK_ERRNO("a device over an existing name", mknod(in("reg"), S_IFCHR | 0600, makedev(1, 3)),
		    EEXIST);
	if (strict || r) {
		check_errno("a character device", r, err, EPERM);
		CHECK_ERRNO("a block device", mknod(in("blk"), S_IFBLK | 0600, makedev(7, 0)),
			    EPERM);
		if (strict) /* Linux lets anyone make a whiteout; umbra does not */
			CHECK_ERRNO("a whiteout", mknod(in("wh"), S_IFCHR, makedev(0, 0)), EPERM);
		check_long("no device made", 0, lmode(in("chr")) | lmode(in("blk")) | lmode(in("wh")));
	} else {
		check_long("a character device, privileged", S_IFCHR | 0600, lmode(in("chr")));
		note("devices can be made here: EPERM not checked");
	}
}

static void readonly(const char *ro)
{
	char path[PATH_MAX];

	snprintf(path, sizeof path, "%s/x", ro);
	CHECK_ERRNO("a FIFO on a read-only mount", mknod(path, S_IFIFO | 0600, 0), EROFS);
	CHECK_ERRNO("a file on a read-only mount", mknod(path, S_IFREG | 0600, 0), EROFS);
	CHECK_ERRNO("a device on a read-only mount", mknod(path, S_IFCHR | 0600, makedev(1, 3)),
		    EROFS);
	CHECK_ERRNO("the name before the mount", mknod(ro, S_IFIFO | 0600, 0), EEXIST);
	snprintf(path, sizeof path, "%s/x/", ro);
	CHECK_ERRNO("the slash before the mount", mknod(path, S_IFIFO | 0600, 0), ENOENT);
	CHECK_ERRNO("the type before the mount", mknod(ro, S_IFDIR | 0600, 0), EPERM);
}

int main(int argc, char **argv)
{
	const char *names[] = { "reg", "zero", "fifo", "fifo2", "sock", "wide", "sgid", "chr" };

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: file_mknod SCRATCH_DIR [READONLY_DIR]\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s", argv[1]);
	makes();
	errors();
	devices(argc == 3);
	if (argc == 3)
		readonly(argv[2]);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		unlink(in(names[i]));
	return check_exit("file_mknod");
}
