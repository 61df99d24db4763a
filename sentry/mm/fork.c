/* fork(2)'s address space: a copy of every private area in fresh
 * memory-file ranges, shared areas and host files mapped again, then all
 * of it mapped into the child's new stub. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "platform/platform.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm_priv.h"

/* Copies only the pages that hold data: the memory file is sparse, and
 * untouched memory must stay unallocated in the child too. */
static int copy_data(struct memfile *mf, uint64_t from, uint64_t to, uint64_t len)
{
	int fd = memfile_fd(mf);
	uint64_t pos = from, end = from + len;

	while (pos < end) {
		off_t data = lseek(fd, (off_t)pos, SEEK_DATA);
		off_t hole;

		if (data < 0)
			return errno == ENXIO ? 0 : -errno;
		if ((uint64_t)data >= end)
			return 0;
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0)
			return -errno;
		if ((uint64_t)hole > end)
			hole = (off_t)end;
		memcpy(memfile_ptr(mf, to + ((uint64_t)data - from)), memfile_ptr(mf, (uint64_t)data),
		       (size_t)(hole - data));
		pos = (uint64_t)hole;
	}
	return 0;
}

/* A MAP_SHARED area, or a private one nobody may write: the child maps the
 * very same memory (a private one to be copied before it is made writable). */
static int share_area(struct mm *child, struct vma *v)
{
	struct vma c = *v;
	int err = memfile_share(child->mf, v->off, v->end - v->start);

	if (err)
		return err;
	if (!(v->flags & VMA_SHARED)) {
		v->flags |= VMA_COW;
		c.flags |= VMA_COW;
	}
	c.file = vma_file_get(v->file);
	err = vma_insert(&child->vmas, &c);
	if (err) {
		vma_file_put(c.file);
		memfile_free(child->mf, v->off, v->end - v->start);
	}
	return err;
}

/* A host file the parent maps: the child maps it too, the same way. */
static int map_host_again(struct mm *child, const struct vma *v)
{
	struct vma c = *v;
	int err;

	c.file = vma_file_get(v->file);
	err = vma_insert(&child->vmas, &c);
	if (err)
		vma_file_put(c.file);
	return err;
}

/* What the parent sees of a private host-file area it may have written,
 * copied through its stub into the memory file; pages it cannot read (past
 * the end of the file) stay zero. */
static int copy_host_data(struct mm *parent, const struct vma *v, uint64_t to)
{
	uint64_t pos = v->start;

	while (pos < v->end) {
		uint64_t n = v->end - pos < (1u << 20) ? v->end - pos : (1u << 20);
		long got = parent->proc ? plat_proc_read(parent->proc,
							 memfile_ptr(parent->mf, to + (pos - v->start)),
							 pos, n) : -EFAULT;

		if (got <= 0)
			return 0;
		pos += (uint64_t)got;
	}
	return 0;
}

/* One area of the parent, given its own memory in the child: a private
 * host-file area the parent may have written becomes the child's copy
 * (its unwritten pages then no longer follow the file: a difference
 * mmap(2) leaves unspecified). */
static int copy_area(struct mm *parent, struct mm *child, struct vma *v)
{
	struct vma c = *v;
	uint64_t len = v->end - v->start;
	bool host = v->flags & VMA_HOST;
	int64_t off;
	int err;

	if (v->flags & VMA_DONTFORK)
		return 0;
	if (host && ((v->flags & VMA_SHARED) || !(v->flags & VMA_ACCOUNT)))
		return map_host_again(child, v);
	if (!host && !(v->flags & VMA_WIPEONFORK) &&
	    ((v->flags & VMA_SHARED) || !(v->prot & PROT_WRITE)))
		return share_area(child, v);
	off = memfile_alloc(child->mf, len);
	if (off < 0)
		return -ENOMEM;
	if (v->flags & VMA_WIPEONFORK)
		err = 0; /* a clean slate in the child */
	else if (host)
		err = copy_host_data(parent, v, (uint64_t)off);
	else
		err = copy_data(child->mf, v->off, (uint64_t)off, len);
	c.off = (uint64_t)off;
	c.flags &= ~(VMA_HOST | VMA_COW); /* memory of its own */
	c.file = vma_file_get(v->file);
	if (!err)
		err = vma_insert(&child->vmas, &c);
	if (err) {
		vma_file_put(c.file);
		memfile_free(child->mf, (uint64_t)off, len);
	}
	return err;
}

static int copy_areas_locked(struct mm *parent, struct mm *child)
{
	for (size_t i = 0; i < parent->vmas.n; i++) {
		struct vma *v = &parent->vmas.v[i];
		int err;

		if (v->flags & VMA_RESERVED)
			continue;
		err = copy_area(parent, child, v);
		if (err)
			return err;
	}
	child->mmap_base = parent->mmap_base;
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	child->exec = parent->exec;
	return 0;
}

int mm_fork(struct mm *parent, struct mm **out)
{
	struct mm *child;
	int err = mm_create(parent->mf, &child);

	if (err)
		return err;
	pthread_mutex_lock(&parent->lock);
	err = copy_areas_locked(parent, child);
	pthread_mutex_unlock(&parent->lock);
	if (err) {
		mm_destroy(child);
		return err;
	}
	*out = child;
	return 0;
}

int mm_replay(struct mm *mm, struct plat_thread *via)
{
	int err = 0;

	pthread_mutex_lock(&mm->lock);
	for (size_t i = 0; !err && i < mm->vmas.n; i++) {
		const struct vma *v = &mm->vmas.v[i];

		if (!(v->flags & VMA_RESERVED))
			err = mm_map_area(via, v);
	}
	pthread_mutex_unlock(&mm->lock);
	return err;
}
