/* procfs: /proc for the sandbox's guests (fs/proc/). */
#ifndef UMBRA_SENTRY_PROCFS_H
#define UMBRA_SENTRY_PROCFS_H

struct procfs;
struct sandbox;

/* Makes the sandbox's procfs and mounts it at /proc. */
int procfs_create(struct sandbox *sb, struct procfs **out);
void procfs_destroy(struct procfs *fs);
/* The pid of a /proc/PID/mem file (rel: its path below /proc, "/12/mem"),
 * else 0. */
int proc_mem_pid(const char *rel);
/* The thread of a /proc/PID/comm or /proc/PID/task/TID/comm file, else 0. */
int proc_comm_tid(const char *rel);

#endif
