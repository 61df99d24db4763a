/* The initial process stack, as fs/binfmt_elf.c create_elf_tables lays it out:
 *
 *   top: 8 zero bytes, execfn, envp strings, argv strings, platform string,
 *        16 random bytes, padding to 16,
 *   sp:  argc, argv[], NULL, envp[], NULL, auxv pairs ending in AT_NULL.
 *
 * Built in a host buffer that stands for [top - size, top) of guest memory. */
#ifndef UMBRA_SENTRY_STACK_H
#define UMBRA_SENTRY_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "abi/linux.h"

#define STACK_MAX_AUXV 32

struct stack_spec {
	char *const *argv;
	char *const *envp;
	const char *execfn;
	const char *platform;
	uint8_t random[16];
	/* Entries without AT_NULL; the builder sets AT_RANDOM, AT_EXECFN and
	 * AT_PLATFORM to the addresses of what it placed (adding them if absent). */
	struct linux_auxv auxv[STACK_MAX_AUXV];
	size_t nauxv;
};

/* Where the strings went and the vector as placed, for /proc/PID's cmdline,
 * environ and auxv (fs/exec.c's arg_start ... env_end). */
struct stack_result {
	uint64_t arg_start, arg_end, env_start, env_end;
	struct linux_auxv auxv[STACK_MAX_AUXV + 4]; /* AT_NULL last */
	size_t nauxv;
};

/* Returns the initial sp (16-byte aligned), -E2BIG when it does not fit,
 * -EINVAL for a misaligned top, too many auxv entries or size < 64, or -ENOMEM.
 * out, unless NULL, says where things went. */
int64_t stack_build(const struct stack_spec *spec, uint64_t top, uint8_t *buf, size_t size,
		    struct stack_result *out);

#endif
