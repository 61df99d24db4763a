/* The machine contract: one architecture's facts behind one header, implemented
 * by arch/x86_64/ and arch/arm64/ (only the host's is compiled). Generic code
 * sees registers only through these functions. */
#ifndef UMBRA_ARCH_H
#define UMBRA_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi/linux.h"
#include "arch_regs.h" /* struct arch_regs and ARCH_* constants of the host arch */

/* Register sets moved by ptrace; arch_regsets[0] holds the general registers,
 * read at every stop, the others complete the state on demand. */
struct arch_regset {
	int type;      /* NT_PRSTATUS, NT_PRFPREG, ... */
	size_t offset; /* within struct arch_regs */
	size_t size;
};
extern const struct arch_regset arch_regsets[];
extern const unsigned int arch_nregsets;

/* Syscall ABI at a syscall-entry stop. */
long arch_syscall_nr(const struct arch_regs *r);
void arch_syscall_args(const struct arch_regs *r, uint64_t args[6]);
void arch_syscall_set_return(struct arch_regs *r, long value);
/* Makes the thread enter the same syscall again when it resumes: the IP back
 * on the syscall instruction, the first argument back in place (Linux's
 * -ERESTART* handling in arch_do_signal_or_restart). */
void arch_syscall_restart(struct arch_regs *r);
/* syscall_rollback(): the registers back as the syscall found them, the IP
 * still after the instruction (x86_64: rax from orig_rax; arm64: x0 from
 * orig_x0), for a syscall that is not run (syscall user dispatch). */
void arch_syscall_rollback(struct arch_regs *r);
/* arch_syscall_is_vdso_sigreturn(): whether the thread stopped at the
 * syscall of the rt_sigreturn trampoline the kernel gives handlers without
 * SA_RESTORER (ARCH_SIGRETURN_TRAMPOLINE; never on x86_64, whose handlers
 * need SA_RESTORER), which syscall user dispatch lets through. */
bool arch_syscall_is_sigreturn_trampoline(const struct arch_regs *r);
/* untagged_addr(): a user address without the bits the MMU ignores (arm64:
 * the top byte, TBI; x86_64, without LAM: the address itself). */
uint64_t arch_untagged_addr(uint64_t addr);
/* The syscall number the thread enters with when it resumes at a syscall
 * instruction: restart_syscall after -ERESTART_RESTARTBLOCK. */
void arch_syscall_set_nr(struct arch_regs *r, long nr);
/* Called once at each syscall-entry stop: records what the kernel hides there
 * (arm64: orig_x0; x7 reads as the stop direction, not the guest's value). */
void arch_syscall_entered(struct arch_regs *r);
/* Called at every other stop (signal, trap), where every register reads true. */
void arch_signal_stopped(struct arch_regs *r);

/* How the guest entered the kernel, judged from the instruction before the IP. */
enum arch_syscall_class {
	ARCH_SYSCALL_NATIVE,  /* the 64-bit syscall ABI */
	ARCH_SYSCALL_COMPAT,  /* x86_64 int $0x80: the i386 ABI, which umbra lacks */
	ARCH_SYSCALL_X32,     /* x86_64 x32 bit in the number: no x32 ABI either */
};
#define ARCH_SYSCALL_INSN_LEN 2
enum arch_syscall_class arch_syscall_classify(const struct arch_regs *r,
					      const uint8_t insn[ARCH_SYSCALL_INSN_LEN],
					      int insn_ok);

uint64_t arch_ip(const struct arch_regs *r);
uint64_t arch_sp(const struct arch_regs *r);
void arch_set_ip(struct arch_regs *r, uint64_t ip);
void arch_set_sp(struct arch_regs *r, uint64_t sp);

/* The register state of a freshly exec'd program (Linux's start_thread). */
void arch_exec_regs(struct arch_regs *r, uint64_t entry, uint64_t sp);

/* Syscall injection into a stub: the trampoline at ARCH_STUB_TRAMPOLINE runs one
 * syscall and traps. */
void arch_inject_setup(struct arch_regs *r, long nr, const uint64_t args[6]);
long arch_inject_result(const struct arch_regs *r);
/* After a trap stop reached from a syscall stop: take from the trap's registers
 * what the syscall stop hid (arm64's true x7). */
void arch_regs_after_trap(struct arch_regs *saved, const struct arch_regs *trap);

/* bool arch_regs_complete(const struct arch_regs *r), inline in arch_regs.h:
 * whether every register holds the thread's value (arm64: false after a
 * syscall stop until x7 is recovered through a trap). */

/* Signal delivery and rt_sigreturn: the frame Linux builds on the guest's
 * stack, byte for byte (x86_64: arch/x86/kernel/signal.c, signal_64.c and
 * fpu/signal.c; arm64: arch/arm64/kernel/signal.c). These work on buffers the
 * generic code moves to and from guest memory, and need the full register
 * state (plat_regs_load_full: fp_valid and arch_regs_complete), or fail with
 * -ENODATA before touching anything. */
struct arch_sigframe_info {
	int signo;
	const struct linux_siginfo *info; /* copied into the frame under SA_SIGINFO */
	uint64_t sa_flags;                /* SA_SIGINFO, SA_ONSTACK, SA_RESTORER are read */
	uint64_t handler;
	/* Where the handler returns: sa_restorer. x86_64 requires SA_RESTORER;
	 * on arm64 the generic code gives the vDSO's sigreturn trampoline when
	 * SA_RESTORER is clear. */
	uint64_t restorer;
	linux_sigset_t saved_mask;        /* uc_sigmask: what rt_sigreturn restores */
	/* The task's sigaltstack as sigaltstack(2) keeps it: it decides the stack
	 * under SA_ONSTACK and is copied into uc_stack. After a delivery the
	 * generic code disarms an SS_AUTODISARM stack (signal_delivered()). */
	struct linux_stack altstack;
	/* The fault behind the signal as the CPU reported it, else 0: x86_64
	 * sigcontext cr2, err and trapno; arm64 fault_address and, when
	 * fault_code (the ESR) is nonzero, an esr_context record. */
	uint64_t fault_addr;
	uint64_t fault_code;
	uint64_t fault_trapno;
};

/* Builds the frame below the guest's stack, choosing the stack as Linux's
 * get_sigframe() does (x86_64's red zone enters the alternate-stack test, so
 * the choice is the arch's). Fills buf with the *frame_len bytes that go to
 * guest address *frame_addr (bufsize ARCH_SIGFRAME_MAX always suffices) and
 * *handler_regs (which may be regs) with the handler's registers. Returns 0;
 * -EFAULT where Linux gives up and forces SIGSEGV (an overflowing alternate
 * stack, a frame outside user space, x86_64 without SA_RESTORER), as the
 * generic code must then do, and also when writing buf to the guest fails;
 * -ENOSPC when buf is too small; -EOPNOTSUPP on an x86_64 host without
 * XSAVE, whose frames umbra does not build. */
/* What the host kernel's own frame says of a fault, which ptrace does not
 * show: at the entry of a handler it ran for the fault, the ucontext is at
 * arch_fault_ucontext (the handler's third argument), of which
 * ARCH_FAULT_UCONTEXT_LEN bytes hold it; arch_fault_parse takes x86_64's
 * err and trapno, or arm64's ESR (code) from its esr_context. */
uint64_t arch_fault_ucontext(const struct arch_regs *handler);
extern const size_t arch_fault_ucontext_len;
void arch_fault_parse(const void *uc, uint64_t *code, uint64_t *trapno);

int arch_sigframe_build(const struct arch_regs *regs, const struct arch_sigframe_info *in,
			void *buf, size_t bufsize, uint64_t *frame_addr, size_t *frame_len,
			struct arch_regs *handler_regs);

/* rt_sigreturn in three steps, since the frame may name memory elsewhere:
 * 1. arch_sigreturn_frame: where the frame lies (x86_64: sp - 8, arm64: sp)
 *    and how much to read; -EFAULT for an arm64 sp that is not 16-aligned.
 * 2. arch_sigreturn_extra, given those bytes: the further memory the frame
 *    names (x86_64: the FP state at uc_mcontext.fpstate; arm64: an
 *    extra_context's data); *len 0 when there is none.
 * 3. arch_sigreturn_restore, given both (extra NULL when reading it failed,
 *    which Linux meets as a fault after it has begun restoring).
 * A failure at step 1, or in reading the frame, is a bad frame before
 * anything is restored: SIGSEGV. */
int arch_sigreturn_frame(const struct arch_regs *regs, uint64_t *addr, size_t *len);
void arch_sigreturn_extra(const struct arch_regs *regs, const void *frame, uint64_t *addr,
			  size_t *len);
/* Restores every register the frame holds into regs (FP/SIMD included; the
 * flags and pstate only as far as Linux lets a frame change them), *mask
 * from uc_sigmask less SIGKILL and SIGSTOP, and *altstack from uc_stack,
 * which the generic code applies as sigaltstack(2) would, ignoring its errors
 * (restore_altstack()). The syscall returns the restored return register
 * (arch_inject_result). Returns 0, or -EFAULT/-EINVAL for a bad frame: the
 * generic code forces SIGSEGV, with regs and *mask as Linux leaves them at
 * that point (mask set, registers partly loaded) and *altstack unused. */
int arch_sigreturn_restore(struct arch_regs *regs, const void *frame, const void *extra,
			   size_t extra_len, linux_sigset_t *mask, struct linux_stack *altstack);

/* Thread pointer (x86_64 fs base, arm64 tpidr_el0). */
uint64_t arch_tls(const struct arch_regs *r);
void arch_set_tls(struct arch_regs *r, uint64_t tls);
/* x86_64 arch_prctl(2); -EINVAL on arches without it. */
long arch_prctl_op(struct arch_regs *r, int code, uint64_t *val);

/* struct stat as this arch lays it out; returns its size (ARCH_STAT_SIZE). */
size_t arch_stat_encode(const struct linux_kstat *k, void *out);

/* Hardware capabilities for auxv (AT_HWCAP, AT_HWCAP2) and AT_MINSIGSTKSZ. */
uint64_t arch_hwcap(void);
uint64_t arch_hwcap2(void);
uint64_t arch_minsigstksz(void);
/* Function bodies for the vDSO's rewritten functions, their length (at
 * most 16 bytes) in out: one that makes syscall nr with the caller's
 * arguments and returns its result (getcpu), one that returns value
 * (getrandom's -ENOSYS). */
size_t arch_syscall_thunk(long nr, uint8_t out[16]);
size_t arch_return_thunk(int32_t value, uint8_t out[16]);
/* Whether a CPU feature of the host's /proc/cpuinfo list ("flags",
 * "Features") is one AT_HWCAP hides from guests, so cpuinfo leaves it out. */
bool arch_cpu_feature_hidden(const char *name);


/* NT_PRSTATUS for a guest tracer (ptrace.c): at 0 for most stops, 1 at a
 * syscall's entry, 2 at its exit. get fills buf (ARCH_PTRACE_GPR_MAX
 * bytes) and returns the regset's size; set takes len bytes of it. */
#define ARCH_PTRACE_GPR_MAX 512
size_t arch_ptrace_gpr_get(const struct arch_regs *r, int at, void *buf);
void arch_ptrace_gpr_set(struct arch_regs *r, int at, const void *buf, size_t len);
/* The other regsets a guest tracer gets whole: where in struct arch_regs
 * and how long; false for a type the arch has not. check: -EINVAL for
 * contents the kernel refuses to set. */
bool arch_ptrace_regset_span(unsigned int type, size_t *offset, size_t *size);
int arch_ptrace_regset_check(unsigned int type, const void *buf, size_t len);
/* PTRACE_PEEKUSER / POKEUSER at offset off of struct user: 0 or -EIO. */
int arch_ptrace_peekuser(const struct arch_regs *r, uint64_t off, uint64_t *val);
int arch_ptrace_pokeuser(struct arch_regs *r, uint64_t off, uint64_t val);

#endif
