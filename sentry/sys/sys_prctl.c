/* prctl(2) (kernel/sys.c): the options umbra's kernel has, one function
 * each; any other is reported once and refused as Linux refuses an unknown
 * option (EINVAL). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/sud.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/seccomp.h"
#include "sentry/mm/mm.h"
#include "sentry/rseq/task_rseq.h"
#include "sentry/sys/io.h"
#include "syscall_handlers.h"

#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_GET_SECCOMP 21
#define PR_SET_SECCOMP 22
#define PR_GET_NAME 16
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define PR_RSEQ_SLICE_EXTENSION 79

typedef long (*prctl_fn)(struct task *t, const uint64_t *a);

static long put_int(struct task *t, uint64_t addr, int v)
{
	int32_t x = v;

	return copy_to_guest(t, addr, &x, sizeof x);
}

static long set_pdeathsig(struct task *t, const uint64_t *a)
{
	if (a[1] > LINUX_NSIG)
		return -EINVAL;
	t->pdeathsig = (int)a[1];
	return 0;
}

static long get_pdeathsig(struct task *t, const uint64_t *a)
{
	return put_int(t, a[1], t->pdeathsig);
}

static long get_dumpable(struct task *t, const uint64_t *a)
{
	(void)a;
	return t->dumpable;
}

static long set_dumpable(struct task *t, const uint64_t *a)
{
	if (a[1] > 1)
		return -EINVAL; /* SUID_DUMP_ROOT (2) is for the kernel only */
	t->dumpable = (int)a[1];
	return 0;
}

static long set_name(struct task *t, const uint64_t *a)
{
	char name[sizeof t->comm];
	long r = strncpy_from_guest(t, name, a[1], sizeof name);

	if (r == -ENAMETOOLONG)
		r = 0; /* the name is cut to 15 bytes */
	if (r < 0)
		return r;
	memcpy(t->comm, name, sizeof name);
	return 0;
}

long proc_comm_write(struct task *t, int tid, uint64_t buf, size_t count)
{
	char name[sizeof t->comm] = "";
	struct task *p;
	long r = (long)count;

	if (copy_from_guest(t, name, buf, count < sizeof name - 1 ? count : sizeof name - 1) < 0)
		return -EFAULT;
	pthread_mutex_lock(&t->sb->lock);
	p = sandbox_find_task_locked(t->sb, tid);
	if (!p || p->zombie)
		r = -ESRCH;
	else if (p->tgid != t->tgid)
		r = -EINVAL;
	else
		memcpy(p->comm, name, sizeof name);
	pthread_mutex_unlock(&t->sb->lock);
	return r;
}

static long get_name(struct task *t, const uint64_t *a)
{
	return copy_to_guest(t, a[1], t->comm, sizeof t->comm);
}

static long set_subreaper(struct task *t, const uint64_t *a)
{
	t->child_subreaper = a[1] != 0;
	return 0;
}

static long get_subreaper(struct task *t, const uint64_t *a)
{
	return put_int(t, a[1], t->child_subreaper);
}

static long set_no_new_privs(struct task *t, const uint64_t *a)
{
	if (a[1] != 1 || a[2] || a[3] || a[4])
		return -EINVAL;
	t->no_new_privs = true;
	return 0;
}

static long get_no_new_privs(struct task *t, const uint64_t *a)
{
	if (a[1] || a[2] || a[3] || a[4])
		return -EINVAL;
	return t->no_new_privs;
}

/* kernel/sys.c passes arg2-arg5 on as they are (sud.c). */
static long set_syscall_user_dispatch(struct task *t, const uint64_t *a)
{
	return sud_set(t, a[1], a[2], a[3], a[4]);
}

static long get_seccomp(struct task *t, const uint64_t *a)
{
	(void)a;
	return seccomp_prctl_get(t);
}

static long set_seccomp(struct task *t, const uint64_t *a)
{
	return seccomp_prctl_set(t, a[1], a[2]);
}

static const prctl_fn options[] = {
	[PR_SET_PDEATHSIG] = set_pdeathsig,
	[PR_GET_PDEATHSIG] = get_pdeathsig,
	[PR_GET_DUMPABLE] = get_dumpable,
	[PR_SET_DUMPABLE] = set_dumpable,
	[PR_SET_NAME] = set_name,
	[PR_GET_NAME] = get_name,
	[PR_GET_SECCOMP] = get_seccomp,
	[PR_SET_SECCOMP] = set_seccomp,
	[PR_SET_CHILD_SUBREAPER] = set_subreaper,
	[PR_GET_CHILD_SUBREAPER] = get_subreaper,
	[PR_SET_NO_NEW_PRIVS] = set_no_new_privs,
	[PR_GET_NO_NEW_PRIVS] = get_no_new_privs,
	[PR_RSEQ_SLICE_EXTENSION] = rseq_slice_prctl,
	[PR_SET_SYSCALL_USER_DISPATCH] = set_syscall_user_dispatch,
};

long sys_prctl(struct task *t, const struct syscall_args *a)
{
	uint64_t op = a->a[0];

	if (op < sizeof options / sizeof options[0] && options[op])
		return options[op](t, a->a);
	sandbox_log(t->sb, "prctl option %llu is not implemented: EINVAL",
		    (unsigned long long)op);
	return -EINVAL;
}
