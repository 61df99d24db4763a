// SPDX-License-Identifier: Apache-2.0
/*
 * /init of the arm64 test VM: runs every case of /tests/manifest, prints one
 * line per case for run.sh and powers the machine off. The VM has no Python,
 * so this judges each case the way tests/guest/run_guest.py does on the host.
 *
 * The manifest (written by run.sh) has one case per line, fields separated
 * by tabs:
 *
 *	NAME MODE UMBRA EXPECT SIGNALS FLAGS TIMEOUT ENV PROGRAM ARG...
 *
 * MODE     "native" or "sandbox" (a run_guest.py case), or "plain" (a bare
 *          program: 0 passes, 77 skips)
 * UMBRA    the umbra executable for sandbox mode, else "-"
 * EXPECT   the exit status that passes
 * SIGNALS  comma-separated signal numbers whose death passes, or "-"
 * FLAGS    comma-separated: "compare" (stdout must equal a native run's; in
 *          native mode, a second native run's), "should_fail" (meson's
 *          inverted verdict), "scratch" (each run gets a fresh directory as
 *          its last argument, bound read-write under umbra), "scratch-ro"
 *          (and one more, bound read-only), "rootfs" (runs chrooted in the
 *          Debian userland of rootfs.sh, see init_rootfs.c); or "-"
 * TIMEOUT  meson's limit in seconds, 0 for none
 * ENV      NAME=VALUE entries separated by \x1f to add, or "-"
 *
 * Output, one line each, at the start of a line:
 *
 *	UMBRA-ARM64 BEGIN <release> <machine> cpus=<n>
 *	UMBRA-ARM64 RESULT <name> PASS|FAIL|SKIP <status> <seconds>s [<why>]
 *	UMBRA-ARM64 SUMMARY pass=<n> fail=<n> skip=<n> total=<n>
 *	UMBRA-ARM64 END
 *
 * The kernel hands unknown "key=value" words of its command line to init as
 * environment: umbra_filter=A,B runs only cases whose name starts with A or
 * B; umbra_timeout=SECONDS bounds each run (default 300, or five times
 * meson's limit when that is longer, as TCG is slow); umbra_verbose=1 shows
 * the output of passing cases too; umbra_rootfs=DEVICE is the disk of the
 * Debian userland the "rootfs" cases run in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init_rootfs.h"

#define MANIFEST "/tests/manifest"
#define CAPTURE_MAX (8u << 20) /* bytes of each stream kept per run */
#define SHOW_MAX 200           /* lines of each stream shown per run */
#define DEFAULT_TIMEOUT 300
#define EXIT_SKIP 77
#define MAX_SIGNALS 8
#define ROOTFS "/rootfs"
#define ROOTFS_PATH "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"

enum mode { MODE_PLAIN, MODE_NATIVE, MODE_SANDBOX };

struct test_case {
	char *name;
	enum mode mode;
	char *umbra;
	int expect;
	int signals[MAX_SIGNALS];
	int nsignals;
	bool compare;
	bool should_fail;
	bool scratch, scratch_ro;
	bool rootfs;
	int timeout;
	char *env;
	char **prog; /* the program and its arguments */
};

struct capture {
	char *buf;
	size_t len;   /* bytes kept */
	size_t total; /* bytes written */
};

struct run {
	const char *label;
	int status;     /* wait status, valid unless timed_out */
	bool timed_out;
	struct capture out, err;
};

enum verdict { V_PASS, V_FAIL, V_SKIP };

static bool verbose;
static int timeout_sec = DEFAULT_TIMEOUT;
static const char *rootfs_error = "no umbra_rootfs disk"; /* NULL once mounted */

/* One write per line so that nothing the kernel prints lands inside it. */
static __attribute__((format(printf, 1, 2))) void say(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDOUT_FILENO, line, (size_t)n) < 0)
		return;
}

static void mount_one(const char *src, const char *dir, const char *type,
		      const char *opts)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		say("init: mkdir %s: %s", dir, strerror(errno));
	if (mount(src, dir, type, MS_NOSUID, opts) < 0 && errno != EBUSY)
		say("init: mount %s on %s: %s", type, dir, strerror(errno));
}

static void make_system_files(void)
{
	static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n";
	int fd;

	mkdir("/usr", 0755);
	mkdir("/etc", 0755);
	fd = open("/etc/passwd", O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd >= 0) {
		if (write(fd, passwd, sizeof passwd - 1) < 0)
			say("init: write /etc/passwd: %s", strerror(errno));
		close(fd);
	}
}

/* What udev or a container runtime adds to devtmpfs on any Debian system:
 * /dev/fd and the three standard streams. */
static void dev_links(void)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "/dev/fd" },
		{ "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" },
		{ "/proc/self/fd/2", "/dev/stderr" },
	};

	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		if (symlink(links[i][0], links[i][1]) < 0 && errno != EEXIST)
			say("init: symlink %s: %s", links[i][1], strerror(errno));
}

static void setup_system(void)
{
	mount_one("proc", "/proc", "proc", NULL);
	mount_one("sysfs", "/sys", "sysfs", NULL);
	mount_one("devtmpfs", "/dev", "devtmpfs", "mode=0755");
	mount_one("devpts", "/dev/pts", "devpts", "ptmxmode=0666");
	dev_links();
	/* The initramfs is writable already; /tmp stays as packed, since the
	 * build tree (and the guest fixture in it) may live under it. */
	if (mkdir("/tmp", 01777) < 0 && errno != EEXIST)
		say("init: mkdir /tmp: %s", strerror(errno));
	chmod("/tmp", 01777);
	mount_one("tmpfs", "/run", "tmpfs", "mode=0755");
	/* What the guest tests take for granted of any Linux system. */
	make_system_files();
	setenv("PATH", "/tests:/", 1);
	setenv("HOME", "/tmp", 1);
	setenv("LC_ALL", "C", 1);
	/* Check's per-test limits assume native speed, not TCG's. */
	setenv("CK_TIMEOUT_MULTIPLIER", "10", 0);
}

static void setup_rootfs(const char *dev)
{
	static char why[256];

	if (rootfs_setup(dev, ROOTFS, why, sizeof why) < 0)
		say("init: rootfs: %s", why);
	rootfs_error = why[0] ? why : NULL;
}

static char *read_file(const char *path)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, word, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

#define NFIELDS 8 /* before PROGRAM */

/* Splits one manifest line in place; NULL for comments and bad lines. */
static struct test_case *parse_line(char *line)
{
	char *field[1024];
	size_t n = 0;
	struct test_case *tc;

	if (line[0] == '#' || line[0] == '\0')
		return NULL;
	for (char *p = line; p && n < sizeof(field) / sizeof(field[0]) - 1; n++) {
		field[n] = p;
		p = strchr(p, '\t');
		if (p)
			*p++ = '\0';
	}
	if (n <= NFIELDS) {
		say("init: bad manifest line for %s", field[0]);
		return NULL;
	}
	tc = calloc(1, sizeof(*tc));
	if (!tc)
		return NULL;
	tc->prog = calloc(n - NFIELDS + 1, sizeof(char *));
	if (!tc->prog) {
		free(tc);
		return NULL;
	}
	tc->name = field[0];
	tc->mode = strcmp(field[1], "native") == 0	? MODE_NATIVE :
		   strcmp(field[1], "sandbox") == 0 ? MODE_SANDBOX : MODE_PLAIN;
	tc->umbra = field[2];
	tc->expect = atoi(field[3]);
	for (char *p = field[4]; *p && *p != '-' && tc->nsignals < MAX_SIGNALS;
	     p = strchr(p, ',') ? strchr(p, ',') + 1 : p + strlen(p))
		tc->signals[tc->nsignals++] = atoi(p);
	tc->compare = has_word(field[5], "compare");
	tc->should_fail = has_word(field[5], "should_fail");
	tc->scratch = has_word(field[5], "scratch");
	tc->scratch_ro = has_word(field[5], "scratch-ro");
	tc->rootfs = has_word(field[5], "rootfs");
	tc->timeout = atoi(field[6]);
	tc->env = strcmp(field[7], "-") ? field[7] : NULL;
	memcpy(tc->prog, field + NFIELDS, (n - NFIELDS) * sizeof(char *));
	return tc;
}

static bool selected(const char *name, const char *filter)
{
	size_t len;

	if (!filter || !*filter)
		return true;
	for (const char *p = filter; *p; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (len && strncmp(name, p, len) == 0)
			return true;
	}
	return false;
}

static void capture_add(struct capture *c, const char *data, size_t n)
{
	size_t keep = n;

	c->total += n;
	if (c->len + keep > CAPTURE_MAX)
		keep = CAPTURE_MAX - c->len;
	if (!keep)
		return;
	if (!c->buf) {
		c->buf = malloc(CAPTURE_MAX);
		if (!c->buf)
			return;
	}
	memcpy(c->buf + c->len, data, keep);
	c->len += keep;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The umbra run options of the case's UMBRA_TEST_RUN_ARGS (binds of the test
 * trees, which the guest's private /tmp would hide), after argv[0..n); at
 * most max of them. Returns the new n. */
static size_t add_run_args(const char *env, char **argv, size_t n, size_t max)
{
	static const char key[] = "UMBRA_TEST_RUN_ARGS=";
	const char *v = env ? strstr(env, key) : NULL;
	char *copy, *save = NULL;
	size_t added = 0;

	if (!v || (v != env && v[-1] != '\x1f'))
		return n;
	copy = strndup(v + sizeof key - 1, strcspn(v + sizeof key - 1, "\x1f"));
	for (char *tok = copy ? strtok_r(copy, " ", &save) : NULL; tok && added < max;
	     tok = strtok_r(NULL, " ", &save), added++)
		argv[n++] = tok; /* copy lives as long as the run */
	return n;
}

static __attribute__((noreturn)) void child(const struct test_case *tc, char **argv,
					    int out, int err)
{
	int null = open("/dev/null", O_RDONLY);
	char *env = tc->env ? strdup(tc->env) : NULL;

	setsid(); /* its own group, so that the whole tree can be killed */
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(126);
	if (tc->rootfs && (chroot(ROOTFS) < 0 || setenv("PATH", ROOTFS_PATH, 1) < 0))
		_exit(126);
	if (chdir("/tmp") < 0)
		_exit(126);
	for (char *e = env, *next; e && *e; e = next) {
		next = strchr(e, '\x1f');
		if (next)
			*next++ = '\0';
		putenv(e);
	}
	signal(SIGPIPE, SIG_DFL);
	execv(argv[0], argv);
	dprintf(2, "init: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Reads both pipes until they close or the deadline passes. */
static bool collect(struct run *r, int out, int err, double deadline)
{
	struct pollfd pfd[2] = { { out, POLLIN, 0 }, { err, POLLIN, 0 } };
	struct capture *cap[2] = { &r->out, &r->err };
	char buf[65536];
	int open_fds = 2;

	while (open_fds) {
		double left = deadline - now();
		int n;

		if (left <= 0)
			return false;
		n = poll(pfd, 2, (int)(left * 1000) + 1);
		if (n < 0 && errno != EINTR)
			return false;
		for (int i = 0; n > 0 && i < 2; i++) {
			ssize_t got;

			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			got = read(pfd[i].fd, buf, sizeof(buf));
			if (got > 0) {
				capture_add(cap[i], buf, (size_t)got);
			} else if (got == 0 || errno != EINTR) {
				pfd[i].fd = -1;
				open_fds--;
			}
		}
	}
	return true;
}

/* The wait status, or -1 if the process outlived the deadline. */
static int wait_deadline(pid_t pid, double deadline)
{
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now() > deadline)
			return -1;
		usleep(5000);
	}
}

static void run_cmd(const struct test_case *tc, char **argv, const char *label,
		    struct run *r)
{
	int limit = tc->timeout * 5 > timeout_sec ? tc->timeout * 5 : timeout_sec;
	double deadline = now() + limit;
	int out[2], err[2];
	bool drained;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->label = label;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		r->status = 126 << 8;
		return;
	}
	pid = fork();
	if (pid == 0)
		child(tc, argv, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		close(out[0]);
		close(err[0]);
		r->status = 126 << 8;
		return;
	}
	drained = collect(r, out[0], err[0], deadline);
	r->status = wait_deadline(pid, drained ? deadline : now());
	/* Whatever the run left behind in its session goes with it. */
	kill(-pid, SIGKILL);
	if (r->status == -1) {
		r->timed_out = true;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(out[0]);
	close(err[0]);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		; /* orphans reparented to init */
}

static void run_free(struct run *r)
{
	free(r->out.buf);
	free(r->err.buf);
}

static void describe(const struct run *r, char *buf, size_t len)
{
	if (r->timed_out)
		snprintf(buf, len, "timeout");
	else if (WIFSIGNALED(r->status))
		snprintf(buf, len, "signal:%d", WTERMSIG(r->status));
	else
		snprintf(buf, len, "%d", WEXITSTATUS(r->status));
}

static void show(const char *name, const struct run *r)
{
	const struct capture *cap[2] = { &r->out, &r->err };
	const char *tag[2] = { "out", "err" };
	char status[32];

	describe(r, status, sizeof(status));
	say("  %s %s: %s", name, r->label, status);
	for (int i = 0; i < 2; i++) {
		const char *p = cap[i]->buf, *end = p + cap[i]->len;
		int lines = 0;

		while (p && p < end && lines++ < SHOW_MAX) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			int len = (int)((nl ? nl : end) - p);

			say("  %s %s %s| %.*s", name, r->label, tag[i], len > 900 ? 900 : len, p);
			p = nl ? nl + 1 : end;
		}
		if (p && p < end)
			say("  %s %s %s| ... %zu more bytes", name, r->label, tag[i],
			    cap[i]->total - (size_t)(p - cap[i]->buf));
		else if (cap[i]->total > cap[i]->len)
			say("  %s %s %s| ... %zu more bytes", name, r->label, tag[i],
			    cap[i]->total - cap[i]->len);
	}
}

/* run_guest.py's status_ok(): NULL when the run ended as expected. */
static const char *status_ok(const struct test_case *tc, const struct run *r)
{
	int code;

	if (r->timed_out)
		return "timed out";
	if (WIFSIGNALED(r->status)) {
		for (int i = 0; i < tc->nsignals; i++)
			if (WTERMSIG(r->status) == tc->signals[i])
				return NULL;
		return "killed by a signal not allowed";
	}
	code = WEXITSTATUS(r->status);
	/* umbra may report a guest's fatal signal the way a shell does. */
	if (tc->mode == MODE_SANDBOX && code > 128)
		for (int i = 0; i < tc->nsignals; i++)
			if (code - 128 == tc->signals[i])
				return NULL;
	return code == tc->expect ? NULL : "unexpected exit status";
}

static bool same_stdout(const struct run *a, const struct run *b)
{
	return a->out.total == b->out.total && a->out.len == b->out.len &&
	       (!a->out.len || memcmp(a->out.buf, b->out.buf, a->out.len) == 0);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* One run of the case, natively or under umbra, with the scratch directories
 * run_guest.py --scratch and --scratch-ro give: appended to the arguments,
 * bound at the same path under umbra, removed afterwards. */
static void run_case(const struct test_case *tc, bool sandbox, const char *label, struct run *r)
{
	char dirs[2][32] = { "/tmp/umbra-scratch-XXXXXX", "/tmp/umbra-scratch-XXXXXX" };
	bool made[2] = { tc->scratch && mkdtemp(dirs[0]), tc->scratch_ro && mkdtemp(dirs[1]) };
	char binds[2][96], *argv[256];
	size_t n = 0;

	if (sandbox) {
		argv[n++] = tc->umbra;
		argv[n++] = "run";
		n = add_run_args(tc->env, argv, n, 64);
		for (int i = 0; i < 2; i++) {
			if (!made[i])
				continue;
			snprintf(binds[i], sizeof binds[i], "%s:%s:%s", dirs[i], dirs[i],
				 i ? "ro" : "rw");
			argv[n++] = "--bind";
			argv[n++] = binds[i];
		}
		argv[n++] = "--";
	}
	for (char **a = tc->prog; *a && n < 250; a++)
		argv[n++] = *a;
	for (int i = 0; i < 2; i++)
		if (made[i])
			argv[n++] = dirs[i];
	argv[n] = NULL;
	run_cmd(tc, argv, label, r);
	for (int i = 0; i < 2; i++)
		if (made[i])
			nftw(dirs[i], remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static enum verdict judge(const struct test_case *tc, char *status, size_t status_len,
			  const char **why)
{
	struct run r, ref;
	const char *bad;
	enum verdict v;

	if (tc->rootfs && rootfs_error) {
		snprintf(status, status_len, "-");
		*why = rootfs_error;
		return V_FAIL;
	}
	run_case(tc, tc->mode == MODE_SANDBOX, tc->mode == MODE_SANDBOX ? "sandbox" : "native", &r);
	describe(&r, status, status_len);

	if (tc->mode == MODE_PLAIN) {
		bad = status_ok(tc, &r);
		v = !bad ? V_PASS : (!r.timed_out && WIFEXITED(r.status) &&
				     WEXITSTATUS(r.status) == EXIT_SKIP) ? V_SKIP : V_FAIL;
		*why = v == V_FAIL ? bad : "";
		goto out;
	}
	if (!r.timed_out && WIFEXITED(r.status) && WEXITSTATUS(r.status) == EXIT_SKIP &&
	    tc->expect != EXIT_SKIP) {
		v = V_SKIP;
		*why = "";
		goto out;
	}
	bad = status_ok(tc, &r);
	if (bad) {
		*why = bad;
		v = V_FAIL;
		goto out;
	}
	v = V_PASS;
	*why = "";
	if (tc->compare) {
		/* Native mode proves the output deterministic by a second run. */
		run_case(tc, false, tc->mode == MODE_SANDBOX ? "native" : "native-again", &ref);
		if (status_ok(tc, &ref)) {
			*why = "the reference native run failed";
			v = V_FAIL;
		} else if (!same_stdout(&ref, &r)) {
			*why = tc->mode == MODE_SANDBOX ? "stdout differs from the native run" :
							 "stdout differs between two native runs";
			v = V_FAIL;
		}
		if (v == V_FAIL)
			show(tc->name, &ref);
		run_free(&ref);
	}
out:
	if (v == V_FAIL || verbose)
		show(tc->name, &r);
	run_free(&r);
	return v;
}

static void finish(int failed)
{
	sync();
	if (getpid() == 1) {
		reboot(RB_POWER_OFF);
		say("init: power off failed: %s", strerror(errno));
		for (;;)
			pause();
	}
	exit(failed ? 1 : 0);
}

int main(void)
{
	static const char *const verdict_name[] = { "PASS", "FAIL", "SKIP" };
	const char *filter = getenv("umbra_filter");
	unsigned int count[3] = { 0 }, total = 0;
	struct utsname u;
	char *manifest;

	if (getenv("umbra_verbose"))
		verbose = strcmp(getenv("umbra_verbose"), "0") != 0;
	if (getenv("umbra_timeout") && atoi(getenv("umbra_timeout")) > 0)
		timeout_sec = atoi(getenv("umbra_timeout"));
	signal(SIGPIPE, SIG_IGN);
	if (getpid() == 1)
		setup_system();
	if (getenv("umbra_rootfs"))
		setup_rootfs(getenv("umbra_rootfs"));
	uname(&u);
	say("UMBRA-ARM64 BEGIN %s %s cpus=%ld", u.release, u.machine,
	    sysconf(_SC_NPROCESSORS_ONLN));

	manifest = read_file(MANIFEST);
	if (!manifest) {
		say("UMBRA-ARM64 ERROR cannot read " MANIFEST);
		say("UMBRA-ARM64 END");
		finish(1);
	}
	for (char *line = manifest, *next; line && *line; line = next) {
		struct test_case *tc;
		char status[32];
		const char *why;
		enum verdict v;
		double t0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		tc = parse_line(line);
		if (!tc || !selected(tc->name, filter))
			continue;
		t0 = now();
		v = judge(tc, status, sizeof(status), &why);
		if (tc->should_fail && v != V_SKIP) {
			v = v == V_PASS ? V_FAIL : V_PASS;
			why = v == V_FAIL ? "should_fail case passed" : "";
		}
		say("UMBRA-ARM64 RESULT %s %s %s %.2fs%s%s", tc->name, verdict_name[v],
		    status, now() - t0, *why ? " " : "", why);
		count[v]++;
		total++;
		free(tc->prog);
		free(tc);
	}
	say("UMBRA-ARM64 SUMMARY pass=%u fail=%u skip=%u total=%u", count[V_PASS],
	    count[V_FAIL], count[V_SKIP], total);
	say("UMBRA-ARM64 END");
	finish(count[V_FAIL] != 0);
	return 0;
}
