/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the xl command line: a growable text buffer. */
#ifndef XL_UTIL_H
#define XL_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable, always NUL-terminated text buffer.  Zero-initialise it
 * ({ 0 }); xl_buf_dispose() frees it and may be called twice.  After an
 * allocation failure the buffer keeps what it had and @oom is set, so
 * callers may print first and check once.
 */
struct xl_buf {
	char *s;
	size_t len;
	size_t cap;
	int oom;
};

/* Appends formatted text.  Returns 0 or -ENOMEM. */
int xl_buf_printf(struct xl_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int xl_buf_vprintf(struct xl_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Appends @len bytes of @s.  Returns 0 or -ENOMEM. */
int xl_buf_add(struct xl_buf *b, const char *s, size_t len);
/* The text so far ("" when empty); valid until the next change. */
const char *xl_buf_str(const struct xl_buf *b);
/* Takes the text out of @b (malloc'd, never NULL unless out of memory). */
char *xl_buf_steal(struct xl_buf *b);
void xl_buf_dispose(struct xl_buf *b);

/*
 * Diagnostics of a parse: every error and warning is one line, ending
 * with '\n', in the form the user sees them.
 */
struct xl_diag {
	struct xl_buf err;
	struct xl_buf warn;
	struct xl_buf info; /* shown with -v only */
	unsigned int nerr;
};

void xl_diag_err(struct xl_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void xl_diag_warn(struct xl_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void xl_diag_info(struct xl_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void xl_diag_dispose(struct xl_diag *d);

/* strtoul on the whole string, base 0 (decimal, 0x, 0 octal); -EINVAL
 * when @s is empty, has trailing text or a sign, -ERANGE past ULONG_MAX. */
int xl_parse_ulong(const char *s, int base, unsigned long *out);

#endif
