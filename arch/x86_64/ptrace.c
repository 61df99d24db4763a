/* NT_PRSTATUS as a guest tracer sees it on x86_64: struct user_regs_struct
 * (arch/x86/kernel/ptrace.c, genregs_get/putreg). */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/user.h>

#include "arch/arch.h"

#define X86_FLAG_MASK 0x54dd5u /* the flags user space may change (FLAG_MASK) */

size_t arch_ptrace_gpr_get(const struct arch_regs *r, int at, void *buf)
{
	(void)at;
	memcpy(buf, &r->gpr, sizeof r->gpr);
	return sizeof r->gpr;
}

/* putreg(): the segment registers and bases keep what user space may not
 * set; the flags only take their user bits. */
void arch_ptrace_gpr_set(struct arch_regs *r, int at, const void *buf, size_t len)
{
	struct user_regs_struct n = r->gpr;

	(void)at;
	memcpy(&n, buf, len < sizeof n ? len : sizeof n);
	n.eflags = (r->gpr.eflags & ~X86_FLAG_MASK) | (n.eflags & X86_FLAG_MASK);
	n.cs = r->gpr.cs;
	n.ss = r->gpr.ss;
	n.ds = r->gpr.ds;
	n.es = r->gpr.es;
	n.fs = r->gpr.fs;
	n.gs = r->gpr.gs;
	if (n.fs_base >= ARCH_TASK_SIZE)
		n.fs_base = r->gpr.fs_base;
	if (n.gs_base >= ARCH_TASK_SIZE)
		n.gs_base = r->gpr.gs_base;
	r->gpr = n;
}

/* PTRACE_PEEKUSER and POKEUSER (arch_ptrace): struct user's words. The
 * registers read and write as NT_PRSTATUS does; the debug registers read
 * 0, and only 0 may be written (umbra has no hardware breakpoints); the
 * rest of struct user reads 0 and is not written. */
#define USER_SIZE sizeof(struct user)
#define DEBUGREG_OFF offsetof(struct user, u_debugreg)

int arch_ptrace_peekuser(const struct arch_regs *r, uint64_t off, uint64_t *val)
{
	if (off & 7 || off >= USER_SIZE)
		return -EIO;
	*val = 0;
	if (off < sizeof r->gpr)
		memcpy(val, (const uint8_t *)&r->gpr + off, sizeof *val);
	return 0;
}

int arch_ptrace_pokeuser(struct arch_regs *r, uint64_t off, uint64_t val)
{
	struct user_regs_struct n = r->gpr;

	if (off & 7 || off >= USER_SIZE)
		return -EIO;
	if (off < sizeof n) {
		memcpy((uint8_t *)&n + off, &val, sizeof val);
		arch_ptrace_gpr_set(r, 0, &n, sizeof n);
		return 0;
	}
	if (off >= DEBUGREG_OFF && off < DEBUGREG_OFF + 8 * sizeof(uint64_t))
		return val ? -EIO : 0;
	return 0;
}
