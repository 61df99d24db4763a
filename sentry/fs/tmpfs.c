/* Private tmpfs instances. Each is a Linux tmpfs superblock mounted nowhere
 * (fsopen, fsconfig, fsmount): no host path reaches it, only the sentry holds
 * its root, its pages are memory, and it goes away with the sandbox. Its
 * semantics are Linux's own, size limit included (ENOSPC).
 *
 * Creating a superblock takes CAP_SYS_ADMIN in the user namespace that owns
 * the mount namespace. A caller without it gets one from a short-lived child
 * in a new user and mount namespace that maps the caller's ids to
 * themselves: the tmpfs then belongs to that namespace, its files to the
 * caller's uid and gid, and the child hands the mount back over a socket. */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sentry/fs/tmpfs.h"

static int fs_config(int fs, const char *key, const char *value)
{
	unsigned int cmd = value ? FSCONFIG_SET_STRING : FSCONFIG_CMD_CREATE;

	if (syscall(SYS_fsconfig, fs, cmd, key, value, 0) < 0)
		return -errno;
	return 0;
}

/* The mount's root as an O_PATH fd, or -errno. */
static int tmpfs_mount(const char *size)
{
	int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	int err, mnt;

	if (fs < 0)
		return -errno;
	err = fs_config(fs, "mode", "1777");
	if (!err && size)
		err = fs_config(fs, "size", size);
	if (!err)
		err = fs_config(fs, NULL, NULL);
	if (err) {
		close(fs);
		return err;
	}
	mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
			   MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	err = mnt < 0 ? -errno : mnt;
	close(fs);
	return err;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EPERM;
}

/* The caller's id maps, written before the fork: the child of a threaded
 * sentry should do no more than system calls. */
struct idmaps {
	char uid[32], gid[32];
};

/* In the child: a user namespace where the caller's ids map to themselves. */
static int enter_own_userns(const struct idmaps *maps)
{
	int err;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return -errno;
	/* A caller that changed ids is not dumpable, and its /proc/self files
	 * then belong to root: this child, holding nothing, may be. */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	err = write_file("/proc/self/uid_map", maps->uid);
	if (!err)
		err = write_file("/proc/self/setgroups", "deny");
	if (!err)
		err = write_file("/proc/self/gid_map", maps->gid);
	return err;
}

static int send_fd(int sock, int fd, int err)
{
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &err, sizeof err };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (fd >= 0) {
		msg.msg_control = ctl;
		msg.msg_controllen = sizeof ctl;
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* The child's answer: the mount fd, or the -errno it sent. */
static int recv_fd(int sock)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	int err = -EIO, fd = -1;
	struct iovec iov = { &err, sizeof err };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl, .msg_controllen = sizeof ctl };
	struct cmsghdr *c;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != sizeof err)
		return -EIO;
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof fd);
	if (fd >= 0)
		return fd;
	return err < 0 ? err : -EIO;
}

static _Noreturn void child(int sock, const struct idmaps *maps, const char *size)
{
	int err = enter_own_userns(maps);
	int fd = err ? err : tmpfs_mount(size);

	send_fd(sock, fd, fd < 0 ? fd : 0);
	_exit(0);
}

static int tmpfs_mount_in_userns(const char *size)
{
	struct idmaps maps;
	int sv[2], fd, status;
	pid_t pid;

	snprintf(maps.uid, sizeof maps.uid, "%u %u 1\n", (unsigned)geteuid(), (unsigned)geteuid());
	snprintf(maps.gid, sizeof maps.gid, "%u %u 1\n", (unsigned)getegid(), (unsigned)getegid());
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		child(sv[1], &maps, size);
	}
	close(sv[1]);
	fd = pid < 0 ? -errno : recv_fd(sv[0]);
	close(sv[0]);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	return fd;
}

int tmpfs_create(const char *size)
{
	int fd = tmpfs_mount(size);

	if (fd == -EPERM)
		fd = tmpfs_mount_in_userns(size);
	return fd;
}
