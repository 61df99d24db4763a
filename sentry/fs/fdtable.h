/* A task's file descriptors. For now every open file is a host fd the sandbox
 * was given (the guest's stdin, stdout and stderr). */
#ifndef UMBRA_SENTRY_FDTABLE_H
#define UMBRA_SENTRY_FDTABLE_H

#define FDTABLE_MAX 1024

struct file {
	int refs;
	int host_fd;
};

struct fdtable {
	struct file *fd[FDTABLE_MAX];
};

struct fdtable *fdtable_create(void);
void fdtable_destroy(struct fdtable *ft);
/* Installs a new file for host_fd (which it then owns) at exactly fd. */
int fdtable_install_host(struct fdtable *ft, int fd, int host_fd);
/* The file at fd, or NULL. */
struct file *fdtable_get(struct fdtable *ft, int fd);
int fdtable_close(struct fdtable *ft, int fd);

#endif
