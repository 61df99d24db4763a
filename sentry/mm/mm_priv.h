/* Inside sentry/mm: the address space object. */
#ifndef UMBRA_SENTRY_MM_PRIV_H
#define UMBRA_SENTRY_MM_PRIV_H

#include <pthread.h>

#include "sentry/mm/mm.h"
#include "sentry/mm/vma.h"

struct mm {
	pthread_mutex_t lock;
	int refs; /* tasks sharing it (CLONE_VM) */
	struct memfile *mf;
	struct plat_proc *proc;
	struct vma_list vmas;
	uint64_t mmap_base; /* top-down searches start below this */
	uint64_t brk_start, brk;
	struct mm_exec_info exec;
	uint64_t exe_dev, exe_ino;
	bool exe_denied; /* holds writecount_deny of the program */
};

/* Called with mm->lock held. */
long mm_map_locked(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t len,
		   int prot, enum mm_place place);
int mm_unmap_locked(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t len);
/* Maps the area v describes into the stub: its memory-file range, or its
 * host file (VMA_HOST). */
int mm_map_area(struct plat_thread *via, const struct vma *v);
/* vma_carve callback giving a removed piece's memory back to the file. */
void mm_release_piece(void *mm, const struct vma *piece);

#endif
