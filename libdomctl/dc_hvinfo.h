/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * `xlhv info`, run and read: for libdomctl's dc_host_kvm() and `xl info`.
 * A leaf module (libdchvinfo.la): it includes nothing of the project.
 */
#ifndef DC_HVINFO_H
#define DC_HVINFO_H

#include <stddef.h>

/*
 * Run `@xlhv info`: its stdout and stderr, in order, into @out (the first
 * @len - 1 bytes, NUL-terminated; the rest is read and dropped), its exit
 * status into @status (128 + N for signal N).  Returns 0, or -errno when
 * it cannot be run.
 */
int dc_hvinfo_run(const char *xlhv, char *out, size_t len, int *status);

/* The value of the line "@key: VALUE" of @text into @val, or NULL. */
const char *dc_hvinfo_value(const char *text, const char *key, char *val,
			    size_t len);

/*
 * Why xlhv failed: its last "xlhv: " line without the prefix, else its
 * last line, into @why ("" when @text has none).
 */
const char *dc_hvinfo_reason(const char *text, char *why, size_t len);

#endif
