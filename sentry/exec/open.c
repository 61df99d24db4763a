/* exec_open: the checks execve(2) makes before anything is replaced
 * (fs/exec.c do_open_execat, fs/binfmt_elf.c load_elf_binary). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/arch.h"
#include "sentry/exec/exec.h"
#include "sentry/fs/vfs.h"

#define HEADER_READ 4096

static int read_headers(int fd, struct elf_image *img)
{
	uint8_t head[HEADER_READ];
	ssize_t n = pread(fd, head, sizeof head, 0);
	size_t need;
	uint8_t *buf;
	int err;

	if (n < 0)
		return -errno;
	need = elf_headers_size(head, (size_t)n);
	if (!need)
		return -ENOEXEC;
	if (need <= (size_t)n)
		return elf_parse(head, (size_t)n, ARCH_ELF_MACHINE, ARCH_PAGE_SIZE, img);
	buf = malloc(need);
	if (!buf)
		return -ENOMEM;
	n = pread(fd, buf, need, 0);
	err = n == (ssize_t)need ? elf_parse(buf, need, ARCH_ELF_MACHINE, ARCH_PAGE_SIZE, img)
				 : -ENOEXEC;
	free(buf);
	return err;
}

/* do_open_execat: a regular file the caller may execute. */
static int open_exec(const struct mount_table *mt, const char *cwd, const char *path,
		     struct exec_file *f)
{
	struct lookup l;
	int err = vfs_lookup(mt, cwd, path, LOOKUP_FOLLOW, &l);

	if (err)
		return err;
	if (!S_ISREG(l.st.st_mode))
		err = -EACCES;
	else if (faccessat(l.fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) < 0)
		err = -errno;
	if (!err) {
		f->fd = vfs_open_host(&l, O_RDONLY);
		err = f->fd < 0 ? f->fd : 0;
	}
	if (!err) {
		f->path = strdup(path);
		f->realpath = strdup(l.path);
		if (!f->path || !f->realpath)
			err = -ENOMEM;
	}
	lookup_release(&l);
	return err;
}

/* PT_INTERP's path: NUL-terminated, of a sane size. */
static int interp_path(const struct exec_file *f, char *out, size_t size)
{
	for (unsigned int i = 0; i < f->img.phnum; i++) {
		const Elf64_Phdr *ph = &f->img.phdr[i];

		if (ph->p_type != PT_INTERP)
			continue;
		if (ph->p_filesz < 2 || ph->p_filesz > size)
			return -ENOEXEC;
		if (pread(f->fd, out, ph->p_filesz, (off_t)ph->p_offset) != (ssize_t)ph->p_filesz)
			return -EIO;
		return out[ph->p_filesz - 1] ? -ENOEXEC : 0;
	}
	return -ENOEXEC;
}

static int open_interp(const struct mount_table *mt, struct exec_file *f)
{
	char path[PATH_MAX];
	int err = interp_path(f, path, sizeof path);

	if (err)
		return err;
	f->interp = calloc(1, sizeof *f->interp);
	if (!f->interp)
		return -ENOMEM;
	f->interp->fd = -1;
	err = open_exec(mt, "/", path, f->interp);
	if (!err)
		err = read_headers(f->interp->fd, &f->interp->img);
	return err == -ENOEXEC ? -ELIBBAD : err;
}

int exec_open(const struct mount_table *mt, const char *cwd, const char *path,
	      struct exec_file *f)
{
	int err;

	memset(f, 0, sizeof *f);
	f->fd = -1;
	err = open_exec(mt, cwd, path, f);
	if (!err)
		err = read_headers(f->fd, &f->img);
	if (!err && f->img.has_interp)
		err = open_interp(mt, f);
	if (err)
		exec_close(f);
	return err;
}

void exec_close(struct exec_file *f)
{
	if (f->interp) {
		exec_close(f->interp);
		free(f->interp);
	}
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	free(f->realpath);
	memset(f, 0, sizeof *f);
	f->fd = -1;
}
