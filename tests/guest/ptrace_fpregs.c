/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A tracer reads and writes its tracee's FP/SIMD registers: NT_PRFPREG
 * through PTRACE_GETREGSET/SETREGSET on both arches, and
 * PTRACE_GETFPREGS/SETFPREGS on x86_64. The tracee loads a pattern into
 * xmm0 (v0 on arm64) and stops itself in the same asm block; the tracer
 * checks the pattern, writes another, and the tracee reports what its
 * register holds when it runs on.
 */
#include "check.h"
#include "proc.h"
#include "tracer.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static const uint8_t first[16] = "umbra-fp-before";
static const uint8_t second[16] = "tracer-wrote-it";

/* Loads in into the first vector register, stops with SIGSTOP, and stores
 * the register into out once resumed. */
static void fp_stop(const uint8_t *in, uint8_t *out, long pid)
{
#if defined(__x86_64__)
	long ret;

	__asm__ volatile("movdqu (%[in]), %%xmm0\n\t"
			 "syscall\n\t"
			 "movdqu %%xmm0, (%[out])\n\t"
			 : "=a"(ret)
			 : "a"((long)SYS_kill), "D"(pid), "S"((long)SIGSTOP), [in] "r"(in),
			   [out] "r"(out)
			 : "rcx", "r11", "memory", "xmm0");
	(void)ret;
#else
	register long x8 __asm__("x8") = SYS_kill;
	register long x0 __asm__("x0") = pid;
	register long x1 __asm__("x1") = SIGSTOP;

	__asm__ volatile("ldr q0, [%[in]]\n\t"
			 "svc #0\n\t"
			 "str q0, [%[out]]\n\t"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), [in] "r"(in), [out] "r"(out)
			 : "memory", "v0");
#endif
}

static int tracee(void *arg)
{
	uint8_t seen[16];
	long w[2];

	(void)arg;
	fp_stop(first, seen, getpid());
	memcpy(w, seen, sizeof w);
	pt_report(w[0], w[1]);
	return 0;
}

#if defined(__x86_64__)
typedef struct user_fpregs_struct fpregs_t;
#define VREG0(f) ((uint8_t *)(f)->xmm_space)
#else
typedef struct user_fpsimd_struct fpregs_t;
#define VREG0(f) ((uint8_t *)&(f)->vregs[0])
#endif

static int regset_io(const char *what, pid_t pid, int req, fpregs_t *f)
{
	struct iovec iov = { f, sizeof *f };

	if (!CHECK_OK(what, pt_sysp(req, pid, NT_PRFPREG, &iov)))
		return 0;
	return check_long("NT_PRFPREG's length", (long)sizeof *f, (long)iov.iov_len);
}

/* One round: the tracee stops with first in its register; get reads it,
 * set writes second, and the tracee must then hold second. */
static void round_trip(const char *what, int get, int set, bool regset)
{
	struct pt_report r;
	fpregs_t f;
	pid_t pid = pt_traced_child(what, tracee);

	if (pid < 0)
		return;
	pt_watchdog(what, PT_TIMEOUT);
	memset(&f, 0, sizeof f);
	if (!pt_cont(what, pid, 0) || !pt_expect_stop(what, pid, SIGSTOP))
		return pt_kill(pid);
	if (regset ? !regset_io("GETREGSET NT_PRFPREG", pid, get, &f)
		   : !CHECK_OK("GETFPREGS", pt_sysp(get, pid, 0, &f)))
		return pt_kill(pid);
	check_true("the tracee's vector register 0 as it loaded it",
		   !memcmp(VREG0(&f), first, sizeof first));
	memcpy(VREG0(&f), second, sizeof second);
	if (regset ? !regset_io("SETREGSET NT_PRFPREG", pid, set, &f)
		   : !CHECK_OK("SETFPREGS", pt_sysp(set, pid, 0, &f)))
		return pt_kill(pid);
	if (!pt_cont(what, pid, 0) || !pt_recv_report(what, &r))
		return pt_kill(pid);
	check_true("the tracee's vector register 0 as the tracer wrote it",
		   !memcmp(r.v, second, sizeof second));
	pt_expect_end(what, pid, PROC_EXITED(0));
	alarm(0);
}

int main(void)
{
	round_trip("NT_PRFPREG", PTRACE_GETREGSET, PTRACE_SETREGSET, true);
#if defined(__x86_64__)
	round_trip("GETFPREGS", PTRACE_GETFPREGS, PTRACE_SETFPREGS, false);
#endif
	return check_exit("ptrace_fpregs");
}
