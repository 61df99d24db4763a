/* Files and file descriptor tables. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sentry/fs/fdtable.h"
#include "sentry/fs/lock.h"

struct file *file_new(int host_fd, int flags, const struct mount *mnt, const char *path)
{
	struct file *f = calloc(1, sizeof *f);

	if (f && path && !(f->path = strdup(path))) {
		free(f);
		f = NULL;
	}
	if (!f) {
		close(host_fd);
		return NULL;
	}
	f->refs = 1;
	f->host_fd = host_fd;
	f->flags = flags;
	f->mnt = mnt;
	return f;
}

void file_get(struct file *f)
{
	__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
}

void file_put(struct file *f)
{
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (__atomic_load_n(&f->ofd_locked, __ATOMIC_RELAXED))
		lock_drop_fd(f->host_fd, f); /* locks_remove_file() */
	close(f->host_fd);
	free(f->path);
	free(f);
}

/* filp_close(): the process's POSIX locks on the inode go with any of its
 * fds, then the reference. */
static void close_file(struct fdtable *ft, struct file *f)
{
	lock_drop_fd(f->host_fd, ft);
	file_put(f);
}

struct fdtable *fdtable_create(void)
{
	return calloc(1, sizeof(struct fdtable));
}

void fdtable_destroy(struct fdtable *ft)
{
	if (!ft)
		return;
	for (int i = 0; i < FDTABLE_MAX; i++)
		if (ft->fd[i])
			close_file(ft, ft->fd[i]);
	free(ft);
}

int fdtable_install(struct fdtable *ft, struct file *f, int min, int limit, bool cloexec)
{
	if (limit > FDTABLE_MAX)
		limit = FDTABLE_MAX;
	for (int fd = min < 0 ? 0 : min; fd < limit; fd++) {
		if (!ft->fd[fd]) {
			ft->fd[fd] = f;
			ft->cloexec[fd] = cloexec;
			return fd;
		}
	}
	file_put(f);
	return -EMFILE;
}

int fdtable_install_at(struct fdtable *ft, int fd, struct file *f, bool cloexec)
{
	struct file *old;

	if (fd < 0 || fd >= FDTABLE_MAX) {
		file_put(f);
		return -EBADF;
	}
	old = ft->fd[fd];
	ft->fd[fd] = f;
	ft->cloexec[fd] = cloexec;
	if (old)
		close_file(ft, old);
	return fd;
}

int fdtable_install_host(struct fdtable *ft, int fd, int host_fd)
{
	int flags = fcntl(host_fd, F_GETFL);
	struct file *f = file_new(host_fd, flags < 0 ? O_RDWR : flags, NULL, NULL);

	if (!f)
		return -ENOMEM;
	return fdtable_install_at(ft, fd, f, false);
}

struct file *fdtable_get(struct fdtable *ft, int fd)
{
	if (fd < 0 || fd >= FDTABLE_MAX)
		return NULL;
	return ft->fd[fd];
}

int fdtable_close(struct fdtable *ft, int fd)
{
	struct file *f = fdtable_get(ft, fd);

	if (!f)
		return -EBADF;
	ft->fd[fd] = NULL;
	ft->cloexec[fd] = false;
	close_file(ft, f);
	return 0;
}

void fdtable_close_range(struct fdtable *ft, unsigned int first, unsigned int last, bool cloexec)
{
	for (unsigned int fd = first; fd <= last && fd < FDTABLE_MAX; fd++) {
		if (!ft->fd[fd])
			continue;
		if (cloexec)
			ft->cloexec[fd] = true;
		else
			fdtable_close(ft, (int)fd);
	}
}

struct fdtable *fdtable_dup(const struct fdtable *ft)
{
	struct fdtable *c = fdtable_create();

	if (!c)
		return NULL;
	for (int fd = 0; fd < FDTABLE_MAX; fd++) {
		if (!ft->fd[fd])
			continue;
		file_get(ft->fd[fd]);
		c->fd[fd] = ft->fd[fd];
		c->cloexec[fd] = ft->cloexec[fd];
	}
	return c;
}

void fdtable_close_on_exec(struct fdtable *ft)
{
	for (int fd = 0; fd < FDTABLE_MAX; fd++)
		if (ft->fd[fd] && ft->cloexec[fd])
			fdtable_close(ft, fd);
}
