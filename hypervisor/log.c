// SPDX-License-Identifier: GPL-2.0
/* Messages from the monitor: one line each on stderr, named "xlhv:". */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "hv.h"

void hv_err(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	/* One fputs per line, so vCPU threads never interleave halves. */
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "xlhv: %s\n", line);
}
