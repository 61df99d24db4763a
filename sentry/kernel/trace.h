/* strace-style printing of guest syscalls (umbra run --trace). */
#ifndef UMBRA_SENTRY_TRACE_H
#define UMBRA_SENTRY_TRACE_H

#include <stddef.h>

#include "sentry/kernel/syscall.h"

/* Formats "name(args) = result\n" into buf (always NUL-terminated, truncated to
 * size) and returns its length. desc may be NULL for an unknown number. */
size_t trace_format(struct task *t, const struct syscall_desc *desc,
		    const struct syscall_args *a, long ret, char *buf, size_t size);

#endif
