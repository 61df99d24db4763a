/* A sandbox's cache of file contents for read-only private mappings: the
 * libraries every dynamic program maps are read once into the memory file
 * and then mapped from there by every process (as VMA_COW areas, copied if
 * ever made writable), as Linux maps them from its page cache. An entry is
 * one (file, offset, length) as it was: the key holds the file's size and
 * times, so a file changed on the host is read again. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sentry/lib/array.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/pagecache.h"

#define PAGECACHE_MAX_BYTES (512ULL << 20)

struct pc_entry {
	uint64_t dev, ino, size, off, len;
	int64_t mtime_ns, ctime_ns;
	uint64_t memoff;
	uint64_t used; /* tick of the last hit, for eviction */
};

struct pagecache {
	pthread_mutex_t lock;
	struct memfile *mf;
	struct pc_entry *e;
	size_t n, cap;
	uint64_t bytes, tick;
};

int pagecache_create(struct memfile *mf, struct pagecache **out)
{
	struct pagecache *pc = calloc(1, sizeof *pc);

	if (!pc)
		return -ENOMEM;
	pthread_mutex_init(&pc->lock, NULL);
	pc->mf = mf;
	*out = pc;
	return 0;
}

void pagecache_destroy(struct pagecache *pc)
{
	if (!pc)
		return;
	free(pc->e);
	pthread_mutex_destroy(&pc->lock);
	free(pc);
}

static struct pc_entry key_of(const struct stat *st, uint64_t off, uint64_t len)
{
	struct pc_entry k = { (uint64_t)st->st_dev, (uint64_t)st->st_ino, (uint64_t)st->st_size,
			      off, len,
			      (int64_t)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec,
			      (int64_t)st->st_ctim.tv_sec * 1000000000LL + st->st_ctim.tv_nsec, 0, 0 };
	return k;
}

static bool same(const struct pc_entry *a, const struct pc_entry *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->off == b->off &&
	       a->len == b->len && a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* A hit: one more user of its memory for the caller; lock held. */
static int hit_locked(struct pagecache *pc, const struct pc_entry *k, int64_t *memoff)
{
	for (size_t i = 0; i < pc->n; i++) {
		struct pc_entry *e = &pc->e[i];

		if (!same(e, k))
			continue;
		if (memfile_share(pc->mf, e->memoff, e->len) < 0)
			return -ENOMEM;
		e->used = ++pc->tick;
		*memoff = (int64_t)e->memoff;
		return 1;
	}
	return 0;
}

/* The least recently used entries go until the cache fits; their memory
 * stays with the mappings that still use it. Lock held. */
static void evict_locked(struct pagecache *pc)
{
	while (pc->bytes > PAGECACHE_MAX_BYTES && pc->n) {
		size_t old = 0;

		for (size_t i = 1; i < pc->n; i++)
			if (pc->e[i].used < pc->e[old].used)
				old = i;
		memfile_free(pc->mf, pc->e[old].memoff, pc->e[old].len);
		pc->bytes -= pc->e[old].len;
		pc->e[old] = pc->e[--pc->n];
	}
}

static int insert_locked(struct pagecache *pc, const struct pc_entry *e)
{
	if (array_reserve(&pc->e, &pc->cap, pc->n + 1, sizeof *pc->e) < 0)
		return -ENOMEM;
	pc->e[pc->n++] = *e;
	pc->bytes += e->len;
	evict_locked(pc);
	return 0;
}

/* Reads [off, off + len) of the file into fresh memory; past its end the
 * memory stays zero. */
static int64_t read_range(struct pagecache *pc, int fd, uint64_t off, uint64_t len)
{
	int64_t mem = memfile_alloc(pc->mf, len);
	uint64_t done = 0;

	if (mem < 0)
		return -ENOMEM;
	while (done < len) {
		ssize_t n = pread(fd, memfile_ptr(pc->mf, (uint64_t)mem + done), len - done,
				  (off_t)(off + done));

		if (n < 0) {
			memfile_free(pc->mf, (uint64_t)mem, len);
			return -errno;
		}
		if (n == 0)
			break;
		done += (uint64_t)n;
	}
	return mem;
}

int pagecache_get(struct pagecache *pc, int fd, const struct stat *st, uint64_t off, uint64_t len,
		  int64_t *memoff)
{
	struct pc_entry k = key_of(st, off, len);
	int64_t mem;
	int r;

	pthread_mutex_lock(&pc->lock);
	r = hit_locked(pc, &k, memoff);
	pthread_mutex_unlock(&pc->lock);
	if (r)
		return r < 0 ? r : 0;
	mem = read_range(pc, fd, off, len);
	if (mem < 0)
		return (int)mem;
	k.memoff = (uint64_t)mem;
	pthread_mutex_lock(&pc->lock);
	r = hit_locked(pc, &k, memoff); /* another thread read it meanwhile */
	if (!r) {
		k.used = ++pc->tick;
		r = insert_locked(pc, &k); /* the cache's own user */
		if (r) {
			pthread_mutex_unlock(&pc->lock);
			memfile_free(pc->mf, (uint64_t)mem, len);
			return r;
		}
		r = memfile_share(pc->mf, k.memoff, len);
		if (!r)
			*memoff = mem;
		pthread_mutex_unlock(&pc->lock);
		return r;
	}
	pthread_mutex_unlock(&pc->lock);
	memfile_free(pc->mf, (uint64_t)mem, len); /* not needed after all */
	return r < 0 ? r : 0;
}
