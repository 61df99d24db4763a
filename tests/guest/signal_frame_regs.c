// SPDX-License-Identifier: Apache-2.0
/*
 * The registers in a handler's frame, both ways (arch/x86/kernel/signal_64.c,
 * arch/arm64/kernel/signal.c). Assembly (regs_<arch>.S) loads a known value
 * into every register, raises SIGUSR1 with a raw tgkill and, once the
 * handler has returned through rt_sigreturn, stores every register.
 *
 * The handler finds the interrupted values in its ucontext: the general
 * registers (the syscall's result in rax or x0), sp, the flags, the FP/SIMD
 * registers and FP control (x86_64: uc_mcontext.fpregs; arm64: the
 * fpsimd_context record, magic 0x46508001, in uc_mcontext.__reserved) and
 * the mask. It then changes some of them in the ucontext: x86_64 rbx and
 * r12-r15, arm64 x7 and x19-x28, two vector registers and the carry flag.
 * After rt_sigreturn the interrupted code sees exactly the handler's values
 * in those, and its own in every other register.
 */
#include "regs_layout.h"
#include "sig.h"

#include <stdint.h>
#include <ucontext.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

long regs_syscall(const uint64_t *in, uint64_t *out);

struct reg {
	int slot;
	const char *name;
};

#if defined(__x86_64__)

#define NR_SLOT SLOT_RAX
#define RET_SLOT SLOT_RAX
#define ARG0_SLOT SLOT_RDI
#define ARG1_SLOT SLOT_RSI
#define ARG2_SLOT SLOT_RDX
#define VEC_NAME "xmm"
/* CF PF AF ZF SF DF OF; bit 1 always reads one, IF is not ours. */
#define FLAGS_MASK 0xcd5UL
#define FLAGS_FIXED 0x202UL
#define CARRY 0x1UL

/* Every general register the helper loads (rcx and r11 the syscall
 * instruction clobbers; rax holds the number, then the result). */
static const struct reg gprs[] = {
	{ SLOT_RBX, "rbx" }, { SLOT_RDX, "rdx" }, { SLOT_RSI, "rsi" },
	{ SLOT_RDI, "rdi" }, { SLOT_RBP, "rbp" }, { SLOT_R8, "r8" },
	{ SLOT_R9, "r9" }, { SLOT_R10, "r10" }, { SLOT_R12, "r12" },
	{ SLOT_R13, "r13" }, { SLOT_R14, "r14" }, { SLOT_R15, "r15" },
};
/* ucontext gregs index of each slot above, and of the result. */
static const int greg_of[] = {
	[SLOT_RAX] = REG_RAX, [SLOT_RBX] = REG_RBX, [SLOT_RDX] = REG_RDX,
	[SLOT_RSI] = REG_RSI, [SLOT_RDI] = REG_RDI, [SLOT_RBP] = REG_RBP,
	[SLOT_R8] = REG_R8, [SLOT_R9] = REG_R9, [SLOT_R10] = REG_R10,
	[SLOT_R12] = REG_R12, [SLOT_R13] = REG_R13, [SLOT_R14] = REG_R14,
	[SLOT_R15] = REG_R15,
};
/* What the handler changes. */
static const int changed_gprs[] = { SLOT_RBX, SLOT_R12, SLOT_R13, SLOT_R14,
				    SLOT_R15 };
static const int changed_vecs[] = { 5, 15 };

static const struct reg fpctl[] = {
	{ SLOT_MXCSR, "mxcsr" }, { SLOT_FPCW, "x87 control word" },
};
#define MXCSR_PATTERN 0xffbfUL
#define MXCSR_DEFAULT 0x1f80UL
#define FPCW_PATTERN 0x0e7fUL
#define FPCW_DEFAULT 0x037fUL
static const uint64_t fpctl_mask[] = { 0xffffffff, 0xffff };

#elif defined(__aarch64__)

#define NR_SLOT 8
#define RET_SLOT 0
#define ARG0_SLOT 0
#define ARG1_SLOT 1
#define ARG2_SLOT 2
#define VEC_NAME "v"
#define FLAGS_MASK 0xf0000000UL		/* NZCV */
#define FLAGS_FIXED 0UL
#define CARRY 0x20000000UL

#define X(n) { n, "x" #n }
static const struct reg gprs[] = {
	X(1), X(2), X(3), X(4), X(5), X(6), X(7), X(8), X(9), X(10),
	X(11), X(12), X(13), X(14), X(15), X(16), X(17), X(18), X(19), X(20),
	X(21), X(22), X(23), X(24), X(25), X(26), X(27), X(28), X(29), X(30),
};
#undef X
static const int changed_gprs[] = { 7, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28 };
static const int changed_vecs[] = { 9, 31 };

static const struct reg fpctl[] = {
	{ SLOT_FPCR, "fpcr" }, { SLOT_FPSR, "fpsr" },
};
#define FPCR_PATTERN 0x03c00000UL
#define FPSR_PATTERN 0x0800009fUL
static const uint64_t fpctl_mask[] = { FPCR_PATTERN, FPSR_PATTERN };

/* arch/arm64/include/uapi/asm/sigcontext.h */
#define FPSIMD_MAGIC_NR 0x46508001u
struct fpsimd_record {
	uint32_t magic, size;
	uint32_t fpsr, fpcr;
	__uint128_t vregs[32];
};

#else
#error "guest tests are built for x86_64 and aarch64 only"
#endif

static uint64_t in[NSLOTS], out[NSLOTS], expect[NSLOTS];

/* What the handler saw, laid out as the helper's slots. */
static volatile uint64_t seen[NSLOTS];
static volatile uint64_t seen_ip, seen_sigmask;
static volatile int hits, seen_fp; /* seen_fp: the FP state was found */

static uint64_t pattern(unsigned int seed, unsigned int slot)
{
	uint64_t v = 0x0123456789abcdefULL * (seed * 131 + slot + 1);

	return v ^ ((uint64_t)slot << 56) ^ 0x8000000000000001ULL;
}

/* The handler's values: distinct from every loaded one. */
static uint64_t new_value(unsigned int slot)
{
	return pattern(1000, slot) ^ 0x5a5a5a5a00000000ULL;
}

#if defined(__x86_64__)

static void take_context(ucontext_t *uc)
{
	greg_t *g = uc->uc_mcontext.gregs;
	struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gprs); i++)
		seen[gprs[i].slot] = (uint64_t)g[greg_of[gprs[i].slot]];
	seen[RET_SLOT] = (uint64_t)g[REG_RAX];
	seen[SLOT_SP_BEFORE] = (uint64_t)g[REG_RSP];
	seen[SLOT_FLAGS] = (uint64_t)g[REG_EFL];
	seen_ip = (uint64_t)g[REG_RIP];
	if (!fp)
		return;
	seen_fp = 1;
	seen[SLOT_MXCSR] = fp->mxcsr;
	seen[SLOT_FPCW] = fp->cwd;
	for (i = 0; i < NVEC; i++) {
		uint64_t v[2];

		memcpy(v, fp->_xmm[i].element, sizeof(v));
		seen[SLOT_VEC + 2 * i] = v[0];
		seen[SLOT_VEC + 2 * i + 1] = v[1];
	}
}

static void change_context(ucontext_t *uc)
{
	greg_t *g = uc->uc_mcontext.gregs;
	struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;

	for (unsigned int i = 0; i < ARRAY_SIZE(changed_gprs); i++)
		g[greg_of[changed_gprs[i]]] = (greg_t)new_value(changed_gprs[i]);
	g[REG_EFL] ^= CARRY;
	for (unsigned int i = 0; fp && i < ARRAY_SIZE(changed_vecs); i++) {
		int n = changed_vecs[i];
		uint64_t v[2] = { new_value(SLOT_VEC + 2 * n),
				  new_value(SLOT_VEC + 2 * n + 1) };

		memcpy(fp->_xmm[n].element, v, sizeof(v));
	}
}

#else

static struct fpsimd_record *find_fpsimd(ucontext_t *uc)
{
	unsigned char *p = uc->uc_mcontext.__reserved;
	unsigned char *end = p + sizeof(uc->uc_mcontext.__reserved);

	while (p + 8 <= end) {
		uint32_t magic, size;

		memcpy(&magic, p, 4);
		memcpy(&size, p + 4, 4);
		if (magic == FPSIMD_MAGIC_NR)
			return (struct fpsimd_record *)p;
		if (!magic || size < 8)
			return NULL;
		p += size;
	}
	return NULL;
}

static void take_context(ucontext_t *uc)
{
	struct fpsimd_record *fp = find_fpsimd(uc);

	for (unsigned int i = 0; i < 31; i++)
		seen[i] = uc->uc_mcontext.regs[i];
	seen[SLOT_SP_BEFORE] = uc->uc_mcontext.sp;
	seen[SLOT_FLAGS] = uc->uc_mcontext.pstate;
	seen_ip = uc->uc_mcontext.pc;
	if (!fp)
		return;
	seen_fp = fp->size == sizeof(*fp);
	seen[SLOT_FPCR] = fp->fpcr;
	seen[SLOT_FPSR] = fp->fpsr;
	for (unsigned int i = 0; i < NVEC; i++) {
		uint64_t v[2];

		memcpy(v, &fp->vregs[i], sizeof(v));
		seen[SLOT_VEC + 2 * i] = v[0];
		seen[SLOT_VEC + 2 * i + 1] = v[1];
	}
}

static void change_context(ucontext_t *uc)
{
	struct fpsimd_record *fp = find_fpsimd(uc);

	for (unsigned int i = 0; i < ARRAY_SIZE(changed_gprs); i++)
		uc->uc_mcontext.regs[changed_gprs[i]] = new_value(changed_gprs[i]);
	uc->uc_mcontext.pstate ^= CARRY;
	for (unsigned int i = 0; fp && i < ARRAY_SIZE(changed_vecs); i++) {
		int n = changed_vecs[i];
		uint64_t v[2] = { new_value(SLOT_VEC + 2 * n),
				  new_value(SLOT_VEC + 2 * n + 1) };

		memcpy(&fp->vregs[n], v, sizeof(v));
	}
}

#endif

static void handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	(void)si;
	hits++;
	take_context(uc);
	seen_sigmask = sig_word(&uc->uc_sigmask);
	change_context(uc);
}

static void fill(unsigned int seed, int set)
{
	unsigned int i;

	for (i = 0; i < NSLOTS; i++)
		in[i] = pattern(seed, i);
	in[SLOT_FLAGS] = set ? FLAGS_MASK | FLAGS_FIXED : FLAGS_FIXED;
#if defined(__x86_64__)
	in[SLOT_MXCSR] = set ? MXCSR_PATTERN : MXCSR_DEFAULT;
	in[SLOT_FPCW] = set ? FPCW_PATTERN : FPCW_DEFAULT;
#else
	in[SLOT_FPCR] = set ? FPCR_PATTERN : 0;
	in[SLOT_FPSR] = set ? FPSR_PATTERN : 0;
#endif
	in[NR_SLOT] = SYS_tgkill;
	in[ARG0_SLOT] = (uint64_t)getpid();
	in[ARG1_SLOT] = (uint64_t)gettid();
	in[ARG2_SLOT] = SIGUSR1;
}

static void check_reg(const char *what, const char *name, uint64_t expected,
		      uint64_t got)
{
	if (expected != got)
		fail("%s: %s: expected 0x%016llx got 0x%016llx", what, name,
		     (unsigned long long)expected, (unsigned long long)got);
}

static void check_vec(const char *what, unsigned int n, const uint64_t *a,
		      const volatile uint64_t *b)
{
	if (a[0] != b[0] || a[1] != b[1])
		fail("%s: %s%u: expected %016llx%016llx got %016llx%016llx",
		     what, VEC_NAME, n, (unsigned long long)a[1],
		     (unsigned long long)a[0], (unsigned long long)b[1],
		     (unsigned long long)b[0]);
}

/* Registers against expected[]: the general ones, the result, sp (got's
 * SLOT_SP_BEFORE against sp), flags, FP control and vectors; fp says
 * whether got holds FP state at all. */
static void compare(const char *what, const uint64_t *expected,
		    const volatile uint64_t *got, uint64_t sp, int fp)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gprs); i++)
		check_reg(what, gprs[i].name, expected[gprs[i].slot],
			  got[gprs[i].slot]);
	check_reg(what, "the syscall's result", 0, got[RET_SLOT]);
	check_reg(what, "sp", sp, got[SLOT_SP_BEFORE]);
	check_reg(what, "flags", expected[SLOT_FLAGS] & FLAGS_MASK,
		  got[SLOT_FLAGS] & FLAGS_MASK);
	if (!fp) {
		fail("%s: the FP/SIMD state: expected it in the ucontext got none",
		     what);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(fpctl); i++)
		check_reg(what, fpctl[i].name,
			  expected[fpctl[i].slot] & fpctl_mask[i],
			  got[fpctl[i].slot] & fpctl_mask[i]);
	for (i = 0; i < NVEC; i++)
		check_vec(what, i, expected + SLOT_VEC + 2 * i,
			  got + SLOT_VEC + 2 * i);
}

static void run_case(unsigned int seed, int set)
{
	uint64_t ip_lo = (uint64_t)(uintptr_t)regs_syscall;
	char what[96];
	unsigned int i;
	long r;

	fill(seed, set);
	memset(out, 0, sizeof(out));
	for (i = 0; i < NSLOTS; i++)
		seen[i] = 0;
	hits = seen_fp = 0;
	seen_ip = 0;
	seen_sigmask = ~0ULL;
	r = regs_syscall(in, out);

	check_long("the handler runs once", 1, hits);
	check_long("tgkill's result", 0, r);
	if (hits != 1)
		return;

	snprintf(what, sizeof(what), "in the handler's ucontext (seed %u, flags %s)",
		 seed, set ? "set" : "clear");
	compare(what, in, seen, out[SLOT_SP_BEFORE], seen_fp);
	if (seen_ip <= ip_lo || seen_ip >= ip_lo + 4096)
		fail("%s: the instruction pointer: expected just after the syscall in regs_syscall (%#llx) got %#llx",
		     what, (unsigned long long)ip_lo,
		     (unsigned long long)seen_ip);
	check_sigs("the mask in the ucontext", 0, seen_sigmask);

	memcpy(expect, in, sizeof(expect));
	for (i = 0; i < ARRAY_SIZE(changed_gprs); i++)
		expect[changed_gprs[i]] = new_value(changed_gprs[i]);
	for (i = 0; i < ARRAY_SIZE(changed_vecs); i++) {
		int n = changed_vecs[i];

		expect[SLOT_VEC + 2 * n] = new_value(SLOT_VEC + 2 * n);
		expect[SLOT_VEC + 2 * n + 1] = new_value(SLOT_VEC + 2 * n + 1);
	}
	expect[SLOT_FLAGS] ^= CARRY;
	snprintf(what, sizeof(what), "after rt_sigreturn (seed %u, flags %s)",
		 seed, set ? "set" : "clear");
	compare(what, expect, out, out[SLOT_SP_AFTER], 1);
	check_sigs("the mask after rt_sigreturn", 0, sig_mask_now());
}

int main(void)
{
	proc_default_signals();
	if (!sig_install("SIGUSR1", SIGUSR1, handler, 0, NULL))
		return check_exit("signal_frame_regs");
	for (unsigned int seed = 0; seed < 4; seed++)
		run_case(seed, seed & 1);
	sig_default(SIGUSR1);
	printf("signal_frame_regs: done\n");
	return check_exit("signal_frame_regs");
}
