/* Files in flight in SCM_RIGHTS messages. A socket pair's ends are host
 * sockets, so a message carries the host fds behind the guest's files; the
 * rest of what the sentry knows of a file (its mount, its guest path, the
 * flags the guest opened it with) goes by the side. Without it the received
 * fd would be a file the sandbox was given: its /proc/PID/fd link would read
 * as the host's path, it could not be a directory fd, and reopening it there
 * would bypass the view's rules (a host FIFO or device node, refused by
 * path, opened through a passed O_PATH fd). */
#ifndef UMBRA_SENTRY_INFLIGHT_H
#define UMBRA_SENTRY_INFLIGHT_H

struct file;
struct inflight;

/* How many sends are remembered: as many fds as a process may hold, so one
 * message of SCM_MAX_FD (253) files keeps all its notes. */
#define INFLIGHT_NOTES 1024

int inflight_create(struct inflight **out);
void inflight_destroy(struct inflight *in);
/* A message is about to carry f (a file of the view: f->mnt set). */
void inflight_note(struct inflight *in, const struct file *f);
/* The file a received host fd (which it then owns) is: what the newest note
 * of the same host object says, else a file as the sandbox was given; NULL
 * when out of memory (host_fd closed). */
struct file *inflight_file(struct inflight *in, int host_fd);

#endif
