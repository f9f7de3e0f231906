// SPDX-License-Identifier: LGPL-2.1
/*
 * Sending a domain's migration stream: a DC_WIRE_SEND request on a
 * connection of its own, the stream's fd passed with it (SCM_RIGHTS).
 * The monitor writes the stream itself and reports on that connection
 * (dc_op.c's send op reads it); closing it early cancels the send.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "dc_internal.h"

int dc_domain_send_start(dc_ctx *ctx, uint32_t domid, int fd,
			 const struct dc_send_opts *opts, struct dc_op **op)
{
	struct dc_send_opts none = { 0 };
	struct dc_wire_send req;
	uint8_t buf[DC_WIRE_BUF_SIZE];
	uint32_t seq;
	int conn, n, rc;

	if (!opts)
		opts = &none;
	if (fd < 0)
		return -EBADF;
	if (opts->flags & ~(DC_SEND_LIVE | DC_SEND_DEBUG | DC_SEND_DESTROY |
			    DC_SEND_RESUME) ||
	    (opts->flags & DC_SEND_DESTROY && opts->flags & DC_SEND_RESUME)) {
		dc__log(ctx, DC_LOG_ERROR, "domain %u: send flags %#x: unknown "
			"or both destroy and resume", domid, opts->flags);
		return -EINVAL;
	}
	req = (struct dc_wire_send){
		.flags = opts->flags, .max_downtime_ms = opts->max_downtime_ms,
		.max_bytes_per_s = opts->max_bytes_per_s,
		.max_passes = opts->max_passes,
	};
	conn = dc__connect(ctx, domid);
	if (conn < 0)
		return conn;
	seq = ++ctx->seq;
	n = dc_wire_encode(buf, sizeof(buf), DC_WIRE_SEND, seq, &req,
			   sizeof(req));
	rc = n < 0 ? n : dc_wire_send_fd(conn, buf, (size_t)n, fd);
	if (rc) {
		dc__log(ctx, DC_LOG_ERROR, "domain %u: send request: %s",
			domid, strerror(-rc));
		close(conn);
		return rc;
	}
	return dc__send_op_new(ctx, domid, conn, seq, op);
}

int dc_domain_send(dc_ctx *ctx, uint32_t domid, int fd,
		   const struct dc_send_opts *opts, struct dc_send_result *res)
{
	struct dc_send_result r;
	struct dc_op *op;
	struct pollfd p;
	int rc;

	rc = dc_domain_send_start(ctx, domid, fd, opts, &op);
	if (rc)
		return rc;
	p = (struct pollfd){ .fd = dc_op_fd(op), .events = POLLIN };
	while ((rc = dc_op_step(op, NULL)) == -EAGAIN)
		if (poll(&p, 1, -1) < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
	if (!rc && res && !dc_op_send_result(op, &r))
		*res = r;
	dc_op_free(op);
	return rc;
}
