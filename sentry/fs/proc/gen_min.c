/* The first procfs files: comm, fdinfo and /proc/sys/kernel. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "sentry/fs/fdtable.h"
#include "sentry/fs/proc/proc_gen.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"

/* comm: the program's name, at most TASK_COMM_LEN - 1 = 15 bytes. */
static int gen_comm(struct task *t, struct strbuf *b)
{
	const char *name = t->exe_path ? strrchr(t->exe_path, '/') : NULL;

	name = name ? name + 1 : "";
	strbuf_printf(b, "%.15s\n", name);
	return b->err;
}

const struct proc_pid_file proc_pid_files[] = {
	{ "comm", gen_comm, 0644 },
	{ NULL, NULL, 0 },
};

int proc_fdinfo(struct task *t, int fd, struct strbuf *b)
{
	struct file *f = fdtable_get(t->files, fd);
	off_t pos;

	if (!f)
		return -ENOENT;
	pos = lseek(f->host_fd, 0, SEEK_CUR);
	strbuf_printf(b, "pos:\t%lld\nflags:\t0%o\n", (long long)(pos < 0 ? 0 : pos),
		      (unsigned int)f->flags);
	return b->err;
}

static int gen_ostype(struct sandbox *sb, struct strbuf *b)
{
	strbuf_printf(b, "%s\n", sb->uts.sysname);
	return b->err;
}

static int gen_osrelease(struct sandbox *sb, struct strbuf *b)
{
	strbuf_printf(b, "%s\n", sb->uts.release);
	return b->err;
}

static int gen_hostname(struct sandbox *sb, struct strbuf *b)
{
	strbuf_printf(b, "%s\n", sb->uts.nodename);
	return b->err;
}

const struct proc_sb_file proc_sb_files[] = {
	{ "sys/kernel/ostype", gen_ostype },
	{ "sys/kernel/osrelease", gen_osrelease },
	{ "sys/kernel/hostname", gen_hostname },
	{ NULL, NULL },
};
