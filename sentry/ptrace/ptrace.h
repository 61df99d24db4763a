/* ptrace between guests (kernel/ptrace.c): a guest task may trace another
 * of its sandbox. The tracee's own sentry thread stops it where Linux
 * would (a ptrace-stop: syscall entry and exit, signal delivery, exec) and
 * waits there; the tracer's requests read and change its state meanwhile,
 * and work that only the tracee's thread can do (the stub's registers that
 * a stop does not load) is handed to it (stop.c). */
#ifndef UMBRA_SENTRY_PTRACE_H
#define UMBRA_SENTRY_PTRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/linux.h"

struct task;

/* include/uapi/linux/ptrace.h */
#define LINUX_PTRACE_O_TRACESYSGOOD 0x01
#define LINUX_PTRACE_O_TRACEFORK 0x02
#define LINUX_PTRACE_O_TRACEVFORK 0x04
#define LINUX_PTRACE_O_TRACECLONE 0x08
#define LINUX_PTRACE_O_TRACEEXEC 0x10
#define LINUX_PTRACE_O_TRACEVFORKDONE 0x20
#define LINUX_PTRACE_O_TRACEEXIT 0x40
#define LINUX_PTRACE_O_TRACESECCOMP 0x80
#define LINUX_PTRACE_O_EXITKILL 0x100000
#define LINUX_PTRACE_O_SUSPEND_SECCOMP 0x200000
#define LINUX_PTRACE_O_MASK 0x3000ff
#define LINUX_PTRACE_EVENT_FORK 1
#define LINUX_PTRACE_EVENT_VFORK 2
#define LINUX_PTRACE_EVENT_CLONE 3
#define LINUX_PTRACE_EVENT_EXEC 4
#define LINUX_PTRACE_EVENT_VFORK_DONE 5
#define LINUX_PTRACE_EVENT_EXIT 6
#define LINUX_PTRACE_EVENT_SECCOMP 7
#define LINUX_PTRACE_EVENT_STOP 128

/* How the tracer let the tracee go on. */
enum ptrace_run {
	PTRACE_RUN_CONT,    /* PTRACE_CONT */
	PTRACE_RUN_SYSCALL, /* stop at the next syscall entry and exit */
	PTRACE_RUN_SYSEMU,  /* stop at the next syscall entry and skip it */
};

/* What a ptrace-stop is at (PTRACE_GET_SYSCALL_INFO's op). */
enum ptrace_at { PTRACE_AT_NONE, PTRACE_AT_ENTRY, PTRACE_AT_EXIT, PTRACE_AT_SECCOMP };

struct ptrace_work;

/* A task's tracing (t->ptrace); by sb->lock. */
struct ptrace_state {
	struct task *tracer; /* NULL: not traced */
	uint32_t options;
	bool seized;
	enum ptrace_run run;
	/* A ptrace-stop: the task waits in it until the tracer resumes it
	 * (resume_sig: the signal it goes on with), reported to wait once. */
	bool stopped, reported;
	int status; /* its wait status */
	int resume_sig;
	enum ptrace_at at;
	struct linux_siginfo info; /* the stop's (GETSIGINFO); si_signo 0: none */
	uint64_t eventmsg;
	struct ptrace_work *work; /* handed to the stopped task's thread */
	bool trap_pending; /* PTRACE_INTERRUPT: a PTRACE_EVENT_STOP to make */
	bool step; /* PTRACE_SINGLESTEP: the next run is one instruction */
	bool group_stop; /* its ptrace-stop is its part in a group stop */
	bool listen;     /* PTRACE_LISTEN: stays in the group stop, untraced-like */
	unsigned int stop_seen; /* the group stop it reported */
	/* It ended, and its tracer (not its parent's group) collects that
	 * first: a thread is freed then, a process handed to its parent. */
	bool zombie;
};

/* The tracee's side (stop.c). */

/* A syscall stop at entry when the tracer asked for one: true when the
 * syscall must not run (PTRACE_SYSEMU, or the tracer made its number -1). */
bool ptrace_syscall_entry(struct task *t);
/* The syscall's exit stop, after its result is in the registers. */
void ptrace_syscall_exit(struct task *t);
/* Signal delivery: the tracer sees signo first; the signal to deliver
 * (0: none), with *info as the tracer left it. */
int ptrace_signal(struct task *t, int signo, struct linux_siginfo *info);
/* SECCOMP_RET_TRACE: PTRACE_EVENT_SECCOMP with the filter's data as the
 * event message (t's tracer asked, PTRACE_O_TRACESECCOMP). */
void ptrace_seccomp(struct task *t, uint32_t data);
/* t ran with PTRACE_SINGLESTEP and stopped (at a syscall: the step's
 * SIGTRAP comes once the syscall is answered, as after Linux's). */
void ptrace_stepped(struct task *t, bool syscall);
/* t's group is stopped (leader->stopped): t reports it to its tracer
 * once, as a ptrace-stop; true when t then waits in the group stop
 * (PTRACE_LISTEN), false when its tracer let it run on. */
bool ptrace_group_stop(struct task *t);
/* Before t runs guest code: the PTRACE_EVENT_STOP PTRACE_INTERRUPT asked. */
void ptrace_trap(struct task *t);
/* A successful execve (old_tid: the tid the exec came from). */
void ptrace_exec(struct task *t, int old_tid);
/* t ends (exit, exit_group, a fatal signal): PTRACE_EVENT_EXIT, with the
 * exit status as its message. */
void ptrace_exit_event(struct task *t);
/* t's thread ends: tracees of it are let go (or killed, EXITKILL). If a
 * tracer other than its parent's group traces t, t stays for that tracer
 * to collect (true; the tracer is told), else it is untraced (false).
 * sb->lock held. */
bool ptrace_exit_locked(struct task *t);
/* clone, before the child runs (kernel_clone, ptrace_init_task): if t's
 * tracer asked for event (PTRACE_EVENT_FORK, _VFORK, _CLONE), it traces
 * the child too, stopped at its start; the event, or 0 for none. */
int ptrace_clone(struct task *t, struct task *child, int event);
/* The event's stop in t, with the child's tid as its message (0: none). */
void ptrace_event_pid(struct task *t, int event, int pid);
/* vfork's child exec'd or ended: PTRACE_EVENT_VFORK_DONE if asked. */
void ptrace_vfork_done(struct task *t, int pid);

/* The tracer's side: wait4 and waitid (wait.c) report ptrace-stops and
 * ends of the tracees of t's group (id: that tid, 0 any): 1 with *pid and
 * *status set, 0 none; *reaped: a thread collected, to free once sb->lock
 * is dropped. sb->lock held. */
int ptrace_wait_locked(struct task *t, int id, bool nowait, int *pid, int *status,
		       struct task **reaped);
/* Whether t traces any task (wait's ECHILD). sb->lock held. */
bool ptrace_has_tracees_locked(const struct task *t);

#endif
