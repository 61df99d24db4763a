/* Syscall user dispatch (kernel/entry/syscall_user_dispatch.c): a task
 * may have its syscalls from outside an allowed region (or from inside a
 * dispatched one) turned into SIGSYS while a selector byte of its memory
 * says BLOCK. The state is the task's struct linux_ptrace_sud_config,
 * as PTRACE_{GET,SET}_SYSCALL_USER_DISPATCH_CONFIG move it. */
#ifndef UMBRA_SENTRY_SUD_H
#define UMBRA_SENTRY_SUD_H

#include <stdbool.h>
#include <stdint.h>

#include "sentry/kernel/task.h"

/* include/uapi/linux/prctl.h */
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_OFF 0
#define PR_SYS_DISPATCH_EXCLUSIVE_ON 1
#define PR_SYS_DISPATCH_INCLUSIVE_ON 2 /* Linux 6.17 */
#define SYSCALL_DISPATCH_FILTER_ALLOW 0
#define SYSCALL_DISPATCH_FILTER_BLOCK 1
/* include/uapi/asm-generic/siginfo.h: SIGSYS's si_code for a dispatch. */
#define LINUX_SYS_USER_DISPATCH 2

struct arch_regs;

/* task_set_syscall_user_dispatch(): prctl's and a tracer's way in, with
 * the kernel's checks in its order; 0 or -EINVAL/-EFAULT, t unchanged on
 * error. The inclusive mode is kept as the exclusive one of the
 * complementary range, as the kernel keeps it. */
long sud_set(struct task *t, uint64_t mode, uint64_t offset, uint64_t len, uint64_t selector);

/* Whether a syscall whose instruction ends at ip is in the dispatch's
 * scope: outside [offset, offset + len), modulo 2^64. */
static inline bool sud_in_scope(const struct linux_ptrace_sud_config *c, uint64_t ip)
{
	return ip - c->offset >= c->len;
}

/* At a syscall stop, before the call is looked at: true when it must not
 * run, because a SIGSYS handler answers it (registers rolled back, SIGSYS
 * raised) or the selector killed the group. */
bool sud_dispatch(struct task *t, struct arch_regs *r);
/* A call that does not run but SIGSYS comes instead (trigger_sigsys,
 * force_sig_seccomp): the registers rolled back to the call, and a forced
 * SIGSYS with code, err and the call's address, number and arch. */
void sigsys_for_call(struct task *t, struct arch_regs *r, int code, int err);

static inline bool sud_intercepts(struct task *t, struct arch_regs *r)
{
	return t->sud.mode != PR_SYS_DISPATCH_OFF && sud_dispatch(t, r);
}

/* dup_task_struct() and begin_new_exec(): a new task or image starts with
 * dispatch off, the rest of the configuration kept as a tracer would see it. */
static inline void sud_disarm(struct task *t)
{
	t->sud.mode = PR_SYS_DISPATCH_OFF;
}

#endif
