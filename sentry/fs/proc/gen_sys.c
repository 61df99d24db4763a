/* The files directly in /proc and under /proc/sys (fs/proc/ and
 * kernel/sysctl.c). Times are the host's CLOCK_BOOTTIME, as the guest's
 * clocks are; memory and load are the host's until the sandbox limits them. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "abi/linux_fcntl.h"
#include "sentry/fs/proc/gen_priv.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"

#define PID_MAX 4194304 /* PID_MAX_LIMIT on 64-bit */

void proc_task_counts(struct sandbox *sb, struct proc_counts *c)
{
	c->live = 0;
	pthread_mutex_lock(&sb->lock);
	for (struct task *t = sb->tasks; t; t = t->next)
		c->live += !t->exiting;
	c->last_pid = sb->next_pid - 1;
	pthread_mutex_unlock(&sb->lock);
	c->running = c->live < sb->ncpus ? c->live : sb->ncpus;
}

static int gen_meminfo(struct sandbox *sb, struct strbuf *b)
{
	(void)sb;
	return proc_read_host("/proc/meminfo", b);
}

/* The host's idle time (the second number of its /proc/uptime), in
 * hundredths of a second. */
static uint64_t host_idle(void)
{
	struct strbuf h;
	unsigned long long sec = 0, cs = 0;

	strbuf_init(&h);
	if (proc_read_host("/proc/uptime", &h) < 0 || !h.buf ||
	    sscanf(h.buf, "%*s %llu.%2llu", &sec, &cs) != 2)
		sec = cs = 0;
	strbuf_free(&h);
	return sec * 100 + cs;
}

/* fs/proc/uptime.c: the time since boot, and the idle time of the
 * sandbox's CPUs: the host's, in proportion. */
static int gen_uptime(struct sandbox *sb, struct strbuf *b)
{
	struct timespec ts;
	long host_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t idle = host_idle();

	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		ts.tv_sec = ts.tv_nsec = 0;
	if (host_cpus > 0)
		idle = idle * (uint64_t)sb->ncpus / (uint64_t)host_cpus;
	strbuf_printf(b, "%llu.%02lu %" PRIu64 ".%02" PRIu64 "\n", (unsigned long long)ts.tv_sec,
		      ts.tv_nsec / 10000000, idle / 100, idle % 100);
	return b->err;
}

/* fs/proc/loadavg.c: the host's averages; the sandbox's runnable and total
 * tasks and its last pid. */
static int gen_loadavg(struct sandbox *sb, struct strbuf *b)
{
	struct strbuf h;
	char l1[16] = "0.00", l2[16] = "0.00", l3[16] = "0.00";
	struct proc_counts c;

	strbuf_init(&h);
	if (proc_read_host("/proc/loadavg", &h) < 0 || !h.buf ||
	    sscanf(h.buf, "%15s %15s %15s", l1, l2, l3) != 3)
		strcpy(l1, "0.00"), strcpy(l2, "0.00"), strcpy(l3, "0.00");
	strbuf_free(&h);
	proc_task_counts(sb, &c);
	strbuf_printf(b, "%s %s %s %d/%d %d\n", l1, l2, l3, c.running, c.live, c.last_pid);
	return b->err;
}

static int gen_version(struct sandbox *sb, struct strbuf *b)
{
	strbuf_printf(b, "%s version %s (umbra@umbra) (umbra %s) %s\n", sb->uts.sysname,
		      sb->uts.release, UMBRA_VERSION, sb->uts.version);
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

static int gen_pid_max(struct sandbox *sb, struct strbuf *b)
{
	(void)sb;
	strbuf_printf(b, "%d\n", PID_MAX);
	return b->err;
}

/* What F_SETPIPE_SZ grants a guest (sys_pipe.c). */
static int gen_pipe_max_size(struct sandbox *sb, struct strbuf *b)
{
	(void)sb;
	strbuf_printf(b, "%u\n", LINUX_PIPE_MAX_SIZE);
	return b->err;
}

const struct proc_sb_file proc_sb_files[] = {
	{ "cpuinfo", proc_gen_cpuinfo },
	{ "filesystems", proc_gen_filesystems },
	{ "loadavg", gen_loadavg },
	{ "meminfo", gen_meminfo },
	{ "stat", proc_gen_kstat },
	{ "uptime", gen_uptime },
	{ "version", gen_version },
	{ "sys/fs/pipe-max-size", gen_pipe_max_size },
	{ "sys/kernel/hostname", gen_hostname },
	{ "sys/kernel/osrelease", gen_osrelease },
	{ "sys/kernel/ostype", gen_ostype },
	{ "sys/kernel/pid_max", gen_pid_max },
	{ NULL, NULL },
};
