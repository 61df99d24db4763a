// SPDX-License-Identifier: Apache-2.0
/*
 * Resource limits: sane values, getrlimit and prlimit64 agree, a lowered
 * soft limit reads back, a soft limit above the hard one is EINVAL, unknown
 * resources are EINVAL (getrlimit(2), kernel/sys.c: do_prlimit).
 */
#include "check.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static void check_agree(int res, const char *name)
{
	struct rlimit a, b;
	char what[64];
	int r;

	r = getrlimit(res, &a);
	snprintf(what, sizeof(what), "getrlimit(%s)", name);
	if (!check_ok(what, r, errno))
		return;
	if (a.rlim_cur > a.rlim_max)
		fail("%s: expected soft <= hard got %llu > %llu", what,
		     (unsigned long long)a.rlim_cur,
		     (unsigned long long)a.rlim_max);
	r = prlimit(0, res, NULL, &b);
	snprintf(what, sizeof(what), "prlimit(0, %s)", name);
	if (!check_ok(what, r, errno))
		return;
	if (a.rlim_cur != b.rlim_cur || a.rlim_max != b.rlim_max)
		fail("%s: expected %llu/%llu got %llu/%llu", what,
		     (unsigned long long)a.rlim_cur,
		     (unsigned long long)a.rlim_max,
		     (unsigned long long)b.rlim_cur,
		     (unsigned long long)b.rlim_max);
	/* pid names this process too: the guest's own pid, not the host's. */
	r = prlimit(getpid(), res, NULL, &b);
	snprintf(what, sizeof(what), "prlimit(getpid(), %s)", name);
	if (check_ok(what, r, errno))
		check_true(what, a.rlim_cur == b.rlim_cur &&
				 a.rlim_max == b.rlim_max);
}

int main(void)
{
	struct rlimit st, nf, lim, back;
	rlim_t low;
	int r;

	check_agree(RLIMIT_STACK, "RLIMIT_STACK");
	check_agree(RLIMIT_NOFILE, "RLIMIT_NOFILE");
	check_agree(RLIMIT_AS, "RLIMIT_AS");
	check_agree(RLIMIT_DATA, "RLIMIT_DATA");
	check_agree(RLIMIT_CORE, "RLIMIT_CORE");

	if (getrlimit(RLIMIT_STACK, &st) == 0 && st.rlim_cur < 64 * 1024)
		fail("RLIMIT_STACK soft: expected >= 64 KiB got %llu",
		     (unsigned long long)st.rlim_cur);
	if (getrlimit(RLIMIT_NOFILE, &nf) != 0)
		return check_exit("rlimits");
	if (nf.rlim_cur < 3 || nf.rlim_cur == RLIM_INFINITY)
		fail("RLIMIT_NOFILE soft: expected 3..finite got %llu",
		     (unsigned long long)nf.rlim_cur);

	/* Lower the soft limit only: raising it back is always allowed. */
	low = nf.rlim_cur > 64 ? 64 : nf.rlim_cur - 1;
	lim.rlim_cur = low;
	lim.rlim_max = nf.rlim_max;
	check_long("setrlimit(NOFILE, lower soft)", 0, setrlimit(RLIMIT_NOFILE, &lim));
	r = getrlimit(RLIMIT_NOFILE, &back);
	check_long("getrlimit after setrlimit", 0, r);
	check_long("soft limit read back", low, back.rlim_cur);
	check_long("hard limit kept", nf.rlim_max, back.rlim_max);

	lim.rlim_cur = nf.rlim_cur;
	r = prlimit(0, RLIMIT_NOFILE, &lim, &back);
	check_long("prlimit(NOFILE) restore soft", 0, r);
	check_long("prlimit old soft", low, back.rlim_cur);

	/* Soft above hard; hard is lowered first so it cannot be infinite. */
	lim.rlim_cur = low;
	lim.rlim_max = low;
	check_long("setrlimit(NOFILE, lower hard)", 0, setrlimit(RLIMIT_NOFILE, &lim));
	lim.rlim_cur = low + 1;
	CHECK_ERRNO("setrlimit soft above hard",
		    setrlimit(RLIMIT_NOFILE, &lim), EINVAL);
	r = getrlimit(RLIMIT_NOFILE, &back);
	check_long("limits unchanged after EINVAL", low, back.rlim_cur);

	CHECK_ERRNO("getrlimit(resource 100)",
		    syscall(SYS_prlimit64, 0L, 100L, NULL, &back), EINVAL);
	CHECK_ERRNO("prlimit64 to (void *)1",
		    syscall(SYS_prlimit64, 0L, (long)RLIMIT_NOFILE, NULL, 1L),
		    EFAULT);

	printf("rlimits: done\n");
	return check_exit("rlimits");
}
