/* struct stat of arch/x86/include/uapi/asm/stat.h (x86_64). */
#include <stddef.h>
#include <string.h>

#include "arch/arch.h"

struct x86_64_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;
	struct linux_timespec st_atim;
	struct linux_timespec st_mtim;
	struct linux_timespec st_ctim;
	int64_t unused[3];
};
_Static_assert(sizeof(struct x86_64_stat) == ARCH_STAT_SIZE, "x86_64 stat size");
_Static_assert(offsetof(struct x86_64_stat, st_size) == 48, "x86_64 stat st_size");

size_t arch_stat_encode(const struct linux_kstat *k, void *out)
{
	struct x86_64_stat s;

	memset(&s, 0, sizeof s);
	s.st_dev = k->dev;
	s.st_ino = k->ino;
	s.st_nlink = k->nlink;
	s.st_mode = k->mode;
	s.st_uid = k->uid;
	s.st_gid = k->gid;
	s.st_rdev = k->rdev;
	s.st_size = k->size;
	s.st_blksize = k->blksize;
	s.st_blocks = k->blocks;
	s.st_atim = k->atime;
	s.st_mtim = k->mtime;
	s.st_ctim = k->ctime;
	memcpy(out, &s, sizeof s);
	return sizeof s;
}
