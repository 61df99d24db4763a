/* /proc/cpuinfo and /proc/stat for the sandbox's vCPUs: as many CPUs as
 * sb->ncpus, numbered 0..ncpus-1, whatever the host has.
 *
 * cpuinfo repeats the host's first CPU block (its format is the arch's own:
 * x86's "processor", "flags", ... or arm64's "processor", "BogoMIPS",
 * "Features", ...) with the numbers that differ per CPU rewritten and the
 * features umbra hides from guests (arch_cpu_feature_hidden) left out.
 * stat gives vCPU i the times of host CPU i modulo the host's count, so each
 * line advances like a real CPU's, and the "cpu" line is their sum; the
 * interrupt, context switch and boot time lines are the host's, the process
 * counts the sandbox's. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "sentry/fs/proc/gen_priv.h"
#include "sentry/kernel/sandbox.h"

#define STAT_FIELDS 10 /* user nice system idle iowait irq softirq steal guest guest_nice */

/* The value part of a "key<tabs>: value" line: after ": ", or NULL. */
static const char *value_of(const char *line, size_t len, char *key, size_t keysz)
{
	const char *colon = memchr(line, ':', len);
	size_t k;

	if (!colon)
		return NULL;
	k = (size_t)(colon - line);
	while (k && (line[k - 1] == '\t' || line[k - 1] == ' '))
		k--;
	snprintf(key, keysz, "%.*s", (int)k, line);
	return colon[1] == ' ' ? colon + 2 : colon + 1;
}

/* A feature list with the hidden names left out. */
static void add_features(struct strbuf *b, const char *v, size_t len)
{
	const char *end = v + len;
	bool first = true;

	while (v < end) {
		size_t n = strcspn(v, " \n");
		char name[64];

		if (n > (size_t)(end - v))
			n = (size_t)(end - v);
		snprintf(name, sizeof name, "%.*s", (int)n, v);
		if (n && !arch_cpu_feature_hidden(name)) {
			strbuf_printf(b, "%s%s", first ? "" : " ", name);
			first = false;
		}
		v += n + 1;
	}
}

/* One line of the block for vCPU cpu of n. */
static void cpu_line(struct strbuf *b, const char *line, size_t len, int cpu, int n)
{
	char key[64];
	const char *v = value_of(line, len, key, sizeof key);

	if (!v) {
		strbuf_add(b, line, len);
		return;
	}
	strbuf_add(b, line, (size_t)(v - line));
	if (!strcmp(key, "processor") || !strcmp(key, "core id") || !strcmp(key, "apicid") ||
	    !strcmp(key, "initial apicid"))
		strbuf_printf(b, "%d", cpu);
	else if (!strcmp(key, "siblings") || !strcmp(key, "cpu cores"))
		strbuf_printf(b, "%d", n);
	else if (!strcmp(key, "flags") || !strcmp(key, "Features"))
		add_features(b, v, (size_t)(line + len - v));
	else
		strbuf_add(b, v, (size_t)(line + len - v));
}

/* The host's first block, without its closing blank line. */
static size_t first_block(const struct strbuf *host)
{
	const char *end = host->len ? strstr(host->buf, "\n\n") : NULL;

	return end ? (size_t)(end - host->buf) + 1 : host->len;
}

int proc_gen_cpuinfo(struct sandbox *sb, struct strbuf *b)
{
	struct strbuf host;
	size_t len;

	strbuf_init(&host);
	if (proc_read_host("/proc/cpuinfo", &host) < 0 || !host.len) {
		strbuf_free(&host);
		strbuf_init(&host);
		strbuf_printf(&host, "processor\t: 0\n");
	}
	len = first_block(&host);
	for (int cpu = 0; cpu < sb->ncpus && !b->err; cpu++) {
		for (size_t at = 0; at < len;) {
			const char *nl = memchr(host.buf + at, '\n', len - at);
			size_t n = nl ? (size_t)(nl - host.buf) - at : len - at;

			cpu_line(b, host.buf + at, n, cpu, sb->ncpus);
			strbuf_add(b, "\n", 1);
			at += n + 1;
		}
		strbuf_add(b, "\n", 1);
	}
	strbuf_free(&host);
	return b->err;
}

/* The host's /proc/stat, parsed: its cpuN lines and the lines kept as they are. */
struct host_stat {
	uint64_t (*cpu)[STAT_FIELDS];
	int ncpu;
	struct strbuf kept; /* intr, ctxt, btime */
	struct strbuf softirq;
};

static void parse_line(struct host_stat *h, const char *line)
{
	uint64_t v[STAT_FIELDS] = { 0 };
	int cpu;

	if (!strncmp(line, "cpu", 3) && line[3] >= '0' && line[3] <= '9' &&
	    sscanf(line, "cpu%d %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
			 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
		   &cpu, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) >= 2) {
		void *p = realloc(h->cpu, (size_t)(h->ncpu + 1) * sizeof *h->cpu);

		if (!p)
			return;
		h->cpu = p;
		memcpy(h->cpu[h->ncpu++], v, sizeof v);
	} else if (!strncmp(line, "intr ", 5) || !strncmp(line, "ctxt ", 5) ||
		   !strncmp(line, "btime ", 6)) {
		strbuf_printf(&h->kept, "%s\n", line);
	} else if (!strncmp(line, "softirq ", 8)) {
		strbuf_printf(&h->softirq, "%s\n", line);
	}
}

/* What the host's file has; without it, every vCPU's times are zero. */
static void read_host_stat(struct host_stat *h)
{
	struct strbuf raw;
	int err;

	memset(h, 0, sizeof *h);
	strbuf_init(&raw);
	err = proc_read_host("/proc/stat", &raw);
	for (char *line = raw.buf, *nl; !err && line && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = 0;
		parse_line(h, line);
	}
	strbuf_free(&raw);
}

static void host_stat_free(struct host_stat *h)
{
	free(h->cpu);
	strbuf_free(&h->kept);
	strbuf_free(&h->softirq);
}

static void cpu_fields(struct strbuf *b, const uint64_t *v)
{
	for (int i = 0; i < STAT_FIELDS; i++)
		strbuf_printf(b, " %" PRIu64, v[i]);
	strbuf_add(b, "\n", 1);
}

int proc_gen_kstat(struct sandbox *sb, struct strbuf *b)
{
	static const uint64_t none[STAT_FIELDS];
	struct host_stat h;
	uint64_t sum[STAT_FIELDS] = { 0 };
	struct proc_counts c;

	read_host_stat(&h);
	for (int cpu = 0; h.ncpu && cpu < sb->ncpus; cpu++)
		for (int i = 0; i < STAT_FIELDS; i++)
			sum[i] += h.cpu[cpu % h.ncpu][i];
	strbuf_add(b, "cpu ", 4);
	cpu_fields(b, sum);
	for (int cpu = 0; cpu < sb->ncpus; cpu++) {
		strbuf_printf(b, "cpu%d", cpu);
		cpu_fields(b, h.ncpu ? h.cpu[cpu % h.ncpu] : none);
	}
	proc_task_counts(sb, &c);
	strbuf_add(b, h.kept.buf ? h.kept.buf : "", h.kept.len);
	strbuf_printf(b, "processes %d\nprocs_running %d\nprocs_blocked 0\n", c.last_pid, c.running);
	strbuf_add(b, h.softirq.buf ? h.softirq.buf : "", h.softirq.len);
	host_stat_free(&h);
	return b->err;
}
