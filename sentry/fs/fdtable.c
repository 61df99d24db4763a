/* File descriptor tables. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "sentry/fs/fdtable.h"

struct fdtable *fdtable_create(void)
{
	return calloc(1, sizeof(struct fdtable));
}

static void file_put(struct file *f)
{
	if (--f->refs)
		return;
	close(f->host_fd);
	free(f);
}

void fdtable_destroy(struct fdtable *ft)
{
	if (!ft)
		return;
	for (int i = 0; i < FDTABLE_MAX; i++)
		if (ft->fd[i])
			file_put(ft->fd[i]);
	free(ft);
}

int fdtable_install_host(struct fdtable *ft, int fd, int host_fd)
{
	struct file *f;

	if (fd < 0 || fd >= FDTABLE_MAX)
		return -EBADF;
	f = malloc(sizeof *f);
	if (!f)
		return -ENOMEM;
	f->refs = 1;
	f->host_fd = host_fd;
	if (ft->fd[fd])
		file_put(ft->fd[fd]);
	ft->fd[fd] = f;
	return fd;
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
	file_put(f);
	return 0;
}
