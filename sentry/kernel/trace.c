/* strace-style lines for --trace, driven by the argument letters of
 * abi/syscalls.tbl. The guest's architecture is the host's, so open flags
 * (which differ between x86_64 and arm64), errno, signal and clock names come
 * from the host's headers; mmap's values are the same on both and listed here,
 * including flags newer than libc's. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "sentry/kernel/trace.h"
#include "sentry/mm/mm.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Bytes of a buffer argument shown before "...", strace's default -s 32. */
#define TRACE_BUF_SHOWN 32
/* Longest string argument read from the guest (PATH_MAX). */
#define TRACE_STR_MAX 4096
/* include/uapi/linux/fcntl.h */
#define TRACE_AT_FDCWD (-100)

struct out {
	char *buf;
	size_t size; /* > 0 */
	size_t len;  /* < size; buf[len] is NUL */
};

__attribute__((format(printf, 2, 3)))
static void out_printf(struct out *o, const char *fmt, ...)
{
	size_t room = o->size - o->len;
	va_list ap;
	int n;

	if (room <= 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	o->len += (size_t)n < room ? (size_t)n : room - 1;
}

static void out_puts(struct out *o, const char *s)
{
	out_printf(o, "%s", s);
}

/* Kernel errno names; 512.. are the restart codes of include/linux/errno.h
 * that a tracer sees in the result register while a syscall restarts. */
#define E(name) [name] = #name
static const char *const errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
	E(EFAULT), E(ENOTBLK), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV),
	E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
	E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK),
	E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK),
	E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOMSG), E(EIDRM), E(ECHRNG),
	E(EL2NSYNC), E(EL3HLT), E(EL3RST), E(ELNRNG), E(EUNATCH), E(ENOCSI),
	E(EL2HLT), E(EBADE), E(EBADR), E(EXFULL), E(ENOANO), E(EBADRQC),
	E(EBADSLT), E(EBFONT), E(ENOSTR), E(ENODATA), E(ETIME), E(ENOSR),
	E(ENONET), E(ENOPKG), E(EREMOTE), E(ENOLINK), E(EADV), E(ESRMNT),
	E(ECOMM), E(EPROTO), E(EMULTIHOP), E(EDOTDOT), E(EBADMSG),
	E(EOVERFLOW), E(ENOTUNIQ), E(EBADFD), E(EREMCHG), E(ELIBACC),
	E(ELIBBAD), E(ELIBSCN), E(ELIBMAX), E(ELIBEXEC), E(EILSEQ),
	E(ERESTART), E(ESTRPIPE), E(EUSERS), E(ENOTSOCK), E(EDESTADDRREQ),
	E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT), E(EPROTONOSUPPORT),
	E(ESOCKTNOSUPPORT), E(EOPNOTSUPP), E(EPFNOSUPPORT), E(EAFNOSUPPORT),
	E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH),
	E(ENETRESET), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN),
	E(ENOTCONN), E(ESHUTDOWN), E(ETOOMANYREFS), E(ETIMEDOUT),
	E(ECONNREFUSED), E(EHOSTDOWN), E(EHOSTUNREACH), E(EALREADY),
	E(EINPROGRESS), E(ESTALE), E(EUCLEAN), E(ENOTNAM), E(ENAVAIL),
	E(EISNAM), E(EREMOTEIO), E(EDQUOT), E(ENOMEDIUM), E(EMEDIUMTYPE),
	E(ECANCELED), E(ENOKEY), E(EKEYEXPIRED), E(EKEYREVOKED),
	E(EKEYREJECTED), E(EOWNERDEAD), E(ENOTRECOVERABLE), E(ERFKILL),
	E(EHWPOISON),
	[512] = "ERESTARTSYS",
	[513] = "ERESTARTNOINTR",
	[514] = "ERESTARTNOHAND",
	[515] = "ENOIOCTLCMD",
	[516] = "ERESTART_RESTARTBLOCK",
};
#undef E

/* The name of errno value err (positive), or NULL. */
static const char *trace_errno_name(int err)
{
	if (err <= 0 || (size_t)err >= ARRAY_SIZE(errno_names))
		return NULL;
	return errno_names[err];
}

#define N(name) [name] = #name
static const char *const signal_names[] = {
	N(SIGHUP), N(SIGINT), N(SIGQUIT), N(SIGILL), N(SIGTRAP), N(SIGABRT),
	N(SIGBUS), N(SIGFPE), N(SIGKILL), N(SIGUSR1), N(SIGSEGV), N(SIGUSR2),
	N(SIGPIPE), N(SIGALRM), N(SIGTERM), N(SIGSTKFLT), N(SIGCHLD),
	N(SIGCONT), N(SIGSTOP), N(SIGTSTP), N(SIGTTIN), N(SIGTTOU), N(SIGURG),
	N(SIGXCPU), N(SIGXFSZ), N(SIGVTALRM), N(SIGPROF), N(SIGWINCH), N(SIGIO),
	N(SIGPWR), N(SIGSYS),
};

static const char *const clock_names[] = {
	N(CLOCK_REALTIME), N(CLOCK_MONOTONIC), N(CLOCK_PROCESS_CPUTIME_ID),
	N(CLOCK_THREAD_CPUTIME_ID), N(CLOCK_MONOTONIC_RAW),
	N(CLOCK_REALTIME_COARSE), N(CLOCK_MONOTONIC_COARSE), N(CLOCK_BOOTTIME),
	N(CLOCK_REALTIME_ALARM), N(CLOCK_BOOTTIME_ALARM), N(CLOCK_TAI),
};
#undef N

struct flag_name {
	uint64_t bits;
	const char *name;
};

/* Multi-bit names come before the single bits they contain. */
static const struct flag_name open_flags[] = {
	{ O_TMPFILE, "O_TMPFILE" }, /* includes O_DIRECTORY */
	{ O_SYNC, "O_SYNC" },       /* includes O_DSYNC */
	{ O_CREAT, "O_CREAT" },
	{ O_EXCL, "O_EXCL" },
	{ O_NOCTTY, "O_NOCTTY" },
	{ O_TRUNC, "O_TRUNC" },
	{ O_APPEND, "O_APPEND" },
	{ O_NONBLOCK, "O_NONBLOCK" },
	{ O_DSYNC, "O_DSYNC" },
	{ O_ASYNC, "O_ASYNC" },
	{ O_DIRECT, "O_DIRECT" },
	{ O_DIRECTORY, "O_DIRECTORY" },
	{ O_NOFOLLOW, "O_NOFOLLOW" },
	{ O_NOATIME, "O_NOATIME" },
	{ O_CLOEXEC, "O_CLOEXEC" },
	{ O_PATH, "O_PATH" },
};

static const char *const open_modes[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };

/* include/uapi/asm-generic/mman-common.h; BTI and MTE are arm64's
 * (arch/arm64/include/uapi/asm/mman.h) and invalid on x86_64. */
static const struct flag_name prot_flags[] = {
	{ 0x1, "PROT_READ" },
	{ 0x2, "PROT_WRITE" },
	{ 0x4, "PROT_EXEC" },
	{ 0x8, "PROT_SEM" },
	{ 0x10, "PROT_BTI" },
	{ 0x20, "PROT_MTE" },
	{ 0x01000000, "PROT_GROWSDOWN" },
	{ 0x02000000, "PROT_GROWSUP" },
};

/* include/uapi/linux/mman.h and asm-generic/mman-common.h: the same on both
 * arches, except 0x40, MAP_32BIT on x86_64 only. */
static const struct flag_name map_flags[] = {
	{ 0x03, "MAP_SHARED_VALIDATE" },
	{ 0x01, "MAP_SHARED" },
	{ 0x02, "MAP_PRIVATE" },
	{ 0x08, "MAP_DROPPABLE" },
	{ 0x10, "MAP_FIXED" },
	{ 0x20, "MAP_ANONYMOUS" },
	{ 0x40, "MAP_32BIT" },
	{ 0x100, "MAP_GROWSDOWN" },
	{ 0x800, "MAP_DENYWRITE" },
	{ 0x1000, "MAP_EXECUTABLE" },
	{ 0x2000, "MAP_LOCKED" },
	{ 0x4000, "MAP_NORESERVE" },
	{ 0x8000, "MAP_POPULATE" },
	{ 0x10000, "MAP_NONBLOCK" },
	{ 0x20000, "MAP_STACK" },
	{ 0x40000, "MAP_HUGETLB" },
	{ 0x80000, "MAP_SYNC" },
	{ 0x100000, "MAP_FIXED_NOREPLACE" },
	{ 0x4000000, "MAP_UNINITIALIZED" },
};

/* arch/x86/include/uapi/asm/prctl.h */
static const struct flag_name arch_prctl_codes[] = {
	{ 0x1001, "ARCH_SET_GS" },
	{ 0x1002, "ARCH_SET_FS" },
	{ 0x1003, "ARCH_GET_FS" },
	{ 0x1004, "ARCH_GET_GS" },
	{ 0x1011, "ARCH_GET_CPUID" },
	{ 0x1012, "ARCH_SET_CPUID" },
	{ 0x1021, "ARCH_GET_XCOMP_SUPP" },
	{ 0x1022, "ARCH_GET_XCOMP_PERM" },
	{ 0x1023, "ARCH_REQ_XCOMP_PERM" },
	{ 0x1024, "ARCH_GET_XCOMP_GUEST_PERM" },
	{ 0x1025, "ARCH_REQ_XCOMP_GUEST_PERM" },
	{ 0x2001, "ARCH_MAP_VDSO_X32" },
	{ 0x2002, "ARCH_MAP_VDSO_32" },
	{ 0x2003, "ARCH_MAP_VDSO_64" },
	{ 0x4001, "ARCH_GET_UNTAG_MASK" },
	{ 0x4002, "ARCH_ENABLE_TAGGED_ADDR" },
	{ 0x4003, "ARCH_GET_MAX_TAG_BITS" },
	{ 0x4004, "ARCH_FORCE_TAGGED_SVA" },
	{ 0x5001, "ARCH_SHSTK_ENABLE" },
	{ 0x5002, "ARCH_SHSTK_DISABLE" },
	{ 0x5003, "ARCH_SHSTK_LOCK" },
	{ 0x5004, "ARCH_SHSTK_UNLOCK" },
	{ 0x5005, "ARCH_SHSTK_STATUS" },
};

static void put_hex(struct out *o, uint64_t v)
{
	if (v)
		out_printf(o, "%#llx", (unsigned long long)v);
	else
		out_puts(o, "0");
}

static void put_ptr(struct out *o, uint64_t v)
{
	if (v)
		out_printf(o, "%#llx", (unsigned long long)v);
	else
		out_puts(o, "NULL");
}

/* Names joined by '|', unnamed bits in hex after them; zero prints as
 * zero_name. first: nothing of this argument is printed yet (no leading '|'). */
static void put_flags(struct out *o, uint64_t v, const struct flag_name *names,
		      size_t n, const char *zero_name, bool first)
{
	for (size_t i = 0; i < n; i++) {
		if (!names[i].bits || (v & names[i].bits) != names[i].bits)
			continue;
		out_printf(o, "%s%s", first ? "" : "|", names[i].name);
		v &= ~names[i].bits;
		first = false;
	}
	if (v) {
		if (!first)
			out_puts(o, "|");
		put_hex(o, v);
	} else if (first) {
		out_puts(o, zero_name);
	}
}

static void put_name(struct out *o, const char *const *names, size_t n, int v)
{
	if (v >= 0 && (size_t)v < n && names[v])
		out_puts(o, names[v]);
	else
		out_printf(o, "%d", v);
}

static void put_signal(struct out *o, int sig)
{
	/* Real-time signals carry no names; strace numbers them from the
	 * kernel's SIGRTMIN (32), not libc's. */
	if (sig >= 32 && sig <= 64)
		out_printf(o, "SIGRT_%d", sig - 32);
	else
		put_name(o, signal_names, ARRAY_SIZE(signal_names), sig);
}

static void put_open_flags(struct out *o, uint64_t v)
{
	out_puts(o, open_modes[v & O_ACCMODE]);
	put_flags(o, v & ~(uint64_t)O_ACCMODE, open_flags, ARRAY_SIZE(open_flags), "", false);
}

static void put_arch_prctl(struct out *o, uint64_t v)
{
	for (size_t i = 0; i < ARRAY_SIZE(arch_prctl_codes); i++) {
		if (arch_prctl_codes[i].bits == v) {
			out_puts(o, arch_prctl_codes[i].name);
			return;
		}
	}
	put_hex(o, v);
}

/* One byte of a quoted string, escaped as strace does; next tells whether an
 * octal escape must take three digits to stay unambiguous. */
static void put_quoted_char(struct out *o, unsigned char c, int next)
{
	static const char esc[] = { ['\n'] = 'n', ['\t'] = 't', ['\r'] = 'r',
				    ['\v'] = 'v', ['\f'] = 'f' };

	if (c == '"' || c == '\\')
		out_printf(o, "\\%c", c);
	else if (c >= ' ' && c < 0x7f)
		out_printf(o, "%c", c);
	else if (c < sizeof(esc) && esc[c])
		out_printf(o, "\\%c", esc[c]);
	else if (next >= '0' && next <= '7')
		out_printf(o, "\\%03o", c);
	else
		out_printf(o, "\\%o", c);
}

static void put_quoted(struct out *o, const unsigned char *s, size_t len, bool more)
{
	out_puts(o, "\"");
	for (size_t i = 0; i < len; i++)
		put_quoted_char(o, s[i], i + 1 < len ? s[i + 1] : -1);
	out_puts(o, more ? "\"..." : "\"");
}

static void put_string(struct out *o, struct task *t, uint64_t addr)
{
	char s[TRACE_STR_MAX];
	long len;

	if (!addr) {
		out_puts(o, "NULL");
		return;
	}
	len = t ? strncpy_from_guest(t, s, addr, sizeof(s)) : -EFAULT;
	if (len < 0)
		put_hex(o, addr);
	else
		put_quoted(o, (const unsigned char *)s, (size_t)len, false);
}

static void put_buffer(struct out *o, struct task *t, uint64_t addr, uint64_t len)
{
	unsigned char b[TRACE_BUF_SHOWN];
	size_t shown = len < sizeof(b) ? (size_t)len : sizeof(b);

	if (!t || copy_from_guest(t, b, addr, shown) < 0) {
		put_hex(o, addr);
		return;
	}
	put_quoted(o, b, shown, len > shown);
}

static bool is_error(long ret)
{
	return ret < 0 && ret >= -4095;
}

/* One argument being printed, with what its printer may need. */
struct arg {
	struct task *t;
	const struct syscall_args *a;
	int i;
	long ret;
	uint64_t v;
};

/* Prints one argument; returns false when the arguments after it are not
 * printed. */
typedef bool (*arg_printer)(struct out *o, const struct arg *arg);

static bool arg_int(struct out *o, const struct arg *arg)
{
	out_printf(o, "%d", (int)arg->v);
	return true;
}

static bool arg_unsigned(struct out *o, const struct arg *arg)
{
	out_printf(o, "%llu", (unsigned long long)arg->v);
	return true;
}

static bool arg_long(struct out *o, const struct arg *arg)
{
	out_printf(o, "%lld", (long long)arg->v);
	return true;
}

static bool arg_hex(struct out *o, const struct arg *arg)
{
	put_hex(o, arg->v);
	return true;
}

static bool arg_ptr(struct out *o, const struct arg *arg)
{
	put_ptr(o, arg->v);
	return true;
}

static bool arg_dirfd(struct out *o, const struct arg *arg)
{
	if ((int)arg->v == TRACE_AT_FDCWD)
		out_puts(o, "AT_FDCWD");
	else
		out_printf(o, "%d", (int)arg->v);
	return true;
}

static bool arg_string(struct out *o, const struct arg *arg)
{
	put_string(o, arg->t, arg->v);
	return true;
}

/* Its length is the next argument. */
static bool arg_inbuf(struct out *o, const struct arg *arg)
{
	if (arg->i + 1 < 6)
		put_buffer(o, arg->t, arg->v, arg->a->a[arg->i + 1]);
	else
		put_ptr(o, arg->v);
	return true;
}

/* Filled by the call: its length is the result, and nothing on failure. */
static bool arg_outbuf(struct out *o, const struct arg *arg)
{
	if (is_error(arg->ret))
		put_ptr(o, arg->v);
	else
		put_buffer(o, arg->t, arg->v, (uint64_t)arg->ret);
	return true;
}

/* An int[2] of fds the call fills (pipe2): shown once it succeeded. */
static bool arg_fd_pair(struct out *o, const struct arg *arg)
{
	int32_t fd[2];

	if (is_error(arg->ret) || !arg->t || copy_from_guest(arg->t, fd, arg->v, sizeof fd) < 0)
		put_ptr(o, arg->v);
	else
		out_printf(o, "[%d, %d]", fd[0], fd[1]);
	return true;
}

/* Open flags with no access mode in them: an int (pipe2's). */
static bool arg_status_flags(struct out *o, const struct arg *arg)
{
	put_flags(o, (uint32_t)arg->v, open_flags, ARRAY_SIZE(open_flags), "0", true);
	return true;
}

static bool arg_open_flags(struct out *o, const struct arg *arg)
{
	put_open_flags(o, arg->v);
	/* The mode is read only when a file may be created. */
	return (arg->v & O_CREAT) || (arg->v & O_TMPFILE) == O_TMPFILE;
}

static bool arg_mode(struct out *o, const struct arg *arg)
{
	out_printf(o, "%#03llo", (unsigned long long)arg->v);
	return true;
}

static bool arg_prot(struct out *o, const struct arg *arg)
{
	put_flags(o, arg->v, prot_flags, ARRAY_SIZE(prot_flags), "PROT_NONE", true);
	return true;
}

static bool arg_map_flags(struct out *o, const struct arg *arg)
{
	put_flags(o, arg->v, map_flags, ARRAY_SIZE(map_flags), "0", true);
	return true;
}

static bool arg_clock(struct out *o, const struct arg *arg)
{
	put_name(o, clock_names, ARRAY_SIZE(clock_names), (int)arg->v);
	return true;
}

static bool arg_signal(struct out *o, const struct arg *arg)
{
	put_signal(o, (int)arg->v);
	return true;
}

static bool arg_arch_prctl(struct out *o, const struct arg *arg)
{
	put_arch_prctl(o, arg->v);
	return true;
}

/* The argument letters of abi/syscalls.tbl. */
static const arg_printer arg_printers[128] = {
	['d'] = arg_int,
	['f'] = arg_int,
	['u'] = arg_unsigned,
	['l'] = arg_long,
	['x'] = arg_hex,
	['p'] = arg_ptr,
	['D'] = arg_dirfd,
	['s'] = arg_string,
	['b'] = arg_inbuf,
	['B'] = arg_outbuf,
	['o'] = arg_open_flags,
	['O'] = arg_status_flags,
	['F'] = arg_fd_pair,
	['m'] = arg_mode,
	['P'] = arg_prot,
	['M'] = arg_map_flags,
	['c'] = arg_clock,
	['g'] = arg_signal,
	['a'] = arg_arch_prctl,
};

static bool put_arg(struct out *o, const struct arg *arg, char letter)
{
	unsigned char c = (unsigned char)letter;

	if (c < ARRAY_SIZE(arg_printers) && arg_printers[c])
		return arg_printers[c](o, arg);
	return arg_hex(o, arg);
}

static void put_result(struct out *o, char fmt, long ret)
{
	const char *name;

	if (fmt == 'n') {
		out_puts(o, "?");
	} else if (is_error(ret)) {
		name = trace_errno_name((int)-ret);
		out_printf(o, "%ld%s%s", ret, name ? " " : "", name ? name : "");
	} else if (fmt == 'x') {
		put_hex(o, (uint64_t)ret);
	} else {
		out_printf(o, "%ld", ret);
	}
}

size_t trace_format(struct task *t, const struct syscall_desc *desc,
		    const struct syscall_args *a, long ret, char *buf, size_t size)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };
	const char *fmt = "xxxxxx";
	char ret_fmt = 'd';

	if (!size)
		return 0;
	buf[0] = '\0';
	if (desc && desc->name) {
		out_printf(&o, "%s(", desc->name);
		fmt = desc->args ? desc->args : "";
		ret_fmt = desc->ret;
	} else {
		out_printf(&o, "syscall_%ld(", a->nr);
	}
	for (int i = 0; i < 6 && fmt[i]; i++) {
		struct arg arg = { .t = t, .a = a, .i = i, .ret = ret, .v = a->a[i] };

		if (i)
			out_puts(&o, ", ");
		if (!put_arg(&o, &arg, fmt[i]))
			break;
	}
	out_puts(&o, ") = ");
	put_result(&o, ret_fmt, ret);
	out_puts(&o, "\n");
	return o.len;
}
