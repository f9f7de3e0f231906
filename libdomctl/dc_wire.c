// SPDX-License-Identifier: GPL-2.0
/* The libdomctl <-> monitor control protocol codec (see dc_wire.h). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "dc_wire.h"

#define STATUS_LEN ((uint32_t)sizeof(int32_t))

/* Payload sizes per type: a request's exact size, a success reply's body. */
static const struct {
	uint32_t req_len;
	uint32_t reply_body_len;
} wire_sizes[DC_WIRE_TYPE_MAX] = {
	[DC_WIRE_HELLO] = { 0, sizeof(struct dc_wire_hello) },
	[DC_WIRE_INFO] = { 0, sizeof(struct dc_wire_info) },
	[DC_WIRE_PAUSE] = { 0, 0 },
	[DC_WIRE_UNPAUSE] = { 0, 0 },
	[DC_WIRE_SHUTDOWN] = { sizeof(struct dc_wire_shutdown), 0 },
	[DC_WIRE_DESTROY] = { 0, 0 },
	[DC_WIRE_WATCH] = { 0, 0 },
	[DC_WIRE_EVENT] = { sizeof(struct dc_wire_info), 0 },
	[DC_WIRE_SAVE] = { sizeof(struct dc_wire_save),
			   sizeof(struct dc_wire_save_reply) },
	[DC_WIRE_SET_MEMORY] = { sizeof(struct dc_wire_set_memory), 0 },
	[DC_WIRE_SET_VCPUS] = { sizeof(struct dc_wire_set_vcpus), 0 },
	[DC_WIRE_SEND] = { sizeof(struct dc_wire_send),
			   sizeof(struct dc_wire_send_reply) },
	[DC_WIRE_PROGRESS] = { sizeof(struct dc_wire_progress), 0 },
};

int dc_wire_encode(void *buf, size_t cap, uint16_t type, uint32_t seq,
		   const void *payload, uint32_t len)
{
	struct dc_wire_hdr hdr = {
		.magic = DC_WIRE_MAGIC, .version = DC_WIRE_VERSION,
		.type = type, .seq = seq, .len = len,
	};

	if (len > DC_WIRE_MAX_PAYLOAD || cap < sizeof(hdr) + len)
		return -EMSGSIZE;
	memcpy(buf, &hdr, sizeof(hdr));
	if (len)
		memcpy((uint8_t *)buf + sizeof(hdr), payload, len);
	return (int)(sizeof(hdr) + len);
}

int dc_wire_encode_reply(void *buf, size_t cap, uint16_t req_type,
			 uint32_t seq, int32_t status, const void *body,
			 uint32_t len)
{
	uint8_t payload[DC_WIRE_MAX_PAYLOAD];

	if (len > DC_WIRE_MAX_PAYLOAD - STATUS_LEN)
		return -EMSGSIZE;
	memcpy(payload, &status, STATUS_LEN);
	if (len)
		memcpy(payload + STATUS_LEN, body, len);
	return dc_wire_encode(buf, cap, req_type | DC_WIRE_REPLY, seq, payload,
			      STATUS_LEN + len);
}

/* Is @len a valid payload size for a message of @type? */
static int size_ok(uint16_t type, uint32_t len)
{
	uint16_t op = type & ~DC_WIRE_REPLY;

	if (op == 0 || op >= DC_WIRE_TYPE_MAX)
		return 0;
	if (!(type & DC_WIRE_REPLY))
		return len == wire_sizes[op].req_len;
	/* A failed request's reply is the status alone. */
	return len == STATUS_LEN ||
	       len == STATUS_LEN + wire_sizes[op].reply_body_len;
}

int dc_wire_parse(const void *buf, size_t len, struct dc_wire_msg *msg)
{
	struct dc_wire_hdr hdr;

	if (len < sizeof(hdr))
		return 0;
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.magic != DC_WIRE_MAGIC)
		return -EBADMSG;
	if (hdr.version != DC_WIRE_VERSION)
		return -EPROTONOSUPPORT;
	if (hdr.len > DC_WIRE_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (!size_ok(hdr.type, hdr.len))
		return -EBADMSG;
	if (len - sizeof(hdr) < hdr.len)
		return 0;
	msg->hdr = hdr;
	msg->payload = (const uint8_t *)buf + sizeof(hdr);
	msg->len = hdr.len;
	return (int)(sizeof(hdr) + hdr.len);
}

int dc_wire_reply_status(const struct dc_wire_msg *msg, int32_t *status,
			 const uint8_t **body, uint32_t *body_len)
{
	int32_t st;

	if (!(msg->hdr.type & DC_WIRE_REPLY) || msg->len < STATUS_LEN)
		return -EBADMSG;
	memcpy(&st, msg->payload, STATUS_LEN);
	/*
	 * A success must carry its body, a failure nothing but a -errno
	 * (-4095..-1: the callers negate it, strerror it).
	 */
	if (st > 0 || st < -4095 || (st < 0 && msg->len != STATUS_LEN) ||
	    (st == 0 && msg->len != STATUS_LEN +
	     wire_sizes[msg->hdr.type & ~DC_WIRE_REPLY].reply_body_len))
		return -EBADMSG;
	*status = st;
	*body = msg->payload + STATUS_LEN;
	*body_len = msg->len - STATUS_LEN;
	return 0;
}

/* Read exactly @len bytes; -ECONNRESET on EOF. */
static int read_full(int fd, uint8_t *p, size_t len)
{
	while (len) {
		ssize_t r = read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ECONNRESET;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int dc_wire_recv(int fd, void *buf, size_t cap, struct dc_wire_msg *msg)
{
	struct dc_wire_hdr hdr;
	int rc;

	if (cap < DC_WIRE_BUF_SIZE)
		return -EINVAL;
	rc = read_full(fd, buf, sizeof(hdr));
	if (rc)
		return rc;
	memcpy(&hdr, buf, sizeof(hdr));
	/* Check the header before trusting its length. */
	rc = dc_wire_parse(buf, sizeof(hdr), msg);
	if (rc < 0)
		return rc;
	rc = read_full(fd, (uint8_t *)buf + sizeof(hdr), hdr.len);
	if (rc)
		return rc;
	rc = dc_wire_parse(buf, sizeof(hdr) + hdr.len, msg);
	return rc < 0 ? rc : 0;
}

int dc_wire_send(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		/* No SIGPIPE: a monitor gone away is an error, not a death. */
		ssize_t r = send(fd, p, len, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int dc_wire_send_fd(int sock, const void *buf, size_t len, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cm.buf, .msg_controllen = sizeof(cm.buf),
	};
	struct cmsghdr *c;
	ssize_t r;

	if (!len)
		return -EINVAL;
	memset(&cm, 0, sizeof(cm));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do
		r = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	/* the fd went with the first byte; the rest is plain */
	return dc_wire_send(sock, (const uint8_t *)buf + r, len - (size_t)r);
}

ssize_t dc_wire_recv_fd(int sock, void *buf, size_t len, int nonblock,
			int *fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} cm;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cm.buf, .msg_controllen = sizeof(cm.buf),
	};
	struct cmsghdr *c;
	ssize_t r;

	*fd = -1;
	do
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC |
			    (nonblock ? MSG_DONTWAIT : 0));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*fd < 0)
				*fd = f;
			else
				close(f);
		}
	}
	return r;
}
