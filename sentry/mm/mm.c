/* Guest address spaces: every change is made to the VMA list, the memory file
 * and, by injection, the stub. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch/arch.h"
#include "platform/platform.h"
#include "sentry/lib/writecount.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm_priv.h"

#define MMAP_MIN_ADDR 0x10000ULL

/* The host's vDSO and its data, where every stub keeps them (plat_vdso). */
static int insert_vdso(struct mm *mm)
{
	const struct plat_vdso *d = plat_vdso();

	for (size_t i = 0; i < d->n; i++) {
		struct vma v = { d->area[i].start, d->area[i].end, 0, d->area[i].prot,
				 VMA_RESERVED | VMA_SPECIAL, vma_file_new(d->area[i].name, 0, 0), 0 };

		if (!v.file || vma_insert(&mm->vmas, &v) < 0) {
			vma_file_put(v.file);
			return -ENOMEM;
		}
	}
	return 0;
}

int mm_create(struct memfile *mf, struct mm **out)
{
	struct vma stub = { ARCH_STUB_BASE, ARCH_STUB_BASE + ARCH_STUB_SIZE, 0,
			    PROT_READ | PROT_EXEC, VMA_RESERVED, NULL, 0 };
	struct mm *mm = calloc(1, sizeof *mm);

	if (!mm)
		return -ENOMEM;
	mm->mf = mf;
	mm->refs = 1;
	mm->mmap_base = ARCH_STUB_BASE;
	pthread_mutex_init(&mm->lock, NULL);
	if (vma_insert(&mm->vmas, &stub) < 0 || insert_vdso(mm) < 0) {
		vma_list_free(&mm->vmas);
		pthread_mutex_destroy(&mm->lock);
		free(mm);
		return -ENOMEM;
	}
	*out = mm;
	return 0;
}

int mm_map_area(struct plat_thread *via, const struct vma *v)
{
	if (v->flags & VMA_HOST)
		return plat_map_file(via, v->start, v->end - v->start, v->prot,
				     v->flags & VMA_SHARED, v->file->host_fd, v->pgoff);
	return plat_map(via, v->start, v->end - v->start, v->prot, v->off);
}

void mm_release_piece(void *arg, const struct vma *piece)
{
	struct mm *mm = arg;

	if (!(piece->flags & (VMA_RESERVED | VMA_HOST)))
		memfile_free(mm->mf, piece->off, piece->end - piece->start);
}

struct mm *mm_share(struct mm *mm)
{
	__atomic_add_fetch(&mm->refs, 1, __ATOMIC_RELAXED);
	return mm;
}

void mm_destroy(struct mm *mm)
{
	if (!mm || __atomic_sub_fetch(&mm->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (size_t i = 0; i < mm->vmas.n; i++)
		mm_release_piece(mm, &mm->vmas.v[i]);
	vma_list_free(&mm->vmas);
	if (mm->exe_denied)
		writecount_allow(mm->exe_dev, mm->exe_ino);
	pthread_mutex_destroy(&mm->lock);
	free(mm);
}

int mm_word(struct mm *mm, uint64_t addr, bool write, struct mm_word *w)
{
	const struct vma *v;
	int err = -EFAULT;

	memset(w, 0, sizeof *w);
	pthread_mutex_lock(&mm->lock);
	v = vma_find(&mm->vmas, addr);
	if (v && !(v->flags & VMA_RESERVED) && (v->prot & (write ? PROT_WRITE : PROT_READ)) &&
	    addr + sizeof(uint32_t) <= v->end && (!(v->flags & VMA_HOST) || mm->proc)) {
		if (v->flags & VMA_HOST) {
			w->proc = mm->proc;
			w->addr = addr;
			w->key[0] = v->file->dev;
			w->key[1] = v->file->ino; /* never 0 for a file */
			w->key[2] = v->pgoff + (addr - v->start);
		} else {
			w->key[2] = v->off + (addr - v->start);
			w->ptr = memfile_ptr(mm->mf, w->key[2]);
		}
		err = 0;
	}
	pthread_mutex_unlock(&mm->lock);
	return err;
}

int mm_word_load(const struct mm_word *w, uint32_t *val)
{
	if (w->ptr) {
		*val = __atomic_load_n(w->ptr, __ATOMIC_SEQ_CST);
		return 0;
	}
	return plat_proc_read(w->proc, val, w->addr, sizeof *val) == sizeof *val ? 0 : -EFAULT;
}

int mm_word_cmpxchg(const struct mm_word *w, uint32_t *expected, uint32_t desired)
{
	uint32_t seen;

	if (w->ptr)
		return __atomic_compare_exchange_n(w->ptr, expected, desired, false,
						   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	if (mm_word_load(w, &seen))
		return -EFAULT;
	if (seen != *expected) {
		*expected = seen;
		return 0;
	}
	return plat_proc_write(w->proc, w->addr, &desired, sizeof desired) == sizeof desired
		       ? 1 : -EFAULT;
}

void mm_set_proc(struct mm *mm, struct plat_proc *proc)
{
	mm->proc = proc;
}

struct plat_proc *mm_proc(const struct mm *mm)
{
	return mm->proc;
}

void mm_set_layout(struct mm *mm, uint64_t mmap_base, uint64_t brk_start)
{
	mm->mmap_base = mmap_base;
	mm->brk_start = mm->brk = brk_start;
}

uint64_t mm_brk(struct mm *mm)
{
	return mm->brk;
}

uint64_t mm_total_outside(struct mm *mm, uint64_t addr, uint64_t len)
{
	uint64_t total = 0, end = addr + len;

	pthread_mutex_lock(&mm->lock);
	for (size_t i = 0; i < mm->vmas.n; i++) {
		const struct vma *v = &mm->vmas.v[i];
		uint64_t lo = v->start > addr ? v->start : addr;
		uint64_t hi = v->end < end ? v->end : end;

		if (v->flags & VMA_RESERVED)
			continue;
		total += v->end - v->start;
		if (lo < hi)
			total -= hi - lo;
	}
	pthread_mutex_unlock(&mm->lock);
	return total;
}

static int range_ok(uint64_t addr, uint64_t len)
{
	return len && addr >= MMAP_MIN_ADDR && addr <= ARCH_TASK_SIZE &&
	       len <= ARCH_TASK_SIZE - addr;
}

static int64_t choose_addr(struct mm *mm, uint64_t addr, uint64_t len, enum mm_place place)
{
	if (place != MM_HINT) {
		if (!range_ok(addr, len))
			return -EINVAL;
		if (vma_range_reserved(&mm->vmas, addr, addr + len))
			return -ENOMEM;
		if (place == MM_NOREPLACE && !vma_range_free(&mm->vmas, addr, addr + len))
			return -EEXIST;
		return (int64_t)addr;
	}
	if (addr && range_ok(addr, len) && vma_range_free(&mm->vmas, addr, addr + len))
		return (int64_t)addr;
	return vma_find_gap(&mm->vmas, len, MMAP_MIN_ADDR, mm->mmap_base);
}

/* Where an area's memory comes from and how the stub maps it: fresh memory,
 * a range of the memory file the caller has counted one more user of
 * (memfile_share; a VMA_COW area), or the host file itself (VMA_HOST). */
static int back_area(struct mm *mm, struct plat_thread *via, struct vma *v,
		     const struct mm_source *src)
{
	uint64_t len = v->end - v->start;
	int64_t off;
	int err;

	if (src && src->file && src->file->host_fd >= 0) {
		v->flags = VMA_HOST | (src->shared ? VMA_SHARED : v->flags);
		return plat_map_file(via, v->start, len, v->prot, src->shared, src->file->host_fd,
				     src->pgoff);
	}
	if (src && src->cached >= 0) {
		v->flags = VMA_COW;
		off = src->cached;
	} else {
		off = memfile_alloc(mm->mf, len);
	}
	if (off < 0)
		return -ENOMEM;
	v->off = (uint64_t)off;
	err = plat_map(via, v->start, len, v->prot, (uint64_t)off);
	if (err && !(src && src->cached >= 0))
		memfile_free(mm->mf, (uint64_t)off, len);
	return err;
}

/* Maps an area at a chosen address, named after src if there is one;
 * mm->lock held. */
static long map_at_locked(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t len,
			  int prot, enum mm_place place, const struct mm_source *src)
{
	struct vma v = { 0, 0, 0, prot, prot & PROT_WRITE ? VMA_ACCOUNT : 0, NULL, 0 };
	int64_t at = choose_addr(mm, addr, len, place);
	int err;

	if (at < 0)
		return at;
	/* A carve splits at most two areas and the insert adds one: once the
	 * stub maps the range, the bookkeeping must not fail. */
	if (vma_reserve(&mm->vmas, 3) < 0)
		return -ENOMEM;
	v.start = (uint64_t)at;
	v.end = (uint64_t)at + len;
	err = back_area(mm, via, &v, src);
	if (err)
		return err;
	vma_carve(&mm->vmas, v.start, v.end, mm_release_piece, mm);
	if (src) {
		v.file = vma_file_get(src->file);
		v.pgoff = src->pgoff;
		if (src->shared)
			v.flags = (v.flags & ~VMA_ACCOUNT) | VMA_SHARED;
	}
	vma_insert(&mm->vmas, &v);
	return at;
}

long mm_map_locked(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t len,
		   int prot, enum mm_place place)
{
	return map_at_locked(mm, via, addr, len, prot, place, NULL);
}

long mm_map(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t len, int prot,
	    enum mm_place place, const struct mm_source *src)
{
	long r;

	pthread_mutex_lock(&mm->lock);
	r = map_at_locked(mm, via, addr, len, prot, place, src);
	pthread_mutex_unlock(&mm->lock);
	return r;
}

long mm_map_anon(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t len,
		 int prot, enum mm_place place)
{
	return mm_map(mm, via, addr, len, prot, place, NULL);
}

int mm_name(struct mm *mm, uint64_t addr, uint64_t len, struct vma_file *file, uint64_t pgoff)
{
	uint64_t end = addr + len;
	int err;

	pthread_mutex_lock(&mm->lock);
	err = vma_split_at(&mm->vmas, addr);
	if (!err)
		err = vma_split_at(&mm->vmas, end);
	for (size_t i = vma_lower_bound(&mm->vmas, addr); !err && i < mm->vmas.n &&
	     mm->vmas.v[i].start < end; i++) {
		struct vma *v = &mm->vmas.v[i];

		vma_file_put(v->file);
		v->file = vma_file_get(file);
		v->pgoff = pgoff + (v->start - addr);
		v->flags &= ~VMA_ACCOUNT; /* as if mapped from the file as it is now */
		v->flags |= v->prot & PROT_WRITE ? VMA_ACCOUNT : 0;
	}
	pthread_mutex_unlock(&mm->lock);
	return err;
}

int mm_unmap_locked(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t len)
{
	int err;

	if (vma_range_reserved(&mm->vmas, addr, addr + len))
		return -EINVAL;
	if (vma_reserve(&mm->vmas, 2) < 0)
		return -ENOMEM;
	err = plat_unmap(via, addr, len);
	if (!err)
		err = vma_carve(&mm->vmas, addr, addr + len, mm_release_piece, mm);
	return err;
}

int mm_unmap(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t len)
{
	int err;

	if (!len || addr > ARCH_TASK_SIZE || len > ARCH_TASK_SIZE - addr)
		return -EINVAL;
	pthread_mutex_lock(&mm->lock);
	err = mm_unmap_locked(mm, via, addr, len);
	pthread_mutex_unlock(&mm->lock);
	return err;
}

void mm_deny_write(struct mm *mm, uint64_t addr, uint64_t len)
{
	pthread_mutex_lock(&mm->lock);
	for (size_t i = vma_lower_bound(&mm->vmas, addr); i < mm->vmas.n &&
	     mm->vmas.v[i].start < addr + len; i++)
		mm->vmas.v[i].flags |= VMA_NOWRITE;
	pthread_mutex_unlock(&mm->lock);
}

static bool write_denied(const struct mm *mm, uint64_t addr, uint64_t end)
{
	for (size_t i = vma_lower_bound(&mm->vmas, addr); i < mm->vmas.n &&
	     mm->vmas.v[i].start < end; i++)
		if (mm->vmas.v[i].flags & VMA_NOWRITE)
			return true;
	return false;
}

/* A VMA_COW area about to become writable gets memory of its own, with
 * the same contents, in place of the shared memory; mm->lock held. */
static int unshare_locked(struct mm *mm, struct plat_thread *via, struct vma *v)
{
	uint64_t len = v->end - v->start;
	int64_t off = memfile_alloc(mm->mf, len);
	int err;

	if (off < 0)
		return -ENOMEM;
	memcpy(memfile_ptr(mm->mf, (uint64_t)off), memfile_ptr(mm->mf, v->off), len);
	err = plat_map(via, v->start, len, v->prot, (uint64_t)off);
	if (err) {
		memfile_free(mm->mf, (uint64_t)off, len);
		return err;
	}
	memfile_free(mm->mf, v->off, len); /* one user fewer */
	v->off = (uint64_t)off;
	v->flags &= ~VMA_COW;
	return 0;
}

int mm_poke_private(struct mm *mm, struct plat_thread *via, uint64_t addr, const void *src,
		    size_t len)
{
	int err = 0;

	pthread_mutex_lock(&mm->lock);
	for (size_t i = vma_lower_bound(&mm->vmas, addr); !err && i < mm->vmas.n &&
	     mm->vmas.v[i].start < addr + len; i++)
		if (mm->vmas.v[i].flags & VMA_COW)
			err = unshare_locked(mm, via, &mm->vmas.v[i]);
	pthread_mutex_unlock(&mm->lock);
	return err ? err : mm_poke(mm, addr, src, len);
}

int mm_protect(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t len, int prot)
{
	uint64_t end = addr + len;
	int err = 0;

	pthread_mutex_lock(&mm->lock);
	if (!vma_range_mapped(&mm->vmas, addr, end) || vma_range_reserved(&mm->vmas, addr, end))
		err = -ENOMEM;
	else if ((prot & PROT_WRITE) && write_denied(mm, addr, end))
		err = -EACCES;
	if (!err)
		err = vma_split_at(&mm->vmas, addr);
	if (!err)
		err = vma_split_at(&mm->vmas, end);
	for (size_t i = vma_lower_bound(&mm->vmas, addr); !err && (prot & PROT_WRITE) &&
	     i < mm->vmas.n && mm->vmas.v[i].start < end; i++)
		if (mm->vmas.v[i].flags & VMA_COW)
			err = unshare_locked(mm, via, &mm->vmas.v[i]);
	if (!err)
		err = plat_protect(via, addr, len, prot);
	for (size_t i = vma_lower_bound(&mm->vmas, addr); !err && i < mm->vmas.n &&
	     mm->vmas.v[i].start < end; i++) {
		struct vma *v = &mm->vmas.v[i];

		v->prot = prot;
		if ((prot & PROT_WRITE) && !(v->flags & VMA_SHARED))
			v->flags |= VMA_ACCOUNT; /* mm/mprotect.c mprotect_fixup */
	}
	pthread_mutex_unlock(&mm->lock);
	return err;
}

int mm_discard(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t len)
{
	uint64_t end = addr + len;
	int err = 0;

	pthread_mutex_lock(&mm->lock);
	if (!vma_range_mapped(&mm->vmas, addr, end))
		err = -ENOMEM;
	for (size_t i = vma_lower_bound(&mm->vmas, addr); !err && i < mm->vmas.n &&
	     mm->vmas.v[i].start < end; i++) {
		const struct vma *v = &mm->vmas.v[i];
		uint64_t lo = v->start > addr ? v->start : addr;
		uint64_t hi = v->end < end ? v->end : end;

		if (v->flags & VMA_RESERVED)
			err = -EINVAL;
		else if (v->flags & VMA_HOST)
			err = plat_advise(via, lo, hi - lo, MADV_DONTNEED);
		else if (!(v->flags & (VMA_SHARED | VMA_COW))) /* shared pages keep their data */
			err = memfile_zero(mm->mf, v->off + (lo - v->start), hi - lo);
	}
	pthread_mutex_unlock(&mm->lock);
	return err;
}

/* What an advice does to one area's flags; -EINVAL when it may not. */
static int fork_flags(struct vma *v, int advice)
{
	switch (advice) {
	case MADV_DONTFORK:
		v->flags |= VMA_DONTFORK;
		return 0;
	case MADV_DOFORK:
		v->flags &= ~VMA_DONTFORK;
		return 0;
	case MADV_WIPEONFORK:
		if (v->file || (v->flags & (VMA_SHARED | VMA_HOST)))
			return -EINVAL; /* private anonymous memory only */
		v->flags |= VMA_WIPEONFORK;
		return 0;
	default: /* MADV_KEEPONFORK */
		v->flags &= ~VMA_WIPEONFORK;
		return 0;
	}
}

int mm_fork_advice(struct mm *mm, uint64_t addr, uint64_t len, int advice)
{
	uint64_t end = addr + len;
	bool holes;
	int err;

	pthread_mutex_lock(&mm->lock);
	holes = !vma_range_mapped(&mm->vmas, addr, end);
	err = vma_split_at(&mm->vmas, addr);
	if (!err)
		err = vma_split_at(&mm->vmas, end);
	for (size_t i = vma_lower_bound(&mm->vmas, addr); !err && i < mm->vmas.n &&
	     mm->vmas.v[i].start < end; i++)
		err = mm->vmas.v[i].flags & VMA_RESERVED ? -EINVAL
							 : fork_flags(&mm->vmas.v[i], advice);
	pthread_mutex_unlock(&mm->lock);
	return err ? err : holes ? -ENOMEM : 0;
}

int mm_sync(struct mm *mm, uint64_t addr, uint64_t len, bool wait)
{
	uint64_t end = addr + len;
	int err = 0;

	pthread_mutex_lock(&mm->lock);
	if (!vma_range_mapped(&mm->vmas, addr, end))
		err = -ENOMEM;
	for (size_t i = vma_lower_bound(&mm->vmas, addr); !err && wait && i < mm->vmas.n &&
	     mm->vmas.v[i].start < end; i++) {
		const struct vma *v = &mm->vmas.v[i];

		if ((v->flags & (VMA_HOST | VMA_SHARED)) == (VMA_HOST | VMA_SHARED) &&
		    fdatasync(v->file->host_fd) < 0)
			err = -EIO;
	}
	pthread_mutex_unlock(&mm->lock);
	return err;
}

void mm_set_exec_info(struct mm *mm, const struct mm_exec_info *info)
{
	pthread_mutex_lock(&mm->lock);
	mm->exec = *info;
	pthread_mutex_unlock(&mm->lock);
}

void mm_set_exe(struct mm *mm, uint64_t dev, uint64_t ino)
{
	pthread_mutex_lock(&mm->lock);
	if (mm->exe_denied)
		writecount_allow(mm->exe_dev, mm->exe_ino);
	mm->exe_dev = dev;
	mm->exe_ino = ino;
	/* A writer that came since exec_open's check: the exec stands (it is
	 * past its point of no return), without the denial. */
	mm->exe_denied = writecount_deny(dev, ino) == 0;
	pthread_mutex_unlock(&mm->lock);
}

void mm_get_exec_info(struct mm *mm, struct mm_exec_info *out)
{
	pthread_mutex_lock(&mm->lock);
	*out = mm->exec;
	pthread_mutex_unlock(&mm->lock);
}

/* Copies the guest's areas, taking a reference to each file; mm->lock held. */
static int copy_areas(struct mm *mm, struct mm_snapshot *s)
{
	s->v = malloc((mm->vmas.n ? mm->vmas.n : 1) * sizeof *s->v);
	if (!s->v)
		return -ENOMEM;
	for (size_t i = 0; i < mm->vmas.n; i++) {
		if ((mm->vmas.v[i].flags & (VMA_RESERVED | VMA_SPECIAL)) == VMA_RESERVED)
			continue; /* the stub's text is not the guest's */
		s->v[s->n] = mm->vmas.v[i];
		vma_file_get(s->v[s->n++].file);
	}
	return 0;
}

int mm_snapshot(struct mm *mm, struct mm_snapshot *s)
{
	int err;

	memset(s, 0, sizeof *s);
	pthread_mutex_lock(&mm->lock);
	err = copy_areas(mm, s);
	s->brk_start = mm->brk_start;
	s->brk = mm->brk;
	s->exec = mm->exec;
	pthread_mutex_unlock(&mm->lock);
	if (!err)
		s->n = vma_merge_view(s->v, s->n);
	return err;
}

void mm_snapshot_free(struct mm_snapshot *s)
{
	for (size_t i = 0; i < s->n; i++)
		vma_file_put(s->v[i].file);
	free(s->v);
	memset(s, 0, sizeof *s);
}
