/* x86_64 registers and syscall ABI (arch/x86/entry/entry_64.S,
 * arch/x86/include/asm/syscall.h). */
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "arch/arch.h"

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202 /* include/uapi/linux/elf.h */
#endif

/* The XSAVE image covers the FXSAVE one (NT_PRFPREG) and AVX, AVX-512 and
 * PKRU besides: one set moves the whole FP state. */
const struct arch_regset arch_regsets[] = {
	{ NT_PRSTATUS, offsetof(struct arch_regs, gpr), sizeof(struct user_regs_struct) },
	{ NT_X86_XSTATE, offsetof(struct arch_regs, xstate), ARCH_XSTATE_MAX },
};
const unsigned int arch_nregsets = sizeof arch_regsets / sizeof arch_regsets[0];

#define X32_SYSCALL_BIT 0x40000000L

/* entry_64.S: "syscall numbers are treated as int" (movslq %eax). */
long arch_syscall_nr(const struct arch_regs *r)
{
	return (int)r->gpr.orig_rax;
}

void arch_syscall_args(const struct arch_regs *r, uint64_t a[6])
{
	a[0] = r->gpr.rdi;
	a[1] = r->gpr.rsi;
	a[2] = r->gpr.rdx;
	a[3] = r->gpr.r10;
	a[4] = r->gpr.r8;
	a[5] = r->gpr.r9;
}

void arch_syscall_set_return(struct arch_regs *r, long value)
{
	r->gpr.rax = (uint64_t)value;
}

void arch_syscall_entered(struct arch_regs *r)
{
	(void)r;
}

void arch_signal_stopped(struct arch_regs *r)
{
	(void)r;
}

enum arch_syscall_class arch_syscall_classify(const struct arch_regs *r,
					      const uint8_t insn[ARCH_SYSCALL_INSN_LEN],
					      int insn_ok)
{
	int nr = (int)r->gpr.orig_rax;

	/* int $0x80 enters the i386 ABI even from 64-bit code. */
	if (insn_ok && insn[0] == 0xcd && insn[1] == 0x80)
		return ARCH_SYSCALL_COMPAT;
	if (nr >= 0 && (nr & X32_SYSCALL_BIT))
		return ARCH_SYSCALL_X32;
	return ARCH_SYSCALL_NATIVE;
}

uint64_t arch_ip(const struct arch_regs *r)
{
	return r->gpr.rip;
}

uint64_t arch_sp(const struct arch_regs *r)
{
	return r->gpr.rsp;
}

void arch_set_ip(struct arch_regs *r, uint64_t ip)
{
	r->gpr.rip = ip;
}

void arch_syscall_rollback(struct arch_regs *r)
{
	r->gpr.rax = r->gpr.orig_rax;
}

void arch_syscall_restart(struct arch_regs *r)
{
	arch_syscall_rollback(r);
	r->gpr.rip -= 2; /* syscall */
}

/* Only the i386 vDSO's sigreturn is exempt (arch/x86/entry/vdso/vma.c),
 * and umbra has no i386 ABI. */
bool arch_syscall_is_sigreturn_trampoline(const struct arch_regs *r)
{
	(void)r;
	return false;
}

uint64_t arch_untagged_addr(uint64_t addr)
{
	return addr;
}

/* get_nr_restart_syscall(): the number goes in rax. */
void arch_syscall_set_nr(struct arch_regs *r, long nr)
{
	r->gpr.rax = (uint64_t)nr;
}

void arch_set_sp(struct arch_regs *r, uint64_t sp)
{
	r->gpr.rsp = sp;
}

uint64_t arch_tls(const struct arch_regs *r)
{
	return r->gpr.fs_base;
}

void arch_set_tls(struct arch_regs *r, uint64_t tls)
{
	r->gpr.fs_base = tls;
}
