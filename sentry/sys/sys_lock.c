/* File locks (fs/locks.c). flock(2) locks belong to the open file, as host
 * flock locks do to the host open file behind it, so they are the host's and
 * host processes see them. fcntl(2) record locks belong to the guest process
 * (POSIX) or the open file (OFD) and live in the sentry's lock table
 * (sentry/fs/lock.h). */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi/linux_fcntl.h"
#include "sentry/fs/fs_task.h"
#include "sentry/fs/lock.h"
#include "sentry/kernel/syscall.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/sys/fcntl.h"
#include "syscall_handlers.h"

/* An F_SETLKW wait ends for a signal the task lets through or its end
 * (read without sb->lock, which may be held by whoever wakes the table). */
static bool lock_interrupted(void *arg)
{
	struct task *t = arg;

	return __atomic_load_n(&t->exiting, __ATOMIC_ACQUIRE) ||
	       ((__atomic_load_n(&t->sigpending, __ATOMIC_ACQUIRE) |
		 __atomic_load_n(&t->leader->shared_pending, __ATOMIC_ACQUIRE)) &
		~__atomic_load_n(&t->sigmask, __ATOMIC_ACQUIRE));
}

/* flock(fd, cmd): LOCK_MAND is ignored (Linux 5.15+); the command is judged
 * before the fd. */
long sys_flock(struct task *t, const struct syscall_args *a)
{
	unsigned int cmd = (unsigned int)a->a[1];
	struct file *f;
	long err;

	if (cmd & LINUX_LOCK_MAND)
		return 0;
	switch (cmd & ~LINUX_LOCK_NB) {
	case LINUX_LOCK_SH:
	case LINUX_LOCK_EX:
	case LINUX_LOCK_UN:
		break;
	default:
		return -EINVAL;
	}
	err = fs_file(t, (uint32_t)a->a[0], &f);
	if (err)
		return err;
	return task_blocking_flock(f->host_fd, (int)cmd);
}

/* flock_to_posix_lock(): l_whence's base (a pipe's position is 0), then the
 * range and the type. */
static int flock_range(const struct file *f, const struct stat *st, const struct linux_flock *fl,
		       struct lock_range *r)
{
	int64_t base;

	switch (fl->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = lseek(f->host_fd, 0, SEEK_CUR);
		if (base < 0)
			base = 0;
		break;
	case SEEK_END:
		base = st->st_size;
		break;
	default:
		return -EINVAL;
	}
	return lock_range_make(fl->l_type, base, fl->l_start, fl->l_len, r);
}

/* check_fmode_for_setlk(): a read lock needs the file open for reading, a
 * write lock for writing. */
static int may_lock(const struct file *f, int type)
{
	int acc = f->flags & O_ACCMODE;

	if (type == LINUX_F_RDLCK && acc != O_RDONLY && acc != O_RDWR)
		return -EBADF;
	if (type == LINUX_F_WRLCK && acc != O_WRONLY && acc != O_RDWR)
		return -EBADF;
	return 0;
}

/* A POSIX lock's owner is the process's fd table, as Linux's is its
 * files_struct; an OFD lock's the open file. */
static struct lock_owner owner_of(struct task *t, struct file *f, bool ofd)
{
	struct lock_owner o = { t->files, t->sb, t->tgid, ofd };

	if (ofd)
		o.id = f;
	return o;
}

/* The range an flock asks for, and the key of the file's inode. */
static long request_range(struct file *f, const struct linux_flock *fl, struct lock_range *r,
			  struct lock_key *key)
{
	struct stat st;

	if (fstat(f->host_fd, &st) < 0)
		return -errno;
	key->dev = st.st_dev;
	key->ino = st.st_ino;
	return flock_range(f, &st, fl, r);
}

/* fcntl_getlk(): F_GETLK wants a read or write lock to test; F_OFD_GETLK
 * may also ask with F_UNLCK for the file's own lock (Linux 6.5). The blocker
 * is reported from SEEK_SET, with the pid of its process (-1 for an OFD lock,
 * 0 for a process the guest cannot see). */
static long getlk(struct task *t, struct file *f, int cmd, uint64_t arg)
{
	bool ofd = cmd == LINUX_F_OFD_GETLK;
	struct lock_owner o = owner_of(t, f, ofd), holder;
	struct lock_range req, found;
	struct linux_flock fl;
	struct lock_key key;
	long err;

	if (copy_from_guest(t, &fl, arg, sizeof fl) < 0)
		return -EFAULT;
	if (!ofd && fl.l_type != LINUX_F_RDLCK && fl.l_type != LINUX_F_WRLCK)
		return -EINVAL;
	err = request_range(f, &fl, &req, &key);
	if (!err && ofd && fl.l_pid)
		err = -EINVAL;
	if (err)
		return err;
	lock_test(lock_table_global(), key, &o, &req, &found, &holder);
	fl.l_type = (int16_t)found.type;
	if (found.type != LINUX_F_UNLCK) {
		fl.l_pid = holder.ofd ? -1 : holder.ns == t->sb ? holder.pid : 0;
		fl.l_whence = SEEK_SET;
		lock_range_to_flock(&found, &fl.l_start, &fl.l_len);
	}
	return copy_to_guest(t, arg, &fl, sizeof fl) < 0 ? -EFAULT : 0;
}

/* fcntl_setlk(): the range, the file's access mode, then l_pid of an OFD
 * request, which must be 0. */
static long setlk(struct task *t, struct file *f, int cmd, uint64_t arg)
{
	bool ofd = cmd == LINUX_F_OFD_SETLK || cmd == LINUX_F_OFD_SETLKW;
	bool wait = cmd == LINUX_F_SETLKW || cmd == LINUX_F_OFD_SETLKW;
	struct lock_owner o = owner_of(t, f, ofd);
	struct lock_range req;
	struct linux_flock fl;
	struct lock_key key;
	long err;

	if (copy_from_guest(t, &fl, arg, sizeof fl) < 0)
		return -EFAULT;
	err = request_range(f, &fl, &req, &key);
	if (!err)
		err = may_lock(f, req.type);
	if (!err && ofd && fl.l_pid)
		err = -EINVAL;
	if (!err)
		err = lock_set(lock_table_global(), key, &o, &req, wait,
			       &(struct lock_wait){ lock_interrupted, t });
	if (!err && ofd && req.type != LINUX_F_UNLCK)
		__atomic_store_n(&f->ofd_locked, true, __ATOMIC_RELAXED);
	return err;
}

long fcntl_lock(struct task *t, struct file *f, int cmd, uint64_t arg)
{
	if (cmd == LINUX_F_GETLK || cmd == LINUX_F_OFD_GETLK)
		return getlk(t, f, cmd, arg);
	return setlk(t, f, cmd, arg);
}
