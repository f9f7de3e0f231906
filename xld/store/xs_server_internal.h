/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the wire server's two halves share: its connections and listeners
 * (xs_server.c) and the requests (xs_requests.c).  Only xld/store/
 * includes this.
 */
#ifndef XLD_XS_SERVER_INTERNAL_H
#define XLD_XS_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xld/store/xs.h"

/* Transactions one connection may hold open. */
#define XS_CONN_TXNS_MAX 1024
/* Requests an unprivileged connection has handled per event of the loop
 * before the others' turn (a deep tree's request takes milliseconds). */
#define XS_CONN_BURST 1
/* Connections one unprivileged domain may hold open at once. */
#define XS_DOM_CONNS_MAX 128

struct xs_listener {
	struct xs_listener *next;
	struct xs_server *srv;
	int fd;
	unsigned int nconns;
	uint32_t domid;
	bool priv;
	char path[108];
};

struct xs_conn_txn {
	struct xs_conn_txn *next;
	struct xs_txn *t;
};

struct xs_conn {
	struct xs_conn *next, *prev;
	struct xs_conn *flush_next;
	struct xs_server *srv;
	struct xs_listener *via; /* NULL once the listener is gone */
	int fd;
	uint32_t domid;
	bool priv;
	bool closing;
	bool on_flush;
	bool paused;   /* not reading: output backlog */
	bool want_out; /* EPOLLOUT armed */
	char *in; /* XS_HDR_LEN + XS_PAYLOAD_MAX, while a message is partial */
	uint32_t in_len;
	char *out;
	size_t out_off, out_len, out_cap;
	uint32_t out_replies; /* replies queued since the output last drained */
	struct xs_conn_txn *txns;
	uint32_t ntxns;
	unsigned int poll_gen; /* xs_server_poll's last visit */
	unsigned int burst;    /* requests handled since its last event */
};

struct xs_server {
	struct xld_loop *loop;
	struct xs_store *st;
	struct xs_listener *listeners;
	struct xs_conn *conns;
	unsigned int nconns;
	struct xs_conn *flush;
	struct xs_arena arena;
	char *dom_dir;
	int spare_fd; /* closed to accept (and refuse) when out of fds */
	void (*flush_hook)(void *);
	void *flush_arg;
	unsigned int poll_gen;
};

/* One request being handled. */
struct xs_req {
	struct xs_conn *c;
	struct xs_msg_hdr hdr;
	char *data; /* payload, followed by a NUL we add */
	uint32_t len;
	const char *argv[4];
	uint32_t argc;
	struct xs_op op;
};

#define XF_PRIV 1u	  /* Domain-0 only */
#define XF_TXN 2u	  /* runs inside the transaction in tx_id */
#define XF_RAW 4u	  /* payload is "path NUL value" (WRITE) */
#define XF_EXACT 8u	  /* exactly nargs strings, nothing after */
#define XF_BAD_ENOENT 16u /* any other payload: ENOENT, not EINVAL */

struct xs_wire_func {
	const char *name;
	int (*fn)(struct xs_req *r);
	uint32_t nargs; /* NUL-terminated strings required */
	uint32_t flags;
};

/* ---- xs_server.c ---- */
/* Queue @r's reply (a failure marks the connection closing). */
void xs_reply(struct xs_req *r, const void *data, uint32_t len);
void xs_reply_ok(struct xs_req *r);
void xs_reply_error(struct xs_req *r, int err);

/*
 * For the fuzz target (fuzz/fuzz_wire.c), which runs the server without
 * the loop: serve @fd (one end of a socket pair; taken, closed on failure)
 * as @domid, as a listener does a client it accepts; and handle every
 * connection once as if it were readable and writable.
 */
int xs_server_adopt(struct xs_server *srv, int fd, uint32_t domid, bool priv);
void xs_server_poll(struct xs_server *srv);

/* ---- xs_requests.c ---- */
/* Handle one whole message of @c: checked, run, answered. */
void xs_request_handle(struct xs_conn *c, const struct xs_msg_hdr *h,
		       char *data);
/* Forget @c's watches and transactions (closing, RESET_WATCHES). */
void xs_conn_drop_state(struct xs_conn *c);

#endif
