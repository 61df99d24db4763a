/* arm64 register state and constants. */
#ifndef UMBRA_ARCH_ARM64_REGS_H
#define UMBRA_ARCH_ARM64_REGS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/user.h>

struct arch_regs {
	struct user_regs_struct gpr;  /* NT_PRSTATUS: x0-x30, sp, pc, pstate */
	struct user_fpsimd_struct fp; /* NT_PRFPREG: v0-v31, fpsr, fpcr */
	uint64_t tls;                 /* NT_ARM_TLS: tpidr_el0 */
	/* x0 at syscall entry, which the kernel keeps for restarts but ptrace
	 * does not show (arch/arm64/include/asm/ptrace.h, struct pt_regs). */
	uint64_t orig_x0;
	/* gpr.regs[7] is the guest's own value; false after a syscall stop,
	 * where the kernel shows 0/1 for entry/exit instead (report_syscall()
	 * in arch/arm64/kernel/ptrace.c). */
	bool x7_valid;
	bool fp_valid;                /* fp and tls were read from the thread */
};

#define ARCH_NAME "arm64"
#define ARCH_PLATFORM "aarch64"     /* AT_PLATFORM, ELF_PLATFORM in asm/elf.h */
#define ARCH_UTS_MACHINE "aarch64"
#define ARCH_ELF_MACHINE 183        /* EM_AARCH64 */
#define ARCH_AUDIT_ARCH 0xc00000b7u /* AUDIT_ARCH_AARCH64 (uapi linux/audit.h) */
#define ARCH_PAGE_SIZE 4096UL
/* DEFAULT_MAP_WINDOW_64 (asm/processor.h): 48-bit user space, which is also
 * the default window of 52-bit kernels. */
#define ARCH_TASK_SIZE 0x1000000000000ULL
/* Stub text; reserved in every guest. 64 GiB below the top: clear of the
 * host's stack for the stub, whose top is randomised by at most 1 GiB
 * (STACK_RND_MASK in asm/elf.h), and 64K-aligned for 64K-page kernels. The
 * host places the stub's vdso after its text is mapped, so it avoids it. */
#define ARCH_STUB_BASE 0xfff000000000ULL
#define ARCH_STUB_SIZE 0x10000ULL
/* The host's vDSO and its data pages, moved here in every stub and kept:
 * the window just above the stub's text, where no guest mapping goes
 * unless asked for by address (see platform/ptrace/vdso.c). */
#define ARCH_VDSO_WINDOW 0x100000ULL
#define ARCH_VDSO_BASE (ARCH_STUB_BASE + ARCH_STUB_SIZE)
#define ARCH_STUB_TRAMPOLINE (ARCH_STUB_BASE + 0) /* svc #0; brk #0 */
#define ARCH_STUB_TRAP (ARCH_STUB_BASE + 16)      /* brk #0 */
#define ARCH_STUB_CLONE (ARCH_STUB_BASE + 48)     /* svc #0; child spins */
#define ARCH_SIGRETURN_TRAMPOLINE (ARCH_STUB_BASE + 80) /* rt_sigreturn */
#define ARCH_STAT_SIZE 128                        /* asm-generic struct stat */
#define ARCH_MINSIGSTKSZ 5120 /* uapi MINSIGSTKSZ: sigaltstack's own minimum */
/* A signal frame: rt_sigframe (4688 bytes) and the frame record. */
#define ARCH_SIGFRAME_MAX 4704
/* clone(2)'s argument order (CONFIG_CLONE_BACKWARDS): flags, stack,
 * parent_tid, tls, child_tid. */
#define ARCH_CLONE_TLS_ARG 3
#define ARCH_CLONE_CHILD_TID_ARG 4
/* ELF_PAGESTART(ELF_ET_DYN_BASE), ELF_ET_DYN_BASE being
 * 2 * DEFAULT_MAP_WINDOW_64 / 3 (asm/elf.h); binfmt_elf.c then aligns the
 * bias down to the binary's largest p_align, as on every arch. */
#define ARCH_ELF_ET_DYN_BASE 0xaaaaaaaaa000ULL
/* The kernel's O_LARGEFILE (arch/arm64/include/uapi/asm/fcntl.h), which
 * 64-bit libcs define as 0 but F_GETFL reports. */
#define ARCH_O_LARGEFILE 0400000

/* After a syscall stop x7 is not known until the thread passes a trap. */
static inline bool arch_regs_complete(const struct arch_regs *r)
{
	return r->x7_valid;
}

#endif
