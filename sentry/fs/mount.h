/* The sandbox's mount table: which file system answers for each guest path.
 * Host directories are reached only beneath their mount's root fd. */
#ifndef UMBRA_SENTRY_MOUNT_H
#define UMBRA_SENTRY_MOUNT_H

#include <stdbool.h>
#include <stddef.h>

enum mount_kind {
	MOUNT_HOST,   /* passthrough to a host directory */
	MOUNT_HIDDEN, /* nothing is there yet (the host's /proc, /sys) */
	MOUNT_DEV,    /* the host's /dev, limited to a few harmless devices */
	MOUNT_PROC,   /* procfs: a private tmpfs the sentry renders on lookup */
	MOUNT_ANON,   /* outside the view: files with no name (memfds), and what a
		       * magic link reaches that is on no mount (a given file) */
};

struct lookup;

/* What a synthetic file system adds to the walk over its rendered tree.
 * rel is the path beneath the mount's root ("." for the root). */
struct mount_ops {
	/* Before rel is opened: make it what it is now; -ENOENT if it is not. */
	int (*prepare)(void *priv, const char *rel);
	/* The target of the link rel: its length, or -errno. */
	long (*readlink)(void *priv, const char *rel, char *buf, size_t size);
	/* Following the link rel: 0 to follow its target's text, 1 when out
	 * (fd, st, mnt, path) now holds the very object (a magic link), -errno. */
	int (*follow)(void *priv, const char *rel, struct lookup *out);
	/* Whether link rel is a magic link (openat2's RESOLVE_NO_MAGICLINKS). */
	bool (*magic)(void *priv, const char *rel);
};

struct mount {
	char *path;    /* canonical guest path: "/" or "/a/b" */
	size_t len;
	enum mount_kind kind;
	int root_fd;   /* O_PATH fd of the host directory, -1 for MOUNT_HIDDEN */
	unsigned long root_dev; /* its st_dev: objects elsewhere are host mounts */
	bool readonly;
	bool tmpfs;    /* a private tmpfs (MOUNT_HOST, its root not a host path) */
	const struct mount_ops *ops; /* MOUNT_PROC */
	void *priv;
};

/* The writable mount of files with no name in the view, as memfds live on
 * the kernel's internal shm mount. */
extern const struct mount mount_anon;

#define MOUNT_MAX 64

struct mount_table {
	struct mount m[MOUNT_MAX];
	size_t n;
};

/* umbra run's default view: the host's / read-only, its /proc and /sys hidden
 * until umbra emulates them, /dev limited to null zero full random urandom tty
 * (read-only: its devices can be written, nothing can be created or changed). */
int mount_default_view(struct mount_table *mt);
int mount_add(struct mount_table *mt, const char *guest_path, enum mount_kind kind,
	      const char *host_path, bool readonly);
void mount_table_free(struct mount_table *mt);
/* A new private tmpfs at guest_path (absolute; replaces a mount already
 * there); size as tmpfs_create() takes it. */
int mount_tmpfs(struct mount_table *mt, const char *guest_path, const char *size);
/* A synthetic file system at guest_path whose tree lives beneath root_fd
 * (which it then owns), read-only to guests. */
int mount_synthetic(struct mount_table *mt, const char *guest_path, enum mount_kind kind,
		    int root_fd, const struct mount_ops *ops, void *priv);
/* The guest's / becomes host_dir. */
int mount_set_root(struct mount_table *mt, const char *host_dir, bool readonly);
/* host_dir appears at guest_path (absolute; replaces a mount already there). */
int mount_bind(struct mount_table *mt, const char *host_dir, const char *guest_path,
	       bool readonly);
/* Normalises an absolute path lexically ("//a/./b/" → "/a/b"); -EINVAL for a
 * relative path or one with "..", -ENAMETOOLONG. */
int mount_normalize(const char *in, char *out, size_t size);
/* The mount holding canonical path (the longest mount point prefixing it). */
const struct mount *mount_find(const struct mount_table *mt, const char *path);
/* Whether name in directory dir (canonical) is a hidden mount point, which
 * directory listings leave out. */
bool mount_hides(const struct mount_table *mt, const char *dir, const char *name);
/* Path relative to the mount's root ("." for the root itself). */
const char *mount_relative(const struct mount *m, const char *path);
/* Whether a name may be looked up directly inside a MOUNT_DEV root. */
bool mount_dev_allowed(const char *name);

#endif
