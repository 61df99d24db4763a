/* One-time preparation of the ptrace platform: the stub image in a sealed
 * memfd and the stub's seccomp filter. */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/ptrace/ptrace_priv.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x10U
#endif

struct ptrace_host ptrace_host = { .stub_fd = -1 };
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result;

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int stub_image_fd(void)
{
	int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	int fd, err;

	/* Hosts with vm.memfd_noexec want MFD_EXEC; kernels before 6.3 reject it. */
	fd = memfd_create("umbra-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("umbra-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	err = write_all(fd, ptrace_stub_image, ptrace_stub_image_len);
	if (!err && fchmod(fd, 0500) < 0)
		err = -errno;
	if (!err && fcntl(fd, F_ADD_SEALS, seals) < 0)
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static void do_init(void)
{
	int fd = stub_image_fd();

	if (fd < 0) {
		init_result = fd;
		return;
	}
	init_result = ptrace_seccomp_filter(&ptrace_host.filter);
	if (init_result < 0) {
		close(fd);
		return;
	}
	ptrace_host.stub_fd = fd;
	ptrace_vdso_init();
}

int plat_init(void)
{
	pthread_once(&init_once, do_init);
	return init_result;
}

/* The stub may run only what the sentry injects; anything else kills it.
 * Guest syscalls never get here: PTRACE_SYSEMU stops them before seccomp. */
static const int fault_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };

static const int stub_allowed[] = {
	SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect), SCMP_SYS(madvise),
	SCMP_SYS(getpid), SCMP_SYS(exit),
};

static int seccomp_rules(scmp_filter_ctx ctx)
{
	int err;

	for (size_t i = 0; i < sizeof stub_allowed / sizeof stub_allowed[0]; i++) {
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, stub_allowed[i], 0);
		if (err < 0)
			return err;
	}
	/* New threads of the stub, for guest threads: only these flags. */
	err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			       SCMP_A0(SCMP_CMP_EQ, PTRACE_THREAD_FLAGS));
	if (err < 0)
		return err;
	/* A host file to map comes through the stub's socket into fd 0, 1 or 2
	 * (the lowest free: the stub has no others), and is closed once mapped. */
	err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(recvmsg), 1,
			       SCMP_A0(SCMP_CMP_EQ, PTRACE_STUB_SOCKFD));
	if (err < 0)
		return err;
	err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(close), 1,
			       SCMP_A0(SCMP_CMP_LT, PTRACE_STUB_MEMFD));
	if (err < 0)
		return err;
	/* Host handlers for the CPU's faults, on an alternate stack, whose
	 * frames tell what ptrace does not (faultinfo.c). */
	for (size_t i = 0; i < sizeof fault_signals / sizeof fault_signals[0]; i++) {
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigaction), 1,
				       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fault_signals[i]));
		if (err < 0)
			return err;
	}
	err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sigaltstack), 0);
	if (err < 0)
		return err;
	/* The host's vDSO moved to its place in a new stub (vdso.c). */
	err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mremap), 1,
			       SCMP_A3(SCMP_CMP_EQ, MREMAP_MAYMOVE | MREMAP_FIXED));
	if (err < 0)
		return err;
	/* The exec of the stub image itself: only that fd, which is close-on-exec. */
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(execveat), 1,
				SCMP_A0(SCMP_CMP_EQ, PTRACE_STUB_EXEFD));
}

static int export_filter(scmp_filter_ctx ctx, struct sock_fprog *out)
{
	int fd = memfd_create("umbra-seccomp", MFD_CLOEXEC);
	struct stat st;
	int err = 0;

	if (fd < 0)
		return -errno;
	err = seccomp_export_bpf(ctx, fd);
	if (!err && fstat(fd, &st) < 0)
		err = -errno;
	if (!err && (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter)))
		err = -EINVAL;
	if (!err) {
		out->filter = malloc((size_t)st.st_size);
		out->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
		if (!out->filter)
			err = -ENOMEM;
		else if (pread(fd, out->filter, (size_t)st.st_size, 0) != st.st_size)
			err = -EIO;
	}
	close(fd);
	return err;
}

int ptrace_seccomp_filter(struct sock_fprog *out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int err;

	if (!ctx)
		return -ENOMEM;
	err = seccomp_rules(ctx);
	if (!err)
		err = export_filter(ctx, out);
	seccomp_release(ctx);
	return err;
}
