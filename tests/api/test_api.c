/* The public API (include/umbra.h) as an embedding program uses it: only
 * umbra.h, linked against libumbra. argv[1] is the static test guest. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "umbra.h"

static char *const no_env[] = { NULL };
static const char *GUEST;

/* Runs the guest with argv, stdout/stderr (and optionally trace) to pipes. */
struct run {
	int status;
	char out[4096], err[4096], trace[16384];
};

static void drain(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	close(fd);
}

/* A sandbox that shows the test trees when the default view hides them:
 * UMBRA_TEST_RUN_ARGS holds "--bind DIR:DIR:ro" pairs (tests/meson.build). */
static struct umbra_sandbox *new_sandbox(void)
{
	const char *args = getenv("UMBRA_TEST_RUN_ARGS");
	char copy[8192], *save = NULL, *tok;
	struct umbra_sandbox *sb;

	ck_assert_int_eq(umbra_sandbox_create(&sb), 0);
	snprintf(copy, sizeof copy, "%s", args ? args : "");
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *dir = strcmp(tok, "--bind") ? NULL : strtok_r(NULL, " ", &save);

		if (dir && strchr(dir, ':')) {
			*strchr(dir, ':') = 0;
			ck_assert_int_eq(umbra_sandbox_bind(sb, dir, dir, 1), 0);
		}
	}
	return sb;
}

static struct umbra_sandbox *sandbox_with_pipes(int out[2], int err[2], int trace[2])
{
	struct umbra_sandbox *sb;

	ck_assert_int_eq(pipe(out), 0);
	ck_assert_int_eq(pipe(err), 0);
	sb = new_sandbox();
	ck_assert_int_eq(umbra_sandbox_set_stdio(sb, -1, out[1], err[1]), 0);
	close(out[1]);
	close(err[1]);
	if (trace) {
		ck_assert_int_eq(pipe(trace), 0);
		ck_assert_int_eq(umbra_sandbox_set_trace_fd(sb, trace[1]), 0);
	}
	return sb;
}

static void run_guest(char *const argv[], struct run *r, int with_trace)
{
	int out[2], err[2], trace[2];
	struct umbra_sandbox *sb = sandbox_with_pipes(out, err, with_trace ? trace : NULL);
	struct umbra_process *p;

	ck_assert_int_eq(umbra_spawn(sb, GUEST, argv, no_env, &p), 0);
	ck_assert_int_eq(umbra_wait(p, &r->status), 0);
	umbra_process_free(p);
	umbra_sandbox_free(sb); /* closes the sandbox's copies of the pipes */
	drain(out[0], r->out, sizeof r->out);
	drain(err[0], r->err, sizeof r->err);
	if (with_trace) {
		close(trace[1]);
		drain(trace[0], r->trace, sizeof r->trace);
	}
}

START_TEST(spawn_wait_status_and_output)
{
	char *const argv[] = { "guest", "hello", NULL };
	struct run r;

	run_guest(argv, &r, 0);
	ck_assert(WIFEXITED(r.status));
	ck_assert_int_eq(WEXITSTATUS(r.status), 7);
	ck_assert_str_eq(r.out, "hello\n");
	ck_assert_str_eq(r.err, "to stderr\n");
}
END_TEST

START_TEST(killed_by_signal)
{
	char *const argv[] = { "guest", "segv", NULL };
	struct run r;

	run_guest(argv, &r, 0);
	ck_assert(WIFSIGNALED(r.status));
	ck_assert_int_eq(WTERMSIG(r.status), SIGSEGV);
}
END_TEST

START_TEST(trace_is_strace_style)
{
	char *const argv[] = { "guest", "hello", NULL };
	struct run r;

	run_guest(argv, &r, 1);
	ck_assert_msg(strstr(r.trace, "write(1, \"hello\\n\", 6) = 6\n"), "trace: %s", r.trace);
	ck_assert_msg(strstr(r.trace, "exit_group(7) = ?\n"), "trace: %s", r.trace);
}
END_TEST

static void count_cb(const char *name, uint64_t count, void *arg)
{
	char *buf = arg;
	size_t n = strlen(buf);

	snprintf(buf + n, 1024 - n, "%s=%llu;", name, (unsigned long long)count);
}

START_TEST(unimplemented_are_counted)
{
	char *const argv[] = { "guest", "enosys", NULL };
	int out[2], err[2];
	struct umbra_sandbox *sb = sandbox_with_pipes(out, err, NULL);
	struct umbra_process *p;
	char seen[1024] = "", buf[4096];
	int status;

	ck_assert_int_eq(umbra_spawn(sb, GUEST, argv, no_env, &p), 0);
	ck_assert_int_eq(umbra_wait(p, &status), 0);
	umbra_process_free(p);
	ck_assert_int_ge(umbra_sandbox_unimplemented(sb, count_cb, seen), 1);
	ck_assert_msg(strstr(seen, "syscall_1000=1;"), "counted: %s", seen);
	umbra_sandbox_free(sb);
	drain(out[0], buf, sizeof buf);
	ck_assert_str_eq(buf, "syscall(1000) = -1\n");
	drain(err[0], buf, sizeof buf);
}
END_TEST

static int spawn_error(const char *path)
{
	char *const argv[] = { (char *)path, NULL };
	struct umbra_sandbox *sb;
	struct umbra_process *p = NULL;
	int err;

	sb = new_sandbox();
	err = umbra_spawn(sb, path, argv, no_env, &p);
	ck_assert_ptr_null(p);
	umbra_sandbox_free(sb);
	return err;
}

START_TEST(spawn_errors_like_execve)
{
	char script[4096];
	int fd;

	/* Beside the guest: a tree the sandbox shows (not the host's /tmp). */
	snprintf(script, sizeof script, "%.*s/umbra-api-XXXXXX",
		 (int)(strrchr(GUEST, '/') ? strrchr(GUEST, '/') - GUEST : 1),
		 strrchr(GUEST, '/') ? GUEST : ".");
	fd = mkstemp(script);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "not an executable\n", 18), 18);
	close(fd);
	ck_assert_int_eq(spawn_error("/nonexistent/program"), -ENOENT);
	ck_assert_int_eq(spawn_error("/"), -EACCES);
	ck_assert_int_eq(spawn_error(script), -EACCES); /* no execute permission */
	ck_assert_int_eq(chmod(script, 0755), 0);
	ck_assert_int_eq(spawn_error(script), -ENOEXEC);
	unlink(script);
}
END_TEST

START_TEST(bad_arguments)
{
	struct umbra_rseq_stats stats;
	struct umbra_sandbox *sb;
	struct umbra_process *p;

	ck_assert_int_eq(umbra_sandbox_create(NULL), -EINVAL);
	ck_assert_int_eq(umbra_sandbox_create(&sb), 0);
	ck_assert_int_eq(umbra_sandbox_set_cpus(sb, 0), -EINVAL);
	ck_assert_int_eq(umbra_sandbox_set_rseq_slice_ns(sb, 4999), -EINVAL);
	ck_assert_int_eq(umbra_sandbox_set_rseq_slice_ns(sb, 50001), -EINVAL);
	ck_assert_int_eq(umbra_sandbox_set_rseq_slice_ns(sb, 50000), 0);
	ck_assert_int_eq(umbra_sandbox_rseq_stats(sb, NULL), -EINVAL);
	ck_assert_int_eq(umbra_sandbox_rseq_stats(NULL, &stats), -EINVAL);
	ck_assert_int_eq(umbra_sandbox_rseq_stats(sb, &stats), 0);
	ck_assert_uint_eq(stats.grants + stats.yields + stats.expiries + stats.revocations, 0);
	ck_assert_int_eq(umbra_sandbox_set_trace_fd(sb, 12345), -EBADF);
	ck_assert_int_eq(umbra_sandbox_set_stdio(sb, 12345, 1, 2), -EBADF);
	ck_assert_int_eq(umbra_spawn(sb, NULL, NULL, NULL, &p), -EINVAL);
	ck_assert_int_eq(umbra_wait(NULL, NULL), -EINVAL);
	ck_assert_str_eq(umbra_version(), UMBRA_VERSION);
	umbra_sandbox_free(sb);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("api");
	SRunner *sr;
	int failed;

	if (argc != 2) {
		fprintf(stderr, "usage: test_api GUEST\n");
		return 2;
	}
	GUEST = argv[1];
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, spawn_wait_status_and_output);
	tcase_add_test(tc, killed_by_signal);
	tcase_add_test(tc, trace_is_strace_style);
	tcase_add_test(tc, unimplemented_are_counted);
	tcase_add_test(tc, spawn_errors_like_execve);
	tcase_add_test(tc, bad_arguments);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
