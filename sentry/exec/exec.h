/* Loading a program into a task (execve's second half). */
#ifndef UMBRA_SENTRY_EXEC_H
#define UMBRA_SENTRY_EXEC_H

#include <stdbool.h>

#include "sentry/exec/elf.h"

struct task;
struct mount_table;

#define EXEC_MAX_SCRIPTS 5 /* fs/exec.c exec_binprm: rewrites before -ELOOP */
#define EXEC_MAX_PREFIX (2 * EXEC_MAX_SCRIPTS + 1)
#define EXEC_SCRIPT_BUF 256 /* BINPRM_BUF_SIZE: how much of a #! line is read */

/* How execveat named the file (fs/exec.c alloc_bprm): the name the program
 * sees (AT_EXECFN, a script's argv) when it is not the path opened. */
struct exec_name {
	const char *execfn;  /* "/dev/fd/N[/NAME]", or NULL: the path as given */
	bool inaccessible;   /* N is close-on-exec: a script cannot be run */
	bool comm_from_file; /* execveat(fd, ""): comm is the file's own name */
};

struct exec_file {
	int fd;
	bool comm_from_file;
	char *path;     /* as given: AT_EXECFN */
	char *realpath; /* canonical guest path: /proc/self/exe */
	struct elf_image img;
	struct exec_file *interp; /* PT_INTERP's program, or NULL */
	/* #! scripts: what replaces argv[0] (interpreters, their arguments, the
	 * script paths); argv[1...] follow. argv is kept as given when empty. */
	char *argv_prefix[EXEC_MAX_PREFIX];
	int nprefix;
};

/* Opens path in the sandbox's view (relative to cwd) and validates it, its
 * #! interpreters and its PT_INTERP: -ENOENT, -EACCES (not a regular file, no
 * execute permission), -ENOEXEC (not an ELF executable for this machine, a bad
 * #! line), -ELIBBAD (a PT_INTERP that is not an ELF program), -ELOOP (more
 * than EXEC_MAX_SCRIPTS nested scripts), -ENOENT for a script whose name
 * (name->inaccessible) its interpreter could not open. name may be NULL. */
int exec_open(const struct mount_table *mt, const char *cwd, const char *path,
	      const struct exec_name *name, struct exec_file *f);
void exec_close(struct exec_file *f);
/* Maps the program (and its interpreter) into t's empty address space, builds
 * the stack and sets the registers; the task then starts at the entry point. */
int exec_load(struct task *t, const struct exec_file *f, char *const argv[], char *const envp[]);
/* fs/binfmt_script.c: parses a #! line from the first bytes of a file into
 * the interpreter and its optional single argument (pointers into line,
 * which is modified). Returns 1 for a script, 0 for no #!, -ENOEXEC. */
int exec_parse_shebang(char *line, size_t len, char **interp, char **arg);

#endif
