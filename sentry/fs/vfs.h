/* Path resolution in the sentry (fs/namei.c semantics): components, ".",
 * "..", symlinks (at most 40), mount crossings. Every host object is opened
 * beneath its mount's root with RESOLVE_BENEATH and RESOLVE_NO_SYMLINKS: the
 * sentry follows each link itself, so nothing leads outside a mount. */
#ifndef UMBRA_SENTRY_VFS_H
#define UMBRA_SENTRY_VFS_H

#include <sys/stat.h>

#include "sentry/fs/mount.h"

#define VFS_PATH_MAX 4096
#define VFS_NAME_MAX 255
#define VFS_MAX_LINKS 40

enum {
	LOOKUP_FOLLOW = 1,     /* follow a symlink in the last component */
	LOOKUP_DIRECTORY = 2,  /* the result must be a directory */
	LOOKUP_MISSING_OK = 4, /* the last component may be missing if its parent is there */
	/* openat2's RESOLVE_* (include/uapi/linux/openat2.h) */
	LOOKUP_NO_XDEV = 8,        /* no mount crossing: EXDEV */
	LOOKUP_NO_MAGICLINKS = 16, /* no /proc/PID magic link: ELOOP */
	LOOKUP_NO_SYMLINKS = 32,   /* no link at all: ELOOP */
	LOOKUP_BENEATH = 64,       /* never above start, nothing absolute: EXDEV */
	LOOKUP_IN_ROOT = 128,      /* start is the root: "/" and ".." stop there */
};

struct lookup {
	const struct mount *mnt;
	char path[VFS_PATH_MAX]; /* canonical guest path of the result */
	int fd;                  /* O_PATH host fd of the result; -1 when missing */
	struct stat st;          /* valid when fd >= 0 */
	int given_acc;           /* MOUNT_ANON: the access mode it was given with, -1 for
				  * none (O_PATH) */
};


/* Resolves path against start (a canonical directory path, used when path is
 * relative). Returns 0 or -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG, ... */
int vfs_lookup(const struct mount_table *mt, const char *start, const char *path,
	       unsigned int flags, struct lookup *out);
/* The same within root (a chroot: canonical; absolute paths and links start
 * there, ".." stops there), and with LOOKUP_BENEATH or LOOKUP_IN_ROOT
 * scoped to start. Results are canonical paths of the whole view. */
int vfs_lookup_root(const struct mount_table *mt, const char *root, const char *start,
		    const char *path, unsigned int flags, struct lookup *out);
void lookup_release(struct lookup *l);
/* For calls that create or remove a name: resolves all but the last
 * component (a directory, into parent) and copies the last into name ("." for
 * "/"). Returns 0, 1 when the path ended in a slash, or -errno. */
int vfs_lookup_parent(const struct mount_table *mt, const char *root, const char *start,
		      const char *path, struct lookup *parent, char name[VFS_NAME_MAX + 1]);
/* Whether canonical path is a mount point (which cannot be removed or
 * renamed: EBUSY). */
int vfs_is_mount_point(const struct mount_table *mt, const char *path);
/* Whether a mount sits at path or anywhere below it: renaming or removing
 * path would move the directories mounts are named by. */
int vfs_covers_mount(const struct mount_table *mt, const char *path);
/* execve's demand on a lookup's result: a regular file (-EACCES) the caller
 * may execute (-EACCES). */
int vfs_may_exec(const struct lookup *l);
/* The target of the link a lookup found (without following it), into buf
 * of VFS_PATH_MAX bytes, unterminated; its length or -errno. */
long vfs_readlink(const struct lookup *l, char *buf);
/* Brings canonical path of a synthetic mount up to date (a directory's
 * entries before it is read again); nothing for other mounts. */
void vfs_prepare(const struct mount *m, const char *path);
/* Opens the result of a lookup for I/O with open(2) flags; -errno. */
int vfs_open_host(const struct lookup *l, int flags);

#endif
