/* ELF validation after fs/binfmt_elf.c: what Linux rejects, umbra rejects
 * with the same -ENOEXEC. */
#include <errno.h>
#include <string.h>

#include "sentry/exec/elf.h"

static int header_ok(const Elf64_Ehdr *eh)
{
	return !memcmp(eh->e_ident, ELFMAG, SELFMAG) && eh->e_ident[EI_CLASS] == ELFCLASS64 &&
	       eh->e_ident[EI_DATA] == ELFDATA2LSB && eh->e_ident[EI_VERSION] == EV_CURRENT &&
	       (eh->e_type == ET_EXEC || eh->e_type == ET_DYN) &&
	       eh->e_phentsize == sizeof(Elf64_Phdr) && eh->e_phnum > 0 &&
	       eh->e_phnum <= ELF_MAX_PHNUM;
}

size_t elf_headers_size(const void *buf, size_t len)
{
	Elf64_Ehdr eh;
	uint64_t end;

	if (len < sizeof eh)
		return 0;
	memcpy(&eh, buf, sizeof eh);
	if (!header_ok(&eh))
		return 0;
	end = eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
	if (end < eh.e_phoff || end > 1 << 20)
		return 0;
	return end > sizeof eh ? (size_t)end : sizeof eh;
}

static int load_segment_ok(const Elf64_Phdr *ph, uint64_t page_size)
{
	if (ph->p_filesz > ph->p_memsz)
		return 0;
	if (ph->p_vaddr + ph->p_memsz < ph->p_vaddr || ph->p_offset + ph->p_filesz < ph->p_offset)
		return 0;
	/* The file offset and address must agree within a page to be mappable. */
	return (ph->p_offset & (page_size - 1)) == (ph->p_vaddr & (page_size - 1));
}

static int layout(struct elf_image *img, uint64_t page_size)
{
	bool any = false;

	img->lo = UINT64_MAX;
	img->hi = 0;
	for (unsigned int i = 0; i < img->phnum; i++) {
		const Elf64_Phdr *ph = &img->phdr[i];

		if (ph->p_type == PT_INTERP)
			img->has_interp = true;
		if (ph->p_type == PT_GNU_STACK)
			img->exec_stack = ph->p_flags & PF_X;
		if (ph->p_type != PT_LOAD)
			continue;
		if (!load_segment_ok(ph, page_size))
			return -ENOEXEC;
		any = true;
		if ((ph->p_vaddr & ~(page_size - 1)) < img->lo)
			img->lo = ph->p_vaddr & ~(page_size - 1);
		if (ph->p_vaddr + ph->p_memsz > img->hi)
			img->hi = ph->p_vaddr + ph->p_memsz;
	}
	if (!any || img->hi > UINT64_MAX - (page_size - 1))
		return -ENOEXEC;
	img->hi = (img->hi + page_size - 1) & ~(page_size - 1);
	if (img->hi < img->lo)
		return -ENOEXEC;
	return 0;
}

/* AT_PHDR: PT_PHDR if present, else the headers inside the first segment
 * mapping them (as binfmt_elf does). */
static void find_phdr(struct elf_image *img, uint64_t phoff)
{
	for (unsigned int i = 0; i < img->phnum; i++) {
		const Elf64_Phdr *ph = &img->phdr[i];

		if (ph->p_type == PT_PHDR) {
			img->phdr_addr = ph->p_vaddr;
			return;
		}
	}
	for (unsigned int i = 0; i < img->phnum; i++) {
		const Elf64_Phdr *ph = &img->phdr[i];

		if (ph->p_type == PT_LOAD && phoff >= ph->p_offset &&
		    phoff < ph->p_offset + ph->p_filesz) {
			img->phdr_addr = ph->p_vaddr + (phoff - ph->p_offset);
			return;
		}
	}
	img->phdr_addr = 0;
}

int elf_parse(const void *buf, size_t len, uint16_t machine, uint64_t page_size,
	      struct elf_image *out)
{
	size_t need = elf_headers_size(buf, len);
	Elf64_Ehdr eh;
	int err;

	if (!need || need > len)
		return -ENOEXEC;
	memcpy(&eh, buf, sizeof eh);
	if (eh.e_machine != machine)
		return -ENOEXEC;
	memset(out, 0, sizeof *out);
	out->type = eh.e_type;
	out->entry = eh.e_entry;
	out->phnum = eh.e_phnum;
	memcpy(out->phdr, (const char *)buf + eh.e_phoff, eh.e_phnum * sizeof(Elf64_Phdr));
	err = layout(out, page_size);
	if (err)
		return err;
	find_phdr(out, eh.e_phoff);
	return 0;
}
