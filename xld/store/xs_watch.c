// SPDX-License-Identifier: GPL-2.0
/*
 * Watches.  They are hashed by path, so a change at /a/b/c looks up the
 * watches on "/", "/a", "/a/b" and "/a/b/c" and nothing else; a removal
 * also looks up each node it deletes (xs_txn.c), as xenstored fires the
 * watches on those, and no watch on a node that does not exist.  Events
 * for one change go out in the order the watches were registered, as
 * xenstored sends them.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xld/store/xs_internal.h"

/* Chains keep their order (registration order) as they grow. */
static void wtab_grow(struct xs_store *st)
{
	uint32_t size = st->wtab_size * 4, i, j;
	struct xs_watch **tab, **tail, *w, *next;

	tab = xs_calloc(size, sizeof(*tab));
	if (!tab)
		return;
	for (i = 0; i < st->wtab_size; i++) {
		for (w = st->wtab[i]; w; w = next) {
			next = w->hnext;
			j = w->hash & (size - 1);
			for (tail = &tab[j]; *tail; tail = &(*tail)->hnext)
				;
			w->hnext = NULL;
			*tail = w;
		}
	}
	xs_free(st->wtab);
	st->wtab = tab;
	st->wtab_size = size;
}

struct xs_watch *xs_watch_find(struct xs_store *st, void *owner,
			       const char *path, const char *token)
{
	uint32_t h = xs_hash(path, strlen(path));
	struct xs_watch *w;

	for (w = st->wtab[h & (st->wtab_size - 1)]; w; w = w->hnext)
		if (w->owner == owner && w->hash == h &&
		    !strcmp(w->path, path) && !strcmp(w->token, token))
			return w;
	return NULL;
}

int xs_watch_add(struct xs_store *st, void *owner, uint32_t domid, bool priv,
		 const char *path, const char *token, uint32_t rel_off,
		 struct xs_watch **out)
{
	size_t plen = strlen(path), tlen = strlen(token);
	struct xs_watch *w, **pp;
	struct xs_domain *d;
	uint32_t h;

	if ((!xs_path_valid(path) && !xs_path_special(path)) ||
	    !xs_path_len_ok(path, st->quota.path_len))
		return -EINVAL;
	if (rel_off > plen)
		return -EINVAL;
	if (xs_watch_find(st, owner, path, token))
		return -EEXIST;
	d = xs_domain_find(st, domid);
	if (!priv && d && d->watches >= st->quota.watches)
		return -E2BIG;
	w = xs_malloc(sizeof(*w) + plen + 1 + tlen + 1);
	if (!w)
		return -ENOMEM;
	d = xs_domain_get(st, domid);
	if (!d) {
		xs_free(w);
		return -ENOMEM;
	}
	memset(w, 0, sizeof(*w));
	memcpy(w->path, path, plen + 1);
	w->token = w->path + plen + 1;
	memcpy(w->token, token, tlen + 1);
	w->owner = owner;
	w->domid = domid;
	w->priv = priv;
	w->rel_off = rel_off;
	w->plen = (uint32_t)plen;
	w->seq = st->watch_seq++;
	if (st->nwatches >= 2 * st->wtab_size)
		wtab_grow(st);
	h = xs_hash(path, plen);
	w->hash = h;
	/* Chains keep registration order, so events do too. */
	for (pp = &st->wtab[h & (st->wtab_size - 1)]; *pp; pp = &(*pp)->hnext)
		;
	w->hnext = NULL;
	*pp = w;
	w->next = st->watches;
	if (st->watches)
		st->watches->prev = w;
	st->watches = w;
	st->nwatches++;
	d->watches++;
	*out = w;
	return 0;
}

void xs_watch_del(struct xs_store *st, struct xs_watch *w)
{
	struct xs_watch **pp;
	struct xs_domain *d;

	for (pp = &st->wtab[w->hash & (st->wtab_size - 1)]; *pp;
	     pp = &(*pp)->hnext) {
		if (*pp == w) {
			*pp = w->hnext;
			break;
		}
	}
	if (w->prev)
		w->prev->next = w->next;
	else
		st->watches = w->next;
	if (w->next)
		w->next->prev = w->prev;
	st->nwatches--;
	d = xs_domain_find(st, w->domid);
	if (d && d->watches) {
		d->watches--;
		xs_domain_maybe_free(st, d);
	}
	xs_free(w);
}

void xs_watch_del_owner(struct xs_store *st, void *owner)
{
	struct xs_watch *w, *next;

	for (w = st->watches; w; w = next) {
		next = w->next;
		if (w->owner == owner)
			xs_watch_del(st, w);
	}
}

static bool may_see(struct xs_store *st, const struct xs_watch *w,
		    const struct xs_perms *perms)
{
	if (!perms)
		return true;
	return xs_perms_for(st, w->domid, w->priv, perms) & XS_PERM_READ;
}

/* From @w on, the first watch in its chain on path[0..len) (hash @h). */
static struct xs_watch *match(struct xs_watch *w, uint32_t h, const char *path,
			      size_t len)
{
	for (; w; w = w->hnext)
		if (w->hash == h && w->plen == len && !memcmp(w->path, path, len))
			return w;
	return NULL;
}

/* Merge the watches on path[0..len) into @list (by fnext, in seq order). */
static struct xs_watch *merge(struct xs_store *st, struct xs_watch *list,
			      const char *path, size_t len)
{
	uint32_t h = xs_hash(path, len);
	struct xs_watch *out = NULL, **tail = &out, *w;

	w = match(st->wtab[h & (st->wtab_size - 1)], h, path, len);
	while (w || list) {
		if (w && (!list || w->seq < list->seq)) {
			*tail = w;
			tail = &w->fnext;
			w = match(w->hnext, h, path, len);
		} else {
			*tail = list;
			tail = &list->fnext;
			list = list->fnext;
		}
	}
	*tail = NULL;
	return out;
}

static void fire_list(struct xs_store *st, struct xs_watch *list,
		      const char *epath, const struct xs_perms *perms)
{
	struct xs_watch *w, *next;

	for (w = list; w; w = next) {
		next = w->fnext;
		if (may_see(st, w, perms))
			st->fire(w, epath, st->fire_arg);
	}
}

void xs_watch_fire_exact(struct xs_store *st, const char *path, size_t len,
			 const struct xs_perms *perms)
{
	char epath[XS_ABS_PATH_MAX + 1];

	if (!st->fire || !st->nwatches || len > XS_ABS_PATH_MAX)
		return;
	memcpy(epath, path, len);
	epath[len] = '\0';
	fire_list(st, merge(st, NULL, path, len), epath, perms);
}

void xs_watch_fire(struct xs_store *st, const char *path,
		   const struct xs_perms *perms)
{
	struct xs_watch *list;
	struct xs_special *sp;
	size_t len = strlen(path), i;

	if (!st->fire || !st->nwatches)
		return;
	if (path[0] == '@') {
		sp = xs_special_find(st, path);
		fire_list(st, merge(st, NULL, path, len), path,
			  sp ? sp->perms : perms);
		return;
	}
	/* "/", every prefix ending before a '/', and the path itself. */
	list = merge(st, NULL, path, 1);
	for (i = 1; i < len; i++)
		if (path[i] == '/')
			list = merge(st, list, path, i);
	if (len > 1)
		list = merge(st, list, path, len);
	fire_list(st, list, path, perms);
}
