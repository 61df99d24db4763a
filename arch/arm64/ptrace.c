/* NT_PRSTATUS as a guest tracer sees it on arm64: struct user_pt_regs,
 * then orig_x0 and orig_x7 (the v3 series that exposes them: a tracer gets
 * what its buffer holds). At a syscall stop x7 shows 0 at entry and 1 at
 * exit, as Linux's report_syscall() sets it, and orig_x7 holds the real
 * x7, which a write to it changes. */
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arch/arch.h"

#ifndef NT_ARM_TLS
#define NT_ARM_TLS 0x401 /* include/uapi/linux/elf.h */
#endif

#define NREGS 34 /* x0-x30, sp, pc, pstate */
#define PSR_NZCV 0xf0000000ull

size_t arch_ptrace_gpr_get(const struct arch_regs *r, int at, void *buf)
{
	uint64_t words[NREGS + 2];

	memcpy(words, &r->gpr, NREGS * sizeof *words);
	words[NREGS] = r->orig_x0;
	words[NREGS + 1] = r->gpr.regs[7];
	if (at)
		words[7] = at == 1 ? 0 : 1;
	memcpy(buf, words, sizeof words);
	return sizeof words;
}

void arch_ptrace_gpr_set(struct arch_regs *r, int at, const void *buf, size_t len)
{
	uint64_t words[NREGS + 2];
	size_t n = len < sizeof words ? len : sizeof words;

	arch_ptrace_gpr_get(r, at, words);
	memcpy(words, buf, n);
	if (at)
		words[7] = r->gpr.regs[7]; /* the marker is not x7 */
	if (n > NREGS * sizeof *words)
		r->orig_x0 = words[NREGS];
	if (n > (NREGS + 1) * sizeof *words)
		words[7] = words[NREGS + 1];
	/* only the condition flags: the rest stays EL0t (valid_user_regs) */
	words[33] = (words[33] & PSR_NZCV) | (r->gpr.pstate & ~PSR_NZCV);
	memcpy(&r->gpr, words, NREGS * sizeof *words);
	r->x7_valid = true;
}

/* arm64 has no PTRACE_PEEKUSER or POKEUSER. */
int arch_ptrace_peekuser(const struct arch_regs *r, uint64_t off, uint64_t *val)
{
	(void)r;
	(void)off;
	(void)val;
	return -EIO;
}

int arch_ptrace_pokeuser(struct arch_regs *r, uint64_t off, uint64_t val)
{
	(void)r;
	(void)off;
	(void)val;
	return -EIO;
}

/* The other regsets a guest tracer reads and writes whole: NT_PRFPREG
 * (user_fpsimd_state) and NT_ARM_TLS. NT_ARM_SYSTEM_CALL is the syscall
 * number, not a span (request.c). */
bool arch_ptrace_regset_span(unsigned int type, size_t *offset, size_t *size)
{
	switch (type) {
	case NT_PRFPREG:
		*offset = offsetof(struct arch_regs, fp);
		*size = sizeof(struct user_fpsimd_struct);
		return true;
	case NT_ARM_TLS:
		*offset = offsetof(struct arch_regs, tls);
		*size = sizeof(uint64_t);
		return true;
	default:
		return false;
	}
}

int arch_ptrace_regset_check(unsigned int type, const void *buf, size_t len)
{
	(void)type;
	(void)buf;
	(void)len;
	return 0; /* any fpsr, fpcr and v registers, any tpidr_el0 */
}
