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

#define MAX_BINDS 32
#define MAX_ENV 256

/* --bind, or --tmpfs when host is NULL; applied in the order given. */
struct bind {
	char *host, *guest;
	int readonly;
	char *size;
};

struct options {
	int trace;
	int report;
	int stats;
	int cpus;
	int slice_ns;
	const char *root;
	const char *cwd;
	struct bind binds[MAX_BINDS];
	int nbinds;
	char *env[MAX_ENV];
	int nenv;
	int clear_env;
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
	      "  --rseq-slice-ns NS       an rseq time-slice extension lasts NS ns,\n"
	      "                           5000 to 50000 (default 5000)\n"
	      "  --stats                  at exit, print what the rseq time-slice\n"
	      "                           extension did\n"
	      "  --root DIR               the guest's / is host directory DIR (read-only)\n"
	      "  --bind HOST:GUEST[:ro|rw]  show host directory HOST at GUEST (default rw)\n"
	      "  --tmpfs PATH[:SIZE]      a new private tmpfs at PATH (SIZE as tmpfs takes\n"
	      "                           it: 64m, 1g, 10%; default half of RAM); /tmp is\n"
	      "                           one by default\n"
	      "  --cwd DIR                start in DIR (default: the caller's directory\n"
	      "                           when the guest can see it, else /)\n"
	      "  --env K=V                set K in the guest's environment\n"
	      "  --clear-env              start from an empty environment\n"
	      "\n"
	      "Exit status: the program's; 128+N if signal N killed it; 126 if it could\n"
	      "not be executed; 127 if it was not found.\n", out);
}

/* --bind HOST:GUEST[:ro|rw] */
static int parse_bind(char *arg, struct options *o)
{
	struct bind *b = &o->binds[o->nbinds];
	char *mode;

	if (o->nbinds == MAX_BINDS)
		return -1;
	b->host = arg;
	b->guest = strchr(arg, ':');
	if (!b->guest || b->guest == arg || !b->guest[1])
		return -1;
	*b->guest++ = 0;
	b->readonly = 0;
	b->size = NULL;
	mode = strchr(b->guest, ':');
	if (mode) {
		*mode++ = 0;
		if (strcmp(mode, "ro") && strcmp(mode, "rw"))
			return -1;
		b->readonly = !strcmp(mode, "ro");
	}
	o->nbinds++;
	return 0;
}

/* --tmpfs PATH[:SIZE] */
static int parse_tmpfs(char *arg, struct options *o)
{
	struct bind *b = &o->binds[o->nbinds];

	if (o->nbinds == MAX_BINDS || arg[0] != '/')
		return -1;
	b->host = NULL;
	b->guest = arg;
	b->readonly = 0;
	b->size = strchr(arg, ':');
	if (b->size) {
		*b->size++ = 0;
		if (!*b->size)
			return -1;
	}
	o->nbinds++;
	return 0;
}

static void print_unimplemented(const char *name, uint64_t count, void *arg)
{
	(void)arg;
	fprintf(stderr, "umbra:   %s: %llu call%s\n", name, (unsigned long long)count,
		count == 1 ? "" : "s");
}

/* A decimal option value; -1 for anything else, or one past INT_MAX. */
static int number(const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < INT_MIN || v > INT_MAX)
		return -1;
	return (int)v;
}

static void print_stats(struct umbra_sandbox *sb)
{
	struct umbra_rseq_stats st;

	if (umbra_sandbox_rseq_stats(sb, &st) < 0)
		return;
	fprintf(stderr,
		"umbra: rseq slice: grants %llu yields %llu expiries %llu revocations %llu "
		"aborts %llu\n",
		(unsigned long long)st.grants, (unsigned long long)st.yields,
		(unsigned long long)st.expiries, (unsigned long long)st.revocations,
		(unsigned long long)st.aborts);
}

static int parse_run(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "trace", no_argument, NULL, 't' },
		{ "report-unimplemented", no_argument, NULL, 'r' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "rseq-slice-ns", required_argument, NULL, 'S' },
		{ "stats", no_argument, NULL, 's' },
		{ "root", required_argument, NULL, 'R' },
		{ "bind", required_argument, NULL, 'b' },
		{ "tmpfs", required_argument, NULL, 'T' },
		{ "cwd", required_argument, NULL, 'C' },
		{ "env", required_argument, NULL, 'e' },
		{ "clear-env", no_argument, NULL, 'E' },
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
			o->cpus = number(optarg);
			if (o->cpus < 1 || o->cpus > 1024) {
				fprintf(stderr, "umbra: --cpus wants a number from 1 to 1024\n");
				return -1;
			}
			break;
		case 'S':
			o->slice_ns = number(optarg);
			if (o->slice_ns < 5000 || o->slice_ns > 50000) {
				fprintf(stderr, "umbra: --rseq-slice-ns wants a number from 5000 to 50000\n");
				return -1;
			}
			break;
		case 's':
			o->stats = 1;
			break;
		case 'R':
			o->root = optarg;
			break;
		case 'b':
			if (parse_bind(optarg, o) < 0) {
				fprintf(stderr, "umbra: --bind wants HOST:GUEST[:ro|rw] (at most %d)\n",
					MAX_BINDS);
				return -1;
			}
			break;
		case 'T':
			if (parse_tmpfs(optarg, o) < 0) {
				fprintf(stderr, "umbra: --tmpfs wants /PATH[:SIZE] (at most %d mounts)\n",
					MAX_BINDS);
				return -1;
			}
			break;
		case 'C':
			o->cwd = optarg;
			break;
		case 'e':
			if (!strchr(optarg, '=') || optarg[0] == '=' || o->nenv == MAX_ENV) {
				fprintf(stderr, "umbra: --env wants K=V\n");
				return -1;
			}
			o->env[o->nenv++] = optarg;
			break;
		case 'E':
			o->clear_env = 1;
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

static int mount_one(struct umbra_sandbox *sb, const struct bind *b)
{
	int err;

	if (b->host) {
		err = umbra_sandbox_bind(sb, b->host, b->guest, b->readonly);
		if (err)
			fprintf(stderr, "umbra: --bind %s:%s: %s\n", b->host, b->guest,
				umbra_strerror(err));
		return err;
	}
	err = umbra_sandbox_tmpfs(sb, b->guest, b->size);
	if (err)
		fprintf(stderr, "umbra: --tmpfs %s%s%s: %s\n", b->guest, b->size ? ":" : "",
			b->size ? b->size : "", umbra_strerror(err));
	return err;
}

static int configure(struct umbra_sandbox *sb, const struct options *o)
{
	int err = o->trace ? umbra_sandbox_set_trace_fd(sb, STDERR_FILENO) : 0;

	if (!err && o->cpus)
		err = umbra_sandbox_set_cpus(sb, o->cpus);
	if (!err && o->slice_ns)
		err = umbra_sandbox_set_rseq_slice_ns(sb, o->slice_ns);
	if (!err && o->root && (err = umbra_sandbox_set_root(sb, o->root, 1)) < 0)
		fprintf(stderr, "umbra: --root %s: %s\n", o->root, umbra_strerror(err));
	for (int i = 0; !err && i < o->nbinds; i++)
		err = mount_one(sb, &o->binds[i]);
	if (!err && o->cwd && (err = umbra_sandbox_set_cwd(sb, o->cwd)) < 0)
		fprintf(stderr, "umbra: --cwd %s: %s\n", o->cwd, umbra_strerror(err));
	return err;
}

/* The guest's environment: ours (or none), then each --env, replacing. */
static char **guest_env(const struct options *o)
{
	size_t n = 0, k = 0;
	char **env;

	for (char **e = environ; !o->clear_env && *e; e++)
		n++;
	env = calloc(n + (size_t)o->nenv + 1, sizeof *env);
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		env[k++] = environ[i];
	for (int i = 0; i < o->nenv; i++) {
		size_t klen = (size_t)(strchr(o->env[i], '=') - o->env[i]) + 1;
		size_t j = 0;

		while (j < k && strncmp(env[j], o->env[i], klen))
			j++;
		env[j] = o->env[i];
		if (j == k)
			k++;
	}
	return env;
}

static const char *env_path(char **env)
{
	for (; *env; env++)
		if (!strncmp(*env, "PATH=", 5))
			return *env + 5;
	return NULL;
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

/* Finds the program in the guest's view and starts it; an exit code on
 * failure, else 0. */
static int start(struct umbra_sandbox *sb, char **argv, char **env, struct umbra_process **p)
{
	char path[PATH_MAX];
	int err = umbra_sandbox_which(sb, argv[0], env_path(env), path, sizeof path);

	if (err == -ENOENT && !strchr(argv[0], '/')) {
		fprintf(stderr, "umbra: %s: command not found\n", argv[0]);
		return 127;
	}
	if (!err)
		err = umbra_spawn(sb, path, argv, env, p);
	return err ? spawn_error(argv[0], err) : 0;
}

static int run(int argc, char **argv)
{
	struct options o;
	struct umbra_sandbox *sb;
	struct umbra_process *p;
	char **env;
	int first, status, err;

	memset(&o, 0, sizeof o);
	first = parse_run(argc, argv, &o);
	if (first < 0)
		return 2;
	env = guest_env(&o);
	err = env ? umbra_sandbox_create(&sb) : -ENOMEM;
	if (err) {
		fprintf(stderr, "umbra: cannot create the sandbox: %s\n", umbra_strerror(err));
		free(env);
		return 125;
	}
	if (configure(sb, &o) < 0) {
		umbra_sandbox_free(sb);
		free(env);
		return 125;
	}
	err = start(sb, argv + first, env, &p);
	free(env);
	if (err) {
		umbra_sandbox_free(sb);
		return err;
	}
	err = umbra_wait(p, &status);
	umbra_process_free(p);
	if (o.report) {
		fprintf(stderr, "umbra: unimplemented syscalls the guest called:\n");
		if (umbra_sandbox_unimplemented(sb, print_unimplemented, NULL) == 0)
			fprintf(stderr, "umbra:   none\n");
	}
	if (o.stats)
		print_stats(sb);
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
