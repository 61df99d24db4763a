/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layout of the uint64_t arrays that regs_preserved.c hands to the
 * regs_syscall helper of regs_<arch>.S: the registers to load before the
 * syscall, and where the helper stores them after it. Included from assembly,
 * so only #defines.
 */
#ifndef UMBRA_GUEST_REGS_LAYOUT_H
#define UMBRA_GUEST_REGS_LAYOUT_H

#if defined(__x86_64__)

#define SLOT_RAX	0	/* in: syscall number; out: result */
#define SLOT_RBX	1
#define SLOT_RCX	2	/* clobbered by syscall: not loaded */
#define SLOT_RDX	3
#define SLOT_RSI	4
#define SLOT_RDI	5
#define SLOT_RBP	6
#define SLOT_SP_BEFORE	7	/* out: %rsp at the syscall */
#define SLOT_R8		8
#define SLOT_R9		9
#define SLOT_R10	10
#define SLOT_R11	11	/* clobbered by syscall: not loaded */
#define SLOT_R12	12
#define SLOT_R13	13
#define SLOT_R14	14
#define SLOT_R15	15
#define SLOT_SP_AFTER	16	/* out: %rsp right after it */
#define SLOT_FLAGS	17
#define SLOT_MXCSR	18
#define SLOT_FPCW	19	/* x87 control word */
#define SLOT_VEC	20	/* xmm0-xmm15, two slots each */
#define NVEC		16
#define NSLOTS		(SLOT_VEC + 2 * NVEC)

#elif defined(__aarch64__)

/* Slot n holds xn for n = 0..30; x8 is the syscall number, x0 the result. */
#define SLOT_SP_BEFORE	31	/* out: sp at the svc */
#define SLOT_SP_AFTER	32	/* out: sp right after it */
#define SLOT_FLAGS	33	/* NZCV */
#define SLOT_FPCR	34
#define SLOT_FPSR	35
#define SLOT_VEC	36	/* v0-v31, two slots each */
#define NVEC		32
#define NSLOTS		(SLOT_VEC + 2 * NVEC)

#endif

#endif /* UMBRA_GUEST_REGS_LAYOUT_H */
