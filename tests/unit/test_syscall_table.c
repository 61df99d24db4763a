/* The generated syscall table of the host arch (abi/syscalls.tbl) and the
 * strace-style lines of trace_format, for formats that read no guest memory. */
#include <check.h>

#include "tests/unit/unit.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/syscall.h"
#include "sentry/kernel/trace.h"
#include "syscall_handlers.h"

#define ARG_LETTERS "duxlpfDsbBomOFPMcga"

START_TEST(names_are_unique)
{
	for (unsigned int i = 0; i < syscall_table_len; i++) {
		if (!syscall_table[i].name)
			continue;
		ck_assert_msg(syscall_table[i].name[0], "empty name at %u", i);
		for (unsigned int j = i + 1; j < syscall_table_len; j++) {
			if (syscall_table[j].name)
				ck_assert_msg(strcmp(syscall_table[i].name, syscall_table[j].name),
					      "%s at %u and %u", syscall_table[i].name, i, j);
		}
	}
}
END_TEST

START_TEST(handler_iff_implemented)
{
	unsigned int handlers = 0;

	for (unsigned int i = 0; i < syscall_table_len; i++) {
		const struct syscall_desc *d = &syscall_table[i];

		if (!d->name) {
			ck_assert_msg(!d->handler, "handler for unnamed number %u", i);
			continue;
		}
		ck_assert_msg(d->level == SYSCALL_NONE || d->level == SYSCALL_PARTIAL ||
			      d->level == SYSCALL_FULL, "%s: level %d", d->name, d->level);
		ck_assert_msg(!d->handler == (d->level == SYSCALL_NONE),
			      "%s: handler and level %d disagree", d->name, d->level);
		handlers += !!d->handler;
	}
	ck_assert_uint_gt(handlers, 0);
}
END_TEST

START_TEST(formats_use_known_letters)
{
	for (unsigned int i = 0; i < syscall_table_len; i++) {
		const struct syscall_desc *d = &syscall_table[i];

		if (!d->name)
			continue;
		ck_assert_ptr_nonnull(d->args);
		ck_assert_msg(strlen(d->args) <= 6, "%s: %zu arguments", d->name, strlen(d->args));
		ck_assert_msg(strspn(d->args, ARG_LETTERS) == strlen(d->args),
			      "%s: bad argument letter in \"%s\"", d->name, d->args);
		ck_assert_msg(d->ret == 'd' || d->ret == 'x' || d->ret == 'n',
			      "%s: bad result letter '%c'", d->name, d->ret);
	}
}
END_TEST

static void check_pin(long nr, long expected, const char *name)
{
	const struct syscall_desc *d = syscall_lookup(nr);

	ck_assert_msg(nr == expected, "SYSCALL_NR_%s is %ld, the kernel says %ld", name, nr,
		      expected);
	ck_assert_msg(d != NULL, "%s (%ld) missing from the table", name, nr);
	ck_assert_str_eq(d->name, name);
}

#define PIN(name, nr) check_pin(SYSCALL_NR_##name, nr, #name)

/* Numbers from arch/x86/entry/syscalls/syscall_64.tbl and scripts/syscall.tbl. */
START_TEST(numbers_match_the_kernel)
{
#if defined(__x86_64__)
	PIN(read, 0);
	PIN(write, 1);
	PIN(mmap, 9);
	PIN(rt_sigreturn, 15);
	PIN(arch_prctl, 158);
	PIN(exit_group, 231);
	PIN(openat, 257);
	PIN(rseq, 334);
	PIN(uretprobe, 335);
	PIN(clone3, 435);
	PIN(map_shadow_stack, 453);
	PIN(mseal, 462);
	PIN(rseq_slice_yield, 471);
#elif defined(__aarch64__)
	PIN(read, 63);
	PIN(write, 64);
	PIN(mmap, 222);
	PIN(rt_sigreturn, 139);
	PIN(exit_group, 94);
	PIN(openat, 56);
	PIN(newfstatat, 79);
	PIN(fstat, 80);
	PIN(rseq, 293);
	PIN(clone3, 435);
	PIN(mseal, 462);
	PIN(rseq_slice_yield, 471);
#else
#error "no pins for this architecture"
#endif
}
END_TEST

START_TEST(table_covers_every_number)
{
	ck_assert_uint_eq(syscall_table_len, SYSCALL_NR_LIMIT);
	ck_assert_uint_gt(syscall_table_len, SYSCALL_NR_rseq_slice_yield);
	ck_assert_ptr_nonnull(syscall_table[syscall_table_len - 1].name);
	ck_assert_ptr_null(syscall_lookup(-1));
	ck_assert_ptr_null(syscall_lookup(syscall_table_len));
	ck_assert_ptr_null(syscall_lookup(100000));
}
END_TEST

START_TEST(handlers_are_wired)
{
	ck_assert_ptr_eq(syscall_lookup(SYSCALL_NR_read)->handler, sys_read);
	ck_assert_ptr_eq(syscall_lookup(SYSCALL_NR_exit_group)->handler, sys_exit_group);
	ck_assert_int_eq(syscall_lookup(SYSCALL_NR_getpid)->level, SYSCALL_FULL);
	ck_assert_int_eq(syscall_lookup(SYSCALL_NR_mmap)->level, SYSCALL_PARTIAL);
	ck_assert_ptr_null(syscall_lookup(SYSCALL_NR_shmget)->handler);
	ck_assert_int_eq(syscall_lookup(SYSCALL_NR_shmget)->level, SYSCALL_NONE);
	ck_assert_ptr_eq(syscall_lookup(SYSCALL_NR_rseq)->handler, sys_rseq);
}
END_TEST

/* Formats nr's line with the given arguments and result; no task, so only
 * formats that read no guest memory. */
static const char *fmt(long nr, long ret, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		       uint64_t a4, uint64_t a5)
{
	static char buf[512];
	struct syscall_args a = { .nr = nr, .a = { a0, a1, a2, a3, a4, a5 } };
	size_t len = trace_format(NULL, syscall_lookup(nr), &a, ret, buf, sizeof(buf));

	ck_assert_uint_eq(len, strlen(buf));
	return buf;
}

START_TEST(trace_plain)
{
	ck_assert_str_eq(fmt(SYSCALL_NR_getpid, 1, 0, 0, 0, 0, 0, 0), "getpid() = 1\n");
	ck_assert_str_eq(fmt(SYSCALL_NR_exit_group, 0, 3, 0, 0, 0, 0, 0), "exit_group(3) = ?\n");
	ck_assert_str_eq(fmt(SYSCALL_NR_close, -9, (uint64_t)-1, 0, 0, 0, 0, 0),
			 "close(-1) = -9 EBADF\n");
	ck_assert_str_eq(fmt(SYSCALL_NR_lseek, 0, 3, (uint64_t)-4, 2, 0, 0, 0),
			 "lseek(3, -4, 2) = 0\n");
	ck_assert_str_eq(fmt(SYSCALL_NR_brk, 0x555555559000, 0, 0, 0, 0, 0, 0),
			 "brk(NULL) = 0x555555559000\n");
}
END_TEST

START_TEST(trace_mmap)
{
	ck_assert_str_eq(fmt(SYSCALL_NR_mmap, 0x7f0000001000, 0, 4096, 3, 0x22, (uint64_t)-1, 0),
			 "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"
			 " = 0x7f0000001000\n");
	ck_assert_str_eq(fmt(SYSCALL_NR_mmap, -12, 0x10000, 8192, 0, 0x100012, 3, 0x2000),
			 "mmap(0x10000, 8192, PROT_NONE, MAP_PRIVATE|MAP_FIXED|MAP_FIXED_NOREPLACE,"
			 " 3, 0x2000) = -12 ENOMEM\n");
	ck_assert_str_eq(fmt(SYSCALL_NR_mprotect, 0, 0x1000, 4096, 0x10000005, 0, 0, 0),
			 "mprotect(0x1000, 4096, PROT_READ|PROT_EXEC|0x10000000) = 0\n");
}
END_TEST

START_TEST(trace_flags_and_names)
{
	/* A NULL path is printed without reading the guest. */
	ck_assert_str_eq(fmt(SYSCALL_NR_openat, -14, (uint64_t)-100, 0, 02000000, 0644, 0, 0),
			 "openat(AT_FDCWD, NULL, O_RDONLY|O_CLOEXEC) = -14 EFAULT\n");
	ck_assert_str_eq(fmt(SYSCALL_NR_openat, -14, 5, 0, 0101 | 01000, 0640, 0, 0),
			 "openat(5, NULL, O_WRONLY|O_CREAT|O_TRUNC, 0640) = -14 EFAULT\n");
	ck_assert_str_eq(fmt(SYSCALL_NR_clock_gettime, 0, 1, 0x7ffc0000, 0, 0, 0, 0),
			 "clock_gettime(CLOCK_MONOTONIC, 0x7ffc0000) = 0\n");
	ck_assert_str_eq(fmt(SYSCALL_NR_kill, 0, 7, 2, 0, 0, 0, 0), "kill(7, SIGINT) = 0\n");
	ck_assert_str_eq(fmt(SYSCALL_NR_kill, 0, 7, 34, 0, 0, 0, 0), "kill(7, SIGRT_2) = 0\n");
	ck_assert_str_eq(fmt(SYSCALL_NR_rt_sigaction, -22, 99, 0, 0, 8, 0, 0),
			 "rt_sigaction(99, NULL, NULL, 8) = -22 EINVAL\n");
	ck_assert_str_eq(fmt(SYSCALL_NR_pipe2, -22, 0x1000, 0x400, 0, 0, 0, 0),
			 "pipe2(0x1000, O_APPEND) = -22 EINVAL\n");
	ck_assert_str_eq(fmt(SYSCALL_NR_pipe2, -14, 0, 02004000, 0, 0, 0, 0),
			 "pipe2(NULL, O_NONBLOCK|O_CLOEXEC) = -14 EFAULT\n");
	ck_assert_str_eq(fmt(SYSCALL_NR_pipe2, -24, 0x1000, 0, 0, 0, 0, 0),
			 "pipe2(0x1000, 0) = -24 EMFILE\n");
#if defined(__x86_64__)
	ck_assert_str_eq(fmt(SYSCALL_NR_arch_prctl, 0, 0x1002, 0x7f00aa, 0, 0, 0, 0),
			 "arch_prctl(ARCH_SET_FS, 0x7f00aa) = 0\n");
#endif
}
END_TEST

START_TEST(trace_buffers_on_error)
{
	/* Output buffers are not read when the call failed. */
	ck_assert_str_eq(fmt(SYSCALL_NR_read, -11, 0, 0x1000, 10, 0, 0, 0),
			 "read(0, 0x1000, 10) = -11 EAGAIN\n");
	ck_assert_str_eq(fmt(SYSCALL_NR_getrandom, -4, 0x2000, 16, 0, 0, 0, 0),
			 "getrandom(0x2000, 16, 0) = -4 EINTR\n");
	ck_assert_str_eq(fmt(SYSCALL_NR_read, -512, 0, 0x1000, 10, 0, 0, 0),
			 "read(0, 0x1000, 10) = -512 ERESTARTSYS\n");
}
END_TEST

START_TEST(trace_unknown)
{
	ck_assert_str_eq(fmt(1234, -38, 1, 0, 0, 0, 0, 0xff),
			 "syscall_1234(0x1, 0, 0, 0, 0, 0xff) = -38 ENOSYS\n");
	ck_assert_str_eq(fmt(1234, -4095, 0, 0, 0, 0, 0, 0),
			 "syscall_1234(0, 0, 0, 0, 0, 0) = -4095\n");
	ck_assert_str_eq(fmt(1234, -4096, 0, 0, 0, 0, 0, 0),
			 "syscall_1234(0, 0, 0, 0, 0, 0) = -4096\n");
}
END_TEST

START_TEST(trace_truncates)
{
	char buf[16];
	struct syscall_args a = { .nr = SYSCALL_NR_getpid };
	size_t len;

	memset(buf, 'X', sizeof(buf));
	len = trace_format(NULL, syscall_lookup(SYSCALL_NR_getpid), &a, 1, buf, 8);
	ck_assert_uint_eq(len, 7);
	ck_assert_str_eq(buf, "getpid(");
	for (size_t i = 8; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], 'X');

	ck_assert_uint_eq(trace_format(NULL, NULL, &a, 0, buf, 0), 0);
	ck_assert_int_eq(buf[0], 'g');
	ck_assert_uint_eq(trace_format(NULL, NULL, &a, 0, buf, 1), 0);
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_int_eq(buf[1], 'e');
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("syscall_table");
	TCase *table = tcase_create("table");
	TCase *trace = tcase_create("trace");

	tcase_add_test(table, names_are_unique);
	tcase_add_test(table, handler_iff_implemented);
	tcase_add_test(table, formats_use_known_letters);
	tcase_add_test(table, numbers_match_the_kernel);
	tcase_add_test(table, table_covers_every_number);
	tcase_add_test(table, handlers_are_wired);
	suite_add_tcase(s, table);

	tcase_add_test(trace, trace_plain);
	tcase_add_test(trace, trace_mmap);
	tcase_add_test(trace, trace_flags_and_names);
	tcase_add_test(trace, trace_buffers_on_error);
	tcase_add_test(trace, trace_unknown);
	tcase_add_test(trace, trace_truncates);
	suite_add_tcase(s, trace);
	return s;
}
