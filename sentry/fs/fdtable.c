/* Files and file descriptor tables. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/lib/writecount.h"
#include "sentry/fs/fdtable.h"
#include "sentry/fs/lock.h"
#include "sentry/lib/array.h"
#include "sentry/signal/signalfd.h"
#include "sentry/net/usock.h"

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

int file_count_writer(struct file *f)
{
	struct stat st;
	int err;

	if ((f->flags & O_ACCMODE) == O_RDONLY || (f->flags & O_PATH) ||
	    fstat(f->host_fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	err = writecount_get(st.st_dev, st.st_ino);
	if (err)
		return err;
	f->writer = true;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return 0;
}

bool file_never_blocks(struct file *f)
{
	int type = __atomic_load_n(&f->type, __ATOMIC_RELAXED);
	struct stat st;

	if (!type) {
		if (fstat(f->host_fd, &st) < 0)
			return false;
		type = (int)(st.st_mode & S_IFMT);
		__atomic_store_n(&f->type, type, __ATOMIC_RELAXED);
	}
	return type == S_IFREG || type == S_IFDIR || type == S_IFBLK;
}

void file_put(struct file *f)
{
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (__atomic_load_n(&f->ofd_locked, __ATOMIC_RELAXED))
		lock_drop_fd(f->host_fd, f); /* locks_remove_file() */
	if (f->writer)
		writecount_put(f->dev, f->ino);
	if (f->sigfd)
		signalfd_free(f->sigfd);
	if (f->sock)
		usock_put(f->sock);
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

/* References fdtable_get took for the syscall a tracer thread is running,
 * dropped when it ends: another thread of the process may close the fd
 * meanwhile, as on Linux, without the file going away under the call. */
static __thread struct {
	bool on;
	struct file **f;
	size_t n, cap;
} held;

void fdtable_hold_refs(void)
{
	held.on = true;
}

void fdtable_release_held(void)
{
	for (size_t i = 0; i < held.n; i++)
		file_put(held.f[i]);
	held.n = 0;
}

void fdtable_hold_end(void)
{
	fdtable_release_held();
	free(held.f);
	held.f = NULL;
	held.cap = 0;
	held.on = false;
}

/* Takes a reference for the running syscall; false when out of memory. */
static bool hold(struct file *f)
{
	if (!held.on)
		return true;
	if (array_reserve(&held.f, &held.cap, held.n + 1, sizeof *held.f) < 0)
		return false;
	file_get(f);
	held.f[held.n++] = f;
	return true;
}

struct fdtable *fdtable_create(void)
{
	struct fdtable *ft = calloc(1, sizeof(struct fdtable));

	if (!ft)
		return NULL;
	ft->refs = 1;
	pthread_mutex_init(&ft->lock, NULL);
	return ft;
}

struct fdtable *fdtable_share(struct fdtable *ft)
{
	__atomic_add_fetch(&ft->refs, 1, __ATOMIC_RELAXED);
	return ft;
}

void fdtable_destroy(struct fdtable *ft)
{
	if (!ft || __atomic_sub_fetch(&ft->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (int i = 0; i < FDTABLE_MAX; i++)
		if (ft->fd[i])
			close_file(ft, ft->fd[i]);
	pthread_mutex_destroy(&ft->lock);
	free(ft);
}

int fdtable_install(struct fdtable *ft, struct file *f, int min, int limit, bool cloexec)
{
	if (limit > FDTABLE_MAX)
		limit = FDTABLE_MAX;
	pthread_mutex_lock(&ft->lock);
	for (int fd = min < 0 ? 0 : min; fd < limit; fd++) {
		if (!ft->fd[fd]) {
			ft->fd[fd] = f;
			ft->cloexec[fd] = cloexec;
			pthread_mutex_unlock(&ft->lock);
			return fd;
		}
	}
	pthread_mutex_unlock(&ft->lock);
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
	pthread_mutex_lock(&ft->lock);
	old = ft->fd[fd];
	ft->fd[fd] = f;
	ft->cloexec[fd] = cloexec;
	pthread_mutex_unlock(&ft->lock);
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
	struct file *f;

	if (fd < 0 || fd >= FDTABLE_MAX)
		return NULL;
	pthread_mutex_lock(&ft->lock);
	f = ft->fd[fd];
	if (f && !hold(f))
		f = NULL;
	pthread_mutex_unlock(&ft->lock);
	return f;
}

bool fdtable_cloexec(struct fdtable *ft, int fd)
{
	bool r;

	pthread_mutex_lock(&ft->lock);
	r = fd >= 0 && fd < FDTABLE_MAX && ft->cloexec[fd];
	pthread_mutex_unlock(&ft->lock);
	return r;
}

void fdtable_set_cloexec(struct fdtable *ft, int fd, bool on)
{
	pthread_mutex_lock(&ft->lock);
	if (fd >= 0 && fd < FDTABLE_MAX && ft->fd[fd])
		ft->cloexec[fd] = on;
	pthread_mutex_unlock(&ft->lock);
}

/* Takes fd out of the table; the caller closes what it returns. */
static struct file *take_locked(struct fdtable *ft, int fd)
{
	struct file *f = ft->fd[fd];

	ft->fd[fd] = NULL;
	ft->cloexec[fd] = false;
	return f;
}

int fdtable_close(struct fdtable *ft, int fd)
{
	struct file *f = NULL;

	if (fd >= 0 && fd < FDTABLE_MAX) {
		pthread_mutex_lock(&ft->lock);
		f = take_locked(ft, fd);
		pthread_mutex_unlock(&ft->lock);
	}
	if (!f)
		return -EBADF;
	close_file(ft, f);
	return 0;
}

/* Closes each open fd in [first, last] that matches; with only_cloexec,
 * those marked FD_CLOEXEC. */
static void close_matching(struct fdtable *ft, unsigned int first, unsigned int last,
			   bool only_cloexec)
{
	for (unsigned int fd = first; fd <= last && fd < FDTABLE_MAX; fd++) {
		struct file *f = NULL;

		pthread_mutex_lock(&ft->lock);
		if (ft->fd[fd] && (!only_cloexec || ft->cloexec[fd]))
			f = take_locked(ft, (int)fd);
		pthread_mutex_unlock(&ft->lock);
		if (f)
			close_file(ft, f);
	}
}

void fdtable_close_range(struct fdtable *ft, unsigned int first, unsigned int last, bool cloexec)
{
	if (!cloexec) {
		close_matching(ft, first, last, false);
		return;
	}
	pthread_mutex_lock(&ft->lock);
	for (unsigned int fd = first; fd <= last && fd < FDTABLE_MAX; fd++)
		if (ft->fd[fd])
			ft->cloexec[fd] = true;
	pthread_mutex_unlock(&ft->lock);
}

struct fdtable *fdtable_dup(struct fdtable *ft)
{
	struct fdtable *c = fdtable_create();

	if (!c)
		return NULL;
	pthread_mutex_lock(&ft->lock);
	for (int fd = 0; fd < FDTABLE_MAX; fd++) {
		if (!ft->fd[fd])
			continue;
		file_get(ft->fd[fd]);
		c->fd[fd] = ft->fd[fd];
		c->cloexec[fd] = ft->cloexec[fd];
	}
	pthread_mutex_unlock(&ft->lock);
	return c;
}

void fdtable_close_on_exec(struct fdtable *ft)
{
	close_matching(ft, 0, FDTABLE_MAX - 1, true);
}
