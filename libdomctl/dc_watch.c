// SPDX-License-Identifier: LGPL-2.1
/* State-change events: a connection on which the monitor pushes them. */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <string.h>
#include <unistd.h>

#include "dc_internal.h"

int dc_domain_watch(dc_ctx *ctx, uint32_t domid)
{
	struct timeval forever = { 0 };
	int fd, rc;

	fd = dc__connect(ctx, domid);
	if (fd < 0)
		return fd;
	rc = dc__call_fd(ctx, fd, domid, DC_WIRE_WATCH, NULL, 0, NULL, 0);
	/* Events come when they come: no receive time limit from here on. */
	if (rc == 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &forever, sizeof(forever)) < 0)
		rc = -errno;
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

int dc_domain_watch_start(dc_ctx *ctx, uint32_t domid)
{
	uint8_t buf[sizeof(struct dc_wire_hdr)];
	int fd, n, rc;

	fd = dc__connect(ctx, domid);
	if (fd < 0)
		return fd;
	n = dc_wire_encode(buf, sizeof(buf), DC_WIRE_WATCH, ++ctx->seq, NULL,
			   0);
	rc = n < 0 ? n : dc_wire_send(fd, buf, (size_t)n);
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

int dc_watch_read(int fd, struct dc_dominfo *info)
{
	uint8_t buf[DC_WIRE_BUF_SIZE];
	const uint8_t *body;
	struct dc_wire_info wi;
	struct dc_wire_msg msg;
	uint32_t len;
	int32_t status;
	int rc;

	rc = dc_wire_recv(fd, buf, sizeof(buf), &msg);
	if (rc)
		return rc;
	/* the answer to dc_domain_watch_start's request */
	if (msg.hdr.type == (DC_WIRE_WATCH | DC_WIRE_REPLY)) {
		rc = dc_wire_reply_status(&msg, &status, &body, &len);
		return rc ? rc : status ? status : -EAGAIN;
	}
	if (msg.hdr.type != DC_WIRE_EVENT)
		return -EPROTO;
	memcpy(&wi, msg.payload, sizeof(wi));
	return dc__info_from_wire(&wi, info);
}
