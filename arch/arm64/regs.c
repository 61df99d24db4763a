/* arm64 registers and syscall ABI (arch/arm64/kernel/ptrace.c,
 * arch/arm64/kernel/syscall.c). */
#include <elf.h>
#include <stddef.h>

#include "arch/arch.h"

#ifndef NT_ARM_TLS
#define NT_ARM_TLS 0x401 /* include/uapi/linux/elf.h */
#endif

/* Only tpidr_el0 is moved: kernels with SME append tpidr2_el0 to the
 * NT_ARM_TLS regset and fill only what the buffer holds (tls_get()). */
const struct arch_regset arch_regsets[] = {
	{ NT_PRSTATUS, offsetof(struct arch_regs, gpr), sizeof(struct user_regs_struct) },
	{ NT_PRFPREG, offsetof(struct arch_regs, fp), sizeof(struct user_fpsimd_struct) },
	{ NT_ARM_TLS, offsetof(struct arch_regs, tls), sizeof(uint64_t) },
};
const unsigned int arch_nregsets = sizeof(arch_regsets) / sizeof(arch_regsets[0]);

/* user_fpsimd_state in arch/arm64/include/uapi/asm/ptrace.h: 32 q registers,
 * fpsr, fpcr and padding to 16 bytes. */
_Static_assert(sizeof(struct user_regs_struct) == 34 * 8, "user_pt_regs layout");
_Static_assert(sizeof(struct user_fpsimd_struct) == 528, "user_fpsimd_state layout");

/* svc: x8 holds the number, x0-x5 the arguments, x0 the result. */
/* el0_svc_common() takes the number from x8 as an int. */
long arch_syscall_nr(const struct arch_regs *r)
{
	return (int)r->gpr.regs[8];
}

/* Argument 0 comes from orig_x0: x0 may already hold a return value that a
 * handler set before the syscall is looked at again (restart). */
void arch_syscall_args(const struct arch_regs *r, uint64_t args[6])
{
	args[0] = r->orig_x0;
	for (int i = 1; i < 6; i++)
		args[i] = r->gpr.regs[i];
}

void arch_syscall_set_return(struct arch_regs *r, long value)
{
	r->gpr.regs[0] = (uint64_t)value;
}

void arch_syscall_entered(struct arch_regs *r)
{
	r->orig_x0 = r->gpr.regs[0];
	r->x7_valid = false;
}

/* Outside syscall stops x7 reads as the thread holds it. */
void arch_signal_stopped(struct arch_regs *r)
{
	r->x7_valid = true;
}

/* An AArch64 task cannot reach the kernel through the AArch32 ABI without an
 * exec of a 32-bit binary, which umbra does not load. */
enum arch_syscall_class arch_syscall_classify(const struct arch_regs *r,
					      const uint8_t insn[ARCH_SYSCALL_INSN_LEN],
					      int insn_ok)
{
	(void)r;
	(void)insn;
	(void)insn_ok;
	return ARCH_SYSCALL_NATIVE;
}

uint64_t arch_ip(const struct arch_regs *r)
{
	return r->gpr.pc;
}

uint64_t arch_sp(const struct arch_regs *r)
{
	return r->gpr.sp;
}

void arch_set_ip(struct arch_regs *r, uint64_t ip)
{
	r->gpr.pc = ip;
}

void arch_syscall_rollback(struct arch_regs *r)
{
	r->gpr.regs[0] = r->orig_x0;
}

void arch_syscall_restart(struct arch_regs *r)
{
	arch_syscall_rollback(r);
	r->gpr.pc -= 4; /* svc #0 */
}

/* The PC after the trampoline's svc, its second instruction, as the vDSO's
 * sigtramp + 8 in arm64's arch_syscall_is_vdso_sigreturn(). */
bool arch_syscall_is_sigreturn_trampoline(const struct arch_regs *r)
{
	return r->gpr.pc == ARCH_SIGRETURN_TRAMPOLINE + 8;
}

/* sign_extend64(addr, 55) (arch/arm64/include/asm/memory.h). */
uint64_t arch_untagged_addr(uint64_t addr)
{
	return (uint64_t)((int64_t)(addr << 8) >> 8);
}

/* setup_restart_syscall(): the number goes in x8. */
void arch_syscall_set_nr(struct arch_regs *r, long nr)
{
	r->gpr.regs[8] = (uint64_t)nr;
}

void arch_set_sp(struct arch_regs *r, uint64_t sp)
{
	r->gpr.sp = sp;
}

uint64_t arch_tls(const struct arch_regs *r)
{
	return r->tls;
}

void arch_set_tls(struct arch_regs *r, uint64_t tls)
{
	r->tls = tls;
}
