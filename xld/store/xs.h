/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The XenStore-compatible store: a tree of nodes with values, permissions,
 * watches, transactions and per-domain quotas.  Paths handed to the store
 * are absolute; the wire server resolves relative ones first.
 *
 * This is the store's one public header: the tree (below), the wire server
 * and the journal (at the end).  It includes nothing of the domain side.
 *
 * Every allocation goes through xs_malloc() and friends so that tests can
 * fail the Nth one (xs_alloc_fail_at()) and count what is still live.
 */
#ifndef XLD_XS_H
#define XLD_XS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xld/loop.h"

/* ---- allocation hook (xs_alloc.c) ---- */
void *xs_malloc(size_t n);
void *xs_calloc(size_t n, size_t size);
void xs_free(void *p);
/* Fail the @n-th allocation from now (0 = the next one); -1 disables. */
void xs_alloc_fail_at(long n);
/* Allocations made through the hook and not yet freed. */
long xs_alloc_live(void);

/* Per-request scratch arena: everything in it is freed by xs_arena_reset. */
struct xs_arena_chunk;
struct xs_arena {
	char *base;
	size_t used, cap;
	struct xs_arena_chunk *chunks;
};
int xs_arena_init(struct xs_arena *a, size_t cap);
void xs_arena_dispose(struct xs_arena *a);
void xs_arena_reset(struct xs_arena *a);
/* Returns NULL with errno = ENOMEM when out of memory. */
void *xs_arena_alloc(struct xs_arena *a, size_t n);

/* ---- limits and quotas ---- */
#define XS_PAYLOAD_MAX 4096
#define XS_ABS_PATH_MAX 3072
#define XS_REL_PATH_MAX 2048
#define XS_DOMID_MAX 32767

struct xs_quota {
	uint32_t nodes;	    /* nodes owned by a domain */
	uint32_t value_len; /* bytes in one node's value */
	uint32_t watches;   /* watches per domain */
	uint32_t txns;	    /* open transactions per domain */
	uint32_t perms;	    /* permission entries per node */
	uint32_t path_len;  /* characters in a path below the domain home */
	uint32_t requests;  /* outstanding requests per connection */
	uint32_t txn_nodes; /* nodes touched by one transaction */
	uint32_t txn_mem;   /* bytes a domain's transactions may hold */
};
/* xenstored's defaults for unprivileged domains. */
extern const struct xs_quota xs_quota_default;

/* ---- permissions (xs_perm.c) ---- */
#define XS_PERM_NONE 0u
#define XS_PERM_READ 1u
#define XS_PERM_WRITE 2u
#define XS_PERM_BOTH (XS_PERM_READ | XS_PERM_WRITE)

struct xs_perm {
	uint32_t domid;
	uint32_t mode;
};

/* Immutable and shared between nodes; p[0] is the owner and the mode for
 * every domain not listed. */
struct xs_perms {
	uint32_t ref;
	uint32_t n;
	struct xs_perm p[];
};

/* Returns NULL with errno set. */
struct xs_perms *xs_perms_new(const struct xs_perm *p, uint32_t n);
struct xs_perms *xs_perms_get_ref(struct xs_perms *perms);
void xs_perms_put(struct xs_perms *perms);
/* Parse "r5" style strings; 0 or -EINVAL. */
int xs_perm_parse(const char *s, struct xs_perm *out);
/* Write "b0" style text for one entry into buf (>= 16 bytes). */
int xs_perm_format(const struct xs_perm *p, char *buf, size_t len);
bool xs_perms_equal(const struct xs_perms *a, const struct xs_perms *b);

struct xs_store;
struct xs_txn;
struct xs_watch;

/* Who is asking, and in which transaction. */
struct xs_op {
	struct xs_store *st;
	uint32_t domid;
	bool priv;
	struct xs_txn *txn;	/* NULL outside a transaction */
	struct xs_arena *arena; /* scratch, reset by the caller; may be NULL */
};

uint32_t xs_perms_for(struct xs_store *st, uint32_t domid, bool priv,
		      const struct xs_perms *perms);

/* ---- the store (xs_store.c) ---- */
/* Called for each watch event: w's owner gets (epath, token). */
typedef void (*xs_event_fn)(struct xs_watch *w, const char *epath, void *arg);

/* A store holding what xenstored starts with: /, /tool, /tool/xenstored.
 * Returns NULL with errno set. */
struct xs_store *xs_store_new(xs_event_fn fn, void *arg);
void xs_store_free(struct xs_store *st);
void xs_store_set_quota(struct xs_store *st, const struct xs_quota *q);
const struct xs_quota *xs_store_quota(struct xs_store *st);

bool xs_path_valid(const char *path);
bool xs_path_special(const char *path);
/* At most @max characters below a domain's home (or in all, elsewhere). */
bool xs_path_len_ok(const char *path, uint32_t max);

int xs_node_read(struct xs_op *op, const char *path, const char **val,
		 uint32_t *len);
int xs_node_write(struct xs_op *op, const char *path, const void *val,
		  uint32_t len);
int xs_node_mkdir(struct xs_op *op, const char *path);
int xs_node_rm(struct xs_op *op, const char *path);
/*
 * Child names of @path, each NUL-terminated, from byte @off of the full list
 * into @buf (at most @cap bytes, whole names only).  *@done says whether the
 * list ended within @buf.
 */
int xs_node_list(struct xs_op *op, const char *path, uint32_t off, char *buf,
		 uint32_t cap, uint32_t *len, uint64_t *gen, bool *done);
/* *@out is borrowed until the next store operation. */
int xs_node_get_perms(struct xs_op *op, const char *path,
		      const struct xs_perms **out);
int xs_node_set_perms(struct xs_op *op, const char *path,
		      const struct xs_perm *p, uint32_t n);

/* Domains known to the store (introduced, or owning something). */
int xs_domain_introduce(struct xs_store *st, uint32_t domid);
int xs_domain_release(struct xs_store *st, uint32_t domid);
bool xs_domain_introduced(struct xs_store *st, uint32_t domid);
/* @domid acts as @target too (as itself alone when they are equal). */
int xs_domain_set_target(struct xs_store *st, uint32_t domid, uint32_t target);
/* Node and watch counts charged to @domid (for tests and CONTROL). */
uint32_t xs_domain_nodes(struct xs_store *st, uint32_t domid);
uint32_t xs_domain_watches(struct xs_store *st, uint32_t domid);

/* Number of nodes in the store, root included. */
uint64_t xs_store_count(struct xs_store *st);
/*
 * A canonical text dump of the whole tree (path, perms, value), children in
 * list order.  Returns a string to free with xs_free, or NULL with errno set.
 */
char *xs_store_dump(struct xs_store *st);

/* A committed change, in the order commits apply them. */
enum xs_change_type { XS_CHANGE_SET = 1, XS_CHANGE_RM = 2 };
struct xs_change {
	enum xs_change_type type;
	const char *path;
	uint32_t plen;
	const struct xs_perms *perms; /* SET */
	const char *value;	      /* SET */
	uint32_t vlen;
};
typedef void (*xs_change_fn)(const struct xs_change *ch, void *arg);
/* Called for every change a commit applies (the journal). */
void xs_store_set_change_hook(struct xs_store *st, xs_change_fn fn, void *arg);

/* ---- transactions (xs_txn.c) ---- */
int xs_txn_start(struct xs_op *op, struct xs_txn **out);
/* Ends (and always frees) @t; -EAGAIN when a commit conflicts. */
int xs_txn_end(struct xs_op *op, struct xs_txn *t, bool commit);
uint32_t xs_txn_id(const struct xs_txn *t);

/* ---- watches (xs_watch.c) ---- */
struct xs_watch {
	struct xs_watch *hnext;	      /* same-path chain, in seq order */
	struct xs_watch *next, *prev; /* every watch of the store */
	struct xs_watch *fnext;	      /* while firing: the next to fire */
	void *owner;		      /* the connection */
	uint64_t seq;		      /* registration order */
	uint32_t domid;
	bool priv;
	uint32_t rel_off; /* bytes stripped from event paths (relative) */
	uint32_t hash;
	uint32_t plen;
	char *token;
	char path[];
};

/* *@out belongs to the store until xs_watch_del(). */
int xs_watch_add(struct xs_store *st, void *owner, uint32_t domid, bool priv,
		 const char *path, const char *token, uint32_t rel_off,
		 struct xs_watch **out);
struct xs_watch *xs_watch_find(struct xs_store *st, void *owner,
			       const char *path, const char *token);
void xs_watch_del(struct xs_store *st, struct xs_watch *w);
/* Delete every watch of @owner. */
void xs_watch_del_owner(struct xs_store *st, void *owner);
/* Fire the watches on @path and its ancestors (or on a special path). */
void xs_watch_fire(struct xs_store *st, const char *path,
		   const struct xs_perms *perms);

/* ---- the wire server (xs_server.c) ---- */
/*
 * The XenStore wire protocol server: the 16-byte header of xs_wire.h, one
 * request at a time per connection, replies in request order.
 */

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

/* ---- the store on disk (xs_journal.c) ---- */
/*
 * The store on disk: a snapshot (store.db) and a journal of the changes
 * committed since (store.journal), both in XLD_STATEDIR.
 *
 * Every committed change is appended to the journal before its reply goes
 * out, so it survives xld being killed (kill -9); each second
 * (xs_journal_tick) a background thread fdatasyncs it, bounding what a
 * power loss can take to about a second (more only while the disk itself
 * takes longer to sync, which no longer holds up the event loop).  Snapshots are written to a temporary file, fsync'd and renamed.
 * A file that fails its checks is reported and nothing of it is loaded.
 */

#define XS_SNAPSHOT_FILE "store.db"
#define XS_JOURNAL_FILE "store.journal"
/* Past this many journal bytes, the next tick writes a snapshot. */
#define XS_JOURNAL_COMPACT (8u * 1024 * 1024)

struct xs_journal;

/*
 * Load the snapshot and replay the journal in @dir into @st (a new store),
 * then write a fresh snapshot and start journaling @st's changes.
 * -EBADMSG: a file is corrupt (@err says which and where).
 */
int xs_journal_open(struct xs_store *st, const char *dir,
		    struct xs_journal **out, char *err, size_t errlen);
/* Snapshot, sync and stop journaling. */
void xs_journal_close(struct xs_journal *j);
/* Stop journaling and free @j, writing nothing (as if xld had died). */
void xs_journal_discard(struct xs_journal *j);
/* Write out changes journaled since the last call (before replies go). */
int xs_journal_flush(struct xs_journal *j);
/* Once a second: fdatasync if anything was written; compact if large. */
int xs_journal_tick(struct xs_journal *j);
/* Write a snapshot now and start an empty journal. */
int xs_journal_snapshot(struct xs_journal *j);

uint32_t xs_crc32(uint32_t crc, const void *buf, size_t len);

#endif
