// SPDX-License-Identifier: Apache-2.0
/*
 * The vDSO (vdso(7)): AT_SYSINFO_EHDR names an ELF image that
 * /proc/self/maps shows as [vdso], r-xp, which the kernel itself reads
 * from (write(2) of it); its clock_gettime agrees with the syscall's in
 * both directions (monotonic: vdso <= syscall <= vdso), also for a CPU
 * clock it passes to the kernel, and its gettimeofday and time with
 * CLOCK_REALTIME; a fork's child calls it where its parent found it; its
 * getcpu (x86_64; arm64 has none) names the one CPU the thread is bound
 * to, as the syscall does. Where the vDSO has getrandom (Linux 6.11), its
 * probe (opaque_len ~0) fills the parameters natively; umbra's answers
 * -ENOSYS, so callers use the syscall and no state lives in host pages.
 */
#include "check.h"

#include <elf.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#define VDSO_CLOCK_GETTIME "__vdso_clock_gettime"
#define VDSO_GETTIMEOFDAY "__vdso_gettimeofday"
#define VDSO_TIME "__vdso_time"
#define VDSO_GETCPU "__vdso_getcpu"
#define VDSO_GETRANDOM "__vdso_getrandom"
#else
#define VDSO_CLOCK_GETTIME "__kernel_clock_gettime"
#define VDSO_GETTIMEOFDAY "__kernel_gettimeofday"
#define VDSO_TIME NULL
#define VDSO_GETCPU NULL
#define VDSO_GETRANDOM "__kernel_getrandom"
#endif

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);
typedef int (*gettimeofday_fn)(struct timeval *, void *);
typedef time_t (*time_fn)(time_t *);
typedef long (*getcpu_fn)(unsigned int *, unsigned int *, void *);
typedef long (*getrandom_fn)(void *, size_t, unsigned int, void *, size_t);

static const Elf64_Ehdr *image;

/* A dynamic symbol of the image, relocated by where it lies; NULL if it
 * has none of that name. */
static void *vdso_sym(const char *name)
{
	const char *base = (const char *)image;
	const Elf64_Phdr *ph = (const void *)(base + image->e_phoff);
	const Elf64_Shdr *sh = (const void *)(base + image->e_shoff);
	uint64_t vaddr = 0;

	if (!name)
		return NULL;
	for (int i = 0; i < image->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD) {
			vaddr = ph[i].p_vaddr;
			break;
		}
	for (int i = 0; i < image->e_shnum; i++) {
		const Elf64_Sym *sym = (const void *)(base + sh[i].sh_offset);
		const char *str = base + sh[sh[i].sh_link].sh_offset;

		if (sh[i].sh_type != SHT_DYNSYM)
			continue;
		for (size_t k = 0; k < sh[i].sh_size / sizeof *sym; k++)
			if (!strcmp(str + sym[k].st_name, name) && sym[k].st_value)
				return (void *)(base + sym[k].st_value - vaddr);
	}
	return NULL;
}

static int64_t ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static struct timespec sys_clock(clockid_t c)
{
	struct timespec ts = { 0, 0 };

	syscall(SYS_clock_gettime, c, &ts);
	return ts;
}

/* The [vdso] line of /proc/self/maps starts at the image, r-xp. */
static void in_maps(void)
{
	char line[512], want[64];
	int found = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!check_true("/proc/self/maps opens", f != NULL))
		return;
	snprintf(want, sizeof want, "%lx-", (unsigned long)image);
	while (fgets(line, sizeof line, f))
		if (strstr(line, "[vdso]")) {
			found = 1;
			check_true("[vdso] starts at AT_SYSINFO_EHDR", !strncmp(line, want, strlen(want)));
			check_true("[vdso] is r-xp", strstr(line, " r-xp ") != NULL);
		}
	fclose(f);
	check_true("/proc/self/maps has [vdso]", found);
}

/* The kernel reads the image as the guest does: through a pipe. */
static void readable_by_the_kernel(void)
{
	char got[64];
	int p[2];

	if (!CHECK_OK("pipe", pipe(p)))
		return;
	check_long("write(2) of the vDSO's first bytes", sizeof got, write(p[1], image, sizeof got));
	check_long("read them back", sizeof got, read(p[0], got, sizeof got));
	check_true("the bytes are the image's", !memcmp(got, image, sizeof got));
	close(p[0]);
	close(p[1]);
}

static void clocks(clock_gettime_fn vclock)
{
	static const clockid_t ids[] = { CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_MONOTONIC_RAW };
	struct timespec a, b, s;

	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		check_long("vDSO clock_gettime", 0, vclock(ids[i], &a));
		s = sys_clock(ids[i]);
		check_long("vDSO clock_gettime again", 0, vclock(ids[i], &b));
		if (ns(&a) > ns(&s) || ns(&s) > ns(&b))
			fail("clock %d: vDSO %lld, syscall %lld, vDSO %lld: not in order", (int)ids[i],
			     (long long)ns(&a), (long long)ns(&s), (long long)ns(&b));
	}
	check_long("vDSO CLOCK_REALTIME", 0, vclock(CLOCK_REALTIME, &a));
	s = sys_clock(CLOCK_REALTIME);
	check_true("CLOCK_REALTIME within a second of the syscall's", llabs(ns(&s) - ns(&a)) < 1000000000);
	/* A CPU clock the vDSO passes to the kernel. */
	check_long("vDSO CLOCK_PROCESS_CPUTIME_ID", 0, vclock(CLOCK_PROCESS_CPUTIME_ID, &a));
	s = sys_clock(CLOCK_PROCESS_CPUTIME_ID);
	check_true("the process CPU clock runs forward", ns(&a) > 0 && ns(&a) <= ns(&s));
	check_long("vDSO clock_gettime of a bad clock", -EINVAL, vclock(100, &a));
}

static void wall_clock(gettimeofday_fn vtod, time_fn vtime)
{
	struct timeval tv;
	struct timespec s;

	if (!check_true("the vDSO has gettimeofday", vtod != NULL))
		return;
	check_long("vDSO gettimeofday", 0, vtod(&tv, NULL));
	s = sys_clock(CLOCK_REALTIME);
	check_true("gettimeofday within a second of CLOCK_REALTIME",
		   llabs((int64_t)tv.tv_sec * 1000000000 + tv.tv_usec * 1000 - ns(&s)) < 1000000000);
	if (vtime)
		check_true("time within a second of CLOCK_REALTIME", llabs(vtime(NULL) - s.tv_sec) <= 1);
}

/* Bound to the last CPU it may use, the vDSO's getcpu names that one. */
static void cpu(getcpu_fn vgetcpu)
{
	cpu_set_t all, one;
	unsigned int got = ~0U, sys = ~0U;
	int last = -1;

	if (!vgetcpu)
		return;
	if (!CHECK_OK("sched_getaffinity", sched_getaffinity(0, sizeof all, &all)))
		return;
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &all))
			last = i;
	CPU_ZERO(&one);
	CPU_SET(last, &one);
	if (!CHECK_OK("sched_setaffinity(last CPU)", sched_setaffinity(0, sizeof one, &one)))
		return;
	sched_yield();
	for (int i = 0; i < 100; i++) {
		check_long("vDSO getcpu", 0, vgetcpu(&got, NULL, NULL));
		if (got != (unsigned int)last)
			break;
	}
	check_long("the vDSO's getcpu names the bound CPU", last, (long)got);
	CHECK_OK("getcpu", syscall(SYS_getcpu, &sys, NULL, NULL));
	check_long("so does the syscall", last, (long)sys);
	sched_setaffinity(0, sizeof all, &all);
}

static void random_probe(getrandom_fn vrandom)
{
	struct {
		uint32_t size_of_opaque_state, mmap_prot, mmap_flags, reserved[13];
	} params;

	if (!vrandom)
		return;
	memset(&params, 0, sizeof params);
	if (under_umbra())
		check_long("umbra's vDSO getrandom probe", -ENOSYS,
			   vrandom(NULL, 0, 0, &params, ~(size_t)0));
	else if (check_long("the vDSO getrandom probe", 0, vrandom(NULL, 0, 0, &params, ~(size_t)0)))
		check_true("it gives a state size", params.size_of_opaque_state > 0);
}

static void in_child(clock_gettime_fn vclock)
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct timespec ts;

		_exit(vclock(CLOCK_MONOTONIC, &ts) == 0 && ts.tv_sec + ts.tv_nsec > 0 ? 0 : 1);
	}
	if (CHECK_OK("fork", pid))
		check_true("a fork's child calls the vDSO where its parent found it",
			   waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
				   WEXITSTATUS(status) == 0);
}

int main(void)
{
	clock_gettime_fn vclock;

	image = (const Elf64_Ehdr *)getauxval(AT_SYSINFO_EHDR);
	if (!check_true("AT_SYSINFO_EHDR is given", image != NULL))
		return check_exit("vdso");
	check_true("an ELF image", !memcmp(image->e_ident, ELFMAG, SELFMAG));
	in_maps();
	readable_by_the_kernel();
	vclock = (clock_gettime_fn)vdso_sym(VDSO_CLOCK_GETTIME);
	if (check_true("the vDSO has " VDSO_CLOCK_GETTIME, vclock != NULL)) {
		clocks(vclock);
		in_child(vclock);
	}
	wall_clock((gettimeofday_fn)vdso_sym(VDSO_GETTIMEOFDAY), (time_fn)vdso_sym(VDSO_TIME));
	cpu((getcpu_fn)vdso_sym(VDSO_GETCPU));
	random_probe((getrandom_fn)vdso_sym(VDSO_GETRANDOM));
	return check_exit("vdso");
}
