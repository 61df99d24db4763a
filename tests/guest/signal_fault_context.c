// SPDX-License-Identifier: Apache-2.0
/*
 * What a fault leaves in the handler's ucontext beside the siginfo, which
 * programs read to tell a load from a store (emulators, JITs, garbage
 * collectors). x86_64 (arch/x86/mm/fault.c set_signal_archinfo, traps.c):
 * a page fault gives trapno 14, cr2 the address and err the page fault
 * error code, with the user bit (4), the write bit (2) for a store and the
 * present bit (1) when a present page refused the access; ud2 gives trapno
 * 6 and a division by zero trapno 0, err 0 for both. arm64
 * (arch/arm64/mm/fault.c, kernel/signal.c): fault_address is the address
 * and an esr_context record (magic 0x45535201) holds the ESR, whose class
 * is a data abort from EL0 (0x24) with WnR set for a store only.
 */
#include "sig.h"

#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>

static long page;
static sigjmp_buf env;
static volatile int hits;
static volatile uintptr_t seen_addr;
/* x86_64: trapno, err, cr2; arm64: esr (0 when absent), fault_address. */
static volatile uint64_t seen_trapno, seen_err, seen_fault_addr, seen_esr;
static volatile int seen_esr_present;

#if defined(__aarch64__)
#define ESR_MAGIC_NR 0x45535201u
#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_EC_DABT_LOW 0x24
#define ESR_WNR (1u << 6)

static void find_esr(ucontext_t *uc)
{
	unsigned char *p = uc->uc_mcontext.__reserved;
	unsigned char *end = p + sizeof(uc->uc_mcontext.__reserved);

	while (p + 8 <= end) {
		uint32_t magic, size;

		memcpy(&magic, p, 4);
		memcpy(&size, p + 4, 4);
		if (magic == ESR_MAGIC_NR && size >= 16) {
			uint64_t esr;

			memcpy(&esr, p + 8, 8);
			seen_esr = esr;
			seen_esr_present = 1;
			return;
		}
		if (!magic || size < 8)
			return;
		p += size;
	}
}
#endif

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	hits++;
	seen_addr = (uintptr_t)si->si_addr;
#if defined(__x86_64__)
	seen_trapno = (uint64_t)uc->uc_mcontext.gregs[REG_TRAPNO];
	seen_err = (uint64_t)uc->uc_mcontext.gregs[REG_ERR];
	seen_fault_addr = (uint64_t)uc->uc_mcontext.gregs[REG_CR2];
#else
	seen_fault_addr = uc->uc_mcontext.fault_address;
	find_esr(uc);
#endif
	siglongjmp(env, sig);
}

static int fault(void (*access)(volatile char *), volatile char *p)
{
	hits = 0;
	seen_trapno = seen_err = seen_fault_addr = seen_esr = ~0ULL;
	seen_esr_present = 0;
	if (sigsetjmp(env, 1) == 0) {
		access(p);
		return 0;
	}
	return hits == 1;
}

static void do_store(volatile char *p)
{
	*p = 1;
}

static void do_load(volatile char *p)
{
	(void)*p;
}

/* One page fault at p: store or load, on a present page or not. */
static void page_fault(const char *what, volatile char *p, int store,
		       int present)
{
	char w[160];

	if (!fault(store ? do_store : do_load, p)) {
		fail("%s: expected one SIGSEGV got %d", what, hits);
		return;
	}
	snprintf(w, sizeof(w), "%s: si_addr", what);
	check_ptr(w, (void *)p, (void *)seen_addr);
#if defined(__x86_64__)
	snprintf(w, sizeof(w), "%s: uc_mcontext trapno", what);
	check_long(w, 14, (long)seen_trapno);
	snprintf(w, sizeof(w), "%s: uc_mcontext cr2", what);
	check_ptr(w, (void *)p, (void *)seen_fault_addr);
	snprintf(w, sizeof(w), "%s: uc_mcontext err", what);
	check_long(w, 4 | (store ? 2 : 0) | (present ? 1 : 0), (long)seen_err);
#else
	(void)present;
	snprintf(w, sizeof(w), "%s: uc_mcontext fault_address", what);
	check_ptr(w, (void *)p, (void *)seen_fault_addr);
	snprintf(w, sizeof(w), "%s: an esr_context record", what);
	if (!check_true(w, seen_esr_present))
		return;
	snprintf(w, sizeof(w), "%s: ESR class", what);
	check_long(w, ESR_EC_DABT_LOW, (long)ESR_EC(seen_esr));
	snprintf(w, sizeof(w), "%s: ESR WnR", what);
	check_long(w, store, !!(seen_esr & ESR_WNR));
#endif
}

#if defined(__x86_64__)
__asm__(".text\n"
	".globl ctx_div\n"
	".type ctx_div, @function\n"
	"ctx_div:\n"
	"	mov %edi, %eax\n"
	"	xor %edx, %edx\n"
	"	divl %esi\n"
	"	ret\n"
	".size ctx_div, . - ctx_div\n"
	".globl ctx_ud\n"
	".type ctx_ud, @function\n"
	"ctx_ud:\n"
	"	ud2\n"
	"	ret\n"
	".size ctx_ud, . - ctx_ud\n");
unsigned int ctx_div(unsigned int a, unsigned int b);
void ctx_ud(void);

static void traps(void)
{
	sig_install("SIGILL", SIGILL, on_fault, 0, NULL);
	sig_install("SIGFPE", SIGFPE, on_fault, 0, NULL);
	hits = 0;
	seen_trapno = seen_err = ~0ULL;
	if (sigsetjmp(env, 1) == 0)
		ctx_ud();
	if (check_long("ud2: SIGILL", 1, hits)) {
		check_long("ud2: uc_mcontext trapno", 6, (long)seen_trapno);
		check_long("ud2: uc_mcontext err", 0, (long)seen_err);
	}
	hits = 0;
	seen_trapno = seen_err = ~0ULL;
	if (sigsetjmp(env, 1) == 0)
		ctx_div(1, 0);
	if (check_long("division by zero: SIGFPE", 1, hits)) {
		check_long("division by zero: uc_mcontext trapno", 0,
			   (long)seen_trapno);
		check_long("division by zero: uc_mcontext err", 0,
			   (long)seen_err);
	}
	sig_default(SIGILL);
	sig_default(SIGFPE);
}
#else
static void traps(void)
{
}
#endif

int main(void)
{
	volatile char *p, *ro;

	proc_default_signals();
	page = sysconf(_SC_PAGESIZE);
	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || ro == MAP_FAILED) {
		fail("mmap: errno %s", err_name(errno));
		return check_exit("signal_fault_context");
	}
	munmap((void *)(p + page), (size_t)page);
	sig_install("SIGSEGV", SIGSEGV, on_fault, 0, NULL);
	page_fault("a store to an unmapped page", p + page + 40, 1, 0);
	page_fault("a load from an unmapped page", p + page + 8, 0, 0);
	(void)ro[5]; /* present from here on, read-only */
	page_fault("a store to a present read-only page", ro + 5, 1, 1);
	sig_default(SIGSEGV);
	traps();
	printf("signal_fault_context: done\n");
	return check_exit("signal_fault_context");
}
