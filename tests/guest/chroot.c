// SPDX-License-Identifier: Apache-2.0
/*
 * chroot (fs/open.c ksys_chroot, fs/d_path.c): absolute paths and ".." stop
 * at the new root, the cwd stays where it was and getcwd calls it
 * "(unreachable)..." until a chdir; EPERM without CAP_SYS_CHROOT, ENOTDIR
 * and ENOENT from the lookup. Works in its own directory under /tmp; the
 * chroot is the test process's own.
 */
#include "check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tmpdir.h"

static void check_cwd(const char *what, const char *expected)
{
	char buf[4096];

	if (!getcwd(buf, sizeof buf))
		fail("%s: getcwd: errno %s", what, err_name(errno));
	else if (strcmp(buf, expected))
		fail("%s: expected %s got %s", what, expected, buf);
}

static void inside(const char *outside_cwd)
{
	char unreachable[4200];
	int fd;

	char raw[4200];
	long n;

	/* The kernel says "(unreachable)"; glibc turns that into ENOENT. */
	snprintf(unreachable, sizeof unreachable, "(unreachable)%s", outside_cwd);
	n = syscall(SYS_getcwd, raw, sizeof raw);
	if (check_long("the getcwd syscall's length", (long)strlen(unreachable) + 1, n))
		check_true("the getcwd syscall: (unreachable) and the path", !strcmp(raw, unreachable));
	CHECK_ERRNO("glibc's getcwd outside the root", getcwd(raw, sizeof raw) ? 0 : -1, ENOENT);
	fd = open("/sub/file", O_RDONLY);
	if (CHECK_OK("open /sub/file in the new root", fd))
		close(fd);
	CHECK_OK("chdir /", chdir("/"));
	check_cwd("getcwd after chdir /", "/");
	fd = open("../../../sub/file", O_RDONLY);
	if (CHECK_OK(".. stops at the root", fd))
		close(fd);
	CHECK_OK("chdir sub", chdir("sub"));
	check_cwd("getcwd in sub", "/sub");
	CHECK_ERRNO("the old tree is gone", open("/d", O_RDONLY), ENOENT);
}

/* After the chroot the directory is out of reach by path: it goes through
 * fds opened before. */
static void remove_through(int here, int parent, const char *cwd)
{
	CHECK_OK("unlink d/sub/file", unlinkat(here, "d/sub/file", 0));
	CHECK_OK("rmdir d/sub", unlinkat(here, "d/sub", AT_REMOVEDIR));
	CHECK_OK("rmdir d", unlinkat(here, "d", AT_REMOVEDIR));
	CHECK_OK("rmdir the directory", unlinkat(parent, strrchr(cwd, '/') + 1, AT_REMOVEDIR));
	tmp_dir[0] = '\0'; /* nothing left for the exit handler */
}

int main(int argc, char **argv)
{
	char cwd[4096];
	int fd, here, parent;

	tmp_init(argc, argv, "chroot");
	if (!getcwd(cwd, sizeof cwd))
		return check_exit("chroot");
	here = open(".", O_PATH | O_DIRECTORY);
	parent = open("..", O_PATH | O_DIRECTORY);
	CHECK_OK("mkdir d", mkdir("d", 0755));
	CHECK_OK("mkdir d/sub", mkdir("d/sub", 0755));
	fd = open("d/sub/file", O_CREAT | O_WRONLY, 0644);
	if (CHECK_OK("create d/sub/file", fd))
		close(fd);
	CHECK_ERRNO("chroot of a missing directory", chroot("missing"), ENOENT);
	CHECK_ERRNO("chroot of a file", chroot("d/sub/file"), ENOTDIR);
	if (geteuid() != 0) {
		CHECK_ERRNO("chroot without CAP_SYS_CHROOT", chroot("d"), EPERM);
		tmp_finish();
	} else if (CHECK_OK("chroot d", chroot("d"))) {
		inside(cwd);
		remove_through(here, parent, cwd);
	}
	printf("chroot: done\n");
	return check_exit("chroot");
}
