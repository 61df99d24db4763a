/* The file system as one task sees it: its cwd, its fds, the sandbox's mounts. */
#ifndef UMBRA_SENTRY_FS_TASK_H
#define UMBRA_SENTRY_FS_TASK_H

#include <fcntl.h>
#include <stdint.h>

#include "sentry/fs/fdtable.h"
#include "sentry/fs/vfs.h"

struct task;

#define LINUX_AT_FDCWD (-100)
#define LINUX_AT_SYMLINK_NOFOLLOW 0x100
#define LINUX_AT_REMOVEDIR 0x200
#define LINUX_AT_EACCESS 0x200
#define LINUX_AT_SYMLINK_FOLLOW 0x400
#define LINUX_AT_NO_AUTOMOUNT 0x800
#define LINUX_AT_EMPTY_PATH 0x1000
#define LINUX_AT_STATX_SYNC_TYPE 0x6000

/* The status flags F_SETFL changes (fs/fcntl.c SETFL_MASK). */
#define FS_SETFL_FLAGS (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

/* F_GETFL: the flags the guest opened with; the ones F_SETFL changes and
 * O_LARGEFILE as the host file has them now. */
long fs_status_flags(const struct file *f);

/* The file at a guest fd, or -EBADF. */
int fs_file(struct task *t, uint64_t fd, struct file **out);
/* Resolves a guest path argument relative to dirfd (AT_FDCWD: the cwd).
 * Returns 0 with l filled, 1 when the path is empty and empty_ok (the caller
 * then acts on the file at dirfd), or -errno. */
int fs_lookup(struct task *t, uint64_t dirfd, uint64_t upath, unsigned int flags, int empty_ok,
	      struct lookup *l);
/* The parent directory and last name of a path argument, for calls that
 * create or remove names. child is the canonical path the name would have. */
struct fs_parent {
	struct lookup dir;
	char name[VFS_NAME_MAX + 1];
	char child[VFS_PATH_MAX];
	int slash; /* the path ended in '/' */
};
int fs_lookup_parent(struct task *t, uint64_t dirfd, uint64_t upath, struct fs_parent *p);
/* fs_lookup_parent and fs_lookup of a path the sentry holds (a socket's
 * sun_path), relative to the cwd. */
int fs_lookup_parent_here(struct task *t, const char *path, struct fs_parent *p);
int fs_lookup_here(struct task *t, const char *path, unsigned int flags, struct lookup *l);
/* Whether p names something new on a writable mount: 0, -EEXIST, -EROFS. */
long fs_may_create(struct task *t, const struct fs_parent *p);
/* open(O_CREAT) of the missing name at canonical path (where a lookup
 * ended, through any links): the new host fd, with p filled; -EAGAIN when the
 * name appeared meanwhile (and O_EXCL was not asked). */
long fs_create_file(struct task *t, const char *path, int flags, uint32_t mode,
		    struct fs_parent *p);
/* "/proc/self/fd/N" for a host fd: reaches the very object the sentry
 * resolved, for host calls that take only a path. */
void fs_proc_path(int fd, char buf[32]);

/* The limit for new fds (RLIMIT_NOFILE). */
int fs_fd_limit(struct task *t);

#endif
