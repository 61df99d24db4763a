/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for the rseq tests (rseq_*): struct rseq as Linux 7.1 lays it out
 * (include/uapi/linux/rseq.h), the raw syscall, glibc's own registration
 * (<sys/rseq.h>: __rseq_offset, __rseq_size), and the critical sections of
 * rseq_<arch>.S, whose descriptors are built here from their labels.
 *
 * A critical section runs from its _start label to its _end label; the
 * kernel moves a thread interrupted there to its _abort label, right after
 * the 4-byte signature (RSEQ_SIG). Nothing in them makes a syscall.
 */
#ifndef UMBRA_GUEST_RSEQ_ABI_H
#define UMBRA_GUEST_RSEQ_ABI_H

#include "sig.h"

#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/rseq.h>

#ifndef AT_RSEQ_FEATURE_SIZE
#define AT_RSEQ_FEATURE_SIZE 27
#endif
#ifndef AT_RSEQ_ALIGN
#define AT_RSEQ_ALIGN 28
#endif

/* The feature size of Linux 7.1 (slice_ctrl), which umbra advertises. */
#define RSEQ_FEATURE_V71 33

#define RSEQ_LEGACY_LEN 32
#define RSEQ_FLAG_UNREG 1
#define RSEQ_FLAG_SLICE_EXT_DEFAULT_ON (1 << 1)
/* struct rseq's flags field after a registration longer than 32 bytes. */
#define RSEQ_SLICE_EXT_AVAILABLE (1u << 4)
#define RSEQ_SLICE_EXT_ENABLED (1u << 5)
#define RSEQ_CPU_UNINIT 0xffffffffu

/* Threads and CPUs the tests size their arrays for. */
#define RSEQ_MAX_CPUS 1024

/* struct rseq of Linux 7.1; its feature size ends one byte into pad. */
struct rseq_abi {
	uint32_t cpu_id_start;
	uint32_t cpu_id;
	uint64_t rseq_cs;
	uint32_t flags;
	uint32_t node_id;
	uint32_t mm_cid;
	uint8_t slice_request;	/* slice_ctrl, byte 0 */
	uint8_t slice_granted;	/* slice_ctrl, byte 1 */
	uint8_t slice_pad[2];
} __attribute__((aligned(32)));

_Static_assert(offsetof(struct rseq_abi, cpu_id) == 4, "cpu_id");
_Static_assert(offsetof(struct rseq_abi, rseq_cs) == 8, "rseq_cs");
_Static_assert(offsetof(struct rseq_abi, node_id) == 20, "node_id");
_Static_assert(offsetof(struct rseq_abi, mm_cid) == 24, "mm_cid");
_Static_assert(offsetof(struct rseq_abi, slice_request) == 28, "slice_ctrl");
_Static_assert(sizeof(struct rseq_abi) == 32, "struct rseq");

/* The critical sections of rseq_<arch>.S (see there). */
int rseq_inc(struct rseq_abi *rs, const struct rseq_cs *cs, uint32_t cpu,
	     long *slot, long delay);
int rseq_spin(struct rseq_abi *rs, uint64_t cs, const volatile int *stop);
extern const char rseq_inc_start[], rseq_inc_end[], rseq_inc_abort[];
extern const char rseq_spin_start[], rseq_spin_end[], rseq_spin_abort[];
extern const char rseq_badsig_abort[];

static inline long rseq_sys(void *area, uint32_t len, int flags, uint32_t sig)
{
	return syscall(SYS_rseq, area, len, flags, sig);
}

/* Reads a field the kernel writes behind the compiler's back. */
#define RSEQ_READ(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define RSEQ_WRITE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

static inline void rseq_cs_init(struct rseq_cs *cs, const char *start,
				const char *end, const char *abort_ip)
{
	memset(cs, 0, sizeof(*cs));
	cs->start_ip = (uintptr_t)start;
	cs->post_commit_offset = (uintptr_t)(end - start);
	cs->abort_ip = (uintptr_t)abort_ip;
}

/* The feature size the checks go by: the kernel's natively, Linux 7.1's
 * under umbra, so that every case runs there whatever umbra advertises
 * (rseq_register checks what it advertises). */
static inline unsigned long rseq_feature_size(void)
{
	return under_umbra() ? RSEQ_FEATURE_V71 : getauxval(AT_RSEQ_FEATURE_SIZE);
}

/* Whether the kernel has Linux 7.1's rseq (umbra does; 6.18 has 28). */
static inline int rseq_v71(void)
{
	return rseq_feature_size() >= RSEQ_FEATURE_V71;
}

/* Whether the kernel writes field f of struct rseq: the feature size
 * covers it. node_id and mm_cid came with Linux 6.3 (28); before, there
 * is no feature size (0) and the kernel leaves both alone. */
#define RSEQ_HAS(f)                                                              \
	(rseq_feature_size() >= offsetof(struct rseq_abi, f) + sizeof(((struct rseq_abi *)0)->f))

/* The calling thread's area in glibc's TCB, or NULL when glibc did not
 * register one (its registration failed, e.g. ENOSYS). */
static inline struct rseq_abi *rseq_glibc_area(void)
{
	if (__rseq_size == 0)
		return NULL;
	return (struct rseq_abi *)((char *)__builtin_thread_pointer() +
				   __rseq_offset);
}

/* The same, failing the test when there is none. */
static inline struct rseq_abi *rseq_need_glibc_area(const char *what)
{
	struct rseq_abi *rs = rseq_glibc_area();

	if (!rs)
		fail("%s: glibc's rseq registration: expected __rseq_size > 0 got 0 "
		     "(rseq ENOSYS?)", what);
	return rs;
}

/* Unregisters glibc's area of the calling thread, so that the test can
 * register its own; nonzero when the thread is then unregistered. */
static inline int rseq_drop_glibc(const char *what)
{
	struct rseq_abi *rs = rseq_glibc_area();

	if (!rs)
		return 1;
	return CHECK_OK(what, rseq_sys(rs, RSEQ_LEGACY_LEN, RSEQ_FLAG_UNREG, RSEQ_SIG));
}

static inline int64_t rseq_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The CPU the kernel says the thread is on (getcpu(2), not the rseq area
 * that glibc's sched_getcpu reads). */
static inline int rseq_getcpu(unsigned int *node)
{
	unsigned int cpu = ~0u, n = ~0u;

	if (syscall(SYS_getcpu, &cpu, &n, NULL) != 0)
		return -1;
	if (node)
		*node = n;
	return (int)cpu;
}

/* Pins the calling thread (tid 0) or another to one CPU. */
static inline int rseq_pin(pid_t tid, int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(tid, sizeof(one), &one);
}

/* The n-th CPU (from 0) of a mask, or -1. */
static inline int rseq_nth_cpu(const cpu_set_t *set, int n)
{
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, set) && n-- == 0)
			return c;
	return -1;
}

/* Waits (polling every ms) up to ms for *flag to reach at least want. */
static inline int rseq_await(const volatile long *flag, long want, long ms)
{
	int64_t end = rseq_now_ns() + ms * 1000000LL;

	while (RSEQ_READ(*flag) < want && rseq_now_ns() < end)
		proc_sleep_ms(1);
	return RSEQ_READ(*flag) >= want;
}

#endif /* UMBRA_GUEST_RSEQ_ABI_H */
