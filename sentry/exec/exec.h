/* Loading a program into a task (execve's second half). */
#ifndef UMBRA_SENTRY_EXEC_H
#define UMBRA_SENTRY_EXEC_H

#include "sentry/exec/elf.h"

struct task;
struct mount_table;

struct exec_file {
	int fd;
	char *path;     /* as given: AT_EXECFN */
	char *realpath; /* canonical guest path: /proc/self/exe */
	struct elf_image img;
	struct exec_file *interp; /* PT_INTERP's program, or NULL */
};

/* Opens path in the sandbox's view (relative to cwd) and validates it, and
 * its interpreter: -ENOENT, -EACCES (not a regular file, no execute
 * permission), -ENOEXEC (not an ELF executable for this machine), -ELIBBAD
 * (an interpreter that is not one). */
int exec_open(const struct mount_table *mt, const char *cwd, const char *path,
	      struct exec_file *f);
void exec_close(struct exec_file *f);
/* Maps the program (and its interpreter) into t's empty address space, builds
 * the stack and sets the registers; the task then starts at the entry point. */
int exec_load(struct task *t, const struct exec_file *f, char *const argv[], char *const envp[]);

#endif
