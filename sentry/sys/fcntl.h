/* fcntl(2) commands served outside sys_file.c. */
#ifndef UMBRA_SENTRY_SYS_FCNTL_H
#define UMBRA_SENTRY_SYS_FCNTL_H

#include <stdint.h>

struct task;
struct file;

/* F_GETLK, F_SETLK, F_SETLKW and their F_OFD_ forms (sys_lock.c). */
long fcntl_lock(struct task *t, struct file *f, int cmd, uint64_t arg);
/* F_ADD_SEALS, F_GET_SEALS (sys_memfd.c). */
long fcntl_seals(struct file *f, int cmd, uint64_t arg);
/* F_GETPIPE_SZ, F_SETPIPE_SZ (sys_pipe.c). */
long fcntl_pipe(struct file *f, int cmd, uint64_t arg);

#endif
