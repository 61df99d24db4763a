/* Signals. Delivery to guest handlers (frames, sigreturn) is not there yet:
 * what the default action decides is done; a signal a handler would catch is
 * reported and ends the guest rather than being silently lost. */
#ifndef UMBRA_SENTRY_SIGNAL_H
#define UMBRA_SENTRY_SIGNAL_H

#include <stdbool.h>

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

/* A signal the host stopped the stub with: a fault of the guest's, or one sent
 * to the stub from outside. */
void sig_host_stop(struct task *t, const struct plat_stop *stop);
/* A signal raised by the kernel for the task (SIGPIPE on EPIPE, SIGSEGV for
 * an i386 syscall); a fault cannot be ignored or blocked. */
void sig_raise(struct task *t, int signo, bool fault);
/* A signal from another task (kill, a child's exit): what t's action says,
 * with t stopped wherever it is when that is to end it; sb->lock held. */
void sig_send_locked(struct task *t, int signo);
/* Whether a signal waits that the mask lets through; sb->lock held. */
bool sig_pending_locked(const struct task *t);
/* Signals sent while blocked that the mask now lets through. */
void sig_unblocked(struct task *t);

#endif
