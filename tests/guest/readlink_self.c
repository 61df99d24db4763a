// SPDX-License-Identifier: Apache-2.0
/*
 * readlinkat(AT_FDCWD, "/proc/self/exe"): an absolute path to this program,
 * not NUL-terminated, truncated silently to a short buffer (readlink(2)).
 * readlinkat on purpose: glibc's readlink uses the older readlink syscall on
 * x86_64.
 */
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char self[] = "/proc/self/exe";

int main(int argc, char **argv)
{
	char buf[PATH_MAX + 1], small[4];
	const char *base;
	ssize_t n, m;

	(void)argc;
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];

	memset(buf, 'X', sizeof(buf));
	n = readlinkat(AT_FDCWD, self, buf, sizeof(buf) - 1);
	if (!check_ok("readlinkat(/proc/self/exe)", n, errno))
		return check_exit("readlink_self");
	if (n <= 0 || n >= (ssize_t)sizeof(buf) - 1) {
		fail("readlinkat length: expected 1..%zu got %zd",
		     sizeof(buf) - 2, n);
		return check_exit("readlink_self");
	}
	check_long("byte after the link untouched", 'X', buf[n]);
	buf[n] = '\0';
	if (buf[0] != '/')
		fail("/proc/self/exe: expected an absolute path got \"%s\"", buf);
	m = strlen(base);
	if (n <= m || buf[n - m - 1] != '/' || strcmp(buf + n - m, base) != 0)
		fail("/proc/self/exe: expected a path ending in \"/%s\" got \"%s\"",
		     base, buf);
	if (strlen(buf) != (size_t)n)
		fail("/proc/self/exe: expected no NUL inside got one at %zu",
		     strlen(buf));

	memset(small, 'X', sizeof(small));
	m = readlinkat(AT_FDCWD, self, small, sizeof(small));
	check_long("readlinkat into 4 bytes", 4, m);
	if (memcmp(small, buf, 4) != 0)
		fail("readlinkat into 4 bytes: expected \"%.4s\" got \"%.4s\"",
		     buf, small);

	CHECK_ERRNO("readlinkat size 0",
		    syscall(SYS_readlinkat, (long)AT_FDCWD, self, buf, 0L),
		    EINVAL);
	CHECK_ERRNO("readlinkat to (void *)1",
		    syscall(SYS_readlinkat, (long)AT_FDCWD, self, 1L, 64L),
		    EFAULT);

	printf("readlink_self: done\n");
	return check_exit("readlink_self");
}
