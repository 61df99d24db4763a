/* Linux's user ABI as the guest sees it, independent of the host's headers.
 * Layouts are those of the 64-bit ABIs umbra emulates (x86_64 and arm64 share
 * every structure here; per-arch ones such as struct stat live in arch/). */
#ifndef UMBRA_ABI_LINUX_H
#define UMBRA_ABI_LINUX_H

#include <stddef.h>
#include <stdint.h>

/* include/uapi/linux/auxvec.h, arch/x86/include/uapi/asm/auxvec.h */
enum {
	LINUX_AT_NULL = 0,
	LINUX_AT_IGNORE = 1,
	LINUX_AT_EXECFD = 2,
	LINUX_AT_PHDR = 3,
	LINUX_AT_PHENT = 4,
	LINUX_AT_PHNUM = 5,
	LINUX_AT_PAGESZ = 6,
	LINUX_AT_BASE = 7,
	LINUX_AT_FLAGS = 8,
	LINUX_AT_ENTRY = 9,
	LINUX_AT_NOTELF = 10,
	LINUX_AT_UID = 11,
	LINUX_AT_EUID = 12,
	LINUX_AT_GID = 13,
	LINUX_AT_EGID = 14,
	LINUX_AT_PLATFORM = 15,
	LINUX_AT_HWCAP = 16,
	LINUX_AT_CLKTCK = 17,
	LINUX_AT_SECURE = 23,
	LINUX_AT_BASE_PLATFORM = 24,
	LINUX_AT_RANDOM = 25,
	LINUX_AT_HWCAP2 = 26,
	LINUX_AT_RSEQ_FEATURE_SIZE = 27,
	LINUX_AT_RSEQ_ALIGN = 28,
	LINUX_AT_HWCAP3 = 29,
	LINUX_AT_HWCAP4 = 30,
	LINUX_AT_EXECFN = 31,
	LINUX_AT_SYSINFO_EHDR = 33,
	LINUX_AT_MINSIGSTKSZ = 51,
};

struct linux_auxv {
	uint64_t type;
	uint64_t val;
};

struct linux_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct linux_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

#define LINUX_UTSNAME_LEN 65
struct linux_utsname {
	char sysname[LINUX_UTSNAME_LEN];
	char nodename[LINUX_UTSNAME_LEN];
	char release[LINUX_UTSNAME_LEN];
	char version[LINUX_UTSNAME_LEN];
	char machine[LINUX_UTSNAME_LEN];
	char domainname[LINUX_UTSNAME_LEN];
};

struct linux_rlimit {
	uint64_t rlim_cur;
	uint64_t rlim_max;
};
#define LINUX_RLIM_INFINITY (~0ULL)
#define LINUX_RLIM_NLIMITS 16
#define LINUX_RLIMIT_SIGPENDING 11
#define LINUX_SIGRTMIN 32 /* the kernel's; libc keeps the first few */

/* Signals: 64 of them, a sigset is one 64-bit word on both arches. */
#define LINUX_NSIG 64
typedef uint64_t linux_sigset_t;

/* include/uapi/asm-generic/signal.h (arm64) and arch/x86 share this layout. */
struct linux_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	linux_sigset_t mask;
};
#define LINUX_SIG_DFL 0
#define LINUX_SIG_IGN 1
#define LINUX_SA_SIGINFO 0x00000004u
#define LINUX_SA_RESTORER 0x04000000u
#define LINUX_SA_ONSTACK 0x08000000u

/* The signals no mask can hold (sigdelsetmask in set_current_blocked()). */
#define LINUX_SIGKILL 9
#define LINUX_SIGSTOP 19
#define LINUX_SIG_UNBLOCKABLE ((1ULL << (LINUX_SIGKILL - 1)) | (1ULL << (LINUX_SIGSTOP - 1)))

/* stack_t (include/uapi/asm-generic/signal.h; x86_64 has the same). The
 * kernel keeps a task's sigaltstack in this form, ss_flags as the caller gave
 * them, and copies it verbatim into a signal frame's uc_stack. */
struct linux_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad0;
	uint64_t ss_size;
};
#define LINUX_SS_ONSTACK 1
#define LINUX_SS_DISABLE 2
#define LINUX_SS_AUTODISARM (1u << 31)

/* __on_sig_stack(), on_sig_stack() and sas_ss_flags() of
 * include/linux/sched/signal.h: whether sp lies on the alternate stack (it
 * grows down, so its top byte counts and its bottom does not); the same for
 * the task, whose SS_AUTODISARM stack is never "on" (it is disarmed while in
 * use); and the stack's state seen from sp. */
static inline int linux_sp_on_stack(const struct linux_stack *ss, uint64_t sp)
{
	return sp > ss->ss_sp && sp - ss->ss_sp <= ss->ss_size;
}

static inline int linux_on_sig_stack(const struct linux_stack *ss, uint64_t sp)
{
	if ((uint32_t)ss->ss_flags & LINUX_SS_AUTODISARM)
		return 0;
	return linux_sp_on_stack(ss, sp);
}

static inline int linux_sas_ss_flags(const struct linux_stack *ss, uint64_t sp)
{
	if (!ss->ss_size)
		return LINUX_SS_DISABLE;
	return linux_on_sig_stack(ss, sp) ? LINUX_SS_ONSTACK : 0;
}

/* include/linux/posix-timers.h: the clock id of a process's CPU clock
 * (CPUCLOCK_SCHED: its scheduler run time), as the host's clock_gettime
 * takes it for another process. */
#define LINUX_CPUCLOCK_SCHED 2
static inline int linux_process_cpuclock(int pid)
{
	return (int)((~(uint32_t)pid << 3) | LINUX_CPUCLOCK_SCHED);
}

#define LINUX_SIGINFO_SIZE 128
/* sizeof(struct kernel_siginfo): what copy_siginfo_to_user() (kernel/signal.c)
 * copies into a signal frame; it zeroes the rest of the 128 bytes. */
#define LINUX_SIGINFO_KERNEL_SIZE 48
struct linux_siginfo {
	int32_t si_signo;
	int32_t si_errno;
	int32_t si_code;
	int32_t pad0;
	union {
		uint8_t raw[LINUX_SIGINFO_SIZE - 16];
		struct {
			uint64_t addr;
		} fault;
		struct {
			int32_t pid;
			uint32_t uid;
			uint64_t value; /* sigqueue's sigval (SIL_RT) */
		} kill;
		struct {
			int32_t tid; /* the POSIX timer's id */
			int32_t overrun;
			uint64_t value;
		} timer;
		struct {
			uint64_t call_addr; /* after the syscall instruction */
			int32_t syscall;
			uint32_t arch;      /* AUDIT_ARCH_* */
		} sys;                      /* SIGSYS */
	} u;
};

#define LINUX_SI_TIMER (-2)

/* include/uapi/asm-generic/siginfo.h: struct sigevent on 64-bit arches. */
#define LINUX_SIGEV_SIGNAL 0
#define LINUX_SIGEV_NONE 1
#define LINUX_SIGEV_THREAD 2
#define LINUX_SIGEV_THREAD_ID 4
struct linux_sigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
	uint8_t pad[44];
};

/* include/uapi/linux/ptrace.h: a task's syscall user dispatch, as
 * PTRACE_{GET,SET}_SYSCALL_USER_DISPATCH_CONFIG move it. */
struct linux_ptrace_sud_config {
	uint64_t mode; /* PR_SYS_DISPATCH_OFF or _EXCLUSIVE_ON */
	uint64_t selector;
	uint64_t offset;
	uint64_t len;
};

/* include/uapi/linux/rseq.h */
struct linux_rseq {
	uint32_t cpu_id_start;
	uint32_t cpu_id;
	uint64_t rseq_cs;
	uint32_t flags;
	uint32_t node_id;
	uint32_t mm_cid;
	uint32_t slice_ctrl;
	uint8_t end[];
} __attribute__((aligned(32)));

struct linux_rseq_cs {
	uint32_t version;
	uint32_t flags;
	uint64_t start_ip;
	uint64_t post_commit_offset;
	uint64_t abort_ip;
} __attribute__((aligned(32)));

/* include/uapi/linux/futex.h */
struct linux_robust_list_head {
	uint64_t list;
	int64_t futex_offset;
	uint64_t list_op_pending;
};

/* The kernel's own stat (struct kstat), which each arch encodes into its
 * user-visible struct stat (arch_stat_encode). */
struct linux_kstat {
	uint64_t dev;
	uint64_t ino;
	uint32_t mode;
	uint32_t nlink;
	uint32_t uid;
	uint32_t gid;
	uint64_t rdev;
	int64_t size;
	int64_t blksize;
	int64_t blocks;
	struct linux_timespec atime;
	struct linux_timespec mtime;
	struct linux_timespec ctime;
};

/* include/uapi/asm-generic/termbits.h: the kernel's struct termios (TCGETS). */
struct linux_termios {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

struct linux_winsize {
	uint16_t ws_row;
	uint16_t ws_col;
	uint16_t ws_xpixel;
	uint16_t ws_ypixel;
};

_Static_assert(sizeof(struct linux_sigaction) == 32, "sigaction layout");
_Static_assert(sizeof(struct linux_siginfo) == LINUX_SIGINFO_SIZE, "siginfo size");
_Static_assert(sizeof(struct linux_stack) == 24, "stack_t size");
_Static_assert(sizeof(struct linux_sigevent) == 64, "sigevent size");
_Static_assert(offsetof(struct linux_siginfo, u.sys.arch) == 28, "siginfo _sigsys");
_Static_assert(sizeof(struct linux_ptrace_sud_config) == 32, "ptrace_sud_config size");
_Static_assert(sizeof(struct linux_rseq) == 32, "rseq layout");
_Static_assert(offsetof(struct linux_rseq, slice_ctrl) == 28, "rseq slice_ctrl");
_Static_assert(sizeof(struct linux_utsname) == 390, "utsname size");
_Static_assert(sizeof(struct linux_robust_list_head) == 24, "robust list head");
_Static_assert(sizeof(struct linux_termios) == 36, "termios size");

#endif
