// SPDX-License-Identifier: Apache-2.0
/*
 * A dynamically linked PIE: the kernel maps its PT_INTERP (ld.so), which
 * loads libc and libm and relocates everything before main. Checks that
 * the loader ran (AT_BASE is where ld.so sits), that the program was
 * relocated (PIE), that the shared libraries work (stdio, libm, TLS,
 * errno), and prints its arguments for a byte-for-byte comparison with a
 * native run.
 */
#include "check.h"

#include <gnu/libc-version.h>
#include <link.h>
#include <math.h>
#include <sys/auxv.h>

struct seen {
	int objects;
	int libc, libm;
	unsigned long main_addr, interp_addr;
};

static int has_name(const char *path, const char *prefix)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return strncmp(base, prefix, strlen(prefix)) == 0;
}

static int each_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct seen *s = data;

	(void)size;
	if (s->objects++ == 0)
		s->main_addr = info->dlpi_addr;
	if (has_name(info->dlpi_name, "libc.so."))
		s->libc = 1;
	if (has_name(info->dlpi_name, "libm.so."))
		s->libm = 1;
	if (has_name(info->dlpi_name, "ld-linux"))
		s->interp_addr = info->dlpi_addr;
	return 0;
}

static int by_value(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static __thread int tls_counter = 5;

int main(int argc, char **argv)
{
	struct seen s = { 0 };
	int values[] = { 42, -7, 19, 0, 3 };
	volatile double two = 2.0;
	char *end;
	int i;

	printf("argc %d\n", argc);
	for (i = 1; i < argc; i++)
		printf("argv[%d] \"%s\"\n", i, argv[i]);

	dl_iterate_phdr(each_object, &s);
	if (!s.libc)
		fail("libc.so: expected among the loaded objects, not found");
	if (!s.libm)
		fail("libm.so: expected among the loaded objects, not found");
	if (getauxval(AT_BASE) == 0)
		fail("AT_BASE: expected ld.so's address got 0");
	if (s.interp_addr != getauxval(AT_BASE))
		fail("ld.so address: expected AT_BASE %#lx got %#lx",
		     getauxval(AT_BASE), s.interp_addr);
	if (s.main_addr == 0)
		fail("PIE load bias: expected nonzero got 0");
	printf("loaded: libc %s, libm %s, interpreter %s, pie %s\n",
	       s.libc ? "yes" : "no", s.libm ? "yes" : "no",
	       s.interp_addr ? "yes" : "no", s.main_addr ? "yes" : "no");
	note("%d objects, glibc %s", s.objects, gnu_get_libc_version());

	printf("sqrt(2) %.12f\n", sqrt(two));
	printf("%s|%-6s|%06.2f|%x|%lld\n", "fmt", "pad", 3.14159, 48879,
	       -1234567890123LL);
	qsort(values, 5, sizeof(values[0]), by_value);
	printf("sorted");
	for (i = 0; i < 5; i++)
		printf(" %d", values[i]);
	printf("\n");

	errno = 0;
	printf("strtol %ld", strtol("0x7fz", &end, 16));
	printf(" rest \"%s\"\n", end);
	strtol("99999999999999999999999", NULL, 10);
	check_errval("strtol overflow", ERANGE, errno);
	tls_counter += argc;
	printf("tls %d\n", tls_counter);

	return check_exit("dynamic_hello");
}
