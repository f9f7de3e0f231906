// SPDX-License-Identifier: LGPL-2.1
/* The libdomctl context: where sockets live, which monitor, the log. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dc_internal.h"
#include "dc_path.h"

dc_ctx *dc_ctx_new(const char *rundir, dc_log_fn *log, void *opaque)
{
	char xlhv[PATH_MAX];
	dc_ctx *ctx;
	int rc;

	if (!rundir || !*rundir) {
		errno = EINVAL;
		return NULL;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->log = log;
	ctx->log_opaque = opaque;
	rc = dc_path_find(DC_PATH_XLHV, xlhv, sizeof(xlhv), &ctx->xlhv_how);
	if (rc) {
		dc__log(ctx, DC_LOG_ERROR, "the monitor's path $XLD_XLHV: %s",
			strerror(-rc));
		free(ctx);
		errno = -rc;
		return NULL;
	}
	ctx->rundir = strdup(rundir);
	ctx->xlhv = strdup(xlhv);
	if (!ctx->rundir || !ctx->xlhv ||
	    asprintf(&ctx->domdir, "%s/dom", rundir) < 0) {
		ctx->domdir = NULL;
		dc_ctx_free(ctx);
		errno = ENOMEM;
		return NULL;
	}
	return ctx;
}

int dc_ctx_set_monitor_ids(dc_ctx *ctx, uint32_t first, uint32_t count)
{
	/* root's 0 is never one; the last id of the range must exist */
	if ((first == 0) != (count == 0) ||
	    (uint64_t)first + count - 1 > UINT32_MAX - 1)
		return -EINVAL;
	ctx->id_first = first;
	ctx->id_count = count;
	return 0;
}

void dc_ctx_free(dc_ctx *ctx)
{
	if (!ctx)
		return;
	free(ctx->rundir);
	free(ctx->domdir);
	free(ctx->xlhv);
	free(ctx);
}

void dc__log(dc_ctx *ctx, enum dc_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!ctx->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log(ctx->log_opaque, level, msg);
}

int dc__sock_path(dc_ctx *ctx, uint32_t domid, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%u.sock", ctx->domdir, domid);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int dc__note_path(dc_ctx *ctx, uint32_t domid, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%u.crash", ctx->domdir, domid);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}
