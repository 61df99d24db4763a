// SPDX-License-Identifier: Apache-2.0
/*
 * openat2 (fs/open.c build_open_flags, fs/namei.c): struct open_how's size
 * rules, strict flag and mode checks, and the RESOLVE_* scopes: BENEATH and
 * IN_ROOT keep the walk inside the directory fd, NO_SYMLINKS and
 * NO_MAGICLINKS refuse links, NO_XDEV refuses mount crossings. Works in its
 * own directory under /tmp.
 */
#include "check.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tmpdir.h"

static long openat2_sz(int dirfd, const char *path, const void *how, size_t size)
{
	return syscall(SYS_openat2, dirfd, path, how, size);
}

static long open2(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .resolve = resolve };

	return openat2_sz(dirfd, path, &how, sizeof how);
}

/* Opens and closes; the result for checking. */
static long try_open(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
	long fd = open2(dirfd, path, flags, resolve);

	if (fd >= 0)
		close((int)fd);
	return fd < 0 ? -1 : 0;
}

static void sizes(void)
{
	struct {
		struct open_how how;
		char tail[16];
	} big = { { .flags = O_RDONLY }, { 0 } };
	long fd;

	CHECK_ERRNO("size 0", openat2_sz(AT_FDCWD, ".", &big, 0), EINVAL);
	CHECK_ERRNO("size 23", openat2_sz(AT_FDCWD, ".", &big, 23), EINVAL);
	CHECK_ERRNO("size 4097", openat2_sz(AT_FDCWD, ".", &big, 4097), E2BIG);
	fd = openat2_sz(AT_FDCWD, ".", &big, sizeof big);
	if (CHECK_OK("a larger struct with a zero tail", fd))
		close((int)fd);
	big.tail[7] = 1;
	CHECK_ERRNO("a nonzero tail", openat2_sz(AT_FDCWD, ".", &big, sizeof big), E2BIG);
	CHECK_ERRNO("a bad pointer", openat2_sz(AT_FDCWD, ".", (void *)8, 24), EFAULT);
}

static void flags(void)
{
	struct open_how how = { .flags = O_RDONLY, .mode = 0644 };

	CHECK_ERRNO("mode without O_CREAT", openat2_sz(AT_FDCWD, "f", &how, sizeof how), EINVAL);
	how = (struct open_how){ .flags = O_CREAT | O_WRONLY, .mode = 010000 };
	CHECK_ERRNO("mode beyond 07777", openat2_sz(AT_FDCWD, "f", &how, sizeof how), EINVAL);
	CHECK_ERRNO("an unknown flag bit", open2(AT_FDCWD, ".", 1ULL << 40, 0), EINVAL);
	CHECK_ERRNO("an unknown resolve bit", open2(AT_FDCWD, ".", O_RDONLY, 1ULL << 10), EINVAL);
	CHECK_ERRNO("BENEATH and IN_ROOT", open2(AT_FDCWD, ".", O_RDONLY,
						 RESOLVE_BENEATH | RESOLVE_IN_ROOT), EINVAL);
	CHECK_ERRNO("O_PATH with O_RDWR", open2(AT_FDCWD, ".", O_PATH | O_RDWR, 0), EINVAL);
	CHECK_ERRNO("O_CREAT with O_DIRECTORY", open2(AT_FDCWD, "d", O_CREAT | O_DIRECTORY, 0),
		    EINVAL);
	CHECK_ERRNO("CACHED with O_CREAT", open2(AT_FDCWD, "f", O_CREAT | O_WRONLY,
						 RESOLVE_CACHED), EAGAIN);
	check_long("O_PATH|O_NOFOLLOW|O_CLOEXEC|O_DIRECTORY",
		   0, try_open(AT_FDCWD, ".", O_PATH | O_NOFOLLOW | O_CLOEXEC | O_DIRECTORY, 0));
}

/* d/ holds sub/file, up -> .., abs -> /, rel -> sub. */
static int make_tree(void)
{
	int fd;

	if (!CHECK_OK("mkdir d", mkdir("d", 0755)) || !CHECK_OK("mkdir d/sub", mkdir("d/sub", 0755)))
		return -1;
	fd = open("d/sub/file", O_CREAT | O_WRONLY, 0644);
	if (!CHECK_OK("create d/sub/file", fd))
		return -1;
	close(fd);
	CHECK_OK("symlink up", symlink("..", "d/up"));
	CHECK_OK("symlink abs", symlink("/sub/file", "d/abs"));
	CHECK_OK("symlink rel", symlink("sub", "d/rel"));
	fd = open("d", O_PATH | O_DIRECTORY);
	CHECK_OK("open d", fd);
	return fd;
}

static void scopes(int d)
{
	int root = open("/", O_PATH | O_DIRECTORY);

	check_long("BENEATH: sub/file", 0, try_open(d, "sub/file", O_RDONLY, RESOLVE_BENEATH));
	check_long("BENEATH: sub/../sub/file", 0,
		   try_open(d, "sub/../sub/file", O_RDONLY, RESOLVE_BENEATH));
	CHECK_ERRNO("BENEATH: ..", open2(d, "..", O_RDONLY, RESOLVE_BENEATH), EXDEV);
	CHECK_ERRNO("BENEATH: sub/../..", open2(d, "sub/../..", O_RDONLY, RESOLVE_BENEATH), EXDEV);
	/* fs/namei.c follow_dotdot: EXDEV at the start even when it is "/". */
	CHECK_ERRNO("BENEATH: .. of /", open2(root, "..", O_RDONLY, RESOLVE_BENEATH), EXDEV);
	close(root);
	CHECK_ERRNO("BENEATH: an absolute path", open2(d, "/", O_RDONLY, RESOLVE_BENEATH), EXDEV);
	CHECK_ERRNO("BENEATH: a link to ..", open2(d, "up", O_RDONLY, RESOLVE_BENEATH), EXDEV);
	CHECK_ERRNO("BENEATH: an absolute link", open2(d, "abs", O_RDONLY, RESOLVE_BENEATH), EXDEV);
	check_long("BENEATH: a relative link", 0, try_open(d, "rel/file", O_RDONLY, RESOLVE_BENEATH));
	check_long("IN_ROOT: an absolute link lands in the root", 0,
		   try_open(d, "abs", O_RDONLY, RESOLVE_IN_ROOT));
	check_long("IN_ROOT: ../../sub/file stops at the root", 0,
		   try_open(d, "../../sub/file", O_RDONLY, RESOLVE_IN_ROOT));
	check_long("IN_ROOT: /sub/file", 0, try_open(d, "/sub/file", O_RDONLY, RESOLVE_IN_ROOT));
	CHECK_ERRNO("NO_SYMLINKS: through rel", open2(d, "rel/file", O_RDONLY, RESOLVE_NO_SYMLINKS),
		    ELOOP);
	check_long("NO_SYMLINKS: the link itself with O_PATH|O_NOFOLLOW", 0,
		   try_open(d, "rel", O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS));
	CHECK_ERRNO("NO_MAGICLINKS: /proc/self/exe",
		    open2(AT_FDCWD, "/proc/self/exe", O_RDONLY, RESOLVE_NO_MAGICLINKS), ELOOP);
	check_long("NO_MAGICLINKS: /proc/self is no magic link", 0,
		   try_open(AT_FDCWD, "/proc/self", O_RDONLY | O_DIRECTORY, RESOLVE_NO_MAGICLINKS));
	CHECK_ERRNO("NO_XDEV: / to /proc", open2(AT_FDCWD, "/proc", O_RDONLY, RESOLVE_NO_XDEV),
		    EXDEV);
	check_long("NO_XDEV: within the directory", 0,
		   try_open(d, "sub/file", O_RDONLY, RESOLVE_NO_XDEV));
}

int main(int argc, char **argv)
{
	int d;

	tmp_init(argc, argv, "openat2");
	sizes();
	flags();
	d = make_tree();
	if (d >= 0) {
		scopes(d);
		close(d);
	}
	printf("openat2: done\n");
	tmp_finish();
	return check_exit("openat2");
}
