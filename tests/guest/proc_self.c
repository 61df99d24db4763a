// SPDX-License-Identifier: Apache-2.0
/*
 * /proc/self and /proc agree with what the program knows of itself: stat's
 * pid, ppid and CPU (proc(5)), status's Pid, PPid, Tgid and Umask,
 * cmdline = argv, environ = the initial environment, auxv = getauxval's
 * values, maps shows a mapping made here (range, permissions, offset, the
 * file's device and inode) and the program's own path, cpuinfo and stat
 * list as many CPUs as sysconf says are online, osrelease = uname's.
 */
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The whole of a file into a malloc'd buffer (NUL-terminated), or NULL. */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	ssize_t got;

	if (fd < 0 || !buf) {
		fail("open(%s): expected success got errno %s", path, err_name(errno));
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((got = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)got;
		if (n == cap && !(buf = realloc(buf, (cap *= 2) + 1)))
			break;
	}
	close(fd);
	if (!buf || got < 0) {
		fail("read(%s): expected success got errno %s", path, err_name(errno));
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

/* Lines of text that start with prefix. */
static long count_prefixed(const char *text, const char *prefix)
{
	long n = 0;

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		n += !strncmp(l, prefix, strlen(prefix));
	return n;
}

static void check_stat(void)
{
	char *s = slurp("/proc/self/stat", NULL), *close_paren;
	long fields = 2, pid, ppid = -1, cpu = -1;
	char state = 0;

	if (!s)
		return;
	close_paren = strrchr(s, ')');
	if (!check_true("stat has (comm)", close_paren != NULL) ||
	    !check_long("stat pid", getpid(), (sscanf(s, "%ld", &pid), pid)))
		goto out;
	for (char *tok = strtok(close_paren + 1, " \n"); tok; tok = strtok(NULL, " \n")) {
		fields++;
		if (fields == 3)
			state = tok[0];
		else if (fields == 4)
			ppid = atol(tok);
		else if (fields == 39)
			cpu = atol(tok);
	}
	check_long("stat fields", 52, fields);
	check_long("stat state", 'R', state);
	check_long("stat ppid", getppid(), ppid);
	if (cpu < 0 || cpu >= sysconf(_SC_NPROCESSORS_CONF))
		fail("stat processor: expected 0..%ld got %ld", sysconf(_SC_NPROCESSORS_CONF) - 1,
		     cpu);
out:
	free(s);
}

/* The number after "key:" in status, or -1. */
static long status_num(const char *s, const char *key, int base)
{
	const char *l = s;
	size_t n = strlen(key);

	for (; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, n) && l[n] == ':')
			return strtol(l + n + 1, NULL, base);
	fail("status: expected a %s line got none", key);
	return -1;
}

static void check_status(void)
{
	mode_t old = umask(027);
	char *s = slurp("/proc/self/status", NULL);

	umask(old);
	if (!s)
		return;
	check_long("status Pid", getpid(), status_num(s, "Pid", 10));
	check_long("status Tgid", getpid(), status_num(s, "Tgid", 10));
	check_long("status PPid", getppid(), status_num(s, "PPid", 10));
	check_long("status Umask", 027, status_num(s, "Umask", 8));
	check_long("status Threads", 1, status_num(s, "Threads", 10));
	free(s);
}

/* A NULL-terminated vector as /proc shows it: each string and its NUL. */
static int equals_vector(const char *what, const char *got, size_t len, char **v)
{
	size_t at = 0;

	for (; *v; v++) {
		size_t n = strlen(*v) + 1;

		if (at + n > len || memcmp(got + at, *v, n)) {
			fail("%s: expected \"%s\" at byte %zu got \"%.*s\"", what, *v, at,
			     (int)(at < len ? len - at : 0), got + (at < len ? at : len));
			return 0;
		}
		at += n;
	}
	return check_long(what, (long)at, (long)len);
}

static void check_vectors(char **argv, char **envp)
{
	size_t len;
	char *s = slurp("/proc/self/cmdline", &len);

	if (s)
		equals_vector("cmdline", s, len, argv);
	free(s);
	s = slurp("/proc/self/environ", &len);
	if (s)
		equals_vector("environ", s, len, envp);
	free(s);
}

/* The vector the kernel put after the environment on the initial stack,
 * and getauxval's view of the types glibc does not rewrite (it replaces
 * AT_HWCAP and AT_HWCAP2 with its own on x86_64). */
static void check_auxv(char **envp)
{
	static const unsigned long stable[] = { AT_PAGESZ, AT_PHDR, AT_PHNUM, AT_ENTRY,
						AT_RANDOM, AT_EXECFN, AT_UID, AT_GID };
	unsigned long *stack;
	size_t len, n;
	unsigned long *aux = (unsigned long *)(void *)slurp("/proc/self/auxv", &len);

	if (!aux)
		return;
	while (*envp)
		envp++;
	stack = (unsigned long *)(void *)(envp + 1);
	n = len / sizeof *aux;
	check_long("auxv size a multiple of a pair", 0, (long)(len % (2 * sizeof *aux)));
	check_true("auxv ends with AT_NULL", n >= 2 && aux[n - 2] == AT_NULL);
	for (size_t i = 0; i < n; i += 2) {
		char what[32];

		snprintf(what, sizeof what, "auxv[%zu] type", i / 2);
		check_ulong(what, stack[i], aux[i]);
		snprintf(what, sizeof what, "auxv type %lu value", aux[i]);
		check_ulong(what, stack[i + 1], aux[i + 1]);
	}
	for (size_t i = 0; i < sizeof stable / sizeof stable[0]; i++)
		for (size_t j = 0; j + 2 <= n; j += 2)
			if (aux[j] == stable[i])
				check_ulong("auxv against getauxval", getauxval(stable[i]), aux[j + 1]);
	free(aux);
}

/* The maps line holding addr: its fields, or 0 when there is none. */
static int maps_line(const char *maps, unsigned long addr, char perms[5], unsigned long *off,
		     unsigned long *start, unsigned int *maj, unsigned int *min, unsigned long *ino,
		     char *name, size_t namesz)
{
	for (const char *l = maps; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		unsigned long s, e;
		int used = 0;

		if (sscanf(l, "%lx-%lx %4s %lx %x:%x %lu%n", &s, &e, perms, off, maj, min, ino,
			   &used) < 7)
			continue;
		if (addr < s || addr >= e)
			continue;
		*start = s;
		l += used + strspn(l + used, " ");
		snprintf(name, namesz, "%.*s", (int)strcspn(l, "\n"), l);
		return 1;
	}
	return 0;
}

static void check_maps(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char exe[PATH_MAX], perms[5], name[PATH_MAX];
	unsigned long off, start, ino;
	unsigned int maj, min;
	char *three, *file, *maps;
	struct stat st;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	int fd;

	if (!CHECK_OK("readlink /proc/self/exe", n))
		return;
	exe[n] = 0;
	/* The middle page differs from its neighbours: an area of its own. */
	three = mmap(NULL, 3 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fd = open(exe, O_RDONLY | O_CLOEXEC);
	if (!CHECK_OK("mmap 3 pages", three == MAP_FAILED ? -1 : 0) || !CHECK_OK("open exe", fd) ||
	    !CHECK_OK("mprotect", mprotect(three + page, page, PROT_READ | PROT_WRITE)) ||
	    !CHECK_OK("fstat exe", fstat(fd, &st)))
		return;
	file = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, page);
	close(fd);
	maps = slurp("/proc/self/maps", NULL);
	if (!CHECK_OK("mmap exe", file == MAP_FAILED ? -1 : 0) || !maps)
		return;
	if (check_true("maps has the anonymous page",
		       maps_line(maps, (unsigned long)three + page, perms, &off, &start, &maj, &min,
				 &ino, name, sizeof name))) {
		check_ulong("anonymous page start", (unsigned long)three + page, start);
		if (strcmp(perms, "rw-p") || ino || name[0])
			fail("anonymous page: expected rw-p, inode 0, no name got %s %lu \"%s\"",
			     perms, ino, name);
	}
	if (check_true("maps has the file page",
		       maps_line(maps, (unsigned long)file, perms, &off, &start, &maj, &min, &ino,
				 name, sizeof name))) {
		check_ulong("file page offset", (unsigned long)page,
			    off + ((unsigned long)file - start));
		if (strcmp(perms, "r--p") || strcmp(name, exe) || ino != st.st_ino ||
		    maj != major(st.st_dev) || min != minor(st.st_dev))
			fail("file page: expected r--p %x:%x %lu %s got %s %x:%x %lu %s",
			     major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino, exe,
			     perms, maj, min, ino, name);
	}
	if (check_true("maps names the program at its entry",
		       maps_line(maps, getauxval(AT_ENTRY), perms, &off, &start, &maj, &min, &ino,
				 name, sizeof name)))
		check_true("entry's area is the program", !strcmp(name, exe) && perms[2] == 'x');
	free(maps);
	munmap(three, 3 * page);
	munmap(file, page);
}

static void check_cpus(void)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	char *cpuinfo = slurp("/proc/cpuinfo", NULL), *stat = slurp("/proc/stat", NULL);
	long in_stat = 0;

	if (cpuinfo)
		check_long("/proc/cpuinfo processors", online, count_prefixed(cpuinfo, "processor"));
	for (const char *l = stat; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		in_stat += !strncmp(l, "cpu", 3) && l[3] >= '0' && l[3] <= '9';
	if (stat)
		check_long("/proc/stat cpuN lines", online, in_stat);
	free(cpuinfo);
	free(stat);
}

static void check_osrelease(void)
{
	struct utsname u;
	char *s = slurp("/proc/sys/kernel/osrelease", NULL);
	char want[sizeof u.release + 1];

	if (!s || !CHECK_OK("uname", uname(&u)))
		goto out;
	snprintf(want, sizeof want, "%s\n", u.release);
	if (strcmp(s, want))
		fail("osrelease: expected \"%s\" got \"%s\"", u.release, s);
out:
	free(s);
}

int main(int argc, char **argv, char **envp)
{
	(void)argc;
	check_stat();
	check_status();
	check_vectors(argv, envp);
	check_auxv(envp);
	check_maps();
	check_cpus();
	check_osrelease();
	return check_exit("proc_self");
}
