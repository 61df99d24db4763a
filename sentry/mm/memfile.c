/* Memory file allocation: a bump pointer with a sorted, coalescing free list. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sentry/lib/array.h"
#include "sentry/mm/memfile.h"

struct extent {
	uint64_t off, len;
};

/* A range two address spaces map (MAP_SHARED across fork). */
struct shared_range {
	uint64_t off, len;
	unsigned int refs;
};

struct memfile {
	int fd;
	uint8_t *base;
	uint64_t size;
	uint64_t top;
	pthread_mutex_t lock;
	struct extent *free;
	size_t nfree, capfree;
	struct shared_range *shared;
	size_t nshared;
};

int memfile_create(uint64_t size, struct memfile **out)
{
	struct memfile *mf = calloc(1, sizeof *mf);
	int err = 0;

	if (!mf)
		return -ENOMEM;
	mf->size = size;
	pthread_mutex_init(&mf->lock, NULL);
	mf->fd = memfd_create("umbra-memory", MFD_CLOEXEC);
	if (mf->fd < 0 || ftruncate(mf->fd, (off_t)size) < 0)
		err = -errno;
	if (!err) {
		mf->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
				mf->fd, 0);
		if (mf->base == MAP_FAILED) {
			mf->base = NULL;
			err = -errno;
		}
	}
	if (err) {
		memfile_destroy(mf);
		return err;
	}
	*out = mf;
	return 0;
}

void memfile_destroy(struct memfile *mf)
{
	if (!mf)
		return;
	if (mf->base)
		munmap(mf->base, mf->size);
	if (mf->fd >= 0)
		close(mf->fd);
	free(mf->free);
	free(mf->shared);
	pthread_mutex_destroy(&mf->lock);
	free(mf);
}

int memfile_fd(const struct memfile *mf)
{
	return mf->fd;
}

void *memfile_ptr(const struct memfile *mf, uint64_t off)
{
	return mf->base + off;
}

static int64_t take_free(struct memfile *mf, uint64_t len)
{
	for (size_t i = 0; i < mf->nfree; i++) {
		struct extent *e = &mf->free[i];
		uint64_t off = e->off;

		if (e->len < len)
			continue;
		e->off += len;
		e->len -= len;
		if (!e->len) {
			memmove(e, e + 1, (mf->nfree - i - 1) * sizeof *e);
			mf->nfree--;
		}
		return (int64_t)off;
	}
	return -ENOMEM;
}

int64_t memfile_alloc(struct memfile *mf, uint64_t len)
{
	int64_t off;

	pthread_mutex_lock(&mf->lock);
	off = take_free(mf, len);
	if (off < 0 && len <= mf->size - mf->top) {
		off = (int64_t)mf->top;
		mf->top += len;
	}
	pthread_mutex_unlock(&mf->lock);
	return off;
}

static int add_free(struct memfile *mf, uint64_t off, uint64_t len)
{
	size_t i = 0;

	while (i < mf->nfree && mf->free[i].off < off)
		i++;
	if (i > 0 && mf->free[i - 1].off + mf->free[i - 1].len == off) {
		mf->free[i - 1].len += len;
		if (i < mf->nfree && off + len == mf->free[i].off) {
			mf->free[i - 1].len += mf->free[i].len;
			memmove(&mf->free[i], &mf->free[i + 1], (mf->nfree - i - 1) * sizeof(struct extent));
			mf->nfree--;
		}
		return 0;
	}
	if (i < mf->nfree && off + len == mf->free[i].off) {
		mf->free[i].off = off;
		mf->free[i].len += len;
		return 0;
	}
	if (array_reserve(&mf->free, &mf->capfree, mf->nfree + 1, sizeof *mf->free) < 0)
		return -ENOMEM;
	memmove(&mf->free[i + 1], &mf->free[i], (mf->nfree - i) * sizeof(struct extent));
	mf->free[i] = (struct extent){ off, len };
	mf->nfree++;
	return 0;
}

int memfile_zero(struct memfile *mf, uint64_t off, uint64_t len)
{
	if (fallocate(mf->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) < 0)
		return -errno;
	return 0;
}

/* The shared range overlapping [off, off+len), or NULL; lock held. */
static struct shared_range *find_shared(struct memfile *mf, uint64_t off, uint64_t len)
{
	for (size_t i = 0; i < mf->nshared; i++) {
		struct shared_range *s = &mf->shared[i];

		if (off < s->off + s->len && s->off < off + len)
			return s;
	}
	return NULL;
}

int memfile_share(struct memfile *mf, uint64_t off, uint64_t len)
{
	struct shared_range *s, *n;
	int err = 0;

	pthread_mutex_lock(&mf->lock);
	s = find_shared(mf, off, len);
	if (s) {
		s->refs++;
	} else if ((n = realloc(mf->shared, (mf->nshared + 1) * sizeof *n))) {
		mf->shared = n;
		mf->shared[mf->nshared++] = (struct shared_range){ off, len, 2 };
	} else {
		err = -ENOMEM;
	}
	pthread_mutex_unlock(&mf->lock);
	return err;
}

/* Whether a freed range may go: not while another address space maps it.
 * Dropping a whole shared range drops one user; a part of one stays until
 * the last user drops it whole (a leak, never a reuse of live memory). */
static bool release_shared(struct memfile *mf, uint64_t off, uint64_t len)
{
	struct shared_range *s;
	bool last = true;

	pthread_mutex_lock(&mf->lock);
	s = find_shared(mf, off, len);
	if (s) {
		last = false;
		if (s->off == off && s->len == len && --s->refs == 1) {
			*s = mf->shared[--mf->nshared];
		}
	}
	pthread_mutex_unlock(&mf->lock);
	return last;
}

void memfile_free(struct memfile *mf, uint64_t off, uint64_t len)
{
	if (!release_shared(mf, off, len))
		return;
	/* Zero before reuse: a range handed out again must read as zeroes. If the
	 * hole cannot be punched, the range is leaked rather than reused dirty. */
	if (memfile_zero(mf, off, len) < 0)
		return;
	pthread_mutex_lock(&mf->lock);
	add_free(mf, off, len);
	pthread_mutex_unlock(&mf->lock);
}
