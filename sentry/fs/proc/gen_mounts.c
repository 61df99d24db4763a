/* /proc/PID/mounts and mountinfo (fs/proc_namespace.c show_vfsmnt,
 * show_mountinfo), /proc/filesystems, and mount ids for fdinfo.
 *
 * Each mount of the sandbox's table that the guest can see is one line:
 * private tmpfs as "tmpfs", procfs as "proc", the limited /dev as
 * "devtmpfs", a host directory as the host file system's type. A mount's id
 * is its index in the table plus MOUNT_ID_BASE; its parent is the mount its
 * mount point lies on, the root its own. The root within the file system is
 * shown as "/" (umbra does not keep the host path of a bind), the device as
 * the type for virtual file systems and "none" for host directories, and
 * the options are the mount's "ro" or "rw". A chrooted task sees the mounts
 * at or below its root, named from there, as seq_path_root shows them. */
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "sentry/fs/mount.h"
#include "sentry/fs/proc/gen_priv.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"

#define MOUNT_ID_BASE 21
#define MOUNT_ID_NONE (MOUNT_ID_BASE - 1) /* pipes, terminals the sandbox was given */

struct fs_type {
	unsigned long magic; /* statfs f_type (include/uapi/linux/magic.h) */
	const char *name;
	bool nodev; /* /proc/filesystems: needs no block device */
};

static const struct fs_type host_types[] = {
	{ 0xef53, "ext4", false },     { 0x58465342, "xfs", false },
	{ 0x9123683e, "btrfs", false }, { 0xf2f52010, "f2fs", false },
	{ 0x73717368, "squashfs", false }, { 0xe0f5e1e2, "erofs", false },
	{ 0x2fc12fc1, "zfs", false },  { 0x01021994, "tmpfs", true },
	{ 0x858458f6, "ramfs", true }, { 0x794c7630, "overlay", true },
	{ 0x6969, "nfs", true },       { 0x01021997, "9p", true },
	{ 0x65735546, "fuse", true },  { 0x9fa0, "proc", true },
	{ 0x62656572, "sysfs", true }, { 0x1cd1, "devpts", true },
};

/* What a host directory's file system is called; "ext4" when umbra does
 * not know the type. */
static const struct fs_type *host_type(int root_fd)
{
	struct statfs st;

	if (root_fd >= 0 && fstatfs(root_fd, &st) == 0)
		for (size_t i = 0; i < sizeof host_types / sizeof host_types[0]; i++)
			if ((unsigned long)st.f_type == host_types[i].magic)
				return &host_types[i];
	return &host_types[0];
}

/* The type a mount shows, NULL for mounts the guest cannot see. */
static const char *mount_type(const struct mount *m)
{
	if (m->kind == MOUNT_PROC)
		return "proc";
	if (m->kind == MOUNT_DEV)
		return "devtmpfs";
	if (m->kind != MOUNT_HOST)
		return NULL;
	return m->tmpfs ? "tmpfs" : host_type(m->root_fd)->name;
}

static const char *mount_source(const struct mount *m)
{
	return m->kind == MOUNT_HOST && !m->tmpfs ? "none" : mount_type(m);
}

int proc_mount_id(const struct sandbox *sb, const struct mount *m)
{
	const struct mount_table *mt = &sb->mounts;

	if (!m || m < mt->m || m >= mt->m + mt->n)
		return MOUNT_ID_NONE;
	return MOUNT_ID_BASE + (int)(m - mt->m);
}

/* The mount point relative to root ("/" for root itself), or NULL when
 * it lies outside root. */
static const char *seen_path(const char *root, const struct mount *m)
{
	size_t n = strlen(root);

	if (n == 1)
		return m->path;
	if (strncmp(m->path, root, n) || (m->path[n] && m->path[n] != '/'))
		return NULL;
	return m->path[n] ? m->path + n : "/";
}

/* The visible mount whose mount point holds m's, the deepest one. */
static int parent_id(const struct sandbox *sb, const struct mount *m)
{
	const struct mount *best = NULL;

	for (size_t i = 0; i < sb->mounts.n; i++) {
		const struct mount *p = &sb->mounts.m[i];

		if (p == m || !mount_type(p) || p->len >= m->len || (best && p->len <= best->len))
			continue;
		if (p->len == 1 || (!strncmp(m->path, p->path, p->len) && m->path[p->len] == '/'))
			best = p;
	}
	return proc_mount_id(sb, best ? best : m);
}

/* mangle(): space, tab, newline and backslash as octal escapes. */
static void add_escaped(struct strbuf *b, const char *s)
{
	for (; *s; s++) {
		if (strchr(" \t\n\\", *s))
			strbuf_printf(b, "\\%03o", (unsigned char)*s);
		else
			strbuf_add(b, s, 1);
	}
}

static void mounts_line(struct task *t, const struct mount *m, const char *at, struct strbuf *b)
{
	(void)t;
	add_escaped(b, mount_source(m));
	strbuf_add(b, " ", 1);
	add_escaped(b, at);
	strbuf_printf(b, " %s %s 0 0\n", mount_type(m), m->readonly ? "ro" : "rw");
}

static void mountinfo_line(struct task *t, const struct mount *m, const char *at,
			   struct strbuf *b)
{
	const char *opt = m->readonly ? "ro" : "rw";

	strbuf_printf(b, "%d %d %u:%u / ", proc_mount_id(t->sb, m), parent_id(t->sb, m),
		      major(m->root_dev), minor(m->root_dev));
	add_escaped(b, at);
	strbuf_printf(b, " %s - %s ", opt, mount_type(m));
	add_escaped(b, mount_source(m));
	strbuf_printf(b, " %s\n", opt);
}

static int each_mount(struct task *t, struct strbuf *b,
		      void (*show)(struct task *, const struct mount *, const char *,
				   struct strbuf *))
{
	const struct mount_table *mt = &t->sb->mounts;

	for (size_t i = 0; i < mt->n; i++) {
		const char *at = seen_path(t->fs->root, &mt->m[i]);

		if (at && mount_type(&mt->m[i]))
			show(t, &mt->m[i], at, b);
	}
	return b->err;
}

int proc_gen_mounts(struct task *t, struct strbuf *b)
{
	return each_mount(t, b, mounts_line);
}

int proc_gen_mountinfo(struct task *t, struct strbuf *b)
{
	return each_mount(t, b, mountinfo_line);
}

/* The file systems umbra serves, then those of the host directories it
 * shows, each once. */
int proc_gen_filesystems(struct sandbox *sb, struct strbuf *b)
{
	static const char *const own[] = { "tmpfs", "proc", "devtmpfs" };
	const struct fs_type *seen[MOUNT_MAX];
	size_t n = 0;

	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
		strbuf_printf(b, "nodev\t%s\n", own[i]);
	for (size_t i = 0; i < sb->mounts.n; i++) {
		const struct mount *m = &sb->mounts.m[i];
		const struct fs_type *ft;
		bool dup = false;

		if (m->kind != MOUNT_HOST || m->tmpfs)
			continue;
		ft = host_type(m->root_fd);
		for (size_t j = 0; j < n; j++)
			dup |= seen[j] == ft;
		for (size_t j = 0; j < sizeof own / sizeof own[0]; j++)
			dup |= !strcmp(own[j], ft->name);
		if (!dup) {
			seen[n++] = ft;
			strbuf_printf(b, "%s\t%s\n", ft->nodev ? "nodev" : "", ft->name);
		}
	}
	return b->err;
}
