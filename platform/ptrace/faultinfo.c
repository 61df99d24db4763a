/* What the CPU said of a fault beyond its siginfo: x86_64's error code and
 * trap number, arm64's ESR. ptrace does not show them; only the host
 * kernel's signal frame holds them. So the stub has host handlers for the
 * fault signals at ARCH_STUB_TRAP (a trap), running on an alternate stack in
 * its reserved range: the sentry steps the faulting instruction again
 * (PTRACE_SYSEMU_SINGLESTEP, so that no guest syscall reaches the host),
 * lets the kernel deliver the fault it raises, reads the frame at the
 * handler's trap, and puts every register back. Handlers and stacks are set
 * up the first time a process, and a thread, faults. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "platform/ptrace/ptrace_priv.h"

#define LINUX_SA_NODEFER 0x40000000u

/* The kernel's struct sigaction (with SA_RESTORER on both arches). */
struct host_sigaction {
	uint64_t handler, flags, restorer, mask;
};

static const int fault_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };

static bool is_cpu_fault(const struct plat_stop *stop)
{
	for (size_t i = 0; i < sizeof fault_signals / sizeof fault_signals[0]; i++)
		if (stop->signo == fault_signals[i])
			return stop->kind == PLAT_STOP_SIGNAL && stop->info.si_code > 0;
	return false;
}

/* The handlers (no mask, SA_NODEFER: the thread's blocked set never
 * changes) and the stack's memory, once per stub. */
static int setup_process(struct plat_thread *th)
{
	struct host_sigaction act = { ARCH_STUB_TRAP,
				      LINUX_SA_SIGINFO | LINUX_SA_ONSTACK | LINUX_SA_RESTORER |
					      LINUX_SA_NODEFER,
				      ARCH_STUB_TRAP, 0 };
	long r = ptrace_scratch(th);

	if (th->proc->fault_handlers || r < 0)
		return (int)r;
	r = ptrace_inject_mmap(th, PTRACE_STUB_ALTSTACK, PTRACE_STUB_ALTSTACK_SIZE,
			       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r >= 0 && plat_proc_write(th->proc, PTRACE_STUB_SCRATCH, &act, sizeof act) !=
			      (long)sizeof act)
		r = -EFAULT;
	for (size_t i = 0; r >= 0 && i < sizeof fault_signals / sizeof fault_signals[0]; i++)
		r = ptrace_inject6(th, SYS_rt_sigaction, (uint64_t)fault_signals[i],
				   PTRACE_STUB_SCRATCH, 0, sizeof act.mask, 0, 0);
	if (r < 0)
		return (int)r;
	th->proc->fault_handlers = true;
	return 0;
}

static int setup_thread(struct plat_thread *th)
{
	stack_t ss = { (void *)(uintptr_t)PTRACE_STUB_ALTSTACK, 0, PTRACE_STUB_ALTSTACK_SIZE };
	long r;

	if (th->altstack)
		return 0;
	if (plat_proc_write(th->proc, PTRACE_STUB_SCRATCH, &ss, sizeof ss) != (long)sizeof ss)
		return -EFAULT;
	r = ptrace_inject6(th, SYS_sigaltstack, PTRACE_STUB_SCRATCH, 0, 0, 0, 0, 0);
	if (r < 0)
		return (int)r;
	th->altstack = true;
	return 0;
}

static int resume_wait(struct plat_thread *th, int request, int sig, int *status)
{
	if (ptrace(request, th->tid, 0, (void *)(long)sig) < 0)
		return -errno;
	return ptrace_wait(th, status);
}

/* The fault again, delivered to the handler, and the frame read at its
 * trap. 1: the details are in stop; 2: the step stopped otherwise (the
 * fault went away), in *status; 0: the details could not be had. */
static int trip(struct plat_thread *th, const struct arch_regs *at_fault, struct plat_stop *stop,
		int *status)
{
	struct arch_regs handler;
	uint8_t uc[8192];
	int err = ptrace_regs_set(th, 0, at_fault);

	if (!err)
		err = resume_wait(th, PTRACE_SYSEMU_SINGLESTEP, 0, status);
	if (err)
		return err;
	if (!WIFSTOPPED(*status) || WSTOPSIG(*status) != stop->signo)
		return 2;
	err = resume_wait(th, PTRACE_CONT, stop->signo, status);
	if (!err && WIFSTOPPED(*status) && WSTOPSIG(*status) == SIGTRAP)
		err = ptrace_regs_get(th, 0, &handler);
	else if (!err)
		return 0; /* the kernel could not build its frame, or another signal came */
	if (err)
		return err;
	if (arch_fault_ucontext_len > sizeof uc ||
	    plat_proc_read(th->proc, uc, arch_fault_ucontext(&handler), arch_fault_ucontext_len) !=
		    (long)arch_fault_ucontext_len)
		return 0;
	arch_fault_parse(uc, &stop->fault_code, &stop->fault_trapno);
	stop->fault_known = true;
	return 1;
}

/* The step ended without the fault: whatever stopped the thread instead,
 * with its registers as they now are. A completed step is no stop of the
 * guest's: the sentry is handed an interrupt. */
static int went_away(struct plat_thread *th, int status, struct plat_stop *stop)
{
	int err;

	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP)
		return ptrace_decode_stop(th, status, stop);
	memset(stop, 0, sizeof *stop);
	err = ptrace_regs_get(th, 0, &th->regs);
	if (err)
		return err;
	th->regs.fp_valid = false;
	arch_signal_stopped(&th->regs);
	stop->kind = PLAT_STOP_INTERRUPT;
	return 0;
}

int ptrace_fault_info(struct plat_thread *th, int status, struct plat_stop *stop)
{
	struct plat_proc *p = th->proc;
	struct arch_regs *saved;
	int err, r;

	if (!is_cpu_fault(stop))
		return 0;
	err = plat_regs_load_full(th);
	saved = err ? NULL : malloc(sizeof *saved);
	if (!saved)
		return err ? err : -ENOMEM;
	*saved = th->regs;
	pthread_mutex_lock(&p->fault_lock);
	err = setup_process(th);
	if (!err)
		err = setup_thread(th);
	r = err ? err : trip(th, saved, stop, &status);
	pthread_mutex_unlock(&p->fault_lock);
	th->regs = *saved; /* every register as at the fault: plat_run writes them back */
	free(saved);
	if (r == 2)
		return went_away(th, status, stop);
	return r < 0 ? r : 0;
}
