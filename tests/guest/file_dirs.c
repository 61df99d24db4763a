// SPDX-License-Identifier: Apache-2.0
/*
 * Directories of the fixture: getdents64 lists exactly their entries with
 * the right d_type and d_ino, pages through a small buffer, says EINVAL when
 * the next entry does not fit (getdents(2)), resumes at a d_off; getcwd
 * after chdir and fchdir is the resolved path ("..": the physical parent),
 * and ERANGE when the buffer is one byte short (getcwd(2)).
 *
 * Usage: file_dirs FIXTURE
 */
#include "fixture.h"

#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* include/linux/dirent.h */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

struct entry {
	char name[256];
	unsigned char type;
	uint64_t ino;
	int64_t off;
};

#define MAX_ENTRIES (FIX_MANY + 8)

static long sys_getdents64(int fd, void *buf, long size)
{
	return syscall(SYS_getdents64, (long)fd, buf, size);
}

/*
 * Appends the records of one getdents64 result to ents, checking each
 * record's shape. Returns how many it added.
 */
static int take_records(const char *what, const char *buf, long len,
			struct entry *ents, int have)
{
	long pos = 0;
	int added = 0;

	while (pos < len) {
		const struct linux_dirent64 *d = (const void *)(buf + pos);
		size_t namelen = strnlen(d->d_name, d->d_reclen -
					 offsetof(struct linux_dirent64, d_name));
		size_t need = offsetof(struct linux_dirent64, d_name) +
			      namelen + 1;

		if (d->d_reclen % 8 || d->d_reclen < need ||
		    pos + d->d_reclen > len || namelen > 255) {
			fail("%s: record at %ld: reclen %u for a %zu-byte name",
			     what, pos, d->d_reclen, namelen);
			return added;
		}
		if (have + added >= MAX_ENTRIES) {
			fail("%s: expected at most %d entries got more", what,
			     MAX_ENTRIES);
			return added;
		}
		memcpy(ents[have + added].name, d->d_name, namelen + 1);
		ents[have + added].type = d->d_type;
		ents[have + added].ino = d->d_ino;
		ents[have + added].off = d->d_off;
		added++;
		pos += d->d_reclen;
	}
	return added;
}

/*
 * Lists fd from its current offset with a bufsize-byte buffer. Returns the
 * number of entries; *err is 0 at the end of the directory, else the errno
 * that stopped it.
 */
static int list_fd(const char *what, int fd, long bufsize, struct entry *ents,
		   int *err)
{
	static char buf[1 << 16] __attribute__((aligned(8)));
	int count = 0;
	long n;

	for (;;) {
		n = sys_getdents64(fd, buf, bufsize);
		if (n < 0) {
			*err = errno;
			return count;
		}
		if (n == 0)
			break;
		if (n > bufsize) {
			fail("%s: expected at most %ld bytes got %ld", what,
			     bufsize, n);
			break;
		}
		count += take_records(what, buf, n, ents, count);
	}
	*err = 0;
	check_long("getdents64 at the end again", 0,
		   sys_getdents64(fd, buf, bufsize));
	return count;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
		      ((const struct entry *)b)->name);
}

/* The names of ents, sorted, must be want[] (sorted too). */
static void check_names(const char *what, struct entry *ents, int count,
			const char *const *want, int nwant)
{
	int i;

	qsort(ents, count, sizeof(*ents), by_name);
	if (!check_long(what, nwant, count))
		return;
	for (i = 0; i < count; i++) {
		if (strcmp(ents[i].name, want[i]) != 0) {
			fail("%s: entry %d: expected \"%s\" got \"%s\"", what, i,
			     want[i], ents[i].name);
			return;
		}
	}
}

/* d_type and d_ino of each entry against lstat of its name. */
static void check_types(const char *what, const char *dir,
			const struct entry *ents, int count)
{
	char path[PATH_MAX], w[PATH_MAX + 64];
	struct stat st;
	int i;

	for (i = 0; i < count; i++) {
		if (strcmp(ents[i].name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i].name);
		snprintf(w, sizeof(w), "%s: lstat(%s)", what, ents[i].name);
		if (!check_ok(w, lstat(path, &st), errno))
			continue;
		snprintf(w, sizeof(w), "%s: d_type of %s", what, ents[i].name);
		check_long(w, IFTODT(st.st_mode), ents[i].type);
		snprintf(w, sizeof(w), "%s: d_ino of %s", what, ents[i].name);
		check_ulong(w, st.st_ino, ents[i].ino);
	}
}

static const char *const top_names[] = {
	".", "..", "abs_small", "absdirlink", "alpha.txt", "big.bin", "chains",
	"dangling", "dirlink", "empty", "escape", "exec.sh", "hard.txt", "list",
	"long", "longsub", "longsub2", "loop_a", "loop_b", "many", "mode0000", "rel_inner",
	"rel_small", "self_loop", "small.txt", "sub",
};

static const char *const list_names[] = {
	".", "..", ".hidden", "dangle", "dir", "fifo", "lnk", "reg",
};

static struct entry ents[MAX_ENTRIES], again[MAX_ENTRIES];
static struct entry rest[MAX_ENTRIES];

static int open_dir(const char *rel)
{
	int fd = open(fx(rel), O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		fail("open(%s, O_DIRECTORY): expected an fd got -1 (errno %s)",
		     rel, err_name(errno));
	return fd;
}

static void small_dirs(void)
{
	int fd, n, err;

	fd = open_dir(".");
	if (fd >= 0) {
		n = list_fd("getdents64(fixture)", fd, 4096, ents, &err);
		check_errval("getdents64(fixture) ends", 0, err);
		check_names("getdents64(fixture) names", ents, n, top_names,
			    sizeof(top_names) / sizeof(top_names[0]));
		check_types("getdents64(fixture)", fixture, ents, n);
		close(fd);
	}
	fd = open_dir("list");
	if (fd >= 0) {
		n = list_fd("getdents64(list)", fd, 4096, ents, &err);
		check_errval("getdents64(list) ends", 0, err);
		check_names("getdents64(list) names", ents, n, list_names,
			    sizeof(list_names) / sizeof(list_names[0]));
		check_types("getdents64(list)", fx("list"), ents, n);

		/* Back to the start: the same entries again. */
		check_long("lseek(list, 0)", 0, lseek(fd, 0, SEEK_SET));
		n = list_fd("getdents64(list) after rewind", fd, 4096, ents,
			    &err);
		check_names("getdents64(list) after rewind", ents, n,
			    list_names,
			    sizeof(list_names) / sizeof(list_names[0]));
		close(fd);
	}
	/* Through a symlink, the target's entries. */
	fd = open_dir("dirlink");
	if (fd >= 0) {
		static const char *const deep[] = { ".", "..", "leaf.txt" };

		n = list_fd("getdents64(dirlink)", fd, 4096, ents, &err);
		check_names("getdents64(dirlink)", ents, n, deep, 3);
		close(fd);
	}
}

static void many_entries(void)
{
	static char names[FIX_MANY + 2][16];
	static const char *want[FIX_MANY + 2];
	char buf[64] __attribute__((aligned(8)));
	int fd, n, m, i, err;
	long got;

	want[0] = ".";
	want[1] = "..";
	for (i = 0; i < FIX_MANY; i++) {
		snprintf(names[i], sizeof(names[i]), "entry_%03d", i);
		want[i + 2] = names[i];
	}

	fd = open_dir("many");
	if (fd < 0)
		return;
	n = list_fd("getdents64(many) 64 KiB", fd, 1 << 16, ents, &err);
	check_errval("getdents64(many) 64 KiB ends", 0, err);

	/* One record is 24 or 32 bytes here: at most two per call. */
	lseek(fd, 0, SEEK_SET);
	m = list_fd("getdents64(many) 64 bytes", fd, sizeof(buf), again, &err);
	check_errval("getdents64(many) 64 bytes ends", 0, err);

	/* Resuming at an entry's d_off gives the entries after it. */
	if (n > 100) {
		int k = n / 2, j;

		check_long("lseek(many, d_off)", ents[k].off,
			   lseek(fd, ents[k].off, SEEK_SET));
		j = list_fd("getdents64(many) from d_off", fd, 1 << 16, rest,
			    &err);
		check_long("entries after d_off", n - k - 1, j);
		for (i = 0; i < j && k + 1 + i < n; i++) {
			if (strcmp(rest[i].name, ents[k + 1 + i].name)) {
				fail("entry %d after d_off: expected \"%s\" got "
				     "\"%s\"", i, ents[k + 1 + i].name,
				     rest[i].name);
				break;
			}
		}
	}
	check_names("getdents64(many) 64 KiB", ents, n, want, FIX_MANY + 2);
	check_names("getdents64(many) 64 bytes", again, m, want, FIX_MANY + 2);

	/* Too small for any record: EINVAL, and the offset stays. */
	lseek(fd, 0, SEEK_SET);
	CHECK_ERRNO("getdents64 into 1 byte", sys_getdents64(fd, buf, 1),
		    EINVAL);
	CHECK_ERRNO("getdents64 into 20 bytes", sys_getdents64(fd, buf, 20),
		    EINVAL);
	got = sys_getdents64(fd, buf, sizeof(buf));
	check_true("getdents64 after EINVAL returns records", got >= 24);
	close(fd);
}

/* A 255-byte name needs a 280-byte record (19 + 256, aligned to 8). */
static void long_name(void)
{
	static char longname[256];
	int fd, n, i, err, seen;

	memset(longname, 'x', 255);
	fd = open_dir("long");
	if (fd < 0)
		return;
	n = list_fd("getdents64(long) 280 bytes", fd, 280, ents, &err);
	check_errval("getdents64(long) 280 bytes ends", 0, err);
	seen = 0;
	for (i = 0; i < n; i++)
		seen += strcmp(ents[i].name, longname) == 0;
	check_long("getdents64(long) 280 bytes: entries", 3, n);
	check_long("getdents64(long) 280 bytes: the long name", 1, seen);

	lseek(fd, 0, SEEK_SET);
	n = list_fd("getdents64(long) 279 bytes", fd, 279, ents, &err);
	check_errval("getdents64(long) 279 bytes stops", EINVAL, err);
	seen = 0;
	for (i = 0; i < n; i++)
		seen += strcmp(ents[i].name, longname) == 0;
	check_long("getdents64(long) 279 bytes: the long name", 0, seen);
	close(fd);
}

static void dirents_errors(void)
{
	char buf[512] __attribute__((aligned(8)));
	int fd;

	fd = open(fx("small.txt"), O_RDONLY);
	if (check_ok("open(small.txt)", fd, errno)) {
		CHECK_ERRNO("getdents64(file)",
			    sys_getdents64(fd, buf, sizeof(buf)), ENOTDIR);
		close(fd);
	}
	fd = open(fx("sub"), O_PATH | O_DIRECTORY);
	if (check_ok("open(sub, O_PATH)", fd, errno)) {
		CHECK_ERRNO("getdents64(O_PATH fd)",
			    sys_getdents64(fd, buf, sizeof(buf)), EBADF);
		close(fd);
	}
	CHECK_ERRNO("getdents64(-1)", sys_getdents64(-1, buf, sizeof(buf)),
		    EBADF);
	fd = open_dir("sub");
	if (fd >= 0) {
		CHECK_ERRNO("getdents64 into (void *)1",
			    sys_getdents64(fd, (void *)1, sizeof(buf)), EFAULT);
		close(fd);
	}
}

/* getcwd must be base + suffix. */
static void check_cwd(const char *what, const char *base, const char *suffix)
{
	char want[PATH_MAX], got[PATH_MAX];

	snprintf(want, sizeof(want), "%s%s", base, suffix);
	if (!getcwd(got, sizeof(got))) {
		fail("%s: getcwd: expected \"%s\" got -1 (errno %s)", what,
		     want, err_name(errno));
		return;
	}
	if (strcmp(want, got) != 0)
		fail("%s: getcwd: expected \"%s\" got \"%s\"", what, want, got);
}

static void cwd_checks(const char *top)
{
	char parent[PATH_MAX];
	int fd;

	snprintf(parent, sizeof(parent), "%s", top);
	*strrchr(parent, '/') = '\0';

	if (check_ok("chdir(sub)", chdir("sub"), errno))
		check_cwd("chdir(sub)", top, "/sub");
	if (check_ok("chdir(deep)", chdir("deep"), errno))
		check_cwd("chdir(deep)", top, "/sub/deep");
	if (check_ok("chdir(..)", chdir(".."), errno))
		check_cwd("chdir(..)", top, "/sub");
	if (check_ok("chdir(.)", chdir("."), errno))
		check_cwd("chdir(.)", top, "/sub");
	if (check_ok("chdir(../..)", chdir("../.."), errno))
		check_cwd("chdir(../..)", parent, "");
	if (check_ok("chdir(fixture)", chdir(fixture), errno))
		check_cwd("chdir(fixture)", top, "");
	if (check_ok("chdir(dirlink)", chdir("dirlink"), errno))
		check_cwd("chdir(dirlink)", top, "/sub/deep");
	if (check_ok("chdir(..) after dirlink", chdir(".."), errno))
		check_cwd("chdir(..) after dirlink", top, "/sub");
	if (check_ok("chdir(absdirlink)", chdir(fx("absdirlink")), errno))
		check_cwd("chdir(absdirlink)", top, "/sub");
	if (check_ok("chdir(chains/d40_01)", chdir(fx("chains/d40_01")), errno))
		check_cwd("chdir(chains/d40_01)", top, "/sub");
	if (check_ok("chdir(/..)", chdir("/.."), errno))
		check_cwd("chdir(/..)", "/", "");
	if (check_ok("chdir(fixture/sub//deep/)", chdir(fx("sub//deep/")),
		     errno))
		check_cwd("chdir(fixture/sub//deep/)", top, "/sub/deep");

	CHECK_ERRNO("chdir(file)", chdir(fx("small.txt")), ENOTDIR);
	CHECK_ERRNO("chdir(symlink to a file)", chdir(fx("rel_small")), ENOTDIR);
	CHECK_ERRNO("chdir(missing)", chdir(fx("missing")), ENOENT);
	CHECK_ERRNO("chdir(loop_a)", chdir(fx("loop_a")), ELOOP);
	CHECK_ERRNO("chdir(chains/d41_01)", chdir(fx("chains/d41_01")), ELOOP);
	CHECK_ERRNO("chdir(\"\")", chdir(""), ENOENT);
	CHECK_ERRNO("chdir((void *)1)", syscall(SYS_chdir, 1L), EFAULT);
	check_cwd("cwd after failed chdirs", top, "/sub/deep");

	fd = open(fx("sub"), O_RDONLY | O_DIRECTORY);
	if (check_ok("open(sub)", fd, errno)) {
		if (check_ok("fchdir(sub)", fchdir(fd), errno))
			check_cwd("fchdir(sub)", top, "/sub");
		close(fd);
	}
	fd = open(fixture, O_PATH | O_DIRECTORY);
	if (check_ok("open(fixture, O_PATH)", fd, errno)) {
		if (check_ok("fchdir(O_PATH fd)", fchdir(fd), errno))
			check_cwd("fchdir(O_PATH fd)", top, "");
		close(fd);
		CHECK_ERRNO("fchdir(closed fd)", fchdir(fd), EBADF);
	}
	fd = open(fx("small.txt"), O_RDONLY);
	if (check_ok("open(small.txt)", fd, errno)) {
		CHECK_ERRNO("fchdir(file)", fchdir(fd), ENOTDIR);
		close(fd);
	}
	CHECK_ERRNO("fchdir(-1)", fchdir(-1), EBADF);
	check_cwd("cwd after failed fchdirs", top, "");
}

static void getcwd_sizes(const char *top)
{
	char buf[PATH_MAX];
	long len = strlen(top);
	char *dup;

	if (!check_ok("chdir(fixture)", chdir(fixture), errno))
		return;
	/* The raw call returns the length with the NUL. */
	check_long("getcwd, exact size", len + 1,
		   syscall(SYS_getcwd, buf, len + 1));
	CHECK_ERRNO("getcwd, one byte short", syscall(SYS_getcwd, buf, len),
		    ERANGE);
	CHECK_ERRNO("getcwd, size 1", syscall(SYS_getcwd, buf, 1L), ERANGE);
	CHECK_ERRNO("getcwd, size 0", syscall(SYS_getcwd, buf, 0L), ERANGE);
	CHECK_ERRNO("getcwd into (void *)1",
		    syscall(SYS_getcwd, 1L, (long)sizeof(buf)), EFAULT);
	dup = getcwd(NULL, 0);
	if (check_true("getcwd(NULL, 0)", dup != NULL)) {
		if (strcmp(dup, top) != 0)
			fail("getcwd(NULL, 0): expected \"%s\" got \"%s\"", top,
			     dup);
		free(dup);
	}
	if (check_ok("chdir(/)", chdir("/"), errno))
		check_long("getcwd at /", 2, syscall(SYS_getcwd, buf, 2L));
}

int main(int argc, char **argv)
{
	char top[PATH_MAX];
	struct stat a, b;

	fixture_init(argc, argv, "file_dirs");
	if (!check_ok("chdir(fixture)", chdir(fixture), errno) ||
	    !check_true("getcwd", getcwd(top, sizeof(top)) != NULL))
		return check_exit("file_dirs");
	/* The resolved path: absolute, same directory, nothing to clean up. */
	check_true("getcwd is absolute", top[0] == '/');
	check_true("getcwd has no \"//\", \"/.\" or a trailing \"/\"",
		   !strstr(top, "//") && !strstr(top, "/.") &&
			   top[strlen(top) - 1] != '/');
	if (check_ok("stat(getcwd)", stat(top, &a), errno) &&
	    check_ok("stat(fixture)", stat(fixture, &b), errno))
		check_true("getcwd names the fixture",
			   a.st_dev == b.st_dev && a.st_ino == b.st_ino);

	small_dirs();
	many_entries();
	long_name();
	dirents_errors();
	cwd_checks(top);
	getcwd_sizes(top);
	printf("file_dirs: done\n");
	return check_exit("file_dirs");
}
