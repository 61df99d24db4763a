/* Signal frames through the arch contract alone (arch_sigframe_build,
 * arch_sigreturn_*): what holds on every arch. The bytes at Linux's offsets
 * are checked per arch in test_sigframe_ARCH.c. */
#include <check.h>

#include "tests/unit/unit.h"
#include "tests/unit/sigframe.h"

/* Every byte handed to the guest is decided, none left from the buffer. */
START_TEST(frame_fully_written)
{
	setup();
	ck_assert_int_eq(build(), 0);
	for (size_t i = 0; i < frame_len; i++)
		ck_assert_msg(frame[i] != 0xcc, "byte %zu of the frame left unwritten", i);
	in.sa_flags &= ~LINUX_SA_SIGINFO;
	ck_assert_int_eq(build(), 0);
	for (size_t i = 0; i < frame_len; i++)
		ck_assert_msg(frame[i] != 0xcc, "byte %zu of the frame left unwritten", i);
}
END_TEST

START_TEST(handler_entry)
{
	setup();
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_eq(arch_ip(&hand), HANDLER);
	ck_assert_uint_eq(arch_sp(&hand), frame_addr);
	ck_assert_uint_eq(arch_tls(&hand), arch_tls(&orig));
	/* In place too. */
	back = orig;
	ck_assert_int_eq(arch_sigframe_build(&back, &in, frame, sizeof frame, &frame_addr,
					     &frame_len, &back), 0);
	ck_assert_uint_eq(arch_ip(&back), HANDLER);
	ck_assert_int_eq(memcmp(&back.gpr, &hand.gpr, sizeof back.gpr), 0);
}
END_TEST

START_TEST(bad_buffer_and_state)
{
	setup();
	ck_assert_int_eq(arch_sigframe_build(&orig, &in, frame, 64, &frame_addr, &frame_len,
					     &hand), -ENOSPC);
	orig.fp_valid = false;
	ck_assert_int_eq(build(), -ENODATA);
}
END_TEST

START_TEST(round_trip)
{
	linux_sigset_t mask;
	struct linux_stack ss;

	setup();
	ck_assert_int_eq(build(), 0);
	handler_returns();
	ck_assert_int_eq(do_sigreturn(&mask, &ss), 0);
	ck_assert_uint_eq(mask, in.saved_mask);
	ck_assert_int_eq(memcmp(&ss, &in.altstack, sizeof ss), 0);
	ck_assert_uint_eq(arch_ip(&back), arch_ip(&orig));
	ck_assert_uint_eq(arch_sp(&back), arch_sp(&orig));
	ck_assert_int_eq(arch_inject_result(&back), arch_inject_result(&orig));
	ck_assert(arch_regs_complete(&back));
}
END_TEST

START_TEST(mask_drops_kill_and_stop)
{
	linux_sigset_t mask;
	struct linux_stack ss;

	setup();
	in.saved_mask = ~0ULL;
	ck_assert_int_eq(build(), 0);
	handler_returns();
	ck_assert_int_eq(do_sigreturn(&mask, &ss), 0);
	ck_assert_uint_eq(mask, ~LINUX_SIG_UNBLOCKABLE);
	ck_assert_uint_eq(mask & (1ULL << 8), 0);  /* SIGKILL */
	ck_assert_uint_eq(mask & (1ULL << 18), 0); /* SIGSTOP */
}
END_TEST

/* The alternate stack: taken under SA_ONSTACK, copied to uc_stack. */
START_TEST(altstack_taken)
{
	linux_sigset_t mask;
	struct linux_stack ss;

	setup();
	in.sa_flags |= LINUX_SA_ONSTACK;
	in.altstack.ss_sp = 0x7f0000100000ULL;
	in.altstack.ss_size = 0x10000;
	in.altstack.ss_flags = (int32_t)LINUX_SS_AUTODISARM;
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_gt(frame_addr, in.altstack.ss_sp);
	ck_assert_uint_le(frame_addr + frame_len, in.altstack.ss_sp + in.altstack.ss_size);
	ck_assert_uint_ge(frame_addr + frame_len, in.altstack.ss_sp + in.altstack.ss_size - 64);
	handler_returns();
	ck_assert_int_eq(do_sigreturn(&mask, &ss), 0);
	ck_assert_uint_eq(ss.ss_sp, in.altstack.ss_sp);
	ck_assert_uint_eq(ss.ss_size, in.altstack.ss_size);
	ck_assert_int_eq(ss.ss_flags, (int32_t)LINUX_SS_AUTODISARM);

	/* Without SA_ONSTACK, or with the stack disabled: the thread's. */
	in.sa_flags &= ~LINUX_SA_ONSTACK;
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_lt(frame_addr, STACK_SP);
	ck_assert_uint_gt(frame_addr, STACK_SP - 0x4000);
	in.sa_flags |= LINUX_SA_ONSTACK;
	in.altstack.ss_size = 0;
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_lt(frame_addr, STACK_SP);
}
END_TEST

/* Already on the alternate stack: the frame goes below the current sp. */
START_TEST(altstack_nested)
{
	setup();
	in.sa_flags |= LINUX_SA_ONSTACK;
	in.altstack.ss_sp = STACK_SP - 0x8000;
	in.altstack.ss_size = 0x10000;
	in.altstack.ss_flags = 0;
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_lt(frame_addr + frame_len, STACK_SP);
	ck_assert_uint_gt(frame_addr, in.altstack.ss_sp);
}
END_TEST

START_TEST(frame_outside_user_space)
{
	setup();
#if defined(__x86_64__)
	orig.gpr.rsp = 0x100;
#elif defined(__aarch64__)
	orig.gpr.sp = 0x100;
#endif
	ck_assert_int_eq(build(), -EFAULT);
	setup();
#if defined(__x86_64__)
	orig.gpr.rsp = ARCH_TASK_SIZE + 0x10000;
#elif defined(__aarch64__)
	orig.gpr.sp = ARCH_TASK_SIZE + 0x10000;
#endif
	ck_assert_int_eq(build(), -EFAULT);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("sigframe");
	TCase *tc = tcase_create("sigframe");

	tcase_add_test(tc, frame_fully_written);
	tcase_add_test(tc, handler_entry);
	tcase_add_test(tc, bad_buffer_and_state);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, mask_drops_kill_and_stop);
	tcase_add_test(tc, altstack_taken);
	tcase_add_test(tc, altstack_nested);
	tcase_add_test(tc, frame_outside_user_space);
	suite_add_tcase(s, tc);
	return s;
}
