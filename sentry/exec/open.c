/* exec_open: the checks execve(2) makes before anything is replaced
 * (fs/exec.c do_open_execat, fs/binfmt_elf.c load_elf_binary). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/arch.h"
#include "sentry/exec/exec.h"
#include "sentry/fs/vfs.h"
#include "sentry/lib/writecount.h"

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
	err = vfs_may_exec(&l);
	if (!err)
		err = writecount_deny(l.st.st_dev, l.st.st_ino); /* -ETXTBSY: a writer */
	if (!err) {
		writecount_allow(l.st.st_dev, l.st.st_ino); /* held from exec_load on */
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

int exec_parse_shebang(char *line, size_t len, char **interp, char **arg)
{
	char *end = memchr(line, '\n', len), *p;

	if (len < 2 || line[0] != '#' || line[1] != '!')
		return 0;
	if (!end) {
		/* The whole buffer is one line: the interpreter's name must end
		 * inside it (binfmt_script.c next_terminator). */
		end = line + len;
	}
	*end = 0;
	for (p = line + 2; *p == ' ' || *p == '\t'; p++)
		;
	if (!*p)
		return -ENOEXEC;
	*interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (!*p && end == line + len && len == EXEC_SCRIPT_BUF)
		return -ENOEXEC; /* the name itself was cut off */
	*arg = NULL;
	if (*p) {
		*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		for (char *q = end; q > p && (q[-1] == ' ' || q[-1] == '\t'); q--)
			q[-1] = 0;
		if (*p)
			*arg = p;
	}
	return 1;
}

/* Puts interp [arg] in front of the prefix; the first script also brings its
 * own path (which replaces argv[0]). */
static int push_script(struct exec_file *f, const char *interp, const char *arg,
		       const char *script)
{
	char *add[3] = { NULL, NULL, NULL };
	int n = 0;

	if (f->nprefix + 3 > EXEC_MAX_PREFIX)
		return -ELOOP;
	add[n++] = strdup(interp);
	if (arg)
		add[n++] = strdup(arg);
	if (!f->nprefix)
		add[n++] = strdup(script);
	for (int i = 0; i < n; i++) {
		if (!add[i]) {
			for (int j = 0; j < n; j++)
				free(add[j]);
			return -ENOMEM;
		}
	}
	memmove(f->argv_prefix + n, f->argv_prefix, (size_t)f->nprefix * sizeof(char *));
	memcpy(f->argv_prefix, add, (size_t)n * sizeof(char *));
	f->nprefix += n;
	return 0;
}

/* One file of the chain: 1 when it was a script (path now names its
 * interpreter), 0 for an ELF program. The first script's own name in its
 * interpreter's argv is the one exec was given (name). */
static int open_one(const struct mount_table *mt, const char *cwd, char *path, size_t size,
		    const struct exec_name *name, struct exec_file *f)
{
	char line[EXEC_SCRIPT_BUF + 1], *interp, *arg;
	ssize_t n;
	int r = open_exec(mt, cwd, path, f);

	if (r)
		return r;
	n = pread(f->fd, line, EXEC_SCRIPT_BUF, 0);
	if (n < 0)
		return -errno;
	r = exec_parse_shebang(line, (size_t)n, &interp, &arg);
	if (r <= 0)
		return r ? r : read_headers(f->fd, &f->img);
	if (name->inaccessible)
		return -ENOENT; /* BINPRM_FLAGS_PATH_INACCESSIBLE */
	r = push_script(f, interp, arg, name->execfn && !f->nprefix ? name->execfn : path);
	if (!r && snprintf(path, size, "%s", interp) >= (int)size)
		r = -ENAMETOOLONG;
	close(f->fd);
	f->fd = -1;
	free(f->realpath);
	f->realpath = NULL;
	return r ? r : 1;
}

int exec_open(const struct mount_table *mt, const char *cwd, const char *path,
	      const struct exec_name *name, struct exec_file *f)
{
	static const struct exec_name as_given = { NULL, false, false };
	char cur[PATH_MAX];
	char *given;
	int r = 1, depth;

	if (!name)
		name = &as_given;
	memset(f, 0, sizeof *f);
	f->fd = -1;
	f->comm_from_file = name->comm_from_file;
	given = strdup(name->execfn ? name->execfn : path);
	if (!given)
		return -ENOMEM;
	snprintf(cur, sizeof cur, "%s", path);
	for (depth = 0; r == 1; depth++) {
		free(f->path);
		f->path = NULL;
		r = depth > EXEC_MAX_SCRIPTS ? -ELOOP : open_one(mt, cwd, cur, sizeof cur, name, f);
	}
	free(f->path);
	f->path = given;
	if (!r && f->img.has_interp)
		r = open_interp(mt, f);
	if (r)
		exec_close(f);
	return r;
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
	for (int i = 0; i < f->nprefix; i++)
		free(f->argv_prefix[i]);
	memset(f, 0, sizeof *f);
	f->fd = -1;
}
