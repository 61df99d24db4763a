/* Stub processes: forked, stripped of everything, filtered, exec'd from the
 * sealed stub image, and traced by the host thread that made them. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/ptrace/ptrace_priv.h"

static int place_fd(int fd, int target, int cloexec)
{
	if (fd == target)
		return fcntl(fd, F_SETFD, cloexec ? FD_CLOEXEC : 0);
	return dup3(fd, target, cloexec ? O_CLOEXEC : 0);
}

struct stub_args {
	pid_t parent;
	int memfd, exefd, sockfd;
};

/* Moves the three fds to their numbers, none overwriting another first. */
static int place_fds(const struct stub_args *a)
{
	int memfd = fcntl(a->memfd, F_DUPFD_CLOEXEC, 16);
	int exefd = fcntl(a->exefd, F_DUPFD_CLOEXEC, 16);
	int sockfd = fcntl(a->sockfd, F_DUPFD_CLOEXEC, 16);

	if (memfd < 0 || exefd < 0 || sockfd < 0)
		return -1;
	if (place_fd(exefd, PTRACE_STUB_EXEFD, 1) < 0 || place_fd(memfd, PTRACE_STUB_MEMFD, 0) < 0 ||
	    place_fd(sockfd, PTRACE_STUB_SOCKFD, 0) < 0)
		return -1;
	if (syscall(SYS_close_range, 0, PTRACE_STUB_MEMFD - 1, 0) < 0 ||
	    syscall(SYS_close_range, PTRACE_STUB_SOCKFD + 1, ~0U, 0) < 0)
		return -1;
	return 0;
}

/* Runs in the new child, which shares the sentry's memory until its exec
 * (CLONE_VM | CLONE_VFORK: no copy of the sentry's page tables) while the
 * calling thread waits: only system calls, which write nothing but the
 * child's own stack and, on failure, errno. */
static __attribute__((noreturn)) void stub_child(const struct stub_args *a)
{
	static char *const empty[] = { NULL };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != a->parent)
		_exit(126);
	setpgid(0, 0); /* terminal signals go to the sentry, which decides */
	if (place_fds(a) < 0)
		_exit(126);
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
		_exit(126);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &ptrace_host.filter) < 0)
		_exit(126);
	syscall(SYS_execveat, PTRACE_STUB_EXEFD, "", empty, empty, AT_EMPTY_PATH);
	_exit(127);
}

int ptrace_wait(struct plat_thread *th, int *status)
{
	for (;;) {
		pid_t r = waitpid(th->tid, status, __WALL);

		if (r == th->tid)
			return 0;
		if (r < 0 && errno == EINTR)
			continue;
		return r < 0 ? -errno : -ECHILD;
	}
}

static long unmap_range(struct plat_thread *th, uint64_t start, uint64_t end)
{
	uint64_t args[6] = { start, end - start };

	return end > start ? ptrace_inject(th, SYS_munmap, args) : 0;
}

/* Leaves nothing in the stub's address space but its own text and the
 * vDSO block at ARCH_VDSO_BASE, just above it. */
static int strip_address_space(struct plat_thread *th)
{
	long r = unmap_range(th, 0, ARCH_STUB_BASE);

	if (r >= 0)
		r = unmap_range(th, ARCH_VDSO_BASE + ptrace_vdso_len(), ARCH_TASK_SIZE);
	return r < 0 ? (int)r : 0;
}

int plat_proc_reset(struct plat_thread *th)
{
	return strip_address_space(th);
}

static int stub_attach(struct plat_proc *p)
{
	struct plat_thread *th = &p->main;
	long opts = PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD;
	int status, err;

	err = ptrace_wait(th, &status);
	if (err)
		return err;
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP) {
		if (WIFEXITED(status) || WIFSIGNALED(status))
			p->reaped = true;
		return -ECHILD; /* the child failed before or at its exec */
	}
	if (ptrace(PTRACE_SETOPTIONS, th->tid, 0, opts) < 0)
		return -errno;
	err = ptrace_regs_get(th, 0, &th->regs);
	if (err)
		return err;
	arch_signal_stopped(&th->regs);
	err = ptrace_vdso_place(th);
	return err ? err : strip_address_space(th);
}

static int stub_entry(void *arg)
{
	stub_child(arg);
}

int plat_proc_create(int memfd, struct plat_proc **procp, struct plat_thread **threadp)
{
	struct plat_proc *p;
	struct stub_args args;
	static __thread char stack[32768] __attribute__((aligned(16)));
	int socks[2], err = plat_init();

	if (err)
		return err;
	p = calloc(1, sizeof *p);
	if (!p)
		return -ENOMEM;
	p->main.proc = p;
	p->pidfd = -1;
	p->refs = 1;
	pthread_mutex_init(&p->fault_lock, NULL);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, socks) < 0) {
		err = -errno;
		free(p);
		return err;
	}
	p->sock = socks[0];
	args = (struct stub_args){ getpid(), memfd, ptrace_host.stub_fd, socks[1] };
	p->pid = clone(stub_entry, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
	close(socks[1]);
	if (p->pid < 0) {
		err = -errno;
		close(p->sock);
		free(p);
		return err;
	}
	p->main.tid = p->pid;
	p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	err = p->pidfd < 0 ? -errno : stub_attach(p);
	if (err) {
		plat_proc_destroy(p);
		return err;
	}
	*procp = p;
	*threadp = &p->main;
	return 0;
}

static void proc_put(struct plat_proc *p)
{
	if (!__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL)) {
		pthread_mutex_destroy(&p->fault_lock);
		free(p);
	}
}

void plat_proc_destroy(struct plat_proc *p)
{
	int status;

	if (!p)
		return;
	if (!p->reaped) {
		kill(p->pid, SIGKILL);
		while (waitpid(p->pid, &status, __WALL) < 0 && errno == EINTR)
			;
		p->reaped = true;
	}
	if (p->pidfd >= 0)
		close(p->pidfd);
	p->pidfd = -1;
	if (p->sock >= 0)
		close(p->sock);
	p->sock = -1;
	proc_put(p); /* threads still attached keep the struct, not the stub */
}

int plat_proc_kill(struct plat_proc *p)
{
	if (p->pidfd < 0)
		return 0; /* already ended */
	if (syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0) < 0)
		return errno == ESRCH ? 0 : -errno;
	return 0;
}

int plat_proc_pid(const struct plat_proc *p)
{
	return p->pid;
}

void ptrace_thread_gone(struct plat_thread *th)
{
	th->gone = true;
	if (th == &th->proc->main)
		th->proc->reaped = true;
}

int plat_thread_spawn(struct plat_thread *via, int *tid)
{
	uint64_t args[6] = { PTRACE_THREAD_FLAGS };
	long r = ptrace_inject_at(via, ARCH_STUB_CLONE, SYS_clone, args);

	if (r < 0)
		return (int)r;
	*tid = (int)r;
	return 0;
}

/* Seizes a spawned thread and stops it where it spins. */
static int seize(struct plat_thread *th)
{
	long opts = PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD;
	int status, err;

	if (ptrace(PTRACE_SEIZE, th->tid, 0, opts) < 0 ||
	    ptrace(PTRACE_INTERRUPT, th->tid, 0, 0) < 0)
		return -errno;
	err = ptrace_wait(th, &status);
	if (err)
		return err;
	if (!WIFSTOPPED(status)) {
		th->gone = true;
		return -ESRCH;
	}
	err = ptrace_regs_get(th, 0, &th->regs);
	if (!err)
		arch_signal_stopped(&th->regs);
	return err;
}

int plat_thread_attach(struct plat_proc *proc, int tid, struct plat_thread **out)
{
	struct plat_thread *th = calloc(1, sizeof *th);
	int err;

	if (!th)
		return -ENOMEM;
	th->proc = proc;
	th->tid = tid;
	err = seize(th);
	if (err) {
		free(th);
		return err;
	}
	__atomic_add_fetch(&proc->refs, 1, __ATOMIC_RELAXED);
	*out = th;
	return 0;
}

void plat_thread_exit(struct plat_thread *th)
{
	uint64_t args[6] = { 0 };

	if (!th || th == &th->proc->main)
		return;
	if (!th->gone && !th->proc->reaped)
		ptrace_inject(th, SYS_exit, args); /* ends with the thread: -ESRCH */
	proc_put(th->proc);
	free(th);
}

int plat_thread_interrupt(struct plat_thread *th)
{
	if (th->gone)
		return 0;
	if (syscall(SYS_tgkill, th->proc->pid, th->tid, PTRACE_INTERRUPT_SIGNAL) < 0)
		return errno == ESRCH ? 0 : -errno;
	return 0;
}

/* A /proc file's first bytes, NUL-terminated; its length or -errno. */
static int read_proc(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), n;

	if (fd < 0)
		return -errno;
	n = (int)read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	return n;
}

/* Fields 14 and 15 of a /proc stat file (utime, stime), in ns. */
static int stat_times(const char *path, unsigned long long *user, unsigned long long *sys)
{
	char buf[1024], *s;
	long tick = sysconf(_SC_CLK_TCK);
	unsigned long long ut = 0, st = 0;
	int n = read_proc(path, buf, sizeof buf);

	if (n < 0)
		return n;
	s = strrchr(buf, ')'); /* comm may hold spaces */
	if (!s || sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2 || tick <= 0)
		return -EIO;
	*user = ut * (1000000000ULL / (unsigned long long)tick);
	*sys = st * (1000000000ULL / (unsigned long long)tick);
	return 0;
}

/* /proc/PID/stat's CPU times and /proc/PID/status VmHWM of the stub. */
int plat_proc_usage(struct plat_proc *p, struct plat_usage *u)
{
	char path[64], buf[2048], *s;
	int err;

	memset(u, 0, sizeof *u);
	snprintf(path, sizeof path, "/proc/%d/stat", p->pid);
	err = stat_times(path, &u->user_ns, &u->sys_ns);
	if (err)
		return err;
	snprintf(path, sizeof path, "/proc/%d/status", p->pid);
	if (read_proc(path, buf, sizeof buf) > 0 && (s = strstr(buf, "VmHWM:")))
		sscanf(s + 6, "%llu", &u->maxrss_kb);
	return 0;
}

/* /proc/PID/task/TID/schedstat's first field, or stat's utime and stime. */
int plat_thread_cputime(const struct plat_thread *th, int kind, uint64_t *ns)
{
	char path[80], buf[256];
	unsigned long long ut = 0, st = 0, run = 0;
	int err;

	snprintf(path, sizeof path, "/proc/%d/task/%d/%s", th->proc->pid, th->tid,
		 kind == 2 ? "schedstat" : "stat");
	if (kind != 2) {
		err = stat_times(path, &ut, &st);
		*ns = ut + (kind == 0 ? st : 0);
		return err;
	}
	err = read_proc(path, buf, sizeof buf);
	if (err < 0)
		return err;
	if (sscanf(buf, "%llu", &run) != 1)
		return -EIO;
	*ns = run;
	return 0;
}
