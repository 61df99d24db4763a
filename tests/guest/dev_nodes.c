// SPDX-License-Identifier: Apache-2.0
/*
 * The memory devices of drivers/char/mem.c and random.c: /dev/null reads
 * EOF and swallows writes, /dev/zero reads zeros, /dev/full reads zeros and
 * refuses writes with ENOSPC, /dev/urandom and /dev/random read random
 * bytes; all are character devices with their fixed numbers, writable even
 * where the file system is read-only (devices are not files on it), and
 * seek to 0 whatever is asked.
 */
#include "check.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

static unsigned char big[1 << 20];

struct dev {
	const char *path;
	unsigned int major, minor;
};

/* Documentation/admin-guide/devices.txt */
static const struct dev devs[] = {
	{ "/dev/null", 1, 3 },
	{ "/dev/zero", 1, 5 },
	{ "/dev/full", 1, 7 },
	{ "/dev/random", 1, 8 },
	{ "/dev/urandom", 1, 9 },
	{ "/dev/tty", 5, 0 },
};

static int open_dev(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0)
		fail("open(%s, %#o): expected an fd got -1 (errno %s)", path,
		     flags, err_name(errno));
	return fd;
}

static void check_node(const struct dev *d)
{
	struct stat st, fst;
	char what[96];
	int fd;

	snprintf(what, sizeof(what), "stat(%s)", d->path);
	if (!check_ok(what, stat(d->path, &st), errno))
		return;
	snprintf(what, sizeof(what), "%s is a character device", d->path);
	check_ulong(what, S_IFCHR, st.st_mode & S_IFMT);
	snprintf(what, sizeof(what), "%s major", d->path);
	check_long(what, d->major, major(st.st_rdev));
	snprintf(what, sizeof(what), "%s minor", d->path);
	check_long(what, d->minor, minor(st.st_rdev));
	snprintf(what, sizeof(what), "access(%s, R_OK|W_OK)", d->path);
	check_long(what, 0, access(d->path, R_OK | W_OK));
	/* Opening /dev/tty needs a controlling terminal: not here. */
	if (d->major == 5)
		return;
	fd = open_dev(d->path, O_RDONLY);
	if (fd < 0)
		return;
	snprintf(what, sizeof(what), "fstat(%s)", d->path);
	if (check_ok(what, fstat(fd, &fst), errno))
		check_true(what, fst.st_rdev == st.st_rdev &&
				 fst.st_ino == st.st_ino &&
				 fst.st_mode == st.st_mode);
	close(fd);
}

static void dev_null(void)
{
	char buf[64] = "untouched";
	struct termios tio;
	struct iovec iov[2] = { { buf, 4 }, { buf + 4, 4 } };
	int fd;

	fd = open_dev("/dev/null", O_RDWR);
	if (fd < 0)
		return;
	check_long("read(/dev/null)", 0, read(fd, buf, sizeof(buf)));
	check_true("read(/dev/null) copies nothing",
		   strcmp(buf, "untouched") == 0);
	check_long("pread(/dev/null)", 0, pread(fd, buf, sizeof(buf), 100));
	check_long("readv(/dev/null)", 0, readv(fd, iov, 2));
	check_long("write(/dev/null)", sizeof(buf), write(fd, buf, sizeof(buf)));
	/* Devices are writable wherever they are mounted, by path or by fd. */
	check_long("access(/dev/null, W_OK)", 0, access("/dev/null", W_OK));
	check_long("faccessat2(/dev/null fd, \"\", W_OK, AT_EMPTY_PATH)", 0,
		   syscall(SYS_faccessat2, fd, "", W_OK, AT_EMPTY_PATH));
	check_long("write(/dev/null, 1 MiB)", sizeof(big),
		   write(fd, big, sizeof(big)));
	check_long("writev(/dev/null)", 8, writev(fd, iov, 2));
	check_long("pwrite(/dev/null)", 5, pwrite(fd, buf, 5, 12345));
	/* null_lseek: the offset is 0 whatever was asked. */
	check_long("lseek(/dev/null, 100)", 0, lseek(fd, 100, SEEK_SET));
	check_long("lseek(/dev/null, SEEK_END)", 0, lseek(fd, 7, SEEK_END));
	CHECK_ERRNO("TCGETS on /dev/null", ioctl(fd, TCGETS, &tio), ENOTTY);
	CHECK_ERRNO("mmap of /dev/null",
		    mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0), ENODEV);
	close(fd);

	fd = open_dev("/dev/null", O_WRONLY);
	if (fd >= 0) {
		CHECK_ERRNO("read on a write-only /dev/null",
			    read(fd, buf, 1), EBADF);
		check_long("write on a write-only /dev/null", 3,
			   write(fd, "abc", 3));
		close(fd);
	}
	fd = open_dev("/dev/null", O_RDONLY);
	if (fd >= 0) {
		CHECK_ERRNO("write on a read-only /dev/null",
			    write(fd, "abc", 3), EBADF);
		close(fd);
	}
}

static int all_zero(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

static void dev_zero_full(void)
{
	unsigned char buf[100];
	int fd;

	fd = open_dev("/dev/zero", O_RDWR);
	if (fd >= 0) {
		memset(big, 0xff, sizeof(big));
		check_long("read(/dev/zero, 1 MiB)", sizeof(big),
			   read(fd, big, sizeof(big)));
		check_true("/dev/zero reads zeros", all_zero(big, sizeof(big)));
		memset(buf, 0xff, sizeof(buf));
		check_long("pread(/dev/zero)", 37, pread(fd, buf, 37, 4096));
		check_true("pread(/dev/zero) zeros", all_zero(buf, 37));
		check_long("the byte after", 0xff, buf[37]);
		check_long("write(/dev/zero)", 10, write(fd, buf, 10));
		check_long("lseek(/dev/zero)", 0, lseek(fd, 1000, SEEK_SET));
		CHECK_ERRNO("read(/dev/zero) into (void *)1",
			    syscall(SYS_read, fd, 1L, 10L), EFAULT);
		close(fd);
	}
	fd = open_dev("/dev/full", O_RDWR);
	if (fd >= 0) {
		memset(buf, 0xff, sizeof(buf));
		check_long("read(/dev/full)", sizeof(buf),
			   read(fd, buf, sizeof(buf)));
		check_true("/dev/full reads zeros", all_zero(buf, sizeof(buf)));
		CHECK_ERRNO("write(/dev/full)", write(fd, buf, 10), ENOSPC);
		CHECK_ERRNO("write(/dev/full, 1 byte)", write(fd, buf, 1),
			    ENOSPC);
		/* write_full() fails whatever the count: vfs_write() passes
		 * 0 on to the driver. */
		CHECK_ERRNO("write(/dev/full, 0 bytes)", write(fd, buf, 0),
			    ENOSPC);
		close(fd);
	}
}

static void dev_random(void)
{
	unsigned char a[64], b[64];
	const char *paths[] = { "/dev/urandom", "/dev/random" };
	unsigned int i;
	int fd;

	for (i = 0; i < 2; i++) {
		char what[64];

		fd = open_dev(paths[i], O_RDONLY);
		if (fd < 0)
			continue;
		memset(a, 0, sizeof(a));
		memset(b, 0, sizeof(b));
		snprintf(what, sizeof(what), "read(%s)", paths[i]);
		check_long(what, sizeof(a), read(fd, a, sizeof(a)));
		check_long(what, sizeof(b), read(fd, b, sizeof(b)));
		/* 2^-512 of a false alarm. */
		snprintf(what, sizeof(what), "%s: two reads differ", paths[i]);
		check_true(what, memcmp(a, b, sizeof(a)) != 0);
		snprintf(what, sizeof(what), "%s: not all zero", paths[i]);
		check_true(what, !all_zero(a, sizeof(a)));
		snprintf(what, sizeof(what), "read(%s, 0)", paths[i]);
		check_long(what, 0, read(fd, a, 0));
		close(fd);
	}
}

int main(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		check_node(&devs[i]);
	dev_null();
	dev_zero_full();
	dev_random();
	printf("dev_nodes: done\n");
	return check_exit("dev_nodes");
}
