// SPDX-License-Identifier: Apache-2.0
/*
 * Thread-local storage of the main thread: initialised and zeroed __thread
 * variables, their alignment, their place next to the thread pointer, and
 * errno, which lives there too. A static program sets its thread pointer
 * itself (arch_prctl(ARCH_SET_FS) on x86_64, tpidr_el0 on arm64), so this
 * checks that the sandbox keeps what the guest set.
 */
#include "check.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <asm/prctl.h>
#endif

static __thread int t_init = 42;
static __thread long long t_wide = 0x1122334455667788LL;
static __thread char t_str[32] = "thread-local";
static __thread int t_zero;
static __thread long t_zero_arr[64];
static __thread char t_aligned[3] __attribute__((aligned(64))) = { 1, 2, 3 };

static uintptr_t thread_pointer(void)
{
	uintptr_t tp;

#if defined(__x86_64__)
	/* The TCB's first word points at itself (glibc tcbhead_t.tcb). */
	__asm__ volatile("mov %%fs:0, %0" : "=r"(tp));
#elif defined(__aarch64__)
	__asm__ volatile("mrs %0, tpidr_el0" : "=r"(tp));
#endif
	return tp;
}

static void check_values(void)
{
	size_t i;
	int nonzero = 0;

	check_long("initialised int", 42, t_init);
	check_long("initialised long long", 0x1122334455667788LL, t_wide);
	if (strcmp(t_str, "thread-local") != 0)
		fail("initialised string: expected \"thread-local\" got \"%.31s\"",
		     t_str);
	check_long("zero-initialised int", 0, t_zero);
	for (i = 0; i < 64; i++)
		nonzero += t_zero_arr[i] != 0;
	check_long("zero-initialised array nonzero words", 0, nonzero);
	check_long("aligned initialised", 3, t_aligned[2]);
	check_long("64-byte alignment", 0, (uintptr_t)t_aligned % 64);

	t_init++;
	t_wide = -1;
	strcpy(t_str, "changed");
	t_zero = 7;
	for (i = 0; i < 64; i++)
		t_zero_arr[i] = i;
	t_aligned[0] = 9;

	check_long("written int", 43, t_init);
	check_long("written long long", -1, t_wide);
	check_true("written string", strcmp(t_str, "changed") == 0);
	check_long("written zero int", 7, t_zero);
	check_long("written array", 63, t_zero_arr[63]);
	check_long("written aligned", 9, t_aligned[0]);
}

static void check_addresses(void)
{
	uintptr_t a[] = {
		(uintptr_t)&t_init, (uintptr_t)&t_wide, (uintptr_t)t_str,
		(uintptr_t)&t_zero, (uintptr_t)t_zero_arr,
		(uintptr_t)t_aligned, (uintptr_t)&errno,
	};
	size_t n = sizeof(a) / sizeof(a[0]), i, j;
	uintptr_t tp = thread_pointer();

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (a[i] == a[j])
				fail("TLS addresses: expected distinct got %#lx twice (%zu, %zu)",
				     (unsigned long)a[i], i, j);

	/*
	 * x86_64 puts the static TLS block below the thread pointer, arm64
	 * above it (TLS variants II and I); either way it is close by.
	 */
	for (i = 0; i < n; i++) {
#if defined(__x86_64__)
		if (a[i] >= tp || tp - a[i] > (1 << 20))
			fail("TLS variable %zu: expected below tp %#lx got %#lx",
			     i, (unsigned long)tp, (unsigned long)a[i]);
#elif defined(__aarch64__)
		if (a[i] < tp || a[i] - tp > (1 << 20))
			fail("TLS variable %zu: expected above tp %#lx got %#lx",
			     i, (unsigned long)tp, (unsigned long)a[i]);
#endif
	}

#if defined(__x86_64__)
	{
		unsigned long fs = 0;
		long r = syscall(SYS_arch_prctl, ARCH_GET_FS, &fs);

		check_long("arch_prctl(ARCH_GET_FS)", 0, r);
		check_ulong("ARCH_GET_FS == %fs:0", tp, fs);
	}
#endif
}

static void check_errno_tls(void)
{
	check_ptr("&errno == __errno_location()", __errno_location(), &errno);
	errno = 0;
	CHECK_ERRNO("close(-1)", close(-1), EBADF);
	check_errval("errno after close(-1)", EBADF, errno);
	errno = 0;
	CHECK_ERRNO("write(1000)", write(1000, "", 0), EBADF);
	errno = 12345;
	check_long("errno stores any int", 12345, errno);
	errno = 0;
}

int main(void)
{
	check_values();
	check_addresses();
	check_errno_tls();
	printf("tls: done\n");
	return check_exit("tls");
}
