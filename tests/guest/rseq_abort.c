// SPDX-License-Identifier: Apache-2.0
/*
 * Aborts of rseq critical sections (kernel/rseq.c, rseq_ip_fixup): threads
 * loop inside a critical section of glibc's area (rseq_spin) that never
 * commits on its own, so they leave it only through abort_ip, which then
 * counts. It aborts when the thread is preempted (more spinning threads
 * than CPUs), migrated (sched_setaffinity from another thread; two CPUs or
 * more), signalled (the handler's ucontext shows abort_ip and rseq_cs is
 * cleared), and by membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) from
 * another thread, with and without MEMBARRIER_CMD_FLAG_CPU (two CPUs or
 * more). A forked child dies of SIGSEGV when its signature before abort_ip
 * is wrong, or rseq_cs points at an unmapped page or past TASK_SIZE, as a
 * periodic SIGALRM interrupts it. Every wait gives up after 10 s or less.
 */
#include "rseq_abi.h"

#include <pthread.h>
#include <sys/mman.h>
#include <ucontext.h>

/* The waits of one case; the run stays well inside the runner's 60 s. */
#define WAIT_MS 10000
#define SHORT_WAIT_MS 5000
#define MAX_SPINNERS 64

#define MB_PRIVATE_EXPEDITED_RSEQ (1 << 7)
#define MB_REGISTER_PRIVATE_EXPEDITED_RSEQ (1 << 8)
#define MB_FLAG_CPU 1

struct spinner {
	pthread_t th;
	int pin;		/* CPU to run on, or -1 */
	int stop;
	pid_t tid;
	long running, aborts, bad_ret;
	uint32_t last_cpu;	/* cpu_id right after the last abort */
};

static struct rseq_cs spin_cs, badsig_cs;

static void *spin_main(void *arg)
{
	struct spinner *s = arg;
	struct rseq_abi *rs = rseq_glibc_area();

	if (!rs || (s->pin >= 0 && rseq_pin(0, s->pin) != 0))
		return NULL;
	s->tid = gettid();
	RSEQ_WRITE(s->running, 1);
	while (!RSEQ_READ(s->stop)) {
		int r = rseq_spin(rs, (uintptr_t)&spin_cs, &s->stop);

		if (r == 1) {
			RSEQ_WRITE(s->last_cpu, RSEQ_READ(rs->cpu_id));
			__atomic_add_fetch(&s->aborts, 1, __ATOMIC_RELAXED);
		} else if (r != 0) {
			RSEQ_WRITE(s->bad_ret, r);
		}
	}
	return NULL;
}

static int spin_start(const char *what, struct spinner *s, int pin)
{
	memset(s, 0, sizeof(*s));
	s->pin = pin;
	if (pthread_create(&s->th, NULL, spin_main, s) != 0) {
		fail("%s: pthread_create", what);
		return 0;
	}
	if (!rseq_await(&s->running, 1, WAIT_MS)) {
		fail("%s: the spinning thread did not start within 10 s", what);
		RSEQ_WRITE(s->stop, 1);
		pthread_join(s->th, NULL);
		return 0;
	}
	return 1;
}

static void spin_stop(const char *what, struct spinner *s)
{
	RSEQ_WRITE(s->stop, 1);
	pthread_join(s->th, NULL);
	if (s->bad_ret)
		fail("%s: rseq_spin: expected 0 or 1 got %ld", what, s->bad_ret);
}

/* (a) More spinners than CPUs: each is preempted inside, and aborts. */
static void preemption(int ncpus)
{
	static struct spinner s[MAX_SPINNERS];
	int n = 2 * ncpus + 1 < MAX_SPINNERS ? 2 * ncpus + 1 : MAX_SPINNERS, started = 0;
	long least = 0;
	int64_t end;

	for (; started < n; started++)
		if (!spin_start("preemption", &s[started], -1))
			break;
	end = rseq_now_ns() + WAIT_MS * 1000000LL;
	for (int i = 0; i < started; i++)
		while (RSEQ_READ(s[i].aborts) == 0 && rseq_now_ns() < end)
			proc_sleep_ms(1);
	for (int i = 0; i < started; i++) {
		spin_stop("preemption", &s[i]);
		if (s[i].aborts == 0)
			fail("preemption: thread %d of %d: expected an abort within 10 s got none",
			     i, n);
		if (i == 0 || s[i].aborts < least)
			least = s[i].aborts;
	}
	note("preemption: %d threads on %d CPUs, at least %ld aborts each", n, ncpus, least);
}

/* (b) Moved to another CPU by another thread: aborts, resumes there. */
static void migration(const cpu_set_t *all)
{
	int a = rseq_nth_cpu(all, 0), b = rseq_nth_cpu(all, 1);
	int64_t end = rseq_now_ns() + WAIT_MS * 1000000LL;
	struct spinner s;
	long before;

	if (!spin_start("migration", &s, a))
		return;
	before = RSEQ_READ(s.aborts);
	if (!CHECK_OK("migration: sched_setaffinity(the spinner)",
		      rseq_pin(s.tid, b)))
		return spin_stop("migration", &s);
	while (!(RSEQ_READ(s.aborts) > before && RSEQ_READ(s.last_cpu) == (uint32_t)b) &&
	       rseq_now_ns() < end)
		proc_sleep_ms(1);
	spin_stop("migration", &s);
	if (s.aborts == before)
		fail("migration: expected an abort within 10 s got none");
	else
		check_ulong("migration: cpu_id after the abort", (unsigned long)b, s.last_cpu);
	if (before)
		note("migration: %ld abort(s) before the move", before);
}

static volatile long sig_abort, sig_inside, sig_other, sig_cs_left;

static void on_usr1(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	struct rseq_abi *rs = rseq_glibc_area();
#if defined(__x86_64__)
	uintptr_t ip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#else
	uintptr_t ip = (uintptr_t)uc->uc_mcontext.pc;
#endif

	(void)sig;
	(void)si;
	if (ip == (uintptr_t)rseq_spin_abort) {
		sig_abort++;
		if (rs && RSEQ_READ(rs->rseq_cs) != 0)
			sig_cs_left++;
	} else if (ip - (uintptr_t)rseq_spin_start <
		   (uintptr_t)(rseq_spin_end - rseq_spin_start)) {
		sig_inside++;
	} else {
		sig_other++;
	}
}

/* (c) A handler runs at abort_ip with rseq_cs cleared. The signal may land
 * between two rounds of the spinner; it is sent until three land inside. */
static void signal_abort(void)
{
	int64_t end = rseq_now_ns() + SHORT_WAIT_MS * 1000000LL;
	struct spinner s;
	long sent = 0;

	if (!sig_install("signal", SIGUSR1, on_usr1, 0, NULL) ||
	    !spin_start("signal", &s, -1))
		return;
	while (sig_abort < 3 && rseq_now_ns() < end) {
		pthread_kill(s.th, SIGUSR1);
		sent++;
		proc_sleep_ms(2);
	}
	spin_stop("signal", &s);
	if (sig_abort == 0)
		fail("signal: expected a handler at abort_ip within 5 s got none of %ld", sent);
	check_long("signal: handlers at an IP inside the critical section", 0, sig_inside);
	check_long("signal: handlers at abort_ip with rseq_cs still set", 0, sig_cs_left);
	/* Two handlers may see one abort: a signal still pending when the
	 * first returns is delivered before abort_ip runs. */
	if (sig_abort && !s.aborts)
		fail("signal: expected an abort for %ld handlers at abort_ip got none", sig_abort);
	if (sig_other)
		note("signal: %ld of %ld signals landed outside the critical section", sig_other,
		     sent);
	sig_default(SIGUSR1);
}

/* Calls membarrier until the spinner aborts (5 s at most). */
static void membarrier_until_abort(const char *what, struct spinner *s, unsigned int flags,
				   int cpu)
{
	int64_t end = rseq_now_ns() + SHORT_WAIT_MS * 1000000LL;
	long before = RSEQ_READ(s->aborts), calls = 0;

	while (RSEQ_READ(s->aborts) == before && rseq_now_ns() < end) {
		long r = syscall(SYS_membarrier, MB_PRIVATE_EXPEDITED_RSEQ, flags, cpu);

		calls++;
		if (!check_ok(what, r, errno))
			return;
		rseq_await(&s->aborts, before + 1, 100);
	}
	if (RSEQ_READ(s->aborts) == before)
		fail("%s: expected an abort within 5 s got none", what);
	else if (calls > 1)
		note("%s: %ld calls before the abort", what, calls);
}

/* (d) membarrier RSEQ from a thread on another CPU aborts the spinner. */
static void membarrier_abort(const cpu_set_t *all)
{
	int a = rseq_nth_cpu(all, 0), b = rseq_nth_cpu(all, 1);
	struct spinner s;

	CHECK_ERRNO("membarrier RSEQ before registering",
		    syscall(SYS_membarrier, MB_PRIVATE_EXPEDITED_RSEQ, 0, 0), EPERM);
	if (!CHECK_OK("membarrier REGISTER_PRIVATE_EXPEDITED_RSEQ",
		      syscall(SYS_membarrier, MB_REGISTER_PRIVATE_EXPEDITED_RSEQ, 0, 0)))
		return;
	if (!CHECK_OK("membarrier: pin to the second CPU", rseq_pin(0, b)) ||
	    !spin_start("membarrier", &s, a))
		return;
	membarrier_until_abort("membarrier PRIVATE_EXPEDITED_RSEQ", &s, 0, 0);
	membarrier_until_abort("membarrier PRIVATE_EXPEDITED_RSEQ, FLAG_CPU", &s, MB_FLAG_CPU,
			       a);
	spin_stop("membarrier", &s);
	sched_setaffinity(0, sizeof(*all), all);
}

static volatile int fatal_stop;
static volatile long fatal_ticks;

static void on_alarm(int sig)
{
	(void)sig;
	if (++fatal_ticks > 400)
		fatal_stop = 1;
}

/*
 * (e), (f) A child spins with rseq_cs set to cs while SIGALRM comes every
 * 5 ms: the first one inside must kill it with SIGSEGV. After 400 ticks
 * (2 s) it gives up and exits 3; 4 when the kernel resumed at a wrong
 * signature's abort_ip.
 */
static void fatal_case(const char *what, uint64_t cs)
{
	pid_t pid = proc_fork(what);

	if (pid == 0) {
		struct itimerval it = { { 0, 5000 }, { 0, 5000 } };
		struct rseq_abi *rs = rseq_glibc_area();
		int r;

		sig_no_core();
		signal(SIGALRM, on_alarm);
		setitimer(ITIMER_REAL, &it, NULL);
		r = rseq_spin(rs, cs, (const volatile int *)&fatal_stop);
		_exit(r == 2 ? 4 : 3);
	}
	sig_reap_killed(what, pid, SIGSEGV);
}

static void fatal_cases(void)
{
	void *gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	fatal_case("a wrong signature before abort_ip", (uintptr_t)&badsig_cs);
	if (gone == MAP_FAILED)
		return fail("mmap: errno %s", err_name(errno));
	munmap(gone, 4096);
	fatal_case("rseq_cs at an unmapped page", (uintptr_t)gone);
	fatal_case("rseq_cs past TASK_SIZE", 1ULL << 63);
}

int main(void)
{
	cpu_set_t all;
	int ncpus;

	proc_default_signals();
	if (!rseq_need_glibc_area("rseq_abort") ||
	    !CHECK_OK("sched_getaffinity", sched_getaffinity(0, sizeof(all), &all)))
		return check_exit("rseq_abort");
	ncpus = CPU_COUNT(&all);
	rseq_cs_init(&spin_cs, rseq_spin_start, rseq_spin_end, rseq_spin_abort);
	rseq_cs_init(&badsig_cs, rseq_spin_start, rseq_spin_end, rseq_badsig_abort);

	preemption(ncpus);
	printf("rseq_abort: preemption\n");
	if (ncpus > 1)
		migration(&all);
	else
		note("one CPU: migration skipped");
	printf("rseq_abort: migration\n");
	signal_abort();
	printf("rseq_abort: signal\n");
	if (ncpus > 1)
		membarrier_abort(&all);
	else
		note("one CPU: membarrier skipped");
	printf("rseq_abort: membarrier\n");
	fatal_cases();
	printf("rseq_abort: SIGSEGV for a bad signature or descriptor\n");
	proc_finish();
	return check_exit("rseq_abort");
}
