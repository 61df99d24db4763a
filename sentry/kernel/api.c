/* The public API (include/umbra.h) over the sentry's objects. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "include/umbra.h"
#include "sentry/exec/exec.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "platform/platform.h"

struct umbra_sandbox {
	struct sandbox sb;
};

struct umbra_process {
	struct task *task;
	bool waited;
};

const char *umbra_version(void)
{
	return UMBRA_VERSION;
}

int umbra_sandbox_create(struct umbra_sandbox **out)
{
	struct umbra_sandbox *s;
	int err;

	if (!out)
		return -EINVAL;
	err = plat_init();
	if (err)
		return err;
	s = malloc(sizeof *s);
	if (!s)
		return -ENOMEM;
	err = sandbox_init(&s->sb);
	if (err) {
		free(s);
		return err;
	}
	*out = s;
	return 0;
}

void umbra_sandbox_free(struct umbra_sandbox *s)
{
	if (!s)
		return;
	sandbox_fini(&s->sb);
	free(s);
}

int umbra_sandbox_set_trace_fd(struct umbra_sandbox *s, int fd)
{
	if (!s || fd < -1)
		return -EINVAL;
	if (fd >= 0 && fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	s->sb.trace_fd = fd;
	return 0;
}

int umbra_sandbox_set_stdio(struct umbra_sandbox *s, int in, int out, int err)
{
	int fds[3] = { in, out, err }, dup[3];

	if (!s)
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		dup[i] = fds[i] < 0 ? -1 : fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
		if (fds[i] >= 0 && dup[i] < 0) {
			int e = -errno;

			while (i-- > 0)
				if (dup[i] >= 0)
					close(dup[i]);
			return e;
		}
	}
	for (int i = 0; i < 3; i++) {
		if (s->sb.stdio[i] >= 0)
			close(s->sb.stdio[i]);
		s->sb.stdio[i] = dup[i];
	}
	return 0;
}

int umbra_sandbox_set_cpus(struct umbra_sandbox *s, int ncpus)
{
	if (!s || ncpus < 1 || ncpus > 1024)
		return -EINVAL;
	s->sb.ncpus = ncpus;
	return 0;
}

int umbra_sandbox_set_rseq_slice_ns(struct umbra_sandbox *s, int ns)
{
	if (!s || ns < RSEQ_SLICE_NS_MIN || ns > RSEQ_SLICE_NS_MAX)
		return -EINVAL;
	s->sb.rseq_slice_ns = ns;
	return 0;
}

int umbra_sandbox_rseq_stats(struct umbra_sandbox *s, struct umbra_rseq_stats *out)
{
	const struct rseq_stats *st;

	if (!s || !out)
		return -EINVAL;
	st = &s->sb.rseq_stats;
	out->grants = __atomic_load_n(&st->grants, __ATOMIC_RELAXED);
	out->yields = __atomic_load_n(&st->yields, __ATOMIC_RELAXED);
	out->expiries = __atomic_load_n(&st->expiries, __ATOMIC_RELAXED);
	out->revocations = __atomic_load_n(&st->revocations, __ATOMIC_RELAXED);
	out->aborts = __atomic_load_n(&st->aborts, __ATOMIC_RELAXED);
	return 0;
}

/* After a mount change the default cwd may name another directory, or none. */
static int view_changed(struct umbra_sandbox *s, int err)
{
	if (!err && !s->sb.cwd_set)
		sandbox_default_cwd(&s->sb);
	return err;
}

int umbra_sandbox_set_root(struct umbra_sandbox *s, const char *host_dir, int readonly)
{
	if (!s || !host_dir)
		return -EINVAL;
	return view_changed(s, mount_set_root(&s->sb.mounts, host_dir, readonly));
}

int umbra_sandbox_bind(struct umbra_sandbox *s, const char *host_dir, const char *guest_path,
		       int readonly)
{
	if (!s || !host_dir || !guest_path)
		return -EINVAL;
	return view_changed(s, mount_bind(&s->sb.mounts, host_dir, guest_path, readonly));
}

int umbra_sandbox_tmpfs(struct umbra_sandbox *s, const char *guest_path, const char *size)
{
	if (!s || !guest_path)
		return -EINVAL;
	return view_changed(s, mount_tmpfs(&s->sb.mounts, guest_path, size));
}

int umbra_sandbox_set_cwd(struct umbra_sandbox *s, const char *guest_dir)
{
	struct lookup l;
	int err;

	if (!s || !guest_dir)
		return -EINVAL;
	err = vfs_lookup(&s->sb.mounts, "/", guest_dir, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &l);
	if (err)
		return err;
	snprintf(s->sb.cwd, sizeof s->sb.cwd, "%s", l.path);
	s->sb.cwd_set = true;
	lookup_release(&l);
	return 0;
}

/* One PATH entry: an executable regular file in the view? */
static int try_dir(struct umbra_sandbox *s, const char *dir, size_t len, const char *name,
		   char *out, size_t size)
{
	struct lookup l;
	int n = snprintf(out, size, "%.*s%s%s", (int)len, len ? dir : ".",
			 len && dir[len - 1] == '/' ? "" : "/", name);
	int err;

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	err = vfs_lookup(&s->sb.mounts, s->sb.cwd, out, LOOKUP_FOLLOW, &l);
	if (err)
		return err;
	/* A shell passes over what is not a regular file, and remembers files
	 * it may not execute. */
	err = S_ISREG(l.st.st_mode) ? vfs_may_exec(&l) : -ENOENT;
	lookup_release(&l);
	return err;
}

int umbra_sandbox_which(struct umbra_sandbox *s, const char *name, const char *path_var,
			char *out, size_t size)
{
	int err = -ENOENT, r;

	if (!s || !name || !out || !*name)
		return -EINVAL;
	if (strchr(name, '/'))
		return snprintf(out, size, "%s", name) < (int)size ? 0 : -ENAMETOOLONG;
	if (!path_var || !*path_var)
		path_var = "/usr/local/bin:/usr/bin:/bin";
	for (;;) {
		size_t len = strcspn(path_var, ":");

		r = try_dir(s, path_var, len, name, out, size);
		if (r == 0)
			return 0;
		if (r == -EACCES)
			err = r;
		if (!path_var[len])
			return err;
		path_var += len + 1;
	}
}

int umbra_spawn(struct umbra_sandbox *s, const char *path, char *const argv[],
		char *const envp[], struct umbra_process **out)
{
	static char *const empty[] = { NULL };
	struct umbra_process *p;
	struct exec_file f;
	int err;

	if (!s || !path || !out)
		return -EINVAL;
	sandbox_report_view(&s->sb);
	err = exec_open(&s->sb.mounts, s->sb.cwd, path, NULL, &f);
	if (err)
		return err;
	p = calloc(1, sizeof *p);
	if (p)
		p->task = task_create(&s->sb);
	if (!p || !p->task) {
		free(p);
		exec_close(&f);
		return -ENOMEM;
	}
	err = task_start(p->task, &f, argv ? argv : empty, envp ? envp : empty);
	exec_close(&f);
	if (err) {
		task_destroy(p->task);
		free(p);
		return err;
	}
	*out = p;
	return 0;
}

int umbra_wait(struct umbra_process *p, int *status)
{
	if (!p)
		return -EINVAL;
	if (!p->waited) {
		task_join(p->task);
		p->waited = true;
	}
	if (status)
		*status = p->task->exit_status;
	return 0;
}

void umbra_process_free(struct umbra_process *p)
{
	if (!p)
		return;
	if (!p->waited)
		task_join(p->task);
	task_destroy(p->task);
	free(p);
}

int umbra_sandbox_unimplemented(struct umbra_sandbox *s,
				void (*fn)(const char *name, uint64_t count, void *arg), void *arg)
{
	int n = 0;

	if (!s || !fn)
		return -EINVAL;
	for (unsigned long nr = 0; nr < SANDBOX_MAX_SYSCALLS; nr++) {
		uint64_t c = atomic_load(&s->sb.unimplemented[nr]);
		const struct syscall_desc *d = syscall_lookup((long)nr);
		char name[32];

		if (!c)
			continue;
		snprintf(name, sizeof name, "syscall_%lu", nr);
		if (nr == SANDBOX_MAX_SYSCALLS - 1)
			fn("(numbers past the table)", c, arg);
		else
			fn(d ? d->name : name, c, arg);
		n++;
	}
	return n;
}

const char *umbra_strerror(int err)
{
	if (err == -ENOEXEC)
		return "cannot execute binary file: Exec format error";
	if (err == -ELIBBAD)
		return "bad ELF interpreter: Accessing a corrupted shared library";
	if (err == -EACCES)
		return "Permission denied";
	if (err == -ENOENT)
		return "No such file or directory";
	return strerror(err < 0 ? -err : err);
}
