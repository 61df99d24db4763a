/* The rules of rseq on guest memory (rseq.h), as Linux 7.1's
 * kernel/rseq.c and include/linux/rseq_entry.h apply them, with the
 * checks of its debug mode on a critical section's descriptor: a bad one
 * is fatal, as it was on every kernel before 6.19. */
#include <errno.h>
#include <string.h>

#include "sentry/rseq/rseq.h"

struct rseq_cs {
	uint32_t version, flags;
	uint64_t start_ip, post_commit_offset, abort_ip;
};

static int get32(const struct rseq_mem *m, uint64_t addr, uint32_t *v)
{
	return m->read(m->ctx, v, addr, sizeof *v);
}

static int put32(const struct rseq_mem *m, uint64_t addr, uint32_t v)
{
	return m->write(m->ctx, addr, &v, sizeof v);
}

static int put64(const struct rseq_mem *m, uint64_t addr, uint64_t v)
{
	return m->write(m->ctx, addr, &v, sizeof v);
}

/* The descriptor's own checks once ip is inside it: -EINVAL when bad. */
static int cs_valid(const struct rseq_mem *m, const struct rseq_cs *cs, uint32_t sig,
		    uint64_t task_size)
{
	uint32_t usig;
	int err;

	if (cs->abort_ip >= task_size || cs->abort_ip < sizeof usig)
		return -EINVAL;
	if (cs->abort_ip - cs->start_ip < cs->post_commit_offset)
		return -EINVAL; /* abort_ip inside the section */
	if (cs->version || cs->flags)
		return -EINVAL;
	if ((err = get32(m, cs->abort_ip - sizeof usig, &usig)))
		return err;
	return usig == sig ? 0 : -EINVAL;
}

int rseq_rule_cs(const struct rseq_mem *m, uint64_t area, uint32_t sig, uint64_t task_size,
		 uint64_t *ip)
{
	struct rseq_cs cs;
	uint64_t csaddr, end;
	int err;

	if ((err = m->read(m->ctx, &csaddr, area + RSEQ_OFF_CS, sizeof csaddr)))
		return err;
	if (!csaddr)
		return 0;
	if (csaddr >= task_size)
		return -EINVAL;
	if ((err = m->read(m->ctx, &cs, csaddr, sizeof cs)))
		return err;
	if (cs.start_ip >= task_size)
		return -EINVAL;
	end = cs.start_ip + cs.post_commit_offset;
	if (*ip >= cs.start_ip && (end >= task_size || end < cs.start_ip))
		return -EINVAL; /* wraps, or ends past user space */
	if (*ip >= cs.start_ip && *ip < end) {
		if ((err = cs_valid(m, &cs, sig, task_size)))
			return err;
		if ((err = put64(m, area + RSEQ_OFF_CS, 0)))
			return err;
		*ip = cs.abort_ip;
		return 0;
	}
	return put64(m, area + RSEQ_OFF_CS, 0);
}

/* V2: the guest must not have written the ids (rseq_set_ids_get_csaddr). */
static int ids_untouched(const struct rseq_mem *m, uint64_t area, const struct rseq_ids *last)
{
	uint32_t start, cpu, node, cid;
	int err;

	if ((err = get32(m, area + RSEQ_OFF_CPU_ID_START, &start)) ||
	    (err = get32(m, area + RSEQ_OFF_CPU_ID, &cpu)) ||
	    (err = get32(m, area + RSEQ_OFF_NODE_ID, &node)) ||
	    (err = get32(m, area + RSEQ_OFF_MM_CID, &cid)))
		return err;
	if (start != last->cpu_id || cpu != start || node != last->node_id || cid != last->mm_cid)
		return -EINVAL;
	return 0;
}

int rseq_rule_ids(const struct rseq_mem *m, uint64_t area, bool v2, struct rseq_ids *last,
		  const struct rseq_ids *now)
{
	int err;

	if (v2 && (err = ids_untouched(m, area, last)))
		return err;
	if ((err = put32(m, area + RSEQ_OFF_CPU_ID_START, now->cpu_id)) ||
	    (err = put32(m, area + RSEQ_OFF_CPU_ID, now->cpu_id)) ||
	    (err = put32(m, area + RSEQ_OFF_NODE_ID, now->node_id)) ||
	    (err = put32(m, area + RSEQ_OFF_MM_CID, now->mm_cid)))
		return err;
	if (v2 && (err = rseq_rule_slice_clear(m, area)))
		return err;
	*last = *now;
	return 0;
}

int rseq_rule_length(uint64_t area, uint32_t len)
{
	if (len < RSEQ_ORIG_SIZE)
		return -EINVAL;
	if (len == RSEQ_ORIG_SIZE)
		return area % RSEQ_ORIG_SIZE ? -EINVAL : 0;
	return area % RSEQ_ALIGN || len < RSEQ_FEATURE_SIZE ? -EINVAL : 0;
}

int rseq_rule_init_area(const struct rseq_mem *m, uint64_t area, bool v2, uint32_t flags)
{
	int err;

	if ((err = put64(m, area + RSEQ_OFF_CS, 0)) ||
	    (err = put32(m, area + RSEQ_OFF_FLAGS, flags)) ||
	    (err = put32(m, area + RSEQ_OFF_CPU_ID_START, RSEQ_CPU_ID_UNINITIALIZED)) ||
	    (err = put32(m, area + RSEQ_OFF_CPU_ID, RSEQ_CPU_ID_UNINITIALIZED)) ||
	    (err = put32(m, area + RSEQ_OFF_NODE_ID, 0)) ||
	    (err = put32(m, area + RSEQ_OFF_MM_CID, 0)))
		return err;
	return v2 ? rseq_rule_slice_clear(m, area) : 0;
}

int rseq_rule_reset_ids(const struct rseq_mem *m, uint64_t area)
{
	int err;

	if ((err = put32(m, area + RSEQ_OFF_CPU_ID_START, 0)) ||
	    (err = put32(m, area + RSEQ_OFF_CPU_ID, RSEQ_CPU_ID_UNINITIALIZED)) ||
	    (err = put32(m, area + RSEQ_OFF_NODE_ID, 0)))
		return err;
	return put32(m, area + RSEQ_OFF_MM_CID, 0);
}

int rseq_rule_grant(const struct rseq_mem *m, uint64_t area)
{
	uint32_t ctrl;
	int err;

	if ((err = get32(m, area + RSEQ_OFF_SLICE_CTRL, &ctrl)))
		return err;
	if (!(ctrl & 0xff))
		return 0; /* no request */
	ctrl = (ctrl & ~0xffffu) | RSEQ_SLICE_GRANTED;
	return (err = put32(m, area + RSEQ_OFF_SLICE_CTRL, ctrl)) ? err : 1;
}

int rseq_rule_slice_clear(const struct rseq_mem *m, uint64_t area)
{
	return put32(m, area + RSEQ_OFF_SLICE_CTRL, 0);
}
