// SPDX-License-Identifier: Apache-2.0
/*
 * exit_codes METHOD N: leave with status N through METHOD, one of
 *   exit        exit(3): atexit handlers run, stdio is flushed
 *   _exit       _exit(2): nothing is flushed
 *   exit_group  the raw exit_group syscall
 *   exit_thread the raw exit syscall; the last thread leaving ends the process
 *   return      return from main
 * The runner checks the status (only the low 8 bits of N survive).
 */
#include "check.h"

#include <sys/syscall.h>
#include <unistd.h>

static void on_exit_handler(void)
{
	printf("exit_codes: atexit handler ran\n");
}

int main(int argc, char **argv)
{
	const char *method;
	char *end;
	long n;

	if (argc != 3) {
		fprintf(stderr, "usage: exit_codes exit|_exit|exit_group|exit_thread|return N\n");
		return 2;
	}
	method = argv[1];
	errno = 0;
	n = strtol(argv[2], &end, 0);
	if (errno || *end || end == argv[2]) {
		fprintf(stderr, "exit_codes: bad status \"%s\"\n", argv[2]);
		return 2;
	}
	if (atexit(on_exit_handler) != 0) {
		fail("atexit: expected 0 got nonzero");
		return 2;
	}

	printf("exit_codes: %s %ld\n", method, n);
	if (fflush(stdout) != 0)
		return 2;
	/* Left in the buffer: only exit(3) and return may write it out. */
	printf("exit_codes: buffered line\n");

	if (!strcmp(method, "exit"))
		exit((int)n);
	if (!strcmp(method, "return"))
		return (int)n;
	if (!strcmp(method, "_exit"))
		_exit((int)n);
	if (!strcmp(method, "exit_group")) {
		syscall(SYS_exit_group, n);
	} else if (!strcmp(method, "exit_thread")) {
		syscall(SYS_exit, n);
	} else {
		fprintf(stderr, "exit_codes: unknown method \"%s\"\n", method);
		_exit(2);
	}
	/* Only reached when the raw exit returned. */
	fprintf(stderr, "FAIL: %s(%ld): expected no return got one\n", method, n);
	_exit(3);
}
