/* futex_loop N: the cost of one futex handoff between two threads.
 *
 * Two threads pass a token N times through one word: each waits with
 * FUTEX_WAIT until the word says it is its turn, flips it, and wakes the
 * other with FUTEX_WAKE. Prints "ns_per_handoff <float>" (N round trips
 * make 2N handoffs), timed between two CLOCK_MONOTONIC reads. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static _Atomic int turn; /* 0: main's turn, 1: the other thread's */
static long rounds;

static void wait_for(int mine)
{
	int v;

	while ((v = atomic_load(&turn)) != mine)
		syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void hand_over(int to)
{
	atomic_store(&turn, to);
	syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *other(void *arg)
{
	for (long i = 0; i < rounds; i++) {
		wait_for(1);
		hand_over(0);
	}
	return arg;
}

static double now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		_exit(2);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	char line[64], *end;
	pthread_t th;
	double t0, t1;
	int len;

	rounds = argc == 2 ? strtol(argv[1], &end, 10) : 0;
	if (argc != 2 || *end || rounds <= 0) {
		fprintf(stderr, "usage: futex_loop N   (N > 0 round trips)\n");
		return 2;
	}
	if (pthread_create(&th, NULL, other, NULL) != 0)
		return 2;
	t0 = now_ns();
	for (long i = 0; i < rounds; i++) {
		hand_over(1);
		wait_for(0);
	}
	t1 = now_ns();
	pthread_join(th, NULL);
	len = snprintf(line, sizeof line, "ns_per_handoff %.1f\n", (t1 - t0) / (2.0 * rounds));
	return write(1, line, (size_t)len) == len ? 0 : 2;
}
