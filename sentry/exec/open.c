/* exec_open: the checks execve(2) makes before anything is replaced. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/arch.h"
#include "sentry/exec/exec.h"

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

static int check_file(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	if (faccessat(fd, "", X_OK, AT_EACCESS | AT_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

int exec_open(const char *path, struct exec_file *f)
{
	int err;

	memset(f, 0, sizeof *f);
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return -errno;
	err = check_file(f->fd);
	if (!err)
		err = read_headers(f->fd, &f->img);
	if (!err && f->img.has_interp)
		err = -ENOEXEC; /* dynamically linked: the loader for PT_INTERP is not there yet */
	if (!err) {
		f->path = strdup(path);
		f->realpath = realpath(path, NULL);
		if (!f->path || !f->realpath)
			err = -ENOMEM;
	}
	if (err)
		exec_close(f);
	return err;
}

void exec_close(struct exec_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	free(f->realpath);
	memset(f, 0, sizeof *f);
	f->fd = -1;
}
