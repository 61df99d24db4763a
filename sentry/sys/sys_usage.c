/* getrusage, times, sysinfo (kernel/sys.c): the CPU time a process used is
 * its stub's; children's is what their stubs had used when they ended and
 * their parent collected them. */
#include <errno.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "platform/platform.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "syscall_handlers.h"

#define LINUX_RUSAGE_SELF 0
#define LINUX_RUSAGE_CHILDREN (-1)
#define LINUX_RUSAGE_THREAD 1
#define NSEC_PER_USEC 1000ULL
#define USEC_PER_SEC 1000000ULL

struct linux_rusage {
	struct linux_timeval utime, stime;
	int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd,
		msgrcv, nsignals, nvcsw, nivcsw;
};

/* The process's own use so far (0s for a vfork child in its parent's stub). */
void task_usage_self(struct task *t, struct plat_usage *u)
{
	struct task *p = t->leader;

	memset(u, 0, sizeof *u);
	pthread_mutex_lock(&p->kill_lock);
	if (p->proc_owner && p->proc)
		plat_proc_usage(p->proc, u);
	pthread_mutex_unlock(&p->kill_lock);
}

static struct linux_timeval tv_of(unsigned long long ns)
{
	unsigned long long us = ns / NSEC_PER_USEC;

	return (struct linux_timeval){ (int64_t)(us / USEC_PER_SEC), (int64_t)(us % USEC_PER_SEC) };
}

long usage_to_guest(struct task *t, uint64_t addr, const struct plat_usage *u)
{
	struct linux_rusage ru;

	memset(&ru, 0, sizeof ru);
	ru.utime = tv_of(u->user_ns);
	ru.stime = tv_of(u->sys_ns);
	ru.maxrss = (int64_t)u->maxrss_kb;
	return copy_to_guest(t, addr, &ru, sizeof ru);
}

long sys_getrusage(struct task *t, const struct syscall_args *a)
{
	struct plat_usage u;

	switch ((int)a->a[0]) {
	case LINUX_RUSAGE_SELF:
	case LINUX_RUSAGE_THREAD: /* a thread's own share is not kept apart */
		task_usage_self(t, &u);
		break;
	case LINUX_RUSAGE_CHILDREN:
		pthread_mutex_lock(&t->sb->lock);
		u = t->leader->usage_children;
		pthread_mutex_unlock(&t->sb->lock);
		break;
	default:
		return -EINVAL;
	}
	return usage_to_guest(t, a->a[1], &u);
}

long sys_times(struct task *t, const struct syscall_args *a)
{
	struct plat_usage self, kids;
	long tick = sysconf(_SC_CLK_TCK);
	unsigned long long per_tick = 1000000000ULL / (unsigned long long)(tick > 0 ? tick : 100);
	struct timespec now;
	int64_t tms[4];

	task_usage_self(t, &self);
	pthread_mutex_lock(&t->sb->lock);
	kids = t->leader->usage_children;
	pthread_mutex_unlock(&t->sb->lock);
	tms[0] = (int64_t)(self.user_ns / per_tick);
	tms[1] = (int64_t)(self.sys_ns / per_tick);
	tms[2] = (int64_t)(kids.user_ns / per_tick);
	tms[3] = (int64_t)(kids.sys_ns / per_tick);
	if (a->a[0] && copy_to_guest(t, a->a[0], tms, sizeof tms) < 0)
		return -EFAULT;
	clock_gettime(CLOCK_BOOTTIME, &now);
	return (long)(((unsigned long long)now.tv_sec * 1000000000ULL + (unsigned long long)now.tv_nsec) /
		      per_tick);
}

/* struct sysinfo of 64-bit Linux: the host's memory and load, the
 * sandbox's own process count. */
struct linux_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char f[4];
};

long sys_sysinfo(struct task *t, const struct syscall_args *a)
{
	struct sysinfo h;
	struct linux_sysinfo s;
	int procs = 0;

	if (sysinfo(&h) < 0)
		return -errno;
	memset(&s, 0, sizeof s);
	s.uptime = h.uptime;
	for (int i = 0; i < 3; i++)
		s.loads[i] = h.loads[i];
	s.totalram = h.totalram;
	s.freeram = h.freeram;
	s.sharedram = h.sharedram;
	s.bufferram = h.bufferram;
	s.totalswap = h.totalswap;
	s.freeswap = h.freeswap;
	s.mem_unit = h.mem_unit;
	pthread_mutex_lock(&t->sb->lock);
	for (struct task *o = t->sb->tasks; o; o = o->next)
		procs += !o->zombie;
	pthread_mutex_unlock(&t->sb->lock);
	s.procs = (uint16_t)procs;
	return copy_to_guest(t, a->a[0], &s, sizeof s);
}
