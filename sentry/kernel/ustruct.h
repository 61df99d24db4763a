/* Extensible structs a guest passes with their size (clone3, openat2,
 * sched_setattr): include/linux/uaccess.h copy_struct_from_user(). */
#ifndef UMBRA_SENTRY_KERNEL_USTRUCT_H
#define UMBRA_SENTRY_KERNEL_USTRUCT_H

#include <stddef.h>
#include <stdint.h>

struct task;

/* The usize bytes at src into the ksize-byte dst: zero-filled past usize;
 * bytes past ksize must be 0 (-E2BIG), checked before the copy; -EFAULT
 * for memory the guest cannot read. */
int copy_struct_from_guest(struct task *t, void *dst, size_t ksize, uint64_t src, size_t usize);

#endif
