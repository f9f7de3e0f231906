/* SPDX-License-Identifier: GPL-2.0 */
/* Internals shared by xs_store.c, xs_txn.c, xs_watch.c and xs_perm.c. */
#ifndef XLD_XS_INTERNAL_H
#define XLD_XS_INTERNAL_H

#include <string.h>

#include "xld/store/xs.h"

/*
 * A node.  It stores its own name, not its path: the hash table (open
 * addressing, linear probing) is keyed by (parent, name), and a lookup walks
 * the path's components.  Children form
 * a circular doubly linked list in insertion order (child->sib_prev is the
 * last child).  The value follows the name when it fits the inline
 * capacity (icap, at least a pointer's size); otherwise the inline space
 * holds a pointer to the value's own block.
 */
struct xs_node {
	struct xs_node *parent, *child, *sib_next, *sib_prev;
	struct xs_perms *perms;
	uint64_t gen;
	uint16_t vlen; /* values are at most XS_PAYLOAD_MAX bytes */
	uint16_t icap;
	uint16_t nlen;
	/* Shadows of open transactions that still see this node as it is
	 * (see xs_txn.c); XS_NODE_REFS_STUCK once it saturates. */
	uint16_t txn_refs;
	char name[]; /* nlen bytes, then icap bytes of value or a pointer */
};

#define XS_NODE_REFS_STUCK UINT16_MAX

#define XS_NODE_ICAP_MIN ((uint32_t)sizeof(char *))
#define XS_NODE_ICAP_MAX 4096u

static inline const char *xs_node_value(const struct xs_node *n)
{
	const char *p;

	if (n->vlen <= n->icap)
		return n->name + n->nlen;
	memcpy(&p, n->name + n->nlen, sizeof(p));
	return p;
}

struct xs_domain {
	struct xs_domain *next;
	uint32_t domid;
	uint32_t target;
	bool has_target;
	bool introduced;
	uint32_t nodes;
	uint32_t watches;
	uint32_t txns;
	size_t txn_bytes; /* held by its open transactions */
};

#define XS_DOM_BUCKETS 64

struct xs_special {
	const char *path;
	struct xs_perms *perms;
};

struct xs_store {
	struct xs_node **tab; /* at most 4/5 full */
	uint32_t tab_size;    /* power of two */
	uint64_t count;
	uint64_t gen;
	struct xs_node *root;
	struct xs_domain *doms[XS_DOM_BUCKETS];
	struct xs_quota quota;
	/* watches */
	struct xs_watch **wtab;
	uint32_t wtab_size;
	uint32_t nwatches;
	uint64_t watch_seq;
	struct xs_watch *watches;
	xs_event_fn fire;
	void *fire_arg;
	struct xs_special special[2];
	xs_change_fn change;
	void *change_arg;
	/* Where the last DIRECTORY_PART stopped, to resume there. */
	struct {
		const struct xs_node *dir, *next;
		uint64_t gen;
		uint32_t off;
	} cursor;
	/* The last node looked up and its path: the next lookup of a path
	 * below it (or below its parent) starts there, so walking a deep
	 * tree costs no lookup from the root per node (XSA-418).  Cleared
	 * whenever a node leaves the table. */
	struct {
		struct xs_node *node;
		size_t len;
		char path[XS_ABS_PATH_MAX + 1];
	} lcache;
	/* transactions */
	uint32_t next_txn_id;
	struct xs_txn *txns;
	uint64_t txn_refs; /* shadows holding a node's txn_refs */
};

uint32_t xs_hash(const char *s, size_t len);
struct xs_node *xs_lookup(struct xs_store *st, const char *path, size_t len);
/* Make room in the table for @n more nodes; 0 or -ENOMEM. */
int xs_store_reserve(struct xs_store *st, uint64_t n);
/* Link @n under @parent; room must have been reserved. */
void xs_node_link(struct xs_store *st, struct xs_node *parent,
		  struct xs_node *n);
/* Allocate a node not yet linked, named @name, value copied inline. */
struct xs_node *xs_node_alloc(const char *name, size_t nlen, const char *val,
			      uint32_t vlen, struct xs_perms *perms);
/* Where the last component of @path starts. */
size_t xs_name_off(const char *path, size_t len);
void xs_node_destroy(struct xs_node *n);
/*
 * Replace the value.  @block, if not NULL, is a xs_malloc'd copy of the new
 * value that the node takes ownership of; otherwise the value must fit the
 * inline capacity.
 */
void xs_node_set_value(struct xs_node *n, char *block, const char *val,
		       uint32_t vlen);
/* Unlink and free the subtree at @n, counting nodes off their owners. */
void xs_subtree_delete(struct xs_store *st, struct xs_node *n);
/*
 * Visit every node, parents first, children in list order, with its path
 * (built in a buffer, valid during the call).  A non-zero return from @fn
 * stops the walk and is returned.
 */
typedef int (*xs_walk_fn)(const struct xs_node *n, const char *path,
			  size_t plen, void *arg);
int xs_walk(struct xs_store *st, xs_walk_fn fn, void *arg);
void xs_touch(struct xs_store *st, struct xs_node *n);

struct xs_domain *xs_domain_find(struct xs_store *st, uint32_t domid);
/* Find or create; NULL with errno = ENOMEM. */
struct xs_domain *xs_domain_get(struct xs_store *st, uint32_t domid);
/* Free @d if nothing refers to it any more. */
void xs_domain_maybe_free(struct xs_store *st, struct xs_domain *d);
/* xs_revoke.c: @domid's rights go, its nodes to Domain-0 (XSA-322);
 * 0, or -ENOMEM with nothing changed. */
int xs_domain_revoke(struct xs_store *st, uint32_t domid);

/* Tell the change hook about @n (SET) or a removal (RM). */
void xs_change_set(struct xs_store *st, const char *path, uint32_t plen,
		   const struct xs_node *n);
void xs_change_rm(struct xs_store *st, const char *path, uint32_t plen);

/* The parent path's length: "/a/b" -> 2, "/a" -> 1, "/" -> 0. */
size_t xs_parent_len(const char *path, size_t len);
struct xs_special *xs_special_find(struct xs_store *st, const char *path);
/* Fire the watches on exactly path[0..len) (a node a removal deletes). */
void xs_watch_fire_exact(struct xs_store *st, const char *path, size_t len,
			 const struct xs_perms *perms);

/*
 * Transactions (xs_txn.c).  A transaction holds one shadow per path it has
 * touched: clean shadows record the generation seen (the read set); dirty
 * ones carry the transaction's own state of the node.  Operations outside
 * a transaction run in an implicit one on the stack, committed at once, so
 * every change to the tree goes through one commit path that allocates
 * everything before it changes anything.
 *
 * A transaction keeps seeing each node as it was when it first touched it,
 * as xenstored does: a node absent then stays absent, and before a commit
 * changes a node another transaction still sees live, that transaction's
 * shadow gets a copy of the node as it was (its snapshot).
 */
struct xs_shadow_link {
	struct xs_shadow *prev, *next;
};

struct xs_shadow_list {
	struct xs_shadow *first, *last;
};

/* A node as a transaction first saw it: value, perms, child names. */
struct xs_snap {
	struct xs_perms *perms;
	uint32_t vlen;
	uint32_t kids_len; /* bytes of NUL-terminated names */
	char *value;	   /* points into data */
	char data[];	   /* child names, then the value */
};

struct xs_shadow {
	struct xs_shadow *hnext;
	struct xs_shadow *onext;	 /* order of first touch */
	struct xs_shadow_link crlink;	 /* in the txn's order of (re)creation */
	struct xs_shadow_link clink;	 /* in cparent's created children */
	struct xs_shadow_list children; /* created children, in order */
	struct xs_shadow *cparent;
	struct xs_perms *perms;	    /* dirty: the node's perms */
	struct xs_perms *old_perms; /* rm root: perms when removed */
	char *value;		    /* dirty: own copy */
	uint32_t vlen;
	uint32_t plen;
	uint64_t base_gen;	 /* 0: absent when first touched */
	struct xs_node *newnode; /* prepared at commit */
	struct xs_node *node;	 /* ref: the live node it counts in */
	struct xs_snap *snap;	 /* the node as first seen, once changed */
	unsigned dirty : 1, exists : 1, created : 1, deleted : 1, vdirty : 1,
	    pdirty : 1, rm_root : 1, fire : 1, on_crlist : 1, ref : 1,
	    kids_dirty : 1;
	char path[];
};

#define XS_TXN_INLINE_BUCKETS 16

struct xs_txn {
	struct xs_txn *next, *prev; /* the store's open transactions */
	uint32_t id;
	bool implicit;
	bool broken; /* a snapshot could not be kept: ends in EAGAIN */
	uint32_t domid;
	bool priv;
	struct xs_shadow **tab;
	uint32_t tab_size, nsh;
	struct xs_shadow *first, *last;
	struct xs_shadow_list created; /* order of (re)creation */
	int64_t node_delta; /* nodes the acting domain gains on commit */
	size_t bytes;	    /* charged to the domain's txn_bytes */
	struct xs_shadow *inline_tab[XS_TXN_INLINE_BUCKETS];
};

struct xs_view {
	bool exists;
	const char *val;
	uint32_t vlen;
	struct xs_perms *perms;
	uint64_t gen;
};

void xs_txn_init_implicit(struct xs_txn *t, struct xs_op *op);
void xs_txn_dispose(struct xs_store *st, struct xs_txn *t);
int xs_txn_commit(struct xs_op *op, struct xs_txn *t);
void xs_txn_abort_all(struct xs_store *st);
struct xs_shadow *xs_shadow_find(struct xs_txn *t, const char *path,
				 size_t len);
/* Find or create a (clean) shadow; NULL with errno set. */
struct xs_shadow *xs_shadow_get(struct xs_op *op, const char *path, size_t len);
/*
 * Charge (or with a negative @delta, credit) memory an explicit transaction
 * of an unprivileged domain holds; -ENOSPC over the domain's quota.
 */
int xs_txn_charge(struct xs_op *op, long delta);
/* Give @sh its own copy of the node's current state; 0 or -ENOMEM. */
int xs_shadow_dirty(struct xs_op *op, struct xs_shadow *sh);
/* What @sh's transaction sees at its path. */
void xs_shadow_view(struct xs_store *st, const struct xs_shadow *sh,
		    struct xs_view *v);
/* -EAGAIN in a broken transaction. */
int xs_view_get(struct xs_op *op, const char *path, size_t len,
		struct xs_view *v);
typedef int (*xs_child_fn)(const char *name, size_t len, void *arg);
/* Children of @path as the operation sees them, in list order. */
int xs_view_children(struct xs_op *op, const char *path, size_t len,
		     xs_child_fn fn, void *arg);

#endif
