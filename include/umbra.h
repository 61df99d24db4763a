/* umbra: run Linux programs inside a user-mode kernel.
 *
 * A sandbox holds the configuration and the emulated kernel's state; a process is
 * a guest program spawned in it. Every function that can fail returns 0 (or a
 * value >= 0) on success and -errno on failure; nothing sets errno.
 *
 *	struct umbra_sandbox *sb;
 *	struct umbra_process *p;
 *	int status;
 *	if (umbra_sandbox_create(&sb) < 0) ...
 *	if (umbra_spawn(sb, "/bin/true", argv, envp, &p) < 0) ...
 *	umbra_wait(p, &status);      // status as from waitpid(2)
 *	umbra_process_free(p);
 *	umbra_sandbox_free(sb);
 */
#ifndef UMBRA_H
#define UMBRA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define UMBRA_API __attribute__((visibility("default")))
#define UMBRA_MUST_CHECK __attribute__((warn_unused_result))

struct umbra_sandbox;
struct umbra_process;

/* The library's version, "MAJOR.MINOR.PATCH". */
UMBRA_API const char *umbra_version(void);

UMBRA_API UMBRA_MUST_CHECK int umbra_sandbox_create(struct umbra_sandbox **out);
/* Frees the sandbox; its processes must have been waited for and freed. */
UMBRA_API void umbra_sandbox_free(struct umbra_sandbox *sb);

/* Print each guest syscall strace-style to fd (-1: off, the default). */
UMBRA_API UMBRA_MUST_CHECK int umbra_sandbox_set_trace_fd(struct umbra_sandbox *sb, int fd);
/* The host files the guest's fds 0, 1 and 2 refer to (default: the caller's
 * 0, 1, 2). The sandbox keeps its own duplicates. */
UMBRA_API UMBRA_MUST_CHECK int umbra_sandbox_set_stdio(struct umbra_sandbox *sb,
							int in, int out, int err);
/* Number of virtual CPUs (default: the host's online CPUs). */
UMBRA_API UMBRA_MUST_CHECK int umbra_sandbox_set_cpus(struct umbra_sandbox *sb, int ncpus);
/* How long an rseq time-slice extension grant lasts, in ns: 5000 (the
 * default) to 50000, else -EINVAL. */
UMBRA_API UMBRA_MUST_CHECK int umbra_sandbox_set_rseq_slice_ns(struct umbra_sandbox *sb,
								 int ns);

/* What the sandbox's rseq time-slice extension did so far: grants made,
 * grants ended by rseq_slice_yield, by their timer (expiries), by another
 * syscall (aborts), and grants revoked when the task was switched out. */
struct umbra_rseq_stats {
	uint64_t grants, yields, expiries, revocations, aborts;
};
UMBRA_API UMBRA_MUST_CHECK int umbra_sandbox_rseq_stats(struct umbra_sandbox *sb,
							 struct umbra_rseq_stats *out);

/* The file system view. By default the guest sees the host's / read-only,
 * a private tmpfs at /tmp, /proc and /sys hidden and /dev limited to null,
 * zero, full, random, urandom and tty. set_root makes host_dir the guest's /; bind shows host_dir
 * at guest_path (absolute, without ".."); readonly refuses writes with EROFS.
 * -ENOENT or -ENOTDIR when host_dir is not a directory. */
UMBRA_API UMBRA_MUST_CHECK int umbra_sandbox_set_root(struct umbra_sandbox *sb,
						      const char *host_dir, int readonly);
UMBRA_API UMBRA_MUST_CHECK int umbra_sandbox_bind(struct umbra_sandbox *sb, const char *host_dir,
						  const char *guest_path, int readonly);
/* A new private tmpfs at guest_path (absolute, without ".."), over what was
 * there: memory-backed, empty, mode 1777, gone with the sandbox. size is
 * tmpfs's size option ("64m", "1g", "10%"; NULL: half of RAM). -EINVAL for a
 * size tmpfs rejects; -EPERM when the host allows neither mounting nor user
 * namespaces. */
UMBRA_API UMBRA_MUST_CHECK int umbra_sandbox_tmpfs(struct umbra_sandbox *sb,
						   const char *guest_path, const char *size);
/* The directory guests start in, a path in the view (default: the caller's
 * cwd when the view shows it, else /). */
UMBRA_API UMBRA_MUST_CHECK int umbra_sandbox_set_cwd(struct umbra_sandbox *sb,
						     const char *guest_dir);

/* Finds a program as a shell does: name itself if it has a '/', else the
 * first executable regular file name in the directories of path_var (a PATH
 * value; NULL: /usr/local/bin:/usr/bin:/bin), in the sandbox's view. Writes
 * the path to out. -ENOENT when none is found, -EACCES when only files
 * without execute permission are. */
UMBRA_API UMBRA_MUST_CHECK int umbra_sandbox_which(struct umbra_sandbox *sb, const char *name,
						   const char *path_var, char *out, size_t size);

/* Starts path (a path in the sandbox's view, relative to its cwd: an ELF
 * executable or a #! script) with argv and envp
 * (NULL-terminated). Fails with -ENOENT, -EACCES, -ENOEXEC (not an ELF file for
 * this machine), -ELIBBAD, -ELOOP, -ENOMEM, ... before any guest code runs. */
UMBRA_API UMBRA_MUST_CHECK int umbra_spawn(struct umbra_sandbox *sb, const char *path,
					   char *const argv[], char *const envp[],
					   struct umbra_process **out);
/* Waits for the guest to end; *status is a waitpid(2) status (WIFEXITED,
 * WEXITSTATUS, WIFSIGNALED, WTERMSIG apply). */
UMBRA_API UMBRA_MUST_CHECK int umbra_wait(struct umbra_process *p, int *status);
UMBRA_API void umbra_process_free(struct umbra_process *p);

/* Unimplemented syscalls the guests asked for: calls fn once per syscall name
 * with the number of calls, in syscall-number order. Returns how many. */
UMBRA_API int umbra_sandbox_unimplemented(struct umbra_sandbox *sb,
					  void (*fn)(const char *name, uint64_t count, void *arg),
					  void *arg);

/* A one-line human description of an error returned by this API, for messages
 * such as "umbra: ./x: <text>". */
UMBRA_API const char *umbra_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif
