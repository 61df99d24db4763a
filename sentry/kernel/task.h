/* A guest thread and the host thread that traces it. */
#ifndef UMBRA_SENTRY_TASK_H
#define UMBRA_SENTRY_TASK_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "abi/linux.h"
#include "sentry/ptrace/ptrace.h"
#include "sentry/rseq/rseq.h"
#include "sentry/sched/prio.h"
#include "platform/platform.h"
#include "sentry/kernel/restart.h"
#include "sentry/fs/vfs.h"

#define TASK_CPUMASK_BYTES 128 /* 1024 CPUs */

/* Whether a CPU mask (sched_setaffinity's bytes) names cpu. */
static inline bool cpumask_has(const uint8_t *mask, int cpu)
{
	return mask[cpu / 8] & (1u << (cpu % 8));
}

struct sig_more;
struct sandbox;
struct mm;
struct fdtable;
struct plat_proc;
struct task_start;
struct plat_thread;
struct arch_regs;
struct exec_req;
struct ktimer;

/* Signal actions, shared by the threads of a process (CLONE_SIGHAND). */
struct sighand {
	int refs;
	struct linux_sigaction action[LINUX_NSIG];
};

/* Where paths start and the umask, shared by the tasks CLONE_FS made
 * (fs_struct). A path changes by a copy whose last byte, like the
 * buffer's, is 0: a read racing another thread's chdir sees at worst a
 * mix of the guest's own paths, never past the buffer. */
struct fs_struct {
	int refs;
	char cwd[VFS_PATH_MAX];  /* canonical guest path */
	char root[VFS_PATH_MAX]; /* chroot(2): where absolute paths start */
	uint32_t umask;
};

struct task {
	struct sandbox *sb;
	struct task *next; /* in the sandbox's list (sb->lock) */
	struct mm *mm;
	struct fdtable *files;
	struct sighand *sighand;
	/* The stub process, and whether this task made it (fork, spawn, exec)
	 * and so kills and ends it; threads and vfork children run as threads
	 * of another task's stub. By kill_lock. */
	struct plat_proc *proc;
	bool proc_owner;
	struct plat_thread *plat;
	pthread_t tracer;
	int tracer_tid; /* host tid of the tracer thread, for kicks */

	int tid; /* guest ids: the sandbox's own numbering */
	int tgid;
	int ppid;  /* parent's tgid, 0 for a process the embedder spawned */
	int pgid, sid;
	/* Process tree, by sb->lock: the parent (NULL for a spawned process,
	 * which reaps orphans of its tree as init does) and the tree's root. */
	struct task *parent;
	struct task *init;
	/* Threads: the group's leader (itself for the leader), which outlives
	 * every other thread of the group, and their count (leader only). */
	struct task *leader;
	int nthreads;
	int nlive;       /* of them, those whose guest thread still runs (leader) */
	bool group_exit; /* ended by exit_group or a fatal signal (leader) */
	struct exec_req *exec_pending; /* de_thread: a thread's exec for the leader */
	int start_host_tid; /* a new thread's stub thread, for its tracer */
	int exit_signal; /* sent to the parent at exit: SIGCHLD, or what clone said */
	int vfork_parent; /* tid of a parent asleep in vfork until we exec or end */
	int vfork_child;  /* tid of the vfork child we wait for */
	bool did_exec;    /* setpgid on it from the parent: EACCES */
	/* The process's timers (leader, by sb->lock): setitimer's and
	 * timer_create's (itimer.c), and the id the next one tries. */
	struct ktimer *timers;
	int next_timer_id;
	/* Job control (leader, by sb->lock): the group is stopped by a stop
	 * signal until SIGCONT, and a change not yet reported to a wait4 with
	 * WUNTRACED or WCONTINUED. */
	int exit_efd; /* host eventfd pidfds poll, made with the first (leader) */
	bool stopped;
	unsigned int stop_seq; /* group stops so far (a tracee reports each once) */
	int stop_signal;
	bool stop_report, cont_report;
	/* CPU time and memory (leader): its own once it ended, and what its
	 * collected children (and theirs) used; by sb->lock. */
	struct plat_usage usage_final, usage_children;
	bool child_subreaper; /* PR_SET_CHILD_SUBREAPER: orphans below come here */
	bool no_new_privs;
	uint32_t personality; /* personality(2): PER_LINUX and its flags */
	int seccomp_mode;     /* seccomp.h: disabled, strict or filter */
	struct seccomp_filter *seccomp; /* its filters, newest first */
	int dumpable;
	int pdeathsig;
	linux_sigset_t sigmask;
	/* Signals (by sb->lock): pending ones with the siginfo of each, the
	 * mask sigsuspend replaced until a handler's frame saves it, and the
	 * alternate stack. */
	linux_sigset_t sigpending;
	struct linux_siginfo siginfo[LINUX_NSIG];
	/* The process's queue (leader): signals sent to the process, which any
	 * thread that does not block them takes (signal->shared_pending). */
	linux_sigset_t shared_pending;
	struct linux_siginfo shared_info[LINUX_NSIG];
	/* The vCPU it holds while it runs guest code (-1: none) and the one it
	 * last ran on (sentry/sched/vcpu.h). */
	int vcpu, last_vcpu;
	int mm_cid; /* its concurrency id in its address space there */
	struct task_rseq rseq; /* its rseq registration (sentry/rseq/rseq.h) */
	struct ptrace_state ptrace; /* its tracer, and its ptrace-stop */
	uint64_t stops; /* how often it stopped in guest code (atomic) */
	/* Someone interrupted its guest code for a reason of its own (a
	 * signal, an end, a move, a membarrier), not the scheduler (atomic):
	 * an interrupt nobody asked for is a late one of an earlier turn. */
	bool interrupted;
	/* The process's membarrier registrations (leader, atomic): what
	 * GET_REGISTRATIONS shows, and which commands they made ready. */
	int membarrier, membarrier_ready;
	/* The CPUs the task may run on (sched_setaffinity), one bit each, of
	 * the sandbox's; copied by clone. */
	uint8_t cpumask[TASK_CPUMASK_BYTES];
	/* Nice value and policy (sentry/sched/prio.h), by sb->lock; inherited
	 * by clone, kept by exec. */
	struct sched_prio prio;
	/* The process's resource limits (the leader's count), copied by fork. */
	struct linux_rlimit rlim[LINUX_RLIM_NLIMITS];
	/* The last fault's details as the CPU gave them (x86_64 error code and
	 * trap number, arm64 ESR): what every later frame shows, as Linux's
	 * thread_struct keeps them. */
	uint64_t fault_code, fault_trapno;
	/* Real-time signals queued behind the one in each slot (signal.c). */
	struct sig_more *sig_more, *shared_more;
	linux_sigset_t saved_mask;
	bool restore_mask;
	struct linux_stack altstack; /* as sigaltstack(2) stored it */
	/* The syscall just handled: -ERESTART* to settle at delivery, or
	 * whether it set every register itself (rt_sigreturn). */
	long restart;
	bool regs_final;
	struct restart_block restart_block; /* what restart_syscall continues */
	uint64_t clear_child_tid;
	/* Syscall user dispatch (sud.h): what PR_SET_SYSCALL_USER_DISPATCH
	 * set, in the form a tracer's PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG
	 * reads; off in a new task and after exec. */
	struct linux_ptrace_sud_config sud;
	uint64_t robust_list;
	uint64_t robust_len;

	char *exe_path; /* guest path of the running program (/proc/self/exe) */
	char comm[16];  /* its name (TASK_COMM_LEN): the basename execve was given */
	uint64_t start_time; /* CLOCK_BOOTTIME ns at creation (/proc/PID/stat) */
	struct fs_struct *fs;

	bool exiting;
	int exit_status; /* waitpid(2) encoding, valid once exiting */
	bool zombie;     /* its tracer thread is done: only waiting is left */
	/* Kills from other tasks: taken by the tracer between stops, so that
	 * the stub is never signalled after it was reaped. */
	pthread_mutex_t kill_lock;

	/* Start-up: what the starter gave, on its stack; the tracer thread
	 * reads it, answers through it, and never touches it again. */
	struct task_start *start;
};

struct exec_file;

/* The task this tracer thread serves; NULL on other threads. */
extern __thread struct task *task_current;

struct task *task_create(struct sandbox *sb);
/* A task with an id and nothing else: fork fills in the rest. */
struct task *task_alloc(struct sandbox *sb);
/* Starts the tracer thread, which makes the stub and loads the program;
 * returns once guest code is about to run, or the error that prevented it. */
int task_start(struct task *t, const struct exec_file *f, char *const argv[], char *const envp[]);
/* Starts a forked child's tracer thread, which makes its stub, maps its
 * memory and runs it from regs; returns once it runs or why it cannot. */
int task_start_child(struct task *t, struct arch_regs *regs);
/* Waits for the tracer thread to finish (the guest has ended). */
void task_join(struct task *t);
void task_destroy(struct task *t);
/* Frees a task already unlinked from the sandbox's list. */
void task_free(struct task *t);
struct sighand *sighand_new(const struct sighand *copy); /* NULL: out of memory */
void sighand_put(struct sighand *sh);
struct fs_struct *fs_struct_new(const struct fs_struct *copy); /* NULL: out of memory */
struct fs_struct *fs_struct_share(struct fs_struct *fs);
void fs_struct_put(struct fs_struct *fs);
/* exit(2): the thread alone, unless it is the last of its group. */
void task_exit_thread(struct task *t, int wstatus);
/* The process's CPU time and peak memory so far (sys_usage.c), and a
 * struct rusage of it for the guest. */
void task_usage_self(struct task *t, struct plat_usage *u);
long usage_to_guest(struct task *t, uint64_t addr, const struct plat_usage *u);
/* The tracer thread's loop: run, stop, handle, until the guest ends. */
void task_run(struct task *t);

/* The registers of the stopped task (owned by the platform). */
struct arch_regs *task_regs(struct task *t);
/* Ends the whole thread group with a waitpid(2) status. */
void task_exit_group(struct task *t, int wstatus);
/* task_exit_group from another task's thread: the target stops wherever it
 * is (running guest code, or blocked in the sentry). */
void task_kill(struct task *t, int wstatus);
void task_kill_locked(struct task *t, int wstatus); /* sb->lock held */
/* Makes t look at its signals soon: its guest code stops, a wait in the
 * sentry wakes; sb->lock held. */
void task_interrupt_locked(struct task *t);
/* A vfork child exec'd or ended: its parent runs again. */
void task_vfork_release(struct task *t);
/* Kicks: a host signal that interrupts a tracer thread blocked in a host
 * call (kick.c). Each tracer thread sets it up once; the kick is let
 * through only by the mask task_kick_mask() gives ppoll and epoll_pwait,
 * and by task_wait_fd, which waits until a blocking fd is ready for
 * events (-EINTR when kicked; -EAGAIN past a socket's SO_RCVTIMEO or
 * SO_SNDTIMEO). */
void task_kick_setup(void);
const sigset_t *task_kick_mask(void);
void task_kick_thread(int tid);
int task_wait_fd(int fd, short events);
/* accept(2)'s wait on a listening socket (which task_wait_fd passes by). */
int task_wait_accept(int fd);
/* flock(2) and the open of a FIFO on the host with the kick let through:
 * 0 or the new fd, or -errno. */
int task_blocking_flock(int fd, int op);
struct lookup;
int task_blocking_open(const struct lookup *l, int flags);
/* What the tracer thread does once the guest has ended: the tree and the
 * parent learn of it (sentry/kernel/exit.c). */
void task_exit_notify(struct task *t);
/* A task's guest thread has ended (its tracer's loop is over). */
void task_thread_ended(struct task *t);
/* A leader whose own thread has ended waits here for the group's others. */
void task_wait_threads(struct task *t);
/* A thread other than the leader has ended: CLONE_CHILD_CLEARTID, and it
 * leaves its group; t is freed. */
void task_thread_gone(struct task *t);
/* A process's end its tracer collected goes to its parent (told, or
 * freed when the parent takes none); sb->lock held. */
void task_zombie_to_parent_locked(struct task *t);
/* do_notify_parent()'s siginfo for t's end (CLD_EXITED or CLD_KILLED, the
 * status) sent as sig to the process of to; sb->lock held. */
void task_tell_exit_locked(struct task *t, struct task *to, int sig);
/* mm_release(): the robust futexes and the CLONE_CHILD_CLEARTID word of a
 * task whose guest thread has ended. */
void task_clear_child_tid(struct task *t);
/* de_thread(): execve ends the caller's other threads and waits for them:
 * 0 when the leader is then alone, 1 when a thread other than the leader
 * is left with the leader's task (whose guest thread has ended), to hand
 * its exec over; -EINTR when the caller is killed meanwhile. */
int task_exec_alone(struct task *t);
/* That hand-over: the leader takes t's files, fs_struct, mask and pending
 * signals and the exec x (which it frees); t ends without a report. */
void task_exec_hand_over(struct task *t, struct exec_req *x);
/* On the leader's tracer once its threads are gone: the exec handed over,
 * with the leader made a running task again, or NULL (none, or the group
 * is being killed). */
struct exec_req *task_exec_take(struct task *l);
/* execve.c: builds the image x names in the leader's task and frees x;
 * the leader runs it unless the exec failed past the point of no return
 * (the group then ends with SIGSEGV). */
void exec_take_over(struct task *l, struct exec_req *x);
void exec_req_free(struct exec_req *x);

#endif
