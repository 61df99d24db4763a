/* execve(2) and execveat(2) (fs/exec.c): the program is opened and checked
 * while the old image still stands; the new one is built in a new stub and
 * address space, and only then does the old one go. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "platform/platform.h"
#include "sentry/exec/exec.h"
#include "sentry/fs/fdtable.h"
#include "sentry/fs/fs_task.h"
#include "sentry/kernel/futex.h"
#include "sentry/kernel/itimer.h"
#include "sentry/lib/array.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/sud.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/rseq/task_rseq.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "syscall_handlers.h"

#define ARG_STRLEN_MAX (32 * 4096) /* MAX_ARG_STRLEN */
#define ARG_MAX_BYTES (32 * 4096)  /* ARG_MAX: the least room argv and envp get */
#define STK_LIM (8ULL << 20)       /* _STK_LIM */

struct strv {
	char **v;
	size_t n, cap;
};

static void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* An empty array still needs its NULL. */
static int strv_end(struct strv *s)
{
	if (!s->v && !(s->v = calloc(1, sizeof *s->v)))
		return -ENOMEM;
	return 0;
}

static int strv_push(struct strv *s, char *str)
{
	if (array_reserve(&s->v, &s->cap, s->n + 2, sizeof *s->v) < 0)
		return -ENOMEM;
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
	return 0;
}

/* bprm_stack_limits(): what argv and envp may take of the stack. */
static uint64_t arg_limit(struct task *t)
{
	uint64_t stack = t->leader->rlim[RLIMIT_STACK].rlim_cur;
	uint64_t limit = STK_LIM / 4 * 3;

	if (limit > stack / 4)
		limit = stack / 4;
	return limit > ARG_MAX_BYTES ? limit : ARG_MAX_BYTES;
}

/* copy_strings(): a NULL-ended guest array of strings; *bytes counts what
 * they and their pointers take. */
static long copy_strv(struct task *t, uint64_t uv, struct strv *out, uint64_t *bytes)
{
	char *buf = malloc(ARG_STRLEN_MAX);
	long r = 0;

	if (!buf)
		return -ENOMEM;
	for (uint64_t i = 0; uv; i++) {
		uint64_t p;
		char *s;

		if (copy_from_guest(t, &p, uv + i * sizeof p, sizeof p) < 0) {
			r = -EFAULT;
			break;
		}
		if (!p)
			break;
		r = strncpy_from_guest(t, buf, p, ARG_STRLEN_MAX);
		if (r < 0) {
			r = r == -ENAMETOOLONG ? -E2BIG : r;
			break;
		}
		*bytes += (uint64_t)r + 1 + sizeof p;
		if (*bytes > arg_limit(t)) {
			r = -E2BIG;
			break;
		}
		s = strdup(buf);
		r = s ? strv_push(out, s) : -ENOMEM;
		if (r) {
			free(s);
			break;
		}
	}
	free(buf);
	return r < 0 ? r : 0;
}

struct exec_req {
	char path[VFS_PATH_MAX];
	char execfn[VFS_PATH_MAX + 32]; /* execveat's "/dev/fd/N[/NAME]" */
	struct exec_name name;
	struct strv argv, envp;
	struct exec_file file;
};

static long exec_args(struct task *t, uint64_t uargv, uint64_t uenvp, struct exec_req *x)
{
	uint64_t bytes = 0;
	long r = copy_strv(t, uargv, &x->argv, &bytes);

	if (!r)
		r = copy_strv(t, uenvp, &x->envp, &bytes);
	/* Since Linux 5.18 an empty argv gets "" as argv[0]. */
	if (!r && !x->argv.n) {
		char *empty = strdup("");

		r = empty ? strv_push(&x->argv, empty) : -ENOMEM;
		if (r)
			free(empty);
	}
	if (!r)
		r = strv_end(&x->envp);
	return r;
}

/* flush_signal_handlers(): caught signals go back to their default, and
 * every action loses its flags and mask; ignored ones stay ignored. */
static void reset_handlers(struct task *t)
{
	for (int i = 0; i < LINUX_NSIG; i++) {
		struct linux_sigaction *a = &t->sighand->action[i];

		if (a->handler != LINUX_SIG_IGN)
			a->handler = LINUX_SIG_DFL;
		a->flags = 0;
		a->restorer = 0;
		a->mask = 0;
	}
}

/* The new image in the task's own stub, emptied: past this point there
 * is no old image to go back to, and a failure ends the task with SIGSEGV,
 * as Linux's does after its point of no return. */
static long exec_in_place(struct task *t, struct exec_req *x)
{
	struct mm *old_mm = t->mm, *mm;
	long err = mm_create(t->sb->memfile, &mm);

	if (err)
		return err;
	mm_set_proc(mm, t->proc);
	err = plat_proc_reset(t->plat);
	pthread_mutex_lock(&t->sb->lock);
	t->mm = mm;
	pthread_mutex_unlock(&t->sb->lock);
	mm_destroy(old_mm);
	if (!err)
		err = exec_load(t, &x->file, x->argv.v, x->envp.v);
	if (err) {
		sandbox_log(t->sb, "execve failed after the old image was gone (error %ld): SIGSEGV",
			    -err);
		task_exit_group(t, SIGSEGV);
	}
	return err;
}

/* A vfork child's image in a new stub and address space, its parent's
 * being kept until it stands. */
static long exec_replace(struct task *t, struct exec_req *x)
{
	struct plat_proc *proc;
	struct plat_thread *old_plat = t->plat;
	struct mm *old_mm = t->mm, *mm;
	long err = mm_create(t->sb->memfile, &mm);

	if (err)
		return err;
	err = plat_proc_create(memfile_fd(t->sb->memfile), &proc, &t->plat);
	if (err) {
		mm_destroy(mm);
		return err;
	}
	mm_set_proc(mm, proc);
	pthread_mutex_lock(&t->sb->lock);
	t->mm = mm;
	pthread_mutex_unlock(&t->sb->lock);
	err = exec_load(t, &x->file, x->argv.v, x->envp.v);
	pthread_mutex_lock(&t->sb->lock);
	pthread_mutex_lock(&t->kill_lock);
	if (err) { /* the parent's stub thread and memory again */
		t->mm = old_mm;
		t->plat = old_plat;
		plat_proc_destroy(proc);
		old_mm = mm;
	} else {
		t->proc = proc;
		t->proc_owner = true;
		plat_thread_exit(old_plat);
	}
	pthread_mutex_unlock(&t->kill_lock);
	pthread_mutex_unlock(&t->sb->lock);
	mm_destroy(old_mm); /* the one not kept */
	return err;
}

static struct exec_req *exec_req_new(void)
{
	struct exec_req *x = calloc(1, sizeof *x);

	if (x)
		x->file.fd = -1; /* nothing for exec_close yet */
	return x;
}

void exec_req_free(struct exec_req *x)
{
	exec_close(&x->file);
	strv_free(&x->argv);
	strv_free(&x->envp);
	free(x);
}

/* The new image and what an exec resets, past de_thread; frees x. */
static long exec_commit(struct task *t, struct exec_req *x)
{
	long err = t->proc_owner ? exec_in_place(t, x) : exec_replace(t, x);

	exec_req_free(x);
	if (err)
		return err;
	fdtable_close_on_exec(t->files);
	ktimer_exec(t);
	reset_handlers(t);
	t->altstack = (struct linux_stack){ 0, LINUX_SS_DISABLE, 0, 0 };
	t->clear_child_tid = 0;
	t->robust_list = 0; /* the old image's list went with it (exec_mm_release) */
	t->robust_len = 0;
	sud_disarm(t);
	t->did_exec = true;
	rseq_exec(t);
	t->leader->membarrier = t->leader->membarrier_ready = 0; /* a new mm's */
	task_vfork_release(t);
	return 0;
}

void exec_take_over(struct task *l, struct exec_req *x)
{
	if (exec_commit(l, x) < 0 && !__atomic_load_n(&l->exiting, __ATOMIC_ACQUIRE))
		task_exit_group(l, SIGSEGV); /* past the point of no return */
}

/* Frees x, or hands it to the leader's tracer (de_thread from a thread). */
static long do_execve(struct task *t, struct exec_req *x, uint64_t uargv, uint64_t uenvp)
{
	long err = exec_open(&t->sb->mounts, t->fs->cwd, x->path, &x->name, &x->file);
	long args;

	/* The file is opened before argv and envp are read, and its format
	 * judged after (do_execveat_common, then search_binary_handler). */
	if (err && err != -ENOEXEC && err != -ELIBBAD) {
		exec_req_free(x);
		return err;
	}
	args = exec_args(t, uargv, uenvp, x);
	if (args)
		err = args;
	if (!err)
		err = task_exec_alone(t);
	if (err < 0) {
		exec_req_free(x);
		return err;
	}
	futex_exit_robust(t); /* exec_mm_release(), in the old image */
	if (err == 1) {
		task_vfork_release(t);
		task_exec_hand_over(t, x);
		return 0;
	}
	return exec_commit(t, x);
}

static long exec_path(struct task *t, uint64_t upath, struct exec_req *x)
{
	long r = strncpy_from_guest(t, x->path, upath, sizeof x->path);

	if (r < 0)
		return r;
	return r ? 0 : -ENOENT;
}

long sys_execve(struct task *t, const struct syscall_args *a)
{
	struct exec_req *x = exec_req_new();
	long r;

	if (!x)
		return -ENOMEM;
	r = exec_path(t, a->a[0], x);
	if (r) {
		exec_req_free(x);
		return r;
	}
	return do_execve(t, x, a->a[1], a->a[2]);
}

/* alloc_bprm: the name the program sees when execveat named it by a
 * directory fd: "/dev/fd/N" for the fd itself, whose own name is then the
 * comm, "/dev/fd/N/NAME" for a name relative to it. A close-on-exec fd is
 * gone once the new image runs: a script's interpreter could not open it. */
static void execveat_name(struct task *t, int dirfd, const char *given, struct exec_req *x)
{
	if (dirfd == LINUX_AT_FDCWD || given[0] == '/')
		return;
	if (!given[0])
		snprintf(x->execfn, sizeof x->execfn, "/dev/fd/%d", dirfd);
	else
		snprintf(x->execfn, sizeof x->execfn, "/dev/fd/%d/%s", dirfd, given);
	x->name.execfn = x->execfn;
	x->name.comm_from_file = !given[0];
	x->name.inaccessible = fdtable_cloexec(t->files, dirfd);
}

/* execveat's dirfd and flags turned into a path of the view. The name is
 * read first (getname_uflags: ENOENT for "" without AT_EMPTY_PATH), then
 * the flags judged. */
static long execveat_path(struct task *t, const struct syscall_args *a, struct exec_req *x)
{
	int dirfd = (int)a->a[0];
	uint64_t flags = a->a[4];
	struct lookup l;
	long r = strncpy_from_guest(t, x->path, a->a[1], sizeof x->path);

	if (r < 0)
		return r;
	if (!r && !(flags & LINUX_AT_EMPTY_PATH))
		return -ENOENT;
	if (flags & ~(uint64_t)(LINUX_AT_EMPTY_PATH | LINUX_AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	execveat_name(t, dirfd, x->path, x);
	r = fs_lookup(t, (uint64_t)dirfd, a->a[1],
		      flags & LINUX_AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW,
		      !!(flags & LINUX_AT_EMPTY_PATH), &l);
	if (r == 1) {
		struct file *f;

		r = fs_file(t, (uint64_t)dirfd, &f);
		if (r)
			return r;
		if (!f->path)
			return -EACCES; /* not a file of the view */
		snprintf(x->path, sizeof x->path, "%s", f->path);
		return 0;
	}
	if (r)
		return r;
	if (S_ISLNK(l.st.st_mode))
		r = -ELOOP; /* AT_SYMLINK_NOFOLLOW on a link */
	else
		snprintf(x->path, sizeof x->path, "%s", l.path);
	lookup_release(&l);
	return r;
}

long sys_execveat(struct task *t, const struct syscall_args *a)
{
	struct exec_req *x = exec_req_new();
	long r;

	if (!x)
		return -ENOMEM;
	r = execveat_path(t, a, x);
	if (r) {
		exec_req_free(x);
		return r;
	}
	return do_execve(t, x, a->a[2], a->a[3]);
}
