/* A small static guest for the API and CLI tests; what it does is chosen by
 * its first argument. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "hello";

	if (!strcmp(mode, "hello")) {
		fputs("hello\n", stdout);
		fflush(stdout);
		fputs("to stderr\n", stderr);
		return 7;
	}
	if (!strcmp(mode, "segv")) {
		volatile int *p = NULL;

		return *p;
	}
	if (!strcmp(mode, "env")) {
		const char *v = getenv("UMBRA_TEST_VAR");

		printf("UMBRA_TEST_VAR=%s\n", v ? v : "(unset)");
		return 0;
	}
	if (!strcmp(mode, "enosys")) {
		long r = syscall(1000);

		printf("syscall(1000) = %ld\n", r);
		return 0;
	}
	if (!strcmp(mode, "args")) {
		for (int i = 0; i < argc; i++)
			printf("argv[%d]=%s\n", i, argv[i]);
		return 0;
	}
	fprintf(stderr, "guest_hello: unknown mode %s\n", mode);
	return 2;
}
