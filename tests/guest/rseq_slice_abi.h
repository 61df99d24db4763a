/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rseq with the time-slice extension (Linux 7.1), for the guest test
 * rseq_slice and the benchmark tools/bench/rseq_loop: the area and its
 * flags, the prctl, the syscalls by number (newer than the libc headers),
 * the release of glibc's own area, and a per-CPU increment as an rseq
 * critical section for x86_64 and arm64.
 *
 * Self-contained (no check.h): tools/bench builds its guest with a plain cc.
 * ABI: include/uapi/linux/rseq.h, include/uapi/linux/prctl.h, kernel/rseq.c.
 */
#ifndef UMBRA_GUEST_RSEQ_SLICE_ABI_H
#define UMBRA_GUEST_RSEQ_SLICE_ABI_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SLICE_NR_YIELD 471 /* rseq_slice_yield, the same on both arches */

#define SLICE_PR 79 /* PR_RSEQ_SLICE_EXTENSION */
#define SLICE_PR_GET 1
#define SLICE_PR_SET 2
#define SLICE_PR_ENABLE 1

/* The kernel's internal ENOTSUPP, which the prctl lets out to user space. */
#define SLICE_ENOTSUPP 524

#define SLICE_FLAG_DEFAULT_ON (1 << 1) /* rseq() registration flag */
#define SLICE_FLAG_UNREGISTER (1 << 0)
#define SLICE_AVAILABLE (1u << 4) /* struct rseq flags, written by the kernel */
#define SLICE_ENABLED (1u << 5)

/* slice_ctrl as one little-endian word: request is byte @28, granted @29. */
#define SLICE_CTRL_REQUEST 0x1u
#define SLICE_CTRL_GRANTED 0x100u
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "rseq_slice_abi.h: slice_ctrl is read as a little-endian word"
#endif

#define SLICE_FEATURE_SIZE 33 /* offsetof(struct rseq, end) */
#define SLICE_LEGACY_LEN 32   /* the original size: no extension */
#define SLICE_AREA_LEN 64

#ifndef AT_RSEQ_FEATURE_SIZE
#define AT_RSEQ_FEATURE_SIZE 27
#endif

struct slice_rseq {
	uint32_t cpu_id_start;
	uint32_t cpu_id;
	uint64_t rseq_cs;
	uint32_t flags;
	uint32_t node_id;
	uint32_t mm_cid;
	union {
		uint32_t all;
		struct {
			uint8_t request; /* set by user space */
			uint8_t granted; /* set and cleared by the kernel */
			uint16_t reserved;
		};
	} slice_ctrl;
	uint8_t end[SLICE_AREA_LEN - 32];
} __attribute__((aligned(SLICE_AREA_LEN)));

_Static_assert(offsetof(struct slice_rseq, flags) == 16, "flags @16");
_Static_assert(offsetof(struct slice_rseq, mm_cid) == 24, "mm_cid @24");
_Static_assert(offsetof(struct slice_rseq, slice_ctrl) == 28, "slice_ctrl @28");
_Static_assert(offsetof(struct slice_rseq, slice_ctrl.granted) == 29, "granted @29");
_Static_assert(sizeof(struct slice_rseq) == SLICE_AREA_LEN, "one area");

static inline long slice_rseq_call(void *area, uint32_t len, int flags)
{
	return syscall(SYS_rseq, area, len, flags, RSEQ_SIG);
}

static inline long slice_yield(void)
{
	return syscall(SLICE_NR_YIELD);
}

/* The raw prctl: every argument as given. */
static inline long slice_prctl(unsigned long op, unsigned long arg3,
			       unsigned long arg4, unsigned long arg5)
{
	return syscall(SYS_prctl, SLICE_PR, op, arg3, arg4, arg5);
}

/*
 * Unregisters the area glibc registered for the calling thread, if it did:
 * one rseq area per thread. glibc 2.36 registers 32 bytes; a later one may
 * register its __rseq_size. A thread made after its creator let the area go
 * has none: glibc registers new threads only while their creator's cpu_id
 * is valid, and unregistering sets it to -1. 0 or -errno.
 */
static inline int slice_release_glibc(void)
{
	char *area;

	if (__rseq_size == 0)
		return 0;
	area = (char *)__builtin_thread_pointer() + __rseq_offset;
	if ((int32_t)__atomic_load_n(&((struct rseq *)area)->cpu_id, __ATOMIC_RELAXED) < 0)
		return 0;
	if (slice_rseq_call(area, SLICE_LEGACY_LEN, SLICE_FLAG_UNREGISTER) == 0)
		return 0;
	if (errno == EINVAL && __rseq_size > SLICE_LEGACY_LEN &&
	    slice_rseq_call(area, __rseq_size, SLICE_FLAG_UNREGISTER) == 0)
		return 0;
	return -errno;
}

/* The kernel writes these while the thread runs: every access is one load
 * or store the compiler keeps. */
static inline uint32_t slice_ctrl(struct slice_rseq *rs)
{
	return __atomic_load_n(&rs->slice_ctrl.all, __ATOMIC_RELAXED);
}

static inline int slice_requested(struct slice_rseq *rs)
{
	return __atomic_load_n(&rs->slice_ctrl.request, __ATOMIC_RELAXED);
}

static inline void slice_set_request(struct slice_rseq *rs, uint8_t v)
{
	__atomic_store_n(&rs->slice_ctrl.request, v, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline uint32_t slice_cpu_start(struct slice_rseq *rs)
{
	return __atomic_load_n(&rs->cpu_id_start, __ATOMIC_RELAXED);
}

/* Label 3 in __rseq_cs: struct rseq_cs (version 0, flags 0) for the
 * section [1, 2) with its abort handler at 4. */
#define SLICE_CS_DESCRIPTOR						\
	".pushsection __rseq_cs, \"aw\"\n\t"				\
	".balign 32\n\t"						\
	"3:\n\t"							\
	".long 0, 0\n\t"						\
	".quad 1f, 2f - 1f, 4f\n\t"					\
	".popsection\n\t"

/*
 * *counter += 1 as an rseq critical section: it commits only while the
 * thread still runs on cpu (read from cpu_id_start before). 0 when it
 * committed, 1 when it was aborted or the thread had moved: try again.
 *
 * The descriptor goes to __rseq_cs, the abort handler to __rseq_failure,
 * preceded by the signature: the kernel checks the 4 bytes before
 * abort_ip against the registered one. The commit is the last instruction
 * of [start_ip, start_ip + post_commit_offset).
 */

#if defined(__x86_64__)

_Static_assert(RSEQ_SIG == 0x53053053, "x86_64 rseq signature");

static inline int slice_percpu_inc(struct slice_rseq *rs, uint64_t *counter,
				   uint32_t cpu)
{
	__asm__ goto(
		SLICE_CS_DESCRIPTOR
		"leaq 3b(%%rip), %%rax\n\t"
		"movq %%rax, %[cs]\n\t"
		"1:\n\t"
		"cmpl %[cpu], %[cpu_id]\n\t"
		"jnz %l[abort]\n\t"
		"addq $1, %[counter]\n\t"
		"2:\n\t"
		".pushsection __rseq_failure, \"ax\"\n\t"
		/* ud1 0x53053053(%rip), %edi: the signature as an operand */
		".byte 0x0f, 0xb9, 0x3d\n\t"
		".long 0x53053053\n\t"
		"4:\n\t"
		"jmp %l[abort]\n\t"
		".popsection\n\t"
		:
		: [cs] "m"(rs->rseq_cs), [cpu_id] "m"(rs->cpu_id), [cpu] "r"(cpu),
		  [counter] "m"(*counter)
		: "memory", "cc", "rax"
		: abort);
	return 0;
abort:
	return 1;
}

#elif defined(__aarch64__)

_Static_assert(RSEQ_SIG == 0xd428bc00, "arm64 rseq signature");

static inline int slice_percpu_inc(struct slice_rseq *rs, uint64_t *counter,
				   uint32_t cpu)
{
	__asm__ goto(
		SLICE_CS_DESCRIPTOR
		"adrp x9, 3b\n\t"
		"add x9, x9, :lo12:3b\n\t"
		"str x9, [%[rs], #8]\n\t"
		"1:\n\t"
		"ldr w9, [%[rs], #4]\n\t"
		"cmp w9, %w[cpu]\n\t"
		"b.ne %l[abort]\n\t"
		"ldr x10, [%[counter]]\n\t"
		"add x10, x10, #1\n\t"
		"str x10, [%[counter]]\n\t"
		"2:\n\t"
		".pushsection __rseq_failure, \"ax\"\n\t"
		/* brk #0x45e0: the signature as an instruction */
		".inst 0xd428bc00\n\t"
		"4:\n\t"
		"b %l[abort]\n\t"
		".popsection\n\t"
		:
		: [rs] "r"(rs), [cpu] "r"(cpu), [counter] "r"(counter)
		: "memory", "cc", "x9", "x10"
		: abort);
	return 0;
abort:
	return 1;
}

#else
#error "rseq_slice_abi.h: x86_64 and aarch64 only"
#endif

#endif /* UMBRA_GUEST_RSEQ_SLICE_ABI_H */
