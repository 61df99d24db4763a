/* The process's timers: setitimer's three interval timers and the POSIX
 * timers of timer_create, run by one host thread of the sandbox. */
#ifndef UMBRA_SENTRY_ITIMER_H
#define UMBRA_SENTRY_ITIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/linux.h"

struct task;
struct sandbox;

/* setitimer's timers, kept under ids no timer_create gives. */
#define KTIMER_ITIMER(which) (-1 - (which))
/* The clock ITIMER_VIRTUAL counts: the process's user CPU time. */
#define KTIMER_CLOCK_VIRT 1000

struct ktimer {
	struct ktimer *next; /* the process's (leader->timers), by sb->lock */
	struct task *leader;
	int id;       /* timer_create's id, or KTIMER_ITIMER(which) */
	int clock;    /* the guest clock it counts, or KTIMER_CLOCK_VIRT */
	int base;     /* the clock expires is on: CLOCK_MONOTONIC for a relative
		       * CLOCK_REALTIME timer, as Linux's hrtimers do */
	int64_t expires, interval; /* ns; expires 0: disarmed */
	int notify;   /* LINUX_SIGEV_* */
	int tid;      /* SIGEV_THREAD_ID: the thread told */
	struct linux_siginfo info; /* what it sends */
	int64_t overrun;  /* expirations since its signal was queued */
	int overrun_last; /* what the last signal taken carried */
	int queued_tid;   /* its signal waits: in this thread's queue, or -1
			   * in the process's; 0: none waits */
};

/* A new disarmed timer of leader's process on clock; NULL: no memory. */
struct ktimer *ktimer_new_locked(struct task *leader, int id, int clock);
struct ktimer *ktimer_find_locked(struct task *leader, int id);
/* Time left (0: disarmed) and interval, in ns. */
void ktimer_get_locked(struct ktimer *k, int64_t *value, int64_t *interval);
/* Arms (value > 0, absolute on its clock with abs) or disarms (0); a signal
 * of the old setting still queued goes. -errno when the thread cannot start. */
int ktimer_set_locked(struct ktimer *k, bool abs, int64_t value, int64_t interval);
void ktimer_delete_locked(struct ktimer *k);
/* The process's CPU time in ns on a CPU clock (CLOCK_PROCESS_CPUTIME_ID,
 * CLOCK_THREAD_CPUTIME_ID, KTIMER_CLOCK_VIRT); sb->lock held. */
int64_t ktimer_cpu_now_locked(struct task *leader, int clock);
/* A timer's signal was taken off a queue: its overrun count goes into the
 * siginfo. sb->lock held. */
void ktimer_dequeued_locked(struct task *t, struct linux_siginfo *info);
/* execve: the POSIX timers go, setitimer's stay (Linux's exit_itimers in
 * begin_new_exec). */
void ktimer_exec(struct task *t);
/* The process ends: every timer goes; sb->lock held. */
void ktimer_exit_locked(struct task *leader);
/* Frees what is left of a task no longer on the sandbox's list. */
void ktimer_free_all(struct task *leader);
/* Ends the sandbox's timer thread. */
void itimer_stop(struct sandbox *sb);

#endif
