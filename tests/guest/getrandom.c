// SPDX-License-Identifier: Apache-2.0
/*
 * getrandom(2): fills the buffer, two draws differ, every valid flag works,
 * unknown flags and bad buffers are refused.
 */
#include "check.h"

#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

#define LEN 256

/* The raw call: glibc's wrapper declares the buffer, GCC would object. */
static long raw_getrandom(void *buf, size_t len, unsigned int flags)
{
	return syscall(SYS_getrandom, buf, len, flags);
}

/* Zero-filled to start with, so an untouched buffer shows as all zero. */
static int filled(const unsigned char *p, size_t len)
{
	size_t i, zeros = 0;

	for (i = 0; i < len; i++)
		zeros += !p[i];
	/* 256 random bytes hold about one zero; 32 is far beyond chance. */
	return zeros < len / 8;
}

static void check_draw(const char *what, unsigned int flags)
{
	unsigned char buf[LEN] = { 0 };
	ssize_t r = getrandom(buf, LEN, flags);
	int err = errno;

	if (!check_ok(what, r, err))
		return;
	check_long(what, LEN, r);
	if (!filled(buf, LEN))
		fail("%s: expected random bytes got mostly zeros", what);
}

int main(void)
{
	unsigned char a[LEN] = { 0 }, b[LEN] = { 0 }, odd[7] = { 0 };
	unsigned char *guard;
	long page = sysconf(_SC_PAGESIZE);

	check_long("getrandom a", LEN, getrandom(a, LEN, 0));
	check_long("getrandom b", LEN, getrandom(b, LEN, 0));
	check_true("buffer a filled", filled(a, LEN));
	check_true("two draws differ", memcmp(a, b, LEN) != 0);

	check_draw("getrandom GRND_NONBLOCK", GRND_NONBLOCK);
	check_draw("getrandom GRND_RANDOM", GRND_RANDOM);
	check_draw("getrandom GRND_RANDOM|GRND_NONBLOCK",
		   GRND_RANDOM | GRND_NONBLOCK);
	check_draw("getrandom GRND_INSECURE", GRND_INSECURE);

	check_long("getrandom 7 bytes", 7, getrandom(odd, 7, 0));
	check_long("getrandom 0 bytes", 0, getrandom(odd, 0, 0));

	CHECK_ERRNO("getrandom flags 0x100", raw_getrandom(a, LEN, 0x100),
		    EINVAL);
	CHECK_ERRNO("getrandom flags ~0", raw_getrandom(a, LEN, ~0U), EINVAL);
	CHECK_ERRNO("getrandom GRND_INSECURE|GRND_RANDOM",
		    raw_getrandom(a, LEN, GRND_INSECURE | GRND_RANDOM), EINVAL);

	CHECK_ERRNO("getrandom to (void *)1", raw_getrandom((void *)1, 16, 0),
		    EFAULT);
	guard = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard == MAP_FAILED) {
		fail("mmap PROT_NONE: expected mapping got MAP_FAILED");
	} else {
		CHECK_ERRNO("getrandom to PROT_NONE page",
			    raw_getrandom(guard, 16, 0), EFAULT);
		munmap(guard, page);
	}

	printf("getrandom: done\n");
	return check_exit("getrandom");
}
