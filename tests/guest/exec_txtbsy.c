// SPDX-License-Identifier: Apache-2.0
/*
 * ETXTBSY both ways (fs/exec.c exe_file_deny_write_access, fs/namei.c
 * get_write_access): while a program runs, opening its file for writing
 * fails, before O_TRUNC can cut it; reading it works; once the program has
 * ended it may be written again; and a file open for writing cannot be
 * executed. The test runs a copy of itself, made in its directory.
 *
 * Usage: exec_txtbsy [DIRECTORY]   (the temporary directory goes under it,
 *                                   /tmp by default)
 */
#include "proc.h"
#include "tmpdir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Copies this program to name, mode 0755. */
static int copy_self(const char *name)
{
	static char buf[1 << 16];
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int out = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	ssize_t n;

	if (in < 0 || out < 0) {
		fail("copying the program: errno %s", err_name(errno));
		return 0;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	close(in);
	if (close(out) != 0 || n < 0) {
		fail("copying the program: short copy");
		return 0;
	}
	return 1;
}

static off_t size_of(const char *name)
{
	struct stat st;

	return stat(name, &st) == 0 ? st.st_size : -1;
}

/* "hold": tell the parent it runs (fd 3), then wait until it closes fd 4. */
static int hold(void)
{
	char c;

	if (write(3, "r", 1) != 1)
		return 1;
	return read(4, &c, 1) == 0 ? 0 : 1;
}

static void while_running(void)
{
	int ready[2], gate[2];
	off_t size = size_of("prog");
	pid_t pid;
	char c;

	if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(gate, O_CLOEXEC) != 0) {
		fail("pipe: errno %s", err_name(errno));
		return;
	}
	pid = proc_fork("the running copy");
	if (pid == 0) {
		char *argv[] = { "prog", "hold", NULL };

		if (dup2(ready[1], 3) != 3 || dup2(gate[0], 4) != 4)
			_exit(2);
		execv("./prog", argv);
		_exit(3);
	}
	close(ready[1]);
	close(gate[0]);
	if (!check_long("the copy reports that it runs", 1, read(ready[0], &c, 1))) {
		close(gate[1]);
		proc_reap("the running copy", pid, PROC_EXITED(0));
		return;
	}
	CHECK_ERRNO("open(running program, O_WRONLY)", open("prog", O_WRONLY | O_CLOEXEC),
		    ETXTBSY);
	CHECK_ERRNO("open(running program, O_RDWR | O_TRUNC)",
		    open("prog", O_RDWR | O_TRUNC | O_CLOEXEC), ETXTBSY);
	check_long("O_TRUNC did not cut the running program", (long)size,
		   (long)size_of("prog"));
	{
		int fd = open("prog", O_RDONLY | O_CLOEXEC);

		if (CHECK_OK("open(running program, O_RDONLY)", fd))
			close(fd);
	}
	close(gate[1]);
	proc_reap("the running copy", pid, PROC_EXITED(0));
	close(ready[0]);
	{
		int fd = open("prog", O_WRONLY | O_CLOEXEC);

		if (CHECK_OK("open(ended program, O_WRONLY)", fd))
			close(fd);
	}
	printf("while running: done\n");
}

static void while_written(void)
{
	int fd = open("prog", O_WRONLY | O_CLOEXEC);
	pid_t pid;

	if (!CHECK_OK("open(prog, O_WRONLY)", fd))
		return;
	pid = proc_fork("exec of a file open for writing");
	if (pid == 0) {
		char *argv[] = { "prog", "hold", NULL };

		CHECK_ERRNO("execv(a file open for writing)", execv("./prog", argv), ETXTBSY);
		proc_child_exit();
	}
	proc_reap("exec of a file open for writing", pid, PROC_EXITED(0));
	close(fd);
	printf("while written: done\n");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "hold"))
		return hold();
	tmp_init(argc, argv, "exec_txtbsy");
	if (copy_self("prog")) {
		while_running();
		while_written();
	}
	proc_finish();
	tmp_finish();
	return check_exit("exec_txtbsy");
}
