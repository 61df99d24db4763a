// SPDX-License-Identifier: Apache-2.0
/*
 * umbra's default view: the host's "/" read-only, a private writable tmpfs
 * at /tmp. Every call that would change a name or an inode outside /tmp
 * fails with EROFS, in the order Linux judges it (fs/namei.c: a missing
 * parent is ENOENT and an existing name EEXIST before EROFS; opening an
 * existing file without writing it succeeds), statfs shows ST_RDONLY on
 * "/" and a tmpfs at /tmp, and /tmp takes new files.
 *
 * Natively, as root, these calls would write to the host: the program runs
 * only under umbra (uname -r ends in "-umbra") and skips otherwise, and
 * meson registers it as a sandbox test only. Even under umbra, every call
 * is one whose wrongful success changes nothing that matters: fresh names,
 * removed again at once, or an existing file opened for writing but never
 * written, chmod'ed to its own mode.
 *
 * Usage: tmp_readonly
 */
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Directories of the host's "/" that every Debian system has. */
static const char *const host_dirs[] = { "/", "/usr", "/etc" };
#define EXISTING_FILE "/etc/passwd"

static char fresh[32];

/* dir/name in one of a few rotating buffers. */
static const char *in(const char *dir, const char *name)
{
	static char bufs[4][PATH_MAX];
	static unsigned int next;
	char *buf = bufs[next++ % 4];

	snprintf(buf, PATH_MAX, "%s%s%s", dir,
		 dir[strlen(dir) - 1] == '/' ? "" : "/", name);
	return buf;
}

/*
 * ret, errno err, must be -1 and EROFS. If the call made path after all,
 * undo it so that nothing stays on the host.
 */
static void check_erofs(const char *what, const char *dir, long ret, int err,
			const char *made)
{
	char w[PATH_MAX + 128];
	struct stat st;

	snprintf(w, sizeof(w), "%s in %s", what, dir);
	check_errno(w, ret, err, EROFS);
	if (made && lstat(made, &st) == 0) {
		fail("%s: %s exists afterwards", w, made);
		if (S_ISDIR(st.st_mode))
			rmdir(made);
		else
			unlink(made);
	}
}

#define CHECK_EROFS(what, dir, call, made)				\
	do {								\
		long ret_ = (long)(call);				\
		int err_ = errno;					\
		if (ret_ >= 0 && (!strncmp(what, "open", 4) ||		\
				  !strcmp(what, "creat")))		\
			close((int)ret_);				\
		check_erofs(what, dir, ret_, err_, made);		\
	} while (0)

/* New names in a read-only directory. */
static void create_in(const char *dir)
{
	const char *p = in(dir, fresh), *q = in(dir, "umbra-ro-other");

	CHECK_EROFS("mkdir", dir, mkdir(p, 0755), p);
	CHECK_EROFS("open(O_CREAT|O_EXCL)", dir,
		    open(p, O_WRONLY | O_CREAT | O_EXCL, 0644), p);
	CHECK_EROFS("open(O_CREAT|O_RDONLY)", dir,
		    open(p, O_RDONLY | O_CREAT, 0644), p);
	CHECK_EROFS("creat", dir, creat(p, 0644), p);
	CHECK_EROFS("symlink", dir, symlink("x", p), p);
	CHECK_EROFS("mknod(S_IFIFO)", dir, mknod(p, S_IFIFO | 0644, 0), p);
	CHECK_EROFS("link", dir, link(EXISTING_FILE, p), p);
	/* fs/namei.c: the mount's write access is judged before the lookup. */
	CHECK_EROFS("unlink of a missing name", dir, unlink(p), NULL);
	CHECK_EROFS("rmdir of a missing name", dir, rmdir(p), NULL);
	CHECK_EROFS("rename of a missing name", dir, rename(p, q), q);
	CHECK_ERRNO("mkdir under a missing directory",
		    mkdir(in(p, "x"), 0755), ENOENT);
	CHECK_ERRNO("O_CREAT under a missing directory",
		    open(in(p, "x"), O_WRONLY | O_CREAT, 0644), ENOENT);
}

/* Names that exist: EEXIST first, and what does not write succeeds. */
static void existing_names(void)
{
	struct stat st;
	int fd;

	CHECK_ERRNO("mkdir(/usr)", mkdir("/usr", 0755), EEXIST);
	CHECK_ERRNO("mkdir(/)", mkdir("/", 0755), EEXIST);
	CHECK_ERRNO("symlink onto " EXISTING_FILE, symlink("x", EXISTING_FILE),
		    EEXIST);
	CHECK_ERRNO("O_CREAT|O_EXCL of " EXISTING_FILE,
		    open(EXISTING_FILE, O_RDONLY | O_CREAT | O_EXCL, 0644),
		    EEXIST);
	fd = open(EXISTING_FILE, O_RDONLY | O_CREAT, 0644);
	if (CHECK_OK("O_CREAT|O_RDONLY of an existing file", fd))
		close(fd);
	CHECK_EROFS("open(O_WRONLY)", EXISTING_FILE,
		    open(EXISTING_FILE, O_WRONLY), NULL);
	CHECK_EROFS("open(O_RDWR)", EXISTING_FILE, open(EXISTING_FILE, O_RDWR),
		    NULL);
	CHECK_EROFS("open(O_WRONLY|O_CREAT)", EXISTING_FILE,
		    open(EXISTING_FILE, O_WRONLY | O_CREAT, 0644), NULL);
	CHECK_EROFS("access(W_OK)", EXISTING_FILE, access(EXISTING_FILE, W_OK),
		    NULL);
	CHECK_EROFS("access(W_OK)", "/usr", access("/usr", W_OK), NULL);
	CHECK_OK("access(R_OK) of " EXISTING_FILE, access(EXISTING_FILE, R_OK));
	if (CHECK_OK("stat(" EXISTING_FILE ")", stat(EXISTING_FILE, &st))) {
		CHECK_EROFS("chmod to its own mode", EXISTING_FILE,
			    chmod(EXISTING_FILE, st.st_mode & 07777), NULL);
		CHECK_EROFS("chown to its own owner", EXISTING_FILE,
			    chown(EXISTING_FILE, st.st_uid, st.st_gid), NULL);
	}
	CHECK_EROFS("rename to itself", EXISTING_FILE,
		    rename(EXISTING_FILE, EXISTING_FILE), NULL);
	CHECK_EROFS("utimensat(NULL)", EXISTING_FILE,
		    utimensat(AT_FDCWD, EXISTING_FILE, NULL, 0), NULL);
	/* utimensat(2): UTIME_OMIT twice does nothing, not even a lookup. */
	CHECK_OK("utimensat(OMIT, OMIT) of " EXISTING_FILE,
		 utimensat(AT_FDCWD, EXISTING_FILE,
			   (struct timespec[2]){ { 0, UTIME_OMIT },
						 { 0, UTIME_OMIT } }, 0));
	/* A device on a read-only mount still opens for writing. */
	fd = open("/dev/null", O_WRONLY);
	if (CHECK_OK("open(/dev/null, O_WRONLY)", fd)) {
		check_long("write(/dev/null)", 3, write(fd, "abc", 3));
		close(fd);
	}
	printf("existing names: done\n");
}

static void mount_flags(void)
{
	struct statvfs sv;
	struct statfs sf;

	if (CHECK_OK("statvfs(/)", statvfs("/", &sv)))
		check_true("/ is ST_RDONLY", sv.f_flag & ST_RDONLY);
	if (CHECK_OK("statvfs(/usr)", statvfs("/usr", &sv)))
		check_true("/usr is ST_RDONLY", sv.f_flag & ST_RDONLY);
	if (CHECK_OK("statvfs(/tmp)", statvfs("/tmp", &sv)))
		check_true("/tmp is not ST_RDONLY", !(sv.f_flag & ST_RDONLY));
	if (CHECK_OK("statfs(/tmp)", statfs("/tmp", &sf)))
		check_ulong("/tmp's f_type", TMPFS_MAGIC,
			    (unsigned long)sf.f_type);
	printf("mount flags: done\n");
}

/* /tmp takes a new directory and file, and gives them back. */
static void tmp_writable(void)
{
	char dir[] = "/tmp/umbra-XXXXXX";
	int fd;

	if (!mkdtemp(dir)) {
		fail("mkdtemp(/tmp/umbra-XXXXXX): expected a directory got "
		     "errno %s", err_name(errno));
		return;
	}
	fd = open(in(dir, "f"), O_RDWR | O_CREAT | O_EXCL, 0644);
	if (CHECK_OK("O_CREAT in /tmp", fd)) {
		check_long("write in /tmp", 2, write(fd, "ok", 2));
		close(fd);
		CHECK_OK("unlink in /tmp", unlink(in(dir, "f")));
	}
	CHECK_OK("rmdir in /tmp", rmdir(dir));
	printf("/tmp writable: done\n");
}

int main(void)
{
	unsigned int r = 0;
	size_t i;

	if (!under_umbra()) {
		fprintf(stderr, "tmp_readonly: not under umbra; it would write "
				"to the host, skipped\n");
		return EXIT_SKIP;
	}
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (unsigned int)getpid();
	snprintf(fresh, sizeof(fresh), "umbra-ro-%08x", r);
	note("fresh name: %s", fresh);

	for (i = 0; i < sizeof(host_dirs) / sizeof(host_dirs[0]); i++)
		create_in(host_dirs[i]);
	printf("new names: done\n");
	existing_names();
	mount_flags();
	tmp_writable();
	printf("tmp_readonly: done\n");
	return check_exit("tmp_readonly");
}
