/* The ptrace platform against real stubs: what a stub contains, that memory
 * mapped by injection is shared with the sentry, that a host file mapped
 * into a stub is the file, that the seccomp filter
 * kills anything outside the injected set, and that no stub outlives its
 * destruction. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "platform/platform.h"
#include "platform/ptrace/ptrace_priv.h"

#define MEMFD_SIZE (16 << 20)

static int memfd;
static char *shared;

static void setup(void)
{
	memfd = memfd_create("test-memory", MFD_CLOEXEC);
	ck_assert_int_ge(memfd, 0);
	ck_assert_int_eq(ftruncate(memfd, MEMFD_SIZE), 0);
	shared = mmap(NULL, MEMFD_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ck_assert_ptr_ne(shared, MAP_FAILED);
}

static void teardown(void)
{
	munmap(shared, MEMFD_SIZE);
	close(memfd);
}

/* Lines of /proc/PID/maps, vsyscall aside (it cannot be unmapped) and the
 * vDSO the stub keeps (stub_keeps_the_vdso). */
static int count_mappings(int pid, char *first, size_t size)
{
	char path[64], line[512];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/maps", pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f)) {
		if (strstr(line, "[vsyscall]") || strstr(line, "[vvar") || strstr(line, "[vdso]"))
			continue;
		if (!n++)
			snprintf(first, size, "%s", line);
	}
	fclose(f);
	return n;
}

START_TEST(stub_holds_only_its_text)
{
	struct plat_proc *p;
	struct plat_thread *th;
	char first[512], want[64];

	ck_assert_int_eq(plat_proc_create(memfd, &p, &th), 0);
	ck_assert_int_eq(count_mappings(plat_proc_pid(p), first, sizeof first), 1);
	snprintf(want, sizeof want, "%llx-", (unsigned long long)ARCH_STUB_BASE);
	ck_assert_msg(!strncmp(first, want, strlen(want)), "first mapping: %s", first);
	plat_proc_destroy(p);
}
END_TEST

/* Whether pid's maps has the line "START-END PERMS ... NAME". */
static bool has_area(int pid, const struct plat_special *a)
{
	char path[64], line[512], want[64];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/maps", pid);
	snprintf(want, sizeof want, "%llx-%llx %c", (unsigned long long)a->start,
		 (unsigned long long)a->end, a->prot & PROT_READ ? 'r' : '-');
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, want, strlen(want)) && strstr(line, a->name))
			found = true;
	fclose(f);
	return found;
}

/* The host's vDSO and its data, where plat_vdso says, in every stub: the
 * sentry's own has them, so this host gives one. */
START_TEST(stub_keeps_the_vdso)
{
	const struct plat_vdso *d;
	struct plat_proc *p[2];
	struct plat_thread *th[2];

	ck_assert_int_eq(plat_init(), 0);
	d = plat_vdso();
	ck_assert_msg(d->n >= 2 && getauxval(AT_SYSINFO_EHDR), "the sentry's vDSO was not taken");
	ck_assert_uint_eq(d->area[d->n - 1].start, d->ehdr);
	ck_assert_str_eq(d->area[d->n - 1].name, "[vdso]");
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(plat_proc_create(memfd, &p[i], &th[i]), 0);
		for (size_t k = 0; k < d->n; k++)
			ck_assert_msg(has_area(plat_proc_pid(p[i]), &d->area[k]), "stub %d: no %s at %llx",
				      i, d->area[k].name, (unsigned long long)d->area[k].start);
	}
	for (int i = 0; i < 2; i++)
		plat_proc_destroy(p[i]);
}
END_TEST

START_TEST(injected_map_shares_memory)
{
	const uint64_t addr = 0x100000000ULL;
	struct plat_proc *p;
	struct plat_thread *th;
	char first[512];

	ck_assert_int_eq(plat_proc_create(memfd, &p, &th), 0);
	ck_assert_int_eq(plat_map(th, addr, 8192, PROT_READ | PROT_WRITE, 4096), 0);
	ck_assert_int_eq(count_mappings(plat_proc_pid(p), first, sizeof first), 2);
	/* The stub's page is the sentry's page at the same file offset. */
	strcpy(shared + 4096, "written by the sentry");
	{
		char buf[32] = { 0 };
		struct iovec local = { buf, sizeof buf - 1 }, remote = { (void *)addr, sizeof buf - 1 };

		ck_assert_int_eq(process_vm_readv(plat_proc_pid(p), &local, 1, &remote, 1, 0),
				 sizeof buf - 1);
		ck_assert_str_eq(buf, "written by the sentry");
	}
	ck_assert_int_eq(plat_protect(th, addr, 4096, PROT_READ), 0);
	ck_assert_int_eq(plat_unmap(th, addr, 8192), 0);
	ck_assert_int_eq(count_mappings(plat_proc_pid(p), first, sizeof first), 1);
	plat_proc_destroy(p);
}
END_TEST

START_TEST(seccomp_kills_other_syscalls)
{
	uint64_t args[6] = { 0 };
	struct plat_proc *p;
	struct plat_thread *th;
	struct plat_stop stop;

	ck_assert_int_eq(plat_proc_create(memfd, &p, &th), 0);
	ck_assert_int_ge(ptrace_inject(th, SYS_getpid, args), 1); /* allowed */
	ck_assert_int_lt(ptrace_inject(th, SYS_getuid, args), 0);  /* not injected: fatal */
	ck_assert_int_eq(plat_run(th, &stop), -ESRCH);
	(void)stop;
	plat_proc_destroy(p);
}
END_TEST

/* A host file mapped into the stub is the file: stores through the stub
 * reach it, and the file's bytes show in the stub; the stub keeps no fd. */
START_TEST(mapped_host_file_is_the_file)
{
	const uint64_t addr = 0x100000000ULL;
	int file = memfd_create("test-file", MFD_CLOEXEC);
	struct plat_proc *p;
	struct plat_thread *th;
	char buf[16] = { 0 }, path[64];

	ck_assert_int_ge(file, 0);
	ck_assert_int_eq(pwrite(file, "from the file", 13, 4096), 13);
	ck_assert_int_eq(ftruncate(file, 8192), 0);
	ck_assert_int_eq(plat_proc_create(memfd, &p, &th), 0);
	ck_assert_int_eq(plat_map_file(th, addr, 8192, PROT_READ | PROT_WRITE, true, file, 0), 0);
	ck_assert_int_eq(plat_proc_read(p, buf, addr + 4096, 13), 13);
	ck_assert_str_eq(buf, "from the file");
	ck_assert_int_eq(plat_proc_write(p, addr, "stored", 6), 6);
	ck_assert_int_eq(pread(file, buf, 6, 0), 6);
	ck_assert_int_eq(memcmp(buf, "stored", 6), 0);
	/* Private: the stub's store stays the stub's. */
	ck_assert_int_eq(plat_map_file(th, addr, 4096, PROT_READ | PROT_WRITE, false, file, 0), 0);
	ck_assert_int_eq(plat_proc_write(p, addr, "xxxxxx", 6), 6);
	ck_assert_int_eq(pread(file, buf, 6, 0), 6);
	ck_assert_int_eq(memcmp(buf, "stored", 6), 0);
	/* Past the end of the file: the copy fails instead of faulting. */
	ck_assert_int_eq(plat_map_file(th, addr + 8192, 4096, PROT_READ, true, file, 8192), 0);
	ck_assert_int_eq(plat_proc_read(p, buf, addr + 8192, 4), -EFAULT);
	for (int fd = 0; fd < 3; fd++) {
		snprintf(path, sizeof path, "/proc/%d/fd/%d", plat_proc_pid(p), fd);
		ck_assert_msg(access(path, F_OK) != 0, "the stub kept fd %d", fd);
	}
	plat_proc_destroy(p);
	close(file);
}
END_TEST

/* What receiving files allows stays narrow: recvmsg on another fd, and
 * close of the memory file, kill the stub. */
START_TEST(seccomp_limits_file_passing)
{
	uint64_t recv_other[6] = { PTRACE_STUB_MEMFD }, close_mem[6] = { PTRACE_STUB_MEMFD };
	struct plat_proc *p;
	struct plat_thread *th;

	ck_assert_int_eq(plat_proc_create(memfd, &p, &th), 0);
	ck_assert_int_lt(ptrace_inject(th, SYS_recvmsg, recv_other), 0);
	plat_proc_destroy(p);
	ck_assert_int_eq(plat_proc_create(memfd, &p, &th), 0);
	ck_assert_int_lt(ptrace_inject(th, SYS_close, close_mem), 0);
	ck_assert_int_eq(ptrace_inject(th, SYS_getpid, recv_other), -ESRCH);
	plat_proc_destroy(p);
}
END_TEST

START_TEST(destroy_leaves_no_process)
{
	struct plat_proc *p;
	struct plat_thread *th;
	int pid;

	ck_assert_int_eq(plat_proc_create(memfd, &p, &th), 0);
	pid = plat_proc_pid(p);
	ck_assert_int_eq(kill(pid, 0), 0);
	plat_proc_destroy(p);
	ck_assert_int_eq(kill(pid, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
}
END_TEST

/* Guest code run from a fresh page: one syscall (getpid), then a spin. */
#if defined(__x86_64__)
static const uint8_t code[] = { 0x0f, 0x05, 0xeb, 0xfe };
static void guest_call(struct arch_regs *r)
{
	r->gpr.rax = SYS_getpid;
	r->gpr.r10 = 0x1010101010;
}
static uint64_t hidden_reg(const struct arch_regs *r)
{
	return r->gpr.r10;
}
#define HIDDEN_VALUE 0x1010101010ULL
#define SYSCALL_INSN 2
#elif defined(__aarch64__)
static const uint8_t code[] = { 0x01, 0x00, 0x00, 0xd4, 0x00, 0x00, 0x00, 0x14 };
static void guest_call(struct arch_regs *r)
{
	r->gpr.regs[8] = SYS_getpid;
	r->gpr.regs[7] = 0x7777777777;
}
/* x7: shown as 0 (syscall entry) at the stop itself. */
static uint64_t hidden_reg(const struct arch_regs *r)
{
	return r->gpr.regs[7];
}
#define HIDDEN_VALUE 0x7777777777ULL
#define SYSCALL_INSN 4
#endif

START_TEST(full_state_after_syscall_stop)
{
	const uint64_t addr = 0x200000000ULL;
	struct plat_proc *p;
	struct plat_thread *th;
	struct plat_stop stop;
	struct arch_regs *r;

	ck_assert_int_eq(plat_proc_create(memfd, &p, &th), 0);
	memcpy(shared, code, sizeof code);
	ck_assert_int_eq(plat_map(th, addr, 4096, PROT_READ | PROT_EXEC, 0), 0);
	r = plat_regs(th);
	arch_exec_regs(r, addr, 0);
	guest_call(r);
	ck_assert_int_eq(plat_run(th, &stop), 0);
	ck_assert_int_eq(stop.kind, PLAT_STOP_SYSCALL);
	ck_assert_int_eq(arch_syscall_nr(plat_regs(th)), SYS_getpid);
	ck_assert_int_eq(plat_regs_load_full(th), 0);
	ck_assert(arch_regs_complete(plat_regs(th)));
	ck_assert_uint_eq(hidden_reg(plat_regs(th)), HIDDEN_VALUE);
	ck_assert_uint_eq(arch_ip(plat_regs(th)), addr + SYSCALL_INSN);
	plat_proc_destroy(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ptrace_stub");
	TCase *tc = tcase_create("stub");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, stub_holds_only_its_text);
	tcase_add_test(tc, stub_keeps_the_vdso);
	tcase_add_test(tc, injected_map_shares_memory);
	tcase_add_test(tc, seccomp_kills_other_syscalls);
	tcase_add_test(tc, mapped_host_file_is_the_file);
	tcase_add_test(tc, seccomp_limits_file_passing);
	tcase_add_test(tc, destroy_leaves_no_process);
	tcase_add_test(tc, full_state_after_syscall_stop);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* ptrace needs the tracer to stay one thread: no fork per test. */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
