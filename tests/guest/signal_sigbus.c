// SPDX-License-Identifier: Apache-2.0
/*
 * SIGBUS for a file mapping's pages past the end of the file (mm/filemap.c
 * filemap_fault: VM_FAULT_SIGBUS; BUS_ADRERR with the exact address in
 * si_addr): in a file of 100 bytes mapped over two pages, the first page
 * reads as the data, then zeros to its end, and a load from or a store to
 * the second page is SIGBUS; a file of two pages truncated to one after
 * the mapping was made faults the same way on its second page. The file
 * lives in a mkdtemp directory under /tmp, removed at the end.
 */
#include "sig.h"
#include "tmpdir.h"

#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>

static long page;
static sigjmp_buf env;
static volatile int hits, seen_signo, seen_code;
static volatile uintptr_t seen_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++;
	seen_signo = si->si_signo;
	seen_code = si->si_code;
	seen_addr = (uintptr_t)si->si_addr;
	siglongjmp(env, sig);
}

static void check_bus(const char *what, volatile char *addr, int write)
{
	char w[160];

	hits = 0;
	seen_signo = seen_code = -1;
	seen_addr = 0;
	if (sigsetjmp(env, 1) == 0) {
		if (write)
			*addr = 1;
		else
			(void)*addr;
		fail("%s: expected SIGBUS got none", what);
		return;
	}
	snprintf(w, sizeof(w), "%s: faults once", what);
	if (!check_long(w, 1, hits))
		return;
	snprintf(w, sizeof(w), "%s: si_signo", what);
	check_long(w, SIGBUS, seen_signo);
	snprintf(w, sizeof(w), "%s: si_code", what);
	check_long(w, BUS_ADRERR, seen_code);
	snprintf(w, sizeof(w), "%s: si_addr", what);
	check_ptr(w, (void *)addr, (void *)seen_addr);
}

static int make_file(const char *name, size_t len)
{
	char *buf = malloc(len);
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || !buf) {
		fail("%s: open: errno %s", name, err_name(errno));
		free(buf);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	memset(buf, 'd', len);
	if (write(fd, buf, len) != (ssize_t)len) {
		fail("%s: write: errno %s", name, err_name(errno));
		close(fd);
		fd = -1;
	}
	free(buf);
	return fd;
}

static void short_file(void)
{
	volatile char *m;
	int fd = make_file("short", 100);

	if (fd < 0)
		return;
	m = mmap(NULL, 2 * page, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		fail("short file: mmap: errno %s", err_name(errno));
		close(fd);
		return;
	}
	check_long("short file: the data", 'd', m[99]);
	check_long("short file: past the data, in its page", 0, m[100]);
	check_long("short file: the end of its page", 0, m[page - 1]);
	check_bus("short file: a load from the page past the end", m + page + 10,
		  0);
	munmap((void *)m, 2 * page);

	m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		fail("short file, writable: mmap: errno %s", err_name(errno));
	} else {
		check_bus("short file: a store to the page past the end",
			  m + 2 * page - 1, 1);
		munmap((void *)m, 2 * page);
	}
	close(fd);
}

static void truncated_file(void)
{
	volatile char *m;
	int fd = make_file("truncated", 2 * page);

	if (fd < 0)
		return;
	m = mmap(NULL, 2 * page, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		fail("truncated file: mmap: errno %s", err_name(errno));
		close(fd);
		return;
	}
	check_long("truncated file: the data before", 'd', m[0]);
	CHECK_OK("truncated file: ftruncate to one page",
		 ftruncate(fd, page));
	check_long("truncated file: the first page", 'd', m[page - 1]);
	check_bus("truncated file: a load from the page cut off", m + page, 0);
	munmap((void *)m, 2 * page);
	close(fd);
}

int main(void)
{
	proc_default_signals();
	page = sysconf(_SC_PAGESIZE);
	tmp_init(0, NULL, "signal_sigbus");
	sig_install("SIGBUS", SIGBUS, on_fault, 0, NULL);
	short_file();
	truncated_file();
	sig_default(SIGBUS);
	tmp_finish();
	printf("signal_sigbus: done\n");
	return check_exit("signal_sigbus");
}
