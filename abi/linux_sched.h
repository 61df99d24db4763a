/* Scheduling constants and structures of Linux's user ABI, the same on
 * x86_64 and arm64: include/uapi/linux/sched.h, sched/types.h,
 * linux/resource.h, and the ranges of include/linux/sched/prio.h. */
#ifndef UMBRA_ABI_LINUX_SCHED_H
#define UMBRA_ABI_LINUX_SCHED_H

#include <stdint.h>

/* Policies, and the flag sched_setscheduler and sched_getscheduler carry
 * in the policy's high bits. */
#define LINUX_SCHED_NORMAL 0
#define LINUX_SCHED_FIFO 1
#define LINUX_SCHED_RR 2
#define LINUX_SCHED_BATCH 3
#define LINUX_SCHED_IDLE 5
#define LINUX_SCHED_DEADLINE 6
#define LINUX_SCHED_EXT 7
#define LINUX_SCHED_RESET_ON_FORK 0x40000000

/* sched_attr.sched_flags. */
#define LINUX_SCHED_FLAG_RESET_ON_FORK 0x01
#define LINUX_SCHED_FLAG_RECLAIM 0x02
#define LINUX_SCHED_FLAG_DL_OVERRUN 0x04
#define LINUX_SCHED_FLAG_KEEP_POLICY 0x08
#define LINUX_SCHED_FLAG_KEEP_PARAMS 0x10
#define LINUX_SCHED_FLAG_UTIL_CLAMP_MIN 0x20
#define LINUX_SCHED_FLAG_UTIL_CLAMP_MAX 0x40
#define LINUX_SCHED_FLAG_UTIL_CLAMP 0x60
#define LINUX_SCHED_FLAG_ALL 0x7f
#define LINUX_SCHED_FLAG_SUGOV 0x10000000 /* the kernel's own, refused to users */

/* struct sched_attr: VER0 is 48 bytes, VER1 (utilization clamps) 56. */
struct linux_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
	uint32_t sched_util_min;
	uint32_t sched_util_max;
};
#define LINUX_SCHED_ATTR_SIZE_VER0 48
#define LINUX_SCHED_ATTR_SIZE_VER1 56

/* Nice values, and real-time priorities of SCHED_FIFO and SCHED_RR. */
#define LINUX_MIN_NICE (-20)
#define LINUX_MAX_NICE 19
#define LINUX_MAX_RT_PRIO 100

/* getpriority(2) and setpriority(2): which, and the limits they obey. */
#define LINUX_PRIO_PROCESS 0
#define LINUX_PRIO_PGRP 1
#define LINUX_PRIO_USER 2
#define LINUX_RLIMIT_NICE 13
#define LINUX_RLIMIT_RTPRIO 14

#endif
