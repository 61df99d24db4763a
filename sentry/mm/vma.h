/* The sorted list of a guest's memory areas: pure bookkeeping, no host calls. */
#ifndef UMBRA_SENTRY_VMA_H
#define UMBRA_SENTRY_VMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMA_RESERVED 1u /* not guest memory (the stub's text): never carved */
#define VMA_NOWRITE 2u  /* a shared mapping of a file opened read-only */

struct vma {
	uint64_t start, end; /* [start, end), page-aligned */
	uint64_t off;        /* memory file offset of start */
	int prot;
	unsigned int flags;
};

struct vma_list {
	struct vma *v;
	size_t n, cap;
};

void vma_list_free(struct vma_list *l);
/* Index of the first area ending above addr (n if none). */
size_t vma_lower_bound(const struct vma_list *l, uint64_t addr);
/* The area containing addr, or NULL. */
struct vma *vma_find(const struct vma_list *l, uint64_t addr);
int vma_insert(struct vma_list *l, const struct vma *v);
/* Room for extra more areas, so that inserts and splits after it cannot fail. */
int vma_reserve(struct vma_list *l, size_t extra);
/* Splits so that no area straddles addr. */
int vma_split_at(struct vma_list *l, uint64_t addr);
bool vma_range_free(const struct vma_list *l, uint64_t start, uint64_t end);
bool vma_range_reserved(const struct vma_list *l, uint64_t start, uint64_t end);
/* Every byte of [start, end) is in some area. */
bool vma_range_mapped(const struct vma_list *l, uint64_t start, uint64_t end);
/* Removes [start, end), reporting each removed piece to released. */
int vma_carve(struct vma_list *l, uint64_t start, uint64_t end,
	      void (*released)(void *arg, const struct vma *piece), void *arg);
/* Highest free [x, x + len) within [lo, hi), or -ENOMEM. */
int64_t vma_find_gap(const struct vma_list *l, uint64_t len, uint64_t lo, uint64_t hi);

#endif
