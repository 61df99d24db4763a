/* struct stat of arm64: the asm-generic layout (include/uapi/asm-generic/stat.h),
 * filled as cp_new_stat() in fs/stat.c fills it. */
#include <stddef.h>
#include <string.h>

#include "arch/arch.h"

struct arm64_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint32_t st_mode;
	uint32_t st_nlink;
	uint32_t st_uid;
	uint32_t st_gid;
	uint64_t st_rdev;
	uint64_t pad1;
	int64_t st_size;
	int32_t st_blksize;
	int32_t pad2;
	int64_t st_blocks;
	int64_t st_atime_sec;
	uint64_t st_atime_nsec;
	int64_t st_mtime_sec;
	uint64_t st_mtime_nsec;
	int64_t st_ctime_sec;
	uint64_t st_ctime_nsec;
	uint32_t unused4;
	uint32_t unused5;
};

_Static_assert(sizeof(struct arm64_stat) == ARCH_STAT_SIZE, "asm-generic stat size");
_Static_assert(offsetof(struct arm64_stat, st_mode) == 16, "stat st_mode");
_Static_assert(offsetof(struct arm64_stat, st_rdev) == 32, "stat st_rdev");
_Static_assert(offsetof(struct arm64_stat, st_size) == 48, "stat st_size");
_Static_assert(offsetof(struct arm64_stat, st_blksize) == 56, "stat st_blksize");
_Static_assert(offsetof(struct arm64_stat, st_blocks) == 64, "stat st_blocks");
_Static_assert(offsetof(struct arm64_stat, st_atime_sec) == 72, "stat st_atime");
_Static_assert(offsetof(struct arm64_stat, st_ctime_nsec) == 112, "stat st_ctime_nsec");

size_t arch_stat_encode(const struct linux_kstat *k, void *out)
{
	struct arm64_stat s;

	memset(&s, 0, sizeof(s));
	s.st_dev = k->dev;
	s.st_ino = k->ino;
	s.st_mode = k->mode;
	s.st_nlink = k->nlink;
	s.st_uid = k->uid;
	s.st_gid = k->gid;
	s.st_rdev = k->rdev;
	s.st_size = k->size;
	s.st_blksize = (int32_t)k->blksize;
	s.st_blocks = k->blocks;
	s.st_atime_sec = k->atime.tv_sec;
	s.st_atime_nsec = (uint64_t)k->atime.tv_nsec;
	s.st_mtime_sec = k->mtime.tv_sec;
	s.st_mtime_nsec = (uint64_t)k->mtime.tv_nsec;
	s.st_ctime_sec = k->ctime.tv_sec;
	s.st_ctime_nsec = (uint64_t)k->ctime.tv_nsec;
	memcpy(out, &s, sizeof(s));
	return sizeof(s);
}
