/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syscall sites for sud.c, at addresses the test names: syscall user
 * dispatch decides by the address after the svc instruction, so each site
 * is a label the test can put inside or outside a region.
 *
 * long sud_far(long nr, long a0, long a1, long a2, long a3, long a4)
 *                                                    the dispatched site
 * long sud_near(...)                                 the same, in the
 *                                                    allowed region
 * sud_restorer                                       rt_sigreturn, inside it
 */

/* The arguments moved one place down into the syscall registers. */
	.macro shift_args
	mov	x8, x0
	mov	x0, x1
	mov	x1, x2
	mov	x2, x3
	mov	x3, x4
	mov	x4, x5
	.endm

	.text

	.globl	sud_far, sud_far_insn, sud_far_ret, sud_far_end
	.hidden	sud_far, sud_far_insn, sud_far_ret, sud_far_end
	.type	sud_far, %function
	.balign	64
sud_far:
	shift_args
sud_far_insn:
	svc	#0
sud_far_ret:
	ret
sud_far_end:
	.size	sud_far, . - sud_far

	.globl	sud_near_start, sud_near, sud_restorer, sud_near_end
	.hidden	sud_near_start, sud_near, sud_restorer, sud_near_end
	.type	sud_near, %function
	.balign	64
sud_near_start:
sud_near:
	shift_args
	svc	#0
	ret
	.size	sud_near, . - sud_near
	.type	sud_restorer, %function
sud_restorer:
	mov	x8, #139 /* __NR_rt_sigreturn */
	svc	#0
	brk	#0
	.size	sud_restorer, . - sud_restorer
sud_near_end:

	.section .note.GNU-stack,"",%progbits
