/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The XenStore wire protocol server: the 16-byte header of xs_wire.h, one
 * request at a time per connection, replies in request order.
 */
#ifndef XLD_XS_SERVER_H
#define XLD_XS_SERVER_H

#include <stdint.h>

#include "xld/xld.h"
#include "xld/xs.h"

/* Message types, as numbered on the wire (xs_wire.h). */
enum xs_msg_type {
	XS_MSG_CONTROL = 0,
	XS_MSG_DIRECTORY = 1,
	XS_MSG_READ = 2,
	XS_MSG_GET_PERMS = 3,
	XS_MSG_WATCH = 4,
	XS_MSG_UNWATCH = 5,
	XS_MSG_TRANSACTION_START = 6,
	XS_MSG_TRANSACTION_END = 7,
	XS_MSG_INTRODUCE = 8,
	XS_MSG_RELEASE = 9,
	XS_MSG_GET_DOMAIN_PATH = 10,
	XS_MSG_WRITE = 11,
	XS_MSG_MKDIR = 12,
	XS_MSG_RM = 13,
	XS_MSG_SET_PERMS = 14,
	XS_MSG_WATCH_EVENT = 15,
	XS_MSG_ERROR = 16,
	XS_MSG_IS_DOMAIN_INTRODUCED = 17,
	XS_MSG_RESUME = 18,
	XS_MSG_SET_TARGET = 19,
	/* 20 was RESTRICT, removed */
	XS_MSG_RESET_WATCHES = 21,
	XS_MSG_DIRECTORY_PART = 22,
	XS_MSG_TYPE_COUNT
};

struct xs_msg_hdr {
	uint32_t type;
	uint32_t req_id;
	uint32_t tx_id;
	uint32_t len;
};

#define XS_HDR_LEN 16u

/* Bytes of queued output past which a connection's requests wait. */
#define XS_OUT_SOFT (64u * 1024)
/* Past this much queued output a connection is dropped. */
#define XS_OUT_HARD_PRIV (16u * 1024 * 1024)
#define XS_OUT_HARD (1024u * 1024)

struct xs_server;

/*
 * Serve @st on @loop.  Domains introduced get a socket
 * <@dom_dir>/<domid>.sock (connections there act as that unprivileged
 * domain); @dom_dir NULL disables that.  Returns NULL with errno set.
 */
struct xs_server *xs_server_new(struct xld_loop *loop, struct xs_store *st,
				const char *dom_dir);
/* Closes every connection and removes the sockets the server made. */
void xs_server_free(struct xs_server *srv);
/* Listen on a unix socket at @path for clients acting as @domid. */
int xs_server_listen(struct xs_server *srv, const char *path, uint32_t domid,
		     bool priv);
/*
 * Introduce a domain: its socket appears and @introduceDomain fires.
 * Release: the socket and the domain's connections go, @releaseDomain
 * fires.  (What INTRODUCE and RELEASE do; for xld's domain code.)
 */
int xs_server_introduce(struct xs_server *srv, uint32_t domid);
int xs_server_release(struct xs_server *srv, uint32_t domid);
/* The store's event callback: pass it to xs_store_new with the server. */
void xs_server_event(struct xs_watch *w, const char *epath, void *arg);
void xs_server_set_store(struct xs_server *srv, struct xs_store *st);
/* Called before queued replies are written out (the journal flush). */
void xs_server_set_flush_hook(struct xs_server *srv, void (*fn)(void *),
			      void *arg);
/* Connections open now (for tests and logs). */
unsigned int xs_server_conns(struct xs_server *srv);

#endif
