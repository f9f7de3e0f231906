// SPDX-License-Identifier: GPL-2.0
/*
 * A released domain's rights revoked (XSA-322): every node it owns passes
 * to Domain-0 and every access entry naming it goes, in the tree, in open
 * transactions and on the special nodes, so that a new domain given the
 * same domid later inherits nothing.  Called by xs_domain_release.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "xld/store/xs_internal.h"

struct revoke {
	struct xs_perms **slot; /* where the perms live */
	struct xs_perms *perms; /* what replaces them */
	struct xs_node *node;	/* NULL: not a node of the tree */
};

struct revoke_list {
	struct xs_store *st;
	uint32_t domid;
	struct revoke *r;
	size_t n, cap, next;
	struct xs_perms *last_old, *last_new; /* shared perms: one copy */
	int err;
};

static bool perms_name(const struct xs_perms *p, uint32_t domid)
{
	uint32_t i;

	for (i = 0; i < p->n; i++)
		if (p->p[i].domid == domid)
			return true;
	return false;
}

/* @p without @domid: owner Domain-0 in its place, its entries dropped. */
static struct xs_perms *perms_revoke(const struct xs_perms *p, uint32_t domid)
{
	struct xs_perms *np;
	uint32_t i, k = 1;

	np = xs_perms_new(p->p, p->n);
	if (!np)
		return NULL;
	if (np->p[0].domid == domid)
		np->p[0].domid = 0;
	for (i = 1; i < p->n; i++)
		if (p->p[i].domid != domid)
			np->p[k++] = p->p[i];
	np->n = k;
	return np;
}

static void revoke_add(struct revoke_list *l, struct xs_perms **slot,
		       struct xs_node *node)
{
	struct revoke *r;
	size_t cap;

	if (l->err || !*slot || !perms_name(*slot, l->domid))
		return;
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 64;
		r = xs_malloc(cap * sizeof(*r));
		if (!r) {
			l->err = -ENOMEM;
			return;
		}
		if (l->n)
			memcpy(r, l->r, l->n * sizeof(*r));
		xs_free(l->r);
		l->r = r;
		l->cap = cap;
	}
	r = &l->r[l->n];
	if (*slot == l->last_old) {
		r->perms = xs_perms_get_ref(l->last_new);
	} else {
		r->perms = perms_revoke(*slot, l->domid);
		if (!r->perms) {
			l->err = -ENOMEM;
			return;
		}
		l->last_old = *slot;
		l->last_new = r->perms;
	}
	r->slot = slot;
	r->node = node;
	l->n++;
}

static int revoke_collect(const struct xs_node *n, const char *path,
			  size_t plen, void *arg)
{
	struct revoke_list *l = arg;
	/* The walk hands out const nodes; this one is the store's own. */
	struct xs_node *m = (struct xs_node *)n;

	(void)path;
	(void)plen;
	revoke_add(l, &m->perms, m);
	return l->err;
}

/* Same walk, same order: apply what revoke_collect prepared. */
static int revoke_apply(const struct xs_node *n, const char *path, size_t plen,
			void *arg)
{
	struct revoke_list *l = arg;
	struct xs_domain *from, *to;
	struct revoke *r;
	struct xs_node *m;

	if (l->next == l->n || l->r[l->next].node != n)
		return 0;
	r = &l->r[l->next];
	m = r->node;
	from = xs_domain_find(l->st, m->perms->p[0].domid);
	to = xs_domain_find(l->st, r->perms->p[0].domid);
	if (from != to) {
		if (from && from->nodes)
			from->nodes--;
		if (to)
			to->nodes++;
	}
	xs_perms_put(m->perms);
	m->perms = r->perms;
	r->perms = NULL;
	/* As a SET_PERMS: open transactions that saw it conflict, and the
	 * journal records it. */
	xs_touch(l->st, m);
	xs_change_set(l->st, path, (uint32_t)plen, m);
	l->next++;
	return 0;
}

/* The perms open transactions hold: what they would commit or show. */
static void revoke_collect_txns(struct revoke_list *l)
{
	struct xs_shadow *sh;
	struct xs_txn *t;

	for (t = l->st->txns; t; t = t->next) {
		for (sh = t->first; sh; sh = sh->onext) {
			revoke_add(l, &sh->perms, NULL);
			revoke_add(l, &sh->old_perms, NULL);
			if (sh->snap)
				revoke_add(l, &sh->snap->perms, NULL);
		}
	}
}

int xs_domain_revoke(struct xs_store *st, uint32_t domid)
{
	struct revoke_list l = {.st = st, .domid = domid};
	struct xs_domain *d;
	size_t i;
	int rc;

	xs_walk(st, revoke_collect, &l);
	revoke_collect_txns(&l);
	for (i = 0; i < 2; i++)
		revoke_add(&l, &st->special[i].perms, NULL);
	rc = l.err;
	if (rc)
		goto out;
	/* Nothing below fails. */
	if (l.n && l.r[0].node)
		xs_walk(st, revoke_apply, &l);
	for (i = l.next; i < l.n; i++) {
		xs_perms_put(*l.r[i].slot);
		*l.r[i].slot = l.r[i].perms;
		l.r[i].perms = NULL;
	}
	/* A domain acting for it (a stub domain) acts for no one now. */
	for (i = 0; i < XS_DOM_BUCKETS; i++) {
		struct xs_domain *next;

		for (d = st->doms[i]; d; d = next) {
			next = d->next;
			if (d->has_target && d->target == domid) {
				d->has_target = false;
				xs_domain_maybe_free(st, d);
			}
		}
	}
out:
	for (i = 0; i < l.n; i++)
		xs_perms_put(l.r[i].perms);
	xs_free(l.r);
	return rc;
}

