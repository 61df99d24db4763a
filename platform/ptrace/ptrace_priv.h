/* Private state of the ptrace platform. */
#ifndef UMBRA_PLATFORM_PTRACE_PRIV_H
#define UMBRA_PLATFORM_PTRACE_PRIV_H

#include <linux/filter.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "platform/platform.h"

/* fds every stub has, and nothing else: the memory file, until its exec
 * the stub image, and the socket host files come through (filemap.c). */
#define PTRACE_STUB_MEMFD 3
#define PTRACE_STUB_EXEFD 4
#define PTRACE_STUB_SOCKFD 5
/* A page of the stub's reserved range that receiving a file needs
 * (its msghdr), mapped the first time. */
#define PTRACE_STUB_SCRATCH (ARCH_STUB_BASE + 0x8000)
/* The rest of the reserved range: the alternate stack the host kernel
 * builds its frames on when a fault's details are read (faultinfo.c). */
#define PTRACE_STUB_ALTSTACK (ARCH_STUB_BASE + 0x9000)
#define PTRACE_STUB_ALTSTACK_SIZE (ARCH_STUB_SIZE - 0x9000)

/* What plat_thread_interrupt sends: a stub gets it from nobody else, and
 * its stop is recognised by the sender (the sentry). */
#define PTRACE_INTERRUPT_SIGNAL SIGURG

/* clone(2) flags of a stub thread: the stub's memory, files and handlers. */
#define PTRACE_THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
			     CLONE_THREAD | CLONE_SYSVSEM)

struct plat_thread {
	struct plat_proc *proc;
	pid_t tid;
	struct arch_regs regs;
	bool at_syscall; /* stopped at a syscall-entry stop */
	bool altstack;   /* its host sigaltstack is PTRACE_STUB_ALTSTACK */
	bool gone;       /* exited or killed: nothing to resume */
};

struct plat_proc {
	pid_t pid;
	int pidfd;
	int refs; /* its maker and each attached thread: the struct outlives the stub */
	bool reaped;
	int sock;             /* the sentry's end of the stub's socket */
	bool scratch_mapped;  /* PTRACE_STUB_SCRATCH exists */
	bool sock_broken;     /* a file sent was never taken: no more */
	bool fault_handlers;  /* host handlers for faults, on the alternate stack */
	pthread_mutex_t fault_lock; /* one fault's frame at a time on that stack */
	struct plat_thread main;
};

struct ptrace_host {
	int stub_fd;             /* sealed memfd holding the stub image */
	struct sock_fprog filter; /* the stub's seccomp filter */
};

extern struct ptrace_host ptrace_host;

int ptrace_regs_get(struct plat_thread *th, unsigned int set, struct arch_regs *r);
int ptrace_regs_set(struct plat_thread *th, unsigned int set, const struct arch_regs *r);
long ptrace_inject(struct plat_thread *th, long nr, const uint64_t args[6]);
/* ptrace_inject with the arguments spelt out. */
long ptrace_inject6(struct plat_thread *th, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
		    uint64_t a3, uint64_t a4, uint64_t a5);
/* An injected mmap(addr, len, prot, flags | MAP_FIXED, fd, off): 0, -errno,
 * or -EFAULT when the stub mapped it elsewhere. */
int ptrace_inject_mmap(struct plat_thread *th, uint64_t addr, uint64_t len, int prot, int flags,
		       int fd, uint64_t off);
/* The same through another syscall instruction of the stub's text. */
long ptrace_inject_at(struct plat_thread *th, uint64_t ip, long nr, const uint64_t args[6]);
int ptrace_settle(struct plat_thread *th);
int ptrace_wait(struct plat_thread *th, int *status);
/* The thread was reaped: nothing to resume, and with the main thread the
 * whole stub is gone. */
void ptrace_thread_gone(struct plat_thread *th);
/* Whether a signal stop is plat_thread_interrupt's. */
bool ptrace_is_interrupt(struct plat_thread *th, int status);
int ptrace_seccomp_filter(struct sock_fprog *out);
/* Maps PTRACE_STUB_SCRATCH the first time. */
int ptrace_scratch(struct plat_thread *via);
/* At a stop for a fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE from the CPU): the
 * details only the host's signal frame holds, into stop; the thread is left
 * as it was. If the fault does not come back, stop becomes whatever stop
 * the thread made instead. */
int ptrace_fault_info(struct plat_thread *th, int status, struct plat_stop *stop);
/* The host's vDSO (vdso.c): found once at plat_init; moved to
 * ARCH_VDSO_BASE and rewritten in a new stub before it is stripped; the
 * length of the block it fills there (0 without one). */
void ptrace_vdso_init(void);
int ptrace_vdso_place(struct plat_thread *th);
uint64_t ptrace_vdso_len(void);
int ptrace_decode_stop(struct plat_thread *th, int status, struct plat_stop *stop);

extern const unsigned char ptrace_stub_image[];
extern const unsigned int ptrace_stub_image_len;

#endif
