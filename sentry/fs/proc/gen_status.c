/* /proc/PID/status, stat and statm (fs/proc/array.c, task_mmu.c task_mem).
 *
 * What the sentry does not track yet reads as a task that has not used it:
 * no CPU time (utime, stime), no faults, no pending signals, no context
 * switches, no supplementary groups, no controlling terminal. Process group
 * and session read 0, as for a namespace's init whose leaders are outside it.
 * The task reading its own files is running; every other one reads as
 * sleeping (umbra does not record whether it is in a syscall). */
#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/arch.h"
#include "sentry/sched/vcpu.h"
#include "sentry/fs/fdtable.h"
#include "sentry/fs/proc/gen_priv.h"
#include "sentry/kernel/sandbox.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/vma.h"

#define PAGE_KB (ARCH_PAGE_SIZE / 1024)
#define USER_HZ 100
#define CAP_FULL 0x1ffffffffffULL /* CAP_LAST_CAP 40 */
#define PF_RANDOMIZE 0x00400000u
#define LINUX_SIGCHLD 17
#define LINUX_RLIMIT_RSS 5

bool proc_is_stack(const struct mm_snapshot *s, const struct vma *v)
{
	return !v->file && v->start <= s->exec.start_stack && v->end >= s->exec.start_stack;
}

/* PAGE_ALIGN(end_code) - (start_code & PAGE_MASK), in bytes. */
static uint64_t text_span(const struct mm_exec_info *x)
{
	uint64_t mask = ~(ARCH_PAGE_SIZE - 1);

	return x->end_code ? ((x->end_code + ARCH_PAGE_SIZE - 1) & mask) - (x->start_code & mask) : 0;
}

void proc_vm_count(const struct mm_snapshot *s, struct proc_vm *vm)
{
	uint64_t text = text_span(&s->exec);

	memset(vm, 0, sizeof *vm);
	for (size_t i = 0; i < s->n; i++) {
		const struct vma *v = &s->v[i];
		uint64_t pages = (v->end - v->start) / ARCH_PAGE_SIZE;
		bool shared = v->flags & VMA_SHARED;

		vm->total += pages;
		if (v->file)
			vm->file += pages;
		else if (shared)
			vm->shmem += pages;
		else
			vm->anon += pages;
		if (proc_is_stack(s, v))
			vm->stack += pages;
		else if ((v->prot & PROT_WRITE) && !shared)
			vm->data += pages;
		else if ((v->prot & PROT_EXEC) && !(v->prot & PROT_WRITE))
			vm->exec += pages;
	}
	if (text > vm->exec * ARCH_PAGE_SIZE)
		text = vm->exec * ARCH_PAGE_SIZE;
	vm->text_bytes = text;
	vm->lib_bytes = vm->exec * ARCH_PAGE_SIZE - text;
}

typedef void (*vm_show)(struct task *t, const struct mm_snapshot *s, const struct proc_vm *vm,
			struct strbuf *b);

/* Runs show on a snapshot of t's address space and its counts. */
static int with_vm(struct task *t, struct strbuf *b, vm_show show)
{
	struct mm_snapshot s;
	struct proc_vm vm;
	int err = mm_snapshot(t->mm, &s);

	if (err)
		return err;
	proc_vm_count(&s, &vm);
	show(t, &s, &vm, b);
	mm_snapshot_free(&s);
	return b->err;
}

/* Threads of t's group; the sandbox's lock is held. */
static int nr_threads(struct task *t)
{
	int n = 0;

	for (struct task *o = t->sb->tasks; o; o = o->next)
		n += o->tgid == t->tgid && !o->exiting;
	return n;
}

/* fdt->max_fds: 64 fds, then doubling multiples of 128 (fs/file.c
 * alloc_fdtable); umbra's table never grows, so this is what Linux's would
 * have grown to for the highest fd now open. */
static int fd_size(struct fdtable *ft)
{
	int top = -1, size = 128;

	pthread_mutex_lock(&ft->lock);
	for (int i = 0; i < FDTABLE_MAX; i++)
		if (ft->fd[i])
			top = i;
	pthread_mutex_unlock(&ft->lock);
	if (top < 64)
		return 64;
	while (size <= top)
		size *= 2;
	return size;
}

static bool running(struct task *t)
{
	return t == task_current;
}

/* proc_task_name with escaping: "\n" and "\\" written as escapes. */
static void add_name(struct strbuf *b, const char *name)
{
	for (; *name; name++) {
		if (*name == '\n')
			strbuf_add(b, "\\n", 2);
		else if (*name == '\\')
			strbuf_add(b, "\\\\", 2);
		else
			strbuf_add(b, name, 1);
	}
}

static void task_state(struct task *t, struct strbuf *b)
{
	struct sandbox *sb = t->sb;

	strbuf_add(b, "Name:\t", 6);
	add_name(b, t->comm);
	strbuf_printf(b, "\nUmask:\t%#04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
			 "PPid:\t%d\nTracerPid:\t0\n",
		      t->fs->umask, running(t) ? "R (running)" : "S (sleeping)", t->tgid, t->tid,
		      t->ppid);
	strbuf_printf(b, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", sb->uid, sb->uid, sb->uid,
		      sb->uid, sb->gid, sb->gid, sb->gid, sb->gid);
	strbuf_printf(b, "FDSize:\t%d\nGroups:\t \nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t0\nNSsid:\t0\n"
			 "Kthread:\t0\n",
		      fd_size(t->files), t->tgid, t->tid);
}

static void kb_line(struct strbuf *b, const char *key, uint64_t kb)
{
	strbuf_printf(b, "%s:\t%8" PRIu64 " kB\n", key, kb);
}

static void task_mem(const struct proc_vm *vm, struct strbuf *b)
{
	uint64_t rss = vm->file + vm->anon + vm->shmem;

	kb_line(b, "VmPeak", vm->total * PAGE_KB);
	kb_line(b, "VmSize", vm->total * PAGE_KB);
	kb_line(b, "VmLck", 0);
	kb_line(b, "VmPin", 0);
	kb_line(b, "VmHWM", rss * PAGE_KB);
	kb_line(b, "VmRSS", rss * PAGE_KB);
	kb_line(b, "RssAnon", vm->anon * PAGE_KB);
	kb_line(b, "RssFile", vm->file * PAGE_KB);
	kb_line(b, "RssShmem", vm->shmem * PAGE_KB);
	kb_line(b, "VmData", vm->data * PAGE_KB);
	kb_line(b, "VmStk", vm->stack * PAGE_KB);
	kb_line(b, "VmExe", vm->text_bytes / 1024);
	kb_line(b, "VmLib", vm->lib_bytes / 1024);
	kb_line(b, "VmPTE", 0);
	kb_line(b, "VmSwap", 0);
	kb_line(b, "HugetlbPages", 0);
	strbuf_printf(b, "CoreDumping:\t0\nTHP_enabled:\t1\nuntag_mask:\t%#lx\n", ~0UL);
}

static void sigset_line(struct strbuf *b, const char *key, linux_sigset_t set)
{
	strbuf_printf(b, "%s:\t%016" PRIx64 "\n", key, (uint64_t)set);
}

/* SigIgn and SigCgt from the actions (collect_sigign_sigcatch). */
static void sig_actions(struct task *t, linux_sigset_t *ign, linux_sigset_t *cgt)
{
	*ign = *cgt = 0;
	for (int i = 0; i < LINUX_NSIG; i++) {
		uint64_t h = t->sighand->action[i].handler;

		if (h == LINUX_SIG_IGN)
			*ign |= 1ULL << i;
		else if (h != LINUX_SIG_DFL)
			*cgt |= 1ULL << i;
	}
}

static void task_sig(struct task *t, struct strbuf *b)
{
	linux_sigset_t ign, cgt;
	uint64_t caps = sandbox_capable(t->sb) ? CAP_FULL : 0;

	sig_actions(t, &ign, &cgt);
	strbuf_printf(b, "Threads:\t%d\nSigQ:\t0/%" PRIu64 "\n", nr_threads(t),
		      (uint64_t)t->leader->rlim[LINUX_RLIMIT_SIGPENDING].rlim_cur);
	sigset_line(b, "SigPnd", 0);
	sigset_line(b, "ShdPnd", 0);
	sigset_line(b, "SigBlk", t->sigmask);
	sigset_line(b, "SigIgn", ign);
	sigset_line(b, "SigCgt", cgt);
	strbuf_printf(b, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\nCapBnd:\t%016llx\n"
			 "CapAmb:\t%016llx\n",
		      0ULL, (unsigned long long)caps, (unsigned long long)caps, CAP_FULL, 0ULL);
	strbuf_printf(b, "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n"
			 "Speculation_Store_Bypass:\tunknown\nSpeculationIndirectBranch:\tunknown\n");
}

/* "%*pb" of an n-bit mask with every bit set: 32-bit chunks, most
 * significant first, the first only as wide as its bits need
 * (lib/vsprintf.c bitmap_string). */
static void cpu_mask(struct strbuf *b, int n)
{
	int top = (n - 1) / 32;

	for (int c = top; c >= 0; c--) {
		int bits = n - c * 32 > 32 ? 32 : n - c * 32;
		uint32_t val = bits == 32 ? 0xffffffffu : (1u << bits) - 1;

		strbuf_printf(b, "%s%0*x", c == top ? "" : ",", c == top ? (bits + 3) / 4 : 8, val);
	}
}

static void task_cpus(struct task *t, struct strbuf *b)
{
	int n = t->sb->ncpus;

	strbuf_add(b, "Cpus_allowed:\t", 14);
	cpu_mask(b, n);
	if (n > 1)
		strbuf_printf(b, "\nCpus_allowed_list:\t0-%d\n", n - 1);
	else
		strbuf_printf(b, "\nCpus_allowed_list:\t0\n");
	strbuf_printf(b, "Mems_allowed:\t00000000,00000001\nMems_allowed_list:\t0\n"
			 "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
}

static void show_status(struct task *t, const struct mm_snapshot *s, const struct proc_vm *vm,
			struct strbuf *b)
{
	(void)s;
	task_state(t, b);
	task_mem(vm, b);
	task_sig(t, b);
	task_cpus(t, b);
}

int proc_gen_status(struct task *t, struct strbuf *b)
{
	return with_vm(t, b, show_status);
}

static uint64_t rlim_cur(struct task *t, int res)
{
	return t->leader->rlim[res].rlim_cur;
}

/* Fields 1-25 of do_task_stat; 18 and 19 are task_prio() and the nice value. */
static void stat_head(struct task *t, const struct proc_vm *vm, struct strbuf *b)
{
	uint64_t start = t->start_time / (1000000000ULL / USER_HZ);

	strbuf_printf(b, "%d (%s) %c %d 0 0 0 -1 %u 0 0 0 0 0 0 0 0 %d %d %d 0 %" PRIu64,
		      t->tid, t->comm, running(t) ? 'R' : 'S', t->ppid, PF_RANDOMIZE,
		      sched_prio_stat(&t->prio), t->prio.nice, nr_threads(t), start);
	strbuf_printf(b, " %" PRIu64 " %" PRIu64 " %" PRIu64, vm->total * ARCH_PAGE_SIZE,
		      vm->file + vm->anon + vm->shmem, rlim_cur(t, LINUX_RLIMIT_RSS));
}

/* The vCPU t runs on, or last ran on: 0 until sentry/sched hands out
 * others, as getcpu(2) says. */
static int vcpu_of(const struct task *t)
{
	return sched_cpu(t);
}

/* Fields 26-52; field 39 is the CPU, 40 and 41 the real-time priority
 * and the policy. */
static void stat_tail(struct task *t, const struct mm_snapshot *s, struct strbuf *b)
{
	const struct mm_exec_info *x = &s->exec;
	linux_sigset_t ign, cgt;

	sig_actions(t, &ign, &cgt);
	strbuf_printf(b, " %" PRIu64 " %" PRIu64 " %" PRIu64 " 0 0", x->start_code, x->end_code,
		      x->start_stack);
	strbuf_printf(b, " 0 %" PRIu64 " %" PRIu64 " %" PRIu64 " %d 0 0 %d %d %d %d 0 0 0",
		      (uint64_t)(t->sigmask & 0x7fffffff), (uint64_t)(ign & 0x7fffffff),
		      (uint64_t)(cgt & 0x7fffffff), running(t) ? 0 : 1, LINUX_SIGCHLD, vcpu_of(t),
		      t->prio.rt_priority, t->prio.policy);
	strbuf_printf(b, " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
			 " %" PRIu64 " 0\n",
		      x->start_data, x->end_data, s->brk_start, x->arg_start, x->arg_end,
		      x->env_start, x->env_end);
}

static void show_stat(struct task *t, const struct mm_snapshot *s, const struct proc_vm *vm,
		      struct strbuf *b)
{
	stat_head(t, vm, b);
	stat_tail(t, s, b);
}

int proc_gen_stat(struct task *t, struct strbuf *b)
{
	return with_vm(t, b, show_stat);
}

/* task_statm: size resident shared text lib(0) data dt(0), in pages. */
static void show_statm(struct task *t, const struct mm_snapshot *s, const struct proc_vm *vm,
		       struct strbuf *b)
{
	(void)t;
	strbuf_printf(b, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " 0 %" PRIu64 " 0\n",
		      vm->total, vm->file + vm->anon + vm->shmem, vm->file + vm->shmem,
		      text_span(&s->exec) / ARCH_PAGE_SIZE, vm->data + vm->stack);
}

int proc_gen_statm(struct task *t, struct strbuf *b)
{
	return with_vm(t, b, show_statm);
}
