/* rseq as umbra's kernel has it: Linux 7.1's struct rseq (slice_ctrl at 28,
 * a reserved byte at 32, so the feature size is 33), the two modes of a
 * registration (legacy for 32 bytes, V2 for more), critical-section aborts
 * and time-slice extension grants. rules.c holds the rules on guest memory
 * (through struct rseq_mem, so that unit tests give a fake memory);
 * rseq.c applies them to tasks. */
#ifndef UMBRA_SENTRY_RSEQ_H
#define UMBRA_SENTRY_RSEQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RSEQ_FEATURE_SIZE 33
#define RSEQ_ALIGN 64
#define RSEQ_ORIG_SIZE 32 /* the first struct rseq, padding included */

/* struct rseq's fields (include/uapi/linux/rseq.h). */
#define RSEQ_OFF_CPU_ID_START 0
#define RSEQ_OFF_CPU_ID 4
#define RSEQ_OFF_CS 8
#define RSEQ_OFF_FLAGS 16
#define RSEQ_OFF_NODE_ID 20
#define RSEQ_OFF_MM_CID 24
#define RSEQ_OFF_SLICE_CTRL 28 /* byte 28: request; byte 29: granted */
#define RSEQ_CPU_ID_UNINITIALIZED 0xffffffffu

#define RSEQ_FLAG_UNREGISTER 1
#define RSEQ_FLAG_SLICE_EXT_DEFAULT_ON 2
#define RSEQ_CS_FLAG_SLICE_EXT_AVAILABLE (1u << 4)
#define RSEQ_CS_FLAG_SLICE_EXT_ENABLED (1u << 5)
#define RSEQ_SLICE_REQUEST 0x1u   /* slice_ctrl as a little-endian u32 */
#define RSEQ_SLICE_GRANTED 0x100u

/* The slice extension's grant: 5 us unless the sandbox says otherwise,
 * within the kernel's bounds. */
#define RSEQ_SLICE_NS_MIN 5000
#define RSEQ_SLICE_NS_MAX 50000

/* Guest memory as the rules see it: 0 or -EFAULT. */
struct rseq_mem {
	void *ctx;
	int (*read)(void *ctx, void *dst, uint64_t addr, size_t len);
	int (*write)(void *ctx, uint64_t addr, const void *src, size_t len);
};

struct rseq_ids {
	uint32_t cpu_id, node_id, mm_cid;
};

/* A task's registration (t->rseq). area 0: none. */
struct task_rseq {
	uint64_t area;
	uint32_t len, sig;
	bool v2;                /* len > 32: ids written only when they change */
	struct rseq_ids ids;    /* what the kernel last wrote (V2 checks them) */
	bool force_ids;         /* write the ids before the task runs again */
	bool user_irq;          /* its last stop came from guest code */
	bool slice_enabled;     /* PR_RSEQ_SLICE_EXTENSION */
	bool slice_granted;
	bool slice_yielded;     /* what rseq_slice_yield returns next */
};

/* Per-sandbox counts of slice extension events (--stats). */
struct rseq_stats {
	_Atomic uint64_t grants, yields, expiries, revocations, aborts;
};

/* The rules (rules.c), each -EFAULT for memory it cannot reach and -EINVAL
 * for what makes Linux send SIGSEGV. */

/* At preemption, migration or signal delivery: a critical section the
 * task is in is aborted (*ip moves to its abort_ip, whose preceding four
 * bytes must be sig) and rseq_cs is cleared either way. */
int rseq_rule_cs(const struct rseq_mem *m, uint64_t area, uint32_t sig, uint64_t task_size,
		 uint64_t *ip);
/* Writes now as the task's ids; in V2 mode the fields must still hold what
 * was last written (*last), and slice_ctrl is cleared. */
int rseq_rule_ids(const struct rseq_mem *m, uint64_t area, bool v2, struct rseq_ids *last,
		  const struct rseq_ids *now);
/* A new registration's length and alignment (rseq_length_valid). */
int rseq_rule_length(uint64_t area, uint32_t len);
/* What registration writes: rseq_cs and the ids cleared, flags. */
int rseq_rule_init_area(const struct rseq_mem *m, uint64_t area, bool v2, uint32_t flags);
/* Unregistration: cpu_id_start 0, cpu_id uninitialized, node and cid 0. */
int rseq_rule_reset_ids(const struct rseq_mem *m, uint64_t area);
/* The slice extension at a preemption: 1 granted (request -> granted),
 * 0 not requested, -errno. */
int rseq_rule_grant(const struct rseq_mem *m, uint64_t area);
int rseq_rule_slice_clear(const struct rseq_mem *m, uint64_t area);

/* The slice extension's state machine (slice.c), counted in st. */

/* The sentry stopped the task for a waiter: 1 when it runs on with a grant
 * (it asked for one), 0 when it goes (a grant it had is over), -EFAULT. */
int rseq_slice_on_resched(struct task_rseq *r, const struct rseq_mem *m, bool work_pending,
			  struct rseq_stats *st);
/* The task made a syscall (yield: rseq_slice_yield): 1 when that ended a
 * grant, so the task must give its vCPU up, 0 when it had none, -EFAULT. */
int rseq_slice_on_syscall(struct task_rseq *r, const struct rseq_mem *m, bool yield,
			  struct rseq_stats *st);
/* The task was switched out: a grant is revoked. */
void rseq_slice_on_switch(struct task_rseq *r, struct rseq_stats *st);

#endif
