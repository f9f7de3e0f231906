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

int dc_watch_read(int fd, struct dc_dominfo *info)
{
	uint8_t buf[DC_WIRE_BUF_SIZE];
	struct dc_wire_info wi;
	struct dc_wire_msg msg;
	int rc;

	rc = dc_wire_recv(fd, buf, sizeof(buf), &msg);
	if (rc)
		return rc;
	if (msg.hdr.type != DC_WIRE_EVENT)
		return -EPROTO;
	memcpy(&wi, msg.payload, sizeof(wi));
	return dc__info_from_wire(&wi, info);
}
