/* rseq as the emulated kernel advertises it in auxv: the Linux 7.1 layout,
 * slice_ctrl at 28 and a reserved byte at 32, so the feature size is 33. */
#ifndef UMBRA_SENTRY_RSEQ_H
#define UMBRA_SENTRY_RSEQ_H

#define RSEQ_FEATURE_SIZE 33
#define RSEQ_ALIGN 64

#endif
