/* Memory syscalls (mm/mmap.c, mm/mprotect.c, mm/madvise.c
 * argument rules). */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "arch/arch.h"
#include "sentry/fs/fs_task.h"
#include "sentry/fs/mount.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/pagecache.h"
#include "sentry/mm/vma.h"
#include "sentry/kernel/syscall.h"
#include "syscall_handlers.h"

#define PAGE_OFF(x) ((x) & (ARCH_PAGE_SIZE - 1))
#define LINUX_PROT_SEM 0x8
#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC | LINUX_PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP)
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

static uint64_t page_up(uint64_t x)
{
	return (x + ARCH_PAGE_SIZE - 1) & ~(ARCH_PAGE_SIZE - 1);
}

static int guest_prot(uint64_t prot)
{
	return (int)(prot & (PROT_READ | PROT_WRITE | PROT_EXEC));
}

/* may_expand_vm(): the address space may not pass RLIMIT_AS. A mapping at
 * a fixed place counts only what it adds to what is there. */
static bool as_allows(struct task *t, uint64_t addr, uint64_t len, bool fixed)
{
	uint64_t limit = t->leader->rlim[RLIMIT_AS].rlim_cur;

	if (limit == RLIM_INFINITY)
		return true;
	return len <= limit && mm_total_outside(t->mm, fixed ? addr : 0, fixed ? len : 0) <=
				       limit - len;
}

/* brk's growth past RLIMIT_AS refused: the break stays (mm/mmap.c brk). */
long sys_brk(struct task *t, const struct syscall_args *a)
{
	uint64_t old = mm_brk(t->mm), top = page_up(old), want = page_up(a->a[0]);

	if (a->a[0] > old && want > top && !as_allows(t, top, want - top, false))
		return (long)old;
	return mm_set_brk(t->mm, t->plat, a->a[0]);
}

/* Copies the file's bytes [off, off + len) into fresh memory at addr; what
 * lies past the end of the file stays zero. */
static long fill_from_file(struct task *t, uint64_t addr, uint64_t len, int fd, uint64_t off)
{
	while (len) {
		struct iovec iov[16];
		int n = mm_iov(t->mm, addr, len, MM_FILL, iov, 16);
		ssize_t got;

		if (n < 0)
			return n;
		got = preadv(fd, iov, n, (off_t)off);
		if (got < 0)
			return -errno;
		if (got == 0)
			break;
		addr += (uint64_t)got;
		off += (uint64_t)got;
		len -= (uint64_t)got;
	}
	return 0;
}

/* Fresh memory at addr that /proc/PID/maps names after the file. */
/* The name a mapping of f has: its path in the view, or for a memfd the
 * host's own name of it, which is Linux's ("/memfd:NAME (deleted)"). Files
 * the sandbox was given stay unnamed. */
static const char *file_name(const struct file *f, char buf[VFS_PATH_MAX])
{
	char proc[32];
	ssize_t n;

	if (f->path && f->mnt)
		return f->path;
	if (f->mnt != &mount_anon)
		return NULL;
	fs_proc_path(f->host_fd, proc);
	n = readlink(proc, buf, VFS_PATH_MAX - 1);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	return buf;
}

static long map_named(struct task *t, const struct file *f, const struct stat *st, uint64_t addr,
		      uint64_t len, int prot, enum mm_place place, uint64_t off, bool shared,
		      int64_t cached)
{
	struct mm_source src = { NULL, off, shared, cached };
	char buf[VFS_PATH_MAX];
	const char *name = file_name(f, buf);
	long r;

	if (name) {
		src.file = vma_file_new(name, st->st_dev, st->st_ino);
		if (!src.file)
			return -ENOMEM;
	}
	r = mm_map(t->mm, t->plat, addr, len, prot, place, &src);
	vma_file_put(src.file);
	return r;
}

/* Read-only private mappings of files on read-only mounts come from the
 * sandbox's page cache: the program text and constants every process of a
 * library maps are then one copy. */
static bool cacheable(const struct file *f, const struct stat *st, uint64_t prot, uint64_t flags,
		      uint64_t off)
{
	return !(flags & MAP_SHARED) && !(prot & PROT_WRITE) && f->mnt && f->mnt->readonly &&
	       off < (uint64_t)st->st_size;
}

static long map_cached(struct task *t, const struct file *f, const struct stat *st, uint64_t addr,
		       uint64_t len, uint64_t prot, enum mm_place place, uint64_t off)
{
	int64_t mem;
	long r = pagecache_get(t->sb->pagecache, f->host_fd, st, off, len, &mem);

	if (r)
		return r;
	r = map_named(t, f, st, addr, len, guest_prot(prot), place, off, false, mem);
	if (r < 0)
		memfile_free(t->sb->memfile, (uint64_t)mem, len);
	return r;
}

/* A file that may change while mapped (on a writable mount, a memfd, one
 * the sandbox was given) is mapped from the host itself, shared or private:
 * the host's page cache then keeps it coherent with read(2), write(2) and
 * other mappings, and pages past its end fault. */
static long map_host(struct task *t, const struct file *f, const struct stat *st,
		     uint64_t addr, uint64_t len, int prot, enum mm_place place, uint64_t off,
		     bool shared)
{
	char buf[VFS_PATH_MAX];
	const char *name = file_name(f, buf);
	struct mm_source src = { vma_file_new(name ? name : "", st->st_dev, st->st_ino), off,
				 shared, -1 };
	long r;

	if (!src.file)
		return -ENOMEM;
	src.file->host_fd = fcntl(f->host_fd, F_DUPFD_CLOEXEC, 0);
	r = src.file->host_fd < 0 ? -EMFILE : mm_map(t->mm, t->plat, addr, len, prot, place, &src);
	vma_file_put(src.file);
	return r;
}

/* Files that cannot change while mapped are copied at mmap time (read-only
 * private ones through the page cache). */
static long map_copy(struct task *t, const struct file *f, const struct stat *st, uint64_t addr,
		     uint64_t len, uint64_t prot, uint64_t flags, enum mm_place place, uint64_t off)
{
	long r;
	int err;

	if (cacheable(f, st, prot, flags, off))
		return map_cached(t, f, st, addr, len, prot, place, off);
	r = map_named(t, f, st, addr, len, guest_prot(prot), place, off, flags & MAP_SHARED, -1);
	if (r >= 0 && (uint64_t)st->st_size > off) {
		uint64_t avail = (uint64_t)st->st_size - off;

		err = (int)fill_from_file(t, (uint64_t)r, avail < len ? avail : len, f->host_fd, off);
		if (err) {
			mm_unmap(t->mm, t->plat, (uint64_t)r, len);
			return err;
		}
	}
	return r;
}

static long mmap_file(struct task *t, uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags,
		      uint64_t fd, uint64_t off, enum mm_place place)
{
	struct file *f;
	struct stat st;
	int acc, err = fs_file(t, fd, &f);
	long r;

	if (err)
		return err;
	acc = f->flags & O_ACCMODE;
	if ((f->flags & O_PATH) || fstat(f->host_fd, &st) < 0)
		return -EBADF;
	if (acc == O_WRONLY)
		return -EACCES;
	if ((flags & MAP_SHARED) && (prot & PROT_WRITE) && acc != O_RDWR)
		return -EACCES;
	if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 5)
		return !as_allows(t, addr, len, place != MM_HINT) ? -ENOMEM : mm_map_anon(t->mm, t->plat, addr, len, guest_prot(prot), place); /* /dev/zero */
	if (!S_ISREG(st.st_mode))
		return -ENODEV;
	if (off > INT64_MAX - len)
		return -EOVERFLOW;
	if (!as_allows(t, addr, len, place != MM_HINT))
		return -ENOMEM;
	if (!f->mnt || !f->mnt->readonly)
		r = map_host(t, f, &st, addr, len, guest_prot(prot), place, off, flags & MAP_SHARED);
	else
		r = map_copy(t, f, &st, addr, len, prot, flags, place, off);
	if (r >= 0 && (flags & MAP_SHARED) && acc == O_RDONLY)
		mm_deny_write(t->mm, (uint64_t)r, len);
	return r;
}

long sys_mmap(struct task *t, const struct syscall_args *a)
{
	uint64_t addr = a->a[0], len = a->a[1], prot = a->a[2], flags = a->a[3];
	enum mm_place place = MM_HINT;
	int type = (int)(flags & MAP_SHARED_VALIDATE);

	if (!len || prot & ~(uint64_t)PROT_ALL || PAGE_OFF(a->a[5]))
		return -EINVAL;
	if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	len = page_up(len);
	if (!len || len > ARCH_TASK_SIZE)
		return -ENOMEM;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (PAGE_OFF(addr))
			return -EINVAL;
		place = flags & MAP_FIXED ? MM_FIXED : MM_NOREPLACE;
	} else {
		addr = page_up(addr);
	}
	if (!(flags & MAP_ANONYMOUS))
		return mmap_file(t, addr, len, prot, flags, a->a[4], a->a[5], place);
	if (!as_allows(t, addr, len, place != MM_HINT))
		return -ENOMEM;
	if (type != MAP_PRIVATE) {
		struct mm_source shared = { NULL, 0, true, -1 };

		return mm_map(t->mm, t->plat, addr, len, guest_prot(prot), place, &shared);
	}
	return mm_map_anon(t->mm, t->plat, addr, len, guest_prot(prot), place);
}

long sys_munmap(struct task *t, const struct syscall_args *a)
{
	if (PAGE_OFF(a->a[0]) || !a->a[1])
		return -EINVAL;
	return mm_unmap(t->mm, t->plat, a->a[0], page_up(a->a[1]));
}

long sys_mprotect(struct task *t, const struct syscall_args *a)
{
	uint64_t addr = a->a[0], len = page_up(a->a[1]);

	if (PAGE_OFF(addr) || a->a[2] & ~(uint64_t)PROT_ALL)
		return -EINVAL;
	if ((a->a[2] & PROT_GROWSDOWN) && (a->a[2] & PROT_GROWSUP))
		return -EINVAL;
	if (!a->a[1])
		return 0;
	if (!len || addr + len < addr || addr + len > ARCH_TASK_SIZE)
		return -ENOMEM;
	return mm_protect(t->mm, t->plat, addr, len, guest_prot(a->a[2]));
}

/* Growth past RLIMIT_AS is ENOMEM (mremap_to, vma_expandable), after the
 * flag and alignment checks mm_remap makes first. */
long sys_mremap(struct task *t, const struct syscall_args *a)
{
	uint64_t old_len = page_up(a->a[1]), new_len = page_up(a->a[2]);

	if (!(a->a[3] & ~(uint64_t)7) && !PAGE_OFF(a->a[0]) && old_len && new_len > old_len &&
	    !as_allows(t, 0, new_len - old_len, false))
		return -ENOMEM;
	return mm_remap(t->mm, t->plat, a->a[0], a->a[1], a->a[2], (int)a->a[3], a->a[4]);
}

/* Advice that changes contents (1) zeroes anonymous memory; what a fork
 * does with an area (2) is the area's; the rest is a hint (0). */
static int advice_kind(int advice)
{
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_REMOVE:
		return 1;
	case MADV_DONTFORK: case MADV_DOFORK: case MADV_WIPEONFORK: case MADV_KEEPONFORK:
		return 2;
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_MERGEABLE: case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP:
	case MADV_COLD: case MADV_PAGEOUT:
	case 22 /* MADV_POPULATE_READ */: case 23 /* MADV_POPULATE_WRITE */:
	case 25 /* MADV_COLLAPSE */:
		return 0;
	default:
		return -EINVAL;
	}
}

long sys_madvise(struct task *t, const struct syscall_args *a)
{
	uint64_t addr = a->a[0], len = page_up(a->a[1]);
	int kind = advice_kind((int)a->a[2]);

	if (kind < 0 || PAGE_OFF(addr) || (a->a[1] && !len))
		return -EINVAL;
	if (!len)
		return 0;
	if (addr + len < addr || addr + len > ARCH_TASK_SIZE)
		return -ENOMEM;
	if (kind == 2)
		return mm_fork_advice(t->mm, addr, len, (int)a->a[2]);
	return kind ? mm_discard(t->mm, t->plat, addr, len) : 0;
}

/* mm/msync.c: the flags, then the range; MS_SYNC writes back the host files
 * mapped shared (their pages are the host's page cache already). */
long sys_msync(struct task *t, const struct syscall_args *a)
{
	uint64_t addr = a->a[0], len = page_up(a->a[1]);
	int flags = (int)a->a[2];

	if (a->a[2] & ~(uint64_t)(MS_ASYNC | MS_INVALIDATE | MS_SYNC) || PAGE_OFF(addr))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	if (addr + len < addr || (a->a[1] && !len))
		return -ENOMEM;
	if (!len)
		return 0;
	return mm_sync(t->mm, addr, len, flags & MS_SYNC);
}

/* mincore(start, len, vec), in mm/mincore.c's order: an unaligned start is
 * EINVAL, a range past user space ENOMEM, a vector not writable EFAULT;
 * then page by page, a page that is not the guest's ENOMEM after the
 * answers before it were written. */
long sys_mincore(struct task *t, const struct syscall_args *a)
{
	static __thread uint8_t vec[4096];
	uint64_t addr = arch_untagged_addr(a->a[0]), len = a->a[1], uvec = a->a[2];
	uint64_t pages = len / ARCH_PAGE_SIZE + (PAGE_OFF(len) != 0);
	long n = 0;

	if (PAGE_OFF(addr))
		return -EINVAL;
	if (addr + len < addr || addr + len > ARCH_TASK_SIZE)
		return -ENOMEM;
	while (pages) {
		size_t chunk = pages < sizeof vec ? pages : sizeof vec;

		n = mm_incore(t->mm, addr, chunk, vec);
		if (n < 0)
			return n;
		for (long i = 0; i < n; i++)
			vec[i] &= 1;
		if (n && copy_to_guest(t, uvec, vec, (size_t)n) < 0)
			return -EFAULT;
		if ((size_t)n < chunk)
			return -ENOMEM;
		addr += chunk * ARCH_PAGE_SIZE;
		uvec += chunk;
		pages -= chunk;
	}
	return 0;
}

