// SPDX-License-Identifier: Apache-2.0
/*
 * rseq(2) registration (kernel/rseq.c sys_rseq): every error in the order
 * the kernel checks, what a registration and an unregistration write into
 * the area, EFAULT for areas the kernel cannot write, and the lifetime of a
 * registration: a fork keeps it, a CLONE_VM child starts without one, an
 * execve drops it. The test first unregisters glibc's own area of the main
 * thread, and pins itself to one CPU so that cpu_id has one right value.
 *
 * The length rules for a length other than 32 are Linux 7.1's (an area of
 * at least 33 bytes, 64-aligned); a kernel with a smaller
 * AT_RSEQ_FEATURE_SIZE (6.18 has 28) takes other lengths, so those cases
 * are skipped there, and said so on stderr. node_id and mm_cid are checked
 * where the feature size covers them (Linux 6.3 on); older kernels, which
 * have none (0), must leave them alone. Under umbra every case runs, and
 * the feature size must be 7.1's.
 *
 * Usage: rseq_register [exec-child]   (exec-child: the image an execve
 * started, which checks that the registration is gone)
 */
#include "rseq_abi.h"

#include <sys/mman.h>

#define PAGE 4096
/* Where the exec case registers an area, in the old image and the new. */
#define EXEC_AREA ((void *)0x3f0000000UL)

static int cpu = -1;
static unsigned int node;

/* rseq() must fail with err. */
static void expect_err(const char *what, void *area, uint32_t len, int flags,
		       uint32_t sig, int err)
{
	CHECK_ERRNO(what, rseq_sys(area, len, flags, sig), err);
}

static void errors_unregistered(char *page)
{
	expect_err("unregister with another flag", page, 32, RSEQ_FLAG_UNREG | 4, RSEQ_SIG,
		   EINVAL);
	expect_err("unregister, nothing registered", page, 32, RSEQ_FLAG_UNREG, RSEQ_SIG,
		   EINVAL);
	expect_err("flags 4", page, 32, 4, RSEQ_SIG, EINVAL);
	expect_err("flags 1 << 31", page, 32, (int)(1u << 31), RSEQ_SIG, EINVAL);
	expect_err("rseq(NULL, 0, 0, 0)", NULL, 0, 0, 0, EINVAL);
	expect_err("len 0", page, 0, 0, RSEQ_SIG, EINVAL);
	expect_err("len 31", page, 31, 0, RSEQ_SIG, EINVAL);
	expect_err("len 32 at +16", page + 16, 32, 0, RSEQ_SIG, EINVAL);
	expect_err("len 32 at +1", page + 1, 32, 0, RSEQ_SIG, EINVAL);
	if (!rseq_v71()) {
		note("AT_RSEQ_FEATURE_SIZE %lu < 33: length 33 and 64 at a 32-aligned address "
		     "skipped", getauxval(AT_RSEQ_FEATURE_SIZE));
		return;
	}
	expect_err("len 33 at +32", page + 32, 33, 0, RSEQ_SIG, EINVAL);
	expect_err("len 64 at +32", page + 32, 64, 0, RSEQ_SIG, EINVAL);
	expect_err("len 33 at +96", page + 96, 33, 0, RSEQ_SIG, EINVAL);
}

/* The ids right after a registration on the CPU the test is pinned to. */
static void check_ids(const char *what, const struct rseq_abi *rs)
{
	char w[96];

	snprintf(w, sizeof(w), "%s: cpu_id_start", what);
	check_ulong(w, (unsigned long)cpu, RSEQ_READ(rs->cpu_id_start));
	snprintf(w, sizeof(w), "%s: cpu_id", what);
	check_ulong(w, (unsigned long)cpu, RSEQ_READ(rs->cpu_id));
	if (RSEQ_HAS(node_id)) {
		snprintf(w, sizeof(w), "%s: node_id", what);
		check_ulong(w, node, RSEQ_READ(rs->node_id));
	}
	if (RSEQ_HAS(mm_cid)) {
		snprintf(w, sizeof(w), "%s: mm_cid (one thread)", what);
		check_ulong(w, 0, RSEQ_READ(rs->mm_cid));
	}
}

/* Bytes [from, to) of page still hold 0xaa. */
static void check_untouched(const char *what, const char *page, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		if ((unsigned char)page[i] != 0xaa) {
			fail("%s: byte %zu: expected 0xaa got %#x", what, i,
			     (unsigned char)page[i]);
			return;
		}
	}
}

static int register_area(char *page)
{
	struct rseq_abi *rs = (struct rseq_abi *)page;

	memset(page, 0xaa, 128);
	if (!CHECK_OK("register len 32", rseq_sys(rs, 32, 0, RSEQ_SIG)))
		return 0;
	check_ids("after register", rs);
	check_ulong("after register: rseq_cs", 0, RSEQ_READ(rs->rseq_cs));
	if (rseq_v71())
		check_ulong("after register: flags (len 32)", 0, RSEQ_READ(rs->flags));
	else
		note("flags after register: %#x (Linux 7.1 writes 0)", rs->flags);
	RSEQ_WRITE(rs->flags, 0);
	check_untouched("after register: slice_ctrl (len 32)", page, 28, 32);
	check_untouched("after register: past the area", page, 32, 128);
	return 1;
}

static void errors_registered(char *page)
{
	expect_err("again: same area, len, sig", page, 32, 0, RSEQ_SIG, EBUSY);
	expect_err("again: another sig", page, 32, 0, RSEQ_SIG + 1, EPERM);
	expect_err("again: another area", page + 64, 32, 0, RSEQ_SIG, EINVAL);
	expect_err("again: another area and sig", page + 64, 32, 0, RSEQ_SIG + 1, EINVAL);
	expect_err("again: another len", page, 64, 0, RSEQ_SIG, EINVAL);
	expect_err("again: another len and sig", page, 64, 0, RSEQ_SIG + 1, EINVAL);
	expect_err("again: flags 4", page, 32, 4, RSEQ_SIG, EINVAL);
	expect_err("unregister with another flag", page, 32, RSEQ_FLAG_UNREG | 4, RSEQ_SIG,
		   EINVAL);
	expect_err("unregister another area", page + 64, 32, RSEQ_FLAG_UNREG, RSEQ_SIG, EINVAL);
	expect_err("unregister NULL", NULL, 32, RSEQ_FLAG_UNREG, RSEQ_SIG, EINVAL);
	expect_err("unregister len 64", page, 64, RSEQ_FLAG_UNREG, RSEQ_SIG, EINVAL);
	expect_err("unregister len 64, another sig", page, 64, RSEQ_FLAG_UNREG, RSEQ_SIG + 1,
		   EINVAL);
	expect_err("unregister another sig", page, 32, RSEQ_FLAG_UNREG, RSEQ_SIG + 1, EPERM);
}

static void unregister_area(char *page)
{
	struct rseq_abi *rs = (struct rseq_abi *)page;

	/* Values the unregistration must overwrite (a preemption before it
	 * would rewrite them too, with the same ids as after it but cpu_id). */
	RSEQ_WRITE(rs->cpu_id_start, 0x55);
	RSEQ_WRITE(rs->node_id, 0x55);
	RSEQ_WRITE(rs->mm_cid, 0x55);
	RSEQ_WRITE(rs->flags, 0x40000000);
	if (!CHECK_OK("unregister", rseq_sys(rs, 32, RSEQ_FLAG_UNREG, RSEQ_SIG)))
		return;
	check_ulong("after unregister: cpu_id_start", 0, RSEQ_READ(rs->cpu_id_start));
	check_ulong("after unregister: cpu_id", RSEQ_CPU_UNINIT, RSEQ_READ(rs->cpu_id));
	/* A kernel without them leaves them as they were. */
	check_ulong("after unregister: node_id", RSEQ_HAS(node_id) ? 0 : 0x55,
		    RSEQ_READ(rs->node_id));
	check_ulong("after unregister: mm_cid", RSEQ_HAS(mm_cid) ? 0 : 0x55,
		    RSEQ_READ(rs->mm_cid));
	check_ulong("after unregister: rseq_cs", 0, RSEQ_READ(rs->rseq_cs));
	check_ulong("after unregister: flags", 0x40000000, RSEQ_READ(rs->flags));
	check_untouched("after unregister: slice_ctrl", page, 28, 32);
	check_untouched("after unregister: past the area", page, 32, 128);
	expect_err("unregister again", page, 32, RSEQ_FLAG_UNREG, RSEQ_SIG, EINVAL);
	RSEQ_WRITE(rs->flags, 0);
	if (CHECK_OK("register after unregister", rseq_sys(rs, 32, 0, RSEQ_SIG))) {
		check_ids("after registering again", rs);
		CHECK_OK("unregister", rseq_sys(rs, 32, RSEQ_FLAG_UNREG, RSEQ_SIG));
	}
}

/* In a child: a registration at area must fail with EFAULT. */
static void efault_case(const char *what, void *area)
{
	pid_t pid = proc_fork(what);

	if (pid == 0) {
		sig_no_core();
		CHECK_ERRNO(what, rseq_sys(area, 32, 0, RSEQ_SIG), EFAULT);
		proc_child_exit();
	}
	proc_reap(what, pid, PROC_EXITED(0));
}

static void efault_cases(void)
{
	char *gone = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (gone == MAP_FAILED || ro == MAP_FAILED)
		return fail("mmap: errno %s", err_name(errno));
	munmap(gone, PAGE);
	efault_case("register an unmapped area", gone);
	/* 6.18 takes it, then kills the task when it writes the ids. */
	if (rseq_v71())
		efault_case("register a read-only area", ro);
	else
		note("AT_RSEQ_FEATURE_SIZE < 33: EFAULT for a read-only area skipped");
	efault_case("register at -4096", (void *)-4096L);
	munmap(ro, PAGE);
}

/*
 * Unregistering an area the kernel cannot write is EFAULT, and the area
 * stays registered. The area is read-only only around that call.
 * - 6.18 sends no signal with it; a preemption while the area is read-only
 *   kills the child (the kernel cannot write the ids), so such an attempt
 *   is tried again.
 * - 7.1 also sends SIGSEGV (rseq_reset_ids). With a V2 (64-byte)
 *   registration a handler takes it and makes the area writable again; a
 *   legacy one dies of it, because 7.1 writes a legacy area's ids before
 *   the handler runs and SIGSEGV is then blocked. A migration while the
 *   area is read-only sends its SIGSEGV before the unregister, which then
 *   succeeds: that attempt is tried again too.
 */
#define RO_AGAIN 3
static char *ro_page;
static volatile sig_atomic_t ro_segv;

static void ro_segv_handler(int sig)
{
	(void)sig;
	ro_segv++;
	mprotect(ro_page, PAGE, PROT_READ | PROT_WRITE);
}

/* The child's part: register len bytes at page, unregister while it is
 * read-only (EFAULT), then check the registration is still there. */
static void unregister_ro_child(char *page, unsigned int len)
{
	long r;

	sig_no_core();
	if (!CHECK_OK("register", rseq_sys(page, len, 0, RSEQ_SIG)))
		proc_child_exit();
	ro_page = page;
	if (rseq_v71())
		signal(SIGSEGV, ro_segv_handler);
	mprotect(page, PAGE, PROT_READ);
	r = rseq_sys(page, len, RSEQ_FLAG_UNREG, RSEQ_SIG);
	if (r == 0 && ro_segv)
		_exit(RO_AGAIN); /* a migration's write of the ids came first */
	CHECK_ERRNO("unregister a read-only area", r, EFAULT);
	mprotect(page, PAGE, PROT_READ | PROT_WRITE);
	if (rseq_v71())
		check_true("7.1: SIGSEGV with the EFAULT", ro_segv > 0);
	expect_err("still registered after EFAULT", page, len, 0, RSEQ_SIG, EBUSY);
	CHECK_OK("unregister", rseq_sys(page, len, RSEQ_FLAG_UNREG, RSEQ_SIG));
	proc_child_exit();
}

/* Runs the child until no preemption or migration got in its way (6.18:
 * killed; 7.1: RO_AGAIN), with len; its status. */
static int unregister_ro(char *page, unsigned int len, int *killed)
{
	int status = 0;

	for (int i = 0; i < 20; i++) {
		pid_t pid = proc_fork("unregister EFAULT");

		if (pid == 0)
			unregister_ro_child(page, len);
		if (pid < 0 || proc_wait(pid, &status, 0) != pid) {
			fail("unregister EFAULT: wait: errno %s", err_name(errno));
			return 0;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == RO_AGAIN) {
			++*killed;
			continue;
		}
		if (rseq_v71() || !WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV)
			break;
		++*killed;
	}
	return status;
}

static void unregister_efault(char *page)
{
	int killed = 0;

	if (!rseq_v71()) {
		check_status("unregister EFAULT child", PROC_EXITED(0),
			     unregister_ro(page, 32, &killed));
		if (killed)
			note("unregister EFAULT: %d attempt(s) preempted while read-only", killed);
		note("AT_RSEQ_FEATURE_SIZE < 33: the 7.1 SIGSEGV of unregister skipped");
		return;
	}
	check_status("7.1 V2: unregister EFAULT with SIGSEGV to a handler", PROC_EXITED(0),
		     unregister_ro(page, 64, &killed));
	check_status("7.1 legacy: unregister EFAULT kills", PROC_KILLED(SIGSEGV),
		     unregister_ro(page, 32, &killed));
	if (killed)
		note("unregister EFAULT: %d attempt(s) preempted or migrated while read-only",
		     killed);
}

/* A fork keeps the registration: the same one again is EBUSY there. */
static void fork_keeps(char *page)
{
	struct rseq_abi *rs = (struct rseq_abi *)page;
	pid_t pid;

	if (!CHECK_OK("register before fork", rseq_sys(rs, 32, 0, RSEQ_SIG)))
		return;
	pid = proc_fork("fork");
	if (pid == 0) {
		expect_err("fork child: the same registration", rs, 32, 0, RSEQ_SIG, EBUSY);
		sched_yield();
		check_ids("fork child", rs);
		CHECK_OK("fork child: unregister", rseq_sys(rs, 32, RSEQ_FLAG_UNREG, RSEQ_SIG));
		proc_child_exit();
	}
	proc_reap("fork child", pid, PROC_EXITED(0));
	expect_err("parent after the child unregistered", rs, 32, 0, RSEQ_SIG, EBUSY);
	CHECK_OK("unregister after fork", rseq_sys(rs, 32, RSEQ_FLAG_UNREG, RSEQ_SIG));
}

struct clone_report {
	long unreg, reg, unreg2;
	int unreg_err, reg_err, unreg2_err;
	uint32_t cpu_id;
};

static struct rseq_abi clone_area;
static struct rseq_abi *clone_parent_area;

/* Runs in a CLONE_VM child: only raw syscalls, no stdio. */
static int clone_child(void *arg)
{
	struct clone_report *r = arg;

	r->unreg = rseq_sys(clone_parent_area, 32, RSEQ_FLAG_UNREG, RSEQ_SIG);
	r->unreg_err = errno;
	r->reg = rseq_sys(&clone_area, 32, 0, RSEQ_SIG);
	r->reg_err = errno;
	r->cpu_id = RSEQ_READ(clone_area.cpu_id);
	r->unreg2 = rseq_sys(&clone_area, 32, RSEQ_FLAG_UNREG, RSEQ_SIG);
	r->unreg2_err = errno;
	return 0;
}

/* A CLONE_VM child starts unregistered, though its parent is not. */
static void clone_vm_resets(char *page)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	struct clone_report r;
	int status = -1;
	pid_t pid;

	if (!CHECK_OK("register before clone", rseq_sys(page, 32, 0, RSEQ_SIG)))
		return;
	clone_parent_area = (struct rseq_abi *)page;
	memset(&r, 0, sizeof(r));
	fflush(stdout);
	fflush(stderr);
	pid = clone(clone_child, stack + sizeof(stack), CLONE_VM | SIGCHLD, &r);
	if (!check_ok("clone(CLONE_VM)", pid, errno))
		return;
	if (waitpid(pid, &status, 0) != pid)
		fail("clone(CLONE_VM): waitpid: errno %s", err_name(errno));
	check_status("CLONE_VM child", PROC_EXITED(0), status);
	check_errno("CLONE_VM child: unregister its parent's area", r.unreg, r.unreg_err, EINVAL);
	if (check_ok("CLONE_VM child: register its own area", r.reg, r.reg_err))
		check_ulong("CLONE_VM child: cpu_id", (unsigned long)cpu, r.cpu_id);
	check_ok("CLONE_VM child: unregister its own area", r.unreg2, r.unreg2_err);
	expect_err("parent after the CLONE_VM child", page, 32, 0, RSEQ_SIG, EBUSY);
	CHECK_OK("unregister after clone", rseq_sys(page, 32, RSEQ_FLAG_UNREG, RSEQ_SIG));
}

/* The exec'd image: the area the old one registered is not registered. */
static int exec_child(void)
{
	void *p = mmap(EXEC_AREA, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != EXEC_AREA)
		fail("exec child: mmap at %p: expected it got %p (errno %s)", EXEC_AREA, p,
		     err_name(errno));
	else
		expect_err("exec child: unregister the old image's area", p, 32,
			   RSEQ_FLAG_UNREG, RSEQ_SIG, EINVAL);
	return check_exit("rseq_register exec-child");
}

/* execve drops the registration (the new image checks, exec_child). */
static void exec_drops(const char *self)
{
	pid_t pid = proc_fork("exec");

	if (pid == 0) {
		char *args[] = { (char *)self, "exec-child", NULL };
		void *p = mmap(EXEC_AREA, PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

		if (p != EXEC_AREA) {
			fail("exec: mmap at %p: errno %s", EXEC_AREA, err_name(errno));
			proc_child_exit();
		}
		if (!CHECK_OK("exec: register", rseq_sys(p, 32, 0, RSEQ_SIG)))
			proc_child_exit();
		execv(self, args);
		fail("execv %s: errno %s", self, err_name(errno));
		proc_child_exit();
	}
	proc_reap("exec child", pid, PROC_EXITED(0));
}

int main(int argc, char **argv)
{
	cpu_set_t all;
	char *page;

	if (argc > 1 && !strcmp(argv[1], "exec-child"))
		return exec_child();
	proc_default_signals();
	if (under_umbra())
		check_ulong("umbra: AT_RSEQ_FEATURE_SIZE", RSEQ_FEATURE_V71,
			    getauxval(AT_RSEQ_FEATURE_SIZE));
	else if (!RSEQ_HAS(mm_cid))
		note("AT_RSEQ_FEATURE_SIZE %lu < 28: node_id and mm_cid only checked as left "
		     "alone", getauxval(AT_RSEQ_FEATURE_SIZE));
	if (!CHECK_OK("sched_getaffinity", sched_getaffinity(0, sizeof(all), &all)))
		return check_exit("rseq_register");
	cpu = rseq_nth_cpu(&all, 0);
	if (!CHECK_OK("pin to one CPU", rseq_pin(0, cpu)))
		return check_exit("rseq_register");
	check_long("getcpu after pinning", cpu, rseq_getcpu(&node));
	if (!rseq_drop_glibc("unregister glibc's area"))
		return check_exit("rseq_register");
	page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return fail("mmap: errno %s", err_name(errno)), check_exit("rseq_register");

	errors_unregistered(page);
	if (register_area(page)) {
		errors_registered(page);
		unregister_area(page);
	}
	printf("rseq_register: errors and fields checked\n");
	efault_cases();
	unregister_efault(page);
	printf("rseq_register: EFAULT checked\n");
	fork_keeps(page);
	clone_vm_resets(page);
	exec_drops(argv[0]);
	printf("rseq_register: fork keeps, CLONE_VM and exec drop\n");
	proc_finish();
	return check_exit("rseq_register");
}
