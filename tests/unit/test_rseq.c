/* rseq's rules (sentry/rseq/rules.c) and the slice extension's states
 * (slice.c) against a fake guest memory: the abort of a critical section
 * and each reason it is fatal, the ids in both modes with V2's read-only
 * check, what registration and unregistration write, the length rules,
 * and grants through preemption, yield, other syscalls and switches. */
#include <check.h>

#include "tests/unit/unit.h"
#include <errno.h>
#include <string.h>

#include "sentry/rseq/rseq.h"

#define BASE 0x10000ull
#define SIZE 0x4000ull
#define HOLE 0x13000ull /* a page the fake memory cannot reach */
#define TASK_SIZE 0x7ffffffff000ull
#define SIG 0x53053053u
#define AREA (BASE + 0x40)
#define CS (BASE + 0x100)
#define TEXT (BASE + 0x1000)

static uint8_t mem[SIZE];
static int writes;

static bool reachable(uint64_t addr, size_t len)
{
	return addr >= BASE && addr + len <= BASE + SIZE && addr + len > addr &&
	       (addr + len <= HOLE || addr >= HOLE + 0x1000);
}

static int fake_read(void *ctx, void *dst, uint64_t addr, size_t len)
{
	(void)ctx;
	if (!reachable(addr, len))
		return -EFAULT;
	memcpy(dst, mem + (addr - BASE), len);
	return 0;
}

static int fake_write(void *ctx, uint64_t addr, const void *src, size_t len)
{
	(void)ctx;
	if (!reachable(addr, len))
		return -EFAULT;
	memcpy(mem + (addr - BASE), src, len);
	writes++;
	return 0;
}

static const struct rseq_mem m = { NULL, fake_read, fake_write };

static uint32_t get32(uint64_t addr)
{
	uint32_t v;

	memcpy(&v, mem + (addr - BASE), sizeof v);
	return v;
}

static uint64_t get64(uint64_t addr)
{
	uint64_t v;

	memcpy(&v, mem + (addr - BASE), sizeof v);
	return v;
}

static void put32(uint64_t addr, uint32_t v)
{
	memcpy(mem + (addr - BASE), &v, sizeof v);
}

static void put64(uint64_t addr, uint64_t v)
{
	memcpy(mem + (addr - BASE), &v, sizeof v);
}

/* A section [TEXT+0x10, TEXT+0x30) aborting to TEXT+0x40, signed. */
static void setup(void)
{
	memset(mem, 0, sizeof mem);
	writes = 0;
	put64(CS + 8, TEXT + 0x10);
	put64(CS + 16, 0x20);
	put64(CS + 24, TEXT + 0x40);
	put32(TEXT + 0x3c, SIG);
	put64(AREA + RSEQ_OFF_CS, CS);
}

START_TEST(cs_inside_aborts)
{
	uint64_t ip = TEXT + 0x2f;

	ck_assert_int_eq(rseq_rule_cs(&m, AREA, SIG, TASK_SIZE, &ip), 0);
	ck_assert_uint_eq(ip, TEXT + 0x40);
	ck_assert_uint_eq(get64(AREA + RSEQ_OFF_CS), 0);
}
END_TEST

START_TEST(cs_outside_clears)
{
	uint64_t starts[] = { TEXT + 0x30, TEXT + 0xf, TEXT + 0x40 };

	for (size_t i = 0; i < sizeof starts / sizeof *starts; i++) {
		uint64_t ip = starts[i];

		put64(AREA + RSEQ_OFF_CS, CS);
		ck_assert_int_eq(rseq_rule_cs(&m, AREA, SIG, TASK_SIZE, &ip), 0);
		ck_assert_uint_eq(ip, starts[i]);
		ck_assert_uint_eq(get64(AREA + RSEQ_OFF_CS), 0);
	}
}
END_TEST

START_TEST(cs_none_writes_nothing)
{
	uint64_t ip = TEXT + 0x20;

	put64(AREA + RSEQ_OFF_CS, 0);
	ck_assert_int_eq(rseq_rule_cs(&m, AREA, SIG, TASK_SIZE, &ip), 0);
	ck_assert_uint_eq(ip, TEXT + 0x20);
	ck_assert_int_eq(writes, 0);
}
END_TEST

/* Each broken descriptor is fatal when the task is inside it, and leaves
 * both the IP and rseq_cs alone. */
static void expect_fatal(int err)
{
	uint64_t ip = TEXT + 0x20;

	ck_assert_int_eq(rseq_rule_cs(&m, AREA, SIG, TASK_SIZE, &ip), err);
	ck_assert_uint_eq(ip, TEXT + 0x20);
	ck_assert_int_eq(writes, 0);
}

START_TEST(cs_wrong_signature)
{
	put32(TEXT + 0x3c, SIG + 1);
	expect_fatal(-EINVAL);
}
END_TEST

START_TEST(cs_pointer_past_user_space)
{
	put64(AREA + RSEQ_OFF_CS, TASK_SIZE);
	expect_fatal(-EINVAL);
}
END_TEST

START_TEST(cs_descriptor_unreadable)
{
	put64(AREA + RSEQ_OFF_CS, HOLE + 0x20);
	expect_fatal(-EFAULT);
}
END_TEST

START_TEST(cs_signature_unreadable)
{
	put64(CS + 24, HOLE + 2);
	expect_fatal(-EFAULT);
}
END_TEST

START_TEST(cs_abort_inside_section)
{
	put64(CS + 24, TEXT + 0x18);
	put32(TEXT + 0x14, SIG);
	expect_fatal(-EINVAL);
}
END_TEST

START_TEST(cs_version_or_flags)
{
	put32(CS, 1);
	expect_fatal(-EINVAL);
	put32(CS, 0);
	put32(CS + 4, 1);
	expect_fatal(-EINVAL);
}
END_TEST

START_TEST(cs_wraps)
{
	put64(CS + 16, ~0ull - 8);
	expect_fatal(-EINVAL);
}
END_TEST

START_TEST(cs_abort_ip_low)
{
	put64(CS + 8, 0);
	put64(CS + 16, TEXT + 0x30);
	put64(CS + 24, 2);
	expect_fatal(-EINVAL);
}
END_TEST

START_TEST(ids_legacy_overwrites)
{
	struct rseq_ids last = { 1, 0, 1 }, now = { 0, 0, 3 };

	put32(AREA + RSEQ_OFF_CPU_ID, 77); /* the guest's: legacy does not mind */
	put32(AREA + RSEQ_OFF_SLICE_CTRL, 0x1);
	ck_assert_int_eq(rseq_rule_ids(&m, AREA, false, &last, &now), 0);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_CPU_ID_START), 0);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_CPU_ID), 0);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_MM_CID), 3);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_SLICE_CTRL), 0x1); /* past a legacy area */
	ck_assert_uint_eq(last.mm_cid, 3);
}
END_TEST

START_TEST(ids_v2_checks_and_clears_slice)
{
	struct rseq_ids last = { 1, 0, 2 }, now = { 0, 0, 0 };

	put32(AREA + RSEQ_OFF_CPU_ID_START, 1);
	put32(AREA + RSEQ_OFF_CPU_ID, 1);
	put32(AREA + RSEQ_OFF_MM_CID, 2);
	put32(AREA + RSEQ_OFF_SLICE_CTRL, 0x100);
	ck_assert_int_eq(rseq_rule_ids(&m, AREA, true, &last, &now), 0);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_CPU_ID), 0);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_SLICE_CTRL), 0);
	ck_assert_uint_eq(last.cpu_id, 0);
}
END_TEST

START_TEST(ids_v2_guest_wrote_them)
{
	static const uint32_t fields[] = { RSEQ_OFF_CPU_ID_START, RSEQ_OFF_CPU_ID,
					   RSEQ_OFF_NODE_ID, RSEQ_OFF_MM_CID };

	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		struct rseq_ids last = { 1, 0, 0 }, now = { 0, 0, 0 };

		setup();
		put32(AREA + RSEQ_OFF_CPU_ID_START, 1);
		put32(AREA + RSEQ_OFF_CPU_ID, 1);
		put32(AREA + fields[i], get32(AREA + fields[i]) + 5);
		ck_assert_int_eq(rseq_rule_ids(&m, AREA, true, &last, &now), -EINVAL);
		ck_assert_int_eq(writes, 0);
		ck_assert_uint_eq(last.cpu_id, 1);
	}
}
END_TEST

START_TEST(ids_unwritable)
{
	struct rseq_ids last = { 0, 0, 0 }, now = { 1, 0, 0 };

	ck_assert_int_eq(rseq_rule_ids(&m, HOLE, false, &last, &now), -EFAULT);
}
END_TEST

START_TEST(length_rules)
{
	static const struct {
		uint64_t area;
		uint32_t len;
		int err;
	} cases[] = {
		{ 0x1000, 31, -EINVAL }, { 0x1000, 0, -EINVAL }, { 0x1000, 32, 0 },
		{ 0x1020, 32, 0 },       { 0x1010, 32, -EINVAL }, { 0x1000, 33, 0 },
		{ 0x1020, 33, -EINVAL }, { 0x1040, 64, 0 },       { 0x1000, 4096, 0 },
		{ 0x1000, 1, -EINVAL },  { 0, 0, -EINVAL },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		ck_assert_msg(rseq_rule_length(cases[i].area, cases[i].len) == cases[i].err,
			      "case %zu", i);
}
END_TEST

START_TEST(register_and_unregister_write)
{
	memset(mem + (AREA - BASE), 0xaa, 64);
	ck_assert_int_eq(rseq_rule_init_area(&m, AREA, true, RSEQ_CS_FLAG_SLICE_EXT_AVAILABLE), 0);
	ck_assert_uint_eq(get64(AREA + RSEQ_OFF_CS), 0);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_CPU_ID_START), RSEQ_CPU_ID_UNINITIALIZED);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_CPU_ID), RSEQ_CPU_ID_UNINITIALIZED);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_FLAGS), RSEQ_CS_FLAG_SLICE_EXT_AVAILABLE);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_NODE_ID), 0);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_MM_CID), 0);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_SLICE_CTRL), 0);
	ck_assert_uint_eq(mem[AREA - BASE + 32], 0xaa); /* the reserved byte stays */
	memset(mem + (AREA - BASE), 0xaa, 64);
	ck_assert_int_eq(rseq_rule_init_area(&m, AREA, false, 0), 0);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_SLICE_CTRL), 0xaaaaaaaau); /* legacy */
	memset(mem + (AREA - BASE), 0xaa, 64);
	ck_assert_int_eq(rseq_rule_reset_ids(&m, AREA), 0);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_CPU_ID_START), 0);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_CPU_ID), RSEQ_CPU_ID_UNINITIALIZED);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_NODE_ID), 0);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_MM_CID), 0);
	ck_assert_uint_eq(get64(AREA + RSEQ_OFF_CS), 0xaaaaaaaaaaaaaaaaull);
	ck_assert_int_eq(rseq_rule_init_area(&m, HOLE, false, 0), -EFAULT);
}
END_TEST

static struct task_rseq slice_task(void)
{
	struct task_rseq r = { .area = AREA, .len = 64, .sig = SIG, .v2 = true };

	r.slice_enabled = true;
	return r;
}

START_TEST(slice_grant_then_yield)
{
	struct task_rseq r = slice_task();
	struct rseq_stats st = { 0 };

	put32(AREA + RSEQ_OFF_SLICE_CTRL, 0xbeef0001u);
	ck_assert_int_eq(rseq_slice_on_resched(&r, &m, false, &st), 1);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_SLICE_CTRL), 0xbeef0100u);
	ck_assert(r.slice_granted);
	ck_assert_int_eq(rseq_slice_on_syscall(&r, &m, true, &st), 1);
	ck_assert(r.slice_yielded && !r.slice_granted);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_SLICE_CTRL), 0);
	ck_assert_uint_eq(st.grants, 1);
	ck_assert_uint_eq(st.yields, 1);
	ck_assert_uint_eq(st.aborts + st.revocations + st.expiries, 0);
	/* no grant now: a syscall changes nothing */
	ck_assert_int_eq(rseq_slice_on_syscall(&r, &m, true, &st), 0);
	ck_assert_uint_eq(st.yields, 1);
}
END_TEST

START_TEST(slice_other_syscall_ends_grant)
{
	struct task_rseq r = slice_task();
	struct rseq_stats st = { 0 };

	put32(AREA + RSEQ_OFF_SLICE_CTRL, 1);
	ck_assert_int_eq(rseq_slice_on_resched(&r, &m, false, &st), 1);
	ck_assert_int_eq(rseq_slice_on_syscall(&r, &m, false, &st), 1);
	ck_assert(!r.slice_yielded && !r.slice_granted);
	ck_assert_uint_eq(st.aborts, 1);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_SLICE_CTRL), 0);
}
END_TEST

START_TEST(slice_second_preemption_revokes)
{
	struct task_rseq r = slice_task();
	struct rseq_stats st = { 0 };

	put32(AREA + RSEQ_OFF_SLICE_CTRL, 1);
	ck_assert_int_eq(rseq_slice_on_resched(&r, &m, false, &st), 1);
	put32(AREA + RSEQ_OFF_SLICE_CTRL, 0x101); /* asks again while granted */
	ck_assert_int_eq(rseq_slice_on_resched(&r, &m, false, &st), 0);
	ck_assert(!r.slice_granted);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_SLICE_CTRL), 0);
	ck_assert_uint_eq(st.revocations, 1);
	ck_assert_uint_eq(st.grants, 1);
}
END_TEST

START_TEST(slice_no_grant)
{
	struct task_rseq r = slice_task();
	struct rseq_stats st = { 0 };

	ck_assert_int_eq(rseq_slice_on_resched(&r, &m, false, &st), 0); /* no request */
	ck_assert_int_eq(writes, 0);
	put32(AREA + RSEQ_OFF_SLICE_CTRL, 1);
	ck_assert_int_eq(rseq_slice_on_resched(&r, &m, true, &st), 0); /* a signal waits */
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_SLICE_CTRL), 0);
	put32(AREA + RSEQ_OFF_SLICE_CTRL, 1);
	r.slice_enabled = false;
	ck_assert_int_eq(rseq_slice_on_resched(&r, &m, false, &st), 0);
	ck_assert_uint_eq(get32(AREA + RSEQ_OFF_SLICE_CTRL), 1);
	ck_assert_uint_eq(st.grants, 0);
	r = slice_task();
	r.area = HOLE;
	ck_assert_int_eq(rseq_slice_on_resched(&r, &m, false, &st), -EFAULT);
}
END_TEST

START_TEST(slice_switch_revokes)
{
	struct task_rseq r = slice_task();
	struct rseq_stats st = { 0 };

	put32(AREA + RSEQ_OFF_SLICE_CTRL, 1);
	ck_assert_int_eq(rseq_slice_on_resched(&r, &m, false, &st), 1);
	rseq_slice_on_switch(&r, &st);
	ck_assert(!r.slice_granted);
	ck_assert_uint_eq(st.revocations, 1);
	rseq_slice_on_switch(&r, &st);
	ck_assert_uint_eq(st.revocations, 1);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("rseq");
	TCase *cs = tcase_create("critical sections");
	TCase *ids = tcase_create("ids and registration");
	TCase *slice = tcase_create("slice extension");

	tcase_add_checked_fixture(cs, setup, NULL);
	tcase_add_test(cs, cs_inside_aborts);
	tcase_add_test(cs, cs_outside_clears);
	tcase_add_test(cs, cs_none_writes_nothing);
	tcase_add_test(cs, cs_wrong_signature);
	tcase_add_test(cs, cs_pointer_past_user_space);
	tcase_add_test(cs, cs_descriptor_unreadable);
	tcase_add_test(cs, cs_signature_unreadable);
	tcase_add_test(cs, cs_abort_inside_section);
	tcase_add_test(cs, cs_version_or_flags);
	tcase_add_test(cs, cs_wraps);
	tcase_add_test(cs, cs_abort_ip_low);
	suite_add_tcase(s, cs);
	tcase_add_checked_fixture(ids, setup, NULL);
	tcase_add_test(ids, ids_legacy_overwrites);
	tcase_add_test(ids, ids_v2_checks_and_clears_slice);
	tcase_add_test(ids, ids_v2_guest_wrote_them);
	tcase_add_test(ids, ids_unwritable);
	tcase_add_test(ids, length_rules);
	tcase_add_test(ids, register_and_unregister_write);
	suite_add_tcase(s, ids);
	tcase_add_checked_fixture(slice, setup, NULL);
	tcase_add_test(slice, slice_grant_then_yield);
	tcase_add_test(slice, slice_other_syscall_ends_grant);
	tcase_add_test(slice, slice_second_preemption_revokes);
	tcase_add_test(slice, slice_no_grant);
	tcase_add_test(slice, slice_switch_revokes);
	suite_add_tcase(s, slice);
	return s;
}
