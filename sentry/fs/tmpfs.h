/* tmpfs for the sandbox: a private, memory-backed file system. */
#ifndef UMBRA_SENTRY_TMPFS_H
#define UMBRA_SENTRY_TMPFS_H

/* A new tmpfs, empty, root mode 1777, mounted nowhere on the host. size is
 * tmpfs's own size option ("64m", "1g", "10%"; NULL: the kernel's default,
 * half of RAM). Returns an O_PATH fd of its root, or -errno: -EINVAL for a
 * size tmpfs rejects, -EPERM when the host allows neither mounting nor user
 * namespaces. */
int tmpfs_create(const char *size);

#endif
