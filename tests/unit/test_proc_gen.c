/* The text of procfs files (sentry/fs/proc/proc_gen.h) for a task that has
 * no guest: its areas are put in its VMA list directly and its memory is
 * the memory file, which the sentry reads without a stub. */
#include <check.h>

#include "tests/unit/unit.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sentry/fs/fdtable.h"
#include "sentry/fs/proc/proc_gen.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm_priv.h"

static struct sandbox sb;
static struct task *t;
static struct strbuf out;

static void setup(void)
{
	ck_assert_int_eq(sandbox_init(&sb), 0);
	t = task_create(&sb);
	ck_assert_ptr_nonnull(t);
	snprintf(t->comm, sizeof t->comm, "prog");
	strbuf_init(&out);
}

static void teardown(void)
{
	strbuf_free(&out);
	task_destroy(t);
	sandbox_fini(&sb);
}

/* The text of /proc/PID/name, NUL-terminated in out. */
static const char *pid_file(const char *name)
{
	strbuf_free(&out);
	for (const struct proc_pid_file *f = proc_pid_files; f->name; f++)
		if (!strcmp(f->name, name)) {
			ck_assert_int_eq(f->gen(t, &out), 0);
			return out.buf ? out.buf : "";
		}
	ck_abort_msg("no /proc/PID/%s", name);
	return NULL;
}

static const char *sb_file(const char *path)
{
	strbuf_free(&out);
	for (const struct proc_sb_file *f = proc_sb_files; f->path; f++)
		if (!strcmp(f->path, path)) {
			ck_assert_int_eq(f->gen(&sb, &out), 0);
			return out.buf ? out.buf : "";
		}
	ck_abort_msg("no /proc/%s", path);
	return NULL;
}

/* An area of fresh memory-file pages, as mmap would have left it. */
static void add_area(uint64_t start, uint64_t end, int prot, unsigned int flags,
		     struct vma_file *file, uint64_t pgoff)
{
	int64_t off = memfile_alloc(sb.memfile, end - start);
	struct vma v = { start, end, (uint64_t)off, prot, flags, vma_file_get(file), pgoff };

	ck_assert_int_ge(off, 0);
	ck_assert_int_eq(vma_insert(&t->mm->vmas, &v), 0);
}

static size_t count_lines(const char *s, const char *prefix)
{
	size_t n = 0;

	for (const char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		n += !strncmp(l, prefix, strlen(prefix));
	return n;
}

/* The value of "key:\tvalue" in status, copied. */
static char *status_value(const char *text, const char *key)
{
	static char val[256];
	size_t n = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, n) && l[n] == ':') {
			sscanf(l + n + 1, " %255[^\n]", val);
			return val;
		}
	ck_abort_msg("status has no %s", key);
	return NULL;
}

START_TEST(status_keys_in_order)
{
	static const char *const keys[] = {
		"Name", "Umask", "State", "Tgid", "Ngid", "Pid", "PPid", "TracerPid", "Uid", "Gid",
		"FDSize", "Groups", "NStgid", "NSpid", "NSpgid", "NSsid", "Kthread", "VmPeak",
		"VmSize", "VmLck", "VmPin", "VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem",
		"VmData", "VmStk", "VmExe", "VmLib", "VmPTE", "VmSwap", "HugetlbPages",
		"CoreDumping", "THP_enabled", "untag_mask", "Threads", "SigQ", "SigPnd", "ShdPnd",
		"SigBlk", "SigIgn", "SigCgt", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb",
		"NoNewPrivs", "Seccomp", "Seccomp_filters", "Speculation_Store_Bypass",
		"SpeculationIndirectBranch", "Cpus_allowed", "Cpus_allowed_list", "Mems_allowed",
		"Mems_allowed_list", "voluntary_ctxt_switches", "nonvoluntary_ctxt_switches",
	};
	const char *s = pid_file("status"), *l = s;
	size_t i = 0;

	for (; *l && i < sizeof keys / sizeof keys[0]; i++) {
		size_t n = strlen(keys[i]);

		ck_assert_msg(!strncmp(l, keys[i], n) && l[n] == ':' && l[n + 1] == '\t',
			      "line %zu is \"%.30s\", want key %s", i, l, keys[i]);
		l = strchr(l, '\n') + 1;
	}
	ck_assert_uint_eq(i, sizeof keys / sizeof keys[0]);
	ck_assert_str_eq(l, "");
}
END_TEST

START_TEST(status_values)
{
	const char *s;
	char want[32];

	t->fs->umask = 027;
	t->ppid = 7;
	t->sigmask = 1ULL << (10 - 1); /* SIGUSR1 */
	t->sighand->action[2 - 1].handler = 1; /* SIGINT ignored */
	t->sighand->action[15 - 1].handler = 0x401000; /* SIGTERM caught */
	sb.ncpus = 3;
	s = pid_file("status");
	ck_assert_str_eq(status_value(s, "Name"), "prog");
	ck_assert_str_eq(status_value(s, "Umask"), "0027");
	snprintf(want, sizeof want, "%d", t->tid);
	ck_assert_str_eq(status_value(s, "Pid"), want);
	ck_assert_str_eq(status_value(s, "Tgid"), want);
	ck_assert_str_eq(status_value(s, "PPid"), "7");
	ck_assert_str_eq(status_value(s, "State"), "S (sleeping)"); /* not the reader */
	ck_assert_str_eq(status_value(s, "FDSize"), "64");
	ck_assert_str_eq(status_value(s, "Threads"), "1");
	ck_assert_str_eq(status_value(s, "SigBlk"), "0000000000000200");
	ck_assert_str_eq(status_value(s, "SigIgn"), "0000000000000002");
	ck_assert_str_eq(status_value(s, "SigCgt"), "0000000000004000");
	ck_assert_str_eq(status_value(s, "Cpus_allowed"), "7");
	ck_assert_str_eq(status_value(s, "Cpus_allowed_list"), "0-2");
	ck_assert(strstr(s, "\nGroups:\t \n"));

	task_current = t;
	sb.ncpus = 40;
	s = pid_file("status");
	ck_assert_str_eq(status_value(s, "State"), "R (running)");
	ck_assert_str_eq(status_value(s, "Cpus_allowed"), "ff,ffffffff");
	ck_assert_str_eq(status_value(s, "Cpus_allowed_list"), "0-39");
	sb.ncpus = 1;
	ck_assert_str_eq(status_value(pid_file("status"), "Cpus_allowed_list"), "0");
	task_current = NULL;
}
END_TEST

/* Fields after the comm, which may hold spaces and parentheses. */
static int stat_fields(const char *s, char fields[52][32])
{
	const char *close = strrchr(s, ')');
	int n = 2;

	ck_assert_ptr_nonnull(close);
	ck_assert_int_eq(sscanf(s, "%31s", fields[0]), 1);
	for (const char *p = close + 1; *p && *p != '\n' && n < 52;) {
		int used;

		if (sscanf(p, " %31s%n", fields[n], &used) != 1)
			break;
		n++;
		p += used;
	}
	return n;
}

START_TEST(stat_has_52_fields)
{
	char f[52][32], want[32];
	const char *s;

	snprintf(t->comm, sizeof t->comm, "a b) c");
	t->ppid = 9;
	sb.ncpus = 3;
	s = pid_file("stat");
	ck_assert_int_eq(stat_fields(s, f), 52);
	ck_assert_uint_eq(s[strlen(s) - 1], '\n');
	ck_assert(!strncmp(strchr(s, '('), "(a b) c) ", 9));
	snprintf(want, sizeof want, "%d", t->tid);
	ck_assert_str_eq(f[0], want);
	ck_assert_str_eq(f[2], "S");
	ck_assert_str_eq(f[3], "9");
	ck_assert_str_eq(f[19], "1");  /* num_threads */
	ck_assert_str_eq(f[37], "17"); /* exit_signal */
	ck_assert_int_lt(atoi(f[38]), sb.ncpus); /* processor */
}
END_TEST

START_TEST(statm_and_stat_sizes_agree)
{
	unsigned long v[7];
	char f[52][32];

	add_area(0x400000, 0x402000, PROT_READ | PROT_EXEC, 0, NULL, 0);
	add_area(0x600000, 0x603000, PROT_READ | PROT_WRITE, VMA_ACCOUNT, NULL, 0);
	ck_assert_int_eq(sscanf(pid_file("statm"), "%lu %lu %lu %lu %lu %lu %lu", &v[0], &v[1],
				&v[2], &v[3], &v[4], &v[5], &v[6]),
			 7);
	ck_assert_uint_eq(v[0], 5);
	ck_assert_uint_eq(v[5], 3); /* data */
	ck_assert_int_eq(stat_fields(pid_file("stat"), f), 52);
	ck_assert_str_eq(f[22], "20480"); /* vsize, bytes */
	ck_assert_str_eq(f[23], "5");     /* rss, pages */
}
END_TEST

/* A program, its heap, an anonymous pair that merges, its stack, the stub. */
static void layout(void)
{
	struct vma_file *f = vma_file_new("/usr/bin/prog", makedev(0xfe, 0), 247134);
	struct mm_exec_info x = { 0 };

	add_area(0x555555554000, 0x555555556000, PROT_READ, 0, f, 0);
	add_area(0x555555556000, 0x55555555b000, PROT_READ | PROT_EXEC, 0, f, 0x2000);
	add_area(0x555555600000, 0x555555621000, PROT_READ | PROT_WRITE, VMA_ACCOUNT, NULL, 0);
	add_area(0x7f0000000000, 0x7f0000001000, PROT_READ | PROT_WRITE, VMA_ACCOUNT, NULL, 0);
	add_area(0x7f0000001000, 0x7f0000003000, PROT_READ | PROT_WRITE, VMA_ACCOUNT, NULL, 0);
	add_area(0x7ffffffde000, 0x7ffffffff000, PROT_READ | PROT_WRITE, VMA_ACCOUNT, NULL, 0);
	vma_file_put(f);
	t->mm->brk_start = 0x555555600000;
	t->mm->brk = 0x555555621000;
	x.start_stack = 0x7fffffffe000;
	mm_set_exec_info(t->mm, &x);
}

START_TEST(maps_lines)
{
	const char *s;

	layout();
	s = pid_file("maps");
	ck_assert_str_eq(s,
		"555555554000-555555556000 r--p 00000000 fe:00 247134                     /usr/bin/prog\n"
		"555555556000-55555555b000 r-xp 00002000 fe:00 247134                     /usr/bin/prog\n"
		"555555600000-555555621000 rw-p 00000000 00:00 0                          [heap]\n"
		"7f0000000000-7f0000003000 rw-p 00000000 00:00 0 \n"
		"7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]\n");
}
END_TEST

START_TEST(smaps_per_area)
{
	const char *s;

	layout();
	s = pid_file("smaps");
	ck_assert_uint_eq(count_lines(s, "Size:"), 5);
	ck_assert_uint_eq(count_lines(s, "VmFlags:"), 5);
	ck_assert_uint_eq(count_lines(s, "THPeligible:"), 5);
	ck_assert(strstr(s, "Size:                 12 kB\n"));
	ck_assert(strstr(s, "VmFlags: rd ex mr mw me \n"));
	ck_assert(strstr(s, "VmFlags: rd wr mr mw me gd ac \n"));
}
END_TEST

/* argv "prog", "-v"; environment "A=1", "B=2"; the auxv pairs. */
static void strings(struct mm_exec_info *x)
{
	static const char text[] = "prog\0-v\0A=1\0B=2\0/usr/bin/prog";

	add_area(0x7ffffffde000, 0x7ffffffff000, PROT_READ | PROT_WRITE, VMA_ACCOUNT, NULL, 0);
	ck_assert_int_eq(mm_write(t->mm, 0x7fffffffe000, text, sizeof text), 0);
	memset(x, 0, sizeof *x);
	x->arg_start = 0x7fffffffe000;
	x->arg_end = x->env_start = x->arg_start + 8;
	x->env_end = x->env_start + 8;
	x->auxv[0] = 6; /* AT_PAGESZ */
	x->auxv[1] = 4096;
	x->auxv_words = 4;
	mm_set_exec_info(t->mm, x);
}

START_TEST(cmdline_environ_auxv)
{
	struct mm_exec_info x;
	static const uint64_t auxv[4] = { 6, 4096, 0, 0 };

	strings(&x);
	ck_assert_uint_eq((pid_file("cmdline"), out.len), 8);
	ck_assert(!memcmp(out.buf, "prog\0-v\0", 8));
	ck_assert_uint_eq((pid_file("environ"), out.len), 8);
	ck_assert(!memcmp(out.buf, "A=1\0B=2\0", 8));
	ck_assert_uint_eq((pid_file("auxv"), out.len), sizeof auxv);
	ck_assert(!memcmp(out.buf, auxv, sizeof auxv));
}
END_TEST

/* setproctitle: the last NUL of the arguments overwritten, the title runs
 * on into the environment up to its first NUL. */
START_TEST(cmdline_setproctitle)
{
	struct mm_exec_info x;

	strings(&x);
	ck_assert_int_eq(mm_write(t->mm, x.arg_start, "my title", 9), 0);
	pid_file("cmdline");
	ck_assert_uint_eq(out.len, 9);
	ck_assert_str_eq(out.buf, "my title");
	/* No NUL anywhere before env_end: all of it, no more. */
	ck_assert_int_eq(mm_write(t->mm, x.arg_start, "0123456789abcdef", 16), 0);
	pid_file("cmdline");
	ck_assert_uint_eq(out.len, 16);
	/* Without an exec, nothing. */
	memset(&x, 0, sizeof x);
	mm_set_exec_info(t->mm, &x);
	ck_assert_uint_eq((pid_file("cmdline"), out.len), 0);
}
END_TEST

START_TEST(mountinfo_parses)
{
	const char *s = pid_file("mountinfo");
	int ids[MOUNT_MAX], n = 0;

	for (const char *l = s; *l; l = strchr(l, '\n') + 1) {
		int id, parent, major, minor, used = 0;
		char root[64], at[64], opt[16], dash[4], type[32], src[32], sopt[16];

		ck_assert_int_eq(sscanf(l, "%d %d %d:%d %63s %63s %15s %3s %31s %31s %15s%n", &id,
					&parent, &major, &minor, root, at, opt, dash, type, src, sopt,
					&used),
				 11);
		ck_assert_uint_eq(l[used], '\n');
		ck_assert_str_eq(dash, "-");
		ck_assert(!strcmp(opt, "ro") || !strcmp(opt, "rw"));
		ck_assert_str_eq(opt, sopt);
		ck_assert_uint_eq(at[0], '/');
		if (!strcmp(at, "/"))
			ck_assert_int_eq(parent, id);
		if (!strcmp(at, "/tmp"))
			ck_assert_str_eq(type, "tmpfs");
		ids[n++] = id;
	}
	ck_assert_int_eq(n, (int)count_lines(pid_file("mounts"), ""));
	ck_assert_int_ge(n, 2);
	for (int i = 1; i < n; i++)
		ck_assert_int_ne(ids[i], ids[0]);
	ck_assert(strstr(pid_file("mounts"), " / "));
}
END_TEST

/* A chrooted task sees the mounts at and below its root, named from there. */
START_TEST(mounts_in_chroot)
{
	strcpy(t->fs->root, "/tmp");
	ck_assert_str_eq(pid_file("mounts"), "tmpfs / tmpfs rw 0 0\n");
}
END_TEST

START_TEST(fdinfo_fields)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct file *f;
	unsigned int flags;
	int mnt;

	ck_assert_int_ge(fd, 0);
	f = file_new(fd, O_RDONLY, NULL, NULL);
	ck_assert_int_eq(fdtable_install_at(t->files, 5, f, true), 5);
	strbuf_free(&out);
	ck_assert_int_eq(proc_fdinfo(t, 5, &out), 0);
	ck_assert_int_eq(sscanf(out.buf, "pos:\t0\nflags:\t%o\nmnt_id:\t%d\nino:\t", &flags, &mnt),
			 2);
	ck_assert_uint_ne(flags & O_CLOEXEC, 0);
	strbuf_free(&out);
	ck_assert_int_eq(proc_fdinfo(t, 6, &out), -ENOENT);
}
END_TEST

static int count_processors(const char *s)
{
	int n = 0;

	for (const char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		int cpu;

		if (sscanf(l, "processor : %d", &cpu) == 1 || sscanf(l, "processor\t: %d", &cpu) == 1) {
			ck_assert_int_eq(cpu, n);
			n++;
		}
	}
	return n;
}

START_TEST(cpuinfo_has_ncpus_blocks)
{
	const char *s;

	sb.ncpus = 3;
	s = sb_file("cpuinfo");
	ck_assert_int_eq(count_processors(s), 3);
	ck_assert(strlen(s) > 2 && !strcmp(s + strlen(s) - 2, "\n\n"));
	sb.ncpus = 1;
	ck_assert_int_eq(count_processors(sb_file("cpuinfo")), 1);
}
END_TEST

START_TEST(kstat_cpu_lines)
{
	const char *s;
	unsigned long long v[10], sum[10] = { 0 }, all[10];
	char name[16];

	sb.ncpus = 3;
	s = sb_file("stat");
	ck_assert_int_eq(sscanf(s, "cpu  %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &all[0],
				&all[1], &all[2], &all[3], &all[4], &all[5], &all[6], &all[7],
				&all[8], &all[9]),
			 10);
	ck_assert_uint_eq(count_lines(s, "cpu"), 4);
	for (const char *l = strchr(s, '\n') + 1; !strncmp(l, "cpu", 3); l = strchr(l, '\n') + 1) {
		ck_assert_int_eq(sscanf(l, "%15s %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
					name, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
					&v[8], &v[9]),
				 11);
		for (int i = 0; i < 10; i++)
			sum[i] += v[i];
	}
	ck_assert(!memcmp(sum, all, sizeof sum));
	ck_assert(strstr(s, "\ncpu2 ") && !strstr(s, "\ncpu3 "));
	ck_assert_uint_eq(count_lines(s, "procs_running "), 1);
	ck_assert_uint_eq(count_lines(s, "processes "), 1);
}
END_TEST

START_TEST(small_files)
{
	unsigned int running, total;
	int last;
	char l1[16], l2[16], l3[16];

	ck_assert_str_eq(sb_file("sys/kernel/ostype"), "Linux\n");
	ck_assert(!strncmp(sb_file("sys/kernel/osrelease"), sb.uts.release, strlen(sb.uts.release)));
	ck_assert_str_eq(sb_file("sys/kernel/hostname"), "umbra\n");
	ck_assert_str_eq(sb_file("sys/kernel/pid_max"), "4194304\n");
	ck_assert_str_eq(sb_file("sys/fs/pipe-max-size"), "1048576\n");
	ck_assert(strstr(sb_file("filesystems"), "nodev\tproc\n"));
	ck_assert_int_eq(sscanf(sb_file("loadavg"), "%15s %15s %15s %u/%u %d", l1, l2, l3, &running,
				&total, &last),
			 6);
	ck_assert_uint_eq(total, 1);
	ck_assert_int_eq(last, t->tid);
	ck_assert(!strncmp(sb_file("version"), "Linux version ", 14));
	ck_assert(strchr(sb_file("uptime"), '.'));
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("proc_gen");
	TCase *pid = tcase_create("pid");
	TCase *mem = tcase_create("mem");
	TCase *sys = tcase_create("sys");

	tcase_add_checked_fixture(pid, setup, teardown);
	tcase_add_test(pid, status_keys_in_order);
	tcase_add_test(pid, status_values);
	tcase_add_test(pid, stat_has_52_fields);
	tcase_add_test(pid, mountinfo_parses);
	tcase_add_test(pid, mounts_in_chroot);
	tcase_add_test(pid, fdinfo_fields);
	suite_add_tcase(s, pid);

	tcase_add_checked_fixture(mem, setup, teardown);
	tcase_add_test(mem, statm_and_stat_sizes_agree);
	tcase_add_test(mem, maps_lines);
	tcase_add_test(mem, smaps_per_area);
	tcase_add_test(mem, cmdline_environ_auxv);
	tcase_add_test(mem, cmdline_setproctitle);
	suite_add_tcase(s, mem);

	tcase_add_checked_fixture(sys, setup, teardown);
	tcase_add_test(sys, cpuinfo_has_ncpus_blocks);
	tcase_add_test(sys, kstat_cpu_lines);
	tcase_add_test(sys, small_files);
	suite_add_tcase(s, sys);
	return s;
}
