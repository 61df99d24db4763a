/* Running guest code: write back the registers, PTRACE_SYSEMU, decode the stop. */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/ptrace/ptrace_priv.h"

int ptrace_regs_get(struct plat_thread *th, unsigned int set, struct arch_regs *r)
{
	const struct arch_regset *rs = &arch_regsets[set];
	struct iovec iov = { (char *)r + rs->offset, rs->size };

	if (ptrace(PTRACE_GETREGSET, th->tid, (void *)(long)rs->type, &iov) < 0)
		return -errno;
	return 0;
}

int ptrace_regs_set(struct plat_thread *th, unsigned int set, const struct arch_regs *r)
{
	const struct arch_regset *rs = &arch_regsets[set];
	struct iovec iov = { (char *)r + rs->offset, rs->size };

	if (ptrace(PTRACE_SETREGSET, th->tid, (void *)(long)rs->type, &iov) < 0)
		return -errno;
	return 0;
}

struct arch_regs *plat_regs(struct plat_thread *th)
{
	return &th->regs;
}

int plat_regs_load_full(struct plat_thread *th)
{
	int err;

	if (!arch_regs_complete(&th->regs)) {
		err = ptrace_settle(th);
		if (err)
			return err;
	}
	if (th->regs.fp_valid)
		return 0;
	for (unsigned int i = 1; i < arch_nregsets; i++) {
		err = ptrace_regs_get(th, i, &th->regs);
		if (err)
			return err;
	}
	th->regs.fp_valid = true;
	return 0;
}

/* Writes back what the sentry may have changed: the general registers always,
 * the rest when they were loaded (and so may have been edited). */
static int store_regs(struct plat_thread *th)
{
	unsigned int n = th->regs.fp_valid ? arch_nregsets : 1;
	int err;

	for (unsigned int i = 0; i < n; i++) {
		err = ptrace_regs_set(th, i, &th->regs);
		if (err)
			return err;
	}
	th->regs.fp_valid = false;
	return 0;
}

static bool from_sentry(int signo, const struct linux_siginfo *info)
{
	return signo == PTRACE_INTERRUPT_SIGNAL && info->si_code == SI_TKILL &&
	       info->u.kill.pid == getpid();
}

int ptrace_decode_stop(struct plat_thread *th, int status, struct plat_stop *stop)
{
	int err;

	memset(stop, 0, sizeof *stop);
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		ptrace_thread_gone(th);
		stop->kind = WIFEXITED(status) ? PLAT_STOP_EXITED : PLAT_STOP_KILLED;
		stop->status = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
		stop->signo = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		return 0;
	}
	err = ptrace_regs_get(th, 0, &th->regs);
	if (err)
		return err;
	if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
		th->at_syscall = true;
		arch_syscall_entered(&th->regs);
		stop->kind = PLAT_STOP_SYSCALL;
		return 0;
	}
	th->at_syscall = false;
	arch_signal_stopped(&th->regs);
	stop->kind = PLAT_STOP_SIGNAL;
	stop->signo = WSTOPSIG(status);
	if (ptrace(PTRACE_GETSIGINFO, th->tid, 0, &stop->info) < 0)
		return -errno;
	if (from_sentry(stop->signo, &stop->info))
		stop->kind = PLAT_STOP_INTERRUPT;
	return ptrace_fault_info(th, status, stop);
}

bool ptrace_is_interrupt(struct plat_thread *th, int status)
{
	struct linux_siginfo info;

	if (!WIFSTOPPED(status) || WSTOPSIG(status) != PTRACE_INTERRUPT_SIGNAL)
		return false;
	if (ptrace(PTRACE_GETSIGINFO, th->tid, 0, &info) < 0)
		return false;
	return from_sentry(WSTOPSIG(status), &info);
}

static int run_as(struct plat_thread *th, int request, struct plat_stop *stop)
{
	int status, err;

	if (th->gone)
		return -ESRCH;
	err = store_regs(th);
	if (!err && ptrace(request, th->tid, 0, 0) < 0)
		err = -errno;
	if (!err)
		err = ptrace_wait(th, &status);
	if (err)
		return err;
	/* Event stops (none are enabled) and group stops are not guest work. */
	while (WIFSTOPPED(status) && (status >> 16) != 0) {
		if (ptrace(PTRACE_SYSEMU, th->tid, 0, 0) < 0)
			return -errno;
		err = ptrace_wait(th, &status);
		if (err)
			return err;
	}
	return ptrace_decode_stop(th, status, stop);
}

int plat_run(struct plat_thread *th, struct plat_stop *stop)
{
	return run_as(th, PTRACE_SYSEMU, stop);
}

int plat_run_step(struct plat_thread *th, struct plat_stop *stop)
{
	return run_as(th, PTRACE_SYSEMU_SINGLESTEP, stop);
}
