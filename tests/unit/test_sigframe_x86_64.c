/* x86_64 signal frames checked at the offsets of Linux's struct rt_sigframe
 * (arch/x86/include/asm/sigframe.h, uapi/asm/sigcontext.h: pretcode 0,
 * ucontext 8 with uc_mcontext at 48 and uc_sigmask at 304, siginfo 312) and
 * of the XSAVE area that CPUID leaf 0xD describes; rt_sigreturn's rules for
 * flags, segments and a bad FP state (signal_64.c, fpu/signal.c). */
#include <check.h>

#include "tests/unit/unit.h"
#include "tests/unit/sigframe.h"
#include <cpuid.h>

#define UC 8
#define SC 48                     /* uc_mcontext */
#define SC_R12 (SC + 4 * 8)
#define SC_RAX (SC + 13 * 8)
#define SC_RSP (SC + 15 * 8)
#define SC_RIP (SC + 16 * 8)
#define SC_EFLAGS (SC + 17 * 8)
#define SC_CS (SC + 144)
#define SC_SS (SC + 150)
#define SC_ERR (SC + 152)
#define SC_FPSTATE (SC + 184)
#define SIGMASK 304
#define SIGINFO 312

#define FX_MXCSR 24
#define FX_XMM 160
#define FX_SW 464
#define XS_HEADER 512
#define MAGIC1 0x46505853u
#define MAGIC2 0x46505845u

static uint64_t xcr0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

/* Offset and size of a component in the standard format (CPUID 0xD). */
static uint32_t comp(int i, uint32_t *size)
{
	unsigned int a, b, c, d;

	__cpuid_count(0xd, i, a, b, c, d);
	*size = a;
	return b;
}

/* What Linux gives a task without AMX permission: XCR0 less tile data, and
 * the area up to the topmost of those components. */
static uint64_t user_features(void)
{
	return xcr0() & ~(1ULL << 18);
}

static uint32_t user_size(void)
{
	uint64_t f = user_features();
	int top = 63 - __builtin_clzll(f);
	uint32_t size, off = comp(top, &size);

	return top < 2 ? 576 : off + size;
}

static bool avx(void)
{
	return xcr0() & 4;
}

/* YMM0-15 upper halves with a pattern, marked in use. */
static void setup_avx(void)
{
	uint32_t size, off = comp(2, &size);
	uint64_t bv;

	if (!avx())
		return;
	for (uint32_t i = 0; i < size; i++)
		orig.xstate[off + i] = (uint8_t)(0x40 + i);
	memcpy(&bv, orig.xstate + XS_HEADER, 8);
	bv |= 4;
	memcpy(orig.xstate + XS_HEADER, &bv, 8);
}

static uint64_t fpstate(void)
{
	return rd64(SC_FPSTATE) - frame_addr;
}

START_TEST(frame_layout)
{
	uint64_t fp, bv;

	setup();
	setup_avx();
	ck_assert_int_eq(build(), 0);
	/* Entered as by a call: sp + 8 16-aligned; the red zone untouched. */
	ck_assert_uint_eq(frame_addr % 16, 8);
	ck_assert_uint_le(frame_addr + frame_len, STACK_SP - 128);
	ck_assert_uint_eq(rd64(0), RESTORER);
	ck_assert_uint_eq(rd64(UC), 0x7); /* FP_XSTATE, SIGCONTEXT_SS, STRICT_RESTORE_SS */
	ck_assert_uint_eq(rd64(UC + 8), 0);
	ck_assert_uint_eq(rd32(UC + 24), LINUX_SS_DISABLE);
	{
		/* sigcontext_64's order: r8-r15, di, si, bp, bx, dx, ax, cx. */
		const unsigned long long want[] = {
			orig.gpr.r8, orig.gpr.r9, orig.gpr.r10, orig.gpr.r11,
			orig.gpr.r12, orig.gpr.r13, orig.gpr.r14, orig.gpr.r15,
			orig.gpr.rdi, orig.gpr.rsi, orig.gpr.rbp, orig.gpr.rbx,
			orig.gpr.rdx, orig.gpr.rax, orig.gpr.rcx,
		};

		for (int i = 0; i < 15; i++)
			ck_assert_uint_eq(rd64(SC + 8 * i), want[i]);
	}
	ck_assert_uint_eq(rd64(SC_RSP), STACK_SP);
	ck_assert_uint_eq(rd64(SC_RIP), 0x401234);
	ck_assert_uint_eq(rd64(SC_EFLAGS), 0x646);
	ck_assert_uint_eq(rd64(SC_CS), 0x002b000000000033ULL); /* cs, gs 0, fs 0, ss */
	ck_assert_uint_eq(rd64(SC_ERR), FAULT_CODE);
	ck_assert_uint_eq(rd64(SC_ERR + 8), FAULT_TRAPNO);
	ck_assert_uint_eq(rd64(SC_ERR + 16), in.saved_mask); /* oldmask */
	ck_assert_uint_eq(rd64(SC_ERR + 24), FAULT_ADDR);    /* cr2 */
	ck_assert_uint_eq(rd64(SIGMASK), in.saved_mask);
	ck_assert_int_eq(rd32(SIGINFO), 11);
	ck_assert_int_eq(rd32(SIGINFO + 8), 1);
	ck_assert_uint_eq(rd64(SIGINFO + 16), FAULT_ADDR);
	for (int i = LINUX_SIGINFO_KERNEL_SIZE; i < LINUX_SIGINFO_SIZE; i++)
		ck_assert_uint_eq(frame[SIGINFO + i], 0);

	/* The XSAVE area: 64-aligned, last, described by its software bytes. */
	fp = fpstate();
	ck_assert_uint_eq(rd64(SC_FPSTATE) % 64, 0);
	ck_assert_uint_ge(fp, SIGINFO + LINUX_SIGINFO_SIZE);
	ck_assert_uint_eq(fp + user_size() + 4, frame_len);
	ck_assert_uint_eq(rd32(fp + FX_SW), MAGIC1);
	ck_assert_uint_eq(rd32(fp + FX_SW + 4), user_size() + 4);
	ck_assert_uint_eq(rd64(fp + FX_SW + 8), user_features());
	ck_assert_uint_eq(rd32(fp + FX_SW + 16), user_size());
	ck_assert_uint_eq(rd32(fp + user_size()), MAGIC2);
	bv = rd64(fp + XS_HEADER);
	ck_assert_uint_eq(bv & 3, 3);
	ck_assert_uint_eq(bv & ~user_features(), 0);
	ck_assert_uint_eq(rd64(fp + XS_HEADER + 8), 0);
	ck_assert_uint_eq(rd32(fp) & 0xffff, 0x27f);
	ck_assert_uint_eq(rd32(fp + FX_MXCSR), 0x3f80);
	ck_assert_int_eq(memcmp(frame + fp + FX_XMM, orig.fp.xmm_space, 256), 0);
	if (avx()) {
		uint32_t size, off = comp(2, &size);

		ck_assert_uint_eq(bv & 4, 4);
		ck_assert_int_eq(memcmp(frame + fp + off, orig.xstate + off, size), 0);
	}
}
END_TEST

/* handle_signal() and x64_setup_rt_frame(): arguments, a 64-bit context, DF
 * clear, and the FPU in its init state. */
START_TEST(handler_regs)
{
	uint16_t fcw;

	setup();
	setup_avx();
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_eq(hand.gpr.rdi, 11);
	ck_assert_uint_eq(hand.gpr.rsi, frame_addr + SIGINFO);
	ck_assert_uint_eq(hand.gpr.rdx, frame_addr + UC);
	ck_assert_uint_eq(hand.gpr.rax, 0);
	ck_assert_uint_eq(hand.gpr.rip, HANDLER);
	ck_assert_uint_eq(hand.gpr.rsp, frame_addr);
	ck_assert_uint_eq(hand.gpr.cs, 0x33);
	ck_assert_uint_eq(hand.gpr.ss, 0x2b);
	ck_assert_uint_eq(hand.gpr.eflags, 0x246);
	ck_assert_uint_eq(hand.gpr.r12, orig.gpr.r12);
	ck_assert_uint_eq(hand.gpr.fs_base, orig.gpr.fs_base);
	memcpy(&fcw, hand.xstate, 2);
	ck_assert_uint_eq(fcw, 0x37f);
	ck_assert_uint_eq(hand.fp.mxcsr, 0x1f80);
	for (int i = 0; i < 64; i++)
		ck_assert_uint_eq(hand.fp.xmm_space[i], 0);
	if (avx()) {
		uint32_t size, off = comp(2, &size);

		for (uint32_t i = 0; i < size; i++)
			ck_assert_uint_eq(hand.xstate[off + i], 0);
	}
	/* Without SA_SIGINFO rsi and rdx still point into the frame. */
	in.sa_flags &= ~LINUX_SA_SIGINFO;
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_eq(hand.gpr.rsi, frame_addr + SIGINFO);
	/* No vDSO to return through: SA_RESTORER is required. */
	in.sa_flags &= ~LINUX_SA_RESTORER;
	ck_assert_int_eq(build(), -EFAULT);
}
END_TEST

/* A handler's edits to r12-r15, xmm3, ymm3 and MXCSR come back. */
START_TEST(round_trip_edits)
{
	linux_sigset_t mask;
	struct linux_stack ss;
	uint32_t ysize = 0, yoff = 0;
	uint64_t fp;

	setup();
	setup_avx();
	ck_assert_int_eq(build(), 0);
	fp = fpstate();
	for (int i = 0; i < 4; i++)
		wr64(SC_R12 + 8 * i, 0x5151515100000000ULL + (uint64_t)i);
	memset(frame + fp + FX_XMM + 3 * 16, 0x77, 16);
	wr32(fp + FX_MXCSR, 0x7f80);
	if (avx()) {
		yoff = comp(2, &ysize);
		memset(frame + fp + yoff + 3 * 16, 0x99, 16);
	}
	handler_returns();
	back.gpr.rax = 15; /* __NR_rt_sigreturn */
	ck_assert_int_eq(do_sigreturn(&mask, &ss), 0);

	orig.gpr.r12 = 0x5151515100000000ULL;
	orig.gpr.r13 = 0x5151515100000001ULL;
	orig.gpr.r14 = 0x5151515100000002ULL;
	orig.gpr.r15 = 0x5151515100000003ULL;
	orig.gpr.orig_rax = (unsigned long long)-1;
	ck_assert_int_eq(memcmp(&back.gpr, &orig.gpr, sizeof back.gpr), 0);
	memset((uint8_t *)orig.fp.xmm_space + 3 * 16, 0x77, 16);
	orig.fp.mxcsr = 0x7f80;
	if (avx())
		memset(orig.xstate + yoff + 3 * 16, 0x99, 16);
	ck_assert_int_eq(memcmp(back.xstate, orig.xstate, user_size()), 0);
}
END_TEST

/* FIX_EFLAGS, CPL 3 selectors, SS repair for frames without
 * UC_STRICT_RESTORE_SS, and the return value. */
START_TEST(flags_and_segments)
{
	linux_sigset_t mask;
	struct linux_stack ss;

	setup();
	ck_assert_int_eq(build(), 0);
	wr64(SC_EFLAGS, ~0ULL);
	wr64(SC_RAX, 0x1234);
	frame[SC_CS] = 0x30;
	frame[SC_SS] = 0x28;
	handler_returns();
	back.gpr.eflags = 0x202;
	ck_assert_int_eq(do_sigreturn(&mask, &ss), 0);
	ck_assert_uint_eq(back.gpr.eflags, 0x202 | 0x50dd5);
	ck_assert_uint_eq(back.gpr.cs, 0x33);
	ck_assert_uint_eq(back.gpr.ss, 0x2b);
	ck_assert_int_eq(arch_inject_result(&back), 0x1234);

	/* A strict frame keeps any SS; an old one gets __USER_DS. */
	ck_assert_int_eq(build(), 0);
	frame[SC_SS] = 0x13;
	handler_returns();
	ck_assert_int_eq(do_sigreturn(&mask, &ss), 0);
	ck_assert_uint_eq(back.gpr.ss, 0x13);
	wr64(UC, 0x3);
	handler_returns();
	ck_assert_int_eq(do_sigreturn(&mask, &ss), 0);
	ck_assert_uint_eq(back.gpr.ss, 0x2b);
}
END_TEST

/* Bad magic: the area is taken for a legacy FXSAVE image, x87 and SSE
 * restored, the rest (and, where AVX is reset, MXCSR) back to init. */
static void check_fx_only(size_t magic_off)
{
	linux_sigset_t mask;
	struct linux_stack ss;
	uint64_t fp;

	setup();
	setup_avx();
	ck_assert_int_eq(build(), 0);
	fp = fpstate();
	memset(frame + fp + FX_XMM, 0x66, 16);
	wr32(fp + FX_MXCSR, 0x7f80);
	wr32(fp + (magic_off ? magic_off : user_size()), 0);
	handler_returns();
	ck_assert_int_eq(do_sigreturn(&mask, &ss), 0);
	ck_assert_uint_eq(back.fp.xmm_space[0], 0x66666666);
	ck_assert_uint_eq(back.fp.cwd, 0x27f);
	ck_assert_uint_eq(back.fp.mxcsr, avx() ? 0x1f80 : 0x7f80);
	if (avx()) {
		uint32_t size, off = comp(2, &size);

		for (uint32_t i = 0; i < size; i++)
			ck_assert_uint_eq(back.xstate[off + i], 0);
	}
}

START_TEST(bad_magic1_is_fx_only)
{
	check_fx_only(FX_SW);
}
END_TEST

START_TEST(bad_magic2_is_fx_only)
{
	check_fx_only(0);
}
END_TEST

/* What XRSTOR faults on, and what the frame cannot hold: SIGSEGV, with the
 * general registers already restored and the FPU reset. */
START_TEST(bad_fpstate_faults)
{
	static const struct {
		size_t off;     /* from the XSAVE area */
		uint64_t value;
		int width;
	} bad[] = {
		{ FX_MXCSR, 0x1f80 | (1u << 20), 4 },  /* reserved MXCSR bit */
		{ XS_HEADER + 8, 1ULL << 63, 8 },      /* compacted form */
		{ XS_HEADER + 16, 1, 8 },              /* reserved header bytes */
		{ XS_HEADER, 3 | (1ULL << 62), 8 },    /* a component XCR0 lacks */
	};
	linux_sigset_t mask;
	struct linux_stack ss;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		setup();
		ck_assert_int_eq(build(), 0);
		if (bad[i].width == 4)
			wr32(fpstate() + bad[i].off, (uint32_t)bad[i].value);
		else
			wr64(fpstate() + bad[i].off, bad[i].value);
		wr64(SC_R12, 0x4242);
		handler_returns();
		ck_assert_msg(do_sigreturn(&mask, &ss) == -EFAULT, "case %zu restored", i);
		ck_assert_uint_eq(back.gpr.r12, 0x4242);
		ck_assert_uint_eq(back.fp.cwd, 0x37f);
		ck_assert_uint_eq(back.fp.xmm_space[0], 0);
		ck_assert_uint_eq(mask, in.saved_mask);
	}
}
END_TEST

/* A frame naming components it has no room for is refused, not truncated. */
START_TEST(short_xstate_refused)
{
	linux_sigset_t mask;
	struct linux_stack ss;
	uint64_t fp;

	if (!avx())
		return;
	setup();
	ck_assert_int_eq(build(), 0);
	fp = fpstate();
	wr32(fp + FX_SW + 16, 576);
	wr32(fp + 576, MAGIC2);
	handler_returns();
	ck_assert_int_eq(do_sigreturn(&mask, &ss), -EFAULT);
	/* Naming only FP and SSE, 576 bytes are enough. */
	wr64(fp + FX_SW + 8, 3);
	handler_returns();
	ck_assert_int_eq(do_sigreturn(&mask, &ss), 0);
}
END_TEST

/* fpstate 0: the FPU's init state; unreadable: that and SIGSEGV. */
START_TEST(fpstate_absent_or_unreadable)
{
	linux_sigset_t mask;
	struct linux_stack ss;
	uint64_t addr, xaddr;
	size_t len, xlen;

	setup();
	ck_assert_int_eq(build(), 0);
	handler_returns();
	ck_assert_int_eq(arch_sigreturn_frame(&back, &addr, &len), 0);
	arch_sigreturn_extra(&back, at(addr), &xaddr, &xlen);
	ck_assert_uint_eq(xaddr, rd64(SC_FPSTATE));
	ck_assert_uint_eq(xlen, user_size() + 4);
	ck_assert_int_eq(arch_sigreturn_restore(&back, at(addr), NULL, 0, &mask, &ss), -EFAULT);
	ck_assert_uint_eq(back.fp.cwd, 0x37f);
	ck_assert_uint_eq(back.gpr.rip, orig.gpr.rip);

	wr64(SC_FPSTATE, 0);
	handler_returns();
	arch_sigreturn_extra(&back, at(addr), &xaddr, &xlen);
	ck_assert_uint_eq(xlen, 0);
	ck_assert_int_eq(do_sigreturn(&mask, &ss), 0);
	ck_assert_uint_eq(back.fp.cwd, 0x37f);
	ck_assert_uint_eq(back.fp.mxcsr, 0x1f80);
}
END_TEST

/* Nested on the alternate stack and out of room below: SIGSEGV. */
START_TEST(altstack_overflow)
{
	setup();
	in.sa_flags |= LINUX_SA_ONSTACK;
	in.altstack.ss_sp = STACK_SP - 0x200;
	in.altstack.ss_size = 0x1000;
	in.altstack.ss_flags = 0;
	ck_assert_int_eq(build(), -EFAULT);
	/* SS_AUTODISARM: never nested, so the frame starts again at the top. */
	in.altstack.ss_flags = (int32_t)LINUX_SS_AUTODISARM;
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_le(frame_addr + frame_len, in.altstack.ss_sp + in.altstack.ss_size);
}
END_TEST

/* The host kernel's own frame (host_deliver). */
static uint8_t real[ARCH_SIGFRAME_MAX] __attribute__((aligned(64)));
static uint64_t real_addr;
static size_t real_len;

static void catcher(int sig, siginfo_t *info, void *uc)
{
	uint8_t *f = (uint8_t *)uc - UC;
	uint64_t fp;
	uint32_t xsize;

	(void)sig;
	(void)info;
	memcpy(&fp, f + SC_FPSTATE, 8);
	memcpy(&xsize, (uint8_t *)fp + FX_SW + 16, 4);
	real_addr = (uint64_t)f;
	real_len = fp + xsize + 4 - real_addr;
	if (real_len <= sizeof real)
		memcpy(real, f, real_len);
}

static uint64_t real64(size_t off)
{
	uint64_t v;

	memcpy(&v, real + off, sizeof v);
	return v;
}

/* The registers the kernel saved, as ptrace would show them. */
static void regs_from_real(void)
{
	struct user_regs_struct *g = &orig.gpr;
	unsigned long long *dst[] = {
		&g->r8, &g->r9, &g->r10, &g->r11, &g->r12, &g->r13, &g->r14, &g->r15,
		&g->rdi, &g->rsi, &g->rbp, &g->rbx, &g->rdx, &g->rax, &g->rcx, &g->rsp,
		&g->rip, &g->eflags,
	};
	uint16_t seg[4];

	memset(&orig, 0, sizeof orig);
	for (size_t i = 0; i < sizeof dst / sizeof dst[0]; i++)
		*dst[i] = real64(SC + 8 * i);
	memcpy(seg, real + SC_CS, sizeof seg);
	g->cs = seg[0];
	g->ss = seg[3];
	memcpy(orig.xstate, real + (real64(SC_FPSTATE) - real_addr), user_size());
	orig.fp_valid = true;
}

START_TEST(matches_the_host_kernel)
{
	size_t diff;

	host_deliver(catcher);
	ck_assert_uint_gt(real_len, 0);
	ck_assert_uint_le(real_len, sizeof real);
	regs_from_real();
	in.info = (const struct linux_siginfo *)(real + SIGINFO);
	in.sa_flags |= LINUX_SA_RESTORER;
	in.restorer = real64(0);
	in.saved_mask = real64(SIGMASK);
	in.fault_code = real64(SC_ERR);
	in.fault_trapno = real64(SC_ERR + 8);
	in.fault_addr = real64(SC_ERR + 24);
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_eq(frame_addr, real_addr);
	ck_assert_uint_eq(frame_len, real_len);
	for (diff = 0; diff < real_len && frame[diff] == real[diff]; diff++)
		;
	ck_assert_msg(diff == real_len, "frame differs from the kernel's at byte %zu: %#x, not %#x",
		      diff, frame[diff], real[diff]);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("sigframe_x86_64");
	TCase *tc = tcase_create("sigframe_x86_64");

	tcase_add_test(tc, matches_the_host_kernel);
	tcase_add_test(tc, frame_layout);
	tcase_add_test(tc, handler_regs);
	tcase_add_test(tc, round_trip_edits);
	tcase_add_test(tc, flags_and_segments);
	tcase_add_test(tc, bad_magic1_is_fx_only);
	tcase_add_test(tc, bad_magic2_is_fx_only);
	tcase_add_test(tc, bad_fpstate_faults);
	tcase_add_test(tc, short_xstate_refused);
	tcase_add_test(tc, fpstate_absent_or_unreadable);
	tcase_add_test(tc, altstack_overflow);
	suite_add_tcase(s, tc);
	return s;
}
