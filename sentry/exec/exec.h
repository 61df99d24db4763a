/* Loading a program into a task (execve's second half). */
#ifndef UMBRA_SENTRY_EXEC_H
#define UMBRA_SENTRY_EXEC_H

#include "sentry/exec/elf.h"

struct task;

struct exec_file {
	int fd;
	char *path;     /* as given: AT_EXECFN */
	char *realpath; /* canonical host path: /proc/self/exe */
	struct elf_image img;
};

/* Opens and validates: -ENOENT, -EACCES (not a regular file, no execute
 * permission), -ENOEXEC (not an ELF executable for this machine, or dynamic). */
int exec_open(const char *path, struct exec_file *f);
void exec_close(struct exec_file *f);
/* Maps the program into t's (empty) address space, builds the stack and sets
 * the registers; the task then starts at the entry point. */
int exec_load(struct task *t, const struct exec_file *f, char *const argv[], char *const envp[]);

#endif
