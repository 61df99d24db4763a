/* Write counts of inodes: a small array of the inodes with a nonzero count,
 * under one lock (opens for writing and execs are rare next to I/O). */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>

#include "sentry/lib/array.h"
#include "sentry/lib/writecount.h"

struct count {
	uint64_t dev, ino;
	long n;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct count *counts;
static size_t ncounts, capcounts;

/* The entry of (dev, ino), made with n 0 when make; NULL. Lock held. */
static struct count *find(uint64_t dev, uint64_t ino, bool make)
{
	for (size_t i = 0; i < ncounts; i++)
		if (counts[i].dev == dev && counts[i].ino == ino)
			return &counts[i];
	if (!make || array_reserve(&counts, &capcounts, ncounts + 1, sizeof *counts) < 0)
		return NULL;
	counts[ncounts] = (struct count){ dev, ino, 0 };
	return &counts[ncounts++];
}

/* Adds step unless the count has the other sign; drops entries at 0. */
static int add(uint64_t dev, uint64_t ino, long step)
{
	struct count *c;
	int err = 0;

	pthread_mutex_lock(&lock);
	c = find(dev, ino, true);
	if (!c)
		err = -ENOMEM;
	else if (step > 0 ? c->n < 0 : c->n > 0)
		err = -ETXTBSY;
	else
		c->n += step;
	if (c && !c->n)
		*c = counts[--ncounts];
	pthread_mutex_unlock(&lock);
	return err;
}

/* Undoes a step that add allowed. */
static void undo(uint64_t dev, uint64_t ino, long step)
{
	struct count *c;

	pthread_mutex_lock(&lock);
	c = find(dev, ino, false);
	if (c) {
		c->n -= step;
		if (!c->n)
			*c = counts[--ncounts];
	}
	pthread_mutex_unlock(&lock);
}

int writecount_get(uint64_t dev, uint64_t ino)
{
	return add(dev, ino, 1);
}

void writecount_put(uint64_t dev, uint64_t ino)
{
	undo(dev, ino, 1);
}

int writecount_deny(uint64_t dev, uint64_t ino)
{
	return add(dev, ino, -1);
}

void writecount_allow(uint64_t dev, uint64_t ino)
{
	undo(dev, ino, -1);
}

bool writecount_denied(uint64_t dev, uint64_t ino)
{
	struct count *c;
	bool denied;

	pthread_mutex_lock(&lock);
	c = find(dev, ino, false);
	denied = c && c->n < 0;
	pthread_mutex_unlock(&lock);
	return denied;
}
