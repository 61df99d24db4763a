// SPDX-License-Identifier: Apache-2.0
/*
 * File mappings shared between processes and with the kernel's own copies
 * (mm/filemap.c, mm/memory.c, mm/mremap.c, mm/msync.c): a fork shares a
 * MAP_SHARED file mapping and copies a written MAP_PRIVATE one; two
 * processes that map the file on their own meet on one futex word in it
 * (a wake through one mapping reaches a wait through the other);
 * write(2), read(2), readv(2) and pwrite(2) move data from and to a mapping,
 * and socket messages keep their bounds there;
 * mremap grows a shared mapping over the file and moves a private one with
 * its written pages; MADV_DONTNEED gives a private mapping the file again;
 * a memfd is shared across fork; msync's argument errors.
 *
 * Usage: mmap_shared_file [DIRECTORY]   (its temporary directory goes
 *                                        under it, /tmp by default)
 */
#include "proc.h"
#include "tmpdir.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static long page;

/* A file of npages pages, each filled with its index + 'a', open O_RDWR. */
static int make_file(const char *name, int npages)
{
	int fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	char *buf = malloc(page);

	if (fd < 0 || !buf) {
		fail("open(%s): expected an fd got -1 (errno %s)", name,
		     err_name(errno));
		free(buf);
		return -1;
	}
	for (int i = 0; i < npages; i++) {
		memset(buf, 'a' + i, page);
		if (pwrite(fd, buf, page, (off_t)i * page) != page)
			fail("pwrite page %d of %s: short", i, name);
	}
	free(buf);
	return fd;
}

static unsigned char *map(const char *what, int fd, size_t len, int flags,
			  off_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, off);

	if (p == MAP_FAILED) {
		fail("%s: expected a mapping got MAP_FAILED (errno %s)", what,
		     err_name(errno));
		return NULL;
	}
	return p;
}

static char file_byte(int fd, off_t off)
{
	char c = 0;

	if (pread(fd, &c, 1, off) != 1)
		fail("pread at %ld: expected 1 byte", (long)off);
	return c;
}

static void fork_shares_and_copies(void)
{
	int fd = make_file("fork", 2);
	unsigned char *s, *p;
	pid_t pid;

	if (fd < 0)
		return;
	s = map("MAP_SHARED", fd, 2 * page, MAP_SHARED, 0);
	p = map("MAP_PRIVATE", fd, 2 * page, MAP_PRIVATE, 0);
	if (!s || !p)
		return;
	p[0] = 'P'; /* the parent's own page, which the child must inherit */
	pid = proc_fork("fork with file mappings");
	if (pid == 0) {
		check_long("the child sees the parent's private store", 'P', p[0]);
		check_long("the child sees the file in the private mapping", 'b',
			   p[page]);
		s[1] = 'C';
		p[2] = 'c';
		proc_child_exit();
	}
	proc_reap("the child of the file mappings", pid, PROC_EXITED(0));
	check_long("the parent sees the child's shared store", 'C', s[1]);
	check_long("the file has the child's shared store", 'C',
		   file_byte(fd, 1));
	check_long("the child's private store stays the child's", 'a', p[2]);
	check_long("the parent's private store stays out of the file", 'a',
		   file_byte(fd, 0));
	munmap(s, 2 * page);
	munmap(p, 2 * page);
	close(fd);
	printf("fork: done\n");
}

static long futex(uint32_t *w, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, w, op, val, ts, NULL, 0);
}

/* The child maps the file on its own, waits on word 0 until the parent
 * stores 1 there and wakes it: a shared futex keyed by the file. */
static void futex_across_mappings(void)
{
	struct timespec ts = { 10, 0 };
	int fd = make_file("futex", 1), ready[2];
	uint32_t *w;
	pid_t pid;
	char c;

	if (fd < 0 || !proc_pipe("futex pipe", ready))
		return;
	if (ftruncate(fd, page) != 0 || pwrite(fd, "\0\0\0\0", 4, 0) != 4)
		fail("futex file: reset word 0");
	pid = proc_fork("futex child");
	if (pid == 0) {
		uint32_t *cw = (uint32_t *)map("child's mapping", fd, page,
					       MAP_SHARED, 0);
		long r = -1;

		close(ready[0]);
		if (write(ready[1], "r", 1) != 1)
			fail("futex child: report ready");
		while (cw && __atomic_load_n(cw, __ATOMIC_SEQ_CST) == 0) {
			r = futex(cw, FUTEX_WAIT, 0, &ts);
			if (r == -1 && errno == ETIMEDOUT) {
				fail("the child's FUTEX_WAIT: expected a wake got ETIMEDOUT");
				break;
			}
		}
		check_long("the child's futex word after the wake", 1,
			   cw ? (long)*cw : -1);
		proc_child_exit();
	}
	close(ready[1]);
	w = (uint32_t *)map("parent's mapping", fd, page, MAP_SHARED, 0);
	if (read(ready[0], &c, 1) != 1)
		fail("futex: the child's report");
	if (w) {
		struct timespec pause = { 0, 10 * 1000 * 1000 };
		long woken = 0;

		/* Only a waiter on the same key can be woken: the child waits
		 * through its own mapping, the parent wakes through its. */
		for (int i = 0; i < 1000 && woken != 1; i++) {
			woken = futex(w, FUTEX_WAKE, 1, NULL);
			if (woken != 1)
				nanosleep(&pause, NULL);
		}
		check_long("FUTEX_WAKE through another mapping of the file", 1, woken);
		__atomic_store_n(w, 1, __ATOMIC_SEQ_CST);
		futex(w, FUTEX_WAKE, 1, NULL);
	}
	proc_reap("the futex child", pid, PROC_EXITED(0));
	close(ready[0]);
	if (w)
		munmap(w, page);
	close(fd);
	printf("futex: done\n");
}

/* The data of write(2) and friends comes from a mapping, and read(2)'s
 * goes into one. */
static void io_through_mappings(void)
{
	int fd = make_file("io", 2), out = open("io-out", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	unsigned char *s, *p;
	char back[8] = { 0 };
	struct iovec iov[2];

	if (fd < 0 || out < 0)
		return;
	s = map("shared source", fd, 2 * page, MAP_SHARED, 0);
	p = map("private target", fd, 2 * page, MAP_PRIVATE, 0);
	if (!s || !p)
		return;
	memcpy(s, "shared", 6);
	check_long("write from a shared mapping", 6, write(out, s, 6));
	check_long("pread of what it wrote", 6, pread(out, back, 6, 0));
	check_true("the bytes written came from the mapping",
		   !memcmp(back, "shared", 6));
	check_long("pwrite from a shared mapping", page, pwrite(out, s + page, page, 6));
	check_long("its last byte", 'b', file_byte(out, 6 + page - 1));
	check_long("read into a private mapping", 6, pread(out, p + 10, 6, 0));
	check_true("the private mapping holds the bytes read",
		   !memcmp(p + 10, "shared", 6));
	check_long("the file under the private mapping is untouched", 'a',
		   file_byte(fd, 10));
	check_long("read into a shared mapping", 3, pread(out, s + 20, 3, 0));
	check_long("the file under the shared mapping has them", 's',
		   file_byte(fd, 20));
	iov[0] = (struct iovec){ s + 100, 2 };
	iov[1] = (struct iovec){ back, 2 };
	lseek(out, 0, SEEK_SET);
	check_true("readv into a shared mapping moves bytes",
		   readv(out, iov, 2) > 0);
	check_long("readv's first byte landed in the mapping", 's', s[100]);
	munmap(s, 2 * page);
	munmap(p, 2 * page);
	close(fd);
	close(out);
	printf("io: done\n");
}

/* Socket messages from and into a file mapping keep their bounds: a
 * datagram of a normal buffer and a mapped one arrives whole. */
static void sockets_through_mappings(void)
{
	int fd = make_file("sock", 1), sv[2];
	unsigned char *s;
	char head[4] = "hd:", got[64] = { 0 };
	struct iovec iov[2];
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };

	if (fd < 0 || !CHECK_OK("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)))
		return;
	s = map("shared for sockets", fd, page, MAP_SHARED, 0);
	if (!s)
		return;
	memcpy(s, "mapped", 6);
	check_long("send from a mapping", 6, send(sv[0], s, 6, 0));
	check_long("recv of it", 6, recv(sv[1], got, sizeof(got), 0));
	check_true("the datagram holds the mapped bytes", !memcmp(got, "mapped", 6));
	iov[0] = (struct iovec){ head, 3 };
	iov[1] = (struct iovec){ s, 6 };
	check_long("sendmsg of a buffer and a mapping", 9, sendmsg(sv[0], &msg, 0));
	check_long("recv into a mapping", 9, recv(sv[1], s + 100, 64, 0));
	check_true("one datagram with both parts, in the mapping",
		   !memcmp(s + 100, "hd:mapped", 9));
	check_long("the file has the received bytes", 'h', file_byte(fd, 100));
	munmap(s, page);
	close(sv[0]);
	close(sv[1]);
	close(fd);
	printf("sockets: done\n");
}

/* mremap: a shared mapping grown in place or moved maps the next pages of
 * the file; a private one moves with the pages it wrote. */
static void remap_file_mappings(void)
{
	int fd = make_file("remap", 4);
	unsigned char *s, *p, *q;

	if (fd < 0)
		return;
	s = map("shared for mremap", fd, page, MAP_SHARED, 0);
	p = map("private for mremap", fd, 2 * page, MAP_PRIVATE, 0);
	if (!s || !p)
		return;
	q = mremap(s, page, 3 * page, MREMAP_MAYMOVE);
	if (check_true("mremap of a shared file mapping", q != MAP_FAILED)) {
		check_long("the grown part maps the file's page 2", 'c', q[2 * page]);
		q[2 * page + 1] = 'G';
		check_long("a store in the grown part reaches the file", 'G',
			   file_byte(fd, 2 * page + 1));
		munmap(q, 3 * page);
	}
	p[0] = 'W';
	q = mremap(p, 2 * page, 3 * page, MREMAP_MAYMOVE | MREMAP_FIXED,
		   p + 16 * page);
	if (check_true("mremap of a private file mapping", q != MAP_FAILED)) {
		check_long("the moved private page keeps its store", 'W', q[0]);
		check_long("the moved private unwritten page shows the file", 'b',
			   q[page]);
		check_long("the private grown part shows the file's page 2", 'c',
			   q[2 * page]);
		check_long("the private store never reached the file", 'a',
			   file_byte(fd, 0));
		munmap(q, 3 * page);
	}
	close(fd);
	printf("mremap: done\n");
}

static void dontneed_and_msync(void)
{
	int fd = make_file("advice", 2);
	unsigned char *p;

	if (fd < 0)
		return;
	p = map("private for MADV_DONTNEED", fd, 2 * page, MAP_PRIVATE, 0);
	if (!p)
		return;
	p[0] = 'X';
	CHECK_OK("madvise(MADV_DONTNEED)", madvise(p, page, MADV_DONTNEED));
	check_long("after MADV_DONTNEED a private page shows the file", 'a', p[0]);
	CHECK_OK("msync(MS_SYNC)", msync(p, 2 * page, MS_SYNC));
	CHECK_OK("msync(MS_ASYNC | MS_INVALIDATE)",
		 msync(p, page, MS_ASYNC | MS_INVALIDATE));
	CHECK_OK("msync of length 0", msync(p, 0, MS_SYNC));
	CHECK_ERRNO("msync(MS_SYNC | MS_ASYNC)", msync(p, page, MS_SYNC | MS_ASYNC),
		    EINVAL);
	CHECK_ERRNO("msync with an unknown flag", msync(p, page, 8), EINVAL);
	CHECK_ERRNO("msync of an unaligned address", msync(p + 1, page, MS_SYNC),
		    EINVAL);
	munmap(p + page, page);
	CHECK_ERRNO("msync over an unmapped page", msync(p, 2 * page, MS_SYNC),
		    ENOMEM);
	munmap(p, page);
	close(fd);
	printf("advice and msync: done\n");
}

static void memfd_across_fork(void)
{
	int fd = memfd_create("shared", MFD_CLOEXEC);
	unsigned char *s;
	pid_t pid;

	if (!CHECK_OK("memfd_create", fd) || !CHECK_OK("ftruncate", ftruncate(fd, page)))
		return;
	s = map("memfd MAP_SHARED", fd, page, MAP_SHARED, 0);
	if (!s)
		return;
	pid = proc_fork("memfd child");
	if (pid == 0) {
		s[0] = 'M';
		proc_child_exit();
	}
	proc_reap("the memfd child", pid, PROC_EXITED(0));
	check_long("the parent sees the child's store in the memfd", 'M', s[0]);
	check_long("so does the memfd", 'M', file_byte(fd, 0));
	munmap(s, page);
	close(fd);
	printf("memfd: done\n");
}

int main(int argc, char **argv)
{
	page = sysconf(_SC_PAGESIZE);
	tmp_init(argc, argv, "mmap_shared_file");
	fork_shares_and_copies();
	futex_across_mappings();
	io_through_mappings();
	sockets_through_mappings();
	remap_file_mappings();
	dontneed_and_msync();
	memfd_across_fork();
	proc_finish();
	tmp_finish();
	return check_exit("mmap_shared_file");
}
