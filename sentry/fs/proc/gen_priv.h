/* What the procfs generators share among their files. Generators of
 * /proc/PID run with the sandbox's lock held (procfs.c with_task), so they
 * may walk sb->tasks but must not take sb->lock; those of /proc itself run
 * without it. */
#ifndef UMBRA_SENTRY_GEN_PRIV_H
#define UMBRA_SENTRY_GEN_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "sentry/fs/proc/proc_gen.h"

struct mount;
struct mm_snapshot;
struct vma;

/* /proc/PID files of their own source files. */
int proc_gen_status(struct task *t, struct strbuf *b);
int proc_gen_stat(struct task *t, struct strbuf *b);
int proc_gen_statm(struct task *t, struct strbuf *b);
int proc_gen_maps(struct task *t, struct strbuf *b);
int proc_gen_smaps(struct task *t, struct strbuf *b);
int proc_gen_mounts(struct task *t, struct strbuf *b);
int proc_gen_mountinfo(struct task *t, struct strbuf *b);
/* /proc/cpuinfo, /proc/stat and /proc/filesystems. */
int proc_gen_cpuinfo(struct sandbox *sb, struct strbuf *b);
int proc_gen_kstat(struct sandbox *sb, struct strbuf *b);
int proc_gen_filesystems(struct sandbox *sb, struct strbuf *b);

/* An address space's sizes in pages, as fs/proc/task_mmu.c task_mem counts
 * them (total_vm, data_vm, stack_vm, exec_vm) and, in bytes, VmExe and
 * VmLib. umbra backs every mapped page, so the resident counts are the
 * mapped ones: file is what files back, anon the private rest, shmem
 * MAP_SHARED anonymous memory. */
struct proc_vm {
	uint64_t total, data, stack, exec, file, anon, shmem;
	uint64_t text_bytes, lib_bytes;
};
void proc_vm_count(const struct mm_snapshot *s, struct proc_vm *vm);
/* The [stack] area: the one holding the initial stack pointer. */
bool proc_is_stack(const struct mm_snapshot *s, const struct vma *v);

/* The sandbox's tasks: live ones, those that run (each live task that
 * can hold a vCPU) and the last pid handed out (also the count of
 * processes made, as pids are not reused). Takes the sandbox's lock. */
struct proc_counts {
	int live, running, last_pid;
};
void proc_task_counts(struct sandbox *sb, struct proc_counts *c);

/* A mount's number in mountinfo and fdinfo; m may be NULL or outside the
 * table (a file the sandbox was given). */
int proc_mount_id(const struct sandbox *sb, const struct mount *m);

/* Appends the whole of a host file (the host's own /proc/cpuinfo ...). */
int proc_read_host(const char *path, struct strbuf *b);

#endif
