/* exec_load: segments, stack, auxv and registers (fs/binfmt_elf.c load_elf_binary). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/arch.h"
#include "platform/platform.h"
#include "sentry/exec/exec.h"
#include "sentry/exec/stack.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/vma.h"
#include "sentry/rseq/rseq.h"

#define LOAD_PAGE_MASK (~(ARCH_PAGE_SIZE - 1))
#define RANDOM_SPAN (1ULL << 30) /* layout randomisation: up to 1 GiB */
#define LINUX_ADDR_NO_RANDOMIZE 0x0040000 /* personality(2) */
#define STACK_MIN (128ULL << 10)
#define STACK_MAX (64ULL << 20)
/* Free space between the stub's text and the top mapping, as Linux leaves
 * a gap below the stack: a mapping placed by address a little above the
 * top one (mremap MREMAP_FIXED to p + N pages) does not meet the stub. */
#define MMAP_GAP (16ULL << 20)
#define CLOCK_TICKS 100

struct layout {
	uint64_t bias, stack_top, stack_size, mmap_base, brk;
	uint64_t interp_bias; /* AT_BASE; 0 without an interpreter */
	uint8_t random[16];
};

static uint64_t rnd_pages(uint64_t r)
{
	return (r % RANDOM_SPAN) & LOAD_PAGE_MASK;
}

static int choose_layout(struct task *t, const struct elf_image *img, struct layout *l)
{
	uint64_t r[4];
	uint64_t stack = t->leader->rlim[RLIMIT_STACK].rlim_cur;

	if (getrandom(r, sizeof r, 0) != sizeof r || getrandom(l->random, 16, 0) != 16)
		return -EIO;
	if (t->personality & LINUX_ADDR_NO_RANDOMIZE)
		memset(r, 0, sizeof r); /* the layout without randomisation */
	l->stack_size = stack < STACK_MIN ? STACK_MIN : stack > STACK_MAX ? STACK_MAX : stack;
	l->stack_size &= LOAD_PAGE_MASK;
	l->stack_top = (ARCH_TASK_SIZE - rnd_pages(r[0])) & LOAD_PAGE_MASK;
	l->mmap_base = ARCH_STUB_BASE - MMAP_GAP - rnd_pages(r[1]);
	l->bias = img->type == ET_DYN ? ARCH_ELF_ET_DYN_BASE + rnd_pages(r[2]) : 0;
	l->brk = l->bias + img->hi + rnd_pages(r[3] % (32ULL << 20));
	if (img->lo + l->bias < 0x10000 || img->hi + l->bias > l->mmap_base - RANDOM_SPAN)
		return -ENOMEM;
	return 0;
}

/* Copies the file part of every PT_LOAD straight into guest memory. */
static int fill_segments(struct task *t, const struct exec_file *f, uint64_t bias)
{
	for (unsigned int i = 0; i < f->img.phnum; i++) {
		const Elf64_Phdr *ph = &f->img.phdr[i];
		struct iovec iov[16];
		int n;

		if (ph->p_type != PT_LOAD || !ph->p_filesz)
			continue;
		n = mm_iov(t->mm, ph->p_vaddr + bias, ph->p_filesz, MM_FILL, iov, 16);
		if (n < 0)
			return n;
		if (preadv(f->fd, iov, n, (off_t)ph->p_offset) != (ssize_t)ph->p_filesz)
			return -EIO;
	}
	return 0;
}

static int seg_prot(const Elf64_Phdr *ph)
{
	return (ph->p_flags & PF_R ? PROT_READ : 0) | (ph->p_flags & PF_W ? PROT_WRITE : 0) |
	       (ph->p_flags & PF_X ? PROT_EXEC : 0);
}

/* Final protections per segment; the holes between segments are unmapped. A
 * page two segments share gets both protections. */
static int protect_segments(struct task *t, const struct elf_image *img, uint64_t bias)
{
	uint64_t prev_end = img->lo + bias;
	int prev_prot = 0, err = 0;

	for (unsigned int i = 0; !err && i < img->phnum; i++) {
		const Elf64_Phdr *ph = &img->phdr[i];
		uint64_t s = (ph->p_vaddr + bias) & LOAD_PAGE_MASK;
		uint64_t e = (ph->p_vaddr + bias + ph->p_memsz + ARCH_PAGE_SIZE - 1) & LOAD_PAGE_MASK;
		int prot = seg_prot(ph);

		if (ph->p_type != PT_LOAD)
			continue;
		if (s > prev_end)
			err = mm_unmap(t->mm, t->plat, prev_end, s - prev_end);
		if (!err && s < prev_end) {
			err = mm_protect(t->mm, t->plat, s, prev_end - s, prot | prev_prot);
			s = prev_end;
		}
		if (!err && e > s)
			err = mm_protect(t->mm, t->plat, s, e - s, prot);
		if (e > prev_end)
			prev_end = e;
		prev_prot = prot;
	}
	return err;
}

/* Maps a program's span at lo + *bias; with place MM_HINT (an interpreter)
 * wherever mmap would, setting *bias. */
static int map_image(struct task *t, const struct exec_file *f, uint64_t *bias,
		     enum mm_place place)
{
	const struct elf_image *img = &f->img;
	long r = mm_map_anon(t->mm, t->plat, place == MM_HINT ? 0 : img->lo + *bias,
			     img->hi - img->lo, PROT_READ | PROT_WRITE, place);
	int err;

	if (r < 0)
		return (int)r;
	*bias = (uint64_t)r - img->lo;
	err = fill_segments(t, f, *bias);
	return err ? err : protect_segments(t, img, *bias);
}

static int map_programs(struct task *t, const struct exec_file *f, struct layout *l)
{
	int err = map_image(t, f, &l->bias, MM_FIXED);

	if (err || !f->interp)
		return err;
	if (f->interp->img.type != ET_DYN)
		return map_image(t, f->interp, &l->interp_bias, MM_FIXED); /* bias 0 */
	return map_image(t, f->interp, &l->interp_bias, MM_HINT);
}

static void fill_auxv(struct task *t, const struct elf_image *img, const struct layout *l,
		      struct stack_spec *s)
{
	struct linux_auxv aux[] = {
		{ LINUX_AT_MINSIGSTKSZ, arch_minsigstksz() },
		{ LINUX_AT_HWCAP, arch_hwcap() },
		{ LINUX_AT_PAGESZ, ARCH_PAGE_SIZE },
		{ LINUX_AT_CLKTCK, CLOCK_TICKS },
		{ LINUX_AT_PHDR, img->phdr_addr + l->bias },
		{ LINUX_AT_PHENT, sizeof(Elf64_Phdr) },
		{ LINUX_AT_PHNUM, img->phnum },
		{ LINUX_AT_BASE, l->interp_bias },
		{ LINUX_AT_FLAGS, 0 },
		{ LINUX_AT_ENTRY, img->entry + l->bias },
		{ LINUX_AT_UID, t->sb->uid },
		{ LINUX_AT_EUID, t->sb->uid },
		{ LINUX_AT_GID, t->sb->gid },
		{ LINUX_AT_EGID, t->sb->gid },
		{ LINUX_AT_SECURE, 0 },
		{ LINUX_AT_RANDOM, 0 },
		{ LINUX_AT_HWCAP2, arch_hwcap2() },
		{ LINUX_AT_EXECFN, 0 },
		{ LINUX_AT_PLATFORM, 0 },
		{ LINUX_AT_RSEQ_FEATURE_SIZE, RSEQ_FEATURE_SIZE },
		{ LINUX_AT_RSEQ_ALIGN, RSEQ_ALIGN },
	};

	_Static_assert(sizeof aux / sizeof aux[0] < STACK_MAX_AUXV, "auxv fits");
	s->nauxv = 0;
	/* ARCH_DLINFO: the vDSO first, when there is one. */
	if (plat_vdso()->n)
		s->auxv[s->nauxv++] = (struct linux_auxv){ LINUX_AT_SYSINFO_EHDR, plat_vdso()->ehdr };
	memcpy(s->auxv + s->nauxv, aux, sizeof aux);
	s->nauxv += sizeof aux / sizeof aux[0];
}

static int build_stack(struct task *t, const struct exec_file *f, const struct layout *l,
		       char *const argv[], char *const envp[], uint64_t *sp,
		       struct stack_result *res)
{
	struct stack_spec spec = { argv, envp, f->path, ARCH_PLATFORM, { 0 }, { { 0, 0 } }, 0 };
	size_t size = l->stack_size / 4; /* ARG_MAX: a quarter of the stack limit */
	uint8_t *buf = malloc(size);
	int64_t r;
	int err;

	if (!buf)
		return -ENOMEM;
	memcpy(spec.random, l->random, sizeof spec.random);
	fill_auxv(t, &f->img, l, &spec);
	r = stack_build(&spec, l->stack_top, buf, size, res);
	err = r < 0 ? (int)r : 0;
	if (!err)
		err = mm_write(t->mm, (uint64_t)r, buf + ((uint64_t)r - (l->stack_top - size)),
			       l->stack_top - (uint64_t)r);
	free(buf);
	*sp = (uint64_t)r;
	return err;
}

/* The file part of each PT_LOAD is named after the program in
 * /proc/PID/maps, as if mmap'd from it; the rest of a segment (bss) stays
 * anonymous, as Linux's elf_load leaves it. */
static int name_segments(struct task *t, const struct exec_file *f, uint64_t bias, bool exe)
{
	struct stat st;
	struct vma_file *file;
	int err = 0;

	if (fstat(f->fd, &st) < 0)
		return -errno;
	if (exe)
		mm_set_exe(t->mm, st.st_dev, st.st_ino);
	file = vma_file_new(f->realpath, st.st_dev, st.st_ino);
	if (!file)
		return -ENOMEM;
	for (unsigned int i = 0; !err && i < f->img.phnum; i++) {
		const Elf64_Phdr *ph = &f->img.phdr[i];
		uint64_t s = (ph->p_vaddr + bias) & LOAD_PAGE_MASK;
		uint64_t e = (ph->p_vaddr + bias + ph->p_filesz + ARCH_PAGE_SIZE - 1) & LOAD_PAGE_MASK;

		if (ph->p_type == PT_LOAD && ph->p_filesz)
			err = mm_name(t->mm, s, e - s, file, ph->p_offset & LOAD_PAGE_MASK);
	}
	vma_file_put(file);
	return err;
}

/* mm->start_code ... end_data as fs/binfmt_elf.c load_elf_binary sets them. */
static void code_bounds(const struct elf_image *img, uint64_t bias, struct mm_exec_info *x)
{
	uint64_t start_code = UINT64_MAX, end_code = 0, start_data = 0, end_data = 0;

	for (unsigned int i = 0; i < img->phnum; i++) {
		const Elf64_Phdr *ph = &img->phdr[i];
		bool exec = ph->p_flags & PF_X;

		if (ph->p_type != PT_LOAD)
			continue;
		if (exec && ph->p_vaddr < start_code)
			start_code = ph->p_vaddr;
		if (start_data < ph->p_vaddr)
			start_data = ph->p_vaddr;
		if (exec && end_code < ph->p_vaddr + ph->p_filesz)
			end_code = ph->p_vaddr + ph->p_filesz;
		if (end_data < ph->p_vaddr + ph->p_filesz)
			end_data = ph->p_vaddr + ph->p_filesz;
	}
	if (start_code == UINT64_MAX)
		start_code = end_code = 0;
	else
		start_code += bias, end_code += bias;
	x->start_data = start_data + bias;
	x->end_data = end_data + bias;
	x->start_code = start_code;
	x->end_code = end_code;
}

/* What /proc/PID reads of this exec, and the program's name (comm). */
static void record_exec(struct task *t, const struct exec_file *f, const struct layout *l,
			uint64_t sp, const struct stack_result *res)
{
	struct mm_exec_info x;
	const char *name = f->comm_from_file && f->realpath ? f->realpath : f->path;
	const char *base = strrchr(name, '/');

	memset(&x, 0, sizeof x);
	code_bounds(&f->img, l->bias, &x);
	x.start_stack = sp;
	x.arg_start = res->arg_start;
	x.arg_end = res->arg_end;
	x.env_start = res->env_start;
	x.env_end = res->env_end;
	x.auxv_words = 2 * res->nauxv;
	memcpy(x.auxv, res->auxv, res->nauxv * sizeof res->auxv[0]);
	mm_set_exec_info(t->mm, &x);
	snprintf(t->comm, sizeof t->comm, "%s", base ? base + 1 : name);
}

/* argv as the program sees it: a script's interpreters first. */
static char **final_argv(const struct exec_file *f, char *const argv[])
{
	size_t n = 0;
	char **v;

	while (argv[n])
		n++;
	v = calloc((size_t)f->nprefix + n + 1, sizeof *v);
	if (!v)
		return NULL;
	memcpy(v, f->argv_prefix, (size_t)f->nprefix * sizeof *v);
	if (n > 1)
		memcpy(v + f->nprefix, argv + 1, (n - 1) * sizeof *v);
	return v;
}

int exec_load(struct task *t, const struct exec_file *f, char *const argv[], char *const envp[])
{
	struct layout l;
	struct stack_result res;
	uint64_t sp;
	int stack_prot = PROT_READ | PROT_WRITE | (f->img.exec_stack ? PROT_EXEC : 0);
	long r;
	int err = choose_layout(t, &f->img, &l);

	if (err)
		return err;
	mm_set_layout(t->mm, l.mmap_base, l.brk);
	l.interp_bias = 0;
	err = map_programs(t, f, &l);
	if (!err)
		err = name_segments(t, f, l.bias, true);
	if (!err && f->interp)
		err = name_segments(t, f->interp, l.interp_bias, false);
	if (err)
		return err;
	r = mm_map_anon(t->mm, t->plat, l.stack_top - l.stack_size, l.stack_size, stack_prot,
			MM_FIXED);
	if (r < 0)
		return (int)r;
	if (f->nprefix) {
		char **v = final_argv(f, argv);

		if (!v)
			return -ENOMEM;
		err = build_stack(t, f, &l, v, envp, &sp, &res);
		free(v);
	} else {
		err = build_stack(t, f, &l, argv, envp, &sp, &res);
	}
	if (err)
		return err;
	record_exec(t, f, &l, sp, &res);
	arch_exec_regs(plat_regs(t->plat),
		       f->interp ? f->interp->img.entry + l.interp_bias : f->img.entry + l.bias, sp);
	free(t->exe_path);
	t->exe_path = strdup(f->realpath);
	return t->exe_path ? 0 : -ENOMEM;
}
