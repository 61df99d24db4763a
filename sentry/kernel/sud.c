/* Syscall user dispatch (kernel/entry/syscall_user_dispatch.c): the
 * configuration prctl and a tracer set, and the check at each syscall stop,
 * which runs before anything else looks at the call, as the kernel's runs
 * first in syscall_trace_enter(). */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "arch/arch.h"
#include "sentry/kernel/sud.h"
#include "sentry/mm/mm.h"
#include "sentry/signal/signal.h"

/* access_ok() of one byte: below the top of user space. */
static bool user_byte(uint64_t addr)
{
	return addr < ARCH_TASK_SIZE;
}

/* The kernel's sysctl kernel.syscall_user_dispatch, which may refuse to
 * arm it (EPERM), is not emulated: dispatch is always allowed. */
long sud_set(struct task *t, uint64_t mode, uint64_t offset, uint64_t len, uint64_t selector)
{
	switch (mode) {
	case PR_SYS_DISPATCH_OFF:
		if (offset || len || selector)
			return -EINVAL;
		break;
	case PR_SYS_DISPATCH_EXCLUSIVE_ON:
		/* An empty region is refused only away from 0, as is overflow. */
		if (offset && offset + len <= offset)
			return -EINVAL;
		break;
	case PR_SYS_DISPATCH_INCLUSIVE_ON:
		if (len == 0 || offset + len <= offset)
			return -EINVAL;
		/* The allowed region is everything after the range, round to it. */
		offset += len;
		len = -len;
		mode = PR_SYS_DISPATCH_EXCLUSIVE_ON;
		break;
	default:
		return -EINVAL;
	}
	/* Checked once, untagged; the read at each syscall may still fault. */
	if (mode != PR_SYS_DISPATCH_OFF && selector && !user_byte(arch_untagged_addr(selector)))
		return -EFAULT;
	t->sud = (struct linux_ptrace_sud_config){
		.mode = mode, .selector = selector, .offset = offset, .len = len
	};
	return 0;
}

void sigsys_for_call(struct task *t, struct arch_regs *r, int code, int err)
{
	struct linux_siginfo info;

	memset(&info, 0, sizeof info);
	info.si_signo = SIGSYS;
	info.si_errno = err;
	info.si_code = code;
	info.u.sys.call_addr = arch_ip(r); /* KSTK_EIP: after the instruction */
	info.u.sys.syscall = (int32_t)arch_syscall_nr(r);
	info.u.sys.arch = ARCH_AUDIT_ARCH;
	arch_syscall_rollback(r);
	sig_raise_info(t, &info, true);
}

/* force_exit_sig(): SIG_DFL that no handler, mask or sigaction can change,
 * so the group ends now as get_signal() would end it. */
static bool exit_by(struct task *t, int signo)
{
	task_exit_group(t, signo);
	return true;
}

bool sud_dispatch(struct task *t, struct arch_regs *r)
{
	const struct linux_ptrace_sud_config *c = &t->sud;
	uint8_t state;

	if (!sud_in_scope(c, arch_ip(r)) || arch_syscall_is_sigreturn_trampoline(r))
		return false;
	if (c->selector) {
		/* A tagged selector is read as the CPU reads it, tag ignored. */
		if (mm_read(t->mm, &state, arch_untagged_addr(c->selector), 1) < 0)
			return exit_by(t, SIGSEGV);
		if (state == SYSCALL_DISPATCH_FILTER_ALLOW)
			return false;
		if (state != SYSCALL_DISPATCH_FILTER_BLOCK)
			return exit_by(t, SIGSYS);
	}
	sigsys_for_call(t, r, LINUX_SYS_USER_DISPATCH, 0);
	return true;
}
