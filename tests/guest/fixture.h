/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The file tree of tests/guest/make_fixture.py, as the file-family tests
 * see it: its names, contents and sizes (change both together), and a path
 * helper. The tree's path is argv[1]; a sandbox shows the host's "/" at the
 * same paths, so the same path names the same files there.
 */
#ifndef UMBRA_GUEST_FIXTURE_H
#define UMBRA_GUEST_FIXTURE_H

#include "check.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIX_SMALL "hello, umbra\n"
#define FIX_ALPHA "0123456789abcdefghijklmnopqrstuvwxyz"
#define FIX_INNER "inner\n"
#define FIX_LEAF "leaf\n"
#define FIX_SECRET "secret\n"
#define FIX_LONG_BODY "long\n"
#define FIX_BIG_SIZE 200000
#define FIX_MANY 300

static const char *fixture;

static inline unsigned char fixture_big_byte(unsigned long i)
{
	return (unsigned char)(i * 131 + (i >> 9));
}

/*
 * "fixture/rel" in one of a few rotating buffers, so that a call may take
 * two of them.
 */
/* len bytes at p must be the big file's bytes from off on. */
static inline void check_big(const char *what, const unsigned char *p, unsigned long off,
			     size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] != fixture_big_byte(off + i)) {
			fail("%s: byte at %lu: expected %#x got %#x", what, off + i,
			     fixture_big_byte(off + i), p[i]);
			return;
		}
	}
}

static inline const char *fx(const char *rel)
{
	static char bufs[4][PATH_MAX];
	static unsigned int next;
	char *buf = bufs[next++ % 4];

	snprintf(buf, PATH_MAX, "%s/%s", fixture, rel);
	return buf;
}

/*
 * Takes argv[1], or ends the test: without the tree nothing can be checked.
 * meson hands the tree's path relative to the build directory, the cwd of
 * every test; the tests want it absolute, to name the same files from any
 * directory.
 */
static inline void fixture_init(int argc, char **argv, const char *test)
{
	static char abs[PATH_MAX];
	struct stat st;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FIXTURE-DIRECTORY\n", test);
		exit(2);
	}
	fixture = argv[1];
	if (fixture[0] != '/') {
		if (!getcwd(abs, sizeof(abs) - strlen(fixture) - 1)) {
			fprintf(stderr, "%s: getcwd: %s\n", test,
				strerror(errno));
			exit(2);
		}
		strcat(strcat(abs, "/"), fixture);
		fixture = abs;
	}
	if (stat(fixture, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: no fixture directory at %s: %s\n", test,
			fixture, strerror(errno));
		exit(2);
	}
}

#endif /* UMBRA_GUEST_FIXTURE_H */
