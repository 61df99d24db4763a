/* ELF executables: validation and layout, from the bytes of the headers. */
#ifndef UMBRA_SENTRY_ELF_H
#define UMBRA_SENTRY_ELF_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_PHNUM 128 /* more is no program Linux's loader meets in practice */

struct elf_image {
	uint16_t type;      /* ET_EXEC or ET_DYN */
	uint64_t entry;     /* unbiased */
	uint16_t phnum;
	Elf64_Phdr phdr[ELF_MAX_PHNUM];
	uint64_t lo, hi;    /* page-aligned span of the PT_LOAD segments, unbiased */
	uint64_t phdr_addr; /* where the program headers are in memory, unbiased */
	bool has_interp;
	bool exec_stack;
};

/* Bytes needed from the start of the file to parse it (header + program headers);
 * 0 if the header is bad. */
size_t elf_headers_size(const void *ehdr, size_t len);
/* Parses and validates; -ENOEXEC for anything Linux would not load. */
int elf_parse(const void *buf, size_t len, uint16_t machine, uint64_t page_size,
	      struct elf_image *out);

#endif
