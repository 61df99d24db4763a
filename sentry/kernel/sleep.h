/* Sleeps that signals interrupt. */
#ifndef UMBRA_SENTRY_SLEEP_H
#define UMBRA_SENTRY_SLEEP_H

#include <stdint.h>
#include <time.h>

struct task;

int64_t sleep_now_ns(clockid_t clk);
struct timespec sleep_ts(int64_t ns);
/* Sleeps until the CLOCK_MONOTONIC deadline (0), or -EINTR when a signal
 * the task lets through is pending or it is being ended. */
long sleep_until(struct task *t, int64_t deadline_ns);

#endif
