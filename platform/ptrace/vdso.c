/* The host kernel's vDSO for guests.
 *
 * Every process the host execs gets the vDSO and its data pages ([vvar],
 * [vvar_vclock]) at a random place. A stub keeps them: they are moved with
 * mremap(2), as checkpoint/restore tools move them, to ARCH_VDSO_BASE,
 * the same place in every stub, so a fork's child finds them where its
 * parent had them, and the stub's stripping leaves them. Their layout is
 * the sentry's own (the same kernel maps the same image), read once.
 *
 * What the host vDSO answers must be what umbra's kernel answers: its
 * clocks are the host's (sys_time.c passes them through), but its getcpu
 * reads the host CPU, not the vCPU, and its getrandom keeps state in the
 * host's pages. Both are rewritten in each stub (a write through
 * /proc/PID/mem, which copies the page for that stub alone): getcpu into
 * the syscall, which PTRACE_SYSEMU stops as any guest syscall, getrandom
 * into an answer of -ENOSYS, after which callers make the syscall. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/ptrace/ptrace_priv.h"

#define MAX_AREAS (sizeof ((struct plat_vdso *)0)->area / sizeof(struct plat_special))
/* Where a stub's block goes first when it lies across the window. */
#define VDSO_SCRATCH (ARCH_VDSO_BASE + 2 * ARCH_VDSO_WINDOW)

struct vdso_patch {
	uint64_t addr; /* in every stub */
	uint8_t code[16];
	size_t len;
};

static struct plat_vdso vdso;
static uint64_t block_len;
static struct vdso_patch patches[2];
static size_t npatches;

/* The functions rewritten, by the names each arch's vDSO gives them:
 * getcpu becomes the syscall; getrandom answers -ENOSYS, which its callers
 * (glibc 2.41's probe with opaque_len ~0) take for "no vDSO getrandom" and
 * use the syscall instead. */
static const struct {
	const char *name;
	long nr; /* the syscall, or 0 to return -ENOSYS */
} redirects[] = {
	{ "__vdso_getcpu", SYS_getcpu },
	{ "__kernel_getcpu", SYS_getcpu },
	{ "__vdso_getrandom", 0 },
	{ "__kernel_getrandom", 0 },
};

const struct plat_vdso *plat_vdso(void)
{
	return &vdso;
}

static bool is_special(const char *name)
{
	return !strncmp(name, "[vvar", 5) || !strcmp(name, "[vdso]");
}

/* The special areas of pid's address space (0: the sentry's), in address
 * order, at their host addresses; -ENOENT when there are none. */
static int read_areas(pid_t pid, struct plat_special *out, size_t *n)
{
	char path[64], line[512], perms[8], name[256];
	unsigned long start, end;
	FILE *f;

	snprintf(path, sizeof path, pid ? "/proc/%d/maps" : "/proc/self/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	*n = 0;
	while (fgets(line, sizeof line, f)) {
		name[0] = 0;
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255s", &start, &end, perms, name) < 3 ||
		    !is_special(name))
			continue;
		if (*n == MAX_AREAS || strlen(name) >= sizeof out->name) {
			fclose(f);
			return -E2BIG;
		}
		out[*n] = (struct plat_special){ start, end,
						 (perms[0] == 'r' ? PROT_READ : 0) |
							 (perms[2] == 'x' ? PROT_EXEC : 0),
						 "" };
		strcpy(out[*n].name, name);
		(*n)++;
	}
	fclose(f);
	return *n ? 0 : -ENOENT;
}

/* The address of symbol name in the vDSO image at base (len bytes), or 0;
 * *size its st_size. Section headers and the dynamic symbols, checked
 * against len. */
static uint64_t vdso_symbol(const uint8_t *base, uint64_t len, const char *name, uint64_t *size)
{
	const Elf64_Ehdr *eh = (const void *)base;
	const Elf64_Shdr *sh;

	if (len < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_shentsize != sizeof *sh || eh->e_shoff > len ||
	    (uint64_t)eh->e_shnum * sizeof *sh > len - eh->e_shoff)
		return 0;
	sh = (const void *)(base + eh->e_shoff);
	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *str = &sh[sh[i].sh_link < eh->e_shnum ? sh[i].sh_link : 0];
		const Elf64_Sym *sym = (const void *)(base + sh[i].sh_offset);

		if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_offset > len ||
		    sh[i].sh_size > len - sh[i].sh_offset || str->sh_offset >= len)
			continue;
		for (uint64_t k = 0; k < sh[i].sh_size / sizeof *sym; k++) {
			uint64_t at = str->sh_offset + sym[k].st_name, want = strlen(name) + 1;

			if (at < len && len - at >= want && !memcmp(base + at, name, want) &&
			    sym[k].st_value && sym[k].st_value < len) {
				*size = sym[k].st_size;
				return sym[k].st_value;
			}
		}
	}
	return 0;
}

/* The rewrites, found in the sentry's own vDSO at host address at; false
 * when one cannot be made (a function too small for its new body): the
 * vDSO is then not given at all. */
static bool find_patches(uint64_t at, uint64_t len, uint64_t guest_at)
{
	for (size_t i = 0; i < sizeof redirects / sizeof redirects[0]; i++) {
		uint64_t size = 0, off = vdso_symbol((const uint8_t *)(uintptr_t)at, len,
						     redirects[i].name, &size);
		struct vdso_patch *p = &patches[npatches];

		if (!off)
			continue;
		if (npatches == sizeof patches / sizeof patches[0])
			return false;
		p->len = redirects[i].nr ? arch_syscall_thunk(redirects[i].nr, p->code)
					 : arch_return_thunk(-ENOSYS, p->code);
		if (size < p->len)
			return false;
		p->addr = guest_at + off;
		npatches++;
	}
	return true;
}

/* Whether the host gives a vDSO umbra can use; without one (or one it does
 * not understand) guests simply have none, as with vdso=0. */
void ptrace_vdso_init(void)
{
	struct plat_special a[MAX_AREAS];
	uint64_t base, ehdr = getauxval(AT_SYSINFO_EHDR);
	size_t n, text = MAX_AREAS;

	if (!ehdr || read_areas(0, a, &n) < 0)
		return;
	base = a[0].start;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(a[i].name, "[vdso]") && a[i].start == ehdr)
			text = i;
	if (text == MAX_AREAS || a[n - 1].end - base > ARCH_VDSO_WINDOW)
		return;
	for (size_t i = 0; i < n; i++) {
		vdso.area[i] = a[i];
		vdso.area[i].start += ARCH_VDSO_BASE - base;
		vdso.area[i].end += ARCH_VDSO_BASE - base;
	}
	if (!find_patches(ehdr, a[text].end - ehdr, vdso.area[text].start)) {
		npatches = 0;
		return;
	}
	block_len = a[n - 1].end - base;
	vdso.ehdr = vdso.area[text].start;
	vdso.n = n;
}

uint64_t ptrace_vdso_len(void)
{
	return block_len;
}

/* Moves the areas by delta with mremap in the stub. */
static int move_areas(struct plat_thread *th, struct plat_special *a, size_t n, uint64_t to)
{
	uint64_t delta = to - a[0].start;

	for (size_t i = 0; i < n; i++) {
		uint64_t len = a[i].end - a[i].start;
		long r = ptrace_inject6(th, SYS_mremap, a[i].start, len, len,
					MREMAP_MAYMOVE | MREMAP_FIXED, a[i].start + delta, 0);

		if (r < 0)
			return (int)r;
		if ((uint64_t)r != a[i].start + delta)
			return -EFAULT;
		a[i].start += delta;
		a[i].end += delta;
	}
	return 0;
}

static int write_patches(pid_t pid)
{
	char path[64];
	int fd, err = 0;

	snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (size_t i = 0; !err && i < npatches; i++)
		if (pwrite(fd, patches[i].code, patches[i].len, (off_t)patches[i].addr) !=
		    (ssize_t)patches[i].len)
			err = -EIO;
	close(fd);
	return err;
}

/* A new stub's vDSO to ARCH_VDSO_BASE, rewritten: before its address space
 * is stripped. Its layout must be the sentry's. */
int ptrace_vdso_place(struct plat_thread *th)
{
	struct plat_special a[MAX_AREAS];
	size_t n;
	int err;

	if (!vdso.n)
		return 0;
	err = read_areas(th->tid, a, &n);
	if (err)
		return err;
	if (n != vdso.n)
		return -ENOEXEC;
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].name, vdso.area[i].name) ||
		    a[i].end - a[0].start != vdso.area[i].end - ARCH_VDSO_BASE ||
		    a[i].start - a[0].start != vdso.area[i].start - ARCH_VDSO_BASE)
			return -ENOEXEC;
	if (a[0].start != ARCH_VDSO_BASE && a[0].start < ARCH_VDSO_BASE + block_len &&
	    a[n - 1].end > ARCH_VDSO_BASE)
		err = move_areas(th, a, n, VDSO_SCRATCH); /* mremap's ranges may not overlap */
	if (!err && a[0].start != ARCH_VDSO_BASE)
		err = move_areas(th, a, n, ARCH_VDSO_BASE);
	return err ? err : write_patches(th->tid);
}
