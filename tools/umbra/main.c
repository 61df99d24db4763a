/* umbra: the command line. Everything it does goes through include/umbra.h. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "umbra.h"

extern char **environ;

struct options {
	int trace;
	int report;
	int cpus;
};

static void usage(FILE *out)
{
	fputs("Usage: umbra run [OPTIONS] -- PROGRAM [ARGS...]\n"
	      "       umbra --help | --version\n"
	      "\n"
	      "Runs PROGRAM in a sandbox: its code runs natively, every system call is\n"
	      "answered by umbra's own kernel, never by the host's.\n"
	      "\n"
	      "Options for run:\n"
	      "  --trace                  print each guest syscall to stderr, strace-style\n"
	      "  --report-unimplemented   at exit, list the syscalls umbra answered ENOSYS\n"
	      "  --cpus N                 number of virtual CPUs (default: the host's)\n"
	      "\n"
	      "Exit status: the program's; 128+N if signal N killed it; 126 if it could\n"
	      "not be executed; 127 if it was not found.\n", out);
}

/* PATH search as a shell does it: the first executable regular file wins;
 * a match that is not executable makes the failure "Permission denied". */
static int find_program(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH");
	int err = -ENOENT;

	if (strchr(name, '/'))
		return snprintf(out, size, "%s", name) < (int)size ? 0 : -ENAMETOOLONG;
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		struct stat st;

		snprintf(out, size, "%.*s%s%s", (int)len, len ? path : ".", "/", name);
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			err = -EACCES;
		}
		path += len + (path[len] == ':');
	}
	return err;
}

static void print_unimplemented(const char *name, uint64_t count, void *arg)
{
	(void)arg;
	fprintf(stderr, "umbra:   %s: %llu call%s\n", name, (unsigned long long)count,
		count == 1 ? "" : "s");
}

static int parse_run(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "trace", no_argument, NULL, 't' },
		{ "report-unimplemented", no_argument, NULL, 'r' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			o->trace = 1;
			break;
		case 'r':
			o->report = 1;
			break;
		case 'c':
			o->cpus = atoi(optarg);
			if (o->cpus < 1 || o->cpus > 1024) {
				fprintf(stderr, "umbra: --cpus wants a number from 1 to 1024\n");
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "Try 'umbra --help'.\n");
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "umbra: run: no program given\nTry 'umbra --help'.\n");
		return -1;
	}
	return optind;
}

static int configure(struct umbra_sandbox *sb, const struct options *o)
{
	int err = o->trace ? umbra_sandbox_set_trace_fd(sb, STDERR_FILENO) : 0;

	if (!err && o->cpus)
		err = umbra_sandbox_set_cpus(sb, o->cpus);
	return err;
}

static int exit_code(const char *prog, int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		const char *abbrev = sigabbrev_np(sig);

		fprintf(stderr, "umbra: %s: killed by signal %d (SIG%s: %s)\n", prog, sig,
			abbrev ? abbrev : "?", strsignal(sig));
		return 128 + sig;
	}
	return 1;
}

static int spawn_error(const char *prog, int err)
{
	fprintf(stderr, "umbra: %s: %s\n", prog, umbra_strerror(err));
	return err == -ENOENT ? 127 : 126;
}

static int run(int argc, char **argv)
{
	struct options o = { 0, 0, 0 };
	struct umbra_sandbox *sb;
	struct umbra_process *p;
	char path[PATH_MAX];
	int first = parse_run(argc, argv, &o), status, err;

	if (first < 0)
		return 2;
	err = find_program(argv[first], path, sizeof path);
	if (err == -ENOENT && !strchr(argv[first], '/')) {
		fprintf(stderr, "umbra: %s: command not found\n", argv[first]);
		return 127;
	}
	if (err)
		return spawn_error(argv[first], err);
	err = umbra_sandbox_create(&sb);
	if (err) {
		fprintf(stderr, "umbra: cannot create the sandbox: %s\n", umbra_strerror(err));
		return 125;
	}
	err = configure(sb, &o);
	if (!err)
		err = umbra_spawn(sb, path, argv + first, environ, &p);
	if (err) {
		umbra_sandbox_free(sb);
		return spawn_error(argv[first], err);
	}
	err = umbra_wait(p, &status);
	umbra_process_free(p);
	if (o.report) {
		fprintf(stderr, "umbra: unimplemented syscalls the guest called:\n");
		if (umbra_sandbox_unimplemented(sb, print_unimplemented, NULL) == 0)
			fprintf(stderr, "umbra:   none\n");
	}
	umbra_sandbox_free(sb);
	return err ? 125 : exit_code(argv[first], status);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("umbra %s\n", umbra_version());
		return 0;
	}
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return run(argc - 1, argv + 1);
	usage(stderr);
	return 2;
}
