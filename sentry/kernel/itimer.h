/* The per-process real-time interval timer (setitimer, alarm). */
#ifndef UMBRA_SENTRY_ITIMER_H
#define UMBRA_SENTRY_ITIMER_H

#include <stdint.h>

struct task;
struct sandbox;

/* Arms (value_ns > 0), disarms (0) or, with value_ns NULL, only reads t's
 * process timer; the old value and interval come back in ns. */
long itimer_real(struct task *t, const int64_t *value_ns, const int64_t *interval_ns,
		 int64_t *old_value_ns, int64_t *old_interval_ns);
/* Ends the sandbox's timer thread. */
void itimer_stop(struct sandbox *sb);

#endif
