// SPDX-License-Identifier: Apache-2.0
/*
 * uname(2): every field NUL-terminated inside its 65 bytes, sysname "Linux",
 * machine the architecture this program was compiled for, a release that
 * glibc and programs can parse.
 */
#include "check.h"

#include <ctype.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#if defined(__x86_64__)
#define EXPECTED_MACHINE "x86_64"
#elif defined(__aarch64__)
#define EXPECTED_MACHINE "aarch64"
#else
#error "guest tests are built for x86_64 and aarch64 only"
#endif

static void check_field(const char *name, const char *field, size_t size,
			int may_be_empty)
{
	const char *nul = memchr(field, '\0', size);

	if (!nul) {
		fail("uname %s: expected a NUL within %zu bytes got none",
		     name, size);
		return;
	}
	if (!may_be_empty && nul == field)
		fail("uname %s: expected nonempty got \"\"", name);
}

int main(void)
{
	struct utsname u;
	long r;

	/* Poisoned first, so that a field left unwritten shows. */
	memset(&u, 0xff, sizeof(u));
	r = uname(&u);
	if (!check_ok("uname", r, errno))
		return EXIT_FAILURE;

	check_field("sysname", u.sysname, sizeof(u.sysname), 0);
	check_field("nodename", u.nodename, sizeof(u.nodename), 1);
	check_field("release", u.release, sizeof(u.release), 0);
	check_field("version", u.version, sizeof(u.version), 0);
	check_field("machine", u.machine, sizeof(u.machine), 0);
	check_field("domainname", u.domainname, sizeof(u.domainname), 1);
	if (check_failures)
		return check_exit("uname");

	if (strcmp(u.sysname, "Linux"))
		fail("uname sysname: expected \"Linux\" got \"%s\"", u.sysname);
	if (strcmp(u.machine, EXPECTED_MACHINE))
		fail("uname machine: expected \"%s\" got \"%s\"",
		     EXPECTED_MACHINE, u.machine);
	/* "major.minor..." is what glibc and version checks parse. */
	if (!isdigit((unsigned char)u.release[0]) || !strchr(u.release, '.'))
		fail("uname release: expected \"N.N...\" got \"%s\"", u.release);

	CHECK_ERRNO("uname(NULL)", syscall(SYS_uname, NULL), EFAULT);
	CHECK_ERRNO("uname((void *)1)", syscall(SYS_uname, 1L), EFAULT);

	printf("uname: sysname %s\n", u.sysname);
	printf("uname: machine %s\n", u.machine);
	return check_exit("uname");
}
