// SPDX-License-Identifier: Apache-2.0
/*
 * mmap(2) of files: a MAP_PRIVATE mapping shows the file as read(2) does,
 * zeros after EOF in the last page, and takes writes without passing them
 * to the file; offsets in pages; MAP_SHARED of a read-only fd refuses
 * PROT_WRITE now and later (EACCES, mm/mmap.c: VM_MAYWRITE); fds that
 * cannot be mapped (EBADF, ENODEV); /dev/zero maps as zeros.
 *
 * Usage: file_mmap FIXTURE
 */
#include "fixture.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

/* Offsets stay below 3 pages, inside big.bin up to 64 KiB pages. */
static long page;

static int open_fx(const char *rel, int flags)
{
	int fd = open(fx(rel), flags);

	if (fd < 0)
		fail("open(%s): expected an fd got -1 (errno %s)", rel,
		     err_name(errno));
	return fd;
}

static int check_map(const char *what, void *p)
{
	if (p == MAP_FAILED) {
		fail("%s: expected a mapping got MAP_FAILED (errno %s)", what,
		     err_name(errno));
		return 0;
	}
	return 1;
}

static void check_zero(const char *what, const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i]) {
			fail("%s: byte %zu: expected 0 got %#x", what, i, p[i]);
			return;
		}
	}
}

static size_t round_up(size_t n)
{
	return (n + page - 1) / page * page;
}

static void private_maps(int fd)
{
	size_t len = round_up(FIX_BIG_SIZE);
	unsigned char *p, *q, buf[16];

	p = mmap(NULL, FIX_BIG_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
	if (check_map("MAP_PRIVATE PROT_READ of big.bin", p)) {
		check_big("MAP_PRIVATE of big.bin", p, 0, FIX_BIG_SIZE);
		/* The rest of the last page is zero (mmap(2)). */
		check_zero("MAP_PRIVATE of big.bin past EOF", p + FIX_BIG_SIZE,
			   len - FIX_BIG_SIZE);
		check_long("munmap", 0, munmap(p, FIX_BIG_SIZE));
	}

	/* Writable private copy: the file keeps its bytes. */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (check_map("MAP_PRIVATE PROT_WRITE of a read-only fd", p)) {
		memset(p, 0xa5, 64);
		memset(p + page, 0x5a, page);
		p[FIX_BIG_SIZE] = 1;
		check_long("the copy took the write", 0xa5, p[63]);
		check_long("pread after a private write", 16,
			   pread(fd, buf, 16, 0));
		check_big("the file after a private write", buf, 0, 16);
		q = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (check_map("second MAP_PRIVATE", q)) {
			check_big("second mapping after a private write", q, 0,
				  FIX_BIG_SIZE);
			munmap(q, len);
		}
		check_big("unwritten page of the copy", p + 2 * page, 2 * page,
			  page);
		munmap(p, len);
	}

	/* A page-aligned offset maps from there. */
	p = mmap(NULL, 2 * page, PROT_READ, MAP_PRIVATE, fd, page);
	if (check_map("MAP_PRIVATE at one page", p)) {
		check_big("MAP_PRIVATE at one page", p, page, 2 * page);
		munmap(p, 2 * page);
	}
	p = mmap(NULL, 2 * page, PROT_READ, MAP_PRIVATE, fd,
		 FIX_BIG_SIZE / page * page);
	if (check_map("MAP_PRIVATE of the last page", p)) {
		check_big("MAP_PRIVATE of the last page", p,
			  FIX_BIG_SIZE / page * page, FIX_BIG_SIZE % page);
		check_zero("MAP_PRIVATE of the last page past EOF",
			   p + FIX_BIG_SIZE % page, page - FIX_BIG_SIZE % page);
		munmap(p, 2 * page);
	}
	CHECK_ERRNO("offset not a page multiple",
		    mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 100), EINVAL);
	CHECK_ERRNO("length 0", mmap(NULL, 0, PROT_READ, MAP_PRIVATE, fd, 0),
		    EINVAL);

	/* MAP_FIXED over a known address. */
	q = mmap(NULL, 4 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (check_map("reserve 4 pages", q)) {
		p = mmap(q + page, 2 * page, PROT_READ, MAP_PRIVATE | MAP_FIXED,
			 fd, page);
		if (check_map("MAP_FIXED of big.bin", p)) {
			check_ptr("MAP_FIXED address", q + page, p);
			check_big("MAP_FIXED of big.bin", p, page, 2 * page);
		}
		munmap(q, 4 * page);
	}
}

static void shared_maps(int fd)
{
	unsigned char *p;

	p = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd, page);
	if (check_map("MAP_SHARED PROT_READ of a read-only fd", p)) {
		check_big("MAP_SHARED of big.bin", p, page, 2 * page);
		/* No VM_MAYWRITE without FMODE_WRITE: never writable. */
		CHECK_ERRNO("mprotect PROT_WRITE of a read-only MAP_SHARED",
			    mprotect(p, page, PROT_READ | PROT_WRITE), EACCES);
		check_big("MAP_SHARED after the failed mprotect", p, page, 16);
		munmap(p, 2 * page);
	}
	CHECK_ERRNO("MAP_SHARED PROT_WRITE of a read-only fd",
		    mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
		    EACCES);
	CHECK_ERRNO("MAP_SHARED_VALIDATE PROT_WRITE of a read-only fd",
		    mmap(NULL, page, PROT_WRITE, MAP_SHARED_VALIDATE, fd, 0),
		    EACCES);
}

static void small_and_bad_fds(void)
{
	unsigned char *p;
	int fd;

	fd = open_fx("small.txt", O_RDONLY);
	if (fd >= 0) {
		p = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);
		if (check_map("MAP_PRIVATE of small.txt", p)) {
			if (memcmp(p, FIX_SMALL, strlen(FIX_SMALL)) != 0)
				fail("MAP_PRIVATE of small.txt: expected \"%s\" "
				     "got \"%.13s\"", FIX_SMALL, p);
			check_zero("small.txt past EOF", p + strlen(FIX_SMALL),
				   page - strlen(FIX_SMALL));
			munmap(p, page);
		}
		/* The mapping outlives the fd. */
		p = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		if (check_map("MAP_PRIVATE, then close", p)) {
			check_true("mapping after close",
				   memcmp(p, FIX_SMALL, 5) == 0);
			munmap(p, page);
		}
		CHECK_ERRNO("mmap of a closed fd",
			    mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0),
			    EBADF);
	}
	CHECK_ERRNO("mmap of fd -1 without MAP_ANONYMOUS",
		    mmap(NULL, page, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
	fd = open_fx("small.txt", O_PATH);
	if (fd >= 0) {
		CHECK_ERRNO("mmap of an O_PATH fd",
			    mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0),
			    EBADF);
		close(fd);
	}
	/* A directory has no mmap file operation. */
	fd = open_fx("sub", O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		CHECK_ERRNO("mmap of a directory",
			    mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0),
			    ENODEV);
		close(fd);
	}
}

static void dev_zero(void)
{
	unsigned char *p;
	int fd = open("/dev/zero", O_RDWR);

	if (!check_ok("open(/dev/zero, O_RDWR)", fd, errno))
		return;
	p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (check_map("MAP_PRIVATE of /dev/zero", p)) {
		check_zero("MAP_PRIVATE of /dev/zero", p, 4 * page);
		memset(p + page, 0x77, page);
		check_long("MAP_PRIVATE of /dev/zero is writable", 0x77,
			   p[2 * page - 1]);
		check_zero("the other pages stay zero", p + 2 * page, 2 * page);
		munmap(p, 4 * page);
	}
	/* MAP_SHARED of /dev/zero is shared anonymous memory. */
	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (check_map("MAP_SHARED of /dev/zero", p)) {
		check_zero("MAP_SHARED of /dev/zero", p, 2 * page);
		p[page] = 9;
		check_long("MAP_SHARED of /dev/zero is writable", 9, p[page]);
		munmap(p, 2 * page);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	int fd;

	fixture_init(argc, argv, "file_mmap");
	page = sysconf(_SC_PAGESIZE);
	fd = open_fx("big.bin", O_RDONLY);
	if (fd >= 0) {
		private_maps(fd);
		shared_maps(fd);
		close(fd);
	}
	small_and_bad_fds();
	dev_zero();
	printf("file_mmap: done\n");
	return check_exit("file_mmap");
}
