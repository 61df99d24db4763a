/* A program for the tracers tests/api/test_tracers.py runs inside umbra:
 * "fork" makes a child that writes and exits 3, waits for it and writes
 * its status; "crash" faults three calls deep (inner, outer, main), for a
 * debugger's backtrace. Not a test by itself. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int __attribute__((noinline)) inner(volatile int *p)
{
	return *p + 1;
}

static int __attribute__((noinline)) outer(volatile int *p)
{
	return inner(p) * 2;
}

static int forked(void)
{
	char line[] = "child exited 0\n";
	int status = 0;
	pid_t c = fork();

	if (c < 0)
		return 1;
	if (c == 0) {
		write(1, "child\n", 6);
		_exit(3);
	}
	if (waitpid(c, &status, 0) != c)
		return 1;
	line[13] = (char)('0' + WEXITSTATUS(status));
	write(1, line, sizeof line - 1);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "crash"))
		return outer((volatile int *)0);
	return forked();
}
