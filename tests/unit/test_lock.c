/* The record lock manager (sentry/fs/lock.h): l_start/l_len normalisation,
 * an owner's locks splitting and merging, conflicts between owners of both
 * kinds, F_GETLK's answer, release, and F_SETLKW's wait, deadlock detection
 * and interruption across threads. */
#include <check.h>

#include "tests/unit/unit.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "abi/linux_fcntl.h"
#include "sentry/fs/lock.h"

#define RD LINUX_F_RDLCK
#define WR LINUX_F_WRLCK
#define UN LINUX_F_UNLCK
#define MAX LOCK_OFFSET_MAX

static struct lock_table *lt;
static const struct lock_key key = { 1, 2 }, other_key = { 1, 3 };
static int ids[4];
/* Two processes (POSIX) and two open files (OFD). */
static const struct lock_owner A = { &ids[0], &ids[0], 100, false };
static const struct lock_owner B = { &ids[1], &ids[0], 200, false };
static const struct lock_owner C = { &ids[2], &ids[0], 300, true };
static const struct lock_owner observer = { &ids[3], &ids[0], 400, true };

static void setup(void)
{
	lt = lock_table_create();
	ck_assert_ptr_nonnull(lt);
}

static void teardown(void)
{
	lock_table_destroy(lt);
}

static int set(const struct lock_owner *o, int type, int64_t start, int64_t end)
{
	struct lock_range r = { type, start, end };

	return lock_set(lt, key, o, &r, false, NULL);
}

/* Every lock on key from byte 0 to max, seen by an owner holding none:
 * "R0-39 W40-max" (max: to the end of the file). */
static const char *layout(int64_t max)
{
	static char out[512];
	size_t n = 0;

	out[0] = 0;
	for (int64_t pos = 0; pos <= max; pos++) {
		struct lock_range q = { WR, pos, pos }, found;
		struct lock_owner holder;

		lock_test(lt, key, &observer, &q, &found, &holder);
		if (found.type == UN || found.start != pos)
			continue;
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%c%lld-", n ? " " : "",
				      found.type == WR ? 'W' : 'R', (long long)found.start);
		if (found.end == MAX)
			n += (size_t)snprintf(out + n, sizeof out - n, "max");
		else
			n += (size_t)snprintf(out + n, sizeof out - n, "%lld", (long long)found.end);
	}
	return out;
}

START_TEST(range_make)
{
	struct lock_range r;

	ck_assert_int_eq(lock_range_make(WR, 0, 5, 10, &r), 0);
	ck_assert(r.type == WR && r.start == 5 && r.end == 14);
	ck_assert_int_eq(lock_range_make(RD, 100, -10, 0, &r), 0);
	ck_assert(r.start == 90 && r.end == MAX);
	ck_assert_int_eq(lock_range_make(UN, 50, 0, -5, &r), 0);
	ck_assert(r.start == 45 && r.end == 49);
	ck_assert_int_eq(lock_range_make(WR, 0, 5, -5, &r), 0);
	ck_assert(r.start == 0 && r.end == 4);
	ck_assert_int_eq(lock_range_make(WR, 0, 5, -6, &r), -EINVAL);
	ck_assert_int_eq(lock_range_make(WR, 0, -1, 1, &r), -EINVAL);
	ck_assert_int_eq(lock_range_make(WR, 10, -11, 1, &r), -EINVAL);
	ck_assert_int_eq(lock_range_make(WR, 10, MAX, 1, &r), -EOVERFLOW);
	ck_assert_int_eq(lock_range_make(WR, 0, MAX, 2, &r), -EOVERFLOW);
	ck_assert_int_eq(lock_range_make(WR, 0, MAX, 1, &r), 0);
	ck_assert(r.start == MAX && r.end == MAX);
	ck_assert_int_eq(lock_range_make(WR, 0, 0, INT64_MIN, &r), -EINVAL);
	/* The type is judged after the range. */
	ck_assert_int_eq(lock_range_make(9, 0, 0, 1, &r), -EINVAL);
	ck_assert_int_eq(lock_range_make(9, 0, MAX, 2, &r), -EOVERFLOW);
}
END_TEST

START_TEST(range_to_flock)
{
	struct lock_range r = { WR, 5, 14 };
	int64_t start, len;

	lock_range_to_flock(&r, &start, &len);
	ck_assert(start == 5 && len == 10);
	r.end = MAX;
	lock_range_to_flock(&r, &start, &len);
	ck_assert(start == 5 && len == 0);
}
END_TEST

START_TEST(split_and_merge)
{
	ck_assert_int_eq(set(&A, RD, 0, 99), 0);
	ck_assert_int_eq(set(&A, UN, 40, 59), 0);
	ck_assert_str_eq(layout(200), "R0-39 R60-99");
	ck_assert_int_eq(set(&A, RD, 40, 59), 0);
	ck_assert_str_eq(layout(200), "R0-99");
	ck_assert_int_eq(set(&A, WR, 10, 19), 0);
	ck_assert_str_eq(layout(200), "R0-9 W10-19 R20-99");
	ck_assert_int_eq(set(&A, RD, 100, 109), 0); /* adjacent: merges */
	ck_assert_str_eq(layout(200), "R0-9 W10-19 R20-109");
	ck_assert_int_eq(set(&A, WR, 110, 119), 0); /* adjacent, other type: stays apart */
	ck_assert_str_eq(layout(200), "R0-9 W10-19 R20-109 W110-119");
	ck_assert_int_eq(set(&A, RD, 5, 114), 0);
	ck_assert_str_eq(layout(200), "R0-114 W115-119");
	ck_assert_int_eq(set(&A, WR, 150, MAX), 0);
	ck_assert_int_eq(set(&A, UN, 160, 169), 0);
	ck_assert_str_eq(layout(200), "R0-114 W115-119 W150-159 W170-max");
	ck_assert_int_eq(set(&A, WR, 120, 149), 0); /* bridges two write locks */
	ck_assert_str_eq(layout(200), "R0-114 W115-159 W170-max");
	ck_assert_int_eq(set(&A, UN, 0, MAX), 0);
	ck_assert_str_eq(layout(200), "");
	ck_assert_int_eq(set(&A, UN, 0, MAX), 0); /* nothing to unlock */
}
END_TEST

START_TEST(split_at_the_ends)
{
	ck_assert_int_eq(set(&A, WR, 0, MAX), 0);
	ck_assert_int_eq(set(&A, UN, 0, 0), 0);
	ck_assert_str_eq(layout(3), "W1-max");
	ck_assert_int_eq(set(&A, RD, MAX, MAX), 0);
	ck_assert_int_eq(set(&A, RD, 0, 0), 0);
	ck_assert_str_eq(layout(3), "R0-0 W1-9223372036854775806");
	{
		struct lock_range q = { WR, MAX, MAX }, found;
		struct lock_owner holder;

		lock_test(lt, key, &observer, &q, &found, &holder);
		ck_assert(found.type == RD && found.start == MAX && found.end == MAX);
	}
}
END_TEST

START_TEST(conflicts_between_owners)
{
	ck_assert_int_eq(set(&A, WR, 0, 9), 0);
	ck_assert_int_eq(set(&B, RD, 5, 5), -EAGAIN);
	ck_assert_int_eq(set(&C, RD, 9, 20), -EAGAIN); /* OFD against POSIX */
	ck_assert_int_eq(set(&B, RD, 10, 19), 0);
	ck_assert_int_eq(set(&C, RD, 15, 25), 0); /* read locks share */
	ck_assert_int_eq(set(&A, WR, 15, 15), -EAGAIN);
	ck_assert_int_eq(set(&C, WR, 15, 15), -EAGAIN); /* B's read lock */
	ck_assert_int_eq(set(&A, RD, 0, 30), 0); /* A's write lock becomes a read lock */
	ck_assert_int_eq(set(&B, WR, 0, 0), -EAGAIN);
	ck_assert_int_eq(set(&B, UN, 0, MAX), 0);
	ck_assert_int_eq(set(&A, UN, 0, MAX), 0);
	ck_assert_int_eq(set(&C, WR, 0, 100), 0); /* its own read lock is no obstacle */
	ck_assert_str_eq(layout(200), "W0-100");
}
END_TEST

START_TEST(test_reports_the_oldest_owner)
{
	struct lock_range q = { WR, 0, 100 }, found;
	struct lock_owner holder;

	ck_assert_int_eq(set(&B, RD, 50, 60), 0);
	ck_assert_int_eq(set(&C, RD, 10, 20), 0);
	lock_test(lt, key, &A, &q, &found, &holder);
	ck_assert(found.type == RD && found.start == 50 && found.end == 60);
	ck_assert(holder.id == B.id && holder.pid == 200 && !holder.ofd);
	q.type = RD;
	lock_test(lt, key, &A, &q, &found, &holder);
	ck_assert_int_eq(found.type, UN);
	q.type = WR;
	lock_test(lt, key, &B, &q, &found, &holder);
	ck_assert(found.start == 10 && holder.ofd && holder.id == C.id);
	lock_test(lt, other_key, &A, &q, &found, &holder);
	ck_assert_int_eq(found.type, UN);
}
END_TEST

/* F_OFD_GETLK with F_UNLCK (Linux 6.5): the asking owner's own lock. */
START_TEST(test_own_lock)
{
	struct lock_range q = { UN, 0, MAX }, found;
	struct lock_owner holder;

	ck_assert_int_eq(set(&A, WR, 0, 9), 0);
	lock_test(lt, key, &C, &q, &found, &holder);
	ck_assert_int_eq(found.type, UN);
	ck_assert_int_eq(set(&C, RD, 20, 29), 0);
	lock_test(lt, key, &C, &q, &found, &holder);
	ck_assert(found.type == RD && found.start == 20 && holder.id == C.id);
}
END_TEST

START_TEST(release_one_owner)
{
	struct lock_range r = { WR, 0, 0 };

	ck_assert_int_eq(set(&A, WR, 0, 9), 0);
	ck_assert_int_eq(set(&A, RD, 20, 29), 0);
	ck_assert_int_eq(set(&C, WR, 10, 19), 0);
	ck_assert_int_eq(lock_set(lt, other_key, &A, &r, false, NULL), 0);
	lock_release(lt, key, A.id);
	ck_assert_str_eq(layout(40), "W10-19");
	ck_assert_int_eq(lock_set(lt, other_key, &B, &r, false, NULL), -EAGAIN);
	lock_release(lt, key, C.id);
	ck_assert_str_eq(layout(40), "");
	lock_release(lt, key, C.id);
}
END_TEST

struct waiter {
	const struct lock_owner *o;
	struct lock_range r;
	volatile int stop;
	struct lock_wait w;
	int result;
	volatile int done;
};

static bool stop_asked(void *arg)
{
	return ((struct waiter *)arg)->stop;
}

static void *wait_for_lock(void *arg)
{
	struct waiter *w = arg;

	w->result = lock_set(lt, key, w->o, &w->r, true, &w->w);
	w->done = 1;
	return NULL;
}

static void start_waiter(pthread_t *th, struct waiter *w, const struct lock_owner *o, int type,
			 int64_t start, int64_t end)
{
	memset(w, 0, sizeof *w);
	w->o = o;
	w->r = (struct lock_range){ type, start, end };
	w->w = (struct lock_wait){ stop_asked, w };
	ck_assert_int_eq(pthread_create(th, NULL, wait_for_lock, w), 0);
	usleep(50 * 1000); /* long enough to be waiting */
}

START_TEST(setlkw_waits_for_the_unlock)
{
	struct waiter w;
	pthread_t th;

	ck_assert_int_eq(set(&A, WR, 0, 9), 0);
	start_waiter(&th, &w, &C, WR, 5, 5);
	ck_assert_int_eq(w.done, 0);
	ck_assert_int_eq(set(&A, UN, 0, 3), 0); /* a change that does not help */
	usleep(20 * 1000);
	ck_assert_int_eq(w.done, 0);
	ck_assert_int_eq(set(&A, UN, 0, MAX), 0);
	pthread_join(th, NULL);
	ck_assert_int_eq(w.result, 0);
	ck_assert_str_eq(layout(10), "W5-5");
}
END_TEST

START_TEST(setlkw_wakes_on_release)
{
	struct waiter w;
	pthread_t th;

	ck_assert_int_eq(set(&C, RD, 0, 0), 0);
	start_waiter(&th, &w, &A, WR, 0, 0);
	lock_release(lt, key, C.id);
	pthread_join(th, NULL);
	ck_assert_int_eq(w.result, 0);
}
END_TEST

static bool always(void *arg)
{
	(void)arg;
	return true;
}

START_TEST(setlkw_deadlock)
{
	struct lock_wait no_wait = { always, NULL };
	struct lock_range r = { WR, 1, 1 };
	struct waiter w;
	pthread_t th;
	int err = 0;

	ck_assert_int_eq(set(&A, WR, 0, 0), 0);
	ck_assert_int_eq(set(&B, WR, 1, 1), 0);
	start_waiter(&th, &w, &B, WR, 0, 0); /* B waits for A */
	/* A waiting for B closes the circle; EINTR until B is seen waiting. */
	for (int i = 0; i < 100 && (err = lock_set(lt, key, &A, &r, true, &no_wait)) == -EINTR; i++)
		usleep(10 * 1000);
	ck_assert_int_eq(err, -EDEADLK);
	ck_assert_int_eq(w.done, 0);
	ck_assert_int_eq(set(&A, UN, 0, 0), 0);
	pthread_join(th, NULL);
	ck_assert_int_eq(w.result, 0);
}
END_TEST

/* posix_locks_deadlock(): an OFD request is never told EDEADLK; a POSIX one
 * is, also when the circle runs through an OFD owner that waits. */
START_TEST(setlkw_deadlock_and_ofd)
{
	struct lock_wait no_wait = { always, NULL };
	struct lock_range r1 = { WR, 1, 1 }, r0 = { WR, 0, 0 };
	struct waiter w;
	pthread_t th;
	int err = 0;

	ck_assert_int_eq(set(&C, WR, 0, 0), 0);
	ck_assert_int_eq(set(&A, WR, 1, 1), 0);
	start_waiter(&th, &w, &A, WR, 0, 0); /* A waits for C */
	ck_assert_int_eq(lock_set(lt, key, &C, &r1, true, &no_wait), -EINTR);
	ck_assert_int_eq(set(&C, UN, 0, 0), 0);
	pthread_join(th, NULL);
	ck_assert_int_eq(w.result, 0);

	ck_assert_int_eq(set(&A, UN, 0, 0), 0);
	ck_assert_int_eq(set(&C, WR, 0, 0), 0);
	start_waiter(&th, &w, &C, WR, 1, 1); /* C waits for A */
	for (int i = 0; i < 100 && (err = lock_set(lt, key, &A, &r0, true, &no_wait)) == -EINTR; i++)
		usleep(10 * 1000);
	ck_assert_int_eq(err, -EDEADLK);
	ck_assert_int_eq(set(&A, UN, 0, MAX), 0);
	pthread_join(th, NULL);
	ck_assert_int_eq(w.result, 0);
}
END_TEST

START_TEST(setlkw_interrupted)
{
	struct waiter w;
	pthread_t th;

	ck_assert_int_eq(set(&A, RD, 0, 0), 0);
	start_waiter(&th, &w, &C, WR, 0, 0);
	ck_assert_int_eq(w.done, 0);
	w.stop = 1;
	lock_table_wake(lt);
	pthread_join(th, NULL);
	ck_assert_int_eq(w.result, -EINTR);
	ck_assert_str_eq(layout(3), "R0-0");
}
END_TEST

/* close(2)'s hook on the sentry's own table, keyed by the fd's inode. */
START_TEST(drop_by_fd)
{
	struct lock_table *global = lock_table_global();
	struct lock_range r = { WR, 0, 0 }, found;
	struct lock_owner holder;
	struct lock_key k;
	int fd = memfd_create("lock", MFD_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(lock_key_of(fd, &k), 0);
	ck_assert_int_eq(lock_set(global, k, &A, &r, false, NULL), 0);
	lock_drop_fd(fd, B.id);
	lock_test(global, k, &observer, &r, &found, &holder);
	ck_assert_int_eq(found.type, WR);
	lock_drop_fd(fd, A.id);
	lock_test(global, k, &observer, &r, &found, &holder);
	ck_assert_int_eq(found.type, UN);
	ck_assert_int_eq(lock_key_of(-1, &k), -EBADF);
	close(fd);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("lock");
	TCase *ranges = tcase_create("ranges");
	TCase *owners = tcase_create("owners");
	TCase *waits = tcase_create("waits");

	tcase_add_test(ranges, range_make);
	tcase_add_test(ranges, range_to_flock);
	suite_add_tcase(s, ranges);

	tcase_add_checked_fixture(owners, setup, teardown);
	tcase_add_test(owners, split_and_merge);
	tcase_add_test(owners, split_at_the_ends);
	tcase_add_test(owners, conflicts_between_owners);
	tcase_add_test(owners, test_reports_the_oldest_owner);
	tcase_add_test(owners, test_own_lock);
	tcase_add_test(owners, release_one_owner);
	tcase_add_test(owners, drop_by_fd);
	suite_add_tcase(s, owners);

	tcase_add_checked_fixture(waits, setup, teardown);
	tcase_add_test(waits, setlkw_waits_for_the_unlock);
	tcase_add_test(waits, setlkw_wakes_on_release);
	tcase_add_test(waits, setlkw_deadlock);
	tcase_add_test(waits, setlkw_deadlock_and_ofd);
	tcase_add_test(waits, setlkw_interrupted);
	suite_add_tcase(s, waits);
	return s;
}
