/* /proc/PID/maps and smaps (fs/proc/task_mmu.c show_map_vma, show_smap).
 *
 * The stub's pages are the sentry's, not the guest's: they are left out.
 * The host's vDSO and its data pages show as Linux shows them, by name
 * ([vvar], [vvar_vclock], [vdso]) with no file. smaps is smaps-lite: umbra
 * backs every page it maps (anonymous memory in its memory file, file
 * mappings copied in at mmap), so Rss and Pss are the mapped size, file mappings count as
 * clean and the rest as dirty, and nothing is shared, swapped or huge. */
#include <inttypes.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>

#include "arch/arch.h"
#include "sentry/fs/proc/gen_priv.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/vma.h"

/* Where the name starts: seq_setwidth(25 + sizeof(void *) * 6 - 1), then
 * seq_pad's one space. */
#define NAME_COLUMN (25 + 8 * 6 - 1)

/* get_vma_name: the file, else [heap] or [stack] by mm's bounds. */
static const char *area_name(const struct mm_snapshot *s, const struct vma *v)
{
	if (v->file) /* a file, or the name of a special area */
		return v->file->path;
	if (v->flags & VMA_SHARED)
		return "/dev/zero (deleted)"; /* shmem_zero_setup's file */
	if (v->start < s->brk && v->end > s->brk_start)
		return "[heap]";
	if (proc_is_stack(s, v))
		return "[stack]";
	return NULL;
}

/* seq_path's escape of a name: a newline shows as \012. */
static void add_path(struct strbuf *b, const char *p)
{
	for (; *p; p++) {
		if (*p == '\n')
			strbuf_add(b, "\\012", 4);
		else
			strbuf_add(b, p, 1);
	}
}

static void map_line(const struct mm_snapshot *s, const struct vma *v, struct strbuf *b)
{
	const struct vma_file *f = v->file;
	size_t line = b->len;
	const char *name = area_name(s, v);

	strbuf_printf(b, "%08" PRIx64 "-%08" PRIx64 " %c%c%c%c %08" PRIx64 " %02x:%02x %" PRIu64 " ",
		      v->start, v->end, v->prot & PROT_READ ? 'r' : '-',
		      v->prot & PROT_WRITE ? 'w' : '-', v->prot & PROT_EXEC ? 'x' : '-',
		      v->flags & VMA_SHARED ? 's' : 'p', f ? v->pgoff : 0,
		      f ? major(f->dev) : 0, f ? minor(f->dev) : 0, f ? f->ino : 0);
	if (name) {
		while (!b->err && b->len - line < NAME_COLUMN)
			strbuf_add(b, " ", 1);
		strbuf_add(b, " ", 1);
		add_path(b, name);
	}
	strbuf_add(b, "\n", 1);
}

/* Runs show on every area of t's address space. */
static int each_area(struct task *t, struct strbuf *b,
		     void (*show)(const struct mm_snapshot *, const struct vma *, struct strbuf *))
{
	struct mm_snapshot s;
	int err = mm_snapshot(t->mm, &s);

	if (err)
		return err;
	for (size_t i = 0; i < s.n; i++)
		show(&s, &s.v[i], b);
	mm_snapshot_free(&s);
	return b->err;
}

int proc_gen_maps(struct task *t, struct strbuf *b)
{
	return each_area(t, b, map_line);
}

static void kb(struct strbuf *b, const char *key, uint64_t bytes)
{
	strbuf_printf(b, "%-16s%8" PRIu64 " kB\n", key, bytes >> 10);
}

/* show_smap_vma_flags, of the flags umbra knows. */
static void vm_flags(const struct mm_snapshot *s, const struct vma *v, struct strbuf *b)
{
	bool shared = v->flags & VMA_SHARED, nowrite = v->flags & VMA_NOWRITE;

	strbuf_add(b, "VmFlags: ", 9);
	if (v->prot & PROT_READ)
		strbuf_add(b, "rd ", 3);
	if (v->prot & PROT_WRITE)
		strbuf_add(b, "wr ", 3);
	if (v->prot & PROT_EXEC)
		strbuf_add(b, "ex ", 3);
	if (shared && !nowrite)
		strbuf_add(b, "sh ", 3);
	strbuf_add(b, nowrite ? "mr me " : "mr mw me ", nowrite ? 6 : 9);
	if (shared)
		strbuf_add(b, "ms ", 3);
	if (proc_is_stack(s, v))
		strbuf_add(b, "gd ", 3);
	if (v->flags & VMA_ACCOUNT)
		strbuf_add(b, "ac ", 3);
	strbuf_add(b, "\n", 1);
}

static void smap(const struct mm_snapshot *s, const struct vma *v, struct strbuf *b)
{
	static const char *const zero[] = {
		"KSM:", "LazyFree:", "AnonHugePages:", "ShmemPmdMapped:", "FilePmdMapped:",
		"Shared_Hugetlb:", "Private_Hugetlb:", "Swap:", "SwapPss:", "Locked:",
	};
	uint64_t size = v->end - v->start, dirty = v->file ? 0 : size;

	map_line(s, v, b);
	kb(b, "Size:", size);
	kb(b, "KernelPageSize:", ARCH_PAGE_SIZE);
	kb(b, "MMUPageSize:", ARCH_PAGE_SIZE);
	kb(b, "Rss:", size);
	kb(b, "Pss:", size);
	kb(b, "Pss_Dirty:", dirty);
	kb(b, "Shared_Clean:", 0);
	kb(b, "Shared_Dirty:", 0);
	kb(b, "Private_Clean:", size - dirty);
	kb(b, "Private_Dirty:", dirty);
	kb(b, "Referenced:", size);
	kb(b, "Anonymous:", v->file || (v->flags & VMA_SHARED) ? 0 : size);
	for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
		kb(b, zero[i], 0);
	strbuf_printf(b, "%-16s%8u\n", "THPeligible:", 0);
	vm_flags(s, v, b);
}

int proc_gen_smaps(struct task *t, struct strbuf *b)
{
	return each_area(t, b, smap);
}
