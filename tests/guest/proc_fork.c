// SPDX-License-Identifier: Apache-2.0
/*
 * fork(2): the parent gets the child's pid and the child 0; the child has a
 * pid of its own and the parent's as its parent. Memory is copied, in both
 * directions: a global, the heap, the stack, a private anonymous mapping
 * (a page touched before the fork and one not), while a MAP_SHARED
 * anonymous mapping is one memory for both. fds are inherited: each shares
 * its open file description (offset, O_APPEND) with the parent's, while
 * the fd table is a copy (FD_CLOEXEC and close stay in the child), for a
 * file in a mkdtemp directory under /tmp and for a memfd. wait4 reports
 * _exit's status (the low 8 bits) and exit_group's; 50 forks in a row each
 * collected; a binary tree of processes three levels deep, each level
 * checking its parent and collecting its children.
 */
#include "proc.h"
#include "tmpdir.h"

#include <sys/mman.h>

#define HEAP_LEN (64 * 1024)

static int global_value = 1;
static long page;

struct hello {
	pid_t pid, ppid;
};

static void check_bytes(const char *what, const unsigned char *p, int c,
			size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] != (unsigned char)c) {
			fail("%s: byte %zu: expected %#x got %#x", what, i, c,
			     p[i]);
			return;
		}
	}
}

static void returns_and_ids(void)
{
	pid_t me = getpid(), pid;
	struct hello h;
	int rep[2];

	if (!proc_pipe("ids", rep))
		return;
	pid = proc_fork("ids");
	if (pid == 0) {
		h.pid = getpid();
		h.ppid = getppid();
		check_true("child: getpid() differs from the parent's",
			   h.pid != me);
		check_long("child: getppid() is the parent", me, h.ppid);
		proc_send(rep[1], &h, sizeof(h));
		proc_child_exit();
	}
	close(rep[1]);
	if (pid > 0) {
		check_true("fork returns a pid > 0 in the parent", pid > 0);
		check_true("the child's pid is not the parent's", pid != me);
		if (proc_recv("ids", rep[0], &h, sizeof(h))) {
			check_long("the child's getpid() is what fork returned",
				   pid, h.pid);
			check_long("the child's getppid()", me, h.ppid);
		}
		proc_reap("ids child", pid, PROC_EXITED(0));
		check_long("the parent's pid after fork", me, getpid());
	}
	close(rep[0]);
}

/*
 * The child first checks it sees the parent's values, writes its own and
 * says so; the parent checks it kept its values but sees the shared page,
 * writes new ones and lets the child check it does not see them.
 */
static void memory(void)
{
	unsigned char stack[512];
	unsigned char *heap = malloc(HEAP_LEN);
	unsigned char *priv, *shared;
	int rep[2], go[2];
	unsigned char c;
	pid_t pid;

	priv = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shared = mmap(NULL, page, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!heap || priv == MAP_FAILED || shared == MAP_FAILED) {
		fail("memory: setup: expected buffers got errno %s",
		     err_name(errno));
		return;
	}
	global_value = 11;
	memset(heap, 'h', HEAP_LEN);
	memset(stack, 's', sizeof(stack));
	memset(priv, 'p', page); /* the second page stays untouched */
	memset(shared, 'S', page);
	if (!proc_pipe("memory", rep))
		return;
	if (!proc_pipe("memory", go))
		return;

	pid = proc_fork("memory");
	if (pid == 0) {
		close(rep[0]);
		close(go[1]);
		check_long("child: global before its write", 11, global_value);
		check_bytes("child: heap before its write", heap, 'h', HEAP_LEN);
		check_bytes("child: stack before its write", stack, 's',
			    sizeof(stack));
		check_bytes("child: private page before its write", priv, 'p',
			    page);
		check_bytes("child: untouched private page", priv + page, 0,
			    page);
		check_bytes("child: shared page before its write", shared, 'S',
			    page);
		global_value = 21;
		memset(heap, 'c', HEAP_LEN);
		memset(stack, 'c', sizeof(stack));
		memset(priv, 'c', 2 * page);
		memset(shared, 'C', page);
		c = 1;
		proc_send(rep[1], &c, 1);
		if (proc_recv("child: waiting for the parent", go[0], &c, 1)) {
			check_long("child: global after the parent's write", 21,
				   global_value);
			check_bytes("child: heap after the parent's write",
				    heap, 'c', HEAP_LEN);
			check_bytes("child: stack after the parent's write",
				    stack, 'c', sizeof(stack));
			check_bytes("child: private pages after the parent's write",
				    priv, 'c', 2 * page);
			check_bytes("child: the shared page has the parent's write",
				    shared, 'P', page);
		}
		proc_child_exit();
	}
	close(rep[1]);
	close(go[0]);
	if (pid > 0 && proc_recv("memory", rep[0], &c, 1)) {
		check_long("parent: global after the child's write", 11,
			   global_value);
		check_bytes("parent: heap after the child's write", heap, 'h',
			    HEAP_LEN);
		check_bytes("parent: stack after the child's write", stack, 's',
			    sizeof(stack));
		check_bytes("parent: private page after the child's write",
			    priv, 'p', page);
		check_bytes("parent: untouched private page after the child's write",
			    priv + page, 0, page);
		check_bytes("parent: the shared page has the child's write",
			    shared, 'C', page);
		global_value = 12;
		memset(heap, 'q', HEAP_LEN);
		memset(stack, 'q', sizeof(stack));
		memset(priv, 'q', 2 * page);
		memset(shared, 'P', page);
		proc_send(go[1], &c, 1);
	}
	close(go[1]);
	close(rep[0]);
	proc_reap("memory child", pid, PROC_EXITED(0));
	check_bytes("parent: the shared page after the child's exit", shared,
		    'P', page);
	munmap(priv, 2 * page);
	munmap(shared, page);
	free(heap);
}

/* fd is "0123456789" at offset 2, fd2 a duplicate with FD_CLOEXEC. */
static void fds(const char *kind, int fd)
{
	char what[128], buf[16];
	pid_t pid;
	int fd2;

	if (!check_long("write 10 bytes", 10, write(fd, "0123456789", 10)))
		return;
	lseek(fd, 2, SEEK_SET);
	fd2 = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (fd2 < 0) {
		fail("%s: F_DUPFD_CLOEXEC: errno %s", kind, err_name(errno));
		return;
	}
	pid = proc_fork(kind);
	if (pid == 0) {
		snprintf(what, sizeof(what), "%s: child: inherited offset", kind);
		check_long(what, 2, lseek(fd, 0, SEEK_CUR));
		snprintf(what, sizeof(what), "%s: child: FD_CLOEXEC kept", kind);
		check_long(what, FD_CLOEXEC, fcntl(fd2, F_GETFD));
		snprintf(what, sizeof(what), "%s: child: no FD_CLOEXEC", kind);
		check_long(what, 0, fcntl(fd, F_GETFD));
		snprintf(what, sizeof(what), "%s: child: read 3", kind);
		if (check_long(what, 3, read(fd, buf, 3)) && memcmp(buf, "234", 3))
			fail("%s: expected \"234\" got \"%.3s\"", what, buf);
		snprintf(what, sizeof(what), "%s: child: F_SETFL O_APPEND", kind);
		CHECK_OK(what, fcntl(fd, F_SETFL, O_APPEND));
		snprintf(what, sizeof(what), "%s: child: F_SETFD", kind);
		CHECK_OK(what, fcntl(fd, F_SETFD, FD_CLOEXEC));
		snprintf(what, sizeof(what), "%s: child: close the duplicate", kind);
		CHECK_OK(what, close(fd2));
		proc_child_exit();
	}
	snprintf(what, sizeof(what), "%s: child", kind);
	proc_reap(what, pid, PROC_EXITED(0));
	snprintf(what, sizeof(what), "%s: the child's read moved the parent's offset", kind);
	check_long(what, 5, lseek(fd, 0, SEEK_CUR));
	snprintf(what, sizeof(what), "%s: the duplicate's offset too", kind);
	check_long(what, 5, lseek(fd2, 0, SEEK_CUR));
	snprintf(what, sizeof(what), "%s: the child's O_APPEND shows", kind);
	check_long(what, O_APPEND, fcntl(fd, F_GETFL) & O_APPEND);
	snprintf(what, sizeof(what), "%s: the child's F_SETFD does not", kind);
	check_long(what, 0, fcntl(fd, F_GETFD));
	snprintf(what, sizeof(what), "%s: the child's close does not", kind);
	check_long(what, FD_CLOEXEC, fcntl(fd2, F_GETFD));
	snprintf(what, sizeof(what), "%s: write with the child's O_APPEND", kind);
	check_long(what, 1, write(fd, "X", 1));
	snprintf(what, sizeof(what), "%s: the file after the append", kind);
	if (check_long(what, 11, pread(fd, buf, sizeof(buf), 0)) &&
	    memcmp(buf, "0123456789X", 11))
		fail("%s: expected \"0123456789X\" got \"%.11s\"", what, buf);
	close(fd2);
}

static void fds_all(void)
{
	int fd = open("offset", O_RDWR | O_CREAT | O_EXCL, 0600);

	if (fd < 0)
		fail("open(offset, O_CREAT): errno %s", err_name(errno));
	else
		fds("tmp file", fd);
	close(fd);
	fd = memfd_create("proc_fork", 0);
	if (fd < 0)
		fail("memfd_create: errno %s", err_name(errno));
	else
		fds("memfd", fd);
	close(fd);
}

static void statuses(void)
{
	static const int codes[] = { 0, 1, 42, 127, 128, 255, 256, 257, -1 };
	char what[64];
	pid_t pid;

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		pid = proc_fork("status");
		if (pid == 0)
			_exit(codes[i]);
		snprintf(what, sizeof(what), "_exit(%d)", codes[i]);
		proc_reap(what, pid, PROC_EXITED(codes[i]));
	}
	pid = proc_fork("exit_group");
	if (pid == 0) {
		syscall(SYS_exit_group, 77 + 256);
		_exit(3);
	}
	proc_reap("exit_group(333)", pid, PROC_EXITED(77));
}

static void rounds(void)
{
	pid_t me = getpid();
	char what[64];

	for (int i = 0; i < 50; i++) {
		pid_t pid = proc_fork("round");

		if (pid == 0)
			_exit(getppid() == me && getpid() != me ? i : 200);
		if (pid < 0)
			return;
		snprintf(what, sizeof(what), "round %d", i);
		if (!proc_reap(what, pid, PROC_EXITED(i)))
			return;
	}
}

/* Forks two children that each make a tree of depth - 1; the leaves it
 * counted, or -1. A leaf is depth 0. */
static int tree(int depth)
{
	pid_t me = getpid(), kids[2];
	int total = 0;

	if (depth == 0)
		return 1;
	for (int i = 0; i < 2; i++) {
		kids[i] = proc_fork("tree");
		if (kids[i] == 0) {
			int n;

			check_long("tree: getppid() is the node above", me,
				   getppid());
			n = tree(depth - 1);
			_exit(check_failures || n < 0 ? 255 : n);
		}
	}
	for (int i = 0; i < 2; i++) {
		char what[64];

		snprintf(what, sizeof(what), "tree: child %d at depth %d", i,
			 depth);
		if (!proc_reap(what, kids[i], PROC_EXITED(1 << (depth - 1))))
			total = -1;
		else if (total >= 0)
			total += 1 << (depth - 1);
	}
	return total;
}

int main(int argc, char **argv)
{
	page = sysconf(_SC_PAGESIZE);
	proc_default_signals();
	tmp_init(argc, argv, "proc_fork");
	returns_and_ids();
	memory();
	fds_all();
	statuses();
	rounds();
	check_long("a tree of depth 3: leaves", 8, tree(3));
	proc_finish();
	tmp_finish();
	return check_exit("proc_fork");
}
