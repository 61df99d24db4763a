/* The host's XSAVE layout and the FP state of x86_64 signal frames; private
 * to arch/x86_64. */
#ifndef UMBRA_ARCH_X86_64_XSTATE_H
#define UMBRA_ARCH_X86_64_XSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"

/* State components (arch/x86/include/asm/fpu/types.h, enum xfeature). */
#define XFEATURE_FP 0
#define XFEATURE_SSE 1
#define XFEATURE_YMM 2
#define XFEATURE_PKRU 9
#define XFEATURE_XTILE_DATA 18
#define XFEATURE_MASK_FPSSE 0x3ULL

/* The standard-format XSAVE area (Intel SDM vol. 1, 13.4): the FXSAVE image,
 * then the header, then the components at CPUID-given offsets. */
#define XSTATE_OFF_MXCSR 24
#define XSTATE_OFF_MXCSR_MASK 28
#define XSTATE_OFF_ST 32
#define XSTATE_OFF_XMM 160
#define XSTATE_OFF_XMM_END 416
#define XSTATE_OFF_SW 464  /* bytes the CPU leaves to software */
#define XSTATE_OFF_HEADER 512
#define XSTATE_MIN_SIZE 576 /* sizeof(struct xregs_state): legacy area and header */

/* arch/x86/include/uapi/asm/sigcontext.h */
#define LINUX_FP_XSTATE_MAGIC1 0x46505853u
#define LINUX_FP_XSTATE_MAGIC2 0x46505845u
#define LINUX_FP_XSTATE_MAGIC2_SIZE 4

struct x86_xstate {
	bool usable;             /* XSAVE is on and the image fits arch_regs */
	uint64_t xcr0;           /* every user component the host kernel enabled */
	/* fpstate->user_xfeatures and ->user_size of a task without permission
	 * for AMX tile data (fpu_user_cfg.default_features), which umbra's
	 * guests never get: what signal frames hold. */
	uint64_t user_features;
	uint32_t user_size;
	uint32_t mxcsr_mask;         /* MXCSR_MASK as FXSAVE writes it */
	uint32_t mxcsr_feature_mask; /* the MXCSR bits a restore may set */
	uint32_t offset[64], size[64];
};

/* The host's layout, read from CPUID leaf 0xD and XCR0 once. */
const struct x86_xstate *x86_xstate(void);
/* Whether a tracer's FXSAVE (fx_only) or standard-format XSAVE image is
 * one the task may have (xfpregs_set, xstateregs_set): MXCSR's reserved
 * bits clear, a header XRSTOR takes, no component the task lacks. */
bool x86_xstate_image_valid(const struct x86_xstate *x, const uint8_t *img, bool fx_only);
/* xstate_calculate_size() for the standard format: the end of the topmost
 * component of features. */
uint32_t x86_xstate_size(const struct x86_xstate *x, uint64_t features);

/* The state of fpu__clear_user_states(), which execve and a signal handler
 * start with: every component in its init state, PKRU at init_pkru_value. */
void x86_fpu_init(struct arch_regs *r);

/* The FP part of a frame: user_size bytes of XSAVE area and MAGIC2. */
size_t x86_fpstate_frame_size(const struct x86_xstate *x);
void x86_fpstate_save(const struct x86_xstate *x, const struct arch_regs *r, uint8_t *out);
/* fpu__restore_sig() from the len bytes at the frame's fpstate: 0, or
 * -EFAULT with the FP state reset, as Linux leaves it. */
int x86_fpstate_restore(const struct x86_xstate *x, struct arch_regs *r, const uint8_t *buf,
			size_t len);

#endif
