/* File contents shared by the read-only private mappings of a sandbox. */
#ifndef UMBRA_SENTRY_PAGECACHE_H
#define UMBRA_SENTRY_PAGECACHE_H

#include <stdint.h>
#include <sys/stat.h>

struct memfile;
struct pagecache;

int pagecache_create(struct memfile *mf, struct pagecache **out);
void pagecache_destroy(struct pagecache *pc);
/* The memory-file range holding bytes [off, off + len) of the file (fd, as
 * st describes it now), read on a miss, with one more user counted for the
 * caller (memfile_share): it maps it, or gives it back with memfile_free. */
int pagecache_get(struct pagecache *pc, int fd, const struct stat *st, uint64_t off, uint64_t len,
		  int64_t *memoff);

#endif
