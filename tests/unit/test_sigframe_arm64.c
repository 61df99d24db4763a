/* arm64 signal frames checked at the offsets of Linux's struct rt_sigframe
 * (arch/arm64/kernel/signal.c, uapi/asm/sigcontext.h and ucontext.h: siginfo
 * 0, ucontext 128, uc_sigmask 168, uc_mcontext 304 with __reserved at 592,
 * 4688 bytes, then the frame record), and rt_sigreturn's checks of sp,
 * pstate and the records. */
#include <check.h>

#include "tests/unit/unit.h"
#include "tests/unit/sigframe.h"

#define UC 128
#define UC_STACK 144
#define SIGMASK 168
#define MC 304 /* fault_address, then x0-x30, sp, pc, pstate */
#define MC_X(n) (MC + 8 + 8 * (n))
#define MC_SP (MC + 256)
#define MC_PC (MC + 264)
#define MC_PSTATE (MC + 272)
#define RES 592
#define FPSIMD_SIZE 528
#define V(n) (RES + 16 + 16 * (n))
#define FRAME_SIZE 4688

#define FPSIMD_MAGIC_ 0x46508001u
#define ESR_MAGIC_ 0x45535201u
#define EXTRA_MAGIC_ 0x45585401u
#define SVE_MAGIC_ 0x53564501u
#define PSR_TCO (1ULL << 25)

START_TEST(frame_layout)
{
	setup();
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_eq(frame_addr % 16, 0);
	ck_assert_uint_eq(frame_len, FRAME_SIZE + 16);
	ck_assert_uint_le(frame_addr + frame_len, STACK_SP);
	ck_assert_uint_gt(frame_addr + frame_len, STACK_SP - 16);
	ck_assert_int_eq(rd32(0), 11);
	ck_assert_uint_eq(rd64(16), FAULT_ADDR);
	for (int i = LINUX_SIGINFO_KERNEL_SIZE; i < LINUX_SIGINFO_SIZE; i++)
		ck_assert_uint_eq(frame[i], 0);
	ck_assert_uint_eq(rd64(UC), 0);
	ck_assert_uint_eq(rd64(UC + 8), 0);
	ck_assert_uint_eq(rd32(UC_STACK + 8), LINUX_SS_DISABLE);
	ck_assert_uint_eq(rd64(SIGMASK), in.saved_mask);
	ck_assert_uint_eq(rd64(MC), FAULT_ADDR);
	for (int i = 0; i < 31; i++)
		ck_assert_uint_eq(rd64(MC_X(i)), orig.gpr.regs[i]);
	ck_assert_uint_eq(rd64(MC_SP), STACK_SP);
	ck_assert_uint_eq(rd64(MC_PC), 0x401234);
	ck_assert_uint_eq(rd64(MC_PSTATE), 0x80001000);
	ck_assert_uint_eq(rd32(RES), FPSIMD_MAGIC_);
	ck_assert_uint_eq(rd32(RES + 4), FPSIMD_SIZE);
	ck_assert_uint_eq(rd32(RES + 8), orig.fp.fpsr);
	ck_assert_uint_eq(rd32(RES + 12), orig.fp.fpcr);
	ck_assert_int_eq(memcmp(frame + V(0), orig.fp.vregs, 512), 0);
	/* The fault's ESR, then the terminator and nothing after it. */
	ck_assert_uint_eq(rd32(RES + FPSIMD_SIZE), ESR_MAGIC_);
	ck_assert_uint_eq(rd32(RES + FPSIMD_SIZE + 4), 16);
	ck_assert_uint_eq(rd64(RES + FPSIMD_SIZE + 8), FAULT_CODE);
	for (int i = RES + FPSIMD_SIZE + 16; i < FRAME_SIZE; i++)
		ck_assert_uint_eq(frame[i], 0);
	/* The frame record: the interrupted fp and lr. */
	ck_assert_uint_eq(rd64(FRAME_SIZE), orig.gpr.regs[29]);
	ck_assert_uint_eq(rd64(FRAME_SIZE + 8), orig.gpr.regs[30]);

	in.fault_code = 0;
	ck_assert_int_eq(build(), 0);
	for (int i = RES + FPSIMD_SIZE; i < FRAME_SIZE; i++)
		ck_assert_uint_eq(frame[i], 0);
}
END_TEST

/* setup_return(): x0-x2 the arguments, x29 the frame record, x30 the
 * return, TCO off, BTYPE as a BLR leaves it where BTI exists. */
START_TEST(handler_regs)
{
	setup();
	orig.gpr.pstate |= PSR_TCO;
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_eq(hand.gpr.regs[0], 11);
	ck_assert_uint_eq(hand.gpr.regs[1], frame_addr);
	ck_assert_uint_eq(hand.gpr.regs[2], frame_addr + UC);
	ck_assert_uint_eq(hand.gpr.regs[29], frame_addr + FRAME_SIZE);
	ck_assert_uint_eq(hand.gpr.regs[30], RESTORER);
	ck_assert_uint_eq(hand.gpr.sp, frame_addr);
	ck_assert_uint_eq(hand.gpr.pc, HANDLER);
	ck_assert_uint_eq(hand.gpr.regs[7], orig.gpr.regs[7]);
	ck_assert_uint_eq(hand.gpr.pstate & PSR_TCO, 0);
	ck_assert_uint_eq(rd64(MC_PSTATE) & PSR_TCO, PSR_TCO);
	ck_assert_uint_eq(hand.gpr.pstate & 0xc00, (arch_hwcap2() & (1UL << 17)) ? 0x800 : 0);
	ck_assert_int_eq(memcmp(&hand.fp, &orig.fp, sizeof hand.fp), 0);
	/* x1 and x2 only for SA_SIGINFO handlers. */
	in.sa_flags &= ~LINUX_SA_SIGINFO;
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_eq(hand.gpr.regs[1], orig.gpr.regs[1]);
	ck_assert_uint_eq(hand.gpr.regs[2], orig.gpr.regs[2]);
}
END_TEST

/* A handler's edits to x7, v5 and FPSR come back, x7 the frame's own. */
START_TEST(round_trip_edits)
{
	linux_sigset_t mask;
	struct linux_stack ss;

	setup();
	ck_assert_int_eq(build(), 0);
	wr64(MC_X(7), 0x7777777777777777ULL);
	memset(frame + V(5), 0x55, 16);
	wr32(RES + 8, 0x08000000);
	/* At rt_sigreturn's syscall stop x7 is unknown until the platform
	 * settles the thread (plat_regs_load_full). */
	handler_returns();
	back.x7_valid = false;
	ck_assert_int_eq(do_sigreturn(&mask, &ss), -ENODATA);
	handler_returns();
	back.gpr.regs[7] = 1;
	ck_assert_int_eq(do_sigreturn(&mask, &ss), 0);
	orig.gpr.regs[7] = 0x7777777777777777ULL;
	memset(&orig.fp.vregs[5], 0x55, 16);
	orig.fp.fpsr = 0x08000000;
	ck_assert_int_eq(memcmp(&back.gpr, &orig.gpr, sizeof back.gpr), 0);
	ck_assert_int_eq(memcmp(&back.fp, &orig.fp, sizeof back.fp), 0);
	ck_assert_uint_eq(back.tls, orig.tls);
}
END_TEST

START_TEST(misaligned_sp)
{
	uint64_t addr;
	size_t len;

	setup();
	ck_assert_int_eq(build(), 0);
	handler_returns();
	back.gpr.sp += 8;
	ck_assert_int_eq(arch_sigreturn_frame(&back, &addr, &len), -EFAULT);
}
END_TEST

/* valid_user_regs(): a pstate that is not EL0 AArch64 with DAIF clear is
 * refused and cut to its flags; bits a task cannot hold are dropped. */
START_TEST(pstate_checked)
{
	static const uint64_t refused[] = { 0x80000005, 0x10, 0x200, 0x100, 0x80, 0x40, 0x1 };
	linux_sigset_t mask;
	struct linux_stack ss;

	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		setup();
		ck_assert_int_eq(build(), 0);
		wr64(MC_PSTATE, refused[i]);
		handler_returns();
		ck_assert_msg(do_sigreturn(&mask, &ss) == -EINVAL, "pstate %#llx taken",
			      (unsigned long long)refused[i]);
		ck_assert_uint_eq(back.gpr.pstate, refused[i] & 0xf0000000);
	}
	setup();
	ck_assert_int_eq(build(), 0);
	/* PAN, SS, IL and a high bit dropped; SSBS, BTYPE, DIT and TCO kept. */
	wr64(MC_PSTATE, 0x80001000 | (1ULL << 22) | (1ULL << 21) | (1ULL << 20) | (1ULL << 40) |
			0xc00 | (1ULL << 24) | PSR_TCO);
	handler_returns();
	ck_assert_int_eq(do_sigreturn(&mask, &ss), 0);
	ck_assert_uint_eq(back.gpr.pstate, 0x80001000 | 0xc00 | (1ULL << 24) | PSR_TCO);
}
END_TEST

/* parse_user_sigframe(): what it refuses in __reserved. */
START_TEST(bad_records)
{
	static const struct {
		size_t off;
		uint32_t value;
	} bad[] = {
		{ RES, SVE_MAGIC_ },              /* a record of a feature umbra hides */
		{ RES, 0 },                       /* a terminator with a size */
		{ RES + 4, 512 },                 /* fpsimd_context of the wrong size */
		{ RES + 4, FPSIMD_SIZE + 8 },     /* the next record misaligned */
		{ RES + 4, 4 },                   /* smaller than its header */
		{ RES + 4, 8192 },                /* past __reserved */
		{ RES + FPSIMD_SIZE + 16, 0x12345678 }, /* unknown in place of the end */
		{ RES + FPSIMD_SIZE + 20, 16 },   /* a terminator with a size */
	};
	linux_sigset_t mask;
	struct linux_stack ss;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		setup();
		ck_assert_int_eq(build(), 0);
		wr32(bad[i].off, bad[i].value);
		handler_returns();
		ck_assert_msg(do_sigreturn(&mask, &ss) == -EINVAL, "case %zu taken", i);
		ck_assert_uint_eq(mask, in.saved_mask);
	}
	/* No fpsimd_context at all. */
	setup();
	ck_assert_int_eq(build(), 0);
	wr64(RES, 0);
	handler_returns();
	ck_assert_int_eq(do_sigreturn(&mask, &ss), -EINVAL);
	/* Twice the same record. */
	setup();
	in.fault_code = 0;
	ck_assert_int_eq(build(), 0);
	memcpy(frame + RES + FPSIMD_SIZE, frame + RES, FPSIMD_SIZE);
	handler_returns();
	ck_assert_int_eq(do_sigreturn(&mask, &ss), -EINVAL);
}
END_TEST

/* An extra_context moves the records after a terminator of their own; the
 * data must start right there. */
START_TEST(extra_context)
{
	linux_sigset_t mask;
	struct linux_stack ss;
	uint64_t addr, xaddr;
	size_t len, xlen;
	uint8_t fpsimd[FPSIMD_SIZE];

	setup();
	ck_assert_int_eq(build(), 0);
	memcpy(fpsimd, frame + RES, sizeof fpsimd);
	memset(fpsimd + 16, 0x3c, 16); /* v0 */
	memset(frame + RES, 0, 4096);
	wr32(RES, EXTRA_MAGIC_);
	wr32(RES + 4, 32);
	wr64(RES + 8, frame_addr + RES + 48);
	wr32(RES + 16, FPSIMD_SIZE + 16);
	memcpy(frame + RES + 48, fpsimd, sizeof fpsimd);
	handler_returns();
	ck_assert_int_eq(arch_sigreturn_frame(&back, &addr, &len), 0);
	arch_sigreturn_extra(&back, at(addr), &xaddr, &xlen);
	ck_assert_uint_eq(xaddr, frame_addr + RES + 48);
	ck_assert_uint_eq(xlen, FPSIMD_SIZE + 16);
	ck_assert_int_eq(arch_sigreturn_restore(&back, at(addr), NULL, 0, &mask, &ss), -EFAULT);
	handler_returns();
	ck_assert_int_eq(do_sigreturn(&mask, &ss), 0);
	ck_assert_int_eq(memcmp(&back.fp.vregs[0], fpsimd + 16, 16), 0);
	ck_assert_int_eq(memcmp(&back.fp.vregs[1], &orig.fp.vregs[1], 16), 0);

	/* Data elsewhere, or a second extra_context inside the first. */
	wr64(RES + 8, frame_addr + RES + 64);
	handler_returns();
	ck_assert_int_eq(do_sigreturn(&mask, &ss), -EINVAL);
	wr64(RES + 8, frame_addr + RES + 48);
	memcpy(frame + RES + 48 + FPSIMD_SIZE, frame + RES, 48);
	wr32(RES + 16, FPSIMD_SIZE + 64);
	wr64(RES + 48 + FPSIMD_SIZE + 8, frame_addr + RES + 48 + FPSIMD_SIZE + 48);
	handler_returns();
	ck_assert_int_eq(do_sigreturn(&mask, &ss), -EINVAL);
}
END_TEST

/* The host kernel's own frame (host_deliver). Its CPU may have SVE or SME,
 * whose records follow fpsimd_context (and esr_context) there: the rest
 * must match byte for byte. */
static uint8_t real[FRAME_SIZE + 16] __attribute__((aligned(16)));
static uint64_t real_addr;

static void catcher(int sig, siginfo_t *info, void *uc)
{
	(void)sig;
	(void)info;
	real_addr = (uint64_t)uc - UC;
	memcpy(real, (void *)real_addr, sizeof real);
}

static uint64_t real64(size_t off)
{
	uint64_t v;

	memcpy(&v, real + off, sizeof v);
	return v;
}

START_TEST(matches_the_host_kernel)
{
	size_t end = RES + FPSIMD_SIZE, diff;

	host_deliver(catcher);
	ck_assert_uint_ne(real_addr, 0);
	memcpy(orig.gpr.regs, real + MC_X(0), sizeof orig.gpr.regs);
	orig.gpr.sp = real64(MC_SP);
	orig.gpr.pc = real64(MC_PC);
	orig.gpr.pstate = real64(MC_PSTATE);
	orig.fp.fpsr = (uint32_t)real64(RES + 8);
	orig.fp.fpcr = (uint32_t)(real64(RES + 8) >> 32);
	memcpy(orig.fp.vregs, real + V(0), sizeof orig.fp.vregs);
	in.info = (const struct linux_siginfo *)real;
	in.saved_mask = real64(SIGMASK);
	in.fault_addr = real64(MC);
	in.fault_code = 0;
	if ((uint32_t)real64(end) == ESR_MAGIC_) {
		in.fault_code = real64(end + 8);
		end += 16;
	}
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_eq(frame_addr, real_addr);
	for (diff = 0; diff < end && frame[diff] == real[diff]; diff++)
		;
	ck_assert_msg(diff == end, "frame differs from the kernel's at byte %zu", diff);
	ck_assert_int_eq(memcmp(frame + FRAME_SIZE, real + FRAME_SIZE, 16), 0);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("sigframe_arm64");
	TCase *tc = tcase_create("sigframe_arm64");

	tcase_add_test(tc, matches_the_host_kernel);
	tcase_add_test(tc, frame_layout);
	tcase_add_test(tc, handler_regs);
	tcase_add_test(tc, round_trip_edits);
	tcase_add_test(tc, misaligned_sp);
	tcase_add_test(tc, pstate_checked);
	tcase_add_test(tc, bad_records);
	tcase_add_test(tc, extra_context);
	suite_add_tcase(s, tc);
	return s;
}
