/* mremap(2) and brk(2): growing, shrinking and moving areas. A move keeps the
 * memory file ranges and maps them again at the new place: nothing is copied
 * but the written pages of a private host-file mapping. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/arch.h"
#include "platform/platform.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm_priv.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

/* [addr, addr+len) as one stretch of mapped areas with one protection. */
static int same_stretch(struct mm *mm, uint64_t addr, uint64_t len, int *prot)
{
	size_t i = vma_lower_bound(&mm->vmas, addr);

	if (len > ARCH_TASK_SIZE || addr > ARCH_TASK_SIZE - len || i == mm->vmas.n)
		return -EFAULT;
	if (!vma_range_mapped(&mm->vmas, addr, addr + len) ||
	    vma_range_reserved(&mm->vmas, addr, addr + len))
		return -EFAULT;
	*prot = mm->vmas.v[i].prot;
	for (; i < mm->vmas.n && mm->vmas.v[i].start < addr + len; i++)
		if (mm->vmas.v[i].prot != *prot)
			return -EFAULT;
	return 0;
}

/* The tail of a grown mapping continues the area before it: the same file
 * at the next offsets, the same kind of mapping. */
static void continue_area(struct mm *mm, struct vma *tail)
{
	const struct vma *prev = vma_find(&mm->vmas, tail->start - 1);

	if (!prev)
		return;
	tail->flags = prev->flags & (VMA_SHARED | VMA_NOWRITE | VMA_ACCOUNT | VMA_HOST);
	tail->file = vma_file_get(prev->file);
	tail->pgoff = prev->pgoff + (tail->start - prev->start);
}

static long grow_in_place(struct mm *mm, struct plat_thread *via, uint64_t addr,
			  uint64_t old_len, uint64_t new_len, int prot)
{
	uint64_t tail = addr + old_len, extra = new_len - old_len;
	struct vma v = { tail, tail + extra, 0, prot, 0, NULL, 0 };
	int64_t off = -1;
	int err;

	continue_area(mm, &v);
	if (!(v.flags & VMA_HOST)) {
		off = memfile_alloc(mm->mf, extra);
		if (off < 0) {
			vma_file_put(v.file);
			return -ENOMEM;
		}
		v.off = (uint64_t)off;
	}
	err = mm_map_area(via, &v);
	if (!err)
		err = vma_insert(&mm->vmas, &v);
	if (err) {
		vma_file_put(v.file);
		if (off >= 0)
			memfile_free(mm->mf, (uint64_t)off, extra);
		return err;
	}
	return (long)addr;
}

/* A private host-file piece moved: the pages the guest wrote are its own,
 * so its contents come along (up to the end of the file). */
static void move_contents(struct mm *mm, const struct vma *from, uint64_t to)
{
	char buf[4096];

	for (uint64_t pos = from->start; pos < from->end && mm->proc; pos += sizeof buf) {
		if (plat_proc_read(mm->proc, buf, pos, sizeof buf) != (long)sizeof buf ||
		    plat_proc_write(mm->proc, to + (pos - from->start), buf, sizeof buf) !=
			    (long)sizeof buf)
			return;
	}
}

struct moved {
	struct vma *v;
	size_t n;
};

/* Keeps the piece, and a reference to its file, which the carve drops. */
static void collect(void *arg, const struct vma *piece)
{
	struct moved *m = arg;

	m->v[m->n++] = *piece;
	vma_file_get(piece->file);
}

/* Maps the old pieces at dest, drops them from the old place, then grows. */
static long move_to(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t old_len,
		    uint64_t new_len, uint64_t dest, int prot)
{
	size_t first = vma_lower_bound(&mm->vmas, addr), count = 0;
	struct moved m = { NULL, 0 };
	int err = 0;

	while (first + count < mm->vmas.n && mm->vmas.v[first + count].start < addr + old_len)
		count++;
	m.v = calloc(count + 2, sizeof *m.v); /* the carve may split two more */
	if (!m.v)
		return -ENOMEM;
	err = vma_carve(&mm->vmas, addr, addr + old_len, collect, &m);
	for (size_t i = 0; i < m.n; i++) {
		struct vma v = m.v[i];

		v.start = dest + (m.v[i].start - addr);
		v.end = dest + (m.v[i].end - addr);
		if (!err)
			err = mm_map_area(via, &v);
		if (!err && (v.flags & (VMA_HOST | VMA_SHARED | VMA_ACCOUNT)) ==
				    (VMA_HOST | VMA_ACCOUNT))
			move_contents(mm, &m.v[i], v.start);
		if (!err)
			err = vma_insert(&mm->vmas, &v); /* the list takes the reference */
		if (err)
			vma_file_put(v.file);
	}
	free(m.v);
	if (!err)
		err = plat_unmap(via, addr, old_len);
	if (!err && new_len > old_len)
		return grow_in_place(mm, via, dest, old_len, new_len, prot);
	return err ? err : (long)dest;
}

static long remap_locked(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t old_len,
			 uint64_t new_len, int flags, uint64_t new_addr)
{
	int prot, err = same_stretch(mm, addr, old_len, &prot);
	int64_t dest;

	if (err)
		return err;
	if (flags & MREMAP_FIXED) {
		if (new_addr & (ARCH_PAGE_SIZE - 1) || new_len > ARCH_TASK_SIZE ||
		    new_addr > ARCH_TASK_SIZE - new_len ||
		    (new_addr < addr + old_len && addr < new_addr + new_len))
			return -EINVAL;
		if (vma_range_reserved(&mm->vmas, new_addr, new_addr + new_len))
			return -ENOMEM;
		err = mm_unmap_locked(mm, via, new_addr, new_len);
		if (err)
			return err;
		if (new_len < old_len) {
			err = mm_unmap_locked(mm, via, addr + new_len, old_len - new_len);
			old_len = new_len;
		}
		return err ? err : move_to(mm, via, addr, old_len, new_len, new_addr, prot);
	}
	if (new_len <= old_len) {
		if (new_len < old_len)
			err = mm_unmap_locked(mm, via, addr + new_len, old_len - new_len);
		return err ? err : (long)addr;
	}
	if (new_len <= ARCH_TASK_SIZE - addr &&
	    vma_range_free(&mm->vmas, addr + old_len, addr + new_len))
		return grow_in_place(mm, via, addr, old_len, new_len, prot);
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	dest = vma_find_gap(&mm->vmas, new_len, 0x10000, mm->mmap_base);
	if (dest < 0)
		return dest;
	return move_to(mm, via, addr, old_len, new_len, (uint64_t)dest, prot);
}

long mm_remap(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t old_len,
	      uint64_t new_len, int flags, uint64_t new_addr)
{
	long r;

	/* mm/mremap.c: flag and alignment checks come first. */
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (flags & MREMAP_DONTUNMAP)
		return -EINVAL; /* only for private anonymous memory shared with nobody: not yet */
	if (addr & (ARCH_PAGE_SIZE - 1))
		return -EINVAL;
	old_len = (old_len + ARCH_PAGE_SIZE - 1) & ~(ARCH_PAGE_SIZE - 1);
	new_len = (new_len + ARCH_PAGE_SIZE - 1) & ~(ARCH_PAGE_SIZE - 1);
	if (!new_len)
		return -EINVAL;
	if (!old_len)
		return -EINVAL; /* duplicating a shared mapping: umbra's anonymous memory is private */
	pthread_mutex_lock(&mm->lock);
	r = remap_locked(mm, via, addr, old_len, new_len, flags, new_addr);
	pthread_mutex_unlock(&mm->lock);
	return r;
}

static uint64_t page_up(uint64_t x)
{
	return (x + ARCH_PAGE_SIZE - 1) & ~(ARCH_PAGE_SIZE - 1);
}

/* mm/mmap.c brk: returns the new break, or the old one when refused. */
long mm_set_brk(struct mm *mm, struct plat_thread *via, uint64_t brk)
{
	uint64_t old_top, new_top;
	long r;

	pthread_mutex_lock(&mm->lock);
	old_top = page_up(mm->brk);
	new_top = page_up(brk);
	if (brk < mm->brk_start || brk > ARCH_TASK_SIZE)
		goto out;
	if (new_top > old_top) {
		if (!vma_range_free(&mm->vmas, old_top, new_top))
			goto out;
		r = mm_map_locked(mm, via, old_top, new_top - old_top, PROT_READ | PROT_WRITE, MM_FIXED);
		if (r < 0)
			goto out;
	} else if (new_top < old_top && mm_unmap_locked(mm, via, new_top, old_top - new_top) < 0) {
		goto out;
	}
	mm->brk = brk;
out:
	r = (long)mm->brk;
	pthread_mutex_unlock(&mm->lock);
	return r;
}
