/* syscall_loop [clock] N: the cost of one guest syscall round trip.
 *
 * Times N raw getppid calls between two CLOCK_MONOTONIC reads and prints
 * "ns_per_syscall <float>". getppid is the probe because libc does not cache
 * it and the vDSO does not serve it, so every call reaches the kernel (or the
 * sandbox's kernel) and does almost no work there.
 *
 * With "clock", the N calls are libc's clock_gettime(CLOCK_MONOTONIC),
 * which the vDSO serves where there is one, and it prints "ns_per_call".
 *
 * Output goes through one write(2) with no stdio setup, so the program runs
 * under sandboxes that implement only the basic syscalls. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		_exit(2);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Each call's result feeds a sum the compiler cannot drop. */
static long loop(long n)
{
	long sum = 0;

	for (long i = 0; i < n; i++)
		sum += syscall(SYS_getppid);
	return sum;
}

static long loop_clock(long n)
{
	struct timespec ts;
	long sum = 0;

	for (long i = 0; i < n; i++) {
		if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
			return -1;
		sum += ts.tv_nsec & 1;
	}
	return sum;
}

int main(int argc, char **argv)
{
	char line[64], *end = NULL;
	long (*run)(long);
	long n, warm;
	int clock;
	double t0, t1;
	int len;

	clock = argc == 3 && !strcmp(argv[1], "clock");
	n = argc == 2 + clock ? strtol(argv[1 + clock], &end, 10) : 0;
	if (argc != 2 + clock || *end || n <= 0) {
		static const char msg[] =
			"usage: syscall_loop [clock] N   (N > 0 getppid or clock_gettime calls)\n";
		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(2);
		return 2;
	}
	run = clock ? loop_clock : loop;

	/* Warm-up: fault in the code and stack, let the tracer's lazy setup and
	 * the CPU's frequency settle before the timed part. */
	warm = n / 10 < 1000 ? n / 10 : 1000;
	if (run(warm) < 0)
		return 1;

	t0 = now_ns();
	if (run(n) < 0)
		return 1;
	t1 = now_ns();

	len = snprintf(line, sizeof(line), "%s %.3f\n", clock ? "ns_per_call" : "ns_per_syscall",
		       (t1 - t0) / (double)n);
	if (len <= 0 || len >= (int)sizeof(line) || write(1, line, (size_t)len) != len)
		return 1;
	return 0;
}
