// SPDX-License-Identifier: Apache-2.0
/*
 * Ways into the kernel that a sandbox could overlook. Under umbra the guest
 * is pid 1 with parent 0 and the host's ids differ, so a call that reached
 * the host kernel instead of the sentry answers with a host pid and fails.
 *
 *   no_host_escape        the x32 syscall bit (x86_64), and syscall or svc
 *                         executed from code written at run time: RWX,
 *                         RW then RX, and straddling a page boundary
 *   no_host_escape int80  the i386 int $0x80 gate (x86_64). Without IA32
 *                         emulation the host answers SIGSEGV, which the
 *                         runner accepts (--allow-signal SIGSEGV).
 */
#include "check.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef long (*code_fn)(void);

#if defined(__x86_64__)

#define I386_NR_GETPID 20
#define X32_SYSCALL_BIT 0x40000000L

static int int80_getpid(void)
{
	long r;

	/* The compat entry zeroes r8-r11 on some kernels. */
	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"((long)I386_NR_GETPID)
			 : "r8", "r9", "r10", "r11", "memory", "cc");
	if (r == -ENOSYS) {
		note("int $0x80 answered -ENOSYS");
	} else if (r != getpid()) {
		fail("int $0x80 getpid: expected %d (or -ENOSYS) got %ld",
		     getpid(), r);
	} else {
		note("int $0x80 answered getpid()");
	}
	printf("no_host_escape: int $0x80 survived\n");
	return check_exit("no_host_escape int80");
}

static void check_x32_bit(void)
{
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(SYS_getpid | X32_SYSCALL_BIT)
			 : "rcx", "r11", "memory", "cc");
	if (r != -ENOSYS && r != getpid())
		fail("x32 getpid: expected -ENOSYS or %d got %ld", getpid(), r);
	printf("no_host_escape: x32 bit checked\n");
}

/* mov $nr, %eax; syscall; ret -- with the syscall ending at `end`. */
static size_t emit_syscall(unsigned char *end, long nr, unsigned char **entry)
{
	unsigned char *p = end - 7;

	p[0] = 0xb8;
	memcpy(p + 1, &(uint32_t){ (uint32_t)nr }, 4);
	p[5] = 0x0f;
	p[6] = 0x05;
	end[0] = 0xc3;
	*entry = p;
	return 8;
}

#elif defined(__aarch64__)

static int int80_getpid(void)
{
	note("int $0x80 is an x86_64 check");
	return EXIT_SKIP;
}

static void check_x32_bit(void)
{
}

/* mov x8, #nr; svc #0; ret -- with the svc ending at `end`. */
static size_t emit_syscall(unsigned char *end, long nr, unsigned char **entry)
{
	uint32_t insn[3] = {
		0xd2800008 | ((uint32_t)nr << 5),	/* movz x8, #nr */
		0xd4000001,				/* svc #0 */
		0xd65f03c0,				/* ret */
	};
	unsigned char *p = end - 8;

	memcpy(p, insn, sizeof(insn));
	*entry = p;
	return sizeof(insn);
}

#else
#error "guest tests are built for x86_64 and aarch64 only"
#endif

struct fresh_call {
	const char *name;
	long nr;
	long (*expected)(void);
};

static long expect_pid(void)
{
	return getpid();
}

static long expect_ppid(void)
{
	return getppid();
}

static const struct fresh_call calls[] = {
	{ "getpid", SYS_getpid, expect_pid },
	{ "getppid", SYS_getppid, expect_ppid },
};

/*
 * Writes each call into a fresh mapping, makes it executable (RWX from the
 * start, or RW then RX) and runs it. With `straddle` the syscall instruction
 * ends the first page and the return sits on the second.
 */
static void run_fresh(const char *how, int rwx, int straddle)
{
	long page = sysconf(_SC_PAGESIZE);
	int prot = PROT_READ | PROT_WRITE | (rwx ? PROT_EXEC : 0);
	unsigned char *map, *end, *entry;
	size_t i, len;

	map = mmap(NULL, 2 * page, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		fail("%s: mmap: expected mapping got MAP_FAILED (errno %s)",
		     how, err_name(errno));
		return;
	}
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		const struct fresh_call *c = &calls[i];
		long r;

		if (!rwx && mprotect(map, 2 * page, PROT_READ | PROT_WRITE)) {
			fail("%s: mprotect RW: expected 0 got -1", how);
			break;
		}
		end = straddle ? map + page : map + page / 2;
		len = emit_syscall(end, c->nr, &entry);
		__builtin___clear_cache((char *)entry, (char *)entry + len);
		if (!rwx && mprotect(map, 2 * page, PROT_READ | PROT_EXEC)) {
			fail("%s: mprotect RX: expected 0 got -1 (errno %s)",
			     how, err_name(errno));
			break;
		}
		r = ((code_fn)(uintptr_t)entry)();
		if (r != c->expected())
			fail("%s %s: expected %ld got %ld", how, c->name,
			     c->expected(), r);
	}
	munmap(map, 2 * page);
	printf("no_host_escape: fresh code %s done\n", how);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "int80"))
		return int80_getpid();
	if (argc > 1) {
		fprintf(stderr, "usage: no_host_escape [int80]\n");
		return 2;
	}
	check_x32_bit();
	run_fresh("RWX", 1, 0);
	run_fresh("RW then RX", 0, 0);
	run_fresh("across a page boundary", 0, 1);
	return check_exit("no_host_escape");
}
