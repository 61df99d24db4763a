/* copy_struct_from_user() for the sentry's handlers. */
#include <errno.h>
#include <string.h>

#include "sentry/mm/mm.h"
#include "sentry/kernel/ustruct.h"

/* check_zeroed_user(): 1 when all len bytes at src are 0, 0 when one is
 * not, -EFAULT. */
static int guest_zeroed(struct task *t, uint64_t src, size_t len)
{
	static const uint8_t zero[256];
	uint8_t buf[sizeof zero];

	for (size_t off = 0; off < len; off += sizeof buf) {
		size_t n = len - off < sizeof buf ? len - off : sizeof buf;

		if (copy_from_guest(t, buf, src + off, n) < 0)
			return -EFAULT;
		if (memcmp(buf, zero, n))
			return 0;
	}
	return 1;
}

int copy_struct_from_guest(struct task *t, void *dst, size_t ksize, uint64_t src, size_t usize)
{
	size_t size = usize < ksize ? usize : ksize;

	if (usize < ksize) {
		memset((uint8_t *)dst + size, 0, ksize - size);
	} else if (usize > ksize) {
		int ret = guest_zeroed(t, src + size, usize - size);

		if (ret <= 0)
			return ret ? ret : -E2BIG;
	}
	return copy_from_guest(t, dst, src, size) < 0 ? -EFAULT : 0;
}
