/* Syscall dispatch: the generated per-arch table (abi/syscalls.tbl) maps each
 * number to a handler, a support level and how --trace prints it. */
#ifndef UMBRA_SENTRY_SYSCALL_H
#define UMBRA_SENTRY_SYSCALL_H

#include <stdint.h>

struct task;

struct syscall_args {
	long nr;
	uint64_t a[6];
};

typedef long (*syscall_handler)(struct task *t, const struct syscall_args *a);

enum syscall_level {
	SYSCALL_NONE,    /* -ENOSYS, counted and reported */
	SYSCALL_PARTIAL, /* implemented for the cases the table's note names */
	SYSCALL_FULL,
};

struct syscall_desc {
	const char *name;        /* NULL: no syscall has this number on this arch */
	syscall_handler handler; /* NULL: not implemented */
	unsigned char level;
	const char *args;        /* trace format, one letter per argument (abi/syscalls.tbl) */
	char ret;                /* trace format of the result */
};

extern const struct syscall_desc syscall_table[];
extern const unsigned int syscall_table_len;

static inline const struct syscall_desc *syscall_lookup(long nr)
{
	if (nr < 0 || (unsigned long)nr >= syscall_table_len || !syscall_table[nr].name)
		return 0;
	return &syscall_table[nr];
}

/* Linux's internal restart codes (include/linux/errno.h). */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

struct sandbox;
/* Counts a call umbra does not implement (numbers past the table share one slot). */
void syscall_count_unimplemented(struct sandbox *sb, long nr);

/* Runs one guest syscall: handler or -ENOSYS, counting, tracing. */
long syscall_dispatch(struct task *t, const struct syscall_args *a);

#endif
