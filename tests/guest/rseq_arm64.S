/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rseq critical sections for the rseq_* tests (arm64). Each publishes its
 * descriptor in struct rseq's rseq_cs (offset 8) before its _start label;
 * its _abort label follows the signature, a brk #0x45e0 that is never
 * executed (as in the kernel's selftests, rseq-arm64.h).
 */
#define RSEQ_SIG	0xd428bc00
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
	.type	rseq_inc, %function
	.p2align 2
rseq_inc:
	str	x1, [x0, #RSEQ_CS]
rseq_inc_start:
	ldr	w4, [x0, #RSEQ_CPU_ID]
	cmp	w4, w2
	b.ne	rseq_inc_abort
	ldr	x5, [x3]
1:	subs	x4, x4, #1
	b.gt	1b
	add	x5, x5, #1
	str	x5, [x3]			/* the commit */
rseq_inc_end:
	mov	w0, #0
	ret
	.inst	RSEQ_SIG
rseq_inc_abort:
	mov	w0, #1
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
	.type	rseq_spin, %function
	.p2align 2
rseq_spin:
	str	x1, [x0, #RSEQ_CS]
rseq_spin_start:
	yield
	ldr	w4, [x2]
	cbz	w4, rseq_spin_start
rseq_spin_end:
	mov	w0, #0
	ret
	.inst	RSEQ_SIG
rseq_spin_abort:
	mov	w0, #1
	ret
	.inst	RSEQ_SIG + 0x20			/* brk #0x45e1 */
rseq_badsig_abort:
	mov	w0, #2
	ret
	.size	rseq_spin, . - rseq_spin

	.section .note.GNU-stack, "", %progbits
