// SPDX-License-Identifier: GPL-2.0
/* Small helpers shared by the xl command line. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcli/xl_util.h"

static int buf_reserve(struct xl_buf *b, size_t more)
{
	size_t want, ncap;
	char *p;

	if (more > ((size_t)-1) / 2 - b->len - 1)
		goto oom;
	want = b->len + more + 1;
	if (want <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < want)
		ncap *= 2;
	p = realloc(b->s, ncap);
	if (!p)
		goto oom;
	b->s = p;
	b->cap = ncap;
	return 0;
oom:
	b->oom = 1;
	return -ENOMEM;
}

int xl_buf_add(struct xl_buf *b, const char *s, size_t len)
{
	int rc;

	rc = buf_reserve(b, len);
	if (rc)
		return rc;
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
	return 0;
}

int xl_buf_vprintf(struct xl_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int r, rc;

	va_copy(ap2, ap);
	r = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (r < 0)
		return -EINVAL;
	rc = buf_reserve(b, (size_t)r);
	if (rc)
		return rc;
	vsnprintf(b->s + b->len, (size_t)r + 1, fmt, ap);
	b->len += (size_t)r;
	return 0;
}

int xl_buf_printf(struct xl_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = xl_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *xl_buf_str(const struct xl_buf *b)
{
	return b->s ? b->s : "";
}

char *xl_buf_steal(struct xl_buf *b)
{
	char *s = b->s;

	if (!s)
		s = strdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void xl_buf_dispose(struct xl_buf *b)
{
	if (!b)
		return;
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

void xl_diag_err(struct xl_diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xl_buf_vprintf(&d->err, fmt, ap);
	va_end(ap);
	xl_buf_add(&d->err, "\n", 1);
	d->nerr++;
}

void xl_diag_warn(struct xl_diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xl_buf_vprintf(&d->warn, fmt, ap);
	va_end(ap);
	xl_buf_add(&d->warn, "\n", 1);
}

void xl_diag_info(struct xl_diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xl_buf_vprintf(&d->info, fmt, ap);
	va_end(ap);
	xl_buf_add(&d->info, "\n", 1);
}

void xl_diag_dispose(struct xl_diag *d)
{
	if (!d)
		return;
	xl_buf_dispose(&d->err);
	xl_buf_dispose(&d->warn);
	xl_buf_dispose(&d->info);
	d->nerr = 0;
}

int xl_parse_ulong(const char *s, int base, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!*s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}
