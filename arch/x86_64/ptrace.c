/* NT_PRSTATUS as a guest tracer sees it on x86_64: struct user_regs_struct
 * (arch/x86/kernel/ptrace.c, genregs_get/putreg). */
#include <string.h>

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
