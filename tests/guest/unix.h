/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for the unix_* tests: AF_UNIX addresses by path or abstract name,
 * sockets bound and listening in one call, and checks of the names the
 * kernel reports. Every test runs in its scratch directory (chdir), so
 * that paths stay short; every blocking call is bounded by SO_RCVTIMEO or
 * by the alarm unix_watchdog() sets, which fails the test instead of
 * letting it hang.
 */
#ifndef UMBRA_GUEST_UNIX_H
#define UMBRA_GUEST_UNIX_H

#include "check.h"

#include <stddef.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define UNIX_OFF offsetof(struct sockaddr_un, sun_path)

/* An address for a path; its length counts the NUL, as the kernel's. */
static inline socklen_t unix_path(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof a->sun_path, "%s", path);
	return (socklen_t)(UNIX_OFF + strlen(a->sun_path) + 1);
}

/* An abstract name: a NUL, then the bytes of name, no terminator. */
static inline socklen_t unix_abstract(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, name, strlen(name));
	return (socklen_t)(UNIX_OFF + 1 + strlen(name));
}

static inline int unix_bind(int fd, const char *path)
{
	struct sockaddr_un a;
	socklen_t len = unix_path(&a, path);

	return bind(fd, (struct sockaddr *)&a, len);
}

static inline int unix_connect(int fd, const char *path)
{
	struct sockaddr_un a;
	socklen_t len = unix_path(&a, path);

	return connect(fd, (struct sockaddr *)&a, len);
}

/* A socket of type bound at path and listening (stream, seqpacket) or
 * not (datagram); -1 after a failure, which it reports. */
static inline int unix_server(const char *what, int type, const char *path)
{
	int fd = socket(AF_UNIX, type, 0);

	if (!CHECK_OK(what, fd))
		return -1;
	if (!CHECK_OK(what, unix_bind(fd, path)) ||
	    (type != SOCK_DGRAM && !CHECK_OK(what, listen(fd, 8)))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Blocking receives on fd give up after ms milliseconds (EAGAIN). */
static inline void unix_timeout(int fd, long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* An address the kernel reported is the expected one, length and bytes. */
static inline void check_addr(const char *what, const struct sockaddr_un *want,
			      socklen_t want_len, const struct sockaddr_un *got,
			      socklen_t got_len)
{
	char label[160];

	snprintf(label, sizeof label, "%s: length", what);
	if (!check_long(label, want_len, got_len))
		return;
	if (memcmp(want, got, want_len))
		fail("%s: expected the name \"%.*s\" got \"%.*s\"", what,
		     (int)(want_len - UNIX_OFF), want->sun_path,
		     (int)(got_len - UNIX_OFF), got->sun_path);
}

/* getsockname (peer 0) or getpeername (peer 1) is the path, or unnamed
 * (the family alone) when path is NULL. */
static inline void check_name(const char *what, int fd, int peer, const char *path)
{
	struct sockaddr_un want, got;
	socklen_t want_len = path ? unix_path(&want, path) : UNIX_OFF;
	socklen_t len = sizeof got;
	int r;

	if (!path) {
		memset(&want, 0, sizeof want);
		want.sun_family = AF_UNIX;
	}
	memset(&got, 0x55, sizeof got);
	r = peer ? getpeername(fd, (struct sockaddr *)&got, &len)
		 : getsockname(fd, (struct sockaddr *)&got, &len);
	if (CHECK_OK(what, r))
		check_addr(what, &want, want_len, &got, len);
}

/* Kills the process (and so fails the test) after seconds. */
static inline void unix_watchdog(unsigned int seconds)
{
	alarm(seconds);
}

/* Enters the scratch directory, the first argument. */
static inline int unix_enter(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s SCRATCH_DIR [READONLY_DIR]\n", argv[0]);
		return 0;
	}
	return CHECK_OK("chdir to the scratch directory", chdir(argv[1]));
}

#endif
