/* VMA bookkeeping on a sorted array: lookups are binary searches. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sentry/lib/array.h"
#include "sentry/mm/vma.h"

struct vma_file *vma_file_new(const char *path, uint64_t dev, uint64_t ino)
{
	size_t len = strlen(path) + 1;
	struct vma_file *f = malloc(sizeof *f + len);

	if (!f)
		return NULL;
	atomic_init(&f->refs, 1);
	f->host_fd = -1;
	f->dev = dev;
	f->ino = ino;
	memcpy(f->path, path, len);
	return f;
}

struct vma_file *vma_file_get(struct vma_file *f)
{
	if (f)
		atomic_fetch_add(&f->refs, 1);
	return f;
}

void vma_file_put(struct vma_file *f)
{
	if (!f || atomic_fetch_sub(&f->refs, 1) != 1)
		return;
	if (f->host_fd >= 0)
		close(f->host_fd);
	free(f);
}

void vma_list_free(struct vma_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		vma_file_put(l->v[i].file);
	free(l->v);
	memset(l, 0, sizeof *l);
}

size_t vma_lower_bound(const struct vma_list *l, uint64_t addr)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->v[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct vma *vma_find(const struct vma_list *l, uint64_t addr)
{
	size_t i = vma_lower_bound(l, addr);

	if (i < l->n && l->v[i].start <= addr)
		return &l->v[i];
	return NULL;
}

int vma_reserve(struct vma_list *l, size_t extra)
{
	return array_reserve(&l->v, &l->cap, l->n + extra, sizeof *l->v);
}

static int vma_grow(struct vma_list *l)
{
	return vma_reserve(l, 1);
}

int vma_insert(struct vma_list *l, const struct vma *v)
{
	size_t i = vma_lower_bound(l, v->start);
	int err = vma_grow(l);

	if (err)
		return err;
	memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof *v);
	l->v[i] = *v;
	l->n++;
	return 0;
}

int vma_split_at(struct vma_list *l, uint64_t addr)
{
	struct vma *v = vma_find(l, addr);
	struct vma hi;
	int err;

	if (!v || v->start == addr)
		return 0;
	hi = *v;
	hi.start = addr;
	hi.off = v->off + (addr - v->start);
	hi.pgoff = v->pgoff + (addr - v->start);
	v->end = addr;
	err = vma_insert(l, &hi);
	if (err) {
		v = vma_find(l, addr - 1);
		v->end = hi.end;
	} else {
		vma_file_get(hi.file);
	}
	return err;
}

bool vma_range_free(const struct vma_list *l, uint64_t start, uint64_t end)
{
	size_t i = vma_lower_bound(l, start);

	return i == l->n || l->v[i].start >= end;
}

bool vma_range_reserved(const struct vma_list *l, uint64_t start, uint64_t end)
{
	for (size_t i = vma_lower_bound(l, start); i < l->n && l->v[i].start < end; i++)
		if (l->v[i].flags & VMA_RESERVED)
			return true;
	return false;
}

bool vma_range_mapped(const struct vma_list *l, uint64_t start, uint64_t end)
{
	uint64_t at = start;

	for (size_t i = vma_lower_bound(l, start); i < l->n && at < end; i++) {
		if (l->v[i].start > at)
			return false;
		at = l->v[i].end;
	}
	return at >= end;
}

int vma_carve(struct vma_list *l, uint64_t start, uint64_t end,
	      void (*released)(void *arg, const struct vma *piece), void *arg)
{
	size_t i, j;
	int err = vma_split_at(l, start);

	if (!err)
		err = vma_split_at(l, end);
	if (err)
		return err;
	i = vma_lower_bound(l, start);
	for (j = i; j < l->n && l->v[j].start < end; j++) {
		if (released)
			released(arg, &l->v[j]);
		vma_file_put(l->v[j].file);
	}
	memmove(&l->v[i], &l->v[j], (l->n - j) * sizeof(struct vma));
	l->n -= j - i;
	return 0;
}

static bool mergeable(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || a->prot != b->prot || a->flags != b->flags || a->file != b->file)
		return false;
	return !a->file || a->pgoff + (a->end - a->start) == b->pgoff;
}

size_t vma_merge_view(struct vma *v, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		if (out && mergeable(&v[out - 1], &v[i])) {
			v[out - 1].end = v[i].end;
			vma_file_put(v[i].file);
		} else {
			v[out++] = v[i];
		}
	}
	return out;
}

int64_t vma_find_gap(const struct vma_list *l, uint64_t len, uint64_t lo, uint64_t hi)
{
	size_t i = vma_lower_bound(l, hi);
	uint64_t top = hi;

	if (len > hi - lo)
		return -ENOMEM;
	/* Walk down from hi: each area below leaves the gap [its end, top). */
	for (;;) {
		uint64_t bottom = i > 0 ? l->v[i - 1].end : lo;

		if (i < l->n && l->v[i].start < top)
			top = l->v[i].start;
		if (bottom < lo)
			bottom = lo;
		if (top >= bottom + len && top - len >= lo)
			return (int64_t)(top - len);
		if (i == 0)
			return -ENOMEM;
		i--;
		top = l->v[i].start;
		if (top < lo + len)
			return -ENOMEM;
	}
}
