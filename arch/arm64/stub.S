/* The stub's whole text, linked at ARCH_STUB_BASE (arch_regs.h). The sentry
 * points the PC here to run an injected syscall; the entry point only traps.
 * brk reports SIGTRAP with the PC still on the brk (brk_handler() in
 * arch/arm64/kernel/debug-monitors.c), unlike x86's int3. */
	.text
	.globl stub_trampoline
stub_trampoline:          /* ARCH_STUB_TRAMPOLINE */
	svc	#0
	brk	#0
	.balign 16
stub_trap:                /* ARCH_STUB_TRAP */
	brk	#0
	.balign 16
	.globl stub_start
stub_start:
	brk	#0
	b	stub_start
	.balign 16
	/* ARCH_STUB_CLONE: an injected clone of a stub thread. The parent traps
	 * as after any injection; the child, which no tracer has yet, spins
	 * without touching memory until its own tracer seizes it. */
stub_clone:
	svc	#0
	cbz	x0, 1f
	brk	#0
1:	yield
	b	1b
	.balign 16
	/* ARCH_SIGRETURN_TRAMPOLINE: where a handler without SA_RESTORER
	 * returns, as Linux's vDSO __kernel_rt_sigreturn. */
stub_sigreturn:
	mov	x8, #139 /* __NR_rt_sigreturn */
	svc	#0
	.section .note.GNU-stack,"",%progbits
