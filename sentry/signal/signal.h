/* Signals: queues per thread and per process, actions, job control, and
 * delivery before a task runs guest code again (deliver.c; the frames are
 * the arch's). */
#ifndef UMBRA_SENTRY_SIGNAL_H
#define UMBRA_SENTRY_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/linux.h"

struct task;
struct plat_stop;

enum sig_default {
	SIG_DEFAULT_TERM,
	SIG_DEFAULT_CORE,
	SIG_DEFAULT_IGNORE,
	SIG_DEFAULT_STOP,
	SIG_DEFAULT_CONT,
};

#define LINUX_SA_NOCLDWAIT 0x2u

/* signal(7)'s table. */
enum sig_default sig_default_action(int signo);
const char *sig_name(int signo);

#define LINUX_SI_USER 0
#define LINUX_SI_KERNEL 0x80
#define LINUX_SI_TKILL (-6)

/* A signal the host stopped the stub with: a fault of the guest's, or one sent
 * to the stub from outside. */
void sig_host_stop(struct task *t, const struct plat_stop *stop);
/* siginfo of a signal sent by a task (kill: SI_USER; tkill: SI_TKILL). */
void sig_info_user(struct linux_siginfo *info, int signo, int code, const struct task *from);
/* A signal for the calling task, delivered before it runs guest code again;
 * a fault cannot be ignored or blocked (SIGPIPE on EPIPE, SIGSEGV for an
 * i386 syscall, the host's faults). */
void sig_raise(struct task *t, int signo, bool fault);
void sig_raise_info(struct task *t, const struct linux_siginfo *info, bool fault);
/* A signal from another task (kill, a child's exit): queued, and t is
 * interrupted wherever it is when the signal is not blocked; sb->lock held. */
void sig_send_locked(struct task *t, const struct linux_siginfo *info);
/* The mask of a wait that takes one (sigsuspend, ppoll, pselect6, epoll_pwait):
 * in place until the call returns, or until the frame of a handler that
 * the wait let run saves the old one. -EINTR when a signal it lets through
 * is pending already: the wait must not begin (a blocked signal sent
 * earlier sent no kick). */
int sig_mask_for_wait(struct task *t, linux_sigset_t mask); /* -EINTR: one is due */
/* The same for a guest's sigset argument: -EINVAL for a size other than
 * a sigset's, -EFAULT. */
int sig_mask_from_guest(struct task *t, uint64_t addr, uint64_t size);
void sig_mask_restore(struct task *t);
/* on_sig_stack(): whether sp is on t's alternate signal stack. */
bool sig_on_alt_stack(const struct task *t, uint64_t sp);
/* The same for a signal to a whole process: the thread that takes it. */
void sig_send_process_locked(struct task *t, const struct linux_siginfo *info);
/* PTRACE_PEEKSIGINFO: up to max of t's pending signals (its process's
 * with shared) from the off-th on, by number, a real-time signal's
 * instances in the order they came; how many. sb->lock held. */
int sig_peek_locked(struct task *t, bool shared, uint64_t off, struct linux_siginfo *out, int max);
/* Takes the next pending signal among allowed off the queue (synchronous
 * ones first, then the lowest): its number and siginfo, or 0. sb->lock held. */
int sig_dequeue_locked(struct task *t, linux_sigset_t allowed, struct linux_siginfo *info);
/* Takes a pending signal of *set off t's queues (set is read again each
 * time it wakes: a signalfd's mask may change), waiting until one comes,
 * until the CLOCK_MONOTONIC deadline (-EAGAIN; 0: no wait, < 0: none) or
 * until another signal is due or t is ended (-EINTR). Its number, or -errno. */
int sig_dequeue_wait(struct task *t, const linux_sigset_t *set, int64_t deadline,
		     struct linux_siginfo *info);
/* Whether the siginfo of POSIX timer id waits as signo in t's queue (or
 * its process's, shared); sb->lock held. unqueue drops it. */
bool sig_timer_queued_locked(struct task *t, bool shared, int signo, int id);
void sig_timer_unqueue_locked(struct task *t, bool shared, int signo, int id);
/* Drops bits from every queue of t's process; sb->lock held. */
void sig_unpend_group_locked(struct task *t, linux_sigset_t bits);
/* Whether a real-time signal sent by sigqueue to t (its process's queue with
 * shared) would pass RLIMIT_SIGPENDING: rt_sigqueueinfo's EAGAIN; sb->lock
 * held. */
bool sig_queue_full_locked(const struct task *t, bool shared, const struct linux_siginfo *info);
/* Frees t's queued real-time signals (and its process's, for a leader)
 * when nothing can send it any more (its task_free). */
void sig_queue_free(struct task *t);
/* Whether a signal waits that the mask lets through; sb->lock held. */
bool sig_pending_locked(const struct task *t);

/* A stop signal's default action: the whole group stops (its parent told)
 * and t waits until SIGCONT or its end; other threads stop when they next
 * look at their signals (sig_wait_while_stopped). */
void sig_stop_group(struct task *t, int signo);
void sig_wait_while_stopped(struct task *t);
/* Runs before t returns to guest code: acts on the pending signals its
 * mask lets through (default actions, handler frames) and settles a
 * syscall that was interrupted (restart or EINTR). */
void sig_deliver(struct task *t);

#endif
