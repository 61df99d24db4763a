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
	.section .note.GNU-stack,"",@progbits
