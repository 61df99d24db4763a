/* x86_64 signal frames: struct rt_sigframe (arch/x86/include/asm/sigframe.h)
 * as get_sigframe() places it and x64_setup_rt_frame() fills it
 * (arch/x86/kernel/signal.c, signal_64.c), and rt_sigreturn. */
#include <asm/sigcontext.h> /* the host's, for layout checks only */
#include <errno.h>
#include <string.h>

#include "arch/x86_64/xstate.h"

/* struct sigcontext_64, arch/x86/include/uapi/asm/sigcontext.h */
struct linux_x86_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t di, si, bp, bx, dx, ax, cx, sp, ip, flags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};

/* include/uapi/asm-generic/ucontext.h, with the 8-byte kernel sigset */
struct linux_x86_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct linux_stack uc_stack;
	struct linux_x86_sigcontext uc_mcontext;
	linux_sigset_t uc_sigmask;
};

uint64_t arch_fault_ucontext(const struct arch_regs *handler)
{
	return handler->gpr.rdx;
}

const size_t arch_fault_ucontext_len = sizeof(struct linux_x86_ucontext);

void arch_fault_parse(const void *uc, uint64_t *code, uint64_t *trapno)
{
	const struct linux_x86_ucontext *u = uc;

	*code = u->uc_mcontext.err;
	*trapno = u->uc_mcontext.trapno;
}

struct linux_x86_rt_sigframe {
	uint64_t pretcode;
	struct linux_x86_ucontext uc;
	struct linux_siginfo info;
};

_Static_assert(sizeof(struct linux_x86_sigcontext) == sizeof(struct sigcontext_64),
	       "sigcontext size");
_Static_assert(offsetof(struct linux_x86_sigcontext, cs) ==
	       offsetof(struct sigcontext_64, cs), "sigcontext cs");
_Static_assert(offsetof(struct linux_x86_sigcontext, ss) ==
	       offsetof(struct sigcontext_64, ss), "sigcontext ss");
_Static_assert(offsetof(struct linux_x86_sigcontext, fpstate) ==
	       offsetof(struct sigcontext_64, fpstate), "sigcontext fpstate");
_Static_assert(sizeof(struct linux_x86_sigcontext) == 256, "sigcontext size");
_Static_assert(sizeof(struct linux_x86_ucontext) == 304, "ucontext size");
_Static_assert(offsetof(struct linux_x86_rt_sigframe, uc.uc_mcontext) == 48, "uc_mcontext");
_Static_assert(offsetof(struct linux_x86_rt_sigframe, info) == 312, "siginfo offset");
_Static_assert(sizeof(struct linux_x86_rt_sigframe) == 440, "rt_sigframe size");
_Static_assert(LINUX_FP_XSTATE_MAGIC1 == FP_XSTATE_MAGIC1 &&
	       LINUX_FP_XSTATE_MAGIC2 == FP_XSTATE_MAGIC2 &&
	       LINUX_FP_XSTATE_MAGIC2_SIZE == FP_XSTATE_MAGIC2_SIZE, "xstate magic");
_Static_assert(sizeof(struct _fpx_sw_bytes) == 48, "software bytes");
_Static_assert(ARCH_SIGFRAME_MAX >= sizeof(struct linux_x86_rt_sigframe) + 16 + 64 +
	       ARCH_XSTATE_MAX, "frame buffer");

/* arch/x86/include/uapi/asm/ucontext.h */
#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4

#define X86_EFLAGS_TF 0x100
#define X86_EFLAGS_DF 0x400
#define X86_EFLAGS_RF 0x10000
/* FIX_EFLAGS (arch/x86/include/asm/sighandling.h): the flags a frame may
 * change: AC, OF, DF, TF, SF, ZF, AF, PF, CF and RF. */
#define X86_FIX_EFLAGS 0x50dd5

#define X86_REDZONE 128

/* force_valid_ss(): an SS that IRET would fault on becomes __USER_DS. Of the
 * guest's selectors only __USER_DS is a writable data segment: umbra gives it
 * no LDT and no TLS descriptors. */
static uint16_t valid_ss(uint64_t ss)
{
	return (ss & ~3ULL) == (X86_USER_DS & ~3) ? (uint16_t)ss : X86_USER_DS;
}

static void save_sigcontext(struct linux_x86_sigcontext *sc, const struct arch_regs *r,
			    const struct arch_sigframe_info *in, uint64_t fpstate)
{
	const struct user_regs_struct *g = &r->gpr;

	sc->r8 = g->r8;
	sc->r9 = g->r9;
	sc->r10 = g->r10;
	sc->r11 = g->r11;
	sc->r12 = g->r12;
	sc->r13 = g->r13;
	sc->r14 = g->r14;
	sc->r15 = g->r15;
	sc->di = g->rdi;
	sc->si = g->rsi;
	sc->bp = g->rbp;
	sc->bx = g->rbx;
	sc->dx = g->rdx;
	sc->ax = g->rax;
	sc->cx = g->rcx;
	sc->sp = g->rsp;
	sc->ip = g->rip;
	sc->flags = g->eflags;
	/* fs and gs are written as 0: their slots are left for old DOSEMU. */
	sc->cs = (uint16_t)g->cs;
	sc->ss = (uint16_t)g->ss;
	sc->err = in->fault_code;
	sc->trapno = in->fault_trapno;
	sc->oldmask = in->saved_mask;
	sc->cr2 = in->fault_addr;
	sc->fpstate = fpstate;
}

/* get_sigframe(): below the red zone or at the top of the alternate stack,
 * the FP state 64-aligned, then the frame so that the handler is entered as
 * by a call (sp + 8 16-aligned). 0 where Linux returns its bogus -1. */
static uint64_t place(const struct arch_regs *r, const struct arch_sigframe_info *in,
		      size_t fpsize, uint64_t *fp)
{
	const struct linux_stack *ss = &in->altstack;
	uint64_t sp = r->gpr.rsp - X86_REDZONE, frame;
	bool nested = linux_on_sig_stack(ss, r->gpr.rsp), entering = false;

	if ((in->sa_flags & LINUX_SA_ONSTACK) && linux_sas_ss_flags(ss, sp) == 0) {
		sp = ss->ss_sp + ss->ss_size;
		entering = true;
	}
	*fp = (sp - fpsize) & ~63ULL;
	frame = ((*fp - sizeof(struct linux_x86_rt_sigframe)) & ~15ULL) - 8;
	/* Overflowing the alternate stack kills rather than corrupts. */
	if ((nested || entering) && !linux_sp_on_stack(ss, frame))
		return 0;
	/* access_ok() of the frame and of the FP state. */
	if (frame > *fp || *fp > ARCH_TASK_SIZE || fpsize > ARCH_TASK_SIZE - *fp)
		return 0;
	return frame;
}

int arch_sigframe_build(const struct arch_regs *regs, const struct arch_sigframe_info *in,
			void *buf, size_t bufsize, uint64_t *frame_addr, size_t *frame_len,
			struct arch_regs *handler_regs)
{
	const struct x86_xstate *x = x86_xstate();
	size_t fpsize = x86_fpstate_frame_size(x), len;
	struct linux_x86_rt_sigframe f;
	uint64_t frame, fp;
	struct user_regs_struct *h;

	if (!regs->fp_valid)
		return -ENODATA;
	if (!x->usable)
		return -EOPNOTSUPP;
	/* x86_64 has no vDSO trampoline for handlers to return to. */
	if (!(in->sa_flags & LINUX_SA_RESTORER))
		return -EFAULT;
	frame = place(regs, in, fpsize, &fp);
	if (!frame)
		return -EFAULT;
	len = fp + fpsize - frame;
	if (len > bufsize)
		return -ENOSPC;

	memset(&f, 0, sizeof f);
	f.pretcode = in->restorer;
	f.uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS;
	/* frame_uc_flags(): a 64-bit context gets its SS back exactly. */
	if (regs->gpr.cs == X86_USER_CS)
		f.uc.uc_flags |= UC_STRICT_RESTORE_SS;
	f.uc.uc_stack = in->altstack;
	save_sigcontext(&f.uc.uc_mcontext, regs, in, fp);
	f.uc.uc_sigmask = in->saved_mask;
	if (in->sa_flags & LINUX_SA_SIGINFO)
		memcpy(&f.info, in->info, LINUX_SIGINFO_KERNEL_SIZE);
	memset(buf, 0, len);
	memcpy(buf, &f, sizeof f);
	x86_fpstate_save(x, regs, (uint8_t *)buf + (fp - frame));

	if (handler_regs != regs)
		*handler_regs = *regs;
	h = &handler_regs->gpr;
	h->rdi = (uint64_t)in->signo;
	h->rax = 0; /* for handlers declared without a prototype */
	h->rsi = frame + offsetof(struct linux_x86_rt_sigframe, info);
	h->rdx = frame + offsetof(struct linux_x86_rt_sigframe, uc);
	h->rip = in->handler;
	h->rsp = frame;
	h->cs = X86_USER_CS;
	h->ss = valid_ss(h->ss);
	/* handle_signal(): the ABI's direction flag for a function entry, and
	 * no debug trap or resume flag carried into the handler. */
	h->eflags &= ~(uint64_t)(X86_EFLAGS_DF | X86_EFLAGS_RF | X86_EFLAGS_TF);
	x86_fpu_init(handler_regs);

	*frame_addr = frame;
	*frame_len = len;
	return 0;
}

/* The return address has been popped: the frame starts 8 below sp. Only the
 * ucontext is read, as Linux reads it. */
int arch_sigreturn_frame(const struct arch_regs *regs, uint64_t *addr, size_t *len)
{
	*addr = regs->gpr.rsp - 8;
	*len = offsetof(struct linux_x86_rt_sigframe, info);
	return 0;
}

static const struct linux_x86_ucontext *frame_uc(const void *frame)
{
	return (const struct linux_x86_ucontext *)((const uint8_t *)frame +
						     offsetof(struct linux_x86_rt_sigframe, uc));
}

void arch_sigreturn_extra(const struct arch_regs *regs, const void *frame, uint64_t *addr,
			  size_t *len)
{
	struct linux_x86_ucontext uc;

	(void)regs;
	memcpy(&uc, frame_uc(frame), sizeof uc);
	*addr = uc.uc_mcontext.fpstate;
	*len = *addr ? x86_fpstate_frame_size(x86_xstate()) : 0;
}

static void restore_sigcontext(struct user_regs_struct *g, const struct linux_x86_sigcontext *sc,
			       uint64_t uc_flags)
{
	g->rbx = sc->bx;
	g->rcx = sc->cx;
	g->rdx = sc->dx;
	g->rsi = sc->si;
	g->rdi = sc->di;
	g->rbp = sc->bp;
	g->rax = sc->ax;
	g->rsp = sc->sp;
	g->rip = sc->ip;
	g->r8 = sc->r8;
	g->r9 = sc->r9;
	g->r10 = sc->r10;
	g->r11 = sc->r11;
	g->r12 = sc->r12;
	g->r13 = sc->r13;
	g->r14 = sc->r14;
	g->r15 = sc->r15;
	/* Always user mode; fs and gs and their bases stay as they are. */
	g->cs = sc->cs | 3;
	g->ss = sc->ss | 3;
	g->eflags = (g->eflags & ~(uint64_t)X86_FIX_EFLAGS) | (sc->flags & X86_FIX_EFLAGS);
	g->orig_rax = (unsigned long long)-1; /* no syscall restart */
	/* Frames from before UC_STRICT_RESTORE_SS (DOSEMU, CRIU) may hold any SS. */
	if (!(uc_flags & UC_STRICT_RESTORE_SS) && g->cs == X86_USER_CS)
		g->ss = valid_ss(g->ss);
}

int arch_sigreturn_restore(struct arch_regs *regs, const void *frame, const void *extra,
			   size_t extra_len, linux_sigset_t *mask, struct linux_stack *altstack)
{
	const struct x86_xstate *x = x86_xstate();
	struct linux_x86_ucontext uc;
	int err = 0;

	if (!regs->fp_valid)
		return -ENODATA;
	if (!x->usable)
		return -EOPNOTSUPP;
	memcpy(&uc, frame_uc(frame), sizeof uc);
	*mask = uc.uc_sigmask & ~LINUX_SIG_UNBLOCKABLE;
	restore_sigcontext(&regs->gpr, &uc.uc_mcontext, uc.uc_flags);
	/* fpu__restore_sig(): no FP state named means the init state; one that
	 * cannot be read fails with the FPU reset all the same. */
	if (uc.uc_mcontext.fpstate && extra) {
		err = x86_fpstate_restore(x, regs, extra, extra_len);
	} else {
		x86_fpu_init(regs);
		if (uc.uc_mcontext.fpstate)
			err = -EFAULT;
	}
	if (err)
		return err;
	*altstack = uc.uc_stack;
	return 0;
}
