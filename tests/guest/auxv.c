// SPDX-License-Identifier: Apache-2.0
/*
 * The auxiliary vector as the loader built it (fs/binfmt_elf.c:
 * create_elf_tables): each entry checked against what the program can find
 * out for itself, from its own ELF header, its symbols and the id syscalls.
 * Built as ET_EXEC and as static-pie, where AT_PHDR and AT_ENTRY move with the
 * load address.
 */
#include "check.h"

#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <unistd.h>

#if defined(__x86_64__)
#define EXPECTED_PLATFORM "x86_64"
#define EXPECTED_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define EXPECTED_PLATFORM "aarch64"
#define EXPECTED_MACHINE EM_AARCH64
#else
#error "guest tests are built for x86_64 and aarch64 only"
#endif

/* Newer than some libc headers. */
#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif
#ifndef AT_RSEQ_FEATURE_SIZE
#define AT_RSEQ_FEATURE_SIZE 27
#endif
#ifndef AT_RSEQ_ALIGN
#define AT_RSEQ_ALIGN 28
#endif

/* The linker defines __ehdr_start at the ELF header inside the image. */
extern const ElfW(Ehdr) __ehdr_start __attribute__((visibility("hidden")));
extern char _start[] __attribute__((visibility("hidden")));

#define MAX_AUXV 128

static ElfW(auxv_t) *auxv;
static size_t nauxv;

static int aux_present(unsigned long type)
{
	size_t i;

	for (i = 0; i < nauxv; i++)
		if (auxv[i].a_type == type)
			return 1;
	return 0;
}

static unsigned long raw_aux(unsigned long type)
{
	size_t i;

	for (i = 0; i < nauxv; i++)
		if (auxv[i].a_type == type)
			return auxv[i].a_un.a_val;
	return 0;
}

/* getauxval, checked to agree with the vector itself. */
static unsigned long aux(unsigned long type, const char *name)
{
	unsigned long v;
	int present = aux_present(type), err;
	char what[64];

	errno = 0;
	v = getauxval(type);
	err = errno;
	if (!present) {
		snprintf(what, sizeof(what), "getauxval(%s) absent", name);
		check_long(what, ENOENT, err);
	}
	return v;
}

/* The vector follows envp's NULL on the initial stack. */
static void walk_auxv(char **envp)
{
	size_t i, j;

	while (*envp)
		envp++;
	auxv = (ElfW(auxv_t) *)(envp + 1);
	for (nauxv = 0; nauxv < MAX_AUXV; nauxv++)
		if (auxv[nauxv].a_type == AT_NULL)
			break;
	if (nauxv == MAX_AUXV) {
		fail("auxv: expected AT_NULL within %d entries got none",
		     MAX_AUXV);
		exit(EXIT_FAILURE);
	}
	for (i = 0; i < nauxv; i++) {
		for (j = i + 1; j < nauxv; j++)
			if (auxv[i].a_type == auxv[j].a_type)
				fail("auxv: expected type %lu once got it twice",
				     (unsigned long)auxv[i].a_type);
		/* glibc answers its own hwcap words for these (x86_64). */
		if (auxv[i].a_type == AT_HWCAP || auxv[i].a_type == AT_HWCAP2)
			continue;
		if (getauxval(auxv[i].a_type) != auxv[i].a_un.a_val)
			fail("getauxval(%lu): expected %#lx got %#lx",
			     (unsigned long)auxv[i].a_type,
			     (unsigned long)auxv[i].a_un.a_val,
			     getauxval(auxv[i].a_type));
	}
}

static void check_headers(void)
{
	const ElfW(Ehdr) *eh = &__ehdr_start;
	const ElfW(Phdr) *ph = (const void *)((const char *)eh + eh->e_phoff);
	uintptr_t bias = 0;
	int have_bias = 0;
	unsigned long v;
	int i;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) {
		fail("__ehdr_start: expected ELF magic got something else");
		return;
	}
	check_long("e_machine", EXPECTED_MACHINE, eh->e_machine);

	check_ulong("AT_PHDR", (uintptr_t)ph, aux(AT_PHDR, "AT_PHDR"));
	check_long("AT_PHNUM", eh->e_phnum, aux(AT_PHNUM, "AT_PHNUM"));
	check_long("AT_PHENT", sizeof(ElfW(Phdr)), aux(AT_PHENT, "AT_PHENT"));
	check_long("e_phentsize", sizeof(ElfW(Phdr)), eh->e_phentsize);

	/* The segment holding the ELF header gives the load bias. */
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
			bias = (uintptr_t)eh - ph[i].p_vaddr;
			have_bias = 1;
			break;
		}
	}
	if (!check_true("a PT_LOAD maps the ELF header", have_bias))
		return;
	if (eh->e_type == ET_EXEC)
		check_ulong("ET_EXEC load bias", 0, bias);
	else if (!check_long("e_type", ET_DYN, eh->e_type))
		return;
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_PHDR)
			check_ulong("PT_PHDR + bias == AT_PHDR",
				    ph[i].p_vaddr + bias, getauxval(AT_PHDR));

	v = aux(AT_ENTRY, "AT_ENTRY");
	check_ulong("AT_ENTRY == _start", (uintptr_t)_start, v);
	check_ulong("AT_ENTRY == e_entry + bias", eh->e_entry + bias, v);
	/* No interpreter: the loader reports base 0. */
	check_ulong("AT_BASE", 0, aux(AT_BASE, "AT_BASE"));
	check_ulong("AT_FLAGS", 0, aux(AT_FLAGS, "AT_FLAGS"));
}

static void check_strings(const char *argv0)
{
	const char *execfn = (const char *)aux(AT_EXECFN, "AT_EXECFN");
	const char *platform = (const char *)aux(AT_PLATFORM, "AT_PLATFORM");
	const unsigned char *rnd = (const void *)aux(AT_RANDOM, "AT_RANDOM");
	const char *base = strrchr(argv0, '/');
	unsigned char copy[16];
	size_t i, zeros = 0;

	base = base ? base + 1 : argv0;
	if (!execfn) {
		fail("AT_EXECFN: expected a string got NULL");
	} else {
		size_t n = strlen(execfn), m = strlen(base);

		if (n < m || strcmp(execfn + n - m, base) != 0)
			fail("AT_EXECFN: expected a path ending in \"%s\" got \"%s\"",
			     base, execfn);
	}

	if (!platform)
		fail("AT_PLATFORM: expected \"%s\" got NULL", EXPECTED_PLATFORM);
	else if (strcmp(platform, EXPECTED_PLATFORM) != 0)
		fail("AT_PLATFORM: expected \"%s\" got \"%s\"",
		     EXPECTED_PLATFORM, platform);

	if (!rnd) {
		fail("AT_RANDOM: expected a pointer got NULL");
	} else {
		memcpy(copy, rnd, sizeof(copy));
		for (i = 0; i < sizeof(copy); i++)
			zeros += !copy[i];
		if (zeros > 8)
			fail("AT_RANDOM: expected 16 random bytes got %zu zeros",
			     zeros);
	}
}

static void check_values(void)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long v;
	int err;

	v = aux(AT_PAGESZ, "AT_PAGESZ");
	check_long("AT_PAGESZ == sysconf(_SC_PAGESIZE)", page, v);
	check_long("AT_PAGESZ == getpagesize()", getpagesize(), v);
	if (v < 4096 || (v & (v - 1)))
		fail("AT_PAGESZ: expected a power of two >= 4096 got %lu", v);

	check_long("AT_UID", getuid(), aux(AT_UID, "AT_UID"));
	check_long("AT_EUID", geteuid(), aux(AT_EUID, "AT_EUID"));
	check_long("AT_GID", getgid(), aux(AT_GID, "AT_GID"));
	check_long("AT_EGID", getegid(), aux(AT_EGID, "AT_EGID"));
	check_long("AT_SECURE", 0, aux(AT_SECURE, "AT_SECURE"));
	check_long("AT_CLKTCK", 100, aux(AT_CLKTCK, "AT_CLKTCK"));
	check_long("sysconf(_SC_CLK_TCK)", 100, sysconf(_SC_CLK_TCK));
	check_true("AT_HWCAP nonzero", raw_aux(AT_HWCAP) != 0);

	/* Linux gives it on both arches (5.14 x86_64, 4.18 arm64). */
	errno = 0;
	v = getauxval(AT_MINSIGSTKSZ);
	err = errno;
	if (!aux_present(AT_MINSIGSTKSZ)) {
		check_long("getauxval(AT_MINSIGSTKSZ) absent", ENOENT, err);
		note("AT_MINSIGSTKSZ absent");
	} else if (v == 0 || v > (1UL << 20)) {
		fail("AT_MINSIGSTKSZ: expected 0 < size <= 1 MiB got %lu", v);
	}

	/* Extensible rseq (Linux 6.3) advertises both or neither. */
	if (aux_present(AT_RSEQ_FEATURE_SIZE) != aux_present(AT_RSEQ_ALIGN)) {
		fail("AT_RSEQ_FEATURE_SIZE and AT_RSEQ_ALIGN: expected both or neither got one");
	} else if (aux_present(AT_RSEQ_FEATURE_SIZE)) {
		v = getauxval(AT_RSEQ_FEATURE_SIZE);
		if (v < 20)
			fail("AT_RSEQ_FEATURE_SIZE: expected >= 20 got %lu", v);
		v = getauxval(AT_RSEQ_ALIGN);
		if (v < 32 || (v & (v - 1)))
			fail("AT_RSEQ_ALIGN: expected a power of two >= 32 got %lu",
			     v);
	} else {
		note("AT_RSEQ_FEATURE_SIZE and AT_RSEQ_ALIGN absent");
	}

	/* A vDSO is optional; one that is given must be an ELF image. */
	if (aux_present(AT_SYSINFO_EHDR)) {
		const ElfW(Ehdr) *vdso = (const void *)getauxval(AT_SYSINFO_EHDR);

		if (!vdso || memcmp(vdso->e_ident, ELFMAG, SELFMAG) != 0)
			fail("AT_SYSINFO_EHDR: expected an ELF header got %p",
			     (const void *)vdso);
		else
			check_long("vDSO e_type", ET_DYN, vdso->e_type);
	} else {
		note("no vDSO (AT_SYSINFO_EHDR absent)");
	}
}

int main(int argc, char **argv, char **envp)
{
	check_true("argc >= 1", argc >= 1);
	check_ptr("argv[argc]", NULL, argv[argc]);
	walk_auxv(envp);
	check_headers();
	check_strings(argv[0]);
	check_values();
	printf("auxv: platform %s, AT_CLKTCK %lu, AT_SECURE %lu\n",
	       (const char *)getauxval(AT_PLATFORM), getauxval(AT_CLKTCK),
	       getauxval(AT_SECURE));
	return check_exit("auxv");
}
