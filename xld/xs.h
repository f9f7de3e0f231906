/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The XenStore-compatible store: a tree of nodes with values, permissions,
 * watches, transactions and per-domain quotas.  Paths handed to the store
 * are absolute; the wire server resolves relative ones first.
 *
 * Every allocation goes through xs_malloc() and friends so that tests can
 * fail the Nth one (xs_alloc_fail_at()) and count what is still live.
 */
#ifndef XLD_XS_H
#define XLD_XS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Returns NULL with errno set. */
struct xs_store *xs_store_new(xs_event_fn fn, void *arg);
void xs_store_free(struct xs_store *st);
void xs_store_set_quota(struct xs_store *st, const struct xs_quota *q);
const struct xs_quota *xs_store_quota(struct xs_store *st);

bool xs_path_valid(const char *path);
bool xs_path_special(const char *path);

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
	struct xs_watch *hnext;	      /* same-path chain */
	struct xs_watch *next, *prev; /* every watch of the store */
	void *owner;		      /* the connection */
	uint32_t domid;
	bool priv;
	uint32_t rel_off; /* bytes stripped from event paths (relative) */
	uint32_t hash;
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
/* Fire watches for a change at @path (special paths included). */
void xs_watch_fire(struct xs_store *st, const char *path,
		   const struct xs_perms *perms, bool recursive);

#endif
