/* x86_64 exec-time state and syscall injection. */
#include <errno.h>
#include <string.h>
#include <sys/auxv.h>

#include "arch/arch.h"
#include "arch/x86_64/xstate.h"

#define X86_EFLAGS_IF 0x200

/* start_thread() in arch/x86/kernel/process_64.c: everything zero but the
 * stack, the entry point, flags, and the segment selectors the stub already
 * has; the FPU as fpu_flush_thread() leaves it. */
void arch_exec_regs(struct arch_regs *r, uint64_t entry, uint64_t sp)
{
	unsigned long long cs = r->gpr.cs, ss = r->gpr.ss, ds = r->gpr.ds, es = r->gpr.es;

	memset(&r->gpr, 0, sizeof r->gpr);
	r->gpr.cs = cs;
	r->gpr.ss = ss;
	r->gpr.ds = ds;
	r->gpr.es = es;
	r->gpr.rip = entry;
	r->gpr.rsp = sp;
	r->gpr.eflags = X86_EFLAGS_IF;
	r->gpr.orig_rax = (unsigned long long)-1;
	x86_fpu_init(r);
	r->fp_valid = true;
}

/* The trampoline runs as 64-bit code whatever mode the guest left the
 * thread in. */
void arch_inject_setup(struct arch_regs *r, long nr, const uint64_t a[6])
{
	r->gpr.cs = X86_USER_CS;
	r->gpr.ss = X86_USER_DS;
	r->gpr.eflags = X86_EFLAGS_IF;
	r->gpr.rip = ARCH_STUB_TRAMPOLINE;
	r->gpr.rax = (uint64_t)nr;
	r->gpr.orig_rax = (unsigned long long)-1;
	r->gpr.rdi = a[0];
	r->gpr.rsi = a[1];
	r->gpr.rdx = a[2];
	r->gpr.r10 = a[3];
	r->gpr.r8 = a[4];
	r->gpr.r9 = a[5];
}

long arch_inject_result(const struct arch_regs *r)
{
	return (long)r->gpr.rax;
}

void arch_regs_after_trap(struct arch_regs *saved, const struct arch_regs *trap)
{
	(void)saved;
	(void)trap;
}

/* arch/x86/include/uapi/asm/prctl.h */
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

long arch_prctl_op(struct arch_regs *r, int code, uint64_t *val)
{
	switch (code) {
	case ARCH_SET_FS:
		if (*val >= ARCH_TASK_SIZE)
			return -EPERM;
		r->gpr.fs_base = *val;
		return 0;
	case ARCH_SET_GS:
		if (*val >= ARCH_TASK_SIZE)
			return -EPERM;
		r->gpr.gs_base = *val;
		return 0;
	case ARCH_GET_FS:
		*val = r->gpr.fs_base;
		return 1;
	case ARCH_GET_GS:
		*val = r->gpr.gs_base;
		return 1;
	default:
		return -EINVAL;
	}
}

uint64_t arch_hwcap(void)
{
	return getauxval(AT_HWCAP);
}

uint64_t arch_hwcap2(void)
{
	return getauxval(AT_HWCAP2);
}

uint64_t arch_minsigstksz(void)
{
	unsigned long v = getauxval(51 /* AT_MINSIGSTKSZ */);

	return v ? v : 2048;
}

size_t arch_syscall_thunk(long nr, uint8_t out[16])
{
	/* mov $nr, %eax; syscall; ret: the arguments are already in place. */
	static const uint8_t code[] = { 0xb8, 0, 0, 0, 0, 0x0f, 0x05, 0xc3 };
	uint32_t n = (uint32_t)nr;

	memcpy(out, code, sizeof code);
	memcpy(out + 1, &n, sizeof n);
	return sizeof code;
}

size_t arch_return_thunk(int32_t value, uint8_t out[16])
{
	/* mov $value, %rax (sign-extended); ret */
	static const uint8_t code[] = { 0x48, 0xc7, 0xc0, 0, 0, 0, 0, 0xc3 };

	memcpy(out, code, sizeof code);
	memcpy(out + 3, &value, sizeof value);
	return sizeof code;
}

bool arch_cpu_feature_hidden(const char *name)
{
	(void)name;
	return false; /* AT_HWCAP is the host's */
}
