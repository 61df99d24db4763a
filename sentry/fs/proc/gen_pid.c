/* The files of /proc/PID (fs/proc/base.c), and the small ones: comm,
 * cmdline, environ, auxv, fdinfo. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/arch.h"
#include "sentry/fs/fdtable.h"
#include "sentry/fs/fs_task.h"
#include "sentry/fs/proc/gen_priv.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/signal/signalfd.h"

/* comm: the name exec gave (proc_comm_show). */
static int gen_comm(struct task *t, struct strbuf *b)
{
	strbuf_printf(b, "%s\n", t->comm);
	return b->err;
}

/* mem: empty as rendered; reads and writes go to the process's memory
 * (sys_vm_rw.c), at the file's offset. */
static int gen_mem(struct task *t, struct strbuf *b)
{
	(void)t;
	return b->err;
}

/* Appends guest memory [addr, addr+len) a page at a time, stopping at the
 * first page the guest cannot read (access_remote_vm); returns the count. */
static size_t add_guest(struct mm *mm, uint64_t addr, uint64_t len, struct strbuf *b)
{
	char page[ARCH_PAGE_SIZE];
	size_t done = 0;

	while (done < len && !b->err) {
		uint64_t at = addr + done;
		size_t n = ARCH_PAGE_SIZE - (at & (ARCH_PAGE_SIZE - 1));

		if (n > len - done)
			n = len - done;
		if (mm_read(mm, page, at, n) < 0)
			break;
		strbuf_add(b, page, n);
		done += n;
	}
	return done;
}

/* fs/proc/base.c get_mm_cmdline: the argument strings; when the guest has
 * overwritten the last NUL (setproctitle), the string at arg_start, running
 * on into the environment, up to its NUL and at most a page. */
static int gen_cmdline(struct task *t, struct strbuf *b)
{
	struct mm_exec_info x;
	uint64_t len;
	char last;

	mm_get_exec_info(t->mm, &x);
	if (!x.env_end || x.arg_start >= x.arg_end)
		return 0;
	if (x.env_start != x.arg_end || x.env_end < x.env_start)
		x.env_start = x.env_end = x.arg_end;
	len = x.env_end - x.arg_start;
	if (mm_read(t->mm, &last, x.arg_end - 1, 1) == 0 && last) {
		size_t start = b->len, got;

		got = add_guest(t->mm, x.arg_start, len < ARCH_PAGE_SIZE ? len : ARCH_PAGE_SIZE, b);
		if (got && !b->err) {
			b->len = start + strnlen(b->buf + start, got);
			if (b->len < start + got)
				b->len++; /* the NUL found */
		}
		return b->err;
	}
	add_guest(t->mm, x.arg_start, x.arg_end - x.arg_start, b);
	return b->err;
}

/* fs/proc/base.c environ_read. */
static int gen_environ(struct task *t, struct strbuf *b)
{
	struct mm_exec_info x;

	mm_get_exec_info(t->mm, &x);
	if (x.env_end && x.env_start < x.env_end)
		add_guest(t->mm, x.env_start, x.env_end - x.env_start, b);
	return b->err;
}

/* The vector exec gave, AT_NULL included (proc_pid_auxv). */
static int gen_auxv(struct task *t, struct strbuf *b)
{
	struct mm_exec_info x;

	mm_get_exec_info(t->mm, &x);
	strbuf_add(b, x.auxv, x.auxv_words * sizeof x.auxv[0]);
	return b->err;
}

const struct proc_pid_file proc_pid_files[] = {
	{ "auxv", gen_auxv, 0400 },
	{ "cmdline", gen_cmdline, 0444 },
	{ "comm", gen_comm, 0644 },
	{ "environ", gen_environ, 0400 },
	{ "maps", proc_gen_maps, 0444 },
	{ "mem", gen_mem, 0600 },
	{ "mountinfo", proc_gen_mountinfo, 0444 },
	{ "mounts", proc_gen_mounts, 0444 },
	{ "smaps", proc_gen_smaps, 0444 },
	{ "stat", proc_gen_stat, 0444 },
	{ "statm", proc_gen_statm, 0444 },
	{ "status", proc_gen_status, 0444 },
	{ NULL, NULL, 0 },
};

/* fs/proc/fd.c seq_show: f_flags carry O_CLOEXEC when the fd has it. */
int proc_fdinfo(struct task *t, int fd, struct strbuf *b)
{
	struct file *f = fdtable_get(t->files, fd);
	struct stat st;
	long flags;
	off_t pos;

	if (!f)
		return -ENOENT;
	pos = lseek(f->host_fd, 0, SEEK_CUR);
	flags = fs_status_flags(f);
	if (flags < 0)
		flags = f->flags;
	if (fdtable_cloexec(t->files, fd))
		flags |= O_CLOEXEC;
	if (fstat(f->host_fd, &st) < 0)
		st.st_ino = 0;
	strbuf_printf(b, "pos:\t%lld\nflags:\t0%lo\nmnt_id:\t%d\nino:\t%llu\n",
		      (long long)(pos < 0 ? 0 : pos), (unsigned long)flags,
		      proc_mount_id(t->sb, f->mnt), (unsigned long long)st.st_ino);
	if (f->sigfd) /* signalfd_show_fdinfo() */
		strbuf_printf(b, "sigmask:\t%016llx\n", (unsigned long long)signalfd_mask(f->sigfd));
	return b->err;
}

int proc_read_host(const char *path, struct strbuf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	char buf[4096];
	ssize_t n;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		strbuf_add(b, buf, (size_t)n);
	if (n < 0)
		err = -errno;
	close(fd);
	return b->err ? b->err : err;
}
