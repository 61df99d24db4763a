/* The sentry's reads and writes of guest memory: through its own mapping of
 * the memory file, checked against the guest's protections like copy_*_user. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "platform/platform.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm_priv.h"

static int allowed(const struct vma *v, enum mm_access how)
{
	if (v->flags & VMA_RESERVED) /* the vDSO may be read, nothing written */
		return (v->flags & VMA_SPECIAL) && how == MM_READ && (v->prot & PROT_READ);
	if (how == MM_READ)
		return v->prot & (PROT_READ | PROT_EXEC);
	if (how == MM_WRITE)
		return v->prot & PROT_WRITE;
	return 1;
}

#define BOUNCE 4096

/* fn on a stretch of a VMA_HOST area, which the sentry reaches only by
 * copying through the stub: bytes the sentry reads are copied in first,
 * bytes it writes copied out after. */
static int walk_host(struct mm *mm, uint64_t addr, size_t len, enum mm_access how,
		     int (*fn)(void *arg, void *host, size_t n), void *arg)
{
	char buf[BOUNCE];

	while (len) {
		size_t n = len < BOUNCE ? len : BOUNCE;
		int err;

		if (!mm->proc)
			return -EFAULT;
		if (how == MM_READ && plat_proc_read(mm->proc, buf, addr, n) != (long)n)
			return -EFAULT;
		err = fn(arg, buf, n);
		if (how != MM_READ && !err && plat_proc_write(mm->proc, addr, buf, n) != (long)n)
			return -EFAULT;
		if (err)
			return err;
		addr += n;
		len -= n;
	}
	return 0;
}

/* Calls fn for each host stretch of [addr, addr+len); mm->lock held. */
static int walk(struct mm *mm, uint64_t addr, size_t len, enum mm_access how,
		int (*fn)(void *arg, void *host, size_t n), void *arg)
{
	while (len) {
		const struct vma *v = vma_find(&mm->vmas, addr);
		size_t n;
		int err;

		if (!v || !allowed(v, how))
			return -EFAULT;
		n = v->end - addr < len ? v->end - addr : len;
		if (v->flags & (VMA_HOST | VMA_SPECIAL))
			err = walk_host(mm, addr, n, how, fn, arg);
		else
			err = fn(arg, memfile_ptr(mm->mf, v->off + (addr - v->start)), n);
		if (err)
			return err;
		addr += n;
		len -= n;
	}
	return 0;
}

static int locked_walk(struct mm *mm, uint64_t addr, size_t len, enum mm_access how,
		       int (*fn)(void *arg, void *host, size_t n), void *arg)
{
	int err;

	if (addr + len < addr)
		return -EFAULT;
	pthread_mutex_lock(&mm->lock);
	err = walk(mm, addr, len, how, fn, arg);
	pthread_mutex_unlock(&mm->lock);
	return err;
}

static int copy_out(void *arg, void *host, size_t n)
{
	char **dst = arg;

	memcpy(*dst, host, n);
	*dst += n;
	return 0;
}

static int copy_in(void *arg, void *host, size_t n)
{
	const char **src = arg;

	memcpy(host, *src, n);
	*src += n;
	return 0;
}

int mm_read(struct mm *mm, void *dst, uint64_t src, size_t len)
{
	char *p = dst;

	return locked_walk(mm, src, len, MM_READ, copy_out, &p);
}

int mm_write(struct mm *mm, uint64_t dst, const void *src, size_t len)
{
	const char *p = src;

	return locked_walk(mm, dst, len, MM_WRITE, copy_in, &p);
}

int mm_poke(struct mm *mm, uint64_t dst, const void *src, size_t len)
{
	const char *p = src;

	return locked_walk(mm, dst, len, MM_FILL, copy_in, &p);
}

int mm_iov(struct mm *mm, uint64_t addr, size_t len, enum mm_access how, struct iovec *iov,
	   int max)
{
	int n = 0;

	if (addr + len < addr)
		len = -addr;
	pthread_mutex_lock(&mm->lock);
	while (len && n < max) {
		const struct vma *v = vma_find(&mm->vmas, addr);
		size_t chunk;

		if (!v || !allowed(v, how))
			break;
		if (v->flags & (VMA_HOST | VMA_SPECIAL)) {
			if (!n)
				n = -EREMOTEIO;
			break;
		}
		chunk = v->end - addr < len ? v->end - addr : len;
		iov[n].iov_base = memfile_ptr(mm->mf, v->off + (addr - v->start));
		iov[n].iov_len = chunk;
		n++;
		addr += chunk;
		len -= chunk;
	}
	pthread_mutex_unlock(&mm->lock);
	return n ? n : len ? -EFAULT : 0;
}

int copy_from_guest(struct task *t, void *dst, uint64_t src, size_t len)
{
	return mm_read(t->mm, dst, src, len);
}

int copy_to_guest(struct task *t, uint64_t dst, const void *src, size_t len)
{
	return mm_write(t->mm, dst, src, len);
}

struct str_copy {
	char *dst;
	size_t left;
	int done;
};

static int copy_str(void *arg, void *host, size_t n)
{
	struct str_copy *c = arg;
	const char *nul = memchr(host, 0, n);
	size_t take = nul ? (size_t)(nul - (char *)host) + 1 : n;

	memcpy(c->dst, host, take);
	c->dst += take;
	c->left -= take;
	if (nul) {
		c->done = 1;
		return 1; /* stop the walk */
	}
	return 0;
}

/* Reads page by page so that a string ending before an unmapped page works. */
long strncpy_from_guest(struct task *t, char *dst, uint64_t src, size_t size)
{
	struct str_copy c = { dst, size, 0 };
	uint64_t at = src;

	while (c.left && !c.done) {
		size_t chunk = 4096 - (at & 4095);
		int err;

		if (chunk > c.left)
			chunk = c.left;
		err = locked_walk(t->mm, at, chunk, MM_READ, copy_str, &c);
		if (err < 0)
			return err;
		at += chunk;
	}
	if (!c.done) {
		if (size)
			dst[size - 1] = 0;
		return -ENAMETOOLONG;
	}
	return (long)(c.dst - dst) - 1;
}
