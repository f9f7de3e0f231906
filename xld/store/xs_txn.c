// SPDX-License-Identifier: GPL-2.0
/*
 * Transactions: shadows of touched nodes, the view an operation sees, and
 * the one commit path every change to the tree goes through.
 *
 * Conflicts are found with generations: each node carries the store's
 * change counter from its last change (its value, perms or list of
 * children).  A commit fails with EAGAIN when any path the transaction
 * touched now has a different generation (or appeared, or vanished).
 *
 * Until then the transaction keeps reading what it first saw (xenstored
 * copies each node a transaction touches).  Copies are made only when
 * needed: a shadow that sees its node live counts in the node's txn_refs,
 * and a commit about to change a node with references first gives each of
 * those shadows a snapshot of it.  A transaction holding a snapshot is
 * bound to fail its commit with EAGAIN anyway.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xld/store/xs_internal.h"

void xs_txn_init_implicit(struct xs_txn *t, struct xs_op *op)
{
	memset(t, 0, sizeof(*t));
	t->implicit = true;
	t->domid = op->domid;
	t->priv = op->priv;
	t->tab = t->inline_tab;
	t->tab_size = XS_TXN_INLINE_BUCKETS;
}

struct xs_shadow *xs_shadow_find(struct xs_txn *t, const char *path, size_t len)
{
	uint32_t h = xs_hash(path, len) & (t->tab_size - 1);
	struct xs_shadow *sh;

	for (sh = t->tab[h]; sh; sh = sh->hnext)
		if (sh->plen == len && !memcmp(sh->path, path, len))
			return sh;
	return NULL;
}

static void sh_tab_grow(struct xs_txn *t)
{
	uint32_t size = t->tab_size * 4, i;
	struct xs_shadow **tab, *sh, *next;

	tab = xs_calloc(size, sizeof(*tab));
	if (!tab)
		return;
	for (i = 0; i < t->tab_size; i++) {
		for (sh = t->tab[i]; sh; sh = next) {
			uint32_t h = xs_hash(sh->path, sh->plen) & (size - 1);

			next = sh->hnext;
			sh->hnext = tab[h];
			tab[h] = sh;
		}
	}
	if (t->tab != t->inline_tab)
		xs_free(t->tab);
	t->tab = tab;
	t->tab_size = size;
}

static int txn_charge(struct xs_store *st, struct xs_txn *t, long delta)
{
	struct xs_domain *d;

	if (!t || t->implicit || t->priv)
		return 0;
	d = xs_domain_find(st, t->domid);
	if (!d)
		return 0; /* cannot happen: the transaction holds it */
	if (delta > 0 && d->txn_bytes + (size_t)delta > st->quota.txn_mem)
		return -ENOSPC;
	if (delta < 0 && (size_t)-delta > t->bytes)
		delta = -(long)t->bytes;
	d->txn_bytes += delta;
	t->bytes += delta;
	return 0;
}

int xs_txn_charge(struct xs_op *op, long delta)
{
	return txn_charge(op->st, op->txn, delta);
}

static void ref_take(struct xs_store *st, struct xs_shadow *sh,
		     struct xs_node *n)
{
	if (n->txn_refs != XS_NODE_REFS_STUCK)
		n->txn_refs++;
	sh->node = n;
	sh->ref = 1;
	st->txn_refs++;
}

static void ref_drop(struct xs_store *st, struct xs_shadow *sh)
{
	if (!sh->ref)
		return;
	if (sh->node->txn_refs != XS_NODE_REFS_STUCK)
		sh->node->txn_refs--;
	sh->node = NULL;
	sh->ref = 0;
	st->txn_refs--;
}

/*
 * @n is about to change under @sh (of transaction @t), which sees it live:
 * keep a copy of it there.  Out of memory or over its quota, @t is broken
 * instead of the commit that changes @n failing.
 */
static void snap_take(struct xs_store *st, struct xs_txn *t,
		      struct xs_shadow *sh, const struct xs_node *n)
{
	const struct xs_node *c;
	struct xs_snap *snap;
	size_t kids = 0, size;
	char *p;

	ref_drop(st, sh);
	if (t->broken)
		return;
	for (c = n->child; c; c = c->sib_next)
		kids += c->nlen + 1u;
	size = sizeof(*snap) + kids + n->vlen;
	if (txn_charge(st, t, (long)size)) {
		t->broken = true;
		return;
	}
	snap = xs_malloc(size);
	if (!snap) {
		t->broken = true;
		return;
	}
	p = snap->data;
	for (c = n->child; c; c = c->sib_next) {
		memcpy(p, c->name, c->nlen);
		p[c->nlen] = '\0';
		p += c->nlen + 1u;
	}
	snap->kids_len = (uint32_t)kids;
	snap->value = p;
	snap->vlen = n->vlen;
	if (n->vlen)
		memcpy(p, xs_node_value(n), n->vlen);
	snap->perms = xs_perms_get_ref(n->perms);
	sh->snap = snap;
}

static void snap_free(struct xs_snap *snap)
{
	if (!snap)
		return;
	xs_perms_put(snap->perms);
	xs_free(snap);
}

/*
 * Before @t changes the tree: it lets go of the nodes it referenced, and
 * every other transaction still seeing live a node @t changes (its value,
 * perms or children) gets its snapshot.
 */
static void preserve(struct xs_store *st, struct xs_txn *t)
{
	struct xs_shadow *sh, *o_sh;
	struct xs_node *n;
	struct xs_txn *o;

	for (sh = t->first; sh; sh = sh->onext)
		ref_drop(st, sh);
	if (!st->txn_refs)
		return;
	for (sh = t->first; sh; sh = sh->onext) {
		if (!sh->dirty && !sh->kids_dirty)
			continue;
		n = xs_lookup(st, sh->path, sh->plen);
		if (!n || !n->txn_refs)
			continue;
		for (o = st->txns; o; o = o->next) {
			if (o == t)
				continue;
			o_sh = xs_shadow_find(o, sh->path, sh->plen);
			if (o_sh && o_sh->ref)
				snap_take(st, o, o_sh, n);
		}
	}
}

struct xs_shadow *xs_shadow_get(struct xs_op *op, const char *path, size_t len)
{
	struct xs_txn *t = op->txn;
	struct xs_shadow *sh;
	struct xs_node *n;
	uint32_t h;

	sh = xs_shadow_find(t, path, len);
	if (sh)
		return sh;
	if (!t->priv && !t->implicit && t->nsh >= op->st->quota.txn_nodes) {
		errno = ENOSPC;
		return NULL;
	}
	if (xs_txn_charge(op, (long)(sizeof(*sh) + len + 1))) {
		errno = ENOSPC;
		return NULL;
	}
	sh = xs_calloc(1, sizeof(*sh) + len + 1);
	if (!sh) {
		xs_txn_charge(op, -(long)(sizeof(*sh) + len + 1));
		errno = ENOMEM;
		return NULL;
	}
	memcpy(sh->path, path, len);
	sh->path[len] = '\0';
	sh->plen = (uint32_t)len;
	n = xs_lookup(op->st, path, len);
	sh->base_gen = n ? n->gen : 0;
	if (n && !t->implicit)
		ref_take(op->st, sh, n);
	if (t->nsh >= 2 * t->tab_size)
		sh_tab_grow(t);
	h = xs_hash(path, len) & (t->tab_size - 1);
	sh->hnext = t->tab[h];
	t->tab[h] = sh;
	if (t->last)
		t->last->onext = sh;
	else
		t->first = sh;
	t->last = sh;
	t->nsh++;
	return sh;
}

void xs_shadow_view(struct xs_store *st, const struct xs_shadow *sh,
		    struct xs_view *v)
{
	const struct xs_node *n;

	v->gen = sh->base_gen;
	if (sh->dirty) {
		v->exists = sh->exists;
		v->val = sh->value;
		v->vlen = sh->vlen;
		v->perms = sh->perms;
	} else if (sh->snap) {
		v->exists = true;
		v->val = sh->snap->value;
		v->vlen = sh->snap->vlen;
		v->perms = sh->snap->perms;
	} else if (sh->base_gen && (n = xs_lookup(st, sh->path, sh->plen))) {
		/* Unchanged since: a change would have left a snapshot. */
		v->exists = true;
		v->val = xs_node_value(n);
		v->vlen = n->vlen;
		v->perms = n->perms;
	} else {
		/* Absent when first touched stays absent. */
		v->exists = false;
		v->val = NULL;
		v->vlen = 0;
		v->perms = NULL;
	}
}

int xs_shadow_dirty(struct xs_op *op, struct xs_shadow *sh)
{
	struct xs_view v;
	char *val = NULL;

	if (sh->dirty)
		return 0;
	if (op->txn->broken)
		return -EAGAIN;
	xs_shadow_view(op->st, sh, &v);
	if (v.exists) {
		if (v.vlen) {
			if (xs_txn_charge(op, v.vlen))
				return -ENOSPC;
			val = xs_malloc(v.vlen);
			if (!val) {
				xs_txn_charge(op, -(long)v.vlen);
				return -ENOMEM;
			}
			memcpy(val, v.val, v.vlen);
		}
		sh->value = val;
		sh->vlen = v.vlen;
		sh->perms = xs_perms_get_ref(v.perms);
		sh->exists = 1;
	} else {
		sh->exists = 0;
	}
	sh->dirty = 1;
	return 0;
}

int xs_view_get(struct xs_op *op, const char *path, size_t len,
		struct xs_view *v)
{
	struct xs_shadow *sh = NULL;
	struct xs_node *n;

	if (op->txn) {
		if (op->txn->broken)
			return -EAGAIN;
		sh = xs_shadow_find(op->txn, path, len);
		if (!sh && !op->txn->implicit) {
			sh = xs_shadow_get(op, path, len);
			if (!sh)
				return -errno;
		}
	}
	if (sh) {
		xs_shadow_view(op->st, sh, v);
		return 0;
	}
	n = xs_lookup(op->st, path, len);
	v->exists = n != NULL;
	v->val = n ? xs_node_value(n) : NULL;
	v->vlen = n ? n->vlen : 0;
	v->perms = n ? n->perms : NULL;
	v->gen = n ? n->gen : 0;
	return 0;
}

/* A child the node had, unless the transaction removed or re-created it. */
static int base_child(struct xs_op *op, char *cpath, size_t skip,
		      const char *name, size_t nlen, xs_child_fn fn, void *arg)
{
	struct xs_shadow *c;

	if (op->txn && skip + nlen <= XS_ABS_PATH_MAX) {
		memcpy(cpath + skip, name, nlen);
		c = xs_shadow_find(op->txn, cpath, skip + nlen);
		if (c && c->dirty && (!c->exists || c->created))
			return 0;
	}
	return fn(name, nlen, arg);
}

int xs_view_children(struct xs_op *op, const char *path, size_t len,
		     xs_child_fn fn, void *arg)
{
	struct xs_shadow *sh = NULL, *c;
	struct xs_node *n, *child;
	size_t skip = len == 1 ? 1 : len + 1, nlen;
	char cpath[XS_ABS_PATH_MAX + 2];
	const char *p, *end;
	int rc;

	if (op->txn)
		sh = xs_shadow_find(op->txn, path, len);
	/* The children it had when first touched: none if it was absent or
	 * the transaction made it anew. */
	if (!sh || (sh->dirty ? sh->exists && !sh->created : !!sh->base_gen)) {
		memcpy(cpath, path, len);
		cpath[skip - 1] = '/';
		if (sh && sh->snap) {
			end = sh->snap->data + sh->snap->kids_len;
			for (p = sh->snap->data; p < end; p += nlen + 1) {
				nlen = strlen(p);
				rc = base_child(op, cpath, skip, p, nlen, fn,
						arg);
				if (rc)
					return rc;
			}
		} else {
			n = xs_lookup(op->st, path, len);
			for (child = n ? n->child : NULL; child;
			     child = child->sib_next) {
				rc = base_child(op, cpath, skip, child->name,
						child->nlen, fn, arg);
				if (rc)
					return rc;
			}
		}
	}
	if (!sh || (sh->dirty && !sh->exists))
		return 0;
	for (c = sh->children.first; c; c = c->clink.next) {
		if (!c->dirty || !c->exists || !c->created)
			continue;
		rc = fn(c->path + skip, c->plen - skip, arg);
		if (rc)
			return rc;
	}
	return 0;
}

static void sh_free(struct xs_store *st, struct xs_shadow *sh)
{
	ref_drop(st, sh);
	snap_free(sh->snap);
	xs_perms_put(sh->perms);
	xs_perms_put(sh->old_perms);
	xs_free(sh->value);
	xs_node_destroy(sh->newnode);
	xs_free(sh);
}

void xs_txn_dispose(struct xs_store *st, struct xs_txn *t)
{
	struct xs_shadow *sh, *next;

	if (!t)
		return;
	for (sh = t->first; sh; sh = next) {
		next = sh->onext;
		sh_free(st, sh);
	}
	t->first = t->last = NULL;
	if (t->tab != t->inline_tab)
		xs_free(t->tab);
	t->tab = t->inline_tab;
	t->tab_size = XS_TXN_INLINE_BUCKETS;
	memset(t->inline_tab, 0, sizeof(t->inline_tab));
	t->nsh = 0;
}

/* Drop what commit prepared and any domain entry made for it. */
static void unprepare(struct xs_store *st, struct xs_txn *t)
{
	struct xs_shadow *sh;

	for (sh = t->first; sh; sh = sh->onext) {
		if (sh->newnode) {
			xs_node_destroy(sh->newnode);
			sh->newnode = NULL;
		}
		if (sh->dirty && sh->perms)
			xs_domain_maybe_free(
			    st, xs_domain_find(st, sh->perms->p[0].domid));
	}
}

static int prepare(struct xs_store *st, struct xs_txn *t)
{
	struct xs_shadow *sh;
	uint64_t creating = 0;
	int rc;

	for (sh = t->first; sh; sh = sh->onext)
		if (sh->dirty && sh->exists && sh->created)
			creating++;
	rc = xs_store_reserve(st, creating);
	if (rc)
		return rc;

	for (sh = t->first; sh; sh = sh->onext) {
		if (!sh->dirty || !sh->exists)
			continue;
		if (sh->created || sh->pdirty) {
			if (!xs_domain_get(st, sh->perms->p[0].domid))
				return -ENOMEM;
		}
		if (!sh->created)
			continue;
		{
			size_t off = xs_name_off(sh->path, sh->plen);

			sh->newnode =
			    xs_node_alloc(sh->path + off, sh->plen - off,
					  sh->value, sh->vlen, sh->perms);
		}
		if (!sh->newnode)
			return -ENOMEM;
	}
	return 0;
}

static void apply_update(struct xs_store *st, struct xs_shadow *sh)
{
	struct xs_node *n = xs_lookup(st, sh->path, sh->plen);
	struct xs_domain *from, *to;

	if (!n)
		return; /* cannot happen: validated */
	if (sh->vdirty) {
		if (sh->vlen <= n->icap) {
			xs_node_set_value(n, NULL, sh->value, sh->vlen);
		} else {
			xs_node_set_value(n, sh->value, NULL, sh->vlen);
			sh->value = NULL;
		}
	}
	if (sh->pdirty) {
		from = xs_domain_find(st, n->perms->p[0].domid);
		to = xs_domain_find(st, sh->perms->p[0].domid);
		if (from != to && to) {
			to->nodes++;
			if (from && from->nodes)
				from->nodes--;
			xs_domain_maybe_free(st, from);
		}
		xs_perms_put(n->perms);
		n->perms = xs_perms_get_ref(sh->perms);
	}
	xs_touch(st, n);
	xs_change_set(st, sh->path, sh->plen, n);
}

/* From @c on, the first sibling @t does not remove on its own; its path
 * (the parent's is buf[0..len)) is left in @buf. */
static const struct xs_node *kept(struct xs_txn *t, char *buf, size_t len,
				  const struct xs_node *c)
{
	struct xs_shadow *sh;

	for (; c; c = c->sib_next) {
		if (len + 1 + c->nlen > XS_ABS_PATH_MAX)
			continue; /* cannot happen: paths are shorter */
		buf[len] = '/';
		memcpy(buf + len + 1, c->name, c->nlen);
		sh = xs_shadow_find(t, buf, len + 1 + c->nlen);
		if (!sh || !sh->rm_root)
			return c;
	}
	return NULL;
}

/*
 * The watches on the nodes below @top (at @path) that a removal deletes, as
 * xenstored fires them: each on its own path, children before parents, in
 * list order.  Only nodes that exist count; a subtree @t removes on its own
 * (another removal in @t) fires with that removal.
 */
static void fire_below(struct xs_store *st, struct xs_txn *t,
		       const struct xs_node *top, const char *path, size_t len)
{
	char buf[XS_ABS_PATH_MAX + 2];
	const struct xs_node *n = top, *c;

	memcpy(buf, path, len);
	for (;;) {
		c = kept(t, buf, len, n->child);
		if (c) {
			len += 1 + c->nlen;
			n = c;
			continue;
		}
		/* No child left: fire, then on to the next sibling or up. */
		for (;;) {
			if (n == top)
				return;
			xs_watch_fire_exact(st, buf, len, n->perms);
			len -= 1 + n->nlen;
			c = kept(t, buf, len, n->sib_next);
			if (c) {
				len += 1 + c->nlen;
				n = c;
				break;
			}
			n = n->parent;
		}
	}
}

/* The watches @t's changes fire, before they are applied. */
static void fire(struct xs_store *st, struct xs_txn *t)
{
	struct xs_shadow *sh;
	struct xs_node *n;

	for (sh = t->first; sh; sh = sh->onext) {
		if (!sh->dirty || !sh->fire)
			continue;
		if (sh->rm_root) {
			n = sh->base_gen ? xs_lookup(st, sh->path, sh->plen)
					 : NULL;
			if (n)
				fire_below(st, t, n, sh->path, sh->plen);
			xs_watch_fire(st, sh->path, sh->old_perms);
		} else if (sh->exists) {
			xs_watch_fire(st, sh->path, sh->perms);
		}
	}
}

int xs_txn_commit(struct xs_op *op, struct xs_txn *t)
{
	struct xs_store *st = op->st;
	struct xs_shadow *sh;
	struct xs_node *n, *parent;
	struct xs_domain *d;
	int rc;

	if (!t->implicit) {
		if (t->broken)
			return -EAGAIN;
		for (sh = t->first; sh; sh = sh->onext) {
			n = xs_lookup(st, sh->path, sh->plen);
			if ((n ? n->gen : 0) != sh->base_gen)
				return -EAGAIN;
		}
		if (!t->priv && t->node_delta > 0 &&
		    xs_domain_nodes(st, t->domid) + t->node_delta >
			st->quota.nodes)
			return -ENOSPC;
	}
	rc = prepare(st, t);
	if (rc) {
		unprepare(st, t);
		return rc;
	}
	/* Nothing below fails. */
	preserve(st, t);
	fire(st, t);
	for (sh = t->first; sh; sh = sh->onext) {
		if (!sh->dirty || !sh->deleted || !sh->base_gen)
			continue;
		n = xs_lookup(st, sh->path, sh->plen);
		if (n) {
			xs_subtree_delete(st, n);
			xs_change_rm(st, sh->path, sh->plen);
		}
	}
	for (sh = t->created.first; sh; sh = sh->crlink.next) {
		if (!sh->dirty || !sh->exists || !sh->created || !sh->newnode)
			continue;
		parent =
		    xs_lookup(st, sh->path, xs_parent_len(sh->path, sh->plen));
		if (!parent)
			continue; /* cannot happen: created in order */
		xs_node_link(st, parent, sh->newnode);
		xs_touch(st, parent);
		xs_change_set(st, sh->path, sh->plen, sh->newnode);
		d = xs_domain_find(st, sh->newnode->perms->p[0].domid);
		if (d)
			d->nodes++;
		sh->newnode = NULL;
	}
	for (sh = t->first; sh; sh = sh->onext)
		if (sh->dirty && sh->exists && !sh->created &&
		    (sh->vdirty || sh->pdirty))
			apply_update(st, sh);
	return 0;
}

int xs_txn_start(struct xs_op *op, struct xs_txn **out)
{
	struct xs_store *st = op->st;
	struct xs_domain *d = NULL;
	struct xs_txn *t, *o;
	uint32_t id;

	/* Unprivileged domains: 10 open transactions, over all their
	 * connections (xenstored). */
	if (!op->priv) {
		d = xs_domain_get(st, op->domid);
		if (!d)
			return -ENOMEM;
		if (d->txns >= st->quota.txns) {
			xs_domain_maybe_free(st, d);
			return -ENOSPC;
		}
	}
	t = xs_calloc(1, sizeof(*t));
	if (!t) {
		xs_domain_maybe_free(st, d);
		return -ENOMEM;
	}
	if (d)
		d->txns++;
	t->domid = op->domid;
	t->priv = op->priv;
	t->tab = t->inline_tab;
	t->tab_size = XS_TXN_INLINE_BUCKETS;
	/* Ids are never 0 and never two open at once. */
	for (;;) {
		id = st->next_txn_id++;
		if (id == 0)
			continue;
		for (o = st->txns; o; o = o->next)
			if (o->id == id)
				break;
		if (!o)
			break;
	}
	t->id = id;
	t->next = st->txns;
	if (st->txns)
		st->txns->prev = t;
	st->txns = t;
	*out = t;
	return 0;
}

uint32_t xs_txn_id(const struct xs_txn *t)
{
	return t->id;
}

int xs_txn_end(struct xs_op *op, struct xs_txn *t, bool commit)
{
	struct xs_store *st = op->st;
	struct xs_op cop = *op;
	int rc = 0;

	cop.txn = t;
	if (commit)
		rc = xs_txn_commit(&cop, t);
	if (t->prev)
		t->prev->next = t->next;
	else
		st->txns = t->next;
	if (t->next)
		t->next->prev = t->prev;
	if (!t->priv) {
		struct xs_domain *d = xs_domain_find(st, t->domid);

		if (d && d->txns) {
			d->txn_bytes -=
			    t->bytes <= d->txn_bytes ? t->bytes : d->txn_bytes;
			d->txns--;
			xs_domain_maybe_free(st, d);
		}
	}
	xs_txn_dispose(st, t);
	xs_free(t);
	return rc;
}

void xs_txn_abort_all(struct xs_store *st)
{
	struct xs_op op = {.st = st, .priv = true};

	while (st->txns)
		xs_txn_end(&op, st->txns, false);
}
