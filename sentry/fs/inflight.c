/* The notes are a ring of the last INFLIGHT_NOTES files sent, each under
 * its host object (st_dev, st_ino), which the received fd is too. A note
 * says only what a guest of the sandbox held, so one that outlived its
 * message, or one of another fd of the same object, grants nothing that
 * guests did not have; a file whose note is gone is received as before, as
 * given. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sentry/fs/fdtable.h"
#include "sentry/fs/inflight.h"

struct note {
	dev_t dev;
	ino_t ino;
	const struct mount *mnt; /* NULL: a free slot */
	char *path;
	int flags;
};

struct inflight {
	pthread_mutex_t lock;
	struct note notes[INFLIGHT_NOTES];
	unsigned int next; /* the slot the next note takes */
};

int inflight_create(struct inflight **out)
{
	struct inflight *in = calloc(1, sizeof *in);

	if (!in)
		return -ENOMEM;
	pthread_mutex_init(&in->lock, NULL);
	*out = in;
	return 0;
}

void inflight_destroy(struct inflight *in)
{
	if (!in)
		return;
	for (int i = 0; i < INFLIGHT_NOTES; i++)
		free(in->notes[i].path);
	pthread_mutex_destroy(&in->lock);
	free(in);
}

void inflight_note(struct inflight *in, const struct file *f)
{
	struct stat st = { 0 };
	struct note *n;
	char *path = NULL;

	if (!f->mnt || fstat(f->host_fd, &st) < 0 || (f->path && !(path = strdup(f->path))))
		return; /* unnoted: received as given, which reveals less */
	pthread_mutex_lock(&in->lock);
	n = &in->notes[in->next++ % INFLIGHT_NOTES];
	free(n->path);
	*n = (struct note){ st.st_dev, st.st_ino, f->mnt, path, f->flags };
	pthread_mutex_unlock(&in->lock);
}

/* The newest note of (dev, ino); called with the lock held. */
static const struct note *find(const struct inflight *in, dev_t dev, ino_t ino)
{
	for (unsigned int i = 1; i <= INFLIGHT_NOTES; i++) {
		const struct note *n = &in->notes[(in->next - i) % INFLIGHT_NOTES];

		if (n->mnt && n->dev == dev && n->ino == ino)
			return n;
	}
	return NULL;
}

struct file *inflight_file(struct inflight *in, int host_fd)
{
	const struct note *n = NULL;
	struct stat st = { 0 };
	struct file *f;
	int fl;

	pthread_mutex_lock(&in->lock);
	if (fstat(host_fd, &st) == 0)
		n = find(in, st.st_dev, st.st_ino);
	if (n) {
		f = file_new(host_fd, n->flags, n->mnt, n->path);
	} else {
		fl = fcntl(host_fd, F_GETFL);
		f = file_new(host_fd, fl < 0 ? O_RDWR : fl, NULL, NULL);
	}
	pthread_mutex_unlock(&in->lock);
	/* A file open for writing counts as a writer in every process that
	 * holds it (ETXTBSY for exec): the receiver's file too, unless a
	 * program runs it now. */
	if (f)
		file_count_writer(f);
	return f;
}
