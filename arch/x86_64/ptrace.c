/* NT_PRSTATUS as a guest tracer sees it on x86_64: struct user_regs_struct
 * (arch/x86/kernel/ptrace.c, genregs_get/putreg). */
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/user.h>

#include "arch/arch.h"
#include "arch/x86_64/xstate.h"

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202 /* include/uapi/linux/elf.h */
#endif

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
/* The kernel's struct user ends with error_code and fault_address past
 * the debug registers, which glibc's leaves out. */
#define USER_SIZE (sizeof(struct user) + 2 * sizeof(uint64_t))
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

/* The other regsets a guest tracer reads and writes whole (x86_64's
 * regset table): NT_PRFPREG, the FXSAVE image, and NT_X86_XSTATE, the
 * XSAVE image of what the guest may use. */
bool arch_ptrace_regset_span(unsigned int type, size_t *offset, size_t *size)
{
	const struct x86_xstate *x = x86_xstate();

	switch (type) {
	case NT_PRFPREG:
		*offset = offsetof(struct arch_regs, fp);
		*size = sizeof(struct user_fpregs_struct);
		return true;
	case NT_X86_XSTATE:
		if (!x->usable)
			return false;
		*offset = offsetof(struct arch_regs, xstate);
		*size = x->user_size;
		return true;
	default:
		return false;
	}
}

int arch_ptrace_regset_check(unsigned int type, const void *buf, size_t len)
{
	const struct x86_xstate *x = x86_xstate();
	uint8_t img[ARCH_XSTATE_MAX];

	if (type != NT_PRFPREG && type != NT_X86_XSTATE)
		return 0;
	if (len < XSTATE_MIN_SIZE && type == NT_X86_XSTATE)
		return -EINVAL;
	memset(img, 0, sizeof img);
	memcpy(img, buf, len < sizeof img ? len : sizeof img);
	return x86_xstate_image_valid(x, img, type == NT_PRFPREG) ? 0 : -EINVAL;
}
