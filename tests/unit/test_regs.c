/* The arch contract (arch/arch.h) of the host arch, through its functions;
 * register names appear only where the contract has no accessor. */
#include <check.h>

#include "tests/unit/unit.h"
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arch/arch.h"

static struct arch_regs r;

/* Registers dirty as a stopped thread leaves them. */
static void scribble(void)
{
	memset(&r, 0xa5, sizeof r);
}

/* Where the injected syscall's number goes: the contract has no setter, and
 * arch_syscall_nr reads what the kernel shows at the stop, not this. */
static uint64_t injected_nr(void)
{
#if defined(__x86_64__)
	return r.gpr.rax;
#elif defined(__aarch64__)
	return r.gpr.regs[8];
#endif
}

START_TEST(exec_regs_zero_the_rest)
{
	uint64_t args[6];

	scribble();
	arch_exec_regs(&r, 0x401020, 0x7ffffffde0f0);
	ck_assert_uint_eq(arch_ip(&r), 0x401020);
	ck_assert_uint_eq(arch_sp(&r), 0x7ffffffde0f0);
	arch_syscall_args(&r, args);
	for (int i = 0; i < 6; i++)
		ck_assert_msg(args[i] == 0, "argument register %d is %#llx", i,
			      (unsigned long long)args[i]);
	ck_assert_int_eq(arch_inject_result(&r), 0);
	ck_assert_uint_eq(arch_tls(&r), 0);
}
END_TEST

/* syscall_rollback(): the return register back to what the syscall found
 * (x86_64 orig_rax, the number; arm64 orig_x0, the first argument), the IP
 * still after the instruction. */
START_TEST(syscall_rollback)
{
	uint64_t found;

	scribble();
#if defined(__x86_64__)
	r.gpr.orig_rax = 39;
	found = 39;
#elif defined(__aarch64__)
	r.gpr.regs[8] = 39;
	r.gpr.regs[0] = 7;
	found = 7;
#endif
	arch_set_ip(&r, 0x401002);
	arch_syscall_entered(&r);
	arch_syscall_set_return(&r, -38);
	arch_syscall_rollback(&r);
	ck_assert_uint_eq((uint64_t)arch_inject_result(&r), found);
	ck_assert_uint_eq(arch_ip(&r), 0x401002);
	ck_assert_int_eq(arch_syscall_nr(&r), 39);
}
END_TEST

/* Only the svc of arm64's trampoline (mov x8; svc) is the kernel's
 * sigreturn; x86_64 gives handlers none. */
START_TEST(sigreturn_trampoline)
{
	scribble();
	arch_set_ip(&r, ARCH_SIGRETURN_TRAMPOLINE + 8);
	ck_assert_int_eq(arch_syscall_is_sigreturn_trampoline(&r), ARCH_SIGRETURN_TRAMPOLINE != 0);
	arch_set_ip(&r, ARCH_SIGRETURN_TRAMPOLINE + 4);
	ck_assert(!arch_syscall_is_sigreturn_trampoline(&r));
	arch_set_ip(&r, 0x401002);
	ck_assert(!arch_syscall_is_sigreturn_trampoline(&r));
}
END_TEST

START_TEST(untagged_addr)
{
	ck_assert_uint_eq(arch_untagged_addr(0x7ffc1000), 0x7ffc1000);
#if defined(__aarch64__)
	ck_assert_uint_eq(arch_untagged_addr(0x5a00fffc00001000ULL), 0xfffc00001000ULL);
	ck_assert_uint_eq(arch_untagged_addr(1ULL << 55), 0xff80000000000000ULL);
#else
	ck_assert_uint_eq(arch_untagged_addr(0x5a00000000001000ULL), 0x5a00000000001000ULL);
#endif
}
END_TEST

/* The kernel reads the number as an int: the upper 32 bits are ignored. */
START_TEST(syscall_nr_is_an_int)
{
	scribble();
#if defined(__x86_64__)
	r.gpr.orig_rax = 0xffffffff00000027ULL;
#elif defined(__aarch64__)
	r.gpr.regs[8] = 0xffffffff00000027ULL;
#endif
	ck_assert_int_eq(arch_syscall_nr(&r), 39);
#if defined(__x86_64__)
	{
		static const uint8_t syscall[2] = { 0x0f, 0x05 };

		ck_assert_int_eq(arch_syscall_classify(&r, syscall, 1), ARCH_SYSCALL_NATIVE);
	}
#endif
}
END_TEST

START_TEST(set_ip)
{
	scribble();
	arch_set_ip(&r, 0x555555554abc);
	ck_assert_uint_eq(arch_ip(&r), 0x555555554abc);
}
END_TEST

START_TEST(inject_setup)
{
	const uint64_t in[6] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
	uint64_t out[6];

	scribble();
	arch_inject_setup(&r, 39, in);
	ck_assert_uint_eq(arch_ip(&r), ARCH_STUB_TRAMPOLINE);
	ck_assert_uint_eq(injected_nr(), 39);
	/* As the trampoline's syscall-entry stop shows them. */
	arch_syscall_entered(&r);
	arch_syscall_args(&r, out);
	for (int i = 0; i < 6; i++)
		ck_assert_uint_eq(out[i], in[i]);
	arch_syscall_set_return(&r, -ENOENT);
	ck_assert_int_eq(arch_inject_result(&r), -ENOENT);
	arch_syscall_set_return(&r, 0x7f0012345000);
	ck_assert_int_eq(arch_inject_result(&r), 0x7f0012345000);
}
END_TEST

START_TEST(set_return_round_trip)
{
	static const long values[] = { 0, 1, -1, -EINTR, -4095, 0x7fffffffffffffffL, 42 };

	scribble();
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		arch_syscall_set_return(&r, values[i]);
		ck_assert_int_eq(arch_inject_result(&r), values[i]);
	}
}
END_TEST

START_TEST(tls_round_trip)
{
	scribble();
	arch_set_tls(&r, 0x7f1234567800);
	ck_assert_uint_eq(arch_tls(&r), 0x7f1234567800);
	arch_set_tls(&r, 0);
	ck_assert_uint_eq(arch_tls(&r), 0);
}
END_TEST

/* arch/x86/include/uapi/asm/prctl.h */
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

#if defined(__x86_64__)
START_TEST(prctl_fs_gs)
{
	uint64_t v;

	scribble();
	v = 0x7f0000001000;
	ck_assert_int_eq(arch_prctl_op(&r, ARCH_SET_FS, &v), 0);
	ck_assert_uint_eq(arch_tls(&r), 0x7f0000001000);
	v = 0;
	ck_assert_int_eq(arch_prctl_op(&r, ARCH_GET_FS, &v), 1);
	ck_assert_uint_eq(v, 0x7f0000001000);

	/* gs is its own register, not the thread pointer. */
	v = 0x7f0000002000;
	ck_assert_int_eq(arch_prctl_op(&r, ARCH_SET_GS, &v), 0);
	v = 0;
	ck_assert_int_eq(arch_prctl_op(&r, ARCH_GET_GS, &v), 1);
	ck_assert_uint_eq(v, 0x7f0000002000);
	ck_assert_uint_eq(arch_tls(&r), 0x7f0000001000);

	arch_set_tls(&r, 0x1000);
	ck_assert_int_eq(arch_prctl_op(&r, ARCH_GET_FS, &v), 1);
	ck_assert_uint_eq(v, 0x1000);
}
END_TEST

/* do_arch_prctl_64(): bases at or above TASK_SIZE_MAX are -EPERM. */
START_TEST(prctl_errors)
{
	uint64_t v;

	scribble();
	arch_set_tls(&r, 0x5000);
	v = ARCH_TASK_SIZE;
	ck_assert_int_eq(arch_prctl_op(&r, ARCH_SET_FS, &v), -EPERM);
	v = UINT64_MAX;
	ck_assert_int_eq(arch_prctl_op(&r, ARCH_SET_FS, &v), -EPERM);
	ck_assert_int_eq(arch_prctl_op(&r, ARCH_SET_GS, &v), -EPERM);
	ck_assert_uint_eq(arch_tls(&r), 0x5000);
	v = ARCH_TASK_SIZE - 1;
	ck_assert_int_eq(arch_prctl_op(&r, ARCH_SET_FS, &v), 0);
	ck_assert_uint_eq(arch_tls(&r), ARCH_TASK_SIZE - 1);

	v = 0x1000;
	ck_assert_int_eq(arch_prctl_op(&r, 0, &v), -EINVAL);
	ck_assert_int_eq(arch_prctl_op(&r, 0x1000, &v), -EINVAL);
	ck_assert_int_eq(arch_prctl_op(&r, 0x9999, &v), -EINVAL);
}
END_TEST

static void set_orig_nr(long nr)
{
	r.gpr.orig_rax = (unsigned long long)nr;
}

START_TEST(classify_x86_64)
{
	static const uint8_t int80[2] = { 0xcd, 0x80 };
	static const uint8_t syscall[2] = { 0x0f, 0x05 };

	scribble();
	set_orig_nr(39);
	ck_assert_int_eq(arch_syscall_classify(&r, int80, 1), ARCH_SYSCALL_COMPAT);
	ck_assert_int_eq(arch_syscall_classify(&r, syscall, 1), ARCH_SYSCALL_NATIVE);
	/* Unreadable bytes prove nothing: not taken as int $0x80. */
	ck_assert_int_eq(arch_syscall_classify(&r, int80, 0), ARCH_SYSCALL_NATIVE);
	set_orig_nr(39 | 0x40000000);
	ck_assert_int_eq(arch_syscall_classify(&r, syscall, 1), ARCH_SYSCALL_X32);
	ck_assert_int_eq(arch_syscall_classify(&r, int80, 1), ARCH_SYSCALL_COMPAT);
	/* -1: no syscall at all, e.g. after a restart was cancelled. */
	set_orig_nr(-1);
	ck_assert_int_eq(arch_syscall_classify(&r, syscall, 1), ARCH_SYSCALL_NATIVE);
}
END_TEST
#else
START_TEST(prctl_absent)
{
	uint64_t v = 0x1000;

	scribble();
	ck_assert_int_eq(arch_prctl_op(&r, ARCH_SET_FS, &v), -EINVAL);
	ck_assert_int_eq(arch_prctl_op(&r, ARCH_GET_FS, &v), -EINVAL);
}
END_TEST

START_TEST(classify_native_only)
{
	static const uint8_t svc[2] = { 0x01, 0x00 };

	scribble();
	ck_assert_int_eq(arch_syscall_classify(&r, svc, 1), ARCH_SYSCALL_NATIVE);
	ck_assert_int_eq(arch_syscall_classify(&r, svc, 0), ARCH_SYSCALL_NATIVE);
}
END_TEST
#endif

/* The host's glibc struct stat is the kernel's on both arches, so it is an
 * independent check of the offsets. */
START_TEST(stat_layout)
{
	uint8_t out[256];
	struct stat st;
	int64_t size;
	const struct linux_kstat k = {
		.dev = 0x803, .ino = 0x123456789a, .mode = S_IFREG | 0640, .nlink = 3,
		.uid = 1000, .gid = 100, .rdev = 0x501, .size = 0x1122334455,
		.blksize = 4096, .blocks = 0x8899,
		.atime = { 1700000000, 111 }, .mtime = { 1700000001, 222 },
		.ctime = { 1700000002, 333 },
	};

	memset(out, 0xee, sizeof out);
	ck_assert_uint_eq(arch_stat_encode(&k, out), ARCH_STAT_SIZE);
	ck_assert_uint_eq(ARCH_STAT_SIZE, sizeof st);
	for (size_t i = ARCH_STAT_SIZE; i < sizeof out; i++)
		ck_assert_msg(out[i] == 0xee, "wrote past ARCH_STAT_SIZE at %zu", i);

	/* st_size at 48 in both arch/x86/include/uapi/asm/stat.h and
	 * include/uapi/asm-generic/stat.h. */
	memcpy(&size, out + 48, sizeof size);
	ck_assert_int_eq(size, 0x1122334455);

	memcpy(&st, out, sizeof st);
	ck_assert_uint_eq(st.st_dev, 0x803);
	ck_assert_uint_eq(st.st_ino, 0x123456789a);
	ck_assert_uint_eq(st.st_mode, S_IFREG | 0640);
	ck_assert_uint_eq(st.st_nlink, 3);
	ck_assert_uint_eq(st.st_uid, 1000);
	ck_assert_uint_eq(st.st_gid, 100);
	ck_assert_uint_eq(st.st_rdev, 0x501);
	ck_assert_int_eq(st.st_size, 0x1122334455);
	ck_assert_int_eq(st.st_blksize, 4096);
	ck_assert_int_eq(st.st_blocks, 0x8899);
	ck_assert_int_eq(st.st_atim.tv_sec, 1700000000);
	ck_assert_int_eq(st.st_atim.tv_nsec, 111);
	ck_assert_int_eq(st.st_mtim.tv_sec, 1700000001);
	ck_assert_int_eq(st.st_mtim.tv_nsec, 222);
	ck_assert_int_eq(st.st_ctim.tv_sec, 1700000002);
	ck_assert_int_eq(st.st_ctim.tv_nsec, 333);
}
END_TEST

START_TEST(regsets)
{
	ck_assert_uint_ge(arch_nregsets, 1);
	ck_assert_int_eq(arch_regsets[0].type, NT_PRSTATUS);
	ck_assert_uint_gt(arch_regsets[0].size, 0);
	for (unsigned int i = 0; i < arch_nregsets; i++) {
		const struct arch_regset *a = &arch_regsets[i];

		ck_assert_uint_gt(a->size, 0);
		ck_assert_uint_le(a->offset + a->size, sizeof(struct arch_regs));
		for (unsigned int j = 0; j < i; j++) {
			const struct arch_regset *b = &arch_regsets[j];

			ck_assert_int_ne(a->type, b->type);
			ck_assert_msg(a->offset >= b->offset + b->size ||
				      b->offset >= a->offset + a->size,
				      "regsets %u and %u overlap", j, i);
		}
	}
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("regs");
	TCase *regs = tcase_create("regs");
	TCase *abi = tcase_create("abi");

	tcase_add_test(regs, exec_regs_zero_the_rest);
	tcase_add_test(regs, set_ip);
	tcase_add_test(regs, syscall_nr_is_an_int);
	tcase_add_test(regs, inject_setup);
	tcase_add_test(regs, set_return_round_trip);
	tcase_add_test(regs, syscall_rollback);
	tcase_add_test(regs, sigreturn_trampoline);
	tcase_add_test(regs, untagged_addr);
	tcase_add_test(regs, tls_round_trip);
	tcase_add_test(regs, regsets);
	suite_add_tcase(s, regs);

#if defined(__x86_64__)
	tcase_add_test(abi, prctl_fs_gs);
	tcase_add_test(abi, prctl_errors);
	tcase_add_test(abi, classify_x86_64);
#else
	tcase_add_test(abi, prctl_absent);
	tcase_add_test(abi, classify_native_only);
#endif
	tcase_add_test(abi, stat_layout);
	suite_add_tcase(s, abi);
	return s;
}
