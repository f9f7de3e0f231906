// SPDX-License-Identifier: GPL-2.0
/*
 * Transactions: shadows of touched nodes, the view an operation sees, and
 * the one commit path every change to the tree goes through.
 *
 * Conflicts are found with generations: each node carries the store's
 * change counter from its last change (its value, perms or list of
 * children).  A commit fails with EAGAIN when any path the transaction
 * touched now has a different generation (or appeared, or vanished).
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

int xs_txn_charge(struct xs_op *op, long delta)
{
	struct xs_txn *t = op->txn;
	struct xs_domain *d;

	if (!t || t->implicit || t->priv)
		return 0;
	d = xs_domain_find(op->st, t->domid);
	if (!d)
		return 0; /* cannot happen: the transaction holds it */
	if (delta > 0 && d->txn_bytes + (size_t)delta > op->st->quota.txn_mem)
		return -ENOSPC;
	if (delta < 0 && (size_t)-delta > t->bytes)
		delta = -(long)t->bytes;
	d->txn_bytes += delta;
	t->bytes += delta;
	return 0;
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

int xs_shadow_dirty(struct xs_op *op, struct xs_shadow *sh)
{
	struct xs_node *n;
	char *val = NULL;

	if (sh->dirty)
		return 0;
	n = xs_lookup(op->st, sh->path, sh->plen);
	if (n) {
		if (n->vlen) {
			if (xs_txn_charge(op, n->vlen))
				return -ENOSPC;
			val = xs_malloc(n->vlen);
			if (!val) {
				xs_txn_charge(op, -(long)n->vlen);
				return -ENOMEM;
			}
			memcpy(val, xs_node_value(n), n->vlen);
		}
		sh->value = val;
		sh->vlen = n->vlen;
		sh->perms = xs_perms_get_ref(n->perms);
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
		sh = xs_shadow_find(op->txn, path, len);
		if (!sh && !op->txn->implicit) {
			sh = xs_shadow_get(op, path, len);
			if (!sh)
				return -errno;
		}
	}
	if (sh && sh->dirty) {
		v->exists = sh->exists;
		v->val = sh->value;
		v->vlen = sh->vlen;
		v->perms = sh->perms;
		v->gen = sh->base_gen;
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

int xs_view_children(struct xs_op *op, const char *path, size_t len,
		     xs_child_fn fn, void *arg)
{
	struct xs_shadow *sh = NULL, *c;
	struct xs_node *n, *child;
	size_t skip = len == 1 ? 1 : len + 1;
	char cpath[XS_ABS_PATH_MAX + 2];
	int rc;

	if (op->txn)
		sh = xs_shadow_find(op->txn, path, len);
	if (!sh || !sh->dirty || (sh->exists && !sh->created)) {
		n = xs_lookup(op->st, path, len);
		memcpy(cpath, path, len);
		cpath[skip - 1] = '/';
		for (child = n ? n->child : NULL; child;
		     child = child->sib_next) {
			if (op->txn && skip + child->nlen <= XS_ABS_PATH_MAX) {
				memcpy(cpath + skip, child->name, child->nlen);
				c = xs_shadow_find(op->txn, cpath,
						   skip + child->nlen);
				if (c && c->dirty && (!c->exists || c->created))
					continue;
			}
			rc = fn(child->name, child->nlen, arg);
			if (rc)
				return rc;
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

static void sh_free(struct xs_shadow *sh)
{
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
		sh_free(sh);
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

int xs_txn_commit(struct xs_op *op, struct xs_txn *t)
{
	struct xs_store *st = op->st;
	struct xs_shadow *sh;
	struct xs_node *n, *parent;
	struct xs_domain *d;
	int rc;

	if (!t->implicit) {
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
	/* Nothing below allocates or fails. */
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
	for (sh = t->first; sh; sh = sh->onext) {
		if (!sh->dirty || !sh->fire)
			continue;
		if (sh->rm_root) {
			xs_watch_fire(st, sh->path, sh->old_perms, true);
		} else if (sh->exists) {
			n = xs_lookup(st, sh->path, sh->plen);
			if (n)
				xs_watch_fire(st, sh->path, n->perms, false);
		}
	}
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
