/* mincore(2)'s answer (mm/mincore.c): which pages of a range are in memory.
 * Guest memory in the memory file is the memory file's pages, which the
 * host counts as the sentry maps them: an anonymous page never touched is
 * not there, as in Linux. A file the stub maps itself is the file's page
 * cache, as Linux reports a file page nobody has mapped. The vDSO is
 * always there. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/arch.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm_priv.h"

/* The host's residency of the file pages behind [addr, addr + n pages) of
 * a VMA_HOST area: a mapping of the file of the sentry's own, for the call. */
static int host_file_incore(const struct vma *v, uint64_t addr, size_t n, uint8_t *vec)
{
	size_t len = n * ARCH_PAGE_SIZE;
	void *p = mmap(NULL, len, PROT_NONE, MAP_SHARED, v->file->host_fd,
		       (off_t)(v->pgoff + (addr - v->start)));
	int r;

	if (p == MAP_FAILED)
		return -ENOMEM;
	r = mincore(p, len, vec);
	munmap(p, len);
	return r < 0 ? -errno : 0;
}

static int area_incore(struct mm *mm, const struct vma *v, uint64_t addr, size_t n,
		       uint8_t *vec)
{
	if (v->flags & VMA_SPECIAL) {
		memset(vec, 1, n);
		return 0;
	}
	if (v->flags & VMA_HOST)
		return host_file_incore(v, addr, n, vec);
	return mincore(memfile_ptr(mm->mf, v->off + (addr - v->start)), n * ARCH_PAGE_SIZE, vec) < 0
		       ? -errno
		       : 0;
}

long mm_incore(struct mm *mm, uint64_t addr, size_t pages, uint8_t *vec)
{
	size_t done = 0;
	int err = 0;

	pthread_mutex_lock(&mm->lock);
	while (done < pages && !err) {
		const struct vma *v = vma_find(&mm->vmas, addr);
		size_t n;

		if (!v || (v->flags & (VMA_RESERVED | VMA_SPECIAL)) == VMA_RESERVED)
			break;
		n = (v->end - addr) / ARCH_PAGE_SIZE;
		if (n > pages - done)
			n = pages - done;
		err = area_incore(mm, v, addr, n, vec + done);
		done += err ? 0 : n;
		addr += n * ARCH_PAGE_SIZE;
	}
	pthread_mutex_unlock(&mm->lock);
	return err ? err : (long)done;
}
