/* The host's XSAVE layout and the FP state in x86_64 signal frames, as
 * arch/x86/kernel/fpu/signal.c saves and restores it. The frame is built from
 * the thread's NT_X86_XSTATE image instead of an XSAVE instruction, and a
 * restore becomes an image for PTRACE_SETREGSET holding what XRSTOR would
 * have loaded. */
#include <cpuid.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "arch/x86_64/xstate.h"

#define X86_FCW_DEFAULT 0x37f
#define X86_MXCSR_DEFAULT 0x1f80
/* init_pkru_value (arch/x86/mm/pkeys.c): access to every key but 0 denied. */
#define X86_PKRU_INIT 0x55555554u
/* FXSAVE leaves MXCSR_MASK 0 on CPUs predating it: all bits but DAZ
 * (fpu__init_system_mxcsr()). */
#define X86_MXCSR_MASK_DEFAULT 0xffbf
#define BIT(i) (1ULL << (i))

static struct x86_xstate host;
static pthread_once_t host_once = PTHREAD_ONCE_INIT;

static void probe(void)
{
	static uint8_t fx[512] __attribute__((aligned(16)));
	unsigned int a, b, c, d;
	uint32_t lo, hi;

	__asm__ volatile("fxsave64 %0" : "=m"(fx));
	memcpy(&host.mxcsr_mask, fx + XSTATE_OFF_MXCSR_MASK, 4);
	host.mxcsr_feature_mask = host.mxcsr_mask ? host.mxcsr_mask : X86_MXCSR_MASK_DEFAULT;
	host.user_size = XSTATE_OFF_HEADER;

	/* XGETBV faults unless the kernel turned XSAVE on (CR4.OSXSAVE). */
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE))
		return;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	host.xcr0 = (uint64_t)hi << 32 | lo;
	for (int i = XFEATURE_YMM; i < 64; i++) {
		if (!(host.xcr0 & BIT(i)))
			continue;
		__cpuid_count(0xd, i, a, b, c, d);
		host.size[i] = a;
		host.offset[i] = b;
	}
	/* AMX tile data needs arch_prctl(ARCH_REQ_XCOMP_PERM), which umbra does
	 * not grant: frames leave it out (XFEATURE_MASK_USER_DYNAMIC). */
	host.user_features = host.xcr0 & ~BIT(XFEATURE_XTILE_DATA);
	host.user_size = x86_xstate_size(&host, host.user_features);
	host.usable = host.user_size + LINUX_FP_XSTATE_MAGIC2_SIZE <= ARCH_XSTATE_MAX;
}

const struct x86_xstate *x86_xstate(void)
{
	pthread_once(&host_once, probe);
	return &host;
}

uint32_t x86_xstate_size(const struct x86_xstate *x, uint64_t features)
{
	int top = features ? 63 - __builtin_clzll(features) : 0;

	if (top <= XFEATURE_SSE)
		return XSTATE_MIN_SIZE;
	return x->offset[top] + x->size[top];
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof v);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof v);
}

/* x87 state (component 0) of the legacy area: control, status, tag, opcode,
 * pointers and the eight registers; MXCSR sits between and is not part of it. */
static void x87_copy(uint8_t *dst, const uint8_t *src)
{
	memcpy(dst, src, XSTATE_OFF_MXCSR);
	memcpy(dst + XSTATE_OFF_ST, src + XSTATE_OFF_ST, XSTATE_OFF_XMM - XSTATE_OFF_ST);
}

static void x87_init(uint8_t *dst)
{
	memset(dst, 0, XSTATE_OFF_MXCSR);
	memset(dst + XSTATE_OFF_ST, 0, XSTATE_OFF_XMM - XSTATE_OFF_ST);
	dst[0] = X86_FCW_DEFAULT & 0xff;
	dst[1] = X86_FCW_DEFAULT >> 8;
}

void x86_fpu_init(struct arch_regs *r)
{
	const struct x86_xstate *x = x86_xstate();
	uint64_t bv = XFEATURE_MASK_FPSSE;

	memset(r->xstate, 0, sizeof r->xstate);
	x87_init(r->xstate);
	put32(r->xstate + XSTATE_OFF_MXCSR, X86_MXCSR_DEFAULT);
	put32(r->xstate + XSTATE_OFF_MXCSR_MASK, x->mxcsr_mask);
	put64(r->xstate + XSTATE_OFF_SW, x->xcr0);
	if (x->user_features & BIT(XFEATURE_PKRU)) {
		put32(r->xstate + x->offset[XFEATURE_PKRU], X86_PKRU_INIT);
		bv |= BIT(XFEATURE_PKRU);
	}
	/* FP and SSE marked in use with their init values: the kernel loads
	 * MXCSR from an image only then (copy_uabi_to_xstate()). */
	put64(r->xstate + XSTATE_OFF_HEADER, bv);
}

size_t x86_fpstate_frame_size(const struct x86_xstate *x)
{
	return x->user_size + LINUX_FP_XSTATE_MAGIC2_SIZE;
}

/* What copy_fpstate_to_sigframe() leaves at buf_fx: XSAVE of the user
 * components, the software bytes describing them (save_sw_bytes()), MAGIC2
 * after the area, FP and SSE always marked in use (save_xstate_epilog())
 * and PKRU too (update_pkru_in_sigframe()). A component in its init state
 * reads as XSAVE writes it: init values. */
void x86_fpstate_save(const struct x86_xstate *x, const struct arch_regs *r, uint8_t *out)
{
	const uint8_t *img = r->xstate;
	uint64_t bv = get64(img + XSTATE_OFF_HEADER) & x->user_features;
	uint8_t *sw = out + XSTATE_OFF_SW;

	memset(out, 0, x86_fpstate_frame_size(x));
	if (bv & BIT(XFEATURE_FP))
		x87_copy(out, img);
	else
		x87_init(out);
	memcpy(out + XSTATE_OFF_MXCSR, img + XSTATE_OFF_MXCSR, 4);
	put32(out + XSTATE_OFF_MXCSR_MASK, x->mxcsr_mask);
	if (bv & BIT(XFEATURE_SSE))
		memcpy(out + XSTATE_OFF_XMM, img + XSTATE_OFF_XMM, XSTATE_OFF_XMM_END - XSTATE_OFF_XMM);

	put32(sw, LINUX_FP_XSTATE_MAGIC1);
	put32(sw + 4, x->user_size + LINUX_FP_XSTATE_MAGIC2_SIZE);
	put64(sw + 8, x->user_features);
	put32(sw + 16, x->user_size);

	bv |= XFEATURE_MASK_FPSSE | (x->user_features & BIT(XFEATURE_PKRU));
	put64(out + XSTATE_OFF_HEADER, bv);
	for (int i = XFEATURE_YMM; i < 64; i++)
		if (bv & BIT(i))
			memcpy(out + x->offset[i], img + x->offset[i], x->size[i]);
	put32(out + x->user_size, LINUX_FP_XSTATE_MAGIC2);
}

/* check_xstate_in_sigframe(): the software bytes and MAGIC2 decide whether
 * the area is an XSAVE image or, failing either (a program that copied only
 * a legacy FXSAVE image), the FXSAVE part alone. Sets the components to
 * restore (the XRSTOR mask); false for a frame Linux rejects. */
static bool restore_mask(const struct x86_xstate *x, const uint8_t *buf, bool *fx_only,
			 uint64_t *mask)
{
	const uint8_t *sw = buf + XSTATE_OFF_SW;
	uint32_t size = get32(sw + 16);
	uint64_t features = get64(sw + 8);

	*fx_only = get32(sw) != LINUX_FP_XSTATE_MAGIC1 || size < XSTATE_MIN_SIZE ||
		   size > x->user_size ||
		   get32(sw + 4) < (uint64_t)size + LINUX_FP_XSTATE_MAGIC2_SIZE ||
		   get32(buf + size) != LINUX_FP_XSTATE_MAGIC2;
	*mask = *fx_only ? XFEATURE_MASK_FPSSE : features;
	/* A frame of fewer components must still hold each one it names. */
	return *fx_only || (size == x->user_size && features == x->user_features) ||
	       size >= x86_xstate_size(x, features & x->user_features);
}

/* Where XRSTOR (#GP) or FXRSTOR would fault on the frame, which
 * restore_fpregs_from_user() turns into a failed sigreturn. */
static bool restore_faults(const struct x86_xstate *x, const uint8_t *buf, bool fx_only,
			   uint64_t rfbm)
{
	const uint8_t *hdr = buf + XSTATE_OFF_HEADER;
	bool loads_mxcsr = fx_only || (rfbm & (BIT(XFEATURE_SSE) | BIT(XFEATURE_YMM)));

	if (loads_mxcsr && (get32(buf + XSTATE_OFF_MXCSR) & ~x->mxcsr_feature_mask))
		return true;
	if (fx_only)
		return false;
	/* The standard form wants XCOMP_BV and the next 8 bytes zero and no
	 * component the host has not enabled (SDM vol. 1, 13.8). A compacted
	 * image, which XRSTOR would also take, is refused: PTRACE_SETREGSET has
	 * no way to pass one. */
	return get64(hdr + 8) || get64(hdr + 16) || (get64(hdr) & ~x->xcr0);
}

bool x86_xstate_image_valid(const struct x86_xstate *x, const uint8_t *img, bool fx_only)
{
	uint64_t bv = fx_only ? XFEATURE_MASK_FPSSE : get64(img + XSTATE_OFF_HEADER);

	if (!fx_only && (bv & ~x->user_features))
		return false;
	return !restore_faults(x, img, fx_only, bv);
}

int x86_fpstate_restore(const struct x86_xstate *x, struct arch_regs *r, const uint8_t *buf,
			size_t len)
{
	uint8_t *img = r->xstate;
	bool fx_only;
	uint64_t rfbm, init_bv, bv, loaded;
	uint32_t mxcsr;

	if (len < x86_fpstate_frame_size(x))
		goto fail;
	if (!restore_mask(x, buf, &fx_only, &rfbm))
		goto fail;
	rfbm &= x->user_features;
	if (restore_faults(x, buf, fx_only, rfbm))
		goto fail;
	/* __restore_fpregs_from_user(): XRSTOR (or FXRSTOR) of rfbm from the
	 * frame, then the task's other components from init_fpstate. */
	init_bv = x->user_features & ~rfbm;
	bv = fx_only ? XFEATURE_MASK_FPSSE : get64(buf + XSTATE_OFF_HEADER);
	loaded = rfbm & bv;

	mxcsr = get32(img + XSTATE_OFF_MXCSR);
	if (fx_only || (rfbm & (BIT(XFEATURE_SSE) | BIT(XFEATURE_YMM))))
		mxcsr = get32(buf + XSTATE_OFF_MXCSR);
	/* XRSTOR loads MXCSR whenever it restores SSE or AVX, even to init. */
	if (init_bv & (BIT(XFEATURE_SSE) | BIT(XFEATURE_YMM)))
		mxcsr = X86_MXCSR_DEFAULT;
	put32(img + XSTATE_OFF_MXCSR, mxcsr);

	if (loaded & BIT(XFEATURE_FP))
		x87_copy(img, buf);
	else
		x87_init(img);
	if (loaded & BIT(XFEATURE_SSE))
		memcpy(img + XSTATE_OFF_XMM, buf + XSTATE_OFF_XMM, XSTATE_OFF_XMM_END - XSTATE_OFF_XMM);
	else
		memset(img + XSTATE_OFF_XMM, 0, XSTATE_OFF_XMM_END - XSTATE_OFF_XMM);
	for (int i = XFEATURE_YMM; i < 64; i++) {
		if (!(x->user_features & BIT(i)))
			continue;
		if (loaded & BIT(i))
			memcpy(img + x->offset[i], buf + x->offset[i], x->size[i]);
		else
			memset(img + x->offset[i], 0, x->size[i]);
	}
	/* An image PTRACE_SETREGSET takes (validate_user_xstate_header()): user
	 * components only, XCOMP_BV and the reserved bytes zero; FP and SSE
	 * marked so that MXCSR is loaded from it. Init state written out is the
	 * same state as init state marked. */
	memset(img + XSTATE_OFF_HEADER, 0, XSTATE_MIN_SIZE - XSTATE_OFF_HEADER);
	put64(img + XSTATE_OFF_HEADER,
	      XFEATURE_MASK_FPSSE | (loaded & x->user_features & ~XFEATURE_MASK_FPSSE));
	return 0;

fail:
	x86_fpu_init(r);
	return -EFAULT;
}
