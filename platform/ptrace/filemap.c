/* Host files in a stub. A guest's mapping of a file that may change under it
 * is the host file itself, mapped into the stub, so that the host's page
 * cache keeps stores, read(2), write(2) and other mappings coherent, and
 * pages past the end of the file fault as Linux's do. The stub receives the
 * file over its own socket (SCM_RIGHTS, into its lowest free fd), maps it
 * and closes it: three injected calls. The sentry reaches such memory with
 * process_vm_readv and process_vm_writev, which respect the mapping's
 * protections and fail instead of faulting. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "platform/ptrace/ptrace_priv.h"

/* The stub's msghdr, as the stub sees it at PTRACE_STUB_SCRATCH (the
 * sentry and the stub share an arch, hence the layout). */
struct scratch {
	struct msghdr msg;
	struct iovec iov;
	char byte;
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
};

#define AT_SCRATCH(field) (PTRACE_STUB_SCRATCH + offsetof(struct scratch, field))

int ptrace_scratch(struct plat_thread *via)
{
	int err;

	if (via->proc->scratch_mapped)
		return 0;
	err = ptrace_inject_mmap(via, PTRACE_STUB_SCRATCH, ARCH_PAGE_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!err)
		via->proc->scratch_mapped = true;
	return err;
}

static int send_fd(struct plat_proc *p, int fd)
{
	char byte = 0;
	struct iovec iov = { &byte, 1 };
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			      .msg_controllen = sizeof ctl.buf };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	memset(&ctl, 0, sizeof ctl);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	return sendmsg(p->sock, &msg, MSG_DONTWAIT) == 1 ? 0 : -errno;
}

/* The stub's fd for the file sent, or -errno. */
static long receive_fd(struct plat_thread *via)
{
	struct plat_proc *p = via->proc;
	struct scratch s;
	int fd;
	long r;

	memset(&s, 0, sizeof s);
	s.msg.msg_iov = (struct iovec *)(uintptr_t)AT_SCRATCH(iov);
	s.msg.msg_iovlen = 1;
	s.msg.msg_control = (void *)(uintptr_t)AT_SCRATCH(ctl);
	s.msg.msg_controllen = sizeof s.ctl.buf;
	s.iov.iov_base = (void *)(uintptr_t)AT_SCRATCH(byte);
	s.iov.iov_len = 1;
	if (plat_proc_write(p, PTRACE_STUB_SCRATCH, &s, sizeof s) != (long)sizeof s)
		return -EFAULT;
	r = ptrace_inject6(via, SYS_recvmsg, PTRACE_STUB_SOCKFD, PTRACE_STUB_SCRATCH, MSG_DONTWAIT, 0, 0, 0);
	if (r != 1)
		return r < 0 ? r : -EIO;
	if (plat_proc_read(p, &s, PTRACE_STUB_SCRATCH, sizeof s) != (long)sizeof s)
		return -EFAULT;
	if (s.ctl.hdr.cmsg_level != SOL_SOCKET || s.ctl.hdr.cmsg_type != SCM_RIGHTS ||
	    s.ctl.hdr.cmsg_len != CMSG_LEN(sizeof(int)))
		return -EIO;
	memcpy(&fd, CMSG_DATA(&s.ctl.hdr), sizeof fd);
	return fd >= 0 && fd < PTRACE_STUB_MEMFD ? fd : -EIO;
}

int plat_map_file(struct plat_thread *via, uint64_t addr, uint64_t len, int prot, bool shared,
		  int host_fd, uint64_t off)
{
	struct plat_proc *p = via->proc;
	long fd;
	int err;

	if (p->sock_broken)
		return -EIO;
	err = ptrace_scratch(via);
	if (!err)
		err = send_fd(p, host_fd);
	if (err)
		return err;
	fd = receive_fd(via);
	if (fd < 0) {
		p->sock_broken = true; /* the file may still wait in the socket */
		return (int)fd;
	}
	err = ptrace_inject_mmap(via, addr, len, prot, shared ? MAP_SHARED : MAP_PRIVATE, (int)fd,
				 off);
	ptrace_inject6(via, SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);
	return err;
}

int plat_advise(struct plat_thread *via, uint64_t addr, uint64_t len, int advice)
{
	long r = ptrace_inject6(via, SYS_madvise, addr, len, (uint64_t)advice, 0, 0, 0);

	return r < 0 ? (int)r : 0;
}

/* Bytes moved, or -errno when not even the first could be. */
static long proc_rw(struct plat_proc *p, void *local, uint64_t remote, size_t len, bool writing)
{
	struct iovec l = { local, len }, r = { (void *)(uintptr_t)remote, len };
	ssize_t n = writing ? process_vm_writev(p->pid, &l, 1, &r, 1, 0)
			    : process_vm_readv(p->pid, &l, 1, &r, 1, 0);

	if (n < 0)
		return errno == ESRCH ? -ESRCH : -EFAULT;
	return n ? n : -EFAULT;
}

long plat_proc_read(struct plat_proc *p, void *dst, uint64_t src, size_t len)
{
	return len ? proc_rw(p, dst, src, len, false) : 0;
}

long plat_proc_write(struct plat_proc *p, uint64_t dst, const void *src, size_t len)
{
	return len ? proc_rw(p, (void *)src, dst, len, true) : 0;
}
