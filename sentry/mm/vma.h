/* The sorted list of a guest's memory areas: pure bookkeeping, no host calls. */
#ifndef UMBRA_SENTRY_VMA_H
#define UMBRA_SENTRY_VMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMA_RESERVED 1u /* not guest memory (the stub's text): never carved */
#define VMA_NOWRITE 2u  /* a shared mapping of a file opened read-only */
#define VMA_SHARED 4u   /* mapped MAP_SHARED: /proc/PID/maps says 's' */
#define VMA_ACCOUNT 8u  /* private and writable once (VM_ACCOUNT): keeps areas apart */
/* Private, but its memory is shared with another address space (fork of a
 * read-only area): copied before it may be written (mm_protect). */
#define VMA_COW 16u
/* The stub maps the host file itself here (plat_map_file), shared or
 * private as VMA_SHARED says: no memory-file range; the sentry reaches it
 * by copying through the stub (plat_proc_read, plat_proc_write). */
#define VMA_HOST 32u
#define VMA_DONTFORK 64u   /* MADV_DONTFORK: a fork's child does not get it */
#define VMA_WIPEONFORK 128u /* MADV_WIPEONFORK: a fork's child gets it zeroed */
/* With VMA_RESERVED: the host's vDSO or its data (plat_vdso), which the
 * guest sees, runs and reads, and the sentry reads through the stub; its
 * file is only its name. */
#define VMA_SPECIAL 256u

/* The file an area maps, as /proc/PID/maps names it. Immutable and shared
 * by the pieces a mapping splits into; freed with its last reference. */
struct vma_file {
	_Atomic unsigned int refs;
	int host_fd;       /* VMA_HOST areas: the file they map, closed with the last reference */
	uint64_t dev, ino; /* as stat(2) shows the file to the guest */
	char path[];       /* canonical guest path */
};

struct vma {
	uint64_t start, end; /* [start, end), page-aligned */
	uint64_t off;        /* memory file offset of start */
	int prot;
	unsigned int flags;
	struct vma_file *file; /* NULL: anonymous */
	uint64_t pgoff;        /* file offset of start, in bytes */
};

struct vma_list {
	struct vma *v;
	size_t n, cap;
};

/* A new name with one reference (host_fd -1: the caller sets it for
 * VMA_HOST areas); NULL when out of memory. */
struct vma_file *vma_file_new(const char *path, uint64_t dev, uint64_t ino);
/* Both accept NULL. */
struct vma_file *vma_file_get(struct vma_file *f);
void vma_file_put(struct vma_file *f);

/* The list holds a reference to each area's file: vma_insert takes the
 * caller's, a split takes one more, carving drops the removed pieces' once
 * released has seen them, vma_list_free drops them all. */
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
/* Folds neighbours Linux would have merged into one area (mm/vma.c
 * vma_merge): adjacent, same protection and flags, the same file at
 * contiguous offsets or both anonymous. Works on a copy of a list's areas,
 * whose file references it drops for the areas folded away; returns the
 * new count. */
size_t vma_merge_view(struct vma *v, size_t n);
/* Highest free [x, x + len) within [lo, hi), or -ENOMEM. */
int64_t vma_find_gap(const struct vma_list *l, uint64_t len, uint64_t lo, uint64_t hi);

#endif
