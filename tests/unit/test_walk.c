/* The sentry's path walk (sentry/fs/vfs.h) over real host trees: canonical
 * paths, ".", "..", trailing slashes, symlinks and their limits, mount
 * crossings, hidden mounts and the /dev allowlist. Absolute links and ".."
 * must stay inside the guest's view whatever the host holds. */
#include <check.h>

#include "tests/unit/unit.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/fs/vfs.h"

static char outer_dir[64], inner_dir[64];
static int outer_fd = -1, inner_fd = -1;
static pid_t tree_owner;
static struct mount_table flat;    /* the outer tree at / and nothing else */
static struct mount_table mounted; /* plus /inner, /hidden and /dev */
static struct lookup l;

static void put_dir(int dir, const char *rel)
{
	ck_assert_msg(mkdirat(dir, rel, 0755) == 0, "mkdir %s: %s", rel, strerror(errno));
}

static void put_file(int dir, const char *rel, const char *text)
{
	int fd = openat(dir, rel, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	ck_assert_msg(fd >= 0, "create %s: %s", rel, strerror(errno));
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void put_link(int dir, const char *rel, const char *target)
{
	ck_assert_msg(symlinkat(target, dir, rel) == 0, "symlink %s: %s", rel, strerror(errno));
}

/* outer:  a/ a/b/ a/c file inner/shadowed hidden/x chain/ dchain/
 *         rel -> a/c   dirlink -> a   a/up -> ../file   abs -> /etc/passwd
 *         esc -> ../../../../   a/esc -> ../../../../../file   dangling -> nope
 *         loop1 <-> loop2   self -> self   devnull -> /dev/null
 *         toinner -> inner/f   tohidden -> /hidden/x   hostabs -> <inner_dir>/f
 *         chain/c0 -> c1 -> ... -> c40 -> target (a file)
 *         dchain/d1 -> d2 -> ... -> d20 -> /a
 * inner:  f d/ up -> ../file   abs -> /file */
static void build_outer(void)
{
	char name[32], target[96];

	put_dir(outer_fd, "a");
	put_dir(outer_fd, "a/b");
	put_file(outer_fd, "a/c", "c\n");
	put_file(outer_fd, "file", "outer file\n");
	put_dir(outer_fd, "inner");
	put_file(outer_fd, "inner/shadowed", "under the mount\n");
	put_dir(outer_fd, "hidden");
	put_file(outer_fd, "hidden/x", "under the hidden mount\n");
	put_link(outer_fd, "rel", "a/c");
	put_link(outer_fd, "dirlink", "a");
	put_link(outer_fd, "a/up", "../file");
	put_link(outer_fd, "abs", "/etc/passwd");
	put_link(outer_fd, "esc", "../../../../");
	put_link(outer_fd, "a/esc", "../../../../../file");
	put_link(outer_fd, "dangling", "nope");
	put_link(outer_fd, "loop1", "loop2");
	put_link(outer_fd, "loop2", "loop1");
	put_link(outer_fd, "self", "self");
	put_link(outer_fd, "devnull", "/dev/null");
	put_link(outer_fd, "toinner", "inner/f");
	put_link(outer_fd, "tohidden", "/hidden/x");
	snprintf(target, sizeof target, "%s/f", inner_dir);
	put_link(outer_fd, "hostabs", target);

	put_dir(outer_fd, "chain");
	put_file(outer_fd, "chain/target", "end of the chain\n");
	put_link(outer_fd, "chain/c40", "target");
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof name, "chain/c%d", i);
		snprintf(target, sizeof target, "c%d", i + 1);
		put_link(outer_fd, name, target);
	}
	put_dir(outer_fd, "dchain");
	put_link(outer_fd, "dchain/d20", "/a");
	for (int i = 1; i < 20; i++) {
		snprintf(name, sizeof name, "dchain/d%d", i);
		snprintf(target, sizeof target, "d%d", i + 1);
		put_link(outer_fd, name, target);
	}
}

static void build_inner(void)
{
	put_file(inner_fd, "f", "inner\n");
	put_dir(inner_fd, "d");
	put_link(inner_fd, "up", "../file");
	put_link(inner_fd, "abs", "/file");
}

static void make_tree(char *dir, size_t size, const char *tag, int *fd)
{
	snprintf(dir, size, "/tmp/umbra-walk-%s-XXXXXX", tag);
	ck_assert_msg(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	*fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(*fd, 0);
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path);
}

static void remove_tree(char *dir, int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	if (dir[0])
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	dir[0] = 0;
}

static void remove_trees(void)
{
	/* Forked test processes exit too; only the runner removes the trees. */
	if (getpid() != tree_owner)
		return;
	remove_tree(outer_dir, &outer_fd);
	remove_tree(inner_dir, &inner_fd);
}

static void setup(void)
{
	static bool registered;

	/* A failed setup skips teardown: its trees go at the next setup or exit. */
	tree_owner = getpid();
	remove_trees();
	if (!registered)
		registered = !atexit(remove_trees);
	memset(&flat, 0, sizeof flat);
	memset(&mounted, 0, sizeof mounted);
	make_tree(outer_dir, sizeof outer_dir, "outer", &outer_fd);
	make_tree(inner_dir, sizeof inner_dir, "inner", &inner_fd);
	build_outer();
	build_inner();
	ck_assert_int_eq(mount_add(&flat, "/", MOUNT_HOST, outer_dir, true), 0);
	ck_assert_int_eq(mount_add(&mounted, "/", MOUNT_HOST, outer_dir, true), 0);
	ck_assert_int_eq(mount_add(&mounted, "/inner", MOUNT_HOST, inner_dir, false), 0);
	ck_assert_int_eq(mount_add(&mounted, "/hidden", MOUNT_HIDDEN, NULL, true), 0);
	ck_assert_int_eq(mount_add(&mounted, "/dev", MOUNT_DEV, "/dev", false), 0);
}

static void teardown(void)
{
	mount_table_free(&flat);
	mount_table_free(&mounted);
	remove_trees();
}

/* A successful check leaves its result in l for more checks; the caller
 * releases it. A failed lookup must leave no fd. */
static void ok_at(const struct mount_table *mt, const char *start, const char *path,
		  unsigned int flags, const char *want)
{
	int err = vfs_lookup(mt, start, path, flags, &l);

	ck_assert_msg(err == 0, "lookup(%s, \"%s\") = %d (%s), want %s", start, path, err,
		      strerror(-err), want);
	ck_assert_msg(!strcmp(l.path, want), "lookup(%s, \"%s\") gave %s, want %s", start, path,
		      l.path, want);
	ck_assert_msg(l.fd >= 0 || (flags & LOOKUP_MISSING_OK), "\"%s\": no fd", path);
}

static void err_at(const struct mount_table *mt, const char *start, const char *path,
		   unsigned int flags, int want)
{
	int err = vfs_lookup(mt, start, path, flags, &l);

	ck_assert_msg(err == want, "lookup(%s, \"%s\") = %d (%s), want %d (%s)", start, path, err,
		      strerror(-err), want, strerror(-want));
	ck_assert_int_eq(l.fd, -1);
}

#define ok(path, flags, want) ok_at(&flat, "/", path, flags, want)
#define ok_m(path, flags, want) ok_at(&mounted, "/", path, flags, want)
#define fails(path, flags, want) err_at(&flat, "/", path, flags, want)
#define fails_m(path, flags, want) err_at(&mounted, "/", path, flags, want)

/* The lookup result is the very host object at rel beneath dir. */
static void same_object(int dir, const char *rel)
{
	struct stat st;

	ck_assert_msg(fstatat(dir, rel, &st, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) == 0, "stat %s",
		      rel);
	ck_assert_msg(l.st.st_dev == st.st_dev && l.st.st_ino == st.st_ino,
		      "%s is not the tree's %s", l.path, rel[0] ? rel : ".");
	ck_assert_int_ge(l.fd, 0);
	ck_assert_int_eq(fstat(l.fd, &st), 0);
	ck_assert(l.st.st_ino == st.st_ino && l.st.st_dev == st.st_dev);
}

/* The lowest free fd: unchanged across lookups unless one leaked. */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	ck_assert_int_ge(fd, 0);
	close(fd);
	return fd;
}

START_TEST(canonical_paths)
{
	ok("a/b/../c", LOOKUP_FOLLOW, "/a/c");
	same_object(outer_fd, "a/c");
	lookup_release(&l);
	ok("./a//b/", LOOKUP_FOLLOW, "/a/b");
	same_object(outer_fd, "a/b");
	lookup_release(&l);
	ok("/..", 0, "/");
	same_object(outer_fd, "");
	lookup_release(&l);
	ok("/", 0, "/");
	lookup_release(&l);
	ok("//a/./b/.", 0, "/a/b");
	lookup_release(&l);
	ok("a/b/../..", 0, "/");
	lookup_release(&l);
	ok_at(&flat, "/a/b", "../../..", 0, "/");
	lookup_release(&l);
	ok_at(&flat, "/a/b", "../c", 0, "/a/c");
	lookup_release(&l);
	ok_at(&flat, "/a", ".", 0, "/a");
	lookup_release(&l);
	ok_at(&flat, "/a", "b/..", 0, "/a");
	lookup_release(&l);
	ok_at(&flat, "/a/b", "/file", 0, "/file");
	same_object(outer_fd, "file");
	lookup_release(&l);
}
END_TEST

START_TEST(missing_and_not_dir)
{
	fails("", 0, -ENOENT);
	fails("", LOOKUP_FOLLOW | LOOKUP_MISSING_OK, -ENOENT);
	fails("nope", 0, -ENOENT);
	fails("nope/x", LOOKUP_MISSING_OK, -ENOENT);
	fails("a/nope/..", 0, -ENOENT);
	fails("file/", 0, -ENOTDIR);
	fails("file/.", 0, -ENOTDIR);
	fails("file/..", 0, -ENOTDIR);
	fails("a/c/x", 0, -ENOTDIR);
	fails("a/c/x", LOOKUP_MISSING_OK, -ENOTDIR);
	fails("file", LOOKUP_DIRECTORY, -ENOTDIR);
	ok("a", LOOKUP_DIRECTORY, "/a");
	lookup_release(&l);
	ok("a/b/", LOOKUP_DIRECTORY, "/a/b");
	lookup_release(&l);
}
END_TEST

START_TEST(missing_ok)
{
	ok("a/new", LOOKUP_MISSING_OK, "/a/new");
	ck_assert_int_eq(l.fd, -1);
	ck_assert_ptr_eq(l.mnt, &flat.m[0]);
	ok("a/b/../new", LOOKUP_MISSING_OK | LOOKUP_FOLLOW, "/a/new");
	ck_assert_int_eq(l.fd, -1);
	ok_at(&flat, "/a/b", "../../new", LOOKUP_MISSING_OK, "/new");
	ck_assert_int_eq(l.fd, -1);
	/* open(O_CREAT) through a dangling link creates the link's target. */
	ok("dangling", LOOKUP_MISSING_OK | LOOKUP_FOLLOW, "/nope");
	ck_assert_int_eq(l.fd, -1);
	/* Present objects are still opened. */
	ok("a/c", LOOKUP_MISSING_OK, "/a/c");
	same_object(outer_fd, "a/c");
	lookup_release(&l);
	ok_m("/inner/new", LOOKUP_MISSING_OK, "/inner/new");
	ck_assert_int_eq(l.fd, -1);
	ck_assert_ptr_eq(l.mnt, &mounted.m[1]);
}
END_TEST

START_TEST(relative_links)
{
	ok("rel", 0, "/rel");
	ck_assert(S_ISLNK(l.st.st_mode));
	same_object(outer_fd, "rel");
	lookup_release(&l);
	ok("rel", LOOKUP_FOLLOW, "/a/c");
	same_object(outer_fd, "a/c");
	lookup_release(&l);
	/* A trailing slash follows even without LOOKUP_FOLLOW, then wants a directory. */
	fails("rel/", 0, -ENOTDIR);
	ok("dirlink/", 0, "/a");
	lookup_release(&l);
	ok("dirlink", 0, "/dirlink");
	ck_assert(S_ISLNK(l.st.st_mode));
	lookup_release(&l);
	fails("dirlink", LOOKUP_DIRECTORY, -ENOTDIR);
	ok("dirlink", LOOKUP_FOLLOW | LOOKUP_DIRECTORY, "/a");
	lookup_release(&l);
	ok("dirlink/c", 0, "/a/c");
	lookup_release(&l);
	/* ".." after a link leaves the link's target, not the link's directory. */
	ok("dirlink/b/../..", 0, "/");
	lookup_release(&l);
	ok("a/up", LOOKUP_FOLLOW, "/file");
	same_object(outer_fd, "file");
	lookup_release(&l);
	ok_at(&flat, "/a", "up", LOOKUP_FOLLOW, "/file");
	lookup_release(&l);
	fails("dangling", LOOKUP_FOLLOW, -ENOENT);
	ok("dangling", 0, "/dangling");
	lookup_release(&l);
}
END_TEST

/* "/etc/passwd" in a link means the guest's /etc/passwd: absent from the
 * tree until the test puts one there, whatever the host has. */
START_TEST(absolute_links_stay_inside)
{
	struct stat host;

	fails("abs", LOOKUP_FOLLOW, -ENOENT);
	fails("hostabs", LOOKUP_FOLLOW, -ENOENT);
	fails("devnull", LOOKUP_FOLLOW, -ENOENT);
	put_dir(outer_fd, "etc");
	put_file(outer_fd, "etc/passwd", "root:x:0:0:tree:/:/bin/sh\n");
	ok("abs", LOOKUP_FOLLOW, "/etc/passwd");
	same_object(outer_fd, "etc/passwd");
	if (stat("/etc/passwd", &host) == 0)
		ck_assert(host.st_ino != l.st.st_ino || host.st_dev != l.st.st_dev);
	lookup_release(&l);
	ok_at(&flat, "/a/b", "/etc/passwd", 0, "/etc/passwd");
	same_object(outer_fd, "etc/passwd");
	lookup_release(&l);
	ck_assert_int_eq(unlinkat(outer_fd, "etc/passwd", 0), 0);
	ck_assert_int_eq(unlinkat(outer_fd, "etc", AT_REMOVEDIR), 0);
}
END_TEST

START_TEST(dotdot_stays_inside)
{
	ok("esc", LOOKUP_FOLLOW, "/");
	same_object(outer_fd, "");
	lookup_release(&l);
	ok("esc/a/c", 0, "/a/c");
	same_object(outer_fd, "a/c");
	lookup_release(&l);
	ok("a/esc", LOOKUP_FOLLOW, "/file");
	same_object(outer_fd, "file");
	lookup_release(&l);
	ok("../../../../file", 0, "/file");
	same_object(outer_fd, "file");
	lookup_release(&l);
	ok_at(&flat, "/a/b", "../../../../../a", 0, "/a");
	lookup_release(&l);
}
END_TEST

START_TEST(link_loops)
{
	fails("loop1", LOOKUP_FOLLOW, -ELOOP);
	fails("self", LOOKUP_FOLLOW, -ELOOP);
	fails("loop1/x", 0, -ELOOP);
	fails("self/", 0, -ELOOP);
	fails("loop1", LOOKUP_FOLLOW | LOOKUP_MISSING_OK, -ELOOP);
	ok("loop1", 0, "/loop1");
	ck_assert(S_ISLNK(l.st.st_mode));
	lookup_release(&l);
}
END_TEST

/* Linux follows at most 40 links in one walk (MAXSYMLINKS, fs/namei.c),
 * counted over the whole walk, not per component. */
START_TEST(link_limit)
{
	struct stat st;

	/* The host agrees on the chain: 40 links resolve, 41 do not. */
	ck_assert_int_eq(fstatat(outer_fd, "chain/c1", &st, 0), 0);
	ck_assert_int_eq(fstatat(outer_fd, "chain/c0", &st, 0), -1);
	ck_assert_int_eq(errno, ELOOP);

	ok("chain/c1", LOOKUP_FOLLOW, "/chain/target");
	same_object(outer_fd, "chain/target");
	lookup_release(&l);
	fails("chain/c0", LOOKUP_FOLLOW, -ELOOP);
	ok("chain/c0", 0, "/chain/c0");
	lookup_release(&l);
	fails("chain/c0/", 0, -ELOOP);

	ok("dchain/d1", LOOKUP_FOLLOW, "/a");
	lookup_release(&l);
	ok("dchain/d1/../dchain/d1", LOOKUP_FOLLOW, "/a");
	lookup_release(&l);
	ok("dchain/d1/../chain/c40", LOOKUP_FOLLOW, "/chain/target");
	lookup_release(&l);
	ok("dchain/d1/../dchain/d2/../chain/c40", LOOKUP_FOLLOW, "/chain/target");
	lookup_release(&l);
	fails("dchain/d1/../dchain/d1/../chain/c40", LOOKUP_FOLLOW, -ELOOP);
}
END_TEST

START_TEST(name_too_long)
{
	char name[300], path[VFS_PATH_MAX + 8], want[VFS_PATH_MAX + 8];
	struct stat st;

	memset(name, 'n', 256);
	name[256] = 0;
	ck_assert_int_eq(fstatat(outer_fd, name, &st, 0), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	fails(name, 0, -ENAMETOOLONG);
	fails(name, LOOKUP_MISSING_OK, -ENAMETOOLONG);
	snprintf(path, sizeof path, "a/%s/x", name);
	fails(path, 0, -ENAMETOOLONG);
	/* The walk itself refuses it, not only the host's file system. */
	snprintf(path, sizeof path, "/dev/%s", name);
	err_at(&mounted, "/", path, 0, -ENAMETOOLONG);

	/* 255 bytes is a name that is merely absent. */
	name[255] = 0;
	fails(name, 0, -ENOENT);
	snprintf(path, sizeof path, "a/%s", name);
	snprintf(want, sizeof want, "/a/%s", name);
	ok(path, LOOKUP_MISSING_OK, want);
	ck_assert_int_eq(l.fd, -1);

	/* A name too long inside a link's target. */
	name[255] = 'n';
	put_link(outer_fd, "longlink", name);
	fails("longlink", LOOKUP_FOLLOW, -ENAMETOOLONG);
}
END_TEST

/* A path of PATH_MAX bytes with its NUL does not fit (ENAMETOOLONG). */
START_TEST(path_too_long)
{
	char path[VFS_PATH_MAX + 1];

	memset(path, '/', VFS_PATH_MAX - 1);
	path[VFS_PATH_MAX - 1] = 0;
	ok(path, 0, "/");
	lookup_release(&l);
	memcpy(path + VFS_PATH_MAX - 5, "file", 5);
	ok(path, 0, "/file");
	lookup_release(&l);
	memset(path, '/', VFS_PATH_MAX);
	path[VFS_PATH_MAX] = 0;
	fails(path, 0, -ENAMETOOLONG);
	memcpy(path + VFS_PATH_MAX - 4, "file", 5);
	fails(path, 0, -ENAMETOOLONG);
}
END_TEST

START_TEST(mount_crossing)
{
	ok_m("/inner", LOOKUP_DIRECTORY, "/inner");
	ck_assert_ptr_eq(l.mnt, &mounted.m[1]);
	same_object(inner_fd, "");
	lookup_release(&l);
	ok_m("/inner/f", 0, "/inner/f");
	ck_assert_ptr_eq(l.mnt, &mounted.m[1]);
	same_object(inner_fd, "f");
	lookup_release(&l);
	fails_m("/inner/shadowed", 0, -ENOENT);
	ok_m("toinner", LOOKUP_FOLLOW, "/inner/f");
	same_object(inner_fd, "f");
	lookup_release(&l);
	/* The flat table sees the mount point's own contents. */
	ok("/inner/shadowed", 0, "/inner/shadowed");
	lookup_release(&l);
	fails("toinner", LOOKUP_FOLLOW, -ENOENT);
}
END_TEST

/* ".." from a mount's root goes to the mount point's parent; links inside
 * a mount resolve in the guest's view, not the host directory's. */
START_TEST(mount_dotdot)
{
	ok_m("/inner/..", 0, "/");
	ck_assert_ptr_eq(l.mnt, &mounted.m[0]);
	same_object(outer_fd, "");
	lookup_release(&l);
	ok_m("/inner/../file", 0, "/file");
	same_object(outer_fd, "file");
	lookup_release(&l);
	ok_at(&mounted, "/inner/d", "../../file", 0, "/file");
	same_object(outer_fd, "file");
	lookup_release(&l);
	ok_at(&mounted, "/inner", "..", 0, "/");
	lookup_release(&l);
	ok_m("/inner/up", LOOKUP_FOLLOW, "/file");
	ck_assert_ptr_eq(l.mnt, &mounted.m[0]);
	same_object(outer_fd, "file");
	lookup_release(&l);
	ok_m("/inner/abs", LOOKUP_FOLLOW, "/file");
	same_object(outer_fd, "file");
	lookup_release(&l);
}
END_TEST

START_TEST(hidden_mount)
{
	fails_m("/hidden", 0, -ENOENT);
	fails_m("/hidden/", 0, -ENOENT);
	fails_m("/hidden/x", 0, -ENOENT);
	fails_m("/hidden/x", LOOKUP_MISSING_OK, -ENOENT);
	fails_m("/hidden/..", 0, -ENOENT);
	fails_m("/hidden/../file", 0, -ENOENT);
	fails_m("tohidden", LOOKUP_FOLLOW, -ENOENT);
	ok("/hidden/x", 0, "/hidden/x");
	lookup_release(&l);
}
END_TEST

static const char *const dev_allowed[] = { "null", "zero", "full", "random", "urandom", "tty",
					   "fd", "stdin", "stdout", "stderr" };

static bool listed(const char *name)
{
	for (size_t i = 0; i < sizeof dev_allowed / sizeof dev_allowed[0]; i++)
		if (!strcmp(name, dev_allowed[i]))
			return true;
	return false;
}

static bool host_has(const char *name)
{
	char path[300];
	struct stat st;

	snprintf(path, sizeof path, "/dev/%s", name);
	return lstat(path, &st) == 0;
}

START_TEST(dev_allowlist)
{
	static const char *const refused[] = { "sda", "mem", "kmem", "pts", "ptmx", "stdio",
					       "shm", "mqueue", "console", "pts/0" };
	struct stat host;
	char path[300];

	ok_m("/dev/null", 0, "/dev/null");
	ck_assert_int_eq(l.mnt->kind, MOUNT_DEV);
	ck_assert(S_ISCHR(l.st.st_mode));
	ck_assert_int_eq(stat("/dev/null", &host), 0);
	ck_assert(l.st.st_rdev == host.st_rdev);
	lookup_release(&l);
	ok_m("/dev", LOOKUP_DIRECTORY, "/dev");
	lookup_release(&l);
	ok_m("/dev/./zero", 0, "/dev/zero");
	lookup_release(&l);
	ok_m("/dev//zero", 0, "/dev/zero");
	lookup_release(&l);
	ok_m("/dev/../file", 0, "/file");
	lookup_release(&l);
	fails_m("/dev/null/", 0, -ENOTDIR);

	for (size_t i = 0; i < sizeof dev_allowed / sizeof dev_allowed[0]; i++) {
		if (!host_has(dev_allowed[i]))
			continue;
		snprintf(path, sizeof path, "/dev/%s", dev_allowed[i]);
		ok_m(path, 0, path); /* fd and std*: links into /proc */
		lookup_release(&l);
	}
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		snprintf(path, sizeof path, "/dev/%s", refused[i]);
		fails_m(path, 0, -ENOENT);
		fails_m(path, LOOKUP_FOLLOW, -ENOENT);
	}
}
END_TEST

/* Whatever the host's /dev holds, only the allowlist shows through. */
START_TEST(dev_hides_the_rest)
{
	DIR *d = opendir("/dev");
	struct dirent *e;
	char path[300];
	int refused = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || listed(e->d_name))
			continue;
		snprintf(path, sizeof path, "/dev/%s", e->d_name);
		fails_m(path, LOOKUP_FOLLOW, -ENOENT);
		refused++;
	}
	closedir(d);
	ck_assert_int_gt(refused, 0);
}
END_TEST

START_TEST(link_into_dev)
{
	ok_m("devnull", LOOKUP_FOLLOW, "/dev/null");
	ck_assert_ptr_eq(l.mnt, &mounted.m[3]);
	ck_assert(S_ISCHR(l.st.st_mode));
	lookup_release(&l);
	ok_m("devnull", 0, "/devnull");
	ck_assert(S_ISLNK(l.st.st_mode));
	lookup_release(&l);
}
END_TEST

static void read_back(const char *path, const char *want, size_t n)
{
	char buf[64];
	int fd;

	ck_assert_int_eq(vfs_lookup(&mounted, "/", path, LOOKUP_FOLLOW, &l), 0);
	fd = vfs_open_host(&l, O_RDONLY);
	ck_assert_msg(fd >= 0, "vfs_open_host(%s) = %d", path, fd);
	ck_assert_int_eq(read(fd, buf, sizeof buf), (ssize_t)n);
	ck_assert(!memcmp(buf, want, n));
	close(fd);
	lookup_release(&l);
}

START_TEST(open_host)
{
	static const char zeros[16];
	char buf[16];
	int fd;

	read_back("rel", "c\n", 2);
	read_back("toinner", "inner\n", 6);
	read_back("devnull", "", 0);

	ck_assert_int_eq(vfs_lookup(&mounted, "/", "/dev/zero", 0, &l), 0);
	fd = vfs_open_host(&l, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	memset(buf, 1, sizeof buf);
	ck_assert_int_eq(read(fd, buf, sizeof buf), (ssize_t)sizeof buf);
	ck_assert(!memcmp(buf, zeros, sizeof buf));
	close(fd);
	lookup_release(&l);

	/* The reopened file is the link's target, and open's flags still apply. */
	ck_assert_int_eq(vfs_lookup(&flat, "/", "a/up", LOOKUP_FOLLOW, &l), 0);
	fd = vfs_open_host(&l, O_RDONLY | O_DIRECTORY);
	ck_assert_int_eq(fd, -ENOTDIR);
	fd = vfs_open_host(&l, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, 5), 5);
	ck_assert(!memcmp(buf, "outer", 5));
	close(fd);
	lookup_release(&l);
}
END_TEST

/* Failed and released lookups leave no host fd behind. */
START_TEST(no_fd_leaks)
{
	int before = lowest_free_fd();

	for (int i = 0; i < 3; i++) {
		fails("chain/c0", LOOKUP_FOLLOW, -ELOOP);
		fails("loop1/x", 0, -ELOOP);
		fails("file/x", 0, -ENOTDIR);
		fails("file", LOOKUP_DIRECTORY, -ENOTDIR);
		fails("a/nope", 0, -ENOENT);
		fails_m("/hidden/x", 0, -ENOENT);
		fails_m("/dev/sda", 0, -ENOENT);
		ok_m("toinner", LOOKUP_FOLLOW, "/inner/f");
		lookup_release(&l);
		ok("dchain/d1/../dchain/d1", LOOKUP_FOLLOW, "/a");
		lookup_release(&l);
	}
	ck_assert_int_eq(lowest_free_fd(), before);
}
END_TEST

/* umbra run's view: the host's files, but not its /proc, /sys or disks. */
START_TEST(default_view)
{
	struct mount_table mt;
	struct stat host;
	char self[PATH_MAX];

	ck_assert_int_eq(mount_default_view(&mt), 0);
	ck_assert_int_eq(vfs_lookup(&mt, "/", "/proc/self/status", LOOKUP_FOLLOW, &l), -ENOENT);
	ck_assert_int_eq(vfs_lookup(&mt, "/", "/proc", 0, &l), -ENOENT);
	ck_assert_int_eq(vfs_lookup(&mt, "/", "/sys/kernel", 0, &l), -ENOENT);
	ck_assert_int_eq(vfs_lookup(&mt, "/", "/dev/mem", 0, &l), -ENOENT);
	ck_assert_int_eq(vfs_lookup(&mt, "/", "/dev/fd/0", LOOKUP_FOLLOW, &l), -ENOENT);
	/* A host file every machine running this test has: the test itself. */
	ck_assert_ptr_nonnull(realpath("/proc/self/exe", self));
	ck_assert_int_eq(vfs_lookup(&mt, "/", self, LOOKUP_FOLLOW, &l), 0);
	ck_assert_int_eq(stat(self, &host), 0);
	ck_assert(l.st.st_ino == host.st_ino && l.st.st_dev == host.st_dev);
	ck_assert(l.mnt->readonly);
	lookup_release(&l);
	ck_assert_int_eq(vfs_lookup(&mt, "/", "/dev/null", 0, &l), 0);
	ck_assert(S_ISCHR(l.st.st_mode));
	lookup_release(&l);
	mount_table_free(&mt);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("walk");
	TCase *names = tcase_create("names");
	TCase *links = tcase_create("links");
	TCase *mounts = tcase_create("mounts");

	/* Unchecked: the trees are built once and removed even when a test fails. */
	tcase_add_unchecked_fixture(names, setup, teardown);
	tcase_add_test(names, canonical_paths);
	tcase_add_test(names, missing_and_not_dir);
	tcase_add_test(names, missing_ok);
	tcase_add_test(names, name_too_long);
	tcase_add_test(names, path_too_long);
	tcase_add_test(names, no_fd_leaks);
	suite_add_tcase(s, names);

	tcase_add_unchecked_fixture(links, setup, teardown);
	tcase_add_test(links, relative_links);
	tcase_add_test(links, absolute_links_stay_inside);
	tcase_add_test(links, dotdot_stays_inside);
	tcase_add_test(links, link_loops);
	tcase_add_test(links, link_limit);
	suite_add_tcase(s, links);

	tcase_add_unchecked_fixture(mounts, setup, teardown);
	tcase_add_test(mounts, mount_crossing);
	tcase_add_test(mounts, mount_dotdot);
	tcase_add_test(mounts, hidden_mount);
	tcase_add_test(mounts, dev_allowlist);
	tcase_add_test(mounts, dev_hides_the_rest);
	tcase_add_test(mounts, link_into_dev);
	tcase_add_test(mounts, open_host);
	tcase_add_test(mounts, default_view);
	suite_add_tcase(s, mounts);
	return s;
}
