/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syscall sites for sud.c, at addresses the test names: syscall user
 * dispatch decides by the address after the syscall instruction, so each
 * site is a label the test can put inside or outside a region.
 *
 * long sud_far(long nr, long a0, long a1, long a2, long a3, long a4)
 *                                                    the dispatched site
 * long sud_near(...)                                 the same, in the
 *                                                    allowed region
 * sud_restorer                                       rt_sigreturn, inside it
 */

/* The arguments moved one place down into the syscall registers. */
	.macro shift_args
	mov	%rdi, %rax
	mov	%rsi, %rdi
	mov	%rdx, %rsi
	mov	%rcx, %rdx
	mov	%r8, %r10
	mov	%r9, %r8
	.endm

	.text

	.globl	sud_far, sud_far_insn, sud_far_ret, sud_far_end
	.hidden	sud_far, sud_far_insn, sud_far_ret, sud_far_end
	.type	sud_far, @function
	.balign	64
sud_far:
	shift_args
sud_far_insn:
	syscall
sud_far_ret:
	ret
sud_far_end:
	.size	sud_far, . - sud_far

	.globl	sud_near_start, sud_near, sud_restorer, sud_near_end
	.hidden	sud_near_start, sud_near, sud_restorer, sud_near_end
	.type	sud_near, @function
	.balign	64
sud_near_start:
sud_near:
	shift_args
	syscall
	ret
	.size	sud_near, . - sud_near
	.type	sud_restorer, @function
sud_restorer:
	mov	$15, %eax /* __NR_rt_sigreturn */
	syscall
	ud2
	.size	sud_restorer, . - sud_restorer
sud_near_end:

	.section .note.GNU-stack,"",@progbits
