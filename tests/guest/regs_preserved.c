// SPDX-License-Identifier: Apache-2.0
/*
 * Every register the syscall ABI preserves must come back unchanged: general
 * registers, sp, flags, FP/SIMD registers and FP control state, around a
 * served call (getpid), a call that writes memory (clock_gettime) and an
 * unknown one (ENOSYS). Exempt is only what the architecture clobbers: rcx
 * and r11 on x86_64 (the syscall instruction), and rax or x0, the result.
 * On arm64 this covers x7, which ptrace stops hide from a tracer, and x8,
 * which still holds the number afterwards.
 *
 * The loads and stores are in regs_<arch>.S.
 */
#include "check.h"
#include "regs_layout.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

long regs_syscall(const uint64_t *in, uint64_t *out);

struct reg {
	int slot;
	const char *name;
};

#if defined(__x86_64__)

#define NR_SLOT SLOT_RAX
#define ARG0_SLOT SLOT_RDI
#define ARG1_SLOT SLOT_RSI
#define VEC_NAME "xmm"
/* CF PF AF ZF SF DF OF; bit 1 always reads one, IF is not ours to change. */
#define FLAGS_MASK 0xcd5UL
#define FLAGS_FIXED 0x202UL

static const struct reg gprs[] = {
	{ SLOT_RBX, "rbx" }, { SLOT_RDX, "rdx" }, { SLOT_RSI, "rsi" },
	{ SLOT_RDI, "rdi" }, { SLOT_RBP, "rbp" }, { SLOT_R8, "r8" },
	{ SLOT_R9, "r9" }, { SLOT_R10, "r10" }, { SLOT_R12, "r12" },
	{ SLOT_R13, "r13" }, { SLOT_R14, "r14" }, { SLOT_R15, "r15" },
};

static const struct reg fpctl[] = {
	{ SLOT_MXCSR, "mxcsr" }, { SLOT_FPCW, "x87 control word" },
};
/* Rounding toward zero, FTZ, exceptions masked, status flags raised. */
#define MXCSR_PATTERN 0xffbfUL
#define MXCSR_DEFAULT 0x1f80UL
/* Rounding toward zero, 53-bit precision, exceptions masked. */
#define FPCW_PATTERN 0x0e7fUL
#define FPCW_DEFAULT 0x037fUL
static const uint64_t fpctl_mask[] = { 0xffffffff, 0xffff };

void regs_ymm_syscall(long nr, const void *in, void *out);
void regs_zmm_syscall(long nr, const void *in, void *out,
		      const uint16_t *kin, uint16_t *kout);

#elif defined(__aarch64__)

#define NR_SLOT 8
#define ARG0_SLOT 0
#define ARG1_SLOT 1
#define VEC_NAME "v"
#define FLAGS_MASK 0xf0000000UL		/* NZCV */
#define FLAGS_FIXED 0UL

#define X(n) { n, "x" #n }
static const struct reg gprs[] = {
	X(1), X(2), X(3), X(4), X(5), X(6), X(7), X(8), X(9), X(10),
	X(11), X(12), X(13), X(14), X(15), X(16), X(17), X(18), X(19), X(20),
	X(21), X(22), X(23), X(24), X(25), X(26), X(27), X(28), X(29), X(30),
};
#undef X

static const struct reg fpctl[] = {
	{ SLOT_FPCR, "fpcr" }, { SLOT_FPSR, "fpsr" },
};
/* Rounding toward zero, flush-to-zero, default NaN. */
#define FPCR_PATTERN 0x03c00000UL
/* Cumulative IOC DZC OFC UFC IXC IDC, and QC. */
#define FPSR_PATTERN 0x0800009fUL
static const uint64_t fpctl_mask[] = { FPCR_PATTERN, FPSR_PATTERN };

#else
#error "guest tests are built for x86_64 and aarch64 only"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t pattern(unsigned int seed, unsigned int slot)
{
	uint64_t v = 0x0123456789abcdefULL * (seed * 131 + slot + 1);

	/* Distinct per slot and seed, never 0 or ~0, high and low bits set. */
	return v ^ ((uint64_t)slot << 56) ^ 0x8000000000000001ULL;
}

static void fill(uint64_t *in, unsigned int seed, int set)
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
}

static void compare(const char *what, const uint64_t *in, const uint64_t *out)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gprs); i++) {
		int s = gprs[i].slot;

		if (in[s] != out[s])
			fail("%s: %s: expected 0x%016llx got 0x%016llx", what,
			     gprs[i].name, (unsigned long long)in[s],
			     (unsigned long long)out[s]);
	}
	if (out[SLOT_SP_BEFORE] != out[SLOT_SP_AFTER])
		fail("%s: sp: expected %#llx got %#llx", what,
		     (unsigned long long)out[SLOT_SP_BEFORE],
		     (unsigned long long)out[SLOT_SP_AFTER]);
	if ((in[SLOT_FLAGS] & FLAGS_MASK) != (out[SLOT_FLAGS] & FLAGS_MASK))
		fail("%s: flags: expected %#llx got %#llx", what,
		     (unsigned long long)(in[SLOT_FLAGS] & FLAGS_MASK),
		     (unsigned long long)(out[SLOT_FLAGS] & FLAGS_MASK));
	for (i = 0; i < ARRAY_SIZE(fpctl); i++) {
		int s = fpctl[i].slot;
		uint64_t m = fpctl_mask[i];

		if ((in[s] & m) != (out[s] & m))
			fail("%s: %s: expected %#llx got %#llx", what,
			     fpctl[i].name, (unsigned long long)(in[s] & m),
			     (unsigned long long)(out[s] & m));
	}
	for (i = 0; i < NVEC; i++) {
		const uint64_t *a = in + SLOT_VEC + 2 * i;
		const uint64_t *b = out + SLOT_VEC + 2 * i;

		if (a[0] != b[0] || a[1] != b[1])
			fail("%s: %s%u: expected %016llx%016llx got %016llx%016llx",
			     what, VEC_NAME, i,
			     (unsigned long long)a[1], (unsigned long long)a[0],
			     (unsigned long long)b[1], (unsigned long long)b[0]);
	}
}

/*
 * One syscall with every register loaded. arg0 and arg1 replace the patterns
 * of the first two argument registers; the rest are patterns the call must
 * ignore.
 */
static int run_case(const char *name, long nr, uint64_t arg0, uint64_t arg1,
		    long expected, unsigned int seed, int set)
{
	uint64_t in[NSLOTS], out[NSLOTS];
	int before = check_failures;
	char what[96];
	long r;

	fill(in, seed, set);
	in[NR_SLOT] = nr;
	in[ARG0_SLOT] = arg0;
	in[ARG1_SLOT] = arg1;
	memset(out, 0, sizeof(out));
	r = regs_syscall(in, out);

	snprintf(what, sizeof(what), "%s (seed %u, flags %s)", name, seed,
		 set ? "set" : "clear");
	if (r != expected)
		fail("%s: result: expected %ld got %ld", what, expected, r);
	compare(what, in, out);
	return check_failures == before;
}

static void check_gprs(void)
{
	struct timespec ts = { -1, -1 };
	uint64_t p = pattern(99, 0);
	unsigned int seed;

	for (seed = 0; seed < 64; seed++) {
		if (!run_case("getpid", SYS_getpid, p, p + 1, getpid(), seed,
			      seed & 1))
			break;
		if (!run_case("syscall 1000", 1000, p, p + 1, -ENOSYS, seed,
			      !(seed & 1)))
			break;
	}
	run_case("clock_gettime", SYS_clock_gettime, CLOCK_MONOTONIC,
		 (uintptr_t)&ts, 0, 7, 1);
	if (ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		fail("clock_gettime through the helper: expected a time got %lld.%ld",
		     (long long)ts.tv_sec, ts.tv_nsec);
}

#if defined(__x86_64__)
static void check_wide_vectors(void)
{
	static unsigned char in[32 * 64], out[32 * 64];
	uint16_t kin[8], kout[8];
	unsigned int i;

	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx")) {
		note("no AVX: ymm checks skipped");
		return;
	}
	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 11);
	memset(out, 0, sizeof(out));
	regs_ymm_syscall(SYS_getpid, in, out);
	for (i = 0; i < 16; i++)
		if (memcmp(in + 32 * i, out + 32 * i, 32) != 0)
			fail("getpid: ymm%u: expected pattern got %02x%02x... (upper %02x)",
			     i, out[32 * i], out[32 * i + 1], out[32 * i + 31]);

	if (!__builtin_cpu_supports("avx512f")) {
		note("no AVX-512: zmm and k checks skipped");
		return;
	}
	for (i = 0; i < 8; i++)
		kin[i] = (uint16_t)(0x1234 * (i + 1) + 0x8001);
	memset(out, 0, sizeof(out));
	memset(kout, 0, sizeof(kout));
	regs_zmm_syscall(SYS_getpid, in, out, kin, kout);
	for (i = 0; i < 32; i++)
		if (memcmp(in + 64 * i, out + 64 * i, 64) != 0)
			fail("getpid: zmm%u: expected pattern got %02x%02x... (last %02x)",
			     i, out[64 * i], out[64 * i + 1], out[64 * i + 63]);
	for (i = 0; i < 8; i++)
		if (kin[i] != kout[i])
			fail("getpid: k%u: expected %#x got %#x", i, kin[i],
			     kout[i]);
}
#else
static void check_wide_vectors(void)
{
}
#endif

int main(void)
{
	check_gprs();
	check_wide_vectors();
	printf("regs_preserved: done\n");
	return check_exit("regs_preserved");
}
