/* Extended attributes and file system statistics. umbra's view shows no
 * extended attributes: reads find none, lists are empty, and writes are
 * refused (EROFS on read-only mounts, ENOTSUP elsewhere). */
#include <errno.h>
#include <string.h>
#include <sys/statfs.h>

#include "sentry/fs/fs_task.h"
#include "sentry/fs/mount.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "syscall_handlers.h"

#define XATTR_NAME_MAX 255
#define LINUX_ST_RDONLY 1

/* The mount an (f)xattr call is about: by path (following symlinks or not)
 * or by fd. */
static long xattr_target(struct task *t, uint64_t path_or_fd, int by_fd, int follow,
			 const struct mount **mnt)
{
	struct lookup l;
	struct file *f;
	long err;

	if (by_fd) {
		err = fs_file(t, path_or_fd, &f);
		if (!err)
			*mnt = f->mnt;
		return err;
	}
	err = fs_lookup(t, (uint64_t)LINUX_AT_FDCWD, path_or_fd, follow ? LOOKUP_FOLLOW : 0, 0, &l);
	if (!err)
		*mnt = l.mnt;
	lookup_release(&l);
	return err;
}

static long xattr_name(struct task *t, uint64_t uname)
{
	char name[XATTR_NAME_MAX + 2];
	long n = strncpy_from_guest(t, name, uname, sizeof name);

	if (n == -ENAMETOOLONG || n > XATTR_NAME_MAX || n == 0)
		return -ERANGE;
	return n < 0 ? n : 0;
}

enum xattr_op { XATTR_GET, XATTR_LIST, XATTR_SET, XATTR_REMOVE };

static long xattr_call(struct task *t, const struct syscall_args *a, enum xattr_op op, int by_fd,
		       int follow)
{
	const struct mount *mnt = NULL;
	long err = xattr_target(t, a->a[0], by_fd, follow, &mnt);

	if (!err && op != XATTR_LIST)
		err = xattr_name(t, a->a[1]);
	if (err)
		return err;
	switch (op) {
	case XATTR_GET:
		return -ENODATA;
	case XATTR_LIST:
		return 0;
	case XATTR_SET:
		return mnt && mnt->readonly ? -EROFS : -ENOTSUP;
	default:
		return mnt && mnt->readonly ? -EROFS : -ENODATA;
	}
}

long sys_getxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_call(t, a, XATTR_GET, 0, 1);
}

long sys_lgetxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_call(t, a, XATTR_GET, 0, 0);
}

long sys_fgetxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_call(t, a, XATTR_GET, 1, 0);
}

long sys_listxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_call(t, a, XATTR_LIST, 0, 1);
}

long sys_llistxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_call(t, a, XATTR_LIST, 0, 0);
}

long sys_flistxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_call(t, a, XATTR_LIST, 1, 0);
}

long sys_setxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_call(t, a, XATTR_SET, 0, 1);
}

long sys_lsetxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_call(t, a, XATTR_SET, 0, 0);
}

long sys_fsetxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_call(t, a, XATTR_SET, 1, 0);
}

long sys_removexattr(struct task *t, const struct syscall_args *a)
{
	return xattr_call(t, a, XATTR_REMOVE, 0, 1);
}

long sys_lremovexattr(struct task *t, const struct syscall_args *a)
{
	return xattr_call(t, a, XATTR_REMOVE, 0, 0);
}

long sys_fremovexattr(struct task *t, const struct syscall_args *a)
{
	return xattr_call(t, a, XATTR_REMOVE, 1, 0);
}

/* struct statfs is the same on both 64-bit arches and on the host. */
static long put_statfs(struct task *t, int host_fd, const struct mount *mnt, uint64_t buf)
{
	struct statfs st;

	if (fstatfs(host_fd, &st) < 0)
		return -errno;
	if (mnt && mnt->readonly)
		st.f_flags |= LINUX_ST_RDONLY;
	return copy_to_guest(t, buf, &st, sizeof st);
}

long sys_statfs(struct task *t, const struct syscall_args *a)
{
	struct lookup l;
	long err = fs_lookup(t, (uint64_t)LINUX_AT_FDCWD, a->a[0], LOOKUP_FOLLOW, 0, &l);

	if (err)
		return err;
	err = put_statfs(t, l.fd, l.mnt, a->a[1]);
	lookup_release(&l);
	return err;
}

long sys_fstatfs(struct task *t, const struct syscall_args *a)
{
	struct file *f;
	long err = fs_file(t, a->a[0], &f);

	return err ? err : put_statfs(t, f->host_fd, f->mnt, a->a[1]);
}

/* Advice about caching changes nothing the guest can observe. */
long sys_fadvise64(struct task *t, const struct syscall_args *a)
{
	struct file *f;
	long err = fs_file(t, a->a[0], &f);

	if (err)
		return err;
	return (int)a->a[3] < 0 || (int)a->a[3] > 5 ? -EINVAL : 0;
}
