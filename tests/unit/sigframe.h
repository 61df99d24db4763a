/* What the signal frame suites share: a thread's registers with every field
 * distinct, a delivery to build from, and rt_sigreturn over the built bytes. */
#ifndef UMBRA_TESTS_UNIT_SIGFRAME_H
#define UMBRA_TESTS_UNIT_SIGFRAME_H

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "arch/arch.h"

/* The interrupted thread, the handler's registers, the registers at the
 * handler's rt_sigreturn. */
static struct arch_regs orig, hand, back;
static uint8_t frame[ARCH_SIGFRAME_MAX];
static uint64_t frame_addr;
static size_t frame_len;
static struct linux_siginfo si;
static struct arch_sigframe_info in;

#define HANDLER 0x401000ULL
#define RESTORER 0x7f0000001230ULL
#define STACK_SP 0x7ffffffde0a8ULL /* not 16-aligned, as a leaf may leave it */
#define FAULT_ADDR 0xdead000ULL
#define FAULT_CODE 0x92000047ULL   /* an arm64 data abort's ESR; any x86_64 err */
#define FAULT_TRAPNO 14ULL         /* x86_64 #PF */

static inline uint64_t rd64(size_t off)
{
	uint64_t v;

	memcpy(&v, frame + off, sizeof v);
	return v;
}

static inline uint32_t rd32(size_t off)
{
	uint32_t v;

	memcpy(&v, frame + off, sizeof v);
	return v;
}

static inline void wr64(size_t off, uint64_t v)
{
	memcpy(frame + off, &v, sizeof v);
}

static inline void wr32(size_t off, uint32_t v)
{
	memcpy(frame + off, &v, sizeof v);
}

#if defined(__x86_64__)
static inline void setup_regs(void)
{
	struct user_regs_struct *g = &orig.gpr;
	unsigned long long *words = (unsigned long long *)g;

	memset(&orig, 0, sizeof orig);
	arch_exec_regs(&orig, 0, 0); /* a valid FP image in its init state */
	for (size_t i = 0; i < sizeof *g / sizeof *words; i++)
		words[i] = 0x1000000000000001ULL * (i + 1);
	g->rsp = STACK_SP;
	g->rip = 0x401234;
	g->cs = X86_USER_CS;
	g->ss = X86_USER_DS;
	g->ds = g->es = g->fs = g->gs = 0;
	g->eflags = 0x646; /* IF, ZF, PF and DF, which a handler starts without */
	orig.fp.cwd = 0x27f;
	orig.fp.mxcsr = 0x3f80;
	for (int i = 0; i < 64; i++)
		orig.fp.xmm_space[i] = 0xa0000000u + (unsigned int)i;
	for (int i = 0; i < 32; i++)
		orig.fp.st_space[i] = 0xb0000000u + (unsigned int)i;
}
#elif defined(__aarch64__)
static inline void setup_regs(void)
{
	struct user_regs_struct *g = &orig.gpr;

	memset(&orig, 0, sizeof orig);
	for (int i = 0; i < 31; i++)
		g->regs[i] = 0x1000000000000001ULL * (uint64_t)(i + 1);
	g->sp = STACK_SP;
	g->pc = 0x401234;
	g->pstate = 0x80001000; /* N and SSBS */
	for (int i = 0; i < 32; i++)
		orig.fp.vregs[i] = ((__uint128_t)0xc0000000u + (unsigned int)i) << 64 | (unsigned int)i;
	orig.fp.fpsr = 0x08000010;
	orig.fp.fpcr = 0x01000000;
	orig.tls = 0x7f0000123400;
	orig.orig_x0 = 5;
	orig.x7_valid = true;
	orig.fp_valid = true;
}
#endif

/* A SIGSEGV-like delivery with SA_SIGINFO, on the thread's own stack. */
static inline void setup(void)
{
	memset(&si, 0, sizeof si);
	si.si_signo = 11;
	si.si_code = 1;
	si.u.fault.addr = FAULT_ADDR;
	memset(si.u.raw + 40, 0xff, sizeof si.u.raw - 40); /* past kernel_siginfo */
	memset(&in, 0, sizeof in);
	in.signo = 11;
	in.info = &si;
	in.sa_flags = LINUX_SA_SIGINFO | LINUX_SA_RESTORER;
	in.handler = HANDLER;
	in.restorer = RESTORER;
	in.saved_mask = 0x8000000000002003ULL; /* neither SIGKILL nor SIGSTOP */
	in.altstack.ss_flags = LINUX_SS_DISABLE;
	in.fault_addr = FAULT_ADDR;
	in.fault_code = FAULT_CODE;
	in.fault_trapno = FAULT_TRAPNO;
	setup_regs();
}

static inline int build(void)
{
	memset(frame, 0xcc, sizeof frame);
	return arch_sigframe_build(&orig, &in, frame, sizeof frame, &frame_addr, &frame_len,
				   &hand);
}

/* Where a guest address of the frame lies in the buffer. */
static inline void *at(uint64_t addr)
{
	ck_assert_uint_ge(addr, frame_addr);
	ck_assert_uint_le(addr, frame_addr + frame_len);
	return frame + (addr - frame_addr);
}

/* The registers as the handler leaves them for rt_sigreturn: x86_64's ret
 * has popped the restorer's address, arm64's trampoline keeps sp. */
static inline void handler_returns(void)
{
	back = hand;
#if defined(__x86_64__)
	back.gpr.rsp = frame_addr + 8;
#endif
}

/* rt_sigreturn from back's registers, reading what the frame names. */
static inline int do_sigreturn(linux_sigset_t *mask, struct linux_stack *ss)
{
	uint64_t addr, xaddr;
	size_t len, xlen;
	int err = arch_sigreturn_frame(&back, &addr, &len);

	if (err)
		return err;
	ck_assert_uint_le(addr - frame_addr + len, frame_len);
	arch_sigreturn_extra(&back, at(addr), &xaddr, &xlen);
	return arch_sigreturn_restore(&back, at(addr), xlen ? at(xaddr) : NULL, xlen, mask, ss);
}

/* The host kernel's own frame: SIGUSR1 delivered onto a zeroed alternate
 * stack, so that the bytes Linux leaves unwritten read as umbra's zeros;
 * catcher copies the frame out. Then `in` describes the same delivery but
 * for what the frame alone tells (siginfo, mask, fault). */
static inline void host_deliver(void (*catcher)(int, siginfo_t *, void *))
{
	static uint8_t altstack[65536] __attribute__((aligned(64)));
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	stack_t off = { .ss_flags = SS_DISABLE };
	struct sigaction sa;

	memset(altstack, 0, sizeof altstack);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = catcher;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	ck_assert_int_eq(sigaltstack(&ss, NULL), 0);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	raise(SIGUSR1);
	ck_assert_int_eq(sigaltstack(&off, NULL), 0);

	setup();
	in.signo = SIGUSR1;
	in.sa_flags = LINUX_SA_SIGINFO | LINUX_SA_ONSTACK;
	in.handler = (uint64_t)catcher;
	in.altstack.ss_sp = (uint64_t)altstack;
	in.altstack.ss_flags = 0;
	in.altstack.ss_size = sizeof altstack;
}

#endif
