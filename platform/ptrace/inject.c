/* Syscalls the sentry runs inside a stub: point a stopped thread at the
 * trampoline (syscall; trap), continue without SYSEMU, catch the trap. */
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "platform/ptrace/ptrace_priv.h"

/* Runs the thread from regs until its trap in the stub; returns the trap's
 * registers in regs. */
static int run_to_trap(struct plat_thread *th, struct arch_regs *regs)
{
	int status, err;

	if (th->gone)
		return -ESRCH;
	err = ptrace_regs_set(th, 0, regs);
	if (!err && ptrace(PTRACE_CONT, th->tid, 0, 0) < 0)
		err = -errno;
	if (!err)
		err = ptrace_wait(th, &status);
	/* An interrupt meant for guest code: the sentry is in control already,
	 * so it is dropped and the injection goes on. */
	while (!err && ptrace_is_interrupt(th, status)) {
		if (ptrace(PTRACE_CONT, th->tid, 0, 0) < 0)
			err = -errno;
		if (!err)
			err = ptrace_wait(th, &status);
	}
	if (err)
		return err;
	if (!WIFSTOPPED(status)) {
		ptrace_thread_gone(th);
		return -ESRCH;
	}
	if (WSTOPSIG(status) != SIGTRAP)
		return -EFAULT; /* the stub's text is no longer what it was */
	err = ptrace_regs_get(th, 0, regs);
	if (err)
		return err;
	if (th->at_syscall)
		arch_regs_after_trap(&th->regs, regs);
	th->at_syscall = false;
	return 0;
}

long ptrace_inject_at(struct plat_thread *th, uint64_t ip, long nr, const uint64_t args[6])
{
	struct arch_regs regs = th->regs;
	int err;

	arch_inject_setup(&regs, nr, args);
	arch_set_ip(&regs, ip);
	err = run_to_trap(th, &regs);
	return err ? err : arch_inject_result(&regs);
}

long ptrace_inject(struct plat_thread *th, long nr, const uint64_t args[6])
{
	return ptrace_inject_at(th, ARCH_STUB_TRAMPOLINE, nr, args);
}

/* Passes the thread through a bare trap so that what a syscall stop hides
 * (arm64's x7) can be read; the guest's state is untouched. */
int ptrace_settle(struct plat_thread *th)
{
	struct arch_regs regs = th->regs;

	arch_set_ip(&regs, ARCH_STUB_TRAP);
	return run_to_trap(th, &regs);
}

long ptrace_inject6(struct plat_thread *th, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
		    uint64_t a3, uint64_t a4, uint64_t a5)
{
	uint64_t args[6] = { a0, a1, a2, a3, a4, a5 };

	return ptrace_inject(th, nr, args);
}

int ptrace_inject_mmap(struct plat_thread *th, uint64_t addr, uint64_t len, int prot, int flags,
		       int fd, uint64_t off)
{
	long r = ptrace_inject6(th, SYS_mmap, addr, len, (uint64_t)prot,
				(uint64_t)(flags | MAP_FIXED), (uint64_t)(int64_t)fd, off);

	if (r < 0)
		return (int)r;
	return (uint64_t)r == addr ? 0 : -EFAULT;
}

int plat_map(struct plat_thread *via, uint64_t addr, uint64_t len, int prot, uint64_t off)
{
	return ptrace_inject_mmap(via, addr, len, prot, MAP_SHARED, PTRACE_STUB_MEMFD, off);
}

int plat_unmap(struct plat_thread *via, uint64_t addr, uint64_t len)
{
	long r = ptrace_inject6(via, SYS_munmap, addr, len, 0, 0, 0, 0);

	return r < 0 ? (int)r : 0;
}

int plat_protect(struct plat_thread *via, uint64_t addr, uint64_t len, int prot)
{
	long r = ptrace_inject6(via, SYS_mprotect, addr, len, (uint64_t)prot, 0, 0, 0);

	return r < 0 ? (int)r : 0;
}
