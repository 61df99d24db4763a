/* Guest address spaces: VMAs backed by the sandbox's memory file, mapped into
 * the stub by injected mmap and into the sentry once, so that copying to and
 * from the guest is memcpy. */
#ifndef UMBRA_SENTRY_MM_H
#define UMBRA_SENTRY_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

struct task;
struct memfile;
struct plat_thread;
struct plat_proc;

/* Guest protections, as mmap(2)'s PROT_* and MAP_* values. */
struct mm;
struct vma;
struct vma_file;

int mm_create(struct memfile *mf, struct mm **out);
/* One more task on the address space (CLONE_VM); mm_destroy drops one. */
struct mm *mm_share(struct mm *mm);
void mm_destroy(struct mm *mm);
/* A 32-bit word of guest memory for futexes: the sentry's pointer to it, or
 * for memory it reaches only by copying (a host file's, VMA_HOST) the stub
 * and address; and its shared key, the same in every address space that
 * maps the word: the memory-file offset, or the file and offset. */
struct mm_word {
	uint32_t *ptr;
	struct plat_proc *proc;
	uint64_t addr;
	uint64_t key[3];
};
/* -EFAULT when addr is not mapped readable (writable with write). */
int mm_word(struct mm *mm, uint64_t addr, bool write, struct mm_word *w);
int mm_word_load(const struct mm_word *w, uint32_t *val);
/* Stores desired if the word holds *expected: 1; else 0 with *expected the
 * value seen; or -EFAULT. A word reached by copying is not atomic against
 * guest threads running meanwhile. */
int mm_word_cmpxchg(const struct mm_word *w, uint32_t *expected, uint32_t desired);
/* fork(2): a copy of parent's areas, layout and contents in a new address
 * space with no stub yet; mm_replay then maps it all into one. */
int mm_fork(struct mm *parent, struct mm **out);
int mm_replay(struct mm *mm, struct plat_thread *via);
/* The stub process backing this address space, set once it exists. */
void mm_set_proc(struct mm *mm, struct plat_proc *proc);
struct plat_proc *mm_proc(const struct mm *mm);

/* Layout chosen at exec: top of the stack and the base below which mmap
 * searches top-down. */
void mm_set_layout(struct mm *mm, uint64_t mmap_base, uint64_t brk_start);
uint64_t mm_brk(struct mm *mm);
/* The bytes of guest memory mapped outside [addr, addr+len) (the stub's
 * aside): what RLIMIT_AS weighs a new mapping of that range against. */
uint64_t mm_total_outside(struct mm *mm, uint64_t addr, uint64_t len);

enum mm_place {
	MM_HINT,      /* at addr if free, else where mmap would put it */
	MM_FIXED,     /* exactly at addr, replacing what is there */
	MM_NOREPLACE, /* exactly at addr, -EEXIST if anything is there */
};

/* Maps len bytes (page-aligned) of zeroed memory; returns the address or -errno. */
long mm_map_anon(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t len,
		 int prot, enum mm_place place);
/* What a mapping shows in /proc/PID/maps: the file at pgoff (NULL:
 * anonymous), and whether it was mapped MAP_SHARED. */
struct mm_source {
	struct vma_file *file;
	uint64_t pgoff;
	bool shared;
	/* >= 0: map this range of the memory file, which holds the file's
	 * bytes already and one more user of which the caller counted
	 * (memfile_share); -1: fresh memory, or with file->host_fd >= 0 the
	 * host file itself (VMA_HOST). */
	int64_t cached;
};
/* mm_map_anon, the new area named after src (which keeps its reference). */
long mm_map(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t len, int prot,
	    enum mm_place place, const struct mm_source *src);
/* Names the mapped areas of [addr, addr+len) after file, addr being at
 * offset pgoff (the loader's segments); 0 or -ENOMEM. */
int mm_name(struct mm *mm, uint64_t addr, uint64_t len, struct vma_file *file, uint64_t pgoff);
/* Marks [addr, addr+len) as never writable (mprotect: EACCES). */
void mm_deny_write(struct mm *mm, uint64_t addr, uint64_t len);
int mm_unmap(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t len);
int mm_protect(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t len, int prot);
long mm_remap(struct mm *mm, struct plat_thread *via, uint64_t old_addr, uint64_t old_len,
	      uint64_t new_len, int flags, uint64_t new_addr);
/* MADV_DONTNEED and friends: anonymous memory reads as zeroes again, a
 * private mapping of a host file as the file. */
int mm_discard(struct mm *mm, struct plat_thread *via, uint64_t addr, uint64_t len);
/* madvise(2)'s MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK, MADV_KEEPONFORK
 * on the areas of the range: -EINVAL for WIPEONFORK on a file or shared
 * mapping, -ENOMEM when part of the range is unmapped (the rest changed). */
int mm_fork_advice(struct mm *mm, uint64_t addr, uint64_t len, int advice);
/* msync(2): -ENOMEM when part of the range is unmapped; with wait
 * (MS_SYNC) the host files mapped shared in it are written back first. */
int mm_sync(struct mm *mm, uint64_t addr, uint64_t len, bool wait);
long mm_set_brk(struct mm *mm, struct plat_thread *via, uint64_t brk);
/* mincore(2): a byte per page of [addr, addr + pages pages), bit 0 set
 * when it is in memory (mm/incore.c); how many pages were answered before
 * the first that is not the guest's, or -errno. */
long mm_incore(struct mm *mm, uint64_t addr, size_t pages, uint8_t *vec);

/* What exec leaves for /proc/PID (mm_struct's fields of these names):
 * cmdline and environ read [arg_start, arg_end) and [env_start, env_end),
 * auxv is the vector exec gave, AT_NULL pair included. */
#define MM_AUXV_WORDS 96
struct mm_exec_info {
	uint64_t start_code, end_code, start_data, end_data, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv[MM_AUXV_WORDS];
	size_t auxv_words;
};
void mm_set_exec_info(struct mm *mm, const struct mm_exec_info *info);
/* The program exec ran: no file may open it for writing while the address
 * space lives (writecount_deny; ETXTBSY). */
void mm_set_exe(struct mm *mm, uint64_t dev, uint64_t ino);
void mm_get_exec_info(struct mm *mm, struct mm_exec_info *out);

/* A copy of the guest's areas as /proc/PID/maps lists them: the stub left
 * out, neighbours Linux would have merged folded (vma_merge_view). */
struct mm_snapshot {
	struct vma *v; /* each holding a reference to its file */
	size_t n;
	uint64_t brk_start, brk;
	struct mm_exec_info exec;
};
int mm_snapshot(struct mm *mm, struct mm_snapshot *s);
void mm_snapshot_free(struct mm_snapshot *s);

/* Sentry-side access; respect the guest's protections like the kernel's
 * copy_{from,to}_user. Return 0 or -EFAULT. */
int mm_read(struct mm *mm, void *dst, uint64_t src, size_t len);
int mm_write(struct mm *mm, uint64_t dst, const void *src, size_t len);
/* Writes ignoring protections (the loader filling read-only segments). */
int mm_poke(struct mm *mm, uint64_t dst, const void *src, size_t len);
/* The same for a tracer (FOLL_FORCE): memory shared with other address
 * spaces (page cache, fork) is first made mm's own, through via, a thread
 * of mm's stub. */
int mm_poke_private(struct mm *mm, struct plat_thread *via, uint64_t dst, const void *src,
		    size_t len);
enum mm_access {
	MM_READ,  /* the sentry reads guest memory: PROT_READ (or EXEC) needed */
	MM_WRITE, /* the sentry writes guest memory: PROT_WRITE needed */
	MM_FILL,  /* the loader fills fresh memory whatever its protection */
};

/* Host iovecs for I/O straight into guest memory: they cover [addr, addr+len)
 * or, when an inaccessible page, memory the sentry does not map or the max
 * iovecs end it, a prefix of it, as a partial read(2) or write(2) would.
 * Returns the count, -EFAULT when not even the first byte is accessible, or
 * -EREMOTEIO when the first byte is memory the sentry reaches only by
 * copying (a host file's): the caller moves it through a buffer with
 * mm_read or mm_write. */
int mm_iov(struct mm *mm, uint64_t addr, size_t len, enum mm_access how, struct iovec *iov,
	   int max);

/* The accessors syscall handlers use. */
int copy_from_guest(struct task *t, void *dst, uint64_t src, size_t len);
int copy_to_guest(struct task *t, uint64_t dst, const void *src, size_t len);
/* Copies a NUL-terminated string of at most size-1 bytes; returns its length,
 * -EFAULT, or -ENAMETOOLONG when no NUL is found within size bytes. */
long strncpy_from_guest(struct task *t, char *dst, uint64_t src, size_t size);

#endif
