/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rseq critical sections for the rseq_* tests (x86_64). Each publishes its
 * descriptor in struct rseq's rseq_cs (offset 8) before its _start label;
 * its _abort label follows the signature, the immediate of a ud1 that is
 * never executed (as in the kernel's selftests, rseq-x86.h).
 */
#define RSEQ_SIG	0x53053053
#define RSEQ_CPU_ID	4
#define RSEQ_CS		8

	.text

/*
 * int rseq_inc(struct rseq_abi *rs, const struct rseq_cs *cs, uint32_t cpu,
 *              long *slot, long delay)
 *
 * ++*slot as a critical section that commits with its last store, when
 * rs->cpu_id still is cpu; between the load and the store it counts delay
 * down, so that preemptions land inside it. 0 when it committed, 1 when it
 * aborted.
 */
	.globl	rseq_inc, rseq_inc_start, rseq_inc_end, rseq_inc_abort
	.hidden	rseq_inc, rseq_inc_start, rseq_inc_end, rseq_inc_abort
	.type	rseq_inc, @function
rseq_inc:
	movq	%rsi, RSEQ_CS(%rdi)
rseq_inc_start:
	cmpl	RSEQ_CPU_ID(%rdi), %edx
	jne	rseq_inc_abort
	movq	(%rcx), %rax
1:	subq	$1, %r8
	jg	1b
	addq	$1, %rax
	movq	%rax, (%rcx)			/* the commit */
rseq_inc_end:
	xorl	%eax, %eax
	ret
	.byte	0x0f, 0xb9, 0x3d
	.long	RSEQ_SIG
rseq_inc_abort:
	movl	$1, %eax
	ret
	.size	rseq_inc, . - rseq_inc

/*
 * int rseq_spin(struct rseq_abi *rs, uint64_t cs, const volatile int *stop)
 *
 * Stores cs (any value) in rs->rseq_cs, then loops inside the critical
 * section until *stop is nonzero: 0 then, 1 when the kernel aborted it.
 * rseq_badsig_abort follows a wrong signature and answers 2.
 */
	.globl	rseq_spin, rseq_spin_start, rseq_spin_end, rseq_spin_abort
	.hidden	rseq_spin, rseq_spin_start, rseq_spin_end, rseq_spin_abort
	.globl	rseq_badsig_abort
	.hidden	rseq_badsig_abort
	.type	rseq_spin, @function
rseq_spin:
	movq	%rsi, RSEQ_CS(%rdi)
rseq_spin_start:
	pause
	movl	(%rdx), %eax
	testl	%eax, %eax
	jz	rseq_spin_start
rseq_spin_end:
	xorl	%eax, %eax
	ret
	.byte	0x0f, 0xb9, 0x3d
	.long	RSEQ_SIG
rseq_spin_abort:
	movl	$1, %eax
	ret
	.byte	0x0f, 0xb9, 0x3d
	.long	RSEQ_SIG + 1
rseq_badsig_abort:
	movl	$2, %eax
	ret
	.size	rseq_spin, . - rseq_spin

	.section .note.GNU-stack, "", @progbits
