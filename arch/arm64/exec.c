/* arm64 exec-time state, syscall injection and what auxv says of the CPU. */
#include <errno.h>
#include <string.h>
#include <sys/auxv.h>

#include "arch/arch.h"

/* start_thread() in arch/arm64/include/asm/processor.h: every register zero,
 * EL0t; fpsimd_flush_thread() and tls_thread_flush() clear FP/SIMD and
 * tpidr_el0. */
void arch_exec_regs(struct arch_regs *r, uint64_t entry, uint64_t sp)
{
	memset(r, 0, sizeof(*r));
	r->gpr.sp = sp;
	r->gpr.pc = entry;
	r->gpr.pstate = 0; /* PSR_MODE_EL0t */
	r->fp_valid = true;
	r->x7_valid = true;
}

void arch_inject_setup(struct arch_regs *r, long nr, const uint64_t args[6])
{
	r->gpr.pc = ARCH_STUB_TRAMPOLINE;
	r->gpr.regs[8] = (uint64_t)nr;
	for (int i = 0; i < 6; i++)
		r->gpr.regs[i] = args[i];
}

long arch_inject_result(const struct arch_regs *r)
{
	return (long)r->gpr.regs[0];
}

/* The kernel restores the real x7 when it resumes the thread from a syscall
 * stop, so the brk stop that follows shows it. */
void arch_regs_after_trap(struct arch_regs *saved, const struct arch_regs *trap)
{
	saved->gpr.regs[7] = trap->gpr.regs[7];
	saved->x7_valid = true;
}

long arch_prctl_op(struct arch_regs *r, int code, uint64_t *val)
{
	(void)r;
	(void)code;
	(void)val;
	return -EINVAL;
}

/* Features whose architectural state umbra does not carry (NT_ARM_SVE,
 * NT_ARM_ZA/ZT, FPMR, POR_EL0, GCS, MTE tag-check control) nor build into
 * signal frames (sve_context, za_context, fpmr_context, poe_context,
 * gcs_context): advertised, they would let glibc pick SVE string functions
 * whose live Z registers a signal frame of umbra's would truncate. Bit
 * numbers from arch/arm64/include/uapi/asm/hwcap.h. */
static const uint64_t hwcap_hidden =
	(1UL << 22) |		/* SVE */
	(1UL << 32) |		/* GCS */
	(0x7ffUL << 37);	/* SVE_F16MM ... SME_SMOP4 */

static const uint64_t hwcap2_hidden =
	(0x7eUL << 0) |		/* SVE2, SVEAES ... SVESM4 */
	(0xfUL << 9) |		/* SVEI8MM, SVEF32MM, SVEF64MM, SVEBF16 */
	(1UL << 18) |		/* MTE */
	(1UL << 22) |		/* MTE3 */
	(0xffUL << 23) |	/* SME, SME_I16I64 ... SME_FA64 */
	(1UL << 33) |		/* SVE_EBF16 */
	(0x7fUL << 36) |	/* SVE2P1, SME2 ... SME_F16F16 */
	(1UL << 45) |		/* SVE_B16B16 */
	(1UL << 48) |		/* FPMR */
	(0x7fUL << 57);		/* SME_LUTV2 ... SME_SF8DP2, POE */

/* The names arch/arm64/kernel/cpuinfo.c gives the hidden bits: every SVE
 * and SME feature, MTE, GCS, FPMR and POE. */
size_t arch_syscall_thunk(long nr, uint8_t out[16])
{
	/* movz x8, #nr; svc #0; ret: the arguments are already in place. */
	uint32_t code[] = { 0xd2800008u | ((uint32_t)nr & 0xffff) << 5, 0xd4000001u, 0xd65f03c0u };

	memcpy(out, code, sizeof code);
	return sizeof code;
}

size_t arch_return_thunk(int32_t value, uint8_t out[16])
{
	/* movn x0, #~value (a negative value within 16 bits) or movz x0,
	 * #value; ret */
	uint32_t code[] = { value < 0 ? 0x92800000u | ((uint32_t)~value & 0xffff) << 5
				      : 0xd2800000u | ((uint32_t)value & 0xffff) << 5,
			    0xd65f03c0u };

	memcpy(out, code, sizeof code);
	return sizeof code;
}

bool arch_cpu_feature_hidden(const char *name)
{
	static const char *const others[] = { "mte", "mte3", "gcs", "fpmr", "poe" };

	if (!strncmp(name, "sve", 3) || !strncmp(name, "sme", 3))
		return true;
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
		if (!strcmp(name, others[i]))
			return true;
	return false;
}

uint64_t arch_hwcap(void)
{
	return getauxval(AT_HWCAP) & ~hwcap_hidden;
}

uint64_t arch_hwcap2(void)
{
	return getauxval(AT_HWCAP2) & ~hwcap2_hidden;
}

/* MINSIGSTKSZ of arch/arm64/include/uapi/asm/signal.h when the host kernel
 * predates AT_MINSIGSTKSZ (5.14); the host's own value covers the largest
 * frame this CPU can need, more than umbra's frames take. */
uint64_t arch_minsigstksz(void)
{
	unsigned long v = getauxval(51 /* AT_MINSIGSTKSZ */);

	return v ? v : 5120;
}
