/* Linux's inode i_writecount (fs/file_table.c, fs/exec.c): how many open
 * files may write an inode (> 0), or how many running programs deny it any
 * writer (< 0). A file open for writing cannot be executed and a running
 * program cannot be opened for writing: both ETXTBSY. Keyed by the host's
 * (dev, ino), for every sandbox of the process. */
#ifndef UMBRA_SENTRY_LIB_WRITECOUNT_H
#define UMBRA_SENTRY_LIB_WRITECOUNT_H

#include <stdbool.h>
#include <stdint.h>

/* get_write_access: -ETXTBSY while a program runs it, -ENOMEM. */
int writecount_get(uint64_t dev, uint64_t ino);
void writecount_put(uint64_t dev, uint64_t ino);
/* exe_file_deny_write_access: -ETXTBSY while a file may write it. */
int writecount_deny(uint64_t dev, uint64_t ino);
void writecount_allow(uint64_t dev, uint64_t ino);
/* Whether an open for writing would fail now (checked before O_TRUNC). */
bool writecount_denied(uint64_t dev, uint64_t ino);

#endif
