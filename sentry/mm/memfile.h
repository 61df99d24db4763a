/* The sandbox's memory file: one memfd holding every page of guest memory,
 * mapped whole into the sentry. Ranges of it are handed out to VMAs. */
#ifndef UMBRA_SENTRY_MEMFILE_H
#define UMBRA_SENTRY_MEMFILE_H

#include <stdint.h>

struct memfile;

int memfile_create(uint64_t size, struct memfile **out);
void memfile_destroy(struct memfile *mf);
int memfile_fd(const struct memfile *mf);
/* A page-aligned range of len bytes (zeroed), as a file offset, or -ENOMEM. */
int64_t memfile_alloc(struct memfile *mf, uint64_t len);
/* Marks a range as mapped by one more address space: memfile_free of it
 * then releases nothing until the last one frees it. */
int memfile_share(struct memfile *mf, uint64_t off, uint64_t len);
/* Gives a range back; its memory is released to the host. */
void memfile_free(struct memfile *mf, uint64_t off, uint64_t len);
/* Zeroes a range, releasing its memory. */
int memfile_zero(struct memfile *mf, uint64_t off, uint64_t len);
/* The sentry's view of the file at off. */
void *memfile_ptr(const struct memfile *mf, uint64_t off);

#endif
