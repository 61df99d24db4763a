// SPDX-License-Identifier: Apache-2.0
/*
 * MAP_SHARED, PROT_WRITE mappings of a file in a writable directory: a
 * store through the mapping is what read(2) returns next, without msync; a
 * write(2) shows in the mapping; two mappings of one file are one memory;
 * a mapping at an offset writes there; a MAP_PRIVATE page sees the file
 * until it is written (Linux maps the page cache until the copy); msync's
 * flags and errors (msync(2)); after munmap and close, the file read anew
 * has every store; an unlinked file's mapping still reaches its data;
 * MAP_SHARED needs an fd open for reading (EACCES).
 *
 * Usage: tmp_mmap [DIRECTORY]   (the temporary directory goes under it,
 *                                /tmp by default)
 */
#include "tmpdir.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

static long page;
static unsigned char buf[1 << 17];

static int check_map(const char *what, void *p)
{
	if (p == MAP_FAILED) {
		fail("%s: expected a mapping got MAP_FAILED (errno %s)", what,
		     err_name(errno));
		return 0;
	}
	return 1;
}

/* len bytes at p must all be c. */
static void check_fill(const char *what, const unsigned char *p, int c,
		       size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != (unsigned char)c) {
			fail("%s: byte %zu: expected %#x got %#x", what, i, c,
			     p[i]);
			return;
		}
	}
}

/* len bytes of fd from off must all be c. */
static void check_file_fill(const char *what, int fd, off_t off, int c,
			    size_t len)
{
	if (check_long(what, (long)len, pread(fd, buf, len, off)))
		check_fill(what, buf, c, len);
}

static void check_file_bytes(const char *what, int fd, off_t off,
			     const char *want)
{
	size_t len = strlen(want);

	if (check_long(what, (long)len, pread(fd, buf, len, off)) &&
	    memcmp(buf, want, len) != 0)
		fail("%s: expected \"%s\" got \"%.*s\"", what, want, (int)len,
		     buf);
}

/* A file of npages zero pages, open O_RDWR. */
static int make_file(const char *name, int npages)
{
	int fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0644);

	if (fd < 0) {
		fail("open(%s, O_CREAT): expected an fd got -1 (errno %s)",
		     name, err_name(errno));
		return -1;
	}
	if (!CHECK_OK("ftruncate", ftruncate(fd, npages * page))) {
		close(fd);
		return -1;
	}
	return fd;
}

static unsigned char *map_shared(const char *what, int fd, size_t len,
				 off_t off)
{
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
				fd, off);

	return check_map(what, p) ? p : NULL;
}

static void store_and_write(void)
{
	unsigned char *p;
	struct stat st;
	int fd;

	fd = make_file("sh", 2);
	if (fd < 0)
		return;
	p = map_shared("MAP_SHARED of sh", fd, 2 * page, 0);
	if (!p) {
		close(fd);
		return;
	}
	check_fill("a new mapping of a zero file", p, 0, 2 * page);

	/* Stores reach the file at once: read(2) sees them, no msync. */
	memset(p, 0x5a, page);
	memcpy(p + page + 10, "stored", 6);
	check_file_fill("pread after a store to page 0", fd, 0, 0x5a, page);
	check_file_bytes("pread after a store to page 1", fd, page + 10,
			 "stored");
	check_long("read(2) at the offset", (long)page,
		   read(fd, buf, page));
	check_fill("read(2) after a store", buf, 0x5a, page);
	if (CHECK_OK("fstat(sh)", fstat(fd, &st)))
		check_long("stores keep the size", 2 * page, st.st_size);

	/* And write(2) shows in the mapping. */
	check_long("pwrite into page 1", 7, pwrite(fd, "written", 7, page + 100));
	check_true("the mapping sees pwrite",
		   !memcmp(p + page + 100, "written", 7));
	check_long("pwrite over a stored byte", 1, pwrite(fd, "X", 1, 0));
	check_long("the mapping sees the new byte", 'X', p[0]);

	CHECK_OK("msync(MS_SYNC)", msync(p, 2 * page, MS_SYNC));
	CHECK_OK("msync(MS_ASYNC)", msync(p, page, MS_ASYNC));
	CHECK_OK("msync(MS_INVALIDATE)", msync(p, page, MS_INVALIDATE));
	check_long("the mapping after MS_INVALIDATE", 'X', p[0]);
	CHECK_ERRNO("msync(MS_SYNC|MS_ASYNC)",
		    msync(p, page, MS_SYNC | MS_ASYNC), EINVAL);
	CHECK_ERRNO("msync of an unaligned address", msync(p + 1, page, MS_SYNC),
		    EINVAL);
	CHECK_ERRNO("msync with flags 0x100", msync(p, page, 0x100), EINVAL);
	check_long("munmap", 0, munmap(p, 2 * page));
	CHECK_ERRNO("msync of an unmapped range", msync(p, page, MS_SYNC),
		    ENOMEM);
	close(fd);

	/* Read anew: every store and write is in the file. */
	fd = open("sh", O_RDONLY);
	if (!CHECK_OK("open(sh) again", fd))
		return;
	check_file_bytes("byte 0 after reopening", fd, 0, "X");
	check_file_fill("page 0 after reopening", fd, 1, 0x5a, page - 1);
	check_file_bytes("the store in page 1 after reopening", fd, page + 10,
			 "stored");
	check_file_bytes("the write in page 1 after reopening", fd, page + 100,
			 "written");
	close(fd);
	printf("store and write: done\n");
}

/* Two mappings (one through another fd, one at an offset) share memory. */
static void two_mappings(void)
{
	unsigned char *a, *b, *c;
	int fd, fd2;

	fd = make_file("two", 3);
	if (fd < 0)
		return;
	fd2 = open("two", O_RDWR);
	b = CHECK_OK("open(two) again", fd2) ?
		    map_shared("second MAP_SHARED of two", fd2, 3 * page, 0) :
		    NULL;
	a = map_shared("first MAP_SHARED of two", fd, 3 * page, 0);
	c = map_shared("MAP_SHARED of two at page 2", fd, page, 2 * page);
	if (a && b) {
		check_true("two mappings are two addresses", a != b);
		memcpy(a + 5, "from a", 6);
		check_true("b sees a's store", !memcmp(b + 5, "from a", 6));
		memcpy(b + page, "from b", 6);
		check_true("a sees b's store", !memcmp(a + page, "from b", 6));
	}
	if (a && c) {
		memcpy(c + 20, "from c", 6);
		check_true("a sees the store at the offset",
			   !memcmp(a + 2 * page + 20, "from c", 6));
		check_file_bytes("the file at the offset", fd, 2 * page + 20,
				 "from c");
	}
	if (a)
		munmap(a, 3 * page);
	if (b)
		munmap(b, 3 * page);
	if (c)
		munmap(c, page);
	if (fd2 >= 0)
		close(fd2);
	close(fd);
	printf("two mappings: done\n");
}

/*
 * A MAP_PRIVATE page maps the file until the process writes it, so it sees
 * stores through a MAP_SHARED mapping; the written page is a copy that
 * neither the file nor the shared mapping sees.
 */
static void private_and_shared(void)
{
	unsigned char *s, *p;
	int fd;

	fd = make_file("ps", 2);
	if (fd < 0)
		return;
	s = map_shared("MAP_SHARED of ps", fd, 2 * page, 0);
	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (s && check_map("MAP_PRIVATE of ps", p)) {
		s[0] = 1;
		s[page] = 2;
		check_long("an unwritten private page sees a shared store", 1,
			   p[0]);
		p[page] = 3;
		check_long("the private copy keeps its own byte", 3, p[page]);
		check_long("the shared mapping does not see a private store",
			   2, s[page]);
		check_file_bytes("the file does not see a private store", fd,
				 page, "\2");
		s[page + 1] = 4;
		check_long("a written private page no longer follows the file",
			   0, p[page + 1]);
		munmap(p, 2 * page);
	}
	if (s)
		munmap(s, 2 * page);
	close(fd);
	printf("private and shared: done\n");
}

static void grow_and_unlink(void)
{
	unsigned char *p;
	struct stat st;
	int fd;

	fd = make_file("gu", 1);
	if (fd < 0)
		return;
	p = map_shared("MAP_SHARED of gu", fd, 2 * page, 0);
	if (!p) {
		close(fd);
		return;
	}
	/* The second page exists once the file covers it. */
	CHECK_OK("ftruncate(gu, 2 pages)", ftruncate(fd, 2 * page));
	memcpy(p + page, "grown", 5);
	check_file_bytes("a store into the grown page", fd, page, "grown");

	CHECK_OK("unlink(gu) while mapped", unlink("gu"));
	memcpy(p + 50, "after unlink", 12);
	check_file_bytes("a store after unlink", fd, 50, "after unlink");
	if (CHECK_OK("fstat(gu)", fstat(fd, &st)))
		check_long("nlink of the mapped, unlinked file", 0, st.st_nlink);
	check_long("munmap", 0, munmap(p, 2 * page));
	close(fd);
	printf("grow and unlink: done\n");
}

static void access_errors(void)
{
	int fd = make_file("acc", 1), wo;

	if (fd < 0)
		return;
	close(fd);
	wo = open("acc", O_WRONLY);
	if (!CHECK_OK("open(acc, O_WRONLY)", wo))
		return;
	/* mm/mmap.c do_mmap(): every file mapping needs FMODE_READ. */
	CHECK_ERRNO("MAP_SHARED PROT_WRITE of an O_WRONLY fd",
		    mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, wo, 0),
		    EACCES);
	CHECK_ERRNO("MAP_SHARED PROT_READ of an O_WRONLY fd",
		    mmap(NULL, page, PROT_READ, MAP_SHARED, wo, 0), EACCES);
	close(wo);
	printf("access errors: done\n");
}

int main(int argc, char **argv)
{
	page = sysconf(_SC_PAGESIZE);
	if (page <= 0 || 3 * page > (long)sizeof(buf)) {
		fprintf(stderr, "tmp_mmap: page size %ld\n", page);
		return EXIT_FAILURE;
	}
	tmp_init(argc, argv, "tmp_mmap");
	store_and_write();
	two_mappings();
	private_and_shared();
	grow_and_unlink();
	access_errors();
	tmp_finish();
	printf("tmp_mmap: done\n");
	return check_exit("tmp_mmap");
}
