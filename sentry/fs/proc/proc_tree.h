/* The rendered procfs tree: a tmpfs only the sentry writes, brought up to
 * date one looked-up path at a time. root is its O_PATH root fd. */
#ifndef UMBRA_SENTRY_PROC_TREE_H
#define UMBRA_SENTRY_PROC_TREE_H

struct sandbox;
struct task;

/* The fixed entries of /proc: its files, sys/, the self and mounts links. */
int proc_tree_init(int root, struct sandbox *sb);
/* /proc itself: one directory per live thread group, no more. */
int proc_tree_root(int root, struct sandbox *sb);
/* A path of /proc outside the PID directories: its text, if it is a file. */
int proc_tree_sb_file(int root, struct sandbox *sb, const char *rel);
/* rest beneath /proc/PID of leader t ("" for the directory): the PID
 * directory exists, and rest is current (fd/ and fdinfo/ list the open fds). */
int proc_tree_pid(int root, struct task *t, const char *rest);

#endif
