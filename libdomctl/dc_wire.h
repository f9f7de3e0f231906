/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control protocol between libdomctl and a monitor (xlhv): versioned,
 * binary, one request and one reply at a time on a per-domain unix socket.
 *
 * Every message is a 16-byte header followed by `len` payload bytes, in
 * host byte order (both ends run on the same host; migration streams,
 * which cross hosts, have their own format).  A reply carries the request's type with
 * DC_WIRE_REPLY set and the request's seq; its payload starts with a
 * 32-bit status, 0 or a negative errno.  Each type's payload has a fixed
 * size range, checked by dc_wire_check() before anything reads it.
 *
 * This header is shared by libdomctl and the monitor and by nothing else.
 */
#ifndef DC_WIRE_H
#define DC_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DC_WIRE_MAGIC		0x43444c58u	/* "XLDC" */
#define DC_WIRE_VERSION		1
#define DC_WIRE_MAX_PAYLOAD	4096
#define DC_WIRE_REPLY		0x8000u

struct dc_wire_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t seq;
	uint32_t len;
};

enum dc_wire_type {
	DC_WIRE_HELLO = 1,	/* -> dc_wire_hello */
	DC_WIRE_INFO,		/* -> dc_wire_info */
	DC_WIRE_PAUSE,
	DC_WIRE_UNPAUSE,
	DC_WIRE_SHUTDOWN,	/* dc_wire_shutdown -> */
	DC_WIRE_DESTROY,
	DC_WIRE_WATCH,		/* -> (then the state now and each change,
				 * as EVENTs on this connection) */
	DC_WIRE_EVENT,		/* monitor -> client: dc_wire_info, unasked */
	DC_WIRE_SAVE,		/* dc_wire_save -> dc_wire_save_reply */
	DC_WIRE_SET_MEMORY,	/* dc_wire_set_memory -> (balloon target) */
	DC_WIRE_SET_VCPUS,	/* dc_wire_set_vcpus -> (vCPU hotplug) */
	/*
	 * dc_wire_send, with the stream's fd as SCM_RIGHTS on its first
	 * byte -> dc_wire_send_reply once the stream is complete.  Until
	 * then the monitor sends DC_WIRE_PROGRESS on that connection, and
	 * the connection closing cancels the send.
	 */
	DC_WIRE_SEND,
	DC_WIRE_PROGRESS,	/* monitor -> client: dc_wire_progress, unasked */
	DC_WIRE_TYPE_MAX,
};

struct dc_wire_hello {
	uint32_t version;	/* the monitor's protocol version */
	uint32_t pid;
};

struct dc_wire_shutdown {
	uint32_t reason;	/* enum dc_shutdown_reason */
};

/*
 * Pause the guest and write its whole state to @path (absolute, NUL
 * terminated within the array), then leave it paused or, with
 * DC_SAVE_DESTROY in @flags, destroy it.
 */
struct dc_wire_save {
	uint32_t flags;		/* DC_SAVE_* (domctl.h) */
	uint32_t pad;
	char path[1024];
};

/* The guest's memory target in KiB, at most what it was built with. */
struct dc_wire_set_memory {
	uint64_t target_kib;
};

/* How many vCPUs the guest should have online, 1..its maximum. */
struct dc_wire_set_vcpus {
	uint32_t online;
	uint32_t pad;
};

struct dc_wire_save_reply {
	uint64_t bytes;		/* the file's size */
	uint64_t save_ns;	/* from the pause to the file on disk */
};

/* The fields of struct dc_send_opts (domctl.h). */
struct dc_wire_send {
	uint32_t flags;		/* DC_SEND_* */
	uint32_t max_downtime_ms;
	uint64_t max_bytes_per_s;
	uint32_t max_passes;
	uint32_t pad;
};

/* The fields of struct dc_send_progress. */
struct dc_wire_progress {
	uint32_t pass;
	uint32_t paused;
	uint64_t pages_total;
	uint64_t pages_sent;
	uint64_t pages_dirty;
	uint64_t dirty_pages_per_s;
	uint64_t bytes_sent;
	uint64_t bytes_per_s;
	uint64_t est_downtime_ms;
	uint32_t throttle_pct;
	uint32_t pad;
};

/* The fields of struct dc_send_result. */
struct dc_wire_send_reply {
	uint64_t bytes;
	uint64_t pages_sent;
	uint32_t passes;
	uint32_t throttle_pct;
	uint64_t downtime_ns;
	uint64_t total_ns;
};

struct dc_wire_info {
	uint32_t state;		/* enum dc_state */
	uint32_t vcpus;
	uint64_t memory_kib;
	uint64_t cpu_time_ns;
	uint32_t shutdown_reason;
	uint32_t pad;
};

/* A message as read off the socket: header plus borrowed payload. */
struct dc_wire_msg {
	struct dc_wire_hdr hdr;
	const uint8_t *payload;
	uint32_t len;
};

/*
 * Encode a message into @buf (@cap bytes).  Returns the total length, or
 * -EMSGSIZE when the payload is over DC_WIRE_MAX_PAYLOAD or @buf too small.
 */
int dc_wire_encode(void *buf, size_t cap, uint16_t type, uint32_t seq,
		   const void *payload, uint32_t len);

/*
 * Encode a reply: the status then @len bytes of @body.  As dc_wire_encode.
 */
int dc_wire_encode_reply(void *buf, size_t cap, uint16_t req_type,
			 uint32_t seq, int32_t status, const void *body,
			 uint32_t len);

/*
 * Parse the first message in @buf (@len bytes).  Returns the bytes it
 * spans and fills @msg; 0 when @buf holds only part of a message; or
 * -EBADMSG (bad magic, unknown type, payload size wrong for the type),
 * -EPROTONOSUPPORT (other version), -EMSGSIZE (payload over the limit).
 */
int dc_wire_parse(const void *buf, size_t len, struct dc_wire_msg *msg);

/* The status of a parsed reply, and its body after the status. */
int dc_wire_reply_status(const struct dc_wire_msg *msg, int32_t *status,
			 const uint8_t **body, uint32_t *body_len);

/*
 * Read one whole message from blocking @fd into @buf (at least
 * DC_WIRE_MAX_PAYLOAD + header bytes).  Returns 0 and fills @msg, or
 * -ECONNRESET on EOF (mid-message included), or a dc_wire_parse error,
 * or -errno from read.
 */
int dc_wire_recv(int fd, void *buf, size_t cap, struct dc_wire_msg *msg);

/* Send all of @len bytes of @buf on socket @fd.  Returns 0 or -errno. */
int dc_wire_send(int fd, const void *buf, size_t len);

/*
 * dc_wire_send with @fd passed along (SCM_RIGHTS) on the first byte.
 * Returns 0 or -errno.
 */
int dc_wire_send_fd(int sock, const void *buf, size_t len, int fd);

/*
 * recv() of up to @len bytes into @buf (MSG_DONTWAIT with @nonblock),
 * taking any fd passed with them: the first into *@fd (close-on-exec),
 * or -1; any more are closed.  Returns the bytes read (0 on EOF) or
 * -errno.
 */
ssize_t dc_wire_recv_fd(int sock, void *buf, size_t len, int nonblock,
			int *fd);

#define DC_WIRE_BUF_SIZE (sizeof(struct dc_wire_hdr) + DC_WIRE_MAX_PAYLOAD)

#endif
