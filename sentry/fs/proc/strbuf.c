/* A growing text buffer for procfs generators. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/fs/proc/proc_gen.h"

void strbuf_init(struct strbuf *b)
{
	memset(b, 0, sizeof *b);
}

void strbuf_free(struct strbuf *b)
{
	free(b->buf);
	strbuf_init(b);
}

/* Room for n more bytes and a terminating NUL. */
static int grow(struct strbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (b->err)
		return b->err;
	while (cap < b->len + n + 1)
		cap *= 2;
	if (cap == b->cap)
		return 0;
	p = realloc(b->buf, cap);
	if (!p)
		return b->err = -ENOMEM;
	b->buf = p;
	b->cap = cap;
	return 0;
}

void strbuf_add(struct strbuf *b, const void *data, size_t n)
{
	if (grow(b, n))
		return;
	memcpy(b->buf + b->len, data, n);
	b->len += n;
	b->buf[b->len] = 0;
}

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}
