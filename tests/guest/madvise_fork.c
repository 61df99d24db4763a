// SPDX-License-Identifier: Apache-2.0
/*
 * What a fork does with advised memory (mm/madvise.c, kernel/fork.c
 * dup_mmap): MADV_DONTFORK leaves the area out of the child (unmapped
 * there), MADV_DOFORK puts it back; MADV_WIPEONFORK gives the child zeroes
 * (the parent keeps its data, a read-only area too), MADV_KEEPONFORK undoes
 * it; WIPEONFORK on a file or shared mapping is EINVAL; advice over a hole
 * is ENOMEM.
 */
#include "proc.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

static long page;

static char *map(int prot, int flags)
{
	char *p = mmap(NULL, 2 * page, prot, flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fail("mmap: errno %s", err_name(errno));
		return NULL;
	}
	return p;
}

/* In a child: whether [p, p + len) is mapped (msync's ENOMEM). */
static int mapped(char *p, long len)
{
	return msync(p, (size_t)len, MS_ASYNC) == 0;
}

static void check_child(const char *what, char *keep, char *dont, char *wipe, char *wipe_ro,
			char *redo)
{
	pid_t pid = proc_fork(what);

	if (pid == 0) {
		check_long("the child has the plain area", 'k', keep[0]);
		check_true("the DONTFORK area is not in the child", !mapped(dont, 2 * page));
		check_long("the WIPEONFORK area is zero in the child", 0, wipe[0]);
		check_long("so is its second page", 0, wipe[page]);
		check_long("a read-only WIPEONFORK area is zero too", 0, wipe_ro[0]);
		check_long("DOFORK and KEEPONFORK undo the advice", 'r', redo[0]);
		proc_child_exit();
	}
	proc_reap(what, pid, PROC_EXITED(0));
}

int main(void)
{
	char *keep, *dont, *wipe, *wipe_ro, *redo, *shared;
	int fd;

	page = sysconf(_SC_PAGESIZE);
	keep = map(PROT_READ | PROT_WRITE, MAP_PRIVATE);
	dont = map(PROT_READ | PROT_WRITE, MAP_PRIVATE);
	wipe = map(PROT_READ | PROT_WRITE, MAP_PRIVATE);
	wipe_ro = map(PROT_READ | PROT_WRITE, MAP_PRIVATE);
	redo = map(PROT_READ | PROT_WRITE, MAP_PRIVATE);
	shared = map(PROT_READ | PROT_WRITE, MAP_SHARED);
	if (!keep || !dont || !wipe || !wipe_ro || !redo || !shared)
		return check_exit("madvise_fork");
	keep[0] = 'k';
	dont[0] = 'd';
	wipe[0] = wipe[page] = 'w';
	wipe_ro[0] = 'o';
	redo[0] = 'r';
	CHECK_OK("MADV_DONTFORK", madvise(dont, 2 * page, MADV_DONTFORK));
	CHECK_OK("MADV_WIPEONFORK", madvise(wipe, 2 * page, MADV_WIPEONFORK));
	CHECK_OK("MADV_WIPEONFORK (to be read-only)", madvise(wipe_ro, 2 * page, MADV_WIPEONFORK));
	CHECK_OK("mprotect(PROT_READ)", mprotect(wipe_ro, 2 * page, PROT_READ));
	CHECK_OK("MADV_DONTFORK (undone)", madvise(redo, 2 * page, MADV_DONTFORK));
	CHECK_OK("MADV_DOFORK", madvise(redo, 2 * page, MADV_DOFORK));
	CHECK_OK("MADV_WIPEONFORK (undone)", madvise(redo, 2 * page, MADV_WIPEONFORK));
	CHECK_OK("MADV_KEEPONFORK", madvise(redo, 2 * page, MADV_KEEPONFORK));
	CHECK_ERRNO("MADV_WIPEONFORK of shared memory", madvise(shared, page, MADV_WIPEONFORK),
		    EINVAL);
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		char *f = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);

		if (f != MAP_FAILED) {
			CHECK_ERRNO("MADV_WIPEONFORK of a file mapping",
				    madvise(f, page, MADV_WIPEONFORK), EINVAL);
			munmap(f, page);
		}
		close(fd);
	}
	munmap(keep + page, page);
	CHECK_ERRNO("MADV_DONTFORK over a hole", madvise(keep, 2 * page, MADV_DONTFORK), ENOMEM);
	CHECK_OK("MADV_DOFORK of what is left", madvise(keep, page, MADV_DOFORK));
	check_child("a fork after the advice", keep, dont, wipe, wipe_ro, redo);
	check_long("the parent keeps its WIPEONFORK data", 'w', wipe[page]);
	check_long("the parent keeps its DONTFORK area", 'd', dont[0]);
	proc_finish();
	printf("madvise_fork: done\n");
	return check_exit("madvise_fork");
}
