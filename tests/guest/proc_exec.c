// SPDX-License-Identifier: Apache-2.0
/*
 * execve and execveat (fs/exec.c, fs/binfmt_script.c), the program running
 * itself by argv[0] (an absolute path, as the runner gives it) in a child
 * mode. After a fork, the new image gets argv and envp exactly as passed
 * (argv[0] is not the path; an empty envp stays empty), the same pid and
 * parent, AT_EXECFN the path as execve saw it ("/dev/fd/N" and
 * "/dev/fd/N/NAME" for execveat by fd). fds with FD_CLOEXEC, however set,
 * are closed; the others stay open with their shared offset. Handled
 * signals go back to SIG_DFL with no flags or mask, ignored ones stay
 * ignored, the signal mask and pending signals stay. A #! script gets its
 * interpreter, the one optional argument (the rest of the line, trimmed),
 * the script's path in place of argv[0], then argv[1..]; by execveat of a
 * close-on-exec fd it is ENOENT; a /bin/sh script's exit status reaches the
 * parent. The errors: ENOENT, EACCES (a directory, a file without x bits),
 * ENOEXEC (garbage, an empty file), ENOTDIR, ENAMETOOLONG, ETXTBSY (a file
 * open for writing), EFAULT (path, argv, an argv string, envp), E2BIG (a
 * string past MAX_ARG_STRLEN), the order in which they are found (since
 * Linux 6.8 the file is opened before argv is read), and
 * execveat's EINVAL, EBADF and ENOENT without AT_EMPTY_PATH. The test ends
 * by exec'ing itself, which must keep its pid.
 *
 * Usage: proc_exec   (writes only in a mkdtemp directory under /tmp)
 */
#include "proc.h"
#include "tmpdir.h"

#include <sys/auxv.h>
#include <sys/stat.h>

/* Where the exec'd image writes its report. */
#define REPORT_FD 100
#define MAX_ARG_STRLEN (32 * 4096)

extern char **environ;

static char self[PATH_MAX];
static pid_t me;

static long exec_at(int dirfd, const char *path, char *const argv[],
		    char *const envp[], int flags)
{
	return syscall(SYS_execveat, dirfd, path, argv, envp, flags);
}

/* ---- the exec'd image's modes ---- */

/* Whether every write of the report went through: an image exec'd by a
 * call that should have failed finds no REPORT_FD and exits 1. */
static int report_ok = 1;

static void put(int fd, const char *s)
{
	if (!proc_send(fd, s, strlen(s) + 1))
		report_ok = 0;
}

static void put_long(int fd, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	put(fd, buf);
}

/* pid, ppid, AT_EXECFN, argc, argv..., envc, envp..., each NUL-ended. */
static int mode_report(int argc, char **argv, char **envp)
{
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	int envc = 0;

	while (envp[envc])
		envc++;
	put_long(REPORT_FD, getpid());
	put_long(REPORT_FD, getppid());
	put(REPORT_FD, execfn ? execfn : "(no AT_EXECFN)");
	put_long(REPORT_FD, argc);
	for (int i = 0; i < argc; i++)
		put(REPORT_FD, argv[i]);
	put_long(REPORT_FD, envc);
	for (int i = 0; i < envc; i++)
		put(REPORT_FD, envp[i]);
	close(REPORT_FD);
	return report_ok ? 0 : 1;
}

/* The fds the child set up before exec'ing (see fds()). */
static int mode_fds(void)
{
	static const int closed[] = { 20, 22, 23, 25 };
	static const int open_[] = { 21, 24, 26 };
	char what[64], buf[2];

	for (size_t i = 0; i < sizeof(closed) / sizeof(closed[0]); i++) {
		snprintf(what, sizeof(what), "exec'd: fd %d with FD_CLOEXEC", closed[i]);
		CHECK_ERRNO(what, fcntl(closed[i], F_GETFD), EBADF);
	}
	for (size_t i = 0; i < sizeof(open_) / sizeof(open_[0]); i++) {
		snprintf(what, sizeof(what), "exec'd: fd %d without FD_CLOEXEC", open_[i]);
		check_long(what, 0, fcntl(open_[i], F_GETFD));
	}
	check_long("exec'd: fd 21 keeps its offset", 4, lseek(21, 0, SEEK_CUR));
	check_long("exec'd: fd 24 shares it", 4, lseek(24, 0, SEEK_CUR));
	if (check_long("exec'd: read 2 from fd 21", 2, read(21, buf, 2)) &&
	    memcmp(buf, "45", 2))
		fail("exec'd: read from fd 21: expected \"45\" got \"%.2s\"", buf);
	check_long("exec'd: fd 24 moved with it", 6, lseek(24, 0, SEEK_CUR));
	check_long("exec'd: fd 26 (FD_CLOEXEC cleared) at 0", 0, lseek(26, 0, SEEK_CUR));
	return check_failures ? 1 : 0;
}

static const char *handler_name(void (*h)(int))
{
	return h == SIG_DFL ? "SIG_DFL" : h == SIG_IGN ? "SIG_IGN" : "a handler";
}

static void check_disposition(int sig, void (*want)(int))
{
	struct sigaction sa;
	char what[64];

	if (sigaction(sig, NULL, &sa) != 0) {
		fail("exec'd: sigaction(%s): errno %s", sigabbrev_np(sig),
		     err_name(errno));
		return;
	}
	if (sa.sa_handler != want) {
		fail("exec'd: SIG%s's handler: expected %s got %s", sigabbrev_np(sig),
		     handler_name(want), handler_name(sa.sa_handler));
		return;
	}
	if (want == SIG_DFL) {
		snprintf(what, sizeof(what), "exec'd: SIG%s's reset flags", sigabbrev_np(sig));
		check_ulong(what, 0, (unsigned long)sa.sa_flags);
		snprintf(what, sizeof(what), "exec'd: SIG%s's reset mask", sigabbrev_np(sig));
		check_true(what, sigisemptyset(&sa.sa_mask));
	}
}

/* The sets the child set up before exec'ing (see signals()). */
static int mode_signals(void)
{
	sigset_t mask, pending;

	check_disposition(SIGUSR1, SIG_DFL);
	check_disposition(SIGTERM, SIG_DFL);
	check_disposition(SIGINT, SIG_DFL);
	check_disposition(SIGUSR2, SIG_IGN);
	check_disposition(SIGHUP, SIG_IGN);
	if (sigprocmask(SIG_SETMASK, NULL, &mask) != 0 || sigpending(&pending) != 0) {
		fail("exec'd: sigprocmask/sigpending: errno %s", err_name(errno));
		return 1;
	}
	for (int sig = 1; sig < 65; sig++) {
		int blocked = sig == SIGUSR1 || sig == SIGWINCH || sig == SIGALRM;
		char what[64];

		snprintf(what, sizeof(what), "exec'd: signal %d blocked", sig);
		check_long(what, blocked, sigismember(&mask, sig));
		snprintf(what, sizeof(what), "exec'd: signal %d pending", sig);
		check_long(what, sig == SIGWINCH, sigismember(&pending, sig));
	}
	return check_failures ? 1 : 0;
}

/* The test's own image again: the pid stays; carries the earlier count. */
static int mode_final(char **argv)
{
	long before = atol(argv[2]);

	check_long("final: getpid() after exec'ing the test itself",
		   atol(argv[3]), getpid());
	if (before)
		fprintf(stderr, "proc_exec: %ld check(s) failed before the final exec\n",
			before);
	return check_exit("proc_exec") || before ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ---- the parent ---- */

enum { BY_PATH, BY_AT };

struct exec_call {
	int how;
	int dirfd;
	const char *path;
	int flags;
	char *const *argv;
	char *const *envp;
};

static long do_exec(const struct exec_call *c)
{
	if (c->how == BY_AT)
		return exec_at(c->dirfd, c->path, c->argv, c->envp, c->flags);
	return execve(c->path, c->argv, c->envp);
}

/*
 * Forks a child that execs c with a pipe at REPORT_FD; reads what comes
 * through it until EOF into rep (NUL-ended) and returns the child's wait
 * status. A failed exec reports "!ERRNAME" and exits 127.
 */
static int run_exec(const char *what, const struct exec_call *c, char *rep,
		    size_t cap, size_t *len, pid_t *pidp)
{
	int p[2], st = -1;
	ssize_t n;
	pid_t pid;

	*len = 0;
	rep[0] = '\0';
	if (!proc_pipe(what, p))
		return -1;
	pid = proc_fork(what);
	if (pid == 0) {
		int err;

		if (dup2(p[1], REPORT_FD) != REPORT_FD)
			_exit(126);
		do_exec(c);
		err = errno;
		rep[0] = '!';
		strcpy(rep + 1, err_name(err));
		proc_send(REPORT_FD, rep, strlen(rep) + 1);
		_exit(127);
	}
	close(p[1]);
	if (pidp)
		*pidp = pid;
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	n = proc_recv_all(p[0], rep, cap - 1);
	close(p[0]);
	*len = n > 0 ? (size_t)n : 0;
	rep[*len] = '\0';
	if (proc_wait(pid, &st, 0) != pid)
		fail("%s: wait4: errno %s", what, err_name(errno));
	return st;
}

/* The report of a child: its pid and ours, execfn, argv and envp. */
static void check_report(const char *what, const char *rep, size_t len,
			 pid_t pid, const char *execfn, char *const argv[],
			 char *const envp[])
{
	const char *want[64];
	char nums[4][32];
	size_t pos = 0;
	int n = 0, argc = 0, envc = 0;

	while (argv[argc])
		argc++;
	while (envp[envc])
		envc++;
	snprintf(nums[0], 32, "%ld", (long)pid);
	snprintf(nums[1], 32, "%ld", (long)me);
	snprintf(nums[2], 32, "%d", argc);
	snprintf(nums[3], 32, "%d", envc);
	want[n++] = nums[0];
	want[n++] = nums[1];
	want[n++] = execfn;
	want[n++] = nums[2];
	for (int i = 0; i < argc && n < 60; i++)
		want[n++] = argv[i];
	want[n++] = nums[3];
	for (int i = 0; i < envc && n < 63; i++)
		want[n++] = envp[i];

	if (len && rep[0] == '!') {
		fail("%s: exec failed in the child: errno %s", what, rep + 1);
		return;
	}
	for (int i = 0; i < n; i++) {
		static const char *const field[] = { "pid", "ppid", "AT_EXECFN", "argc" };
		const char *got = pos < len ? rep + pos : NULL;
		char label[32];

		if (i < 4)
			snprintf(label, sizeof(label), "%s", field[i]);
		else if (i < 4 + argc)
			snprintf(label, sizeof(label), "argv[%d]", i - 4);
		else if (i == 4 + argc)
			snprintf(label, sizeof(label), "envc");
		else
			snprintf(label, sizeof(label), "envp[%d]", i - 5 - argc);
		if (!got) {
			fail("%s: %s: expected \"%s\" got the end of the report",
			     what, label, want[i]);
			return;
		}
		if (strcmp(got, want[i])) {
			/* pids differ between runs: no values on a mismatch of those */
			fail("%s: %s: expected \"%s\" got \"%s\"", what, label,
			     want[i], got);
			return;
		}
		pos += strlen(got) + 1;
	}
	if (pos != len)
		fail("%s: expected the report to end got %zu more bytes", what,
		     len - pos);
}

/* Runs c, expecting the report of a successful exec. */
static void exec_reports(const char *what, const struct exec_call *c,
			 const char *execfn, char *const argv[], char *const envp[])
{
	static char rep[16384];
	size_t len;
	pid_t pid = -1;
	int st = run_exec(what, c, rep, sizeof(rep), &len, &pid);

	if (pid > 0) {
		check_status(what, PROC_EXITED(0), st);
		check_report(what, rep, len, pid, execfn, argv, envp);
	}
}

static int write_file(const char *name, mode_t mode, const char *content)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	size_t len = strlen(content);

	if (fd < 0 || write(fd, content, len) != (ssize_t)len) {
		fail("creating %s: errno %s", name, err_name(errno));
		if (fd >= 0)
			close(fd);
		return 0;
	}
	/* An fd open for writing would make exec ETXTBSY. */
	close(fd);
	/* The umask may have taken bits away. */
	return CHECK_OK("chmod", chmod(name, mode));
}

static void args_and_env(void)
{
	char *argv[] = { "renamed-zero", "report", "", "two words", "tab\there",
			 "last", NULL };
	char *envp[] = { "A=1", "EMPTY=", "SPACE=a b", "PLAIN", "A=2", NULL };
	char *argv2[] = { self, "report", NULL };
	char *noenv[] = { NULL };
	struct exec_call c = { BY_PATH, AT_FDCWD, self, 0, argv, envp };

	exec_reports("execve: argv and envp", &c, self, argv, envp);
	c = (struct exec_call){ BY_PATH, AT_FDCWD, self, 0, argv2, noenv };
	exec_reports("execve with an empty envp", &c, self, argv2, noenv);
	c = (struct exec_call){ BY_AT, AT_FDCWD, self, 0, argv, envp };
	exec_reports("execveat(AT_FDCWD, path)", &c, self, argv, envp);
}

static void by_fd(void)
{
	char *argv[] = { "by-fd", "report", "x", NULL };
	char *envp[] = { "B=2", NULL };
	char execfn[PATH_MAX + 32], dir[PATH_MAX];
	const char *base = strrchr(self, '/') + 1;
	struct exec_call c;
	int fd, dirfd;

	fd = open(self, O_RDONLY);
	if (fd < 0) {
		fail("open(%s): errno %s", self, err_name(errno));
		return;
	}
	snprintf(execfn, sizeof(execfn), "/dev/fd/%d", fd);
	c = (struct exec_call){ BY_AT, fd, "", AT_EMPTY_PATH, argv, envp };
	exec_reports("execveat(fd, \"\", AT_EMPTY_PATH)", &c, execfn, argv, envp);
	CHECK_ERRNO("execveat(fd, \"\", 0): ENOENT without AT_EMPTY_PATH",
		    exec_at(fd, "", argv, envp, 0), ENOENT);
	/* An empty name without AT_EMPTY_PATH is refused before the flags. */
	CHECK_ERRNO("execveat(fd, \"\", 1)", exec_at(fd, "", argv, envp, 1), ENOENT);
	CHECK_ERRNO("execveat(AT_FDCWD, missing, 1): the flags before the lookup",
		    exec_at(AT_FDCWD, "missing", argv, envp, 1), EINVAL);
	CHECK_ERRNO("execveat(fd, \"\", AT_EMPTY_PATH | 1)",
		    exec_at(fd, "", argv, envp, AT_EMPTY_PATH | 1), EINVAL);
	CHECK_ERRNO("execveat(fd of a file, \"x\"): ENOTDIR",
		    exec_at(fd, "x", argv, envp, 0), ENOTDIR);
	close(fd);
	CHECK_ERRNO("execveat(a closed fd, \"x\")", exec_at(fd, "x", argv, envp, 0),
		    EBADF);

	/* Close-on-exec does not stop an ELF program. */
	fd = open(self, O_RDONLY | O_CLOEXEC);
	snprintf(execfn, sizeof(execfn), "/dev/fd/%d", fd);
	c = (struct exec_call){ BY_AT, fd, "", AT_EMPTY_PATH, argv, envp };
	exec_reports("execveat(O_CLOEXEC fd, \"\", AT_EMPTY_PATH)", &c, execfn,
		     argv, envp);
	close(fd);

	/* O_PATH is enough. */
	fd = open(self, O_PATH);
	snprintf(execfn, sizeof(execfn), "/dev/fd/%d", fd);
	c = (struct exec_call){ BY_AT, fd, "", AT_EMPTY_PATH, argv, envp };
	exec_reports("execveat(O_PATH fd, \"\", AT_EMPTY_PATH)", &c, execfn,
		     argv, envp);
	close(fd);

	snprintf(dir, sizeof(dir), "%.*s", (int)(base - self - 1), self);
	dirfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY);
	if (dirfd < 0) {
		fail("open(%s): errno %s", dir, err_name(errno));
		return;
	}
	snprintf(execfn, sizeof(execfn), "/dev/fd/%d/%s", dirfd, base);
	c = (struct exec_call){ BY_AT, dirfd, base, 0, argv, envp };
	exec_reports("execveat(dirfd, name)", &c, execfn, argv, envp);
	CHECK_ERRNO("execveat(dirfd, \"\", AT_EMPTY_PATH) of a directory",
		    exec_at(dirfd, "", argv, envp, AT_EMPTY_PATH), EACCES);
	close(dirfd);
}

/* #! lines naming the test itself as the interpreter. */
static void scripts(void)
{
	char line[PATH_MAX + 64], abs[PATH_MAX + 32], execfn[64];
	char *argv[] = { "zero", "x", "y", NULL };
	char *envp[] = { "C=3", NULL };
	char *env_report[] = { "PROC_EXEC_MODE=report", NULL };
	struct exec_call c;
	int fd;

	if (strlen(self) > 200) {
		note("proc_exec: %s is too long for a #! line; scripts not tested",
		     self);
		return;
	}
	snprintf(line, sizeof(line), "#!%s report\n", self);
	if (!write_file("interp.sh", 0755, line))
		return;
	{
		char *want[] = { self, "report", "interp.sh", "x", "y", NULL };

		c = (struct exec_call){ BY_PATH, AT_FDCWD, "interp.sh", 0, argv, envp };
		exec_reports("#! script", &c, "interp.sh", want, envp);
	}

	snprintf(line, sizeof(line), "#! %s  report a  b \t\n", self);
	snprintf(abs, sizeof(abs), "%s/spaced.sh", tmp_dir);
	if (write_file("spaced.sh", 0755, line)) {
		char *want[] = { self, "report a  b", abs, "x", "y", NULL };

		c = (struct exec_call){ BY_PATH, AT_FDCWD, abs, 0, argv, envp };
		exec_reports("#! script: the argument is the rest of the line",
			     &c, abs, want, envp);
	}

	snprintf(line, sizeof(line), "#!%s\n", self);
	if (write_file("noarg.sh", 0755, line)) {
		char *one[] = { "zero", NULL };
		char *want[] = { self, "noarg.sh", NULL };

		c = (struct exec_call){ BY_PATH, AT_FDCWD, "noarg.sh", 0, one,
					env_report };
		exec_reports("#! script without an argument", &c, "noarg.sh",
			     want, env_report);
	}

	fd = open("interp.sh", O_RDONLY);
	if (fd >= 0) {
		snprintf(execfn, sizeof(execfn), "/dev/fd/%d", fd);
		char *want[] = { self, "report", execfn, "x", "y", NULL };

		c = (struct exec_call){ BY_AT, fd, "", AT_EMPTY_PATH, argv, envp };
		exec_reports("#! script by execveat(fd, AT_EMPTY_PATH)", &c,
			     execfn, want, envp);
		close(fd);
	}

	/* The interpreter could not open /dev/fd/N of a close-on-exec fd. */
	fd = open("interp.sh", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		static char rep[256];
		size_t len;
		int st;

		c = (struct exec_call){ BY_AT, fd, "", AT_EMPTY_PATH, argv, envp };
		st = run_exec("#! script by an O_CLOEXEC fd", &c, rep, sizeof(rep),
			      &len, NULL);
		check_status("#! script by an O_CLOEXEC fd: exec fails", PROC_EXITED(127), st);
		if (strcmp(rep, "!ENOENT"))
			fail("#! script by an O_CLOEXEC fd: expected errno ENOENT got \"%s\"",
			     rep);
		close(fd);
	}
}

/* A /bin/sh script's status reaches the parent; nothing is printed. */
static void shell_script(void)
{
	char *argv[] = { "exit7.sh", NULL };
	char *envp[] = { "PATH=/usr/bin:/bin", NULL };
	static char rep[256];
	struct exec_call c = { BY_PATH, AT_FDCWD, "exit7.sh", 0, argv, envp };
	size_t len;
	int st;

	if (access("/bin/sh", X_OK) != 0) {
		note("proc_exec: no /bin/sh; the shell script is not tested");
		return;
	}
	if (!write_file("exit7.sh", 0755, "#!/bin/sh\nn=3\nexit $((n + 4))\n"))
		return;
	st = run_exec("/bin/sh script", &c, rep, sizeof(rep), &len, NULL);
	check_status("a /bin/sh script's exit status", PROC_EXITED(7), st);
	check_long("the shell reports nothing", 0, (long)len);
}

/* Exec after fork: the parent collects the new image's status. */
static void exit_status(void)
{
	char *argv[] = { self, "exit", "42", NULL };
	struct exec_call c = { BY_PATH, AT_FDCWD, self, 0, argv, environ };
	static char rep[256];
	size_t len;

	check_status("the exec'd image's _exit(42)", PROC_EXITED(42),
		     run_exec("exit 42", &c, rep, sizeof(rep), &len, NULL));
}

static void fds(void)
{
	char *argv[] = { self, "fds", NULL };
	pid_t pid;
	int fd;

	if (!write_file("data", 0644, "0123456789"))
		return;
	pid = proc_fork("fds");
	if (pid == 0) {
		fd = open("data", O_RDONLY | O_CLOEXEC);
		dup3(fd, 20, O_CLOEXEC);			/* O_CLOEXEC */
		close(fd);
		fd = open("data", O_RDONLY);
		dup2(fd, 21);					/* none */
		close(fd);
		lseek(21, 4, SEEK_SET);
		dup2(21, 22);
		fcntl(22, F_SETFD, FD_CLOEXEC);			/* F_SETFD */
		if (fcntl(21, F_DUPFD_CLOEXEC, 23) != 23)	/* F_DUPFD_CLOEXEC */
			_exit(125);
		dup3(21, 24, 0);				/* none */
		dup3(21, 25, O_CLOEXEC);			/* dup3 O_CLOEXEC */
		fd = open("data", O_RDONLY | O_CLOEXEC);
		dup3(fd, 26, O_CLOEXEC);
		fcntl(26, F_SETFD, 0);				/* cleared */
		close(fd);
		for (int i = 20; i <= 26; i++)
			if (fcntl(i, F_GETFD) < 0)
				_exit(125);
		execve(self, argv, environ);
		_exit(127);
	}
	proc_reap("fds after exec", pid, PROC_EXITED(0));
}

static void on_signal(int sig)
{
	(void)sig;
}

static void signals(void)
{
	char *argv[] = { self, "signals", NULL };
	struct sigaction sa;
	sigset_t mask;
	pid_t pid;

	pid = proc_fork("signals");
	if (pid == 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sa.sa_flags = SA_RESTART | SA_NODEFER;
		sigaddset(&sa.sa_mask, SIGINT);
		sigaction(SIGUSR1, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGUSR2, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		sigemptyset(&mask);
		sigaddset(&mask, SIGUSR1);
		sigaddset(&mask, SIGWINCH);
		sigaddset(&mask, SIGALRM);
		sigprocmask(SIG_SETMASK, &mask, NULL);
		/* Blocked: pending across exec. */
		kill(getpid(), SIGWINCH);
		/* Ignored: discarded. */
		kill(getpid(), SIGUSR2);
		execve(self, argv, environ);
		_exit(127);
	}
	proc_reap("signal dispositions after exec", pid, PROC_EXITED(0));
}

/* Whether the kernel (umbra's or the host's) is release major.minor or later. */
static int kernel_at_least(int major, int minor)
{
	struct utsname u;
	int a = 0, b = 0;

	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return 1;
	return a > major || (a == major && b >= minor);
}

static void errors(void)
{
	int opens_first = kernel_at_least(6, 8);
	char *argv[] = { "x", NULL };
	char *bad_argv[] = { "x", bad_address(), NULL };
	char *bad_envp[] = { "A=1", bad_address(), NULL };
	char *big = malloc(MAX_ARG_STRLEN + 2);
	char *big_argv[] = { "x", big, NULL };
	char longpath[PATH_MAX + 8], longname[NAME_MAX + 8];
	int fd;

	/* Each would end the test with a nonzero status if it ran. */
	write_file("garbage", 0755, "this is not a program\n");
	write_file("empty", 0755, "");
	write_file("noexec", 0644, "#!/bin/sh\nexit 3\n");
	write_file("nointerp.sh", 0755, "#!/nonexistent-umbra/interp\n");
	mkdir("dir", 0755);

	CHECK_ERRNO("execve(missing)", execve("missing", argv, environ), ENOENT);
	CHECK_ERRNO("execve(\"\")", execve("", argv, environ), ENOENT);
	CHECK_ERRNO("execve(a directory)", execve("dir", argv, environ), EACCES);
	CHECK_ERRNO("execve(\".\")", execve(".", argv, environ), EACCES);
	CHECK_ERRNO("execve(mode 0644)", execve("noexec", argv, environ), EACCES);
	CHECK_ERRNO("execve(garbage, 0755)", execve("garbage", argv, environ), ENOEXEC);
	CHECK_ERRNO("execve(an empty file)", execve("empty", argv, environ), ENOEXEC);
	CHECK_ERRNO("execve(#! of a missing interpreter)",
		    execve("nointerp.sh", argv, environ), ENOENT);
	CHECK_ERRNO("execve(garbage/x)", execve("garbage/x", argv, environ), ENOTDIR);
	CHECK_ERRNO("execve(a bad path pointer)", execve(bad_address(), argv, environ),
		    EFAULT);

	/* argv and envp are read after the file is found, before it is judged. */
	CHECK_ERRNO("execve(garbage, a bad argv)",
		    execve("garbage", bad_address(), environ), EFAULT);
	CHECK_ERRNO("execve(garbage, a bad argv string)",
		    execve("garbage", bad_argv, environ), EFAULT);
	CHECK_ERRNO("execve(garbage, a bad envp)",
		    execve("garbage", argv, bad_address()), EFAULT);
	CHECK_ERRNO("execve(garbage, a bad envp string)",
		    execve("garbage", argv, bad_envp), EFAULT);
	/* Linux 6.8 opens the file before reading argv (before, EFAULT). */
	CHECK_ERRNO("execve(missing, a bad argv)",
		    execve("missing", bad_address(), environ),
		    opens_first ? ENOENT : EFAULT);
	CHECK_ERRNO("execve(mode 0644, a bad argv)",
		    execve("noexec", bad_address(), environ),
		    opens_first ? EACCES : EFAULT);
	if (big) {
		memset(big, 'a', MAX_ARG_STRLEN + 1);
		big[MAX_ARG_STRLEN + 1] = '\0';
		CHECK_ERRNO("execve(garbage, a string past MAX_ARG_STRLEN)",
			    execve("garbage", big_argv, environ), E2BIG);
		free(big);
	}

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	CHECK_ERRNO("execve(a path of PATH_MAX + 7)",
		    execve(longpath, argv, environ), ENAMETOOLONG);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK_ERRNO("execve(a name past NAME_MAX)",
		    execve(longname, argv, environ), ENAMETOOLONG);

	fd = open("busy", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (fd >= 0) {
		write(fd, "garbage\n", 8);
		fchmod(fd, 0755);
		CHECK_ERRNO("execve(a file open for writing)",
			    execve("busy", argv, environ), ETXTBSY);
		close(fd);
		CHECK_ERRNO("execve(it once closed)", execve("busy", argv, environ),
			    ENOEXEC);
	}
}

static int parent(char **argv)
{
	char *final[] = { self, "final", NULL, NULL, NULL };
	char n[32], pid[32];

	if (!strchr(argv[0], '/') || !realpath(argv[0], self)) {
		fprintf(stderr, "proc_exec: argv[0] must be a path to the program (got \"%s\")\n",
			argv[0]);
		return EXIT_FAILURE;
	}
	me = getpid();
	proc_default_signals();
	tmp_init(1, argv, "proc_exec");
	args_and_env();
	by_fd();
	scripts();
	shell_script();
	exit_status();
	fds();
	signals();
	errors();
	proc_finish();
	tmp_finish();

	snprintf(n, sizeof(n), "%d", check_failures);
	snprintf(pid, sizeof(pid), "%ld", (long)me);
	final[2] = n;
	final[3] = pid;
	fflush(stdout);
	fflush(stderr);
	execve(self, final, environ);
	fail("execve(%s, final): errno %s", self, err_name(errno));
	return check_exit("proc_exec");
}

int main(int argc, char **argv, char **envp)
{
	const char *mode = argc > 1 ? argv[1] : NULL;

	for (char **e = envp; *e; e++)
		if (!strcmp(*e, "PROC_EXEC_MODE=report"))
			return mode_report(argc, argv, envp);
	if (!mode)
		return parent(argv);
	if (!strncmp(mode, "report", 6))
		return mode_report(argc, argv, envp);
	if (!strcmp(mode, "fds"))
		return mode_fds();
	if (!strcmp(mode, "signals"))
		return mode_signals();
	if (!strcmp(mode, "exit") && argc == 3)
		_exit(atoi(argv[2]));
	if (!strcmp(mode, "final") && argc == 4)
		return mode_final(argv);
	fprintf(stderr, "usage: proc_exec   (the other modes are its own)\n");
	return 2;
}
