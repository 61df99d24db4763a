// SPDX-License-Identifier: Apache-2.0
/*
 * Faults as signals (arch/x86/mm/fault.c, arch/arm64/mm/fault.c, the
 * traps): a store to or a load from an unmapped address is SIGSEGV with
 * SEGV_MAPERR and the exact address in si_addr; to a read-only or
 * inaccessible mapping it is SEGV_ACCERR, and a handler that fixes the
 * protection (mprotect) and returns resumes the access, which then takes
 * effect. An undefined instruction is SIGILL at its address (x86_64 ud2:
 * ILL_ILLOPN; arm64 udf: ILL_ILLOPC); an integer division by zero on
 * x86_64 is SIGFPE with FPE_INTDIV at the div (arm64 does not trap). A
 * handler that moves the instruction pointer past the faulting instruction
 * resumes there, with the registers it set. SIGSEGV from a fault cannot be
 * blocked or ignored: the process dies of it, as it does of a second fault
 * in its SIGSEGV handler, while a SIGSEGV sent with kill is blocked or
 * ignored like any signal (and handled as SI_USER).
 */
#include "sig.h"

#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>

static long page;
static sigjmp_buf env;

/* What the fault handler saw; what it does: jump back to env, or fix the
 * protection of si_addr's page and return. */
enum { JUMP, MAKE_WRITABLE, MAKE_READABLE };
static volatile int action, hits, seen_signo, seen_code, seen_errno;
static volatile uintptr_t seen_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	uintptr_t pg = (uintptr_t)si->si_addr & ~(uintptr_t)(page - 1);

	(void)uc;
	hits++;
	seen_signo = si->si_signo;
	seen_code = si->si_code;
	seen_errno = si->si_errno;
	seen_addr = (uintptr_t)si->si_addr;
	if (hits > 2 || action == JUMP)
		siglongjmp(env, sig);
	mprotect((void *)pg, (size_t)page,
		 action == MAKE_WRITABLE ? PROT_READ | PROT_WRITE : PROT_READ);
}

static void reset(int what_to_do)
{
	action = what_to_do;
	hits = 0;
	seen_signo = seen_code = seen_errno = -1;
	seen_addr = 0;
}

static void check_fault(const char *what, int sig, int code, const void *addr)
{
	char w[160];

	snprintf(w, sizeof(w), "%s: faults once", what);
	if (!check_long(w, 1, hits))
		return;
	snprintf(w, sizeof(w), "%s: si_signo", what);
	check_long(w, sig, seen_signo);
	snprintf(w, sizeof(w), "%s: si_code", what);
	check_long(w, code, seen_code);
	snprintf(w, sizeof(w), "%s: si_errno", what);
	check_long(w, 0, seen_errno);
	snprintf(w, sizeof(w), "%s: si_addr", what);
	check_ptr(w, addr, (void *)seen_addr);
}

static void store(volatile char *p, char v)
{
	*p = v;
}

static char load(volatile char *p)
{
	return *p;
}

static void segv(void)
{
	volatile char *p, *ro, *none;
	volatile char got = 0;

	sig_install("SIGSEGV", SIGSEGV, on_fault, 0, NULL);
	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	none = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || ro == MAP_FAILED || none == MAP_FAILED) {
		fail("SIGSEGV: mmap: errno %s", err_name(errno));
		return;
	}
	munmap((void *)(p + page), (size_t)page);

	reset(JUMP);
	if (sigsetjmp(env, 1) == 0) {
		store(p + page + 123, 1);
		fail("a store to an unmapped page: expected SIGSEGV got none");
	}
	check_fault("a store to an unmapped page", SIGSEGV, SEGV_MAPERR,
		    (void *)(p + page + 123));

	reset(JUMP);
	if (sigsetjmp(env, 1) == 0) {
		got = load(p + 2 * page - 1);
		fail("a load from an unmapped page: expected SIGSEGV got none");
	}
	check_fault("a load from an unmapped page", SIGSEGV, SEGV_MAPERR,
		    (void *)(p + 2 * page - 1));
	check_sigs("the mask after siglongjmp out of the handler", 0,
		   sig_mask_now());

	/* Fixed by the handler: the store happens on its return. */
	reset(MAKE_WRITABLE);
	store(ro + 77, 'w');
	check_fault("a store to a read-only page", SIGSEGV, SEGV_ACCERR,
		    (void *)(ro + 77));
	check_long("the store resumed after mprotect in the handler", 'w',
		   ro[77]);

	reset(MAKE_READABLE);
	got = load(none + page - 2);
	check_fault("a load from a PROT_NONE page", SIGSEGV, SEGV_ACCERR,
		    (void *)(none + page - 2));
	check_long("the load resumed after mprotect in the handler", 0, got);

	munmap((void *)p, (size_t)page);
	munmap((void *)ro, (size_t)page);
	munmap((void *)none, (size_t)page);
	sig_default(SIGSEGV);
}

/*
 * Instructions that trap, each at a global label; the handler steps over
 * it and sets the result register, which the function returns.
 */
#if defined(__x86_64__)
#define TRAP_RESULT 0x600d
__asm__(".text\n"
	".globl fault_div\n"
	".type fault_div, @function\n"
	"fault_div:\n"
	"	mov %edi, %eax\n"
	"	xor %edx, %edx\n"
	".globl fault_div_insn\n"
	"fault_div_insn:\n"
	"	divl %esi\n"
	"	ret\n"
	".size fault_div, . - fault_div\n"
	".globl fault_ud\n"
	".type fault_ud, @function\n"
	"fault_ud:\n"
	"	xor %eax, %eax\n"
	".globl fault_ud_insn\n"
	"fault_ud_insn:\n"
	"	ud2\n"
	"	ret\n"
	".size fault_ud, . - fault_ud\n");
unsigned int fault_div(unsigned int a, unsigned int b);
extern const char fault_div_insn[];
#define INSN_LEN 2
#define ILL_CODE ILL_ILLOPN
#elif defined(__aarch64__)
#define TRAP_RESULT 0x600d
__asm__(".text\n"
	".globl fault_ud\n"
	".type fault_ud, %function\n"
	".p2align 2\n"
	"fault_ud:\n"
	"	mov x0, #0\n"
	".globl fault_ud_insn\n"
	"fault_ud_insn:\n"
	"	udf #0\n"
	"	ret\n"
	".size fault_ud, . - fault_ud\n");
#define INSN_LEN 4
#define ILL_CODE ILL_ILLOPC
#endif
unsigned long fault_ud(void);
extern const char fault_ud_insn[];

static void step_over(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	hits++;
	seen_signo = si->si_signo;
	seen_code = si->si_code;
	seen_errno = si->si_errno;
	seen_addr = (uintptr_t)si->si_addr;
#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RIP] += INSN_LEN;
	uc->uc_mcontext.gregs[REG_RAX] = TRAP_RESULT;
#else
	uc->uc_mcontext.pc += INSN_LEN;
	uc->uc_mcontext.regs[0] = TRAP_RESULT;
#endif
}

static void traps(void)
{
	sig_install("SIGILL", SIGILL, step_over, 0, NULL);
	reset(JUMP);
	check_long("stepped over the undefined instruction: the handler's result",
		   TRAP_RESULT, (long)fault_ud());
	check_fault("an undefined instruction", SIGILL, ILL_CODE, fault_ud_insn);
	sig_default(SIGILL);

#if defined(__x86_64__)
	sig_install("SIGFPE", SIGFPE, step_over, 0, NULL);
	reset(JUMP);
	check_long("10 / 5", 2, fault_div(10, 5));
	check_long("10 / 5 does not trap", 0, hits);
	reset(JUMP);
	check_long("stepped over the division by zero: the handler's result",
		   TRAP_RESULT, fault_div(10, 0));
	check_fault("an integer division by zero", SIGFPE, FPE_INTDIV,
		    fault_div_insn);
	sig_default(SIGFPE);
#else
	note("arm64 integer division by zero does not trap: SIGFPE not checked");
#endif
}

/* A child faults with SIGSEGV blocked, ignored, or inside its handler. */
static void segv_in_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	store(bad_address(), 2);
}

static void fatal_case(const char *what, int how)
{
	int block[] = { SIGSEGV, 0 };
	pid_t pid = proc_fork(what);

	if (pid == 0) {
		sig_no_core();
		if (how == 0) {
			sig_install(what, SIGSEGV, on_fault, 0, NULL);
			sig_set_mask(block);
		} else if (how == 1) {
			signal(SIGSEGV, SIG_IGN);
		} else {
			sig_install(what, SIGSEGV, segv_in_handler, 0, NULL);
		}
		store(bad_address(), 1);
		_exit(3);
	}
	sig_reap_killed(what, pid, SIGSEGV);
}

static volatile pid_t sent_pid;

static void on_sent(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	hits++;
	seen_code = si->si_code;
	sent_pid = si->si_pid;
}

static void fatal(void)
{
	int block[] = { SIGSEGV, 0 };

	fatal_case("a fault with SIGSEGV blocked kills", 0);
	fatal_case("a fault with SIGSEGV ignored kills", 1);
	fatal_case("a fault in the SIGSEGV handler kills", 2);

	/* Sent, not a fault: ignored, or pending while blocked and handled at
	 * unblock, as SI_USER. */
	signal(SIGSEGV, SIG_IGN);
	CHECK_OK("kill(self, SIGSEGV) with SIGSEGV ignored",
		 kill(getpid(), SIGSEGV));
	sig_set_mask(block);
	sig_install("a sent SIGSEGV", SIGSEGV, on_sent, 0, NULL);
	reset(JUMP);
	CHECK_OK("kill(self, SIGSEGV) with SIGSEGV blocked",
		 kill(getpid(), SIGSEGV));
	check_sigs("a sent SIGSEGV, blocked: pending", sig_bit(SIGSEGV),
		   sig_pending_now());
	check_long("a sent SIGSEGV, blocked: not handled", 0, hits);
	sig_set_mask(NULL);
	if (check_long("a sent SIGSEGV: handled at unblock", 1, hits)) {
		check_long("a sent SIGSEGV: si_code", SI_USER, seen_code);
		check_long("a sent SIGSEGV: si_pid", getpid(), sent_pid);
	}
	sig_default(SIGSEGV);
}

int main(void)
{
	proc_default_signals();
	page = sysconf(_SC_PAGESIZE);
	segv();
	traps();
	fatal();
	proc_finish();
	printf("signal_fault: done\n");
	return check_exit("signal_fault");
}
