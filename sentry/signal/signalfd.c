/* signalfd objects (fs/signalfd.c). Reads take signals off the reader's own
 * queues, as Linux's do. Readiness is a host pipe behind the guest's fd,
 * which the sentry keeps readable exactly while a signal of the mask waits
 * in the queue of the thread that made the signalfd or of its process:
 * Linux asks the polling thread's queues instead, so a poll from another
 * thread, or from a child that inherited the fd, sees the maker's. A pipe,
 * not an eventfd: the sentry's write end is its own, non-blocking, and it
 * drains the pipe through a read end of its own, another open file
 * description made non-blocking (RWF_NOWAIT on pipes is not in every
 * kernel), so whatever the guest does with its read end (F_SETFL, reading
 * it elsewhere) the sentry never blocks. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/signal/signal.h"
#include "sentry/signal/signalfd.h"

struct signalfd {
	struct signalfd *next; /* every signalfd of the sentry, by list_lock */
	struct sandbox *sb;
	int tgid, tid;        /* the process and thread that made it */
	linux_sigset_t mask;  /* atomic: a blocked read looks at it again */
	int rfd, wfd;         /* a pipe readable while a signal of the mask waits */
};

static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER; /* after sb->lock */
static struct signalfd *list;
static int count; /* atomic: queues skip the list while there is none */

/* include/uapi/linux/signalfd.h */
struct linux_signalfd_siginfo {
	uint32_t ssi_signo;
	int32_t ssi_errno, ssi_code;
	uint32_t ssi_pid, ssi_uid;
	int32_t ssi_fd;
	uint32_t ssi_tid, ssi_band, ssi_overrun, ssi_trapno;
	int32_t ssi_status, ssi_int;
	uint64_t ssi_ptr, ssi_utime, ssi_stime, ssi_addr;
	uint16_t ssi_addr_lsb, pad2;
	int32_t ssi_syscall;
	uint64_t ssi_call_addr;
	uint32_t ssi_arch;
	uint8_t pad[28];
};
_Static_assert(sizeof(struct linux_signalfd_siginfo) == 128, "signalfd_siginfo size");

static void set_ready(struct signalfd *s, bool ready)
{
	struct pollfd p = { s->rfd, POLLIN, 0 };
	bool now = poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
	char buf[64];
	struct iovec v = { buf, sizeof buf };

	if (ready && !now && write(s->wfd, "", 1) < 0)
		return; /* full: readable anyway */
	while (!ready && now && readv(s->rfd, &v, 1) > 0)
		;
}

/* sb->lock and list_lock held; hint: a task of the process, or NULL. */
static void sync_one_locked(struct signalfd *s, struct task *hint)
{
	struct task *owner = hint && hint->tid == s->tid ? hint
							 : sandbox_find_task_locked(s->sb, s->tid);
	struct task *leader = hint && hint->tgid == s->tgid ? hint->leader
							    : sandbox_find_task_locked(s->sb, s->tgid);
	linux_sigset_t pending = 0;

	if (owner && owner->tgid == s->tgid)
		pending |= owner->sigpending;
	if (leader && leader->tgid == s->tgid)
		pending |= leader->shared_pending;
	set_ready(s, pending & __atomic_load_n(&s->mask, __ATOMIC_RELAXED));
}

void signalfd_sync_locked(struct task *t)
{
	if (!__atomic_load_n(&count, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&list_lock);
	for (struct signalfd *s = list; s; s = s->next)
		if (s->sb == t->sb && s->tgid == t->tgid)
			sync_one_locked(s, t);
	pthread_mutex_unlock(&list_lock);
}

/* The pipe, and its read end for the file, whose open file description
 * is the guest's alone; -errno. */
static int make_pipe(struct signalfd *s, int flags)
{
	char path[40];
	int p[2], fd, err;

	if (pipe2(p, O_CLOEXEC | (flags & O_NONBLOCK)) < 0)
		return errno == EMFILE ? -ENFILE : -errno;
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
	s->rfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	s->wfd = p[1];
	fd = p[0];
	if (s->rfd >= 0 && fcntl(p[1], F_SETFL, O_NONBLOCK) == 0)
		return fd;
	err = errno == EMFILE ? -ENFILE : -errno;
	if (s->rfd >= 0)
		close(s->rfd);
	close(p[0]);
	close(p[1]);
	return err;
}

int signalfd_new(struct task *t, linux_sigset_t mask, int flags, struct signalfd **out)
{
	struct signalfd *s = calloc(1, sizeof *s);
	int fd;

	if (!s)
		return -ENOMEM;
	*s = (struct signalfd){ NULL, t->sb, t->tgid, t->tid, mask, -1, -1 };
	fd = make_pipe(s, flags);
	if (fd < 0) {
		free(s);
		return fd;
	}
	pthread_mutex_lock(&t->sb->lock);
	pthread_mutex_lock(&list_lock);
	s->next = list;
	list = s;
	__atomic_add_fetch(&count, 1, __ATOMIC_RELEASE);
	sync_one_locked(s, t);
	pthread_mutex_unlock(&list_lock);
	pthread_mutex_unlock(&t->sb->lock);
	*out = s;
	return fd;
}

void signalfd_free(struct signalfd *s)
{
	struct signalfd **p = &list;

	pthread_mutex_lock(&list_lock);
	while (*p != s)
		p = &(*p)->next;
	*p = s->next;
	__atomic_sub_fetch(&count, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&list_lock);
	close(s->rfd);
	close(s->wfd);
	free(s);
}

linux_sigset_t signalfd_mask(const struct signalfd *s)
{
	return __atomic_load_n(&s->mask, __ATOMIC_RELAXED);
}

void signalfd_set_mask(struct task *t, struct signalfd *s, linux_sigset_t mask)
{
	pthread_mutex_lock(&t->sb->lock);
	pthread_mutex_lock(&list_lock);
	__atomic_store_n(&s->mask, mask, __ATOMIC_RELAXED);
	sync_one_locked(s, NULL);
	pthread_mutex_unlock(&list_lock);
	pthread_cond_broadcast(&t->sb->child_cond); /* wake_up(&signalfd_wqh) */
	pthread_mutex_unlock(&t->sb->lock);
}

/* siginfo_layout() (kernel/signal.c): which fields a siginfo carries. */
enum layout { SIL_KILL, SIL_TIMER, SIL_POLL, SIL_FAULT, SIL_FAULT_MCEERR, SIL_CHLD, SIL_RT, SIL_SYS };

static enum layout layout_of(int signo, int code)
{
	/* The highest si_code the kernel gives each signal (NSIGILL ...). */
	static const struct { int limit; enum layout layout; } filter[] = {
		[SIGILL] = { 11, SIL_FAULT }, [SIGFPE] = { 15, SIL_FAULT },
		[SIGSEGV] = { 10, SIL_FAULT }, [SIGBUS] = { 5, SIL_FAULT },
		[SIGTRAP] = { 6, SIL_FAULT }, [SIGCHLD] = { 6, SIL_CHLD },
		[SIGPOLL] = { 6, SIL_POLL }, [SIGSYS] = { 2, SIL_SYS },
	};

	if (code > LINUX_SI_USER && code < LINUX_SI_KERNEL) {
		if (signo < (int)(sizeof filter / sizeof filter[0]) && filter[signo].limit &&
		    code <= filter[signo].limit)
			return signo == SIGBUS && code >= 4 ? SIL_FAULT_MCEERR : filter[signo].layout;
		return code <= 6 ? SIL_POLL : SIL_KILL;
	}
	if (code == LINUX_SI_TIMER)
		return SIL_TIMER;
	if (code == -5 /* SI_SIGIO */)
		return SIL_POLL;
	return code < 0 ? SIL_RT : SIL_KILL;
}

/* signalfd_copyinfo(): the fields of the siginfo's layout, the rest 0. */
static void to_ssi(const struct linux_siginfo *in, struct linux_signalfd_siginfo *o)
{
	const uint8_t *u = in->u.raw;
	int32_t i32[4];
	uint64_t u64[4];

	memcpy(i32, u, sizeof i32);      /* the union's first 16 bytes as ints */
	memcpy(u64, u, sizeof u64);      /* and as longs */
	memset(o, 0, sizeof *o);
	o->ssi_signo = (uint32_t)in->si_signo;
	o->ssi_errno = in->si_errno;
	o->ssi_code = in->si_code;
	switch (layout_of(in->si_signo, in->si_code)) {
	case SIL_KILL:
		o->ssi_pid = (uint32_t)i32[0], o->ssi_uid = (uint32_t)i32[1];
		break;
	case SIL_TIMER:
		o->ssi_tid = (uint32_t)i32[0], o->ssi_overrun = (uint32_t)i32[1];
		o->ssi_ptr = u64[1], o->ssi_int = i32[2];
		break;
	case SIL_POLL:
		o->ssi_band = (uint32_t)u64[0], o->ssi_fd = i32[2];
		break;
	case SIL_FAULT_MCEERR:
		o->ssi_addr_lsb = (uint16_t)i32[2];
		/* fall through */
	case SIL_FAULT:
		o->ssi_addr = u64[0];
		break;
	case SIL_CHLD:
		o->ssi_pid = (uint32_t)i32[0], o->ssi_uid = (uint32_t)i32[1];
		o->ssi_status = i32[2], o->ssi_utime = u64[2], o->ssi_stime = u64[3];
		break;
	case SIL_RT:
		o->ssi_pid = (uint32_t)i32[0], o->ssi_uid = (uint32_t)i32[1];
		o->ssi_ptr = u64[1], o->ssi_int = i32[2];
		break;
	case SIL_SYS:
		o->ssi_call_addr = u64[0], o->ssi_syscall = i32[2], o->ssi_arch = (uint32_t)i32[3];
		break;
	}
}

/* signalfd_read(): as many records as fit, waiting only for the first. */
long signalfd_read(struct task *t, struct signalfd *s, int nonblock, uint64_t addr, uint64_t len)
{
	uint64_t n = len / sizeof(struct linux_signalfd_siginfo), done = 0;
	long r = 0;

	if (!n)
		return -EINVAL;
	for (; done < n; done++) {
		struct linux_siginfo info;
		struct linux_signalfd_siginfo o;

		r = sig_dequeue_wait(t, &s->mask, nonblock || done ? 0 : -1, &info);
		if (r < 0)
			break;
		to_ssi(&info, &o);
		r = copy_to_guest(t, addr + done * sizeof o, &o, sizeof o);
		if (r < 0)
			break; /* that signal is lost, as on Linux */
	}
	return done ? (long)(done * sizeof(struct linux_signalfd_siginfo)) : r;
}
