// SPDX-License-Identifier: Apache-2.0
/*
 * The arm64 Debian userland of the real-program cases (tests/arm64/rootfs.sh)
 * for the VM's /init: loads the modules that reach it, mounts its virtio disk
 * (a qemu snapshot, so writable and thrown away) and brings in what a case
 * needs from the initramfs, at the same paths, for cases that chroot there.
 */
#define _GNU_SOURCE
#include "init_rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MODULES "/modules"
#define DISK_WAIT_MS 10000

static int fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(why, len, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < len)
		snprintf(why + n, len - (size_t)n, ": %s", strerror(errno));
	return -1;
}

/* The modules of MODULES/order, one name a line, in that order; none when
 * the kernel has them built in. */
static int load_modules(char *why, size_t len)
{
	char name[64], path[128];
	FILE *order = fopen(MODULES "/order", "re");
	int rc = 0;

	if (!order)
		return errno == ENOENT ? 0 : fail(why, len, "open " MODULES "/order");
	while (rc == 0 && fscanf(order, "%63s", name) == 1) {
		int fd;

		snprintf(path, sizeof path, MODULES "/%s.ko", name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			rc = fail(why, len, "open %s", path);
		else if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
			rc = fail(why, len, "load module %s", name);
		if (fd >= 0)
			close(fd);
	}
	fclose(order);
	return rc;
}

/* Devices of modules just loaded may appear a little later. */
static int wait_for(const char *dev, char *why, size_t len)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct stat st;

	for (int ms = 0; stat(dev, &st) < 0; ms += 10) {
		if (ms >= DISK_WAIT_MS)
			return fail(why, len, "no %s", dev);
		nanosleep(&tick, NULL);
	}
	return 0;
}

/* path of the initramfs bound at the same path under dir. */
static int bind_in(const char *dir, const char *path, char *why, size_t len)
{
	char target[256];
	struct stat st;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : fail(why, len, "stat %s", path);
	snprintf(target, sizeof target, "%s%s", dir, path);
	if (S_ISDIR(st.st_mode)) {
		if (mkdir(target, 0755) < 0 && errno != EEXIST)
			return fail(why, len, "mkdir %s", target);
	} else {
		int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);

		if (fd < 0)
			return fail(why, len, "create %s", target);
		close(fd);
	}
	if (mount(path, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return fail(why, len, "bind %s", target);
	return 0;
}

int rootfs_setup(const char *dev, const char *dir, char *why, size_t len)
{
	static const char *const binds[] = { "/proc", "/sys", "/dev", "/umbra", "/s", "/b",
					     "/tests" };
	char tmp[256];

	if (load_modules(why, len) < 0 || wait_for(dev, why, len) < 0)
		return -1;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return fail(why, len, "mkdir %s", dir);
	if (mount(dev, dir, "ext4", MS_NOATIME, NULL) < 0)
		return fail(why, len, "mount %s on %s", dev, dir);
	snprintf(tmp, sizeof tmp, "%s/tmp", dir);
	if (mount("tmpfs", tmp, "tmpfs", MS_NOSUID, "mode=1777") < 0)
		return fail(why, len, "mount tmpfs on %s", tmp);
	for (size_t i = 0; i < sizeof binds / sizeof binds[0]; i++)
		if (bind_in(dir, binds[i], why, len) < 0)
			return -1;
	return 0;
}
