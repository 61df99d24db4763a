/* arm64 signal frames: struct rt_sigframe and the frame record above it as
 * get_sigframe(), setup_sigframe() and setup_return() build them, and
 * rt_sigreturn's restore_sigframe() and parse_user_sigframe()
 * (arch/arm64/kernel/signal.c). umbra hides SVE, SME, FPMR, POE, GCS and MTE
 * from guests, so a frame holds what Linux writes on a CPU without them:
 * fpsimd_context, esr_context for a fault, the terminator. */
#include <asm/sigcontext.h> /* the host's, for layout checks only */
#include <errno.h>
#include <string.h>

#include "arch/arch.h"

/* struct sigcontext, arch/arm64/include/uapi/asm/sigcontext.h */
struct linux_arm64_sigcontext {
	uint64_t fault_address;
	uint64_t regs[31];
	uint64_t sp;
	uint64_t pc;
	uint64_t pstate;
	uint8_t reserved[4096] __attribute__((aligned(16)));
};

/* arch/arm64/include/uapi/asm/ucontext.h: the sigset padded to glibc's 1024 bits */
struct linux_arm64_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct linux_stack uc_stack;
	linux_sigset_t uc_sigmask;
	uint8_t unused[1024 / 8 - sizeof(linux_sigset_t)];
	struct linux_arm64_sigcontext uc_mcontext;
};

uint64_t arch_fault_ucontext(const struct arch_regs *handler)
{
	return handler->gpr.regs[2];
}

const size_t arch_fault_ucontext_len = sizeof(struct linux_arm64_ucontext);

/* The ESR of the esr_context record, 0 without one. */
void arch_fault_parse(const void *uc, uint64_t *code, uint64_t *trapno)
{
	const uint8_t *p = ((const struct linux_arm64_ucontext *)uc)->uc_mcontext.reserved;
	const uint8_t *end = p + sizeof(((struct linux_arm64_sigcontext *)0)->reserved);

	*code = 0;
	*trapno = 0;
	while (p + 8 <= end) {
		uint32_t magic, size;

		memcpy(&magic, p, 4);
		memcpy(&size, p + 4, 4);
		if (!magic || size < 8 || size > (size_t)(end - p))
			return;
		if (magic == 0x45535201u /* ESR_MAGIC */ && size >= 16) {
			memcpy(code, p + 8, 8);
			return;
		}
		p += size;
	}
}

struct linux_arm64_rt_sigframe {
	struct linux_siginfo info;
	struct linux_arm64_ucontext uc;
};

/* The frame record that chains the handler's frame to the interrupted one. */
struct linux_arm64_frame_record {
	uint64_t fp;
	uint64_t lr;
};

/* The records of sigcontext.__reserved: a header, then the payload. */
struct linux_arm64_ctx {
	uint32_t magic;
	uint32_t size;
};

struct linux_arm64_fpsimd_context {
	struct linux_arm64_ctx head;
	uint32_t fpsr;
	uint32_t fpcr;
	__uint128_t vregs[32];
};

struct linux_arm64_esr_context {
	struct linux_arm64_ctx head;
	uint64_t esr;
};

struct linux_arm64_extra_context {
	struct linux_arm64_ctx head;
	uint64_t datap;
	uint32_t size;
	uint32_t reserved[3];
};

#define LINUX_FPSIMD_MAGIC 0x46508001u
#define LINUX_ESR_MAGIC 0x45535201u
#define LINUX_EXTRA_MAGIC 0x45585401u
/* round_up(sizeof(struct _aarch64_ctx), 16): the terminator's room */
#define TERMINATOR_SIZE 16
/* SIGFRAME_MAXSZ: the most an extra_context may reach past the frame. */
#define SIGFRAME_MAXSZ (256 * 1024)

_Static_assert(sizeof(struct linux_arm64_sigcontext) == sizeof(struct sigcontext), "sigcontext");
_Static_assert(offsetof(struct linux_arm64_sigcontext, reserved) ==
	       offsetof(struct sigcontext, __reserved), "sigcontext __reserved");
_Static_assert(offsetof(struct linux_arm64_sigcontext, pstate) == 272, "sigcontext pstate");
_Static_assert(sizeof(struct linux_arm64_fpsimd_context) == sizeof(struct fpsimd_context) &&
	       sizeof(struct linux_arm64_fpsimd_context) == 528, "fpsimd_context");
_Static_assert(sizeof(struct linux_arm64_esr_context) == sizeof(struct esr_context),
	       "esr_context");
_Static_assert(sizeof(struct linux_arm64_extra_context) == sizeof(struct extra_context),
	       "extra_context");
_Static_assert(LINUX_FPSIMD_MAGIC == FPSIMD_MAGIC && LINUX_ESR_MAGIC == ESR_MAGIC &&
	       LINUX_EXTRA_MAGIC == EXTRA_MAGIC, "record magic");
_Static_assert(offsetof(struct linux_arm64_ucontext, uc_sigmask) == 40, "uc_sigmask");
_Static_assert(offsetof(struct linux_arm64_ucontext, uc_mcontext) == 176, "uc_mcontext");
_Static_assert(offsetof(struct linux_arm64_rt_sigframe, uc) == 128, "ucontext offset");
_Static_assert(sizeof(struct linux_arm64_rt_sigframe) == 4688, "rt_sigframe size");
_Static_assert(ARCH_SIGFRAME_MAX >= sizeof(struct linux_arm64_rt_sigframe) +
	       sizeof(struct linux_arm64_frame_record), "frame buffer");

#define RESERVED_OFFSET offsetof(struct linux_arm64_rt_sigframe, uc.uc_mcontext.reserved)

/* arch/arm64/include/uapi/asm/ptrace.h */
#define PSR_MODE_MASK 0xfULL
#define PSR_MODE32_BIT 0x10ULL
#define PSR_F_BIT 0x40ULL
#define PSR_I_BIT 0x80ULL
#define PSR_A_BIT 0x100ULL
#define PSR_D_BIT 0x200ULL
#define PSR_BTYPE_MASK 0xc00ULL
#define PSR_BTYPE_C 0x800ULL
#define PSR_SS_BIT (1ULL << 21)
#define PSR_TCO_BIT (1ULL << 25)
#define PSR_NZCV 0xf0000000ULL
/* SPSR_EL1_AARCH64_RES0_BITS (arch/arm64/kernel/ptrace.c): bits 63:32,
 * 27:26, 23:22 (PAN, UAO), 20:13 (IL among them) and 5. */
#define PSR_RES0 (0xffffffff00000000ULL | 0x0c000000ULL | 0x00c00000ULL | 0x001fe000ULL | \
		  0x20ULL)
#define HWCAP2_BTI (1ULL << 17)

/* valid_user_regs() for a native task: the bits a task may not hold are
 * cleared, and a pstate that is not EL0 AArch64 with D, A, I and F clear is
 * forced to its flags and refused. SS goes too: umbra never single-steps a
 * guest (user_regs_reset_single_step()). */
static bool valid_user_regs(struct user_regs_struct *g)
{
	g->pstate &= ~(PSR_RES0 | PSR_SS_BIT);
	if (!(g->pstate & (PSR_MODE_MASK | PSR_MODE32_BIT | PSR_D_BIT | PSR_A_BIT | PSR_I_BIT |
			   PSR_F_BIT)))
		return true;
	g->pstate &= PSR_NZCV;
	return false;
}

static void save_sigframe(struct linux_arm64_rt_sigframe *f, const struct arch_regs *r,
			  const struct arch_sigframe_info *in)
{
	struct linux_arm64_sigcontext *sc = &f->uc.uc_mcontext;
	struct linux_arm64_fpsimd_context fpsimd;
	struct linux_arm64_esr_context esr;

	if (in->sa_flags & LINUX_SA_SIGINFO)
		memcpy(&f->info, in->info, LINUX_SIGINFO_KERNEL_SIZE);
	f->uc.uc_stack = in->altstack;
	f->uc.uc_sigmask = in->saved_mask;
	memcpy(sc->regs, r->gpr.regs, sizeof sc->regs);
	sc->sp = r->gpr.sp;
	sc->pc = r->gpr.pc;
	sc->pstate = r->gpr.pstate;
	sc->fault_address = in->fault_addr;

	/* setup_sigframe_layout(): the records in order, then the terminator,
	 * which the zeroed frame already holds. */
	memset(&fpsimd, 0, sizeof fpsimd);
	fpsimd.head.magic = LINUX_FPSIMD_MAGIC;
	fpsimd.head.size = sizeof fpsimd;
	fpsimd.fpsr = r->fp.fpsr;
	fpsimd.fpcr = r->fp.fpcr;
	memcpy(fpsimd.vregs, r->fp.vregs, sizeof fpsimd.vregs);
	memcpy(sc->reserved, &fpsimd, sizeof fpsimd);
	if (in->fault_code) {
		esr.head.magic = LINUX_ESR_MAGIC;
		esr.head.size = sizeof esr;
		esr.esr = in->fault_code;
		memcpy(sc->reserved + sizeof fpsimd, &esr, sizeof esr);
	}
}

int arch_sigframe_build(const struct arch_regs *regs, const struct arch_sigframe_info *in,
			void *buf, size_t bufsize, uint64_t *frame_addr, size_t *frame_len,
			struct arch_regs *handler_regs)
{
	struct linux_arm64_rt_sigframe f;
	struct linux_arm64_frame_record record = { regs->gpr.regs[29], regs->gpr.regs[30] };
	uint64_t top = regs->gpr.sp, rec, frame;
	struct user_regs_struct *h;
	size_t len;

	if (!regs->fp_valid || !arch_regs_complete(regs))
		return -ENODATA;
	/* get_sigframe(): sigsp() picks the stack, the frame record goes
	 * below it and the frame below that, all 16-aligned. */
	if ((in->sa_flags & LINUX_SA_ONSTACK) && linux_sas_ss_flags(&in->altstack, top) == 0)
		top = in->altstack.ss_sp + in->altstack.ss_size;
	rec = (top - sizeof record) & ~15ULL;
	frame = rec - sizeof f;
	/* access_ok(frame, top - frame) */
	if (frame >= top || top > ARCH_TASK_SIZE)
		return -EFAULT;
	len = rec + sizeof record - frame;
	if (len > bufsize)
		return -ENOSPC;
	memset(&f, 0, sizeof f);
	save_sigframe(&f, regs, in);
	memcpy(buf, &f, sizeof f);
	memcpy((uint8_t *)buf + (rec - frame), &record, sizeof record);

	if (handler_regs != regs)
		*handler_regs = *regs;
	h = &handler_regs->gpr;
	/* setup_return() */
	h->regs[0] = (uint64_t)in->signo;
	h->sp = frame;
	h->regs[29] = rec;
	h->pc = in->handler;
	/* Entered as by BLR, for the BTI checks of a guarded page. */
	if (arch_hwcap2() & HWCAP2_BTI)
		h->pstate = (h->pstate & ~PSR_BTYPE_MASK) | PSR_BTYPE_C;
	h->pstate &= ~PSR_TCO_BIT;
	h->regs[30] = in->restorer;
	if (in->sa_flags & LINUX_SA_SIGINFO) {
		h->regs[1] = frame + offsetof(struct linux_arm64_rt_sigframe, info);
		h->regs[2] = frame + offsetof(struct linux_arm64_rt_sigframe, uc);
	}
	/* handle_signal() checks the registers it hands over. */
	if (!valid_user_regs(h))
		return -EFAULT;
	*frame_addr = frame;
	*frame_len = len;
	return 0;
}

/* Frames are stacked 16-aligned; rt_sigreturn rejects any other sp before
 * reading. */
int arch_sigreturn_frame(const struct arch_regs *regs, uint64_t *addr, size_t *len)
{
	if (regs->gpr.sp & 15)
		return -EFAULT;
	*addr = regs->gpr.sp;
	*len = sizeof(struct linux_arm64_rt_sigframe);
	return 0;
}

/* The records parse_user_sigframe() finds: the one it restores from and an
 * extra_context's continuation. */
struct records {
	const uint8_t *fpsimd;
	uint32_t fpsimd_size;
	bool extra;
	uint64_t extra_addr;
	uint32_t extra_size;
};

static struct linux_arm64_ctx head_at(const uint8_t *p)
{
	struct linux_arm64_ctx h;

	memcpy(&h, p, sizeof h);
	return h;
}

/* One stretch of parse_user_sigframe()'s walk: the limit bytes at base
 * (guest address addr) until the terminator (0), an extra_context whose
 * data the walk goes on in (1), or a malformed, duplicate or unknown record
 * (-EINVAL). The records of features umbra hides count as unknown, as on a
 * CPU without them. */
static int walk(const uint8_t *base, uint64_t addr, size_t limit, uint64_t sfp,
		struct records *rs)
{
	for (size_t off = 0;; ) {
		struct linux_arm64_ctx h, end;
		struct linux_arm64_extra_context extra;
		uint64_t userp;

		if (limit - off < sizeof h || off % 16)
			return -EINVAL;
		h = head_at(base + off);
		if (limit - off < h.size)
			return -EINVAL;
		switch (h.magic) {
		case 0:
			return h.size ? -EINVAL : 0;
		case LINUX_FPSIMD_MAGIC:
			if (rs->fpsimd)
				return -EINVAL;
			rs->fpsimd = base + off;
			rs->fpsimd_size = h.size;
			break;
		case LINUX_ESR_MAGIC:
			break;
		case LINUX_EXTRA_MAGIC:
			/* The data must follow the terminator that ends __reserved
			 * here, and stay within SIGFRAME_MAXSZ of the frame. */
			if (rs->extra || h.size < sizeof extra ||
			    limit - off - h.size < TERMINATOR_SIZE)
				return -EINVAL;
			memcpy(&extra, base + off, sizeof extra);
			end = head_at(base + off + h.size);
			userp = addr + off + h.size + TERMINATOR_SIZE;
			if (end.magic || end.size || extra.datap % 16 || extra.size % 16 ||
			    extra.datap != userp || extra.size > sfp + SIGFRAME_MAXSZ - userp)
				return -EINVAL;
			rs->extra = true;
			rs->extra_addr = extra.datap;
			rs->extra_size = extra.size;
			return 1;
		default:
			return -EINVAL;
		}
		if (h.size < sizeof h)
			return -EINVAL;
		off += h.size;
	}
}

static int walk_frame(uint64_t sfp, const void *frame, struct records *rs)
{
	memset(rs, 0, sizeof *rs);
	return walk((const uint8_t *)frame + RESERVED_OFFSET, sfp + RESERVED_OFFSET,
		    sizeof(((struct linux_arm64_sigcontext *)0)->reserved), sfp, rs);
}

void arch_sigreturn_extra(const struct arch_regs *regs, const void *frame, uint64_t *addr,
			  size_t *len)
{
	struct records rs;

	*addr = 0;
	*len = 0;
	if (walk_frame(regs->gpr.sp, frame, &rs) == 1) {
		*addr = rs.extra_addr;
		*len = rs.extra_size;
	}
}

static int parse_records(uint64_t sfp, const void *frame, const void *extra, size_t extra_len,
			 struct records *rs)
{
	int ret = walk_frame(sfp, frame, rs);

	if (ret != 1)
		return ret;
	if (!extra || extra_len != rs->extra_size)
		return -EFAULT;
	ret = walk(extra, rs->extra_addr, rs->extra_size, sfp, rs);
	return ret == 1 ? -EINVAL : ret;
}

int arch_sigreturn_restore(struct arch_regs *regs, const void *frame, const void *extra,
			   size_t extra_len, linux_sigset_t *mask, struct linux_stack *altstack)
{
	struct linux_arm64_rt_sigframe f;
	struct linux_arm64_fpsimd_context fpsimd;
	uint64_t sfp = regs->gpr.sp;
	struct records rs;
	int err;

	/* Complete: the thread has left the syscall stop, where an x7 written
	 * would be lost (arch_regs_complete). */
	if (!regs->fp_valid || !arch_regs_complete(regs))
		return -ENODATA;
	memcpy(&f, frame, sizeof f);
	*mask = f.uc.uc_sigmask & ~LINUX_SIG_UNBLOCKABLE;
	memcpy(regs->gpr.regs, f.uc.uc_mcontext.regs, sizeof regs->gpr.regs);
	regs->gpr.sp = f.uc.uc_mcontext.sp;
	regs->gpr.pc = f.uc.uc_mcontext.pc;
	regs->gpr.pstate = f.uc.uc_mcontext.pstate;
	if (!valid_user_regs(&regs->gpr))
		return -EINVAL;
	err = parse_records(sfp, frame, extra, extra_len, &rs);
	if (err)
		return err;
	/* restore_fpsimd_context(): the record is required, at its exact size. */
	if (!rs.fpsimd || rs.fpsimd_size != sizeof fpsimd)
		return -EINVAL;
	memcpy(&fpsimd, rs.fpsimd, sizeof fpsimd);
	regs->fp.fpsr = fpsimd.fpsr;
	regs->fp.fpcr = fpsimd.fpcr;
	memcpy(regs->fp.vregs, fpsimd.vregs, sizeof regs->fp.vregs);
	*altstack = f.uc.uc_stack;
	return 0;
}
