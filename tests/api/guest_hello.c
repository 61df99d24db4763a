/* A small static guest for the API and CLI tests; what it does is chosen by
 * its first argument. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

/* A unix address: "@NAME" is abstract, anything else a path. */
static socklen_t unix_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	strncpy(a->sun_path, name, sizeof a->sun_path - 1);
	if (name[0] == '@')
		a->sun_path[0] = 0;
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name) +
			   (name[0] != '@'));
}

/* unix-connect ADDR: prints "connected" or the errno's name. */
static int unix_connect(const char *name)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, name);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (connect(fd, (struct sockaddr *)&a, len) == 0) {
		puts("connected");
		return 0;
	}
	printf("%s\n", strerrorname_np(errno));
	return 1;
}

/* unix-listen ADDR: listens, prints "ready", holds on until stdin ends. */
static int unix_listen(const char *name)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, name);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	char c;

	if (bind(fd, (struct sockaddr *)&a, len) || listen(fd, 4)) {
		printf("%s\n", strerrorname_np(errno));
		return 1;
	}
	puts("ready");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}

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
	if (!strcmp(mode, "unix-connect") && argc > 2)
		return unix_connect(argv[2]);
	if (!strcmp(mode, "unix-listen") && argc > 2)
		return unix_listen(argv[2]);
	fprintf(stderr, "guest_hello: unknown mode %s\n", mode);
	return 2;
}
