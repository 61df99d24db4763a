/* Mount table. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/fs/mount.h"
#include "sentry/fs/tmpfs.h"

const struct mount mount_anon = {
	.path = "/",
	.len = 1,
	.kind = MOUNT_ANON,
	.root_fd = -1,
	.readonly = false,
};

/* The devices, and the host's links into its /proc/self/fd, which lead into
 * umbra's procfs in the guest's view. */
static const char *const dev_names[] = {
	"null", "zero", "full", "random", "urandom", "tty", "fd", "stdin", "stdout", "stderr",
};

bool mount_dev_allowed(const char *name)
{
	for (size_t i = 0; i < sizeof dev_names / sizeof dev_names[0]; i++)
		if (!strcmp(name, dev_names[i]))
			return true;
	return false;
}

static int open_root(const char *host_dir)
{
	int fd = open(host_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Makes fd (which it then owns) the root of m. */
static int set_root(struct mount *m, enum mount_kind kind, int fd, bool readonly)
{
	struct stat st;

	if (fd >= 0 && fstat(fd, &st) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (m->root_fd >= 0)
		close(m->root_fd);
	m->root_fd = fd;
	m->root_dev = fd >= 0 ? st.st_dev : 0;
	m->kind = kind;
	m->readonly = readonly;
	m->tmpfs = false;
	m->ops = NULL;
	m->priv = NULL;
	return 0;
}

/* The mount at canonical guest_path: the one there, or a new empty one. */
static struct mount *mount_slot(struct mount_table *mt, const char *guest_path)
{
	struct mount *m;

	for (size_t i = 0; i < mt->n; i++)
		if (!strcmp(mt->m[i].path, guest_path))
			return &mt->m[i];
	if (mt->n == MOUNT_MAX)
		return NULL;
	m = &mt->m[mt->n];
	memset(m, 0, sizeof *m);
	m->root_fd = -1;
	m->kind = MOUNT_HIDDEN;
	m->path = strdup(guest_path);
	if (!m->path)
		return NULL;
	m->len = strlen(guest_path);
	mt->n++;
	return m;
}

/* Mounts root fd at canonical guest_path, over what was there. */
static int mount_fd(struct mount_table *mt, const char *guest_path, enum mount_kind kind,
		    int fd, bool readonly)
{
	size_t n = mt->n;
	struct mount *m = mount_slot(mt, guest_path);
	int err;

	if (!m) {
		if (fd >= 0)
			close(fd);
		return mt->n == MOUNT_MAX ? -ENOSPC : -ENOMEM;
	}
	err = set_root(m, kind, fd, readonly);
	if (err && mt->n > n) {
		free(m->path);
		mt->n--;
	}
	return err;
}

int mount_add(struct mount_table *mt, const char *guest_path, enum mount_kind kind,
	      const char *host_path, bool readonly)
{
	int fd = -1;

	if (kind != MOUNT_HIDDEN && (fd = open_root(host_path)) < 0)
		return fd;
	return mount_fd(mt, guest_path, kind, fd, readonly);
}

int mount_default_view(struct mount_table *mt)
{
	int err;

	memset(mt, 0, sizeof *mt);
	err = mount_add(mt, "/", MOUNT_HOST, "/", true);
	if (!err)
		err = mount_add(mt, "/proc", MOUNT_HIDDEN, NULL, true);
	if (!err)
		err = mount_add(mt, "/sys", MOUNT_HIDDEN, NULL, true);
	if (!err)
		err = mount_add(mt, "/dev", MOUNT_DEV, "/dev", true); /* its devices stay writable */
	if (err)
		mount_table_free(mt);
	return err;
}

void mount_table_free(struct mount_table *mt)
{
	for (size_t i = 0; i < mt->n; i++) {
		if (mt->m[i].root_fd >= 0)
			close(mt->m[i].root_fd);
		free(mt->m[i].path);
	}
	mt->n = 0;
}

static bool under(const struct mount *m, const char *path)
{
	if (m->len == 1)
		return path[0] == '/';
	return !strncmp(path, m->path, m->len) && (path[m->len] == '/' || !path[m->len]);
}

const struct mount *mount_find(const struct mount_table *mt, const char *path)
{
	const struct mount *best = NULL;

	for (size_t i = 0; i < mt->n; i++)
		if (under(&mt->m[i], path) && (!best || mt->m[i].len > best->len))
			best = &mt->m[i];
	return best;
}

bool mount_hides(const struct mount_table *mt, const char *dir, const char *name)
{
	size_t dlen = strlen(dir);

	for (size_t i = 0; i < mt->n; i++) {
		const struct mount *m = &mt->m[i];
		const char *base = strrchr(m->path, '/');
		size_t plen;

		if (m->kind != MOUNT_HIDDEN || !base)
			continue;
		plen = base == m->path ? 1 : (size_t)(base - m->path);
		if (plen == dlen && !strncmp(m->path, dir, dlen) && !strcmp(base + 1, name))
			return true;
	}
	return false;
}

const char *mount_relative(const struct mount *m, const char *path)
{
	const char *rel = path + (m->len == 1 ? 1 : m->len);

	while (*rel == '/')
		rel++;
	return *rel ? rel : ".";
}

int mount_normalize(const char *in, char *out, size_t size)
{
	size_t n = 0;

	if (in[0] != '/' || size < 2)
		return -EINVAL;
	while (*in) {
		size_t len;

		while (*in == '/')
			in++;
		len = strcspn(in, "/");
		if (!len)
			break;
		if (len == 2 && !strncmp(in, "..", 2))
			return -EINVAL;
		if (!(len == 1 && in[0] == '.')) {
			if (n + 1 + len >= size)
				return -ENAMETOOLONG;
			out[n++] = '/';
			memcpy(out + n, in, len);
			n += len;
		}
		in += len;
	}
	if (!n)
		out[n++] = '/';
	out[n] = 0;
	return 0;
}

int mount_bind(struct mount_table *mt, const char *host_dir, const char *guest_path,
	       bool readonly)
{
	char path[4096];
	int err = mount_normalize(guest_path, path, sizeof path);

	if (err)
		return err;
	return mount_add(mt, path, MOUNT_HOST, host_dir, readonly);
}

int mount_tmpfs(struct mount_table *mt, const char *guest_path, const char *size)
{
	char path[4096];
	int err = mount_normalize(guest_path, path, sizeof path), fd;

	if (err)
		return err;
	fd = tmpfs_create(size);
	if (fd < 0)
		return fd;
	err = mount_fd(mt, path, MOUNT_HOST, fd, false);
	if (!err)
		mount_slot(mt, path)->tmpfs = true;
	return err;
}

int mount_synthetic(struct mount_table *mt, const char *guest_path, enum mount_kind kind,
		    int root_fd, const struct mount_ops *ops, void *priv)
{
	int err = mount_fd(mt, guest_path, kind, root_fd, true);
	struct mount *m;

	if (err)
		return err;
	m = mount_slot(mt, guest_path);
	m->ops = ops;
	m->priv = priv;
	return 0;
}

int mount_set_root(struct mount_table *mt, const char *host_dir, bool readonly)
{
	return mount_bind(mt, host_dir, "/", readonly);
}
