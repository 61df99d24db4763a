// SPDX-License-Identifier: Apache-2.0
/*
 * mincore(2) (mm/mincore.c): anonymous memory is in memory where it was
 * touched and not elsewhere, private or shared; a file just written and
 * mapped is (the page cache); so is the vDSO. An unaligned start is EINVAL,
 * a range with an unmapped page or past user space ENOMEM, a bad vector
 * EFAULT, a zero length 0.
 *
 * Usage: mincore SCRATCH_DIR
 */
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

static long page;

static void expect_vec(const char *what, void *addr, size_t pages, const char *want)
{
	unsigned char vec[16];
	char got[17] = "";

	if (!CHECK_OK(what, mincore(addr, pages * page, vec)))
		return;
	for (size_t i = 0; i < pages; i++)
		got[i] = (vec[i] & 1) ? '1' : '0';
	if (strcmp(got, want))
		fail("%s: expected %s got %s", what, want, got);
}

static void anonymous(int flags, const char *what)
{
	char *p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);

	if (!check_true("mmap", p != MAP_FAILED))
		return;
	expect_vec(what, p, 4, "0000");
	p[0] = 1;
	p[2 * page] = 1;
	expect_vec(what, p, 4, "1010");
	munmap(p, 4 * page);
}

static void file(const char *dir)
{
	char path[PATH_MAX], buf[4096];
	int fd;
	void *p;

	snprintf(path, sizeof path, "%s/mapped", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	memset(buf, 'x', sizeof buf);
	for (int i = 0; i < 2; i++)
		check_long("write", sizeof buf, write(fd, buf, sizeof buf));
	p = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd, 0);
	if (check_true("mmap of the file", p != MAP_FAILED)) {
		expect_vec("a file just written", p, page == 4096 ? 2 : 1, page == 4096 ? "11" : "1");
		munmap(p, 2 * page);
	}
	close(fd);
}

static void errors(void)
{
	unsigned char vec[4];
	char *p = mmap(NULL, 3 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (!check_true("mmap", p != MAP_FAILED))
		return;
	CHECK_ERRNO("an unaligned start", mincore(p + 1, page, vec), EINVAL);
	CHECK_ERRNO("a bad vector", mincore(p, page, bad_address()), EFAULT);
	check_long("a zero length", 0, mincore(p, 0, vec));
	check_long("a length of part of a page counts the page", 0, mincore(p, 1, vec));
	munmap(p + page, page);
	CHECK_ERRNO("a hole in the range", mincore(p, 3 * page, vec), ENOMEM);
	CHECK_ERRNO("past user space", mincore((void *)(-2 * page), page, vec), ENOMEM);
	munmap(p, 3 * page);
}

int main(int argc, char **argv)
{
	void *vdso = (void *)getauxval(AT_SYSINFO_EHDR);

	if (argc != 2) {
		fprintf(stderr, "usage: mincore SCRATCH_DIR\n");
		return 2;
	}
	page = sysconf(_SC_PAGESIZE);
	anonymous(MAP_PRIVATE, "private anonymous memory");
	anonymous(MAP_SHARED, "shared anonymous memory");
	file(argv[1]);
	if (vdso)
		expect_vec("the vDSO", vdso, 1, "1");
	errors();
	return check_exit("mincore");
}
