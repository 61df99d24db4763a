// SPDX-License-Identifier: Apache-2.0
/*
 * memfd_create(name, flags) and seals (mm/memfd.c): flags are judged first
 * (EINVAL for unknown ones, a huge page size without MFD_HUGETLB, or both
 * MFD_EXEC and MFD_NOEXEC_SEAL), then the name (EFAULT, EINVAL past 249
 * bytes). A memfd is an O_RDWR regular file that grows, shrinks, reads back
 * and maps; without MFD_ALLOW_SEALING it carries F_SEAL_SEAL; seals forbid
 * what they name with EPERM. MFD_NOEXEC_SEAL (Linux 6.3) clears the x bits
 * and seals them.
 *
 * Usage: memfd [no-hugetlb]   (no-hugetlb: MFD_HUGETLB must be ENOSYS)
 */
#include "check.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

#if defined(__x86_64__)
#define KERNEL_O_LARGEFILE 0100000
#elif defined(__aarch64__)
#define KERNEL_O_LARGEFILE 0400000
#endif

#define BAD_PTR bad_address()

static mode_t mode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? (mode_t)-1 : st.st_mode;
}

static void basics(void)
{
	int fd = memfd_create("basics", 0), cl = memfd_create("", MFD_CLOEXEC);
	char buf[8] = { 0 }, *map;
	struct stat st;

	if (!check_ok("memfd_create", fd, errno))
		return;
	check_true("a regular file", S_ISREG(mode_of(fd)));
	check_long("F_GETFL", O_RDWR | KERNEL_O_LARGEFILE, fcntl(fd, F_GETFL));
	check_long("F_GETFD", 0, fcntl(fd, F_GETFD));
	check_long("F_GETFD with MFD_CLOEXEC", FD_CLOEXEC, fcntl(cl, F_GETFD));
	check_long("write", 5, write(fd, "hello", 5));
	check_long("pread", 5, pread(fd, buf, sizeof buf, 0));
	check_true("read back", !strcmp(buf, "hello"));
	check_long("ftruncate up", 0, ftruncate(fd, 8192));
	check_long("its size", 0, fstat(fd, &st));
	check_long("the size", 8192, st.st_size);
	map = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
	if (check_true("mmap", map != MAP_FAILED)) {
		check_true("the mapping shows the data", !memcmp(map, "hello", 5) && !map[4096]);
		munmap(map, 8192);
	}
	check_long("ftruncate down", 0, ftruncate(fd, 2));
	check_long("lseek to the end", 2, lseek(fd, 0, SEEK_END));
	check_long("fchmod", 0, fchmod(fd, 0600));
	check_long("the mode", S_IFREG | 0600, mode_of(fd));
	check_long("F_GET_SEALS without MFD_ALLOW_SEALING", F_SEAL_SEAL, fcntl(fd, F_GET_SEALS));
	CHECK_ERRNO("F_ADD_SEALS without MFD_ALLOW_SEALING", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE),
		    EPERM);
	close(fd);
	close(cl);
}

static void seals(void)
{
	int fd = memfd_create("seals", MFD_ALLOW_SEALING), null = open("/dev/null", O_RDONLY);

	if (!check_ok("memfd_create MFD_ALLOW_SEALING", fd, errno))
		return;
	check_long("no seals", 0, fcntl(fd, F_GET_SEALS));
	check_long("write", 4, write(fd, "seal", 4));
	check_long("F_SEAL_SHRINK", 0, fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	CHECK_ERRNO("shrinking", ftruncate(fd, 1), EPERM);
	check_long("growing", 0, ftruncate(fd, 100));
	check_long("F_SEAL_GROW", 0, fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	CHECK_ERRNO("growing", ftruncate(fd, 200), EPERM);
	CHECK_ERRNO("writing past the end", pwrite(fd, "x", 1, 100), EPERM);
	check_long("writing within", 1, pwrite(fd, "x", 1, 0));
	check_long("F_SEAL_WRITE", 0, fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	CHECK_ERRNO("writing", pwrite(fd, "x", 1, 0), EPERM);
	CHECK_ERRNO("an unknown seal", fcntl(fd, F_ADD_SEALS, 0x4000), EINVAL);
	check_long("F_SEAL_SEAL", 0, fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	CHECK_ERRNO("sealing after F_SEAL_SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE),
		    EPERM);
	check_long("F_GET_SEALS", F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL,
		   fcntl(fd, F_GET_SEALS));
	CHECK_ERRNO("F_GET_SEALS of a device", fcntl(null, F_GET_SEALS), EINVAL);
	CHECK_ERRNO("F_ADD_SEALS of a closed fd", fcntl(-1, F_ADD_SEALS, F_SEAL_SEAL), EBADF);
	close(fd);
	close(null);
}

/* Linux 6.3: before it, both flags are unknown (EINVAL). */
static void exec_flags(void)
{
	int fd = memfd_create("noexec", MFD_NOEXEC_SEAL);

	if (fd < 0) {
		check_errval("MFD_NOEXEC_SEAL before Linux 6.3", EINVAL, errno);
	} else {
		check_long("MFD_NOEXEC_SEAL: no x bits", S_IFREG | 0666, mode_of(fd));
		check_long("MFD_NOEXEC_SEAL: F_SEAL_EXEC, sealing allowed", F_SEAL_EXEC,
			   fcntl(fd, F_GET_SEALS));
		CHECK_ERRNO("chmod +x", fchmod(fd, 0755), EPERM);
		close(fd);
	}
	fd = memfd_create("exec", MFD_EXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		check_errval("MFD_EXEC before Linux 6.3", EINVAL, errno);
	} else {
		check_long("MFD_EXEC: rwx", S_IFREG | 0777, mode_of(fd));
		check_long("MFD_EXEC: no seals", 0, fcntl(fd, F_GET_SEALS));
		close(fd);
	}
}

static void hugetlb(int strict)
{
	int fd = memfd_create("huge", MFD_HUGETLB);
	int err = errno;

	if (strict) {
		check_errno("MFD_HUGETLB", fd, err, ENOSYS);
		CHECK_ERRNO("MFD_HUGETLB: the name first", memfd_create(BAD_PTR, MFD_HUGETLB),
			    EFAULT);
	} else if (fd < 0 && err != ENOSYS && err != ENODEV && err != ENOENT && err != ENOMEM) {
		fail("MFD_HUGETLB: expected an fd or ENOSYS/ENODEV/ENOENT/ENOMEM got %s",
		     err_name(err));
	}
	if (fd >= 0)
		close(fd);
}

static void errors(void)
{
	char name[300];
	int fd;

	CHECK_ERRNO("an unknown flag", memfd_create("x", 0x100), EINVAL);
	CHECK_ERRNO("flag 1 << 31", memfd_create("x", 1U << 31), EINVAL);
	CHECK_ERRNO("a huge page size without MFD_HUGETLB", memfd_create("x", 21U << 26), EINVAL);
	CHECK_ERRNO("MFD_EXEC | MFD_NOEXEC_SEAL", memfd_create("x", MFD_EXEC | MFD_NOEXEC_SEAL),
		    EINVAL);
	CHECK_ERRNO("flags before the name", memfd_create(BAD_PTR, 0x100), EINVAL);
	CHECK_ERRNO("a NULL name", memfd_create((char *)bad_address() - 8, 0), EFAULT);
	CHECK_ERRNO("a bad name", memfd_create(BAD_PTR, 0), EFAULT);
	memset(name, 'n', sizeof name);
	name[250] = 0;
	CHECK_ERRNO("a 250-byte name", memfd_create(name, 0), EINVAL);
	name[249] = 0;
	fd = memfd_create(name, 0);
	check_ok("a 249-byte name", fd, errno);
	close(fd);
	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = 0;
	CHECK_ERRNO("a 299-byte name", memfd_create(name, 0), EINVAL);
}

int main(int argc, char **argv)
{
	basics();
	seals();
	exec_flags();
	hugetlb(argc > 1 && !strcmp(argv[1], "no-hugetlb"));
	errors();
	return check_exit("memfd");
}
