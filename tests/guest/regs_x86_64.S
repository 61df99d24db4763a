/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syscall helpers for regs_preserved.c. They live in assembly because every
 * register, the frame pointer included, must hold a chosen value across the
 * syscall instruction, which inline asm cannot promise.
 */
#include "regs_layout.h"

#define S(n) ((n) * 8)

	.text

/*
 * long regs_syscall(const uint64_t *in, uint64_t *out)
 *
 * Loads rax (the number), rbx, rdx, rsi, rdi, rbp, r8-r10, r12-r15, rflags,
 * xmm0-xmm15, MXCSR and the x87 control word from in[], executes syscall,
 * stores the same set to out[] and returns rax.
 */
	.globl	regs_syscall
	.hidden	regs_syscall
	.type	regs_syscall, @function
regs_syscall:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	sub	$24, %rsp
	mov	%rsi, 0(%rsp)			/* out */
	stmxcsr	8(%rsp)				/* the caller's FP modes */
	fnstcw	12(%rsp)
	mov	%rsp, S(SLOT_SP_BEFORE)(%rsi)

	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu	S(SLOT_VEC) + 16 * \n(%rdi), %xmm\n
	.endr
	ldmxcsr	S(SLOT_MXCSR)(%rdi)
	fldcw	S(SLOT_FPCW)(%rdi)
	mov	S(SLOT_RAX)(%rdi), %rax
	mov	S(SLOT_RBX)(%rdi), %rbx
	mov	S(SLOT_RDX)(%rdi), %rdx
	mov	S(SLOT_RSI)(%rdi), %rsi
	mov	S(SLOT_RBP)(%rdi), %rbp
	mov	S(SLOT_R8)(%rdi), %r8
	mov	S(SLOT_R9)(%rdi), %r9
	mov	S(SLOT_R10)(%rdi), %r10
	mov	S(SLOT_R12)(%rdi), %r12
	mov	S(SLOT_R13)(%rdi), %r13
	mov	S(SLOT_R14)(%rdi), %r14
	mov	S(SLOT_R15)(%rdi), %r15
	/* Nothing from here to the syscall may change the flags. */
	pushq	S(SLOT_FLAGS)(%rdi)
	popfq
	mov	S(SLOT_RDI)(%rdi), %rdi

	syscall

	/* Save on the stack first: every register still holds its value. */
	pushfq
	push	%rdi
	push	%rsi
	push	%rdx
	push	%rbx
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	S(13)(%rsp), %rcx		/* out, above the 13 pushes */

	pop	%r11
	mov	%r11, S(SLOT_R15)(%rcx)
	pop	%r11
	mov	%r11, S(SLOT_R14)(%rcx)
	pop	%r11
	mov	%r11, S(SLOT_R13)(%rcx)
	pop	%r11
	mov	%r11, S(SLOT_R12)(%rcx)
	pop	%r11
	mov	%r11, S(SLOT_R10)(%rcx)
	pop	%r11
	mov	%r11, S(SLOT_R9)(%rcx)
	pop	%r11
	mov	%r11, S(SLOT_R8)(%rcx)
	pop	%r11
	mov	%r11, S(SLOT_RBP)(%rcx)
	pop	%r11
	mov	%r11, S(SLOT_RBX)(%rcx)
	pop	%r11
	mov	%r11, S(SLOT_RDX)(%rcx)
	pop	%r11
	mov	%r11, S(SLOT_RSI)(%rcx)
	pop	%r11
	mov	%r11, S(SLOT_RDI)(%rcx)
	pop	%r11
	mov	%r11, S(SLOT_FLAGS)(%rcx)
	mov	%rsp, S(SLOT_SP_AFTER)(%rcx)
	mov	%rax, S(SLOT_RAX)(%rcx)
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu	%xmm\n, S(SLOT_VEC) + 16 * \n(%rcx)
	.endr
	stmxcsr	S(SLOT_MXCSR)(%rcx)
	fnstcw	S(SLOT_FPCW)(%rcx)

	cld					/* the ABI wants DF clear */
	ldmxcsr	8(%rsp)
	fldcw	12(%rsp)
	add	$24, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
	.size	regs_syscall, . - regs_syscall

/*
 * void regs_ymm_syscall(long nr, const void *in, void *out)
 *
 * ymm0-ymm15 (32 bytes each) from in, syscall nr, ymm0-ymm15 to out. Needs AVX.
 */
	.globl	regs_ymm_syscall
	.hidden	regs_ymm_syscall
	.type	regs_ymm_syscall, @function
regs_ymm_syscall:
	mov	%rdi, %rax
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqu	32 * \n(%rsi), %ymm\n
	.endr
	syscall
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqu	%ymm\n, 32 * \n(%rdx)
	.endr
	vzeroupper
	ret
	.size	regs_ymm_syscall, . - regs_ymm_syscall

/*
 * void regs_zmm_syscall(long nr, const void *in, void *out,
 *			 const uint16_t *kin, uint16_t *kout)
 *
 * zmm0-zmm31 (64 bytes each) and k0-k7 around syscall nr. Needs AVX-512F.
 */
	.globl	regs_zmm_syscall
	.hidden	regs_zmm_syscall
	.type	regs_zmm_syscall, @function
regs_zmm_syscall:
	mov	%rdi, %rax
	.irp	n, 0,1,2,3,4,5,6,7
	kmovw	2 * \n(%rcx), %k\n
	.endr
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	vmovdqu64 64 * \n(%rsi), %zmm\n
	.endr
	syscall
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	vmovdqu64 %zmm\n, 64 * \n(%rdx)
	.endr
	.irp	n, 0,1,2,3,4,5,6,7
	kmovw	%k\n, 2 * \n(%r8)
	.endr
	vzeroupper
	ret
	.size	regs_zmm_syscall, . - regs_zmm_syscall

	.section .note.GNU-stack, "", @progbits
