/* memfd_create(2) and file seals (mm/memfd.c). A guest memfd is a host
 * memfd the sentry owns: reads, writes, sizes and seals are the host's, so
 * F_ADD_SEALS and F_GET_SEALS pass straight through. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "abi/linux_fcntl.h"
#include "sentry/fs/fs_task.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/sys/fcntl.h"
#include "syscall_handlers.h"

/* The flags memfd_create() accepts: a huge page size only with MFD_HUGETLB,
 * and not both of MFD_EXEC and MFD_NOEXEC_SEAL. */
static int check_flags(unsigned int flags)
{
	unsigned int allowed = LINUX_MFD_ALL;

	if (flags & LINUX_MFD_HUGETLB)
		allowed |= LINUX_MFD_HUGE_MASK << LINUX_MFD_HUGE_SHIFT;
	if (flags & ~allowed)
		return -EINVAL;
	if ((flags & LINUX_MFD_EXEC) && (flags & LINUX_MFD_NOEXEC_SEAL))
		return -EINVAL;
	return 0;
}

/* A name of at most 249 bytes ("memfd:" and it fill NAME_MAX): longer is
 * EINVAL, unreadable EFAULT. */
static long read_name(struct task *t, uint64_t uname, char name[LINUX_MFD_NAME_MAX + 1])
{
	long n = strncpy_from_guest(t, name, uname, LINUX_MFD_NAME_MAX + 1);

	return n == -ENAMETOOLONG ? -EINVAL : n < 0 ? n : 0;
}

static bool fd_free(struct task *t)
{
	for (int fd = 0; fd < fs_fd_limit(t); fd++)
		if (!fdtable_get(t->files, fd))
			return true;
	return false;
}

/* The host memfd; the exec flags are the host's to apply (Linux 6.3+: the
 * mode, F_SEAL_EXEC, vm.memfd_noexec). A host without them refuses
 * MFD_NOEXEC_SEAL, as Linux before 6.3 does; MFD_EXEC there asks for what
 * every memfd already is. */
static int host_memfd(const char *name, unsigned int flags)
{
	unsigned int host = (flags & (LINUX_MFD_ALLOW_SEALING | LINUX_MFD_NOEXEC_SEAL |
				      LINUX_MFD_EXEC)) | LINUX_MFD_CLOEXEC;
	int fd = memfd_create(name, host);

	if (fd < 0 && errno == EINVAL && (flags & LINUX_MFD_EXEC))
		fd = memfd_create(name, host & ~LINUX_MFD_EXEC);
	return fd < 0 ? -errno : fd;
}

/* MFD_HUGETLB is ENOSYS: guest memory has no huge pages to give, and ENOSYS
 * is what memfd_create() answers on a kernel built without hugetlbfs (its
 * hugetlb_file_setup() stub), after the flags, the name and a free fd. */
long sys_memfd_create(struct task *t, const struct syscall_args *a)
{
	unsigned int flags = (unsigned int)a->a[1];
	char name[LINUX_MFD_NAME_MAX + 1];
	long err = check_flags(flags);
	struct file *f;
	int fd;

	if (!err)
		err = read_name(t, a->a[0], name);
	if (err)
		return err;
	if (flags & LINUX_MFD_HUGETLB)
		return fd_free(t) ? -ENOSYS : -EMFILE;
	fd = host_memfd(name, flags);
	if (fd < 0)
		return fd;
	f = file_new(fd, O_RDWR, &mount_anon, NULL);
	if (!f)
		return -ENOMEM;
	return fdtable_install(t->files, f, 0, fs_fd_limit(t), flags & LINUX_MFD_CLOEXEC);
}

long fcntl_seals(struct file *f, int cmd, uint64_t arg)
{
	int r = fcntl(f->host_fd, cmd, (unsigned int)arg);

	return r < 0 ? -errno : r;
}
