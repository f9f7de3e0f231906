// SPDX-License-Identifier: LGPL-2.1
/* One request/reply exchange with a domain's monitor. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "dc_internal.h"

/* A wedged monitor must not wedge xld: every exchange is bounded. */
#define CALL_TIMEOUT_S 10

int dc__connect(dc_ctx *ctx, uint32_t domid)
{
	struct timeval tv = { .tv_sec = CALL_TIMEOUT_S };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc;

	rc = dc__sock_path(ctx, domid, sa.sun_path, sizeof(sa.sun_path));
	if (rc)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = errno == ENOENT || errno == ECONNREFUSED ? -ESRCH : -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int dc__call(dc_ctx *ctx, uint32_t domid, uint16_t type, const void *req,
	     uint32_t req_len, void *body, uint32_t body_len)
{
	int fd, rc;

	fd = dc__connect(ctx, domid);
	if (fd < 0)
		return fd;
	rc = dc__call_fd(ctx, fd, domid, type, req, req_len, body, body_len);
	close(fd);
	return rc;
}

int dc__call_fd(dc_ctx *ctx, int fd, uint32_t domid, uint16_t type,
		const void *req, uint32_t req_len, void *body,
		uint32_t body_len)
{
	return dc__call_pass(ctx, fd, domid, type, req, req_len, body,
			     body_len, -1);
}

int dc__call_pass(dc_ctx *ctx, int fd, uint32_t domid, uint16_t type,
		  const void *req, uint32_t req_len, void *body,
		  uint32_t body_len, int pass)
{
	uint8_t buf[DC_WIRE_BUF_SIZE];
	struct dc_wire_msg msg;
	const uint8_t *rbody;
	uint32_t rlen, seq = ++ctx->seq;
	int32_t status;
	int n, rc;

	n = dc_wire_encode(buf, sizeof(buf), type, seq, req, req_len);
	rc = n < 0 ? n : pass >= 0 ?
			 dc_wire_send_fd(fd, buf, (size_t)n, pass) :
			 dc_wire_send(fd, buf, (size_t)n);
	if (rc)
		return rc;
	rc = dc_wire_recv(fd, buf, sizeof(buf), &msg);
	if (rc == -EAGAIN || rc == -EWOULDBLOCK)
		rc = -ETIMEDOUT;
	if (rc) {
		dc__log(ctx, DC_LOG_ERROR, "domain %u: no reply to request %u: %s",
			domid, type, strerror(-rc));
		goto out;
	}
	rc = dc_wire_reply_status(&msg, &status, &rbody, &rlen);
	if (rc || msg.hdr.type != (type | DC_WIRE_REPLY) || msg.hdr.seq != seq) {
		dc__log(ctx, DC_LOG_ERROR, "domain %u: malformed reply to "
			"request %u", domid, type);
		rc = -EPROTO;
		goto out;
	}
	rc = status;
	if (rc == 0 && body_len) {
		if (rlen != body_len) {
			rc = -EPROTO;
			goto out;
		}
		memcpy(body, rbody, body_len);
	}
out:
	return rc;
}
