/* file_loop PATH N: the cost of opening, reading and closing a small file.
 *
 * Times N rounds of open(PATH, O_RDONLY), one read of up to 4 KiB and close
 * between two CLOCK_MONOTONIC reads and prints "ns_per_iteration <float>".
 * Every round resolves the path again, so a sandbox pays for its path walk
 * and descriptor bookkeeping as well as for three syscall round trips.
 *
 * Raw syscalls and a single write(2) for the result, as in syscall_loop, so
 * libc adds nothing between the loop and the kernel. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static char buf[4096];

static double now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		_exit(2);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void fail(const char *msg)
{
	size_t len = 0;

	while (msg[len])
		len++;
	if (write(2, msg, len) < 0)
		_exit(2);
	_exit(1);
}

/* Fails unless every round reads the same non-zero length, so a sandbox that
 * returns nothing (or a short read) cannot pass for a fast one. */
static void loop(const char *path, long n, long *expect)
{
	for (long i = 0; i < n; i++) {
		long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
		long got;

		if (fd < 0)
			fail("file_loop: open failed\n");
		got = syscall(SYS_read, fd, buf, sizeof(buf));
		if (got <= 0 || (*expect >= 0 && got != *expect))
			fail("file_loop: read returned an unexpected length\n");
		*expect = got;
		if (syscall(SYS_close, fd) != 0)
			fail("file_loop: close failed\n");
	}
}

int main(int argc, char **argv)
{
	char line[64], *end;
	long n, warm, expect = -1;
	double t0, t1;
	int len;

	n = argc == 3 ? strtol(argv[2], &end, 10) : 0;
	if (argc != 3 || *end || n <= 0) {
		static const char msg[] = "usage: file_loop PATH N   (N > 0 open+read+close rounds)\n";
		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(2);
		return 2;
	}

	/* Warm-up: fault in the code, the file's pages and the sandbox's caches
	 * for the path before the timed part. */
	warm = n / 10 < 1000 ? n / 10 : 1000;
	if (warm < 1)
		warm = 1;
	loop(argv[1], warm, &expect);

	t0 = now_ns();
	loop(argv[1], n, &expect);
	t1 = now_ns();

	len = snprintf(line, sizeof(line), "ns_per_iteration %.3f\n", (t1 - t0) / (double)n);
	if (len <= 0 || len >= (int)sizeof(line) || write(1, line, (size_t)len) != len)
		return 1;
	return 0;
}
