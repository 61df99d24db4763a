/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syscall helper for regs_preserved.c. It lives in assembly because every
 * register, x18, x29 and x30 included, must hold a chosen value across the
 * svc instruction, which inline asm cannot promise.
 */
#include "regs_layout.h"

#define S(n) ((n) * 8)

	.text

/*
 * long regs_syscall(const uint64_t *in, uint64_t *out)
 *
 * Loads x0-x30 (x8 is the number), NZCV, FPCR, FPSR and v0-v31 from in[],
 * executes svc #0, stores the same set and sp to out[] and returns x0.
 */
	.globl	regs_syscall
	.hidden	regs_syscall
	.type	regs_syscall, %function
	.p2align 2
regs_syscall:
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp
	stp	x19, x20, [sp, #-16]!
	stp	x21, x22, [sp, #-16]!
	stp	x23, x24, [sp, #-16]!
	stp	x25, x26, [sp, #-16]!
	stp	x27, x28, [sp, #-16]!
	stp	d8, d9, [sp, #-16]!
	stp	d10, d11, [sp, #-16]!
	stp	d12, d13, [sp, #-16]!
	stp	d14, d15, [sp, #-16]!
	mrs	x9, fpcr
	mrs	x10, fpsr
	stp	x9, x10, [sp, #-16]!		/* the caller's FP modes */
	stp	x1, x18, [sp, #-16]!		/* out, the platform register */
	mov	x9, sp
	str	x9, [x1, #S(SLOT_SP_BEFORE)]

	add	x9, x0, #S(SLOT_VEC)
	ld1	{v0.2d, v1.2d, v2.2d, v3.2d}, [x9], #64
	ld1	{v4.2d, v5.2d, v6.2d, v7.2d}, [x9], #64
	ld1	{v8.2d, v9.2d, v10.2d, v11.2d}, [x9], #64
	ld1	{v12.2d, v13.2d, v14.2d, v15.2d}, [x9], #64
	ld1	{v16.2d, v17.2d, v18.2d, v19.2d}, [x9], #64
	ld1	{v20.2d, v21.2d, v22.2d, v23.2d}, [x9], #64
	ld1	{v24.2d, v25.2d, v26.2d, v27.2d}, [x9], #64
	ld1	{v28.2d, v29.2d, v30.2d, v31.2d}, [x9], #64
	ldr	x10, [x0, #S(SLOT_FPCR)]
	msr	fpcr, x10
	ldr	x10, [x0, #S(SLOT_FPSR)]
	msr	fpsr, x10
	/* Nothing from here to the svc may change the flags. */
	ldr	x10, [x0, #S(SLOT_FLAGS)]
	msr	nzcv, x10
	mov	x9, x0
	ldp	x0, x1, [x9, #S(0)]
	ldp	x2, x3, [x9, #S(2)]
	ldp	x4, x5, [x9, #S(4)]
	ldp	x6, x7, [x9, #S(6)]
	ldr	x8, [x9, #S(8)]
	ldp	x10, x11, [x9, #S(10)]
	ldp	x12, x13, [x9, #S(12)]
	ldp	x14, x15, [x9, #S(14)]
	ldp	x16, x17, [x9, #S(16)]
	ldp	x18, x19, [x9, #S(18)]
	ldp	x20, x21, [x9, #S(20)]
	ldp	x22, x23, [x9, #S(22)]
	ldp	x24, x25, [x9, #S(24)]
	ldp	x26, x27, [x9, #S(26)]
	ldp	x28, x29, [x9, #S(28)]
	ldr	x30, [x9, #S(30)]
	ldr	x9, [x9, #S(9)]			/* the base goes last */

	svc	#0

	/* Save on the stack first: every register still holds its value. */
	stp	x30, xzr, [sp, #-16]!
	stp	x28, x29, [sp, #-16]!
	stp	x26, x27, [sp, #-16]!
	stp	x24, x25, [sp, #-16]!
	stp	x22, x23, [sp, #-16]!
	stp	x20, x21, [sp, #-16]!
	stp	x18, x19, [sp, #-16]!
	stp	x16, x17, [sp, #-16]!
	stp	x14, x15, [sp, #-16]!
	stp	x12, x13, [sp, #-16]!
	stp	x10, x11, [sp, #-16]!
	stp	x8, x9, [sp, #-16]!
	stp	x6, x7, [sp, #-16]!
	stp	x4, x5, [sp, #-16]!
	stp	x2, x3, [sp, #-16]!
	stp	x0, x1, [sp, #-16]!
	/* Now [sp + 8 * n] holds xn; out sits above those 256 bytes. */
	ldr	x1, [sp, #256]
	mrs	x9, nzcv
	str	x9, [x1, #S(SLOT_FLAGS)]
	mrs	x9, fpcr
	str	x9, [x1, #S(SLOT_FPCR)]
	mrs	x9, fpsr
	str	x9, [x1, #S(SLOT_FPSR)]
	mov	x10, #0
1:	ldr	x9, [sp, x10, lsl #3]
	str	x9, [x1, x10, lsl #3]
	add	x10, x10, #1
	cmp	x10, #31
	b.lo	1b
	add	x9, sp, #256
	str	x9, [x1, #S(SLOT_SP_AFTER)]
	add	x9, x1, #S(SLOT_VEC)
	st1	{v0.2d, v1.2d, v2.2d, v3.2d}, [x9], #64
	st1	{v4.2d, v5.2d, v6.2d, v7.2d}, [x9], #64
	st1	{v8.2d, v9.2d, v10.2d, v11.2d}, [x9], #64
	st1	{v12.2d, v13.2d, v14.2d, v15.2d}, [x9], #64
	st1	{v16.2d, v17.2d, v18.2d, v19.2d}, [x9], #64
	st1	{v20.2d, v21.2d, v22.2d, v23.2d}, [x9], #64
	st1	{v24.2d, v25.2d, v26.2d, v27.2d}, [x9], #64
	st1	{v28.2d, v29.2d, v30.2d, v31.2d}, [x9], #64
	ldr	x0, [sp]			/* the result */

	add	sp, sp, #256
	ldp	x1, x18, [sp], #16
	ldp	x9, x10, [sp], #16
	msr	fpcr, x9
	msr	fpsr, x10
	ldp	d14, d15, [sp], #16
	ldp	d12, d13, [sp], #16
	ldp	d10, d11, [sp], #16
	ldp	d8, d9, [sp], #16
	ldp	x27, x28, [sp], #16
	ldp	x25, x26, [sp], #16
	ldp	x23, x24, [sp], #16
	ldp	x21, x22, [sp], #16
	ldp	x19, x20, [sp], #16
	ldp	x29, x30, [sp], #16
	ret
	.size	regs_syscall, . - regs_syscall

	.section .note.GNU-stack, "", %progbits
