/* File-related constants and structures of Linux's user ABI, the same on
 * x86_64 and arm64: include/uapi/asm-generic/fcntl.h, linux/fcntl.h, fs.h,
 * memfd.h, close_range.h, watch_queue.h. */
#ifndef UMBRA_ABI_LINUX_FCNTL_H
#define UMBRA_ABI_LINUX_FCNTL_H

#include <stddef.h>
#include <stdint.h>

/* fcntl(2) commands beyond the fd ones. */
#define LINUX_F_GETLK 5
#define LINUX_F_SETLK 6
#define LINUX_F_SETLKW 7
#define LINUX_F_OFD_GETLK 36
#define LINUX_F_OFD_SETLK 37
#define LINUX_F_OFD_SETLKW 38
#define LINUX_F_SETPIPE_SZ 1031
#define LINUX_F_GETPIPE_SZ 1032
#define LINUX_F_ADD_SEALS 1033
#define LINUX_F_GET_SEALS 1034

/* Record lock types. */
#define LINUX_F_RDLCK 0
#define LINUX_F_WRLCK 1
#define LINUX_F_UNLCK 2

/* struct flock: on 64-bit ABIs the same as struct flock64. */
struct linux_flock {
	int16_t l_type;
	int16_t l_whence;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
};
_Static_assert(sizeof(struct linux_flock) == 32, "flock size");
_Static_assert(offsetof(struct linux_flock, l_pid) == 24, "flock layout");

/* flock(2) */
#define LINUX_LOCK_SH 1
#define LINUX_LOCK_EX 2
#define LINUX_LOCK_NB 4
#define LINUX_LOCK_UN 8
#define LINUX_LOCK_MAND 32 /* ignored since Linux 5.15 */

/* preadv2/pwritev2 flags (include/uapi/linux/fs.h) umbra passes on. */
#define LINUX_RWF_HIPRI 0x01
#define LINUX_RWF_DSYNC 0x02
#define LINUX_RWF_SYNC 0x04
#define LINUX_RWF_NOWAIT 0x08
#define LINUX_RWF_APPEND 0x10
#define LINUX_RWF_NOAPPEND 0x20
#define LINUX_RWF_KNOWN (LINUX_RWF_HIPRI | LINUX_RWF_DSYNC | LINUX_RWF_SYNC | LINUX_RWF_NOWAIT | \
			 LINUX_RWF_APPEND | LINUX_RWF_NOAPPEND)

/* memfd_create(2) */
#define LINUX_MFD_CLOEXEC 0x0001u
#define LINUX_MFD_ALLOW_SEALING 0x0002u
#define LINUX_MFD_HUGETLB 0x0004u
#define LINUX_MFD_NOEXEC_SEAL 0x0008u
#define LINUX_MFD_EXEC 0x0010u
#define LINUX_MFD_ALL (LINUX_MFD_CLOEXEC | LINUX_MFD_ALLOW_SEALING | LINUX_MFD_HUGETLB | \
		       LINUX_MFD_NOEXEC_SEAL | LINUX_MFD_EXEC)
#define LINUX_MFD_HUGE_SHIFT 26 /* a huge page size's log2, with MFD_HUGETLB */
#define LINUX_MFD_HUGE_MASK 0x3fu
#define LINUX_MFD_NAME_MAX 249  /* NAME_MAX less "memfd:" */

/* pipe2(2): a watch queue's pipe (O_EXCL's bit). */
#define LINUX_O_NOTIFICATION_PIPE 0200

/* The default of /proc/sys/fs/pipe-max-size (fs/pipe.c pipe_max_size): the
 * most F_SETPIPE_SZ grants without CAP_SYS_RESOURCE. */
#define LINUX_PIPE_MAX_SIZE 1048576u

/* close_range(2) */
#define LINUX_CLOSE_RANGE_UNSHARE 0x2u
#define LINUX_CLOSE_RANGE_CLOEXEC 0x4u

#endif
