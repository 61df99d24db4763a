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
/* Whether a CPU feature of the host's /proc/cpuinfo list ("flags",
 * "Features") is one AT_HWCAP hides from guests, so cpuinfo leaves it out. */
bool arch_cpu_feature_hidden(const char *name);

#endif
