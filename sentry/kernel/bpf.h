/* Classic BPF as seccomp takes it (net/core/filter.c bpf_check_classic,
 * kernel/seccomp.c seccomp_check_filter): a checker and an interpreter
 * over struct seccomp_data. */
#ifndef UMBRA_SENTRY_BPF_H
#define UMBRA_SENTRY_BPF_H

#include <stdint.h>

#define BPF_MAXINSNS 4096

struct linux_sock_filter {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

struct bpf_seccomp_data {
	int32_t nr;
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t args[6];
};

/* 0 for a program seccomp takes, -EINVAL otherwise. */
int bpf_check_seccomp(const struct linux_sock_filter *f, unsigned int len);
/* Runs a checked program over d: its return value. */
uint32_t bpf_run(const struct linux_sock_filter *f, unsigned int len,
		 const struct bpf_seccomp_data *d);

#endif
