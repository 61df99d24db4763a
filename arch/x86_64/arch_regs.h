/* x86_64 register state and constants. */
#ifndef UMBRA_ARCH_X86_64_REGS_H
#define UMBRA_ARCH_X86_64_REGS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/user.h>

/* Room for the thread's XSAVE image (NT_X86_XSTATE) of any host: the kernel
 * moves CPUID.(EAX=0DH,ECX=0):EBX bytes, 11008 with AMX, and accepts a larger
 * buffer (ptrace_regset() clamps the length). */
#define ARCH_XSTATE_MAX 16384

struct arch_regs {
	struct user_regs_struct gpr;  /* NT_PRSTATUS: with orig_rax, fs_base, gs_base */
	/* NT_X86_XSTATE: the standard-format XSAVE image, whose first 512 bytes
	 * are the FXSAVE image; bytes 464..471 hold the host's XCR0
	 * (arch/x86/include/asm/user.h). */
	union {
		struct user_fpregs_struct fp;
		uint8_t xstate[ARCH_XSTATE_MAX];
	} __attribute__((aligned(64)));
	bool fp_valid;                /* the XSAVE image was read from the thread */
};

/* A signal frame: rt_sigframe, alignment and the XSAVE area with its magic. */
#define ARCH_SIGFRAME_MAX (ARCH_XSTATE_MAX + 1024)

#define ARCH_NAME "x86_64"
#define ARCH_PLATFORM "x86_64"      /* AT_PLATFORM */
#define ARCH_UTS_MACHINE "x86_64"
#define ARCH_ELF_MACHINE 62         /* EM_X86_64 */
#define ARCH_AUDIT_ARCH 0xc000003eu /* AUDIT_ARCH_X86_64 (uapi linux/audit.h) */
#define ARCH_PAGE_SIZE 4096UL
#define ARCH_TASK_SIZE 0x7ffffffff000ULL /* 47-bit user space */
#define ARCH_STUB_BASE 0x7ff000000000ULL /* stub text; reserved in every guest */
#define ARCH_STUB_SIZE 0x10000ULL
/* The host's vDSO and its data pages, moved here in every stub and kept:
 * the window just above the stub's text, where no guest mapping goes
 * unless asked for by address (see platform/ptrace/vdso.c). */
#define ARCH_VDSO_WINDOW 0x100000ULL
#define ARCH_VDSO_BASE (ARCH_STUB_BASE + ARCH_STUB_SIZE)
#define ARCH_STUB_TRAMPOLINE (ARCH_STUB_BASE + 0) /* syscall; int3 */
#define ARCH_STUB_TRAP (ARCH_STUB_BASE + 16)      /* int3 */
#define ARCH_STUB_CLONE (ARCH_STUB_BASE + 48)     /* syscall; child spins */
/* x86_64 handlers must have SA_RESTORER: no trampoline (0). */
#define ARCH_SIGRETURN_TRAMPOLINE 0
#define ARCH_STAT_SIZE 144
#define ARCH_MINSIGSTKSZ 2048 /* uapi MINSIGSTKSZ: sigaltstack's own minimum */
/* __USER_CS and __USER_DS (arch/x86/include/asm/segment.h). */
#define X86_USER_CS 0x33
#define X86_USER_DS 0x2b
/* clone(2)'s argument order: flags, stack, parent_tid, child_tid, tls. */
#define ARCH_CLONE_CHILD_TID_ARG 3
#define ARCH_CLONE_TLS_ARG 4
#define ARCH_ELF_ET_DYN_BASE 0x555555554000ULL
/* The kernel's O_LARGEFILE (asm-generic/fcntl.h), which 64-bit libcs define
 * as 0 but F_GETFL reports. */
#define ARCH_O_LARGEFILE 0100000

/* Every register of a stopped thread reads true on x86_64. */
static inline bool arch_regs_complete(const struct arch_regs *r)
{
	(void)r;
	return true;
}

#endif
