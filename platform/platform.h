/* The platform contract: how guest threads are run and stopped. The only code
 * that calls ptrace, seccomp, waitpid or clones host processes lives behind it.
 * Every function returns >= 0 or -errno. A plat_thread may be used only from the
 * host thread that created it (its tracer). */
#ifndef UMBRA_PLATFORM_H
#define UMBRA_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi/linux.h"
#include "arch/arch.h"

struct plat_proc;   /* one stub process: one guest address space */
struct plat_thread; /* one stub thread, traced by the host thread that made it */

enum plat_stop_kind {
	PLAT_STOP_SYSCALL, /* the guest entered the kernel; nothing ran on the host */
	PLAT_STOP_SIGNAL,  /* a fault or a signal; info holds its siginfo */
	PLAT_STOP_EXITED,  /* the stub is gone: exit status in status */
	PLAT_STOP_KILLED,  /* the stub is gone: killed by signo */
	PLAT_STOP_INTERRUPT, /* plat_thread_interrupt: the sentry wants the thread back */
};

struct plat_stop {
	enum plat_stop_kind kind;
	int signo;
	int status;
	struct linux_siginfo info;
	/* A fault's details beside its siginfo, as the CPU gave them: x86_64's
	 * error code and trap number, arm64's ESR (code); with fault_known. */
	bool fault_known;
	uint64_t fault_code, fault_trapno;
};

/* Checks the host (PTRACE_SYSEMU, seccomp) and prepares the stub image and its
 * seccomp filter; idempotent and thread-safe. */
int plat_init(void);

/* The host kernel's vDSO and its data pages ([vvar], [vvar_vclock]), which
 * every stub keeps at the same place (ARCH_VDSO_BASE), reserved in every
 * guest: clock_gettime, gettimeofday and time then run without a stop, on
 * the host's clocks as umbra's own syscalls give them. Its getcpu and
 * getrandom are made syscalls (the vCPU, the sandbox's randomness). n is 0
 * when the host has no vDSO umbra can move. Valid after plat_init. */
struct plat_special {
	uint64_t start, end;
	int prot;
	char name[16]; /* as /proc/PID/maps names it */
};
struct plat_vdso {
	size_t n;
	struct plat_special area[4];
	uint64_t ehdr; /* AT_SYSINFO_EHDR: the vDSO's ELF header */
};
const struct plat_vdso *plat_vdso(void);

/* Starts a stub whose address space is empty but for the stub text and the
 * vDSO, with memfd available to plat_map. The calling host thread becomes the tracer. */
int plat_proc_create(int memfd, struct plat_proc **procp, struct plat_thread **threadp);
/* Kills the stub and reaps it; safe on every path, NULL is a no-op. Threads
 * other tracers attached keep what they name until their plat_thread_exit. */
void plat_proc_destroy(struct plat_proc *proc);
int plat_proc_pid(const struct plat_proc *proc); /* host pid, for host clocks */
/* SIGKILLs the stub from any host thread (through a pidfd: never another
 * process, even once the stub is reaped). Serialise with plat_proc_destroy. */
int plat_proc_kill(struct plat_proc *proc);
/* CPU time and peak memory the stub has used (getrusage, times). */
struct plat_usage {
	unsigned long long user_ns, sys_ns, maxrss_kb;
};
int plat_proc_usage(struct plat_proc *proc, struct plat_usage *u);
/* A stub thread's CPU time, which the host's clocks give only to its own
 * process: kind 0 user+system, 1 user (clock ticks), 2 scheduler run time
 * (ns), as CPUCLOCK_PROF, _VIRT and _SCHED. Any host thread may ask,
 * serialised with plat_thread_exit. */
int plat_thread_cputime(const struct plat_thread *th, int kind, uint64_t *ns);

/* Guest threads: a stub thread each. spawn starts one through via (injected
 * clone); it waits, untraced and touching no memory, until the host thread
 * that is to trace it calls attach with the host tid spawn gave. exit ends
 * one thread (never the stub's first, which lives as long as the stub) and
 * frees it; a thread killed with its stub is only freed. */
int plat_thread_spawn(struct plat_thread *via, int *tid);
/* Makes a thread that runs guest code stop soon (PLAT_STOP_INTERRUPT), from
 * any host thread; a stopped one stops again once resumed. Serialise with
 * plat_thread_exit and plat_proc_destroy. */
int plat_thread_interrupt(struct plat_thread *th);
int plat_thread_attach(struct plat_proc *proc, int tid, struct plat_thread **out);
void plat_thread_exit(struct plat_thread *th);

/* Leaves nothing in the stub's address space but its text and the vDSO
 * again (execve in place); the stub must have no other thread. */
int plat_proc_reset(struct plat_thread *via);

/* Address space changes, injected through a stopped thread of the stub. */
int plat_map(struct plat_thread *via, uint64_t addr, uint64_t len, int prot, uint64_t memfd_off);
int plat_unmap(struct plat_thread *via, uint64_t addr, uint64_t len);
/* Maps a host file (shared or private, as mmap's flags say) instead of the
 * memory file: the host then keeps it coherent with the file. The fd stays
 * the caller's. */
int plat_map_file(struct plat_thread *via, uint64_t addr, uint64_t len, int prot, bool shared,
		  int host_fd, uint64_t off);
/* madvise(2) in the stub (MADV_DONTNEED on a private file mapping). */
int plat_advise(struct plat_thread *via, uint64_t addr, uint64_t len, int advice);
/* Copies from and to the stub's memory as the guest's protections allow,
 * for memory the sentry does not map (plat_map_file's): the bytes copied
 * (fewer at an inaccessible page), or -EFAULT when none could be. Any host
 * thread may call them. */
long plat_proc_read(struct plat_proc *proc, void *dst, uint64_t src, size_t len);
long plat_proc_write(struct plat_proc *proc, uint64_t dst, const void *src, size_t len);
int plat_protect(struct plat_thread *via, uint64_t addr, uint64_t len, int prot);

/* The thread's register state, owned by the platform: read it, change it, and
 * plat_run writes it back before the thread runs again. */
struct arch_regs *plat_regs(struct plat_thread *th);
/* Completes plat_regs with every register set (FP/SIMD, TLS, arm64's true x7). */
int plat_regs_load_full(struct plat_thread *th);

/* Runs guest code until the next stop. */
int plat_run(struct plat_thread *th, struct plat_stop *stop);
/* Runs one instruction of guest code: a syscall stops as a syscall, any
 * other instruction with the host's single-step SIGTRAP. */
int plat_run_step(struct plat_thread *th, struct plat_stop *stop);

#endif
