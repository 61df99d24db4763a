/* ptrace(2)'s requests (kernel/ptrace.c sys_ptrace, ptrace_request and
 * the arches' arch_ptrace), in the kernel's order of checks: TRACEME; the
 * pid (ESRCH); ATTACH and SEIZE; then the tracee must be the caller's and,
 * but for KILL and INTERRUPT, in a ptrace-stop (ESRCH). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/uio.h>

#include "arch/arch.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/sud.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/ptrace/ptrace.h"
#include "sentry/ptrace/work.h"
#include "sentry/signal/signal.h"
#include "syscall_handlers.h"

#define PTRACE_TRACEME 0
#define PTRACE_PEEKTEXT 1
#define PTRACE_PEEKDATA 2
#define PTRACE_PEEKUSER 3
#define PTRACE_POKETEXT 4
#define PTRACE_POKEDATA 5
#define PTRACE_POKEUSER 6
#define PTRACE_CONT 7
#define PTRACE_KILL 8
#define PTRACE_SINGLESTEP 9
#define PTRACE_GETREGS 12
#define PTRACE_SETREGS 13
#define PTRACE_ATTACH 16
#define PTRACE_DETACH 17
#define PTRACE_SYSCALL 24
#define PTRACE_SYSEMU 31
#define PTRACE_SYSEMU_SINGLESTEP 32
#define PTRACE_SETOPTIONS 0x4200
#define PTRACE_GETEVENTMSG 0x4201
#define PTRACE_GETSIGINFO 0x4202
#define PTRACE_SETSIGINFO 0x4203
#define PTRACE_GETREGSET 0x4204
#define PTRACE_SETREGSET 0x4205
#define PTRACE_SEIZE 0x4206
#define PTRACE_INTERRUPT 0x4207
#define PTRACE_LISTEN 0x4208
#define PTRACE_PEEKSIGINFO 0x4209
#define PTRACE_PEEKSIGINFO_SHARED 1
#define PTRACE_GETSIGMASK 0x420a
#define PTRACE_SETSIGMASK 0x420b
#define PTRACE_GET_SYSCALL_INFO 0x420e
#define PTRACE_GET_RSEQ_CONFIGURATION 0x420f
#define PTRACE_SET_SUD_CONFIG 0x4210
#define PTRACE_GET_SUD_CONFIG 0x4211
#define ARCH_XSTATE_SPAN_MAX 16384 /* the largest span: x86_64's XSAVE image */
#define NT_PRSTATUS 1
#define NT_PRFPREG 2
#define NT_ARM_SYSTEM_CALL 0x404
#define PTRACE_GETFPREGS 14
#define PTRACE_SETFPREGS 15

struct req {
	struct task *t; /* the caller */
	struct task *c; /* the tracee */
	long request;
	uint64_t addr, data;
};

static bool valid_signal(uint64_t sig)
{
	return sig <= LINUX_NSIG;
}

static long traceme(struct task *t)
{
	long err = -EPERM;

	pthread_mutex_lock(&t->sb->lock);
	if (!t->ptrace.tracer && t->leader->parent && !t->leader->parent->exiting) {
		t->ptrace.tracer = t->leader->parent;
		t->ptrace.seized = false;
		err = 0;
	}
	pthread_mutex_unlock(&t->sb->lock);
	return err;
}

static long attach_locked(struct task *t, struct task *c, long request, uint64_t addr,
			  uint64_t data)
{
	bool seize = request == PTRACE_SEIZE;

	if (seize && (addr || (data & ~(uint64_t)LINUX_PTRACE_O_MASK)))
		return -EIO;
	if (c->tgid == t->tgid || c->zombie || c->exiting || c->ptrace.tracer)
		return -EPERM;
	/* __ptrace_may_access(): a process that is not dumpable only for a
	 * tracer with CAP_SYS_PTRACE (the sandbox's root). */
	if (!c->dumpable && !sandbox_capable(t->sb))
		return -EPERM;
	memset(&c->ptrace, 0, sizeof c->ptrace);
	c->ptrace.tracer = t;
	c->ptrace.seized = seize;
	c->ptrace.options = seize ? (uint32_t)data : 0;
	if (!seize) {
		struct linux_siginfo info;

		sig_info_user(&info, SIGSTOP, 0x80 /* SI_KERNEL: SEND_SIG_PRIV */, NULL);
		sig_send_locked(c, &info);
	}
	return 0;
}

/* ptrace_check_attach(): c is t's tracee (any thread of t's group may
 * ask), and in a ptrace-stop unless any_state. */
static bool check_attach_locked(const struct task *t, const struct task *c, bool any_state)
{
	return c->ptrace.tracer && c->ptrace.tracer->tgid == t->tgid &&
	       (any_state || c->ptrace.stopped);
}

static long resume_locked(struct req *q, enum ptrace_run run, bool step)
{
	if (!valid_signal(q->data))
		return -EIO;
	q->c->ptrace.run = run;
	q->c->ptrace.step = step;
	q->c->ptrace.resume_sig = (int)q->data;
	q->c->ptrace.stopped = false;
	pthread_cond_broadcast(&q->t->sb->child_cond);
	return 0;
}

static long detach_locked(struct req *q)
{
	if (!valid_signal(q->data))
		return -EIO;
	q->c->ptrace.resume_sig = (int)q->data;
	q->c->ptrace.tracer = NULL;
	q->c->ptrace.stopped = false;
	pthread_cond_broadcast(&q->t->sb->child_cond);
	return 0;
}

static long peek(struct req *q)
{
	uint64_t word;

	if (copy_from_guest(q->c, &word, q->addr, sizeof word))
		return -EIO;
	return copy_to_guest(q->t, q->data, &word, sizeof word) ? -EFAULT : 0;
}

static long peek_user(struct req *q)
{
	uint64_t word;
	int err = arch_ptrace_peekuser(plat_regs(q->c->plat), q->addr, &word);

	if (err)
		return err;
	return copy_to_guest(q->t, q->data, &word, sizeof word) ? -EFAULT : 0;
}

/* POKETEXT may write a read-only mapping (FOLL_FORCE). */
static long poke(struct req *q)
{
	int err = ptrace_poke_locked(q->c, q->addr, &q->data, sizeof q->data);

	return err == -ESRCH || !err ? err : -EIO;
}

static long gpr_out(struct req *q, uint64_t to, size_t len)
{
	uint8_t buf[ARCH_PTRACE_GPR_MAX];
	size_t size = arch_ptrace_gpr_get(plat_regs(q->c->plat), q->c->ptrace.at, buf);

	if (len > size)
		len = size;
	return copy_to_guest(q->t, to, buf, len) ? -EFAULT : (long)len;
}

static long gpr_in(struct req *q, uint64_t from, size_t len)
{
	uint8_t buf[ARCH_PTRACE_GPR_MAX];
	size_t size = arch_ptrace_gpr_get(plat_regs(q->c->plat), q->c->ptrace.at, buf);

	if (len > size)
		len = size;
	if (copy_from_guest(q->t, buf, from, len))
		return -EFAULT;
	arch_ptrace_gpr_set(plat_regs(q->c->plat), q->c->ptrace.at, buf, len);
	return (long)len;
}

/* A regset the arch keeps whole in struct arch_regs (FP/SIMD, TLS):
 * len bytes of it at most, to or from the guest at at; the count. */
static long span_io(struct req *q, unsigned int type, uint64_t at, size_t len, bool set)
{
	uint8_t *regs = (uint8_t *)plat_regs(q->c->plat);
	size_t off, size;
	static __thread uint8_t buf[ARCH_XSTATE_SPAN_MAX];
	int err;

	if (!arch_ptrace_regset_span(type, &off, &size))
		return -EINVAL;
	if (len > size)
		len = size;
	if (!set)
		return copy_to_guest(q->t, at, regs + off, len) ? -EFAULT : (long)len;
	memcpy(buf, regs + off, size);
	if (copy_from_guest(q->t, buf, at, len))
		return -EFAULT;
	if ((err = arch_ptrace_regset_check(type, buf, size)))
		return err;
	memcpy(regs + off, buf, size);
	return (long)len;
}

/* NT_ARM_SYSTEM_CALL: the syscall number a syscall stop runs, an int. */
static long syscall_nr_io(struct req *q, uint64_t at, size_t len, bool set)
{
	int32_t nr = (int32_t)arch_syscall_nr(plat_regs(q->c->plat));

	if (len < sizeof nr)
		return -EINVAL;
	if (!set)
		return copy_to_guest(q->t, at, &nr, sizeof nr) ? -EFAULT : (long)sizeof nr;
	if (copy_from_guest(q->t, &nr, at, sizeof nr))
		return -EFAULT;
	arch_syscall_set_nr(plat_regs(q->c->plat), nr);
	return sizeof nr;
}

static long regset_io(struct req *q, unsigned int type, uint64_t at, size_t len, bool set)
{
	if (type == NT_PRSTATUS)
		return set ? gpr_in(q, at, len) : gpr_out(q, at, len);
	if (type == NT_ARM_SYSTEM_CALL && ARCH_ELF_MACHINE == 183 /* EM_AARCH64 */)
		return syscall_nr_io(q, at, len, set);
	return span_io(q, type, at, len, set);
}

/* ptrace_regset(): the length a multiple of a register, cut to the
 * regset's, and written back to the iovec. */
static long regset(struct req *q, bool set)
{
	struct iovec iov;
	long n;

	if (copy_from_guest(q->t, &iov, q->data, sizeof iov))
		return -EFAULT;
	if (iov.iov_len % (q->addr == NT_ARM_SYSTEM_CALL ? sizeof(int32_t) : sizeof(uint64_t)))
		return -EINVAL;
	n = regset_io(q, (unsigned int)q->addr, (uint64_t)iov.iov_base, iov.iov_len, set);
	if (n < 0)
		return n;
	iov.iov_len = (size_t)n;
	return copy_to_guest(q->t, q->data + offsetof(struct iovec, iov_len), &iov.iov_len,
			     sizeof iov.iov_len) ? -EFAULT : 0;
}

static long siginfo_io(struct req *q, bool set)
{
	struct linux_siginfo *info = &q->c->ptrace.info;

	if (!info->si_signo)
		return -EINVAL;
	if (set)
		return copy_from_guest(q->t, info, q->data, sizeof *info) ? -EFAULT : 0;
	return copy_to_guest(q->t, q->data, info, sizeof *info) ? -EFAULT : 0;
}

/* ptrace_peek_siginfo(): nr pending siginfos from the off-th on, into
 * data; how many, or the error when none could be copied. */
static long peek_siginfo(struct req *q)
{
	struct {
		uint64_t off;
		uint32_t flags;
		int32_t nr;
	} arg;
	static __thread struct linux_siginfo infos[64];
	long done = 0;

	if (copy_from_guest(q->t, &arg, q->addr, sizeof arg))
		return -EFAULT;
	if (arg.flags & ~PTRACE_PEEKSIGINFO_SHARED || arg.nr < 0)
		return -EINVAL;
	while (done < arg.nr) {
		int want = arg.nr - done < 64 ? (int)(arg.nr - done) : 64;
		int got = sig_peek_locked(q->c, arg.flags & PTRACE_PEEKSIGINFO_SHARED,
					  arg.off + (uint64_t)done, infos, want);

		if (!got)
			break;
		if (copy_to_guest(q->t, q->data + (uint64_t)done * sizeof *infos, infos,
				  (size_t)got * sizeof *infos))
			return done ? done : -EFAULT;
		done += got;
	}
	return done;
}

/* PTRACE_GETSIGMASK and SETSIGMASK: addr is the set's size; SIGKILL
 * and SIGSTOP cannot be blocked. */
static long sigmask_io(struct req *q, bool set)
{
	linux_sigset_t mask;

	if (q->addr != sizeof mask)
		return -EINVAL;
	if (!set)
		return copy_to_guest(q->t, q->data, &q->c->sigmask, sizeof mask) ? -EFAULT : 0;
	if (copy_from_guest(q->t, &mask, q->data, sizeof mask))
		return -EFAULT;
	q->c->sigmask = mask & ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)));
	return 0;
}

/* ptrace_setoptions(): SUSPEND_SECCOMP only for a tracer with
 * CAP_SYS_ADMIN (the sandbox's root) that no filter binds itself. */
static long set_options(struct req *q)
{
	if (q->data & ~(uint64_t)LINUX_PTRACE_O_MASK)
		return -EINVAL;
	if ((q->data & LINUX_PTRACE_O_SUSPEND_SECCOMP) && (!sandbox_capable(q->t->sb) || q->t->seccomp_mode))
		return -EPERM;
	q->c->ptrace.options = (uint32_t)q->data;
	return 0;
}

static long put_u64(struct req *q, uint64_t v)
{
	return copy_to_guest(q->t, q->data, &v, sizeof v) ? -EFAULT : 0;
}

/* struct ptrace_syscall_info (include/uapi/linux/ptrace.h). */
struct syscall_info {
	uint8_t op;
	uint8_t pad[3];
	uint32_t arch;
	uint64_t ip, sp;
	union {
		struct {
			uint64_t nr, args[6];
		} entry;
		struct {
			int64_t rval;
			uint8_t is_error;
		} exit;
		struct {
			uint64_t nr, args[6];
			uint32_t ret_data;
		} seccomp;
	};
};

/* ptrace_get_syscall_info(): what fits of it; its size. Entry and exit
 * show only with TRACESYSGOOD, as the kernel tells them by si_code. */
static long syscall_info(struct req *q)
{
	const struct arch_regs *r = plat_regs(q->c->plat);
	struct syscall_info si;
	size_t size = offsetof(struct syscall_info, entry);
	bool good = q->c->ptrace.info.si_code == (SIGTRAP | 0x80);
	bool seccomp = q->c->ptrace.info.si_code == (SIGTRAP | (LINUX_PTRACE_EVENT_SECCOMP << 8));

	memset(&si, 0, sizeof si);
	si.arch = ARCH_AUDIT_ARCH;
	si.ip = arch_ip(r);
	si.sp = arch_sp(r);
	if (good && q->c->ptrace.at == PTRACE_AT_ENTRY) {
		si.op = PTRACE_AT_ENTRY;
		si.entry.nr = (uint64_t)arch_syscall_nr(r);
		arch_syscall_args(r, si.entry.args);
		size = offsetof(struct syscall_info, entry.args) + sizeof si.entry.args;
	} else if (seccomp && q->c->ptrace.at == PTRACE_AT_SECCOMP) {
		si.op = PTRACE_AT_SECCOMP;
		si.seccomp.nr = (uint64_t)arch_syscall_nr(r);
		arch_syscall_args(r, si.seccomp.args);
		si.seccomp.ret_data = (uint32_t)q->c->ptrace.eventmsg;
		size = offsetof(struct syscall_info, seccomp.ret_data) + sizeof si.seccomp.ret_data;
	} else if (good && q->c->ptrace.at == PTRACE_AT_EXIT) {
		long rval = arch_inject_result(r);

		si.op = PTRACE_AT_EXIT;
		si.exit.rval = rval;
		si.exit.is_error = rval < 0 && rval >= -4095;
		size = offsetof(struct syscall_info, exit.is_error) + sizeof si.exit.is_error;
	}
	if (copy_to_guest(q->t, q->data, &si, q->addr < size ? q->addr : size))
		return -EFAULT;
	return (long)size;
}

/* PTRACE_GET_RSEQ_CONFIGURATION (Linux 5.13): min(addr, 24) bytes. */
static long rseq_config(struct req *q)
{
	struct {
		uint64_t pointer;
		uint32_t size, signature, flags, pad;
	} conf = { q->c->rseq.area, q->c->rseq.len, q->c->rseq.sig, 0, 0 };

	if (copy_to_guest(q->t, q->data, &conf, q->addr < sizeof conf ? q->addr : sizeof conf))
		return -EFAULT;
	return sizeof conf;
}

/* PTRACE_{GET,SET}_SYSCALL_USER_DISPATCH_CONFIG (Linux 6.4). */
static long sud_config(struct req *q, bool set)
{
	struct linux_ptrace_sud_config conf;

	if (q->addr != sizeof conf)
		return -EINVAL;
	if (set) {
		if (copy_from_guest(q->t, &conf, q->data, sizeof conf))
			return -EFAULT;
		return sud_set(q->c, conf.mode, conf.offset, conf.len, conf.selector);
	}
	conf = q->c->sud;
	conf.mode = conf.mode != PR_SYS_DISPATCH_OFF ? PR_SYS_DISPATCH_EXCLUSIVE_ON : 0;
	return copy_to_guest(q->t, q->data, &conf, sizeof conf) ? -EFAULT : 0;
}

/* The requests on a stopped tracee; sb->lock held. */
static long stopped_request_locked(struct req *q)
{
	switch (q->request) {
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA:
		return peek(q);
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
		return poke(q);
	case PTRACE_PEEKUSER:
		return peek_user(q);
	case PTRACE_POKEUSER:
		return arch_ptrace_pokeuser(plat_regs(q->c->plat), q->addr, q->data);
	case PTRACE_CONT:
		return resume_locked(q, PTRACE_RUN_CONT, false);
	case PTRACE_SINGLESTEP:
		return resume_locked(q, PTRACE_RUN_CONT, true);
	case PTRACE_SYSCALL:
		return resume_locked(q, PTRACE_RUN_SYSCALL, false);
	case PTRACE_DETACH:
		return detach_locked(q);
	case PTRACE_LISTEN:
		/* A seized tracee in a group stop stays in it, as untraced. */
		if (!q->c->ptrace.seized || !q->c->ptrace.group_stop)
			return -EIO;
		q->c->ptrace.listen = true;
		q->c->ptrace.stopped = false;
		pthread_cond_broadcast(&q->t->sb->child_cond);
		return 0;
	case PTRACE_SYSEMU: /* x86_64, and arm64 since Linux 5.3 */
		return resume_locked(q, PTRACE_RUN_SYSEMU, false);
	case PTRACE_SYSEMU_SINGLESTEP:
		return resume_locked(q, PTRACE_RUN_SYSEMU, true);
#ifdef __x86_64__
	case PTRACE_GETREGS:
		return gpr_out(q, q->data, sizeof(struct user_regs_struct)) < 0 ? -EFAULT : 0;
	case PTRACE_SETREGS:
		return gpr_in(q, q->data, sizeof(struct user_regs_struct)) < 0 ? -EFAULT : 0;
	case PTRACE_GETFPREGS:
	case PTRACE_SETFPREGS: {
		long n = span_io(q, NT_PRFPREG, q->data, sizeof(struct user_fpregs_struct),
				 q->request == PTRACE_SETFPREGS);

		return n < 0 ? n : 0;
	}
#endif
	case PTRACE_SETOPTIONS:
		return set_options(q);
	case PTRACE_GETEVENTMSG:
		return put_u64(q, q->c->ptrace.eventmsg);
	case PTRACE_GETSIGINFO:
	case PTRACE_SETSIGINFO:
		return siginfo_io(q, q->request == PTRACE_SETSIGINFO);
	case PTRACE_PEEKSIGINFO:
		return peek_siginfo(q);
	case PTRACE_GETSIGMASK:
	case PTRACE_SETSIGMASK:
		return sigmask_io(q, q->request == PTRACE_SETSIGMASK);
	case PTRACE_GETREGSET:
	case PTRACE_SETREGSET:
		return regset(q, q->request == PTRACE_SETREGSET);
	case PTRACE_GET_SYSCALL_INFO:
		return syscall_info(q);
	case PTRACE_GET_RSEQ_CONFIGURATION:
		return rseq_config(q);
	case PTRACE_GET_SUD_CONFIG:
	case PTRACE_SET_SUD_CONFIG:
		return sud_config(q, q->request == PTRACE_SET_SUD_CONFIG);
	default:
		return -EIO;
	}
}

static long request_locked(struct req *q)
{
	bool any_state = q->request == PTRACE_KILL || q->request == PTRACE_INTERRUPT;

	if (q->request == PTRACE_ATTACH || q->request == PTRACE_SEIZE)
		return attach_locked(q->t, q->c, q->request, q->addr, q->data);
	if (!check_attach_locked(q->t, q->c, any_state))
		return -ESRCH;
	if (q->request == PTRACE_KILL) {
		task_kill_locked(q->c, SIGKILL);
		return 0;
	}
	if (q->request == PTRACE_INTERRUPT) {
		if (!q->c->ptrace.seized)
			return -EIO;
		if (!q->c->ptrace.stopped) {
			q->c->ptrace.trap_pending = true;
			task_interrupt_locked(q->c); /* a wait it is in ends, to restart */
		}
		return 0;
	}
	return stopped_request_locked(q);
}

long sys_ptrace(struct task *t, const struct syscall_args *a)
{
	struct req q = { t, NULL, (long)a->a[0], a->a[2], a->a[3] };
	long err;

	if (q.request == PTRACE_TRACEME)
		return traceme(t);
	pthread_mutex_lock(&t->sb->lock);
	q.c = sandbox_find_task_locked(t->sb, (int)a->a[1]);
	err = q.c && !q.c->zombie ? request_locked(&q) : -ESRCH;
	pthread_mutex_unlock(&t->sb->lock);
	return err;
}
