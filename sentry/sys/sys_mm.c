/* Memory syscalls on anonymous memory (mm/mmap.c, mm/mprotect.c, mm/madvise.c
 * argument rules). */
#include <errno.h>
#include <limits.h>
#include <sys/mman.h>

#include "arch/arch.h"
#include "sentry/fs/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/kernel/syscall.h"
#include "syscall_handlers.h"

#define PAGE_OFF(x) ((x) & (ARCH_PAGE_SIZE - 1))
#define LINUX_PROT_SEM 0x8
#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC | LINUX_PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP)
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

static uint64_t page_up(uint64_t x)
{
	return (x + ARCH_PAGE_SIZE - 1) & ~(ARCH_PAGE_SIZE - 1);
}

static int guest_prot(uint64_t prot)
{
	return (int)(prot & (PROT_READ | PROT_WRITE | PROT_EXEC));
}

long sys_brk(struct task *t, const struct syscall_args *a)
{
	return mm_set_brk(t->mm, t->plat, a->a[0]);
}

static long mmap_file(struct task *t, uint64_t fd)
{
	if (fd > INT_MAX || !fdtable_get(t->files, (int)fd))
		return -EBADF;
	return -ENODEV; /* the files umbra has now (terminals, pipes) cannot be mapped */
}

long sys_mmap(struct task *t, const struct syscall_args *a)
{
	uint64_t addr = a->a[0], len = a->a[1], prot = a->a[2], flags = a->a[3];
	enum mm_place place = MM_HINT;
	int type = (int)(flags & MAP_SHARED_VALIDATE);

	if (!len || prot & ~(uint64_t)PROT_ALL || PAGE_OFF(a->a[5]))
		return -EINVAL;
	if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	len = page_up(len);
	if (!len || len > ARCH_TASK_SIZE)
		return -ENOMEM;
	if (!(flags & MAP_ANONYMOUS))
		return mmap_file(t, a->a[4]);
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (PAGE_OFF(addr))
			return -EINVAL;
		place = flags & MAP_FIXED ? MM_FIXED : MM_NOREPLACE;
	} else {
		addr = page_up(addr);
	}
	return mm_map_anon(t->mm, t->plat, addr, len, guest_prot(prot), place);
}

long sys_munmap(struct task *t, const struct syscall_args *a)
{
	if (PAGE_OFF(a->a[0]) || !a->a[1])
		return -EINVAL;
	return mm_unmap(t->mm, t->plat, a->a[0], page_up(a->a[1]));
}

long sys_mprotect(struct task *t, const struct syscall_args *a)
{
	uint64_t addr = a->a[0], len = page_up(a->a[1]);

	if (PAGE_OFF(addr) || a->a[2] & ~(uint64_t)PROT_ALL)
		return -EINVAL;
	if ((a->a[2] & PROT_GROWSDOWN) && (a->a[2] & PROT_GROWSUP))
		return -EINVAL;
	if (!a->a[1])
		return 0;
	if (!len || addr + len < addr || addr + len > ARCH_TASK_SIZE)
		return -ENOMEM;
	return mm_protect(t->mm, t->plat, addr, len, guest_prot(a->a[2]));
}

long sys_mremap(struct task *t, const struct syscall_args *a)
{
	return mm_remap(t->mm, t->plat, a->a[0], a->a[1], a->a[2], (int)a->a[3], a->a[4]);
}

/* Advice that changes contents zeroes anonymous memory; the rest is a hint. */
static int advice_kind(int advice)
{
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_REMOVE:
		return 1;
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_DONTFORK: case MADV_DOFORK: case MADV_MERGEABLE: case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP:
	case MADV_WIPEONFORK: case MADV_KEEPONFORK: case MADV_COLD: case MADV_PAGEOUT:
	case 22 /* MADV_POPULATE_READ */: case 23 /* MADV_POPULATE_WRITE */:
	case 25 /* MADV_COLLAPSE */:
		return 0;
	default:
		return -EINVAL;
	}
}

long sys_madvise(struct task *t, const struct syscall_args *a)
{
	uint64_t addr = a->a[0], len = page_up(a->a[1]);
	int kind = advice_kind((int)a->a[2]);

	if (kind < 0 || PAGE_OFF(addr) || (a->a[1] && !len))
		return -EINVAL;
	if (!len)
		return 0;
	if (addr + len < addr || addr + len > ARCH_TASK_SIZE)
		return -ENOMEM;
	return kind ? mm_discard(t->mm, addr, len) : 0;
}
