/* The contents of procfs files (fs/proc/): each generator appends one file's
 * text, as Linux would print it at this moment, to a growing buffer. The
 * procfs mount (procfs.c) renders them into its tree when a path is looked
 * up; generators never touch the tree themselves. */
#ifndef UMBRA_SENTRY_PROC_GEN_H
#define UMBRA_SENTRY_PROC_GEN_H

#include <stddef.h>

struct sandbox;
struct task;

/* A growing buffer; on allocation failure err is -ENOMEM and later
 * appends do nothing. */
struct strbuf {
	char *buf;
	size_t len, cap;
	int err;
};

void strbuf_init(struct strbuf *b);
void strbuf_free(struct strbuf *b);
void strbuf_add(struct strbuf *b, const void *data, size_t n);
void strbuf_printf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A file of /proc/PID: t is the thread group leader of PID. Returns 0 or
 * -errno (the buffer's err when it ran out of memory). */
typedef int (*proc_pid_gen)(struct task *t, struct strbuf *b);
/* A file directly in /proc or under /proc/sys. */
typedef int (*proc_sb_gen)(struct sandbox *sb, struct strbuf *b);

struct proc_pid_file {
	const char *name;
	proc_pid_gen gen;
	unsigned int mode; /* 0444, 0400 (environ, auxv, mem) */
};

struct proc_sb_file {
	const char *path; /* relative to /proc: "cpuinfo", "sys/kernel/ostype" */
	proc_sb_gen gen;
};

/* The regular files of every /proc/PID, and of /proc itself; each table
 * ends with a NULL name (path). */
extern const struct proc_pid_file proc_pid_files[];
extern const struct proc_sb_file proc_sb_files[];

/* /proc/PID/fdinfo/FD: "pos:", "flags:" (octal, with O_CLOEXEC as Linux
 * shows it), "mnt_id:", "ino:"; -ENOENT when fd is not open. */
int proc_fdinfo(struct task *t, int fd, struct strbuf *b);

#endif
