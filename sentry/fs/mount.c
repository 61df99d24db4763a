/* Mount table. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/fs/mount.h"

const struct mount mount_anon = {
	.path = "/",
	.len = 1,
	.kind = MOUNT_ANON,
	.root_fd = -1,
	.readonly = false,
};

static const char *const dev_names[] = { "null", "zero", "full", "random", "urandom", "tty" };

bool mount_dev_allowed(const char *name)
{
	for (size_t i = 0; i < sizeof dev_names / sizeof dev_names[0]; i++)
		if (!strcmp(name, dev_names[i]))
			return true;
	return false;
}

static int open_root(const char *host_dir, unsigned long *dev)
{
	int fd = open(host_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -errno;
	}
	*dev = st.st_dev;
	return fd;
}

int mount_add(struct mount_table *mt, const char *guest_path, enum mount_kind kind,
	      const char *host_path, bool readonly)
{
	struct mount *m;

	if (mt->n == MOUNT_MAX)
		return -ENOSPC;
	m = &mt->m[mt->n];
	memset(m, 0, sizeof *m);
	m->root_fd = -1;
	if (kind != MOUNT_HIDDEN) {
		m->root_fd = open_root(host_path, &m->root_dev);
		if (m->root_fd < 0)
			return m->root_fd;
	}
	m->path = strdup(guest_path);
	if (!m->path) {
		if (m->root_fd >= 0)
			close(m->root_fd);
		return -ENOMEM;
	}
	m->len = strlen(guest_path);
	m->kind = kind;
	m->readonly = readonly;
	mt->n++;
	return 0;
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

static int replace(struct mount *m, const char *host_dir, bool readonly)
{
	int fd = open_root(host_dir, &m->root_dev);

	if (fd < 0)
		return fd;
	if (m->root_fd >= 0)
		close(m->root_fd);
	m->root_fd = fd;
	m->kind = MOUNT_HOST;
	m->readonly = readonly;
	return 0;
}

int mount_bind(struct mount_table *mt, const char *host_dir, const char *guest_path,
	       bool readonly)
{
	char path[4096];
	int err = mount_normalize(guest_path, path, sizeof path);

	if (err)
		return err;
	for (size_t i = 0; i < mt->n; i++)
		if (!strcmp(mt->m[i].path, path))
			return replace(&mt->m[i], host_dir, readonly);
	return mount_add(mt, path, MOUNT_HOST, host_dir, readonly);
}

int mount_set_root(struct mount_table *mt, const char *host_dir, bool readonly)
{
	return mount_bind(mt, host_dir, "/", readonly);
}
