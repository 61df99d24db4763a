/* ELF header validation and layout (sentry/exec/elf.h) on images built in
 * memory, plus one real static binary when the host has it. */
#include <check.h>

#include "tests/unit/unit.h"
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/arch.h"
#include "sentry/exec/elf.h"

#define PAGE 4096
#define OTHER_MACHINE (ARCH_ELF_MACHINE == EM_X86_64 ? EM_AARCH64 : EM_X86_64)

/* Header and program headers back to back, as linkers lay them out. */
struct image {
	union {
		Elf64_Ehdr eh;
		unsigned char bytes[8192];
	};
	size_t len;
};

static Elf64_Phdr *phdr(struct image *im, unsigned int i)
{
	return (Elf64_Phdr *)(void *)(im->bytes + im->eh.e_phoff) + i;
}

static void image_init(struct image *im, uint16_t type, uint16_t phnum)
{
	memset(im, 0, sizeof *im);
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->eh.e_type = type;
	im->eh.e_machine = ARCH_ELF_MACHINE;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_phoff = sizeof(Elf64_Ehdr);
	im->eh.e_ehsize = sizeof(Elf64_Ehdr);
	im->eh.e_phentsize = sizeof(Elf64_Phdr);
	im->eh.e_phnum = phnum;
	im->len = sizeof(Elf64_Ehdr) + phnum * sizeof(Elf64_Phdr);
}

static void set_phdr(struct image *im, unsigned int i, uint32_t type, uint32_t flags,
		     uint64_t off, uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	Elf64_Phdr *ph = phdr(im, i);

	ph->p_type = type;
	ph->p_flags = flags;
	ph->p_offset = off;
	ph->p_vaddr = vaddr;
	ph->p_paddr = vaddr;
	ph->p_filesz = filesz;
	ph->p_memsz = memsz;
	ph->p_align = type == PT_LOAD ? PAGE : 8;
}

/* A non-PIE executable: text from offset 0, data+bss whose start shares its
 * page offset with the file offset, program headers announced by PT_PHDR. */
static void good_exec(struct image *im)
{
	image_init(im, ET_EXEC, 4);
	im->eh.e_entry = 0x401020;
	set_phdr(im, 0, PT_PHDR, PF_R, 64, 0x400040, 4 * sizeof(Elf64_Phdr),
		 4 * sizeof(Elf64_Phdr));
	set_phdr(im, 1, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1234, 0x1234);
	set_phdr(im, 2, PT_LOAD, PF_R | PF_W, 0x2e10, 0x402e10, 0x200, 0x3000);
	set_phdr(im, 3, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
}

/* A static PIE: linked at 0, no PT_PHDR, no interpreter. */
static void good_static_pie(struct image *im)
{
	image_init(im, ET_DYN, 3);
	im->eh.e_entry = 0x1040;
	set_phdr(im, 0, PT_LOAD, PF_R | PF_X, 0, 0, 0x1800, 0x1800);
	set_phdr(im, 1, PT_LOAD, PF_R | PF_W, 0x1e00, 0x2e00, 0x300, 0x1300);
	set_phdr(im, 2, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
}

static struct elf_image out;

START_TEST(exec_layout)
{
	struct image im;

	good_exec(&im);
	ck_assert_int_eq(elf_parse(im.bytes, im.len, ARCH_ELF_MACHINE, PAGE, &out), 0);
	ck_assert_uint_eq(out.type, ET_EXEC);
	ck_assert_uint_eq(out.entry, 0x401020);
	ck_assert_uint_eq(out.phnum, 4);
	ck_assert_mem_eq(out.phdr, phdr(&im, 0), 4 * sizeof(Elf64_Phdr));
	ck_assert_uint_eq(out.lo, 0x400000);
	/* 0x402e10 + 0x3000 rounded up to the page */
	ck_assert_uint_eq(out.hi, 0x406000);
	ck_assert_uint_eq(out.phdr_addr, 0x400040);
	ck_assert(!out.has_interp);
	ck_assert(!out.exec_stack);
}
END_TEST

START_TEST(static_pie_layout)
{
	struct image im;

	good_static_pie(&im);
	ck_assert_int_eq(elf_parse(im.bytes, im.len, ARCH_ELF_MACHINE, PAGE, &out), 0);
	ck_assert_uint_eq(out.type, ET_DYN);
	ck_assert_uint_eq(out.entry, 0x1040);
	ck_assert_uint_eq(out.lo, 0);
	ck_assert_uint_eq(out.hi, 0x5000);
	/* No PT_PHDR: the headers at e_phoff 64 lie in the segment at offset 0. */
	ck_assert_uint_eq(out.phdr_addr, 0x40);
	ck_assert(!out.has_interp);
	ck_assert(!out.exec_stack);
}
END_TEST

START_TEST(lo_is_page_aligned_down)
{
	struct image im;

	image_init(&im, ET_EXEC, 2);
	set_phdr(&im, 0, PT_LOAD, PF_R, 0x1234, 0x801234, 0x10, 0x10);
	set_phdr(&im, 1, PT_LOAD, PF_R, 0x3000, 0x803000, 0x1000, 0x1001);
	ck_assert_int_eq(elf_parse(im.bytes, im.len, ARCH_ELF_MACHINE, PAGE, &out), 0);
	ck_assert_uint_eq(out.lo, 0x801000);
	ck_assert_uint_eq(out.hi, 0x805000);
}
END_TEST

START_TEST(interp_and_exec_stack)
{
	struct image im;

	image_init(&im, ET_DYN, 3);
	set_phdr(&im, 0, PT_INTERP, PF_R, 0x200, 0x200, 28, 28);
	set_phdr(&im, 1, PT_LOAD, PF_R | PF_X, 0, 0, 0x1000, 0x1000);
	set_phdr(&im, 2, PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0, 0);
	ck_assert_int_eq(elf_parse(im.bytes, im.len, ARCH_ELF_MACHINE, PAGE, &out), 0);
	ck_assert(out.has_interp);
	ck_assert(out.exec_stack);
}
END_TEST

START_TEST(phdr_from_the_load_holding_phoff)
{
	struct image im;

	/* The headers at file offset 0x1040 lie in the second segment, which
	 * maps the file from 0x1000, not in the first. */
	image_init(&im, ET_EXEC, 2);
	im.eh.e_phoff = 0x1040;
	im.len = 0x1040 + 2 * sizeof(Elf64_Phdr);
	set_phdr(&im, 0, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x800, 0x800);
	set_phdr(&im, 1, PT_LOAD, PF_R, 0x1000, 0x601000, 0x1000, 0x1000);
	ck_assert_int_eq(elf_parse(im.bytes, im.len, ARCH_ELF_MACHINE, PAGE, &out), 0);
	ck_assert_uint_eq(out.phdr_addr, 0x601040);

	/* No segment maps them: Linux then gives AT_PHDR 0 too. */
	phdr(&im, 1)->p_offset = 0x2000;
	phdr(&im, 1)->p_vaddr = 0x602000;
	ck_assert_int_eq(elf_parse(im.bytes, im.len, ARCH_ELF_MACHINE, PAGE, &out), 0);
	ck_assert_uint_eq(out.phdr_addr, 0);
}
END_TEST

/* PT_PHDR is believed even when no segment maps the headers' file offset. */
START_TEST(phdr_from_pt_phdr_first)
{
	struct image im;

	image_init(&im, ET_EXEC, 2);
	set_phdr(&im, 0, PT_PHDR, PF_R, 64, 0x400040, 2 * sizeof(Elf64_Phdr),
		 2 * sizeof(Elf64_Phdr));
	set_phdr(&im, 1, PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x1000, 0x1000);
	ck_assert_int_eq(elf_parse(im.bytes, im.len, ARCH_ELF_MACHINE, PAGE, &out), 0);
	ck_assert_uint_eq(out.phdr_addr, 0x400040);
}
END_TEST

START_TEST(headers_size)
{
	struct image im;

	good_exec(&im);
	/* The header alone says how much more to read. */
	ck_assert_uint_eq(elf_headers_size(im.bytes, sizeof(Elf64_Ehdr)),
			  sizeof(Elf64_Ehdr) + 4 * sizeof(Elf64_Phdr));
	ck_assert_uint_eq(elf_headers_size(im.bytes, sizeof(Elf64_Ehdr) - 1), 0);
	im.eh.e_phoff = 0x1000;
	ck_assert_uint_eq(elf_headers_size(im.bytes, sizeof(Elf64_Ehdr)),
			  0x1000 + 4 * sizeof(Elf64_Phdr));
	/* Program headers overlapping the header still need the whole header. */
	im.eh.e_phoff = 0;
	im.eh.e_phnum = 1;
	ck_assert_uint_eq(elf_headers_size(im.bytes, sizeof(Elf64_Ehdr)), sizeof(Elf64_Ehdr));
	im.bytes[0] = 0;
	ck_assert_uint_eq(elf_headers_size(im.bytes, sizeof(Elf64_Ehdr)), 0);
}
END_TEST

/* Each breaks one thing Linux's loader checks in the good executable. */
struct breakage {
	const char *what;
	void (*apply)(struct image *im);
};

static void bad_magic(struct image *im)
{
	im->eh.e_ident[EI_MAG1] = 'e';
}

static void class32(struct image *im)
{
	im->eh.e_ident[EI_CLASS] = ELFCLASS32;
}

static void big_endian(struct image *im)
{
	im->eh.e_ident[EI_DATA] = ELFDATA2MSB;
}

static void bad_version(struct image *im)
{
	im->eh.e_ident[EI_VERSION] = EV_NONE;
}

static void other_machine(struct image *im)
{
	im->eh.e_machine = OTHER_MACHINE;
}

static void type_rel(struct image *im)
{
	im->eh.e_type = ET_REL;
}

static void type_core(struct image *im)
{
	im->eh.e_type = ET_CORE;
}

static void phentsize_small(struct image *im)
{
	im->eh.e_phentsize = sizeof(Elf64_Phdr) - 8;
}

static void phentsize_big(struct image *im)
{
	im->eh.e_phentsize = sizeof(Elf64_Phdr) + 8;
}

static void phnum_zero(struct image *im)
{
	im->eh.e_phnum = 0;
}

/* With the bytes for all of them present, so only the count is wrong. */
static void phnum_too_many(struct image *im)
{
	im->eh.e_phnum = ELF_MAX_PHNUM + 1;
	im->len = sizeof(Elf64_Ehdr) + (ELF_MAX_PHNUM + 1) * sizeof(Elf64_Phdr);
}

static void short_header(struct image *im)
{
	im->len = sizeof(Elf64_Ehdr) - 1;
}

static void short_phdrs(struct image *im)
{
	im->len--;
}

static void phoff_past_end(struct image *im)
{
	im->eh.e_phoff = im->len;
}

static void filesz_over_memsz(struct image *im)
{
	phdr(im, 2)->p_filesz = 0x3001;
}

static void memsz_wraps(struct image *im)
{
	phdr(im, 2)->p_vaddr = 0xfffffffffffffe10ULL;
	phdr(im, 2)->p_memsz = 0x1000;
	phdr(im, 2)->p_filesz = 0x100;
}

static void offset_wraps(struct image *im)
{
	phdr(im, 2)->p_offset = 0xfffffffffffffe10ULL;
	phdr(im, 2)->p_filesz = 0x1000;
}

static void misaligned(struct image *im)
{
	phdr(im, 2)->p_vaddr += 8;
}

static void no_load(struct image *im)
{
	phdr(im, 1)->p_type = PT_NOTE;
	phdr(im, 2)->p_type = PT_NOTE;
}

static const struct breakage breakages[] = {
	{ "bad magic", bad_magic },
	{ "ELFCLASS32", class32 },
	{ "big-endian", big_endian },
	{ "EI_VERSION none", bad_version },
	{ "other e_machine", other_machine },
	{ "ET_REL", type_rel },
	{ "ET_CORE", type_core },
	{ "e_phentsize too small", phentsize_small },
	{ "e_phentsize too big", phentsize_big },
	{ "e_phnum 0", phnum_zero },
	{ "e_phnum over ELF_MAX_PHNUM", phnum_too_many },
	{ "shorter than the header", short_header },
	{ "shorter than the program headers", short_phdrs },
	{ "program headers past the end", phoff_past_end },
	{ "p_filesz > p_memsz", filesz_over_memsz },
	{ "p_vaddr + p_memsz wraps", memsz_wraps },
	{ "p_offset + p_filesz wraps", offset_wraps },
	{ "offset and vaddr differ within the page", misaligned },
	{ "no PT_LOAD", no_load },
};
#define NBREAKAGES (int)(sizeof breakages / sizeof breakages[0])

START_TEST(malformed_is_enoexec)
{
	const struct breakage *b = &breakages[_i];
	struct image im;

	good_exec(&im);
	ck_assert_int_eq(elf_parse(im.bytes, im.len, ARCH_ELF_MACHINE, PAGE, &out), 0);
	b->apply(&im);
	ck_assert_msg(elf_parse(im.bytes, im.len, ARCH_ELF_MACHINE, PAGE, &out) == -ENOEXEC,
		      "%s: accepted", b->what);
}
END_TEST

START_TEST(machine_is_the_callers)
{
	struct image im;

	good_exec(&im);
	ck_assert_int_eq(elf_parse(im.bytes, im.len, OTHER_MACHINE, PAGE, &out), -ENOEXEC);
}
END_TEST

/* Debian's busybox is static: the whole parse must agree with the bytes. */
START_TEST(real_static_binary)
{
	unsigned char hdr[sizeof(Elf64_Ehdr)], *buf;
	Elf64_Ehdr eh;
	size_t need;
	int fd = open("/bin/busybox", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "real_static_binary: no /bin/busybox, skipped\n");
		return;
	}
	ck_assert_int_eq(pread(fd, hdr, sizeof hdr, 0), (ssize_t)sizeof hdr);
	memcpy(&eh, hdr, sizeof eh);
	if (eh.e_machine != ARCH_ELF_MACHINE) {
		fprintf(stderr, "real_static_binary: /bin/busybox is for another arch, skipped\n");
		close(fd);
		return;
	}
	need = elf_headers_size(hdr, sizeof hdr);
	ck_assert_uint_eq(need, eh.e_phoff + eh.e_phnum * sizeof(Elf64_Phdr));
	buf = malloc(need);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(pread(fd, buf, need, 0), (ssize_t)need);
	close(fd);

	ck_assert_int_eq(elf_parse(buf, need, ARCH_ELF_MACHINE, PAGE, &out), 0);
	ck_assert_uint_eq(out.entry, eh.e_entry);
	ck_assert_uint_eq(out.type, eh.e_type);
	ck_assert_uint_eq(out.phnum, eh.e_phnum);
	ck_assert(!out.has_interp);
	ck_assert_uint_le(out.lo, out.entry);
	ck_assert_uint_lt(out.entry, out.hi);
	ck_assert_uint_eq(out.lo % PAGE, 0);
	ck_assert_uint_eq(out.hi % PAGE, 0);
	ck_assert_int_eq(elf_parse(buf, need - 1, ARCH_ELF_MACHINE, PAGE, &out), -ENOEXEC);
	free(buf);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("elf");
	TCase *good = tcase_create("good");
	TCase *bad = tcase_create("bad");

	tcase_add_test(good, exec_layout);
	tcase_add_test(good, static_pie_layout);
	tcase_add_test(good, lo_is_page_aligned_down);
	tcase_add_test(good, interp_and_exec_stack);
	tcase_add_test(good, phdr_from_the_load_holding_phoff);
	tcase_add_test(good, phdr_from_pt_phdr_first);
	tcase_add_test(good, headers_size);
	tcase_add_test(good, real_static_binary);
	suite_add_tcase(s, good);

	tcase_add_loop_test(bad, malformed_is_enoexec, 0, NBREAKAGES);
	tcase_add_test(bad, machine_is_the_callers);
	suite_add_tcase(s, bad);
	return s;
}
