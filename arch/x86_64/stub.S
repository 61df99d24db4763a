/* The stub's whole text, linked at ARCH_STUB_BASE (arch_regs.h). The sentry
 * points the IP here to run an injected syscall; the entry point only traps. */
	.text
	.globl stub_trampoline
stub_trampoline:          /* ARCH_STUB_TRAMPOLINE */
	syscall
	int3
	.balign 16
stub_trap:                /* ARCH_STUB_TRAP */
	int3
	.balign 16
	.globl stub_start
stub_start:
	int3
	jmp stub_start
	.balign 16
	/* ARCH_STUB_CLONE: an injected clone of a stub thread. The parent traps
	 * as after any injection; the child, which no tracer has yet, spins
	 * without touching memory until its own tracer seizes it. */
stub_clone:
	syscall
	test %rax, %rax
	jz 1f
	int3
1:	pause
	jmp 1b
	.section .note.GNU-stack,"",@progbits
