// SPDX-License-Identifier: Apache-2.0
/*
 * Names in a writable directory: mkdir and rmdir with their errors
 * (rmdir(2): ENOTEMPTY, EINVAL for "."), directory link counts, a removed
 * directory that is still open (no entries, no new names); rename and
 * renameat2 with RENAME_NOREPLACE and RENAME_EXCHANGE, and every refusal
 * rename(2) lists (EISDIR, ENOTDIR, ENOTEMPTY, EINVAL, EBUSY); link and
 * linkat (nlink, EPERM for directories, AT_SYMLINK_FOLLOW); symlink and
 * readlink (dangling links, O_CREAT through one, loops, O_NOFOLLOW);
 * unlinkat with AT_REMOVEDIR; getdents64 of a directory of many entries;
 * ENAMETOOLONG for a 256-byte name.
 *
 * Usage: tmp_names [DIRECTORY]   (the temporary directory goes under it,
 *                                 /tmp by default)
 */
#include "tmpdir.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MANY 500

static int make_file(const char *name, const char *data)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long len = (long)strlen(data);

	if (fd < 0) {
		fail("open(%s, O_CREAT): expected an fd got -1 (errno %s)",
		     name, err_name(errno));
		return 0;
	}
	check_long("write", len, write(fd, data, len));
	close(fd);
	return 1;
}

static int make_dir(const char *name)
{
	char what[PATH_MAX + 16];

	snprintf(what, sizeof(what), "mkdir(%s)", name);
	return CHECK_OK(what, mkdir(name, 0755));
}

/* The file name must hold exactly data. */
static void check_content(const char *what, const char *name,
			  const char *data)
{
	char got[256];
	long n;
	int fd = open(name, O_RDONLY);

	if (fd < 0) {
		fail("%s: open(%s): expected an fd got -1 (errno %s)", what,
		     name, err_name(errno));
		return;
	}
	n = read(fd, got, sizeof(got) - 1);
	close(fd);
	got[n < 0 ? 0 : n] = '\0';
	if (strcmp(got, data) != 0)
		fail("%s: expected \"%s\" got \"%s\"", what, data, got);
}

static long ino_of(const char *name)
{
	struct stat st;

	return lstat(name, &st) ? -1 : (long)st.st_ino;
}

static long nlink_of(const char *name)
{
	struct stat st;

	return lstat(name, &st) ? -1 : (long)st.st_nlink;
}

static int exists(const char *name)
{
	struct stat st;

	return lstat(name, &st) == 0;
}

static void mkdir_rmdir(void)
{
	struct stat st;
	long top;

	umask(022);
	top = nlink_of(".");
	if (!make_dir("d"))
		return;
	if (CHECK_OK("lstat(d)", lstat("d", &st))) {
		check_ulong("mode of mkdir(0755)", S_IFDIR | 0755, st.st_mode);
		check_long("nlink of an empty directory", 2, st.st_nlink);
	}
	check_long("parent's nlink after mkdir", top + 1, nlink_of("."));
	umask(027);
	if (CHECK_OK("mkdir(u027, 0777)", mkdir("u027", 0777)) &&
	    CHECK_OK("lstat(u027)", lstat("u027", &st)))
		check_ulong("mode of mkdir(0777) under umask 027",
			    S_IFDIR | 0750, st.st_mode);
	umask(022);
	CHECK_OK("rmdir(u027)", rmdir("u027"));

	CHECK_ERRNO("mkdir of an existing directory", mkdir("d", 0755), EEXIST);
	make_file("f", "file");
	CHECK_ERRNO("mkdir of an existing file", mkdir("f", 0755), EEXIST);
	CHECK_ERRNO("mkdir in a missing directory", mkdir("missing/x", 0755),
		    ENOENT);
	CHECK_ERRNO("mkdir under a file", mkdir("f/x", 0755), ENOTDIR);
	CHECK_ERRNO("mkdir(\"\")", mkdir("", 0755), ENOENT);
	CHECK_ERRNO("mkdir(.)", mkdir(".", 0755), EEXIST);
	CHECK_OK("mkdir(d2/) with a trailing slash", mkdir("d2/", 0755));
	CHECK_OK("rmdir(d2/) with a trailing slash", rmdir("d2/"));

	make_dir("d/sub");
	check_long("nlink with a subdirectory", 3, nlink_of("d"));
	CHECK_ERRNO("rmdir of a non-empty directory", rmdir("d"), ENOTEMPTY);
	CHECK_ERRNO("rmdir(.)", rmdir("."), EINVAL);
	CHECK_ERRNO("rmdir(d/.)", rmdir("d/."), EINVAL);
	CHECK_ERRNO("rmdir(d/sub/..)", rmdir("d/sub/.."), ENOTEMPTY);
	CHECK_ERRNO("rmdir of a file", rmdir("f"), ENOTDIR);
	CHECK_ERRNO("rmdir of a missing name", rmdir("missing"), ENOENT);
	if (CHECK_OK("symlink(d, dlink)", symlink("d", "dlink"))) {
		CHECK_ERRNO("rmdir of a symlink to a directory", rmdir("dlink"),
			    ENOTDIR);
		CHECK_ERRNO("mkdir of an existing symlink", mkdir("dlink", 0755),
			    EEXIST);
		unlink("dlink");
	}
	CHECK_OK("rmdir(d/sub)", rmdir("d/sub"));
	check_long("nlink after rmdir of the subdirectory", 2, nlink_of("d"));
	CHECK_OK("rmdir(d)", rmdir("d"));
	check_long("parent's nlink after rmdir", top, nlink_of("."));
	CHECK_ERRNO("lstat after rmdir", lstat("d", &st), ENOENT);
	unlink("f");
	printf("mkdir/rmdir: done\n");
}

/* include/linux/dirent.h */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static long sys_getdents64(int fd, void *buf, long size)
{
	return syscall(SYS_getdents64, (long)fd, buf, size);
}

/* A directory removed while open: fs/readdir.c iterate_dir() says ENOENT. */
static void removed_dir(void)
{
	char buf[1024] __attribute__((aligned(8)));
	struct stat st;
	int fd;

	if (!make_dir("rm"))
		return;
	fd = open("rm", O_RDONLY | O_DIRECTORY);
	if (!CHECK_OK("open(rm)", fd))
		return;
	CHECK_OK("rmdir(rm) while open", rmdir("rm"));
	if (CHECK_OK("fstat of a removed directory", fstat(fd, &st)))
		check_long("nlink of a removed directory", 0, st.st_nlink);
	CHECK_ERRNO("getdents64 of a removed directory",
		    sys_getdents64(fd, buf, sizeof(buf)), ENOENT);
	CHECK_ERRNO("O_CREAT in a removed directory",
		    openat(fd, "x", O_RDWR | O_CREAT, 0644), ENOENT);
	CHECK_ERRNO("mkdirat in a removed directory", mkdirat(fd, "x", 0755),
		    ENOENT);
	close(fd);
	printf("removed directory: done\n");
}

static void rename_files(void)
{
	long ino;
	int fd;

	make_file("a", "A");
	make_file("b", "B");
	ino = ino_of("a");
	CHECK_OK("rename(a, c)", rename("a", "c"));
	check_true("the old name is gone", !exists("a"));
	check_long("the new name is the same inode", ino, ino_of("c"));

	/* Over an existing file: the target is replaced, an open fd keeps it. */
	fd = open("b", O_RDONLY);
	CHECK_OK("open(b) before the rename", fd);
	CHECK_OK("rename(c, b) over a file", rename("c", "b"));
	check_long("b is now c's inode", ino, ino_of("b"));
	check_content("b after rename over it", "b", "A");
	if (fd >= 0) {
		char got[4] = "";

		check_long("read of the replaced file", 1, read(fd, got, 3));
		check_long("the replaced file's content", 'B', got[0]);
		close(fd);
	}

	CHECK_OK("rename to itself", rename("b", "b"));
	check_content("b after rename to itself", "b", "A");
	/* Two links of one file: rename does nothing (rename(2)). */
	if (CHECK_OK("link(b, b2)", link("b", "b2"))) {
		CHECK_OK("rename between links of one file", rename("b", "b2"));
		check_true("both links stay", exists("b") && exists("b2"));
		check_long("nlink stays 2", 2, nlink_of("b"));
		unlink("b2");
	}
	CHECK_ERRNO("rename of a missing file", rename("missing", "x"), ENOENT);
	CHECK_ERRNO("rename into a missing directory",
		    rename("b", "missing/x"), ENOENT);
	CHECK_ERRNO("rename of a file to a name with a slash",
		    rename("b", "x/"), ENOTDIR);
	CHECK_ERRNO("rename of .", rename(".", "x"), EBUSY);
	CHECK_ERRNO("rename to ..", rename("b", ".."), EBUSY);
	check_content("b after the failed renames", "b", "A");
	unlink("b");
	printf("rename files: done\n");
}

static void rename_dirs(void)
{
	long ino, top = nlink_of(".");

	make_dir("p");
	make_dir("q");
	make_file("p/in", "in");
	ino = ino_of("p");

	CHECK_OK("rename(p, r)", rename("p", "r"));
	check_content("a file inside a renamed directory", "r/in", "in");
	CHECK_OK("rename dir over an empty dir", rename("r", "q"));
	check_long("q is the renamed directory", ino, ino_of("q"));
	check_long("parent's nlink after replacing a directory", top + 1,
		   nlink_of("."));

	make_dir("e");
	make_file("f", "f");
	CHECK_ERRNO("rename dir over a non-empty dir", rename("e", "q"),
		    ENOTEMPTY);
	CHECK_ERRNO("rename file over a dir", rename("f", "e"), EISDIR);
	CHECK_ERRNO("rename dir over a file", rename("e", "f"), ENOTDIR);
	CHECK_ERRNO("rename dir into its own subdirectory",
		    rename("q", "q/sub"), EINVAL);
	make_dir("q/deeper");
	CHECK_ERRNO("rename dir two levels into itself",
		    rename("q", "q/deeper/x"), EINVAL);
	CHECK_ERRNO("rename dir over its own subdirectory",
		    rename("q", "q/deeper"), EINVAL);
	CHECK_ERRNO("rename a directory over its parent",
		    rename("q/deeper", "q"), ENOTEMPTY);

	/* Moving a directory moves its ".." link between the parents. */
	CHECK_OK("rename(e, q/e)", rename("e", "q/e"));
	check_long("q's nlink with two subdirectories", 4, nlink_of("q"));
	check_long("parent's nlink after moving e", top + 1, nlink_of("."));
	check_long("q/e/..'s inode is q", ino, ino_of("q/e/.."));
	CHECK_OK("rename(q/e, e2/) with a trailing slash", rename("q/e", "e2/"));
	check_long("q's nlink after moving e out", 3, nlink_of("q"));
	check_long("parent's nlink after moving e back", top + 2,
		   nlink_of("."));
	rmdir("e2");
	rmdir("q/deeper");
	unlink("q/in");
	rmdir("q");
	unlink("f");
	printf("rename directories: done\n");
}

static void rename_flags(void)
{
	long fi, di;

	make_file("n1", "one");
	make_file("n2", "two");
	CHECK_ERRNO("RENAME_NOREPLACE onto a file",
		    renameat2(AT_FDCWD, "n1", AT_FDCWD, "n2", RENAME_NOREPLACE),
		    EEXIST);
	check_content("n2 after RENAME_NOREPLACE failed", "n2", "two");
	CHECK_OK("RENAME_NOREPLACE onto a new name",
		 renameat2(AT_FDCWD, "n1", AT_FDCWD, "n3", RENAME_NOREPLACE));
	check_content("n3 after RENAME_NOREPLACE", "n3", "one");

	CHECK_OK("RENAME_EXCHANGE of two files",
		 renameat2(AT_FDCWD, "n2", AT_FDCWD, "n3", RENAME_EXCHANGE));
	check_content("n2 after RENAME_EXCHANGE", "n2", "one");
	check_content("n3 after RENAME_EXCHANGE", "n3", "two");

	make_dir("xd");
	make_file("xd/inside", "inside");
	fi = ino_of("n2");
	di = ino_of("xd");
	CHECK_OK("RENAME_EXCHANGE of a file and a directory",
		 renameat2(AT_FDCWD, "n2", AT_FDCWD, "xd", RENAME_EXCHANGE));
	check_long("n2 is the directory now", di, ino_of("n2"));
	check_long("xd is the file now", fi, ino_of("xd"));
	check_content("a file inside the exchanged directory", "n2/inside",
		      "inside");
	CHECK_ERRNO("RENAME_EXCHANGE with a missing name",
		    renameat2(AT_FDCWD, "n3", AT_FDCWD, "missing",
			      RENAME_EXCHANGE), ENOENT);
	CHECK_ERRNO("RENAME_NOREPLACE|RENAME_EXCHANGE",
		    renameat2(AT_FDCWD, "n3", AT_FDCWD, "xd",
			      RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
	CHECK_ERRNO("renameat2 with flags 1 << 30",
		    renameat2(AT_FDCWD, "n3", AT_FDCWD, "n4", 1u << 30), EINVAL);
	unlink("n2/inside");
	rmdir("n2");
	unlink("n3");
	unlink("xd");
	printf("renameat2: done\n");
}

static void hard_links(void)
{
	long ino;

	make_file("h", "hard");
	ino = ino_of("h");
	if (!CHECK_OK("link(h, h2)", link("h", "h2")))
		return;
	check_long("nlink of h after link", 2, nlink_of("h"));
	check_long("h2 is h's inode", ino, ino_of("h2"));
	CHECK_OK("linkat(h, h3)", linkat(AT_FDCWD, "h", AT_FDCWD, "h3", 0));
	check_long("nlink after linkat", 3, nlink_of("h2"));
	CHECK_ERRNO("link onto an existing name", link("h", "h2"), EEXIST);
	CHECK_ERRNO("link of a missing file", link("missing", "x"), ENOENT);
	make_dir("hd");
	CHECK_ERRNO("link of a directory", link("hd", "hd2"), EPERM);
	CHECK_ERRNO("link into a missing directory", link("h", "missing/x"),
		    ENOENT);
	CHECK_ERRNO("linkat with flags 0x1",
		    linkat(AT_FDCWD, "h", AT_FDCWD, "x", 0x1), EINVAL);
	CHECK_OK("unlink(h)", unlink("h"));
	check_long("nlink after unlink of one name", 2, nlink_of("h2"));
	check_content("content through another link", "h3", "hard");

	/* A link to a symlink: the link itself, or its target when told. */
	if (CHECK_OK("symlink(h2, hs)", symlink("h2", "hs"))) {
		CHECK_OK("linkat(hs, hl)", linkat(AT_FDCWD, "hs", AT_FDCWD,
						   "hl", 0));
		check_long("linkat without a flag links the symlink",
			   ino_of("hs"), ino_of("hl"));
		CHECK_OK("linkat(hs, hf, AT_SYMLINK_FOLLOW)",
			 linkat(AT_FDCWD, "hs", AT_FDCWD, "hf",
				AT_SYMLINK_FOLLOW));
		check_long("AT_SYMLINK_FOLLOW links the target", ino,
			   ino_of("hf"));
		check_long("nlink of the target", 3, nlink_of("h2"));
		check_long("nlink of the symlink", 2, nlink_of("hs"));
	}
	unlink("h2");
	unlink("h3");
	unlink("hs");
	unlink("hl");
	unlink("hf");
	rmdir("hd");
	printf("links: done\n");
}

static void check_readlink(const char *what, const char *name,
			   const char *want)
{
	char got[PATH_MAX];
	long n = readlink(name, got, sizeof(got));

	if (!check_long(what, (long)strlen(want), n))
		return;
	if (memcmp(got, want, n) != 0)
		fail("%s: expected \"%s\" got \"%.*s\"", what, want, (int)n,
		     got);
}

static void symlinks(void)
{
	struct stat st;
	char small[4];
	int fd;

	if (!CHECK_OK("symlink(target, s)", symlink("target", "s")))
		return;
	if (CHECK_OK("lstat(s)", lstat("s", &st))) {
		check_ulong("mode of a symlink", S_IFLNK | 0777, st.st_mode);
		check_long("size of a symlink", 6, st.st_size);
	}
	CHECK_ERRNO("stat of a dangling symlink", stat("s", &st), ENOENT);
	check_readlink("readlink(s)", "s", "target");
	memset(small, '-', sizeof(small));
	check_long("readlink into 3 bytes", 3, readlink("s", small, 3));
	check_true("readlink truncates without a NUL",
		   !memcmp(small, "tar-", 4));

	/* O_CREAT through a dangling symlink makes its target. */
	fd = open("s", O_WRONLY | O_CREAT, 0644);
	if (CHECK_OK("O_CREAT through a dangling symlink", fd)) {
		check_long("write through the link", 2, write(fd, "ok", 2));
		close(fd);
		check_content("the symlink's new target", "target", "ok");
	}
	CHECK_ERRNO("symlink onto an existing name", symlink("x", "s"), EEXIST);
	CHECK_ERRNO("symlink with an empty target", symlink("", "e"), ENOENT);
	CHECK_ERRNO("readlink of a file", readlink("target", small, 4), EINVAL);
	CHECK_ERRNO("readlink of a missing name", readlink("missing", small, 4),
		    ENOENT);

	make_dir("sd");
	if (CHECK_OK("symlink(../target, sd/up)", symlink("../target", "sd/up")))
		check_content("a relative link resolves from its directory",
			      "sd/up", "ok");
	symlink("loop_b", "loop_a");
	symlink("loop_a", "loop_b");
	symlink("self", "self");
	CHECK_ERRNO("open of a symlink loop", open("loop_a", O_RDONLY), ELOOP);
	CHECK_ERRNO("stat of a symlink loop", stat("loop_a", &st), ELOOP);
	CHECK_ERRNO("O_CREAT through a self loop",
		    open("self", O_RDWR | O_CREAT, 0644), ELOOP);
	check_readlink("readlink of a loop", "loop_a", "loop_b");
	CHECK_ERRNO("O_NOFOLLOW on a symlink", open("s", O_RDONLY | O_NOFOLLOW),
		    ELOOP);
	fd = open("s", O_PATH | O_NOFOLLOW);
	if (CHECK_OK("O_PATH|O_NOFOLLOW on a symlink", fd)) {
		if (CHECK_OK("fstat of the link's fd", fstat(fd, &st)))
			check_true("the fd is the link", S_ISLNK(st.st_mode));
		close(fd);
	}
	fd = open("sd", O_RDONLY | O_NOFOLLOW);
	if (CHECK_OK("O_NOFOLLOW on a directory", fd))
		close(fd);
	unlink("loop_a");
	unlink("loop_b");
	unlink("self");
	unlink("sd/up");
	rmdir("sd");
	CHECK_OK("unlink(s) removes the link", unlink("s"));
	check_content("the target stays", "target", "ok");
	unlink("target");
	printf("symlinks: done\n");
}

static void unlinkat_flags(void)
{
	int dfd;

	make_dir("ud");
	make_file("ud/f", "f");
	dfd = open("ud", O_RDONLY | O_DIRECTORY);
	if (!CHECK_OK("open(ud)", dfd))
		return;
	CHECK_ERRNO("unlinkat(AT_REMOVEDIR) of a file",
		    unlinkat(dfd, "f", AT_REMOVEDIR), ENOTDIR);
	CHECK_ERRNO("unlinkat with flags 0x1", unlinkat(dfd, "f", 0x1), EINVAL);
	CHECK_OK("unlinkat(ud, f)", unlinkat(dfd, "f", 0));
	CHECK_OK("mkdirat(ud, sub)", mkdirat(dfd, "sub", 0755));
	CHECK_ERRNO("unlinkat(0) of a directory", unlinkat(dfd, "sub", 0),
		    EISDIR);
	CHECK_ERRNO("unlinkat(AT_REMOVEDIR) of a non-empty directory",
		    unlinkat(AT_FDCWD, "ud", AT_REMOVEDIR), ENOTEMPTY);
	CHECK_OK("unlinkat(ud, sub, AT_REMOVEDIR)",
		 unlinkat(dfd, "sub", AT_REMOVEDIR));
	CHECK_ERRNO("unlinkat of a missing name", unlinkat(dfd, "sub", 0),
		    ENOENT);
	close(dfd);
	CHECK_OK("unlinkat(AT_REMOVEDIR) of an empty directory",
		 unlinkat(AT_FDCWD, "ud", AT_REMOVEDIR));
	printf("unlinkat: done\n");
}

struct entry {
	char name[64];
	unsigned char type;
};

static struct entry ents[MANY + 16];

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
		      ((const struct entry *)b)->name);
}

/* All entries of dir through a small buffer; returns the count or -1. */
static int list_dir(const char *dir)
{
	char buf[512] __attribute__((aligned(8)));
	int fd = open(dir, O_RDONLY | O_DIRECTORY), n = 0;
	long len, pos;

	if (!CHECK_OK("open of the big directory", fd))
		return -1;
	while ((len = sys_getdents64(fd, buf, sizeof(buf))) > 0) {
		for (pos = 0; pos < len;) {
			const struct linux_dirent64 *d = (const void *)(buf + pos);

			if (n == MANY + 16) {
				fail("getdents64: more than %d entries", n);
				close(fd);
				return -1;
			}
			snprintf(ents[n].name, sizeof(ents[n].name), "%s",
				 d->d_name);
			ents[n++].type = d->d_type;
			pos += d->d_reclen;
		}
	}
	check_long("getdents64 ends with 0", 0, len);
	close(fd);
	qsort(ents, n, sizeof(ents[0]), by_name);
	return n;
}

/* e_000 .. e_MANY-1 where those with index % step != 0 are present. */
static void check_listing(const char *what, int n, int step)
{
	char want[64];
	int i, k = 2, ok = 1;

	if (n < 2 || strcmp(ents[0].name, ".") || strcmp(ents[1].name, "..")) {
		fail("%s: expected \".\" and \"..\" first in sorted order", what);
		return;
	}
	check_long(". is DT_DIR", DT_DIR, ents[0].type);
	check_long(".. is DT_DIR", DT_DIR, ents[1].type);
	for (i = 0; i < MANY && ok; i++) {
		if (step && i % step == 0)
			continue;
		snprintf(want, sizeof(want), "e_%03d", i);
		if (k >= n || strcmp(ents[k].name, want)) {
			fail("%s: entry %d: expected \"%s\" got \"%s\"", what,
			     k, want, k < n ? ents[k].name : "(end)");
			ok = 0;
			break;
		}
		check_long(want, i % 10 == 7 ? DT_DIR :
			   i % 10 == 8 ? DT_LNK : DT_REG, ents[k].type);
		k++;
	}
	if (ok)
		check_long(what, k, n);
}

static void many_entries(void)
{
	char name[64];
	int i, n;

	if (!make_dir("big"))
		return;
	for (i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "big/e_%03d", i);
		if (i % 10 == 7)
			mkdir(name, 0755);
		else if (i % 10 == 8)
			symlink("e_000", name);
		else
			close(open(name, O_WRONLY | O_CREAT | O_EXCL, 0644));
	}
	n = list_dir("big");
	check_listing("getdents64 of 500 entries", n, 0);
	check_long("nlink of the big directory", 2 + MANY / 10,
		   nlink_of("big"));

	for (i = 0; i < MANY; i += 3) {
		snprintf(name, sizeof(name), "big/e_%03d", i);
		CHECK_OK("removing every third entry",
			 i % 10 == 7 ? rmdir(name) : unlink(name));
	}
	n = list_dir("big");
	check_listing("getdents64 after removing every third", n, 3);
	printf("many entries: done\n");
}

static void long_names(void)
{
	char name[300], path[PATH_MAX + 64];
	struct stat st;
	int fd;

	memset(name, 'n', 255);
	name[255] = '\0';
	fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (CHECK_OK("O_CREAT of a 255-byte name", fd))
		close(fd);
	CHECK_OK("stat of a 255-byte name", stat(name, &st));
	CHECK_OK("unlink of a 255-byte name", unlink(name));

	memset(name, 'n', 256);
	name[256] = '\0';
	CHECK_ERRNO("O_CREAT of a 256-byte name",
		    open(name, O_RDWR | O_CREAT, 0644), ENAMETOOLONG);
	CHECK_ERRNO("mkdir of a 256-byte name", mkdir(name, 0755),
		    ENAMETOOLONG);
	CHECK_ERRNO("symlink to a 256-byte name", symlink("x", name),
		    ENAMETOOLONG);
	CHECK_ERRNO("stat of a 256-byte name", stat(name, &st), ENAMETOOLONG);
	make_file("short", "s");
	CHECK_ERRNO("rename to a 256-byte name", rename("short", name),
		    ENAMETOOLONG);
	CHECK_ERRNO("link to a 256-byte name", link("short", name),
		    ENAMETOOLONG);
	unlink("short");

	/* A path of PATH_MAX bytes or more, of short components. */
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	for (size_t i = 100; i < sizeof(path) - 1; i += 101)
		path[i] = '/';
	CHECK_ERRNO("O_CREAT of a path longer than PATH_MAX",
		    open(path, O_RDWR | O_CREAT, 0644), ENAMETOOLONG);
	printf("long names: done\n");
}

int main(int argc, char **argv)
{
	tmp_init(argc, argv, "tmp_names");
	mkdir_rmdir();
	removed_dir();
	rename_files();
	rename_dirs();
	rename_flags();
	hard_links();
	symlinks();
	unlinkat_flags();
	many_entries();
	long_names();
	tmp_finish();
	printf("tmp_names: done\n");
	return check_exit("tmp_names");
}
