// SPDX-License-Identifier: Apache-2.0
/*
 * The two modes of a registration. A 32-byte one is legacy: the kernel
 * writes the ids after every schedule and before every signal handler, so
 * a program that overwrites cpu_id_start or cpu_id sees them right again
 * after a sleep, a migration (two CPUs or more) or in a handler, and
 * nothing else happens. These cases run on any kernel.
 *
 * A longer one (Linux 7.1: at least 33 bytes, 64-aligned) shows the time
 * slice extension in flags (SLICE_EXT_AVAILABLE, and ENABLED with
 * RSEQ_FLAG_SLICE_EXT_DEFAULT_ON), clears slice_ctrl, and makes the ids
 * read-only: the kernel writes them only when they change, and when the
 * program changed one, its next write (here after a migration) is SIGSEGV.
 * These cases need AT_RSEQ_FEATURE_SIZE >= 33 and skip natively on older
 * kernels, which say so on stderr.
 */
#include "rseq_abi.h"

#include <sys/mman.h>

#define PAGE 4096
#define JUNK 0x12345u

static int cpu_a = -1, cpu_b = -1;
static volatile uint32_t handler_saw;
static struct rseq_abi *handler_area;

static void on_usr1(int sig)
{
	(void)sig;
	handler_saw = RSEQ_READ(handler_area->cpu_id_start);
}

/* Overwrites the ids, as a program may in legacy mode. */
static void scribble(struct rseq_abi *rs)
{
	RSEQ_WRITE(rs->cpu_id_start, JUNK);
	RSEQ_WRITE(rs->cpu_id, JUNK);
}

static void check_cpu(const char *what, const struct rseq_abi *rs, int cpu)
{
	char w[128];

	snprintf(w, sizeof(w), "%s: cpu_id", what);
	check_ulong(w, (unsigned long)cpu, RSEQ_READ(rs->cpu_id));
	snprintf(w, sizeof(w), "%s: cpu_id_start", what);
	check_ulong(w, (unsigned long)cpu, RSEQ_READ(rs->cpu_id_start));
}

static void legacy(struct rseq_abi *rs)
{
	if (!CHECK_OK("legacy: register len 32", rseq_sys(rs, 32, 0, RSEQ_SIG)))
		return;
	scribble(rs);
	proc_sleep_ms(10);
	check_cpu("legacy: overwritten, after a sleep", rs, cpu_a);
	if (cpu_b >= 0) {
		scribble(rs);
		if (CHECK_OK("legacy: move to the second CPU", rseq_pin(0, cpu_b)))
			check_cpu("legacy: overwritten, after a migration", rs, cpu_b);
		scribble(rs);
		if (CHECK_OK("legacy: move back", rseq_pin(0, cpu_a)))
			check_cpu("legacy: overwritten, after migrating back", rs, cpu_a);
	}
	handler_area = rs;
	signal(SIGUSR1, on_usr1);
	RSEQ_WRITE(rs->cpu_id_start, JUNK);
	raise(SIGUSR1);
	check_ulong("legacy: cpu_id_start in a handler", (unsigned long)cpu_a, handler_saw);
	sig_default(SIGUSR1);
	CHECK_OK("legacy: unregister", rseq_sys(rs, 32, RSEQ_FLAG_UNREG, RSEQ_SIG));
}

/* Registers len bytes at page with flags; checks what the kernel wrote. */
static int v2_register(const char *what, char *page, uint32_t len, int flags,
		       uint32_t want_flags)
{
	struct rseq_abi *rs = (struct rseq_abi *)page;
	char w[128];

	memset(page, 0xaa, 64);
	snprintf(w, sizeof(w), "%s: register", what);
	if (!CHECK_OK(w, rseq_sys(rs, len, flags, RSEQ_SIG)))
		return 0;
	check_cpu(what, rs, cpu_a);
	snprintf(w, sizeof(w), "%s: rseq_cs", what);
	check_ulong(w, 0, RSEQ_READ(rs->rseq_cs));
	snprintf(w, sizeof(w), "%s: flags", what);
	check_ulong(w, want_flags, RSEQ_READ(rs->flags));
	snprintf(w, sizeof(w), "%s: node_id", what);
	check_ulong(w, 0, RSEQ_READ(rs->node_id));
	snprintf(w, sizeof(w), "%s: mm_cid", what);
	check_ulong(w, 0, RSEQ_READ(rs->mm_cid));
	snprintf(w, sizeof(w), "%s: slice_ctrl", what);
	if (len > 32)
		check_ulong(w, 0, RSEQ_READ(rs->slice_request) | RSEQ_READ(rs->slice_granted) |
			    RSEQ_READ(rs->slice_pad[0]) | RSEQ_READ(rs->slice_pad[1]));
	else
		check_ulong(w, 0xaa, RSEQ_READ(rs->slice_request));
	return 1;
}

static void v2_unregister(const char *what, char *page, uint32_t len)
{
	struct rseq_abi *rs = (struct rseq_abi *)page;
	char w[128];

	snprintf(w, sizeof(w), "%s: unregister", what);
	if (!CHECK_OK(w, rseq_sys(rs, len, RSEQ_FLAG_UNREG, RSEQ_SIG)))
		return;
	snprintf(w, sizeof(w), "%s: cpu_id after unregister", what);
	check_ulong(w, RSEQ_CPU_UNINIT, RSEQ_READ(rs->cpu_id));
	snprintf(w, sizeof(w), "%s: cpu_id_start after unregister", what);
	check_ulong(w, 0, RSEQ_READ(rs->cpu_id_start));
}

static void v2_lengths(char *page)
{
	const uint32_t avail = RSEQ_SLICE_EXT_AVAILABLE;

	if (v2_register("len 64", page, 64, 0, avail)) {
		CHECK_ERRNO("len 64: again", rseq_sys(page, 64, 0, RSEQ_SIG), EBUSY);
		CHECK_ERRNO("len 64: again with len 32", rseq_sys(page, 32, 0, RSEQ_SIG), EINVAL);
		CHECK_ERRNO("len 64: unregister with len 32",
			    rseq_sys(page, 32, RSEQ_FLAG_UNREG, RSEQ_SIG), EINVAL);
		v2_unregister("len 64", page, 64);
	}
	if (v2_register("len 64, DEFAULT_ON", page, 64, RSEQ_FLAG_SLICE_EXT_DEFAULT_ON,
			avail | RSEQ_SLICE_EXT_ENABLED))
		v2_unregister("len 64, DEFAULT_ON", page, 64);
	if (v2_register("len 33", page, 33, 0, avail))
		v2_unregister("len 33", page, 33);
	if (v2_register("len 32, DEFAULT_ON", page, 32, RSEQ_FLAG_SLICE_EXT_DEFAULT_ON, 0))
		v2_unregister("len 32, DEFAULT_ON", page, 32);
	CHECK_ERRNO("DEFAULT_ON | 4", rseq_sys(page, 64, RSEQ_FLAG_SLICE_EXT_DEFAULT_ON | 4,
					       RSEQ_SIG), EINVAL);
	CHECK_ERRNO("len 64 at +32", rseq_sys(page + 32, 64, 0, RSEQ_SIG), EINVAL);
	CHECK_ERRNO("len 33 at +32", rseq_sys(page + 32, 33, 0, RSEQ_SIG), EINVAL);
}

/*
 * In a child: registers len 64, overwrites the field at offset (unless
 * offset < 0), then migrates. With a changed field the kernel's write
 * after the move is SIGSEGV; without, the child exits 0.
 */
static void v2_enforced(const char *what, char *page, int offset)
{
	pid_t pid = proc_fork(what);

	if (pid == 0) {
		sig_no_core();
		if (!CHECK_OK("register len 64", rseq_sys(page, 64, 0, RSEQ_SIG)))
			proc_child_exit();
		if (offset >= 0)
			RSEQ_WRITE(*(uint32_t *)(page + offset), JUNK);
		rseq_pin(0, cpu_b);
		proc_sleep_ms(10);
		rseq_pin(0, cpu_a);
		_exit(offset >= 0 ? 3 : 0);
	}
	if (offset >= 0)
		sig_reap_killed(what, pid, SIGSEGV);
	else
		proc_reap(what, pid, PROC_EXITED(0));
}

static void v2(char *page)
{
	if (!rseq_v71()) {
		note("AT_RSEQ_FEATURE_SIZE %lu < 33: registrations longer than 32 bytes "
		     "skipped", getauxval(AT_RSEQ_FEATURE_SIZE));
		return;
	}
	v2_lengths(page);
	if (cpu_b < 0)
		return note("one CPU: read-only ids skipped (no migration)");
	v2_enforced("len 64, ids untouched, migrated", page, -1);
	v2_enforced("len 64, cpu_id overwritten, migrated", page,
		    offsetof(struct rseq_abi, cpu_id));
	v2_enforced("len 64, cpu_id_start overwritten, migrated", page,
		    offsetof(struct rseq_abi, cpu_id_start));
	v2_enforced("len 64, mm_cid overwritten, migrated", page,
		    offsetof(struct rseq_abi, mm_cid));
}

int main(void)
{
	cpu_set_t all;
	char *page;

	proc_default_signals();
	if (!CHECK_OK("sched_getaffinity", sched_getaffinity(0, sizeof(all), &all)) ||
	    !rseq_drop_glibc("unregister glibc's area"))
		return check_exit("rseq_v2");
	cpu_a = rseq_nth_cpu(&all, 0);
	cpu_b = rseq_nth_cpu(&all, 1);
	if (!CHECK_OK("pin to the first CPU", rseq_pin(0, cpu_a)))
		return check_exit("rseq_v2");
	page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return fail("mmap: errno %s", err_name(errno)), check_exit("rseq_v2");
	if (cpu_b < 0)
		note("one CPU: legacy migrations skipped");
	legacy((struct rseq_abi *)page);
	printf("rseq_v2: legacy ids are rewritten, never fatal\n");
	v2(page);
	printf("rseq_v2: longer registrations\n");
	proc_finish();
	return check_exit("rseq_v2");
}
