/* Open files and a task's file descriptors. A file is a host fd the sentry
 * holds: one the sandbox was given (the guest's stdin, stdout, stderr) or one
 * it opened beneath a mount. dup'd descriptors share the file, and with it
 * the offset and status flags, as Linux's file descriptions do. */
#ifndef UMBRA_SENTRY_FDTABLE_H
#define UMBRA_SENTRY_FDTABLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define FDTABLE_MAX 1024

struct mount;
struct signalfd;
struct usock;

struct file {
	int refs;
	int host_fd;
	int flags;                /* open(2) access mode and status flags */
	const struct mount *mnt;  /* NULL: a file the sandbox was given */
	char *path;               /* canonical guest path, NULL if given */
	bool ofd_locked;          /* has held OFD locks: drop them when it goes */
	int pidfd;                /* a pidfd: the guest pid it names, else 0 */
	int mem_pid;              /* /proc/PID/mem: the process whose memory it is, else 0 */
	int comm_tid;             /* /proc/PID/comm, task/TID/comm: the thread it names, else 0 */
	int type;                 /* S_IFMT of the host object once known (file_never_blocks) */
	bool writer;              /* counts in writecount: a regular file open for writing */
	uint64_t dev, ino;        /* the writer's inode */
	struct signalfd *sigfd;   /* a signalfd: its mask and readiness, which go with it */
	struct usock *sock;       /* an AF_UNIX socket's names and peer (net/usock.h) */
};

/* Shared by the tasks of a process (CLONE_FILES); its lock guards the
 * slots, never held across a host call that may block. */
struct fdtable {
	pthread_mutex_t lock;
	int refs;
	struct file *fd[FDTABLE_MAX];
	bool cloexec[FDTABLE_MAX];
};

/* A new file owning host_fd, with one reference; NULL when out of memory
 * (host_fd is then closed). path may be NULL. */
struct file *file_new(int host_fd, int flags, const struct mount *mnt, const char *path);
void file_get(struct file *f);
/* A regular file open for writing counts as a writer of its inode
 * (get_write_access, put again by file_put): 0, or -ETXTBSY while a
 * program runs it (f is then no writer). */
int file_count_writer(struct file *f);
/* Whether I/O on f can never wait (a regular file, a directory, a block
 * device): nothing to poll for before a read or write. */
bool file_never_blocks(struct file *f);
void file_put(struct file *f);

struct fdtable *fdtable_create(void);
/* One more user of the table (CLONE_FILES); fdtable_destroy drops one. */
struct fdtable *fdtable_share(struct fdtable *ft);
void fdtable_destroy(struct fdtable *ft);
/* fork(2): a table of the same files, each with one more reference. */
struct fdtable *fdtable_dup(struct fdtable *ft);
/* execve(2): closes the fds marked FD_CLOEXEC. */
void fdtable_close_on_exec(struct fdtable *ft);
/* Installs f (taking the caller's reference) at the lowest free fd >= min and
 * below limit; -EMFILE when there is none. */
int fdtable_install(struct fdtable *ft, struct file *f, int min, int limit, bool cloexec);
/* Installs f (taking the reference) at exactly fd, closing what was there. */
int fdtable_install_at(struct fdtable *ft, int fd, struct file *f, bool cloexec);
/* Installs a new file for host_fd (which it then owns) at exactly fd. */
int fdtable_install_host(struct fdtable *ft, int fd, int host_fd);
/* The file at fd, or NULL. On a tracer thread (fdtable_hold_refs) it stays
 * valid until fdtable_release_held, which the syscall's end calls, even if
 * another thread closes fd meanwhile. */
struct file *fdtable_get(struct fdtable *ft, int fd);
void fdtable_hold_refs(void);
void fdtable_release_held(void);
/* The tracer thread is ending: its list goes. */
void fdtable_hold_end(void);
/* FD_CLOEXEC of fd (F_GETFD, F_SETFD). */
bool fdtable_cloexec(struct fdtable *ft, int fd);
void fdtable_set_cloexec(struct fdtable *ft, int fd, bool on);
/* close(2): also drops the process's record locks on the file's inode. */
int fdtable_close(struct fdtable *ft, int fd);
/* close_range(2) of the open fds in [first, last], or with cloexec only
 * marks them FD_CLOEXEC. */
void fdtable_close_range(struct fdtable *ft, unsigned int first, unsigned int last, bool cloexec);

#endif
