// SPDX-License-Identifier: GPL-2.0
/*
 * The store's data structure: nodes in a hash table keyed by full path, the
 * tree links between them, per-domain accounting and the special nodes.
 * Operations on nodes are in xs_node.c, transactions in xs_txn.c.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xld/store/xs_internal.h"

#define XS_TAB_INITIAL 1024u

/*
 * Eight bytes a step: paths of a deep tree (XSA-418) are hashed once per
 * node touched, and a byte a step made that the bulk of a request's time.
 * Only ever kept in memory, so its values may change between builds.
 */
uint32_t xs_hash(const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	if (len) {
		w = 0;
		memcpy(&w, s, len);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 32;
	return (uint32_t)h;
}

static bool path_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '@' ||
	       c == '/';
}

/* Absolute, only xenstored's characters, no empty component. */
bool xs_path_valid(const char *path)
{
	size_t i;

	if (path[0] != '/')
		return false;
	for (i = 0; path[i]; i++) {
		if (i >= XS_ABS_PATH_MAX)
			return false;
		if (!path_char_ok(path[i]))
			return false;
		if (path[i] == '/' && path[i + 1] == '/')
			return false;
	}
	return i == 1 || path[i - 1] != '/';
}

/*
 * xenstored's length limit: @max characters after a leading
 * "/local/domain/<domid>/", for every domain alike, where <domid> is what
 * its sscanf("%5u") takes (at most five characters, a sign included).
 */
bool xs_path_len_ok(const char *path, uint32_t max)
{
	static const char home[] = "/local/domain/";
	size_t len = strlen(path), off = 0, i = sizeof(home) - 1, d;

	if (!strncmp(path, home, i)) {
		d = path[i] == '-' ? 1 : 0;
		while (d < 5 && path[i + d] >= '0' && path[i + d] <= '9')
			d++;
		if (d > (path[i] == '-' ? 1u : 0u) && path[i + d] == '/')
			off = i + d + 1;
	}
	return len - off <= max;
}

bool xs_path_special(const char *path)
{
	size_t i;

	if (path[0] != '@' || !path[1])
		return false;
	for (i = 1; path[i]; i++)
		if (i >= XS_ABS_PATH_MAX || !path_char_ok(path[i]))
			return false;
	return true;
}

size_t xs_parent_len(const char *path, size_t len)
{
	if (len <= 1)
		return 0;
	while (len > 0 && path[len - 1] != '/')
		len--;
	/* "/a" -> "/" (1); "/a/b" -> "/a" (2) */
	return len > 1 ? len - 1 : len;
}

size_t xs_name_off(const char *path, size_t len)
{
	size_t plen = xs_parent_len(path, len);

	return plen <= 1 ? plen : plen + 1;
}

static uint32_t node_hash(const struct xs_node *parent, const char *name,
			  size_t nlen)
{
	uint64_t p = (uint64_t)(uintptr_t)parent;

	return xs_hash(name, nlen) ^
	       (uint32_t)((p >> 4) * 0x9e3779b97f4a7c15ull >> 32);
}

static struct xs_node *child_find(struct xs_store *st,
				  const struct xs_node *parent,
				  const char *name, size_t nlen)
{
	uint32_t mask = st->tab_size - 1;
	uint32_t i = node_hash(parent, name, nlen) & mask;
	struct xs_node *n;

	while ((n = st->tab[i])) {
		if (n->parent == parent && n->nlen == nlen &&
		    !memcmp(n->name, name, nlen))
			return n;
		i = (i + 1) & mask;
	}
	return NULL;
}

static uint32_t slot_of(const struct xs_store *st, const struct xs_node *n)
{
	return node_hash(n->parent, n->name, n->nlen) & (st->tab_size - 1);
}

static void tab_put(struct xs_node **tab, uint32_t mask, uint32_t i,
		    struct xs_node *n)
{
	while (tab[i])
		i = (i + 1) & mask;
	tab[i] = n;
}

/* path[0..len) is @plen bytes of the cached path, then ends or goes on. */
static bool below(const char *path, size_t len, const char *prefix, size_t plen)
{
	return plen > 1 && len >= plen && !memcmp(path, prefix, plen) &&
	       (len == plen || path[plen] == '/');
}

/* Where a lookup of @path may start: *@i is the offset of what is left. */
static struct xs_node *lookup_start(struct xs_store *st, const char *path,
				    size_t len, size_t *i)
{
	size_t plen;

	*i = 1;
	if (!st->lcache.node)
		return st->root;
	if (below(path, len, st->lcache.path, st->lcache.len)) {
		*i = st->lcache.len + 1;
		return st->lcache.node;
	}
	plen = xs_parent_len(st->lcache.path, st->lcache.len);
	if (below(path, len, st->lcache.path, plen)) {
		*i = plen + 1;
		return st->lcache.node->parent;
	}
	return st->root;
}

struct xs_node *xs_lookup(struct xs_store *st, const char *path, size_t len)
{
	struct xs_node *n;
	size_t i, j;

	if (len == 0 || path[0] != '/')
		return NULL;
	n = lookup_start(st, path, len, &i);
	while (i < len && n) {
		for (j = i; j < len && path[j] != '/'; j++)
			;
		n = child_find(st, n, path + i, j - i);
		i = j + 1;
	}
	if (n && len > 1 && len <= XS_ABS_PATH_MAX) {
		if (st->lcache.node != n || st->lcache.len != len)
			memcpy(st->lcache.path, path, len);
		st->lcache.node = n;
		st->lcache.len = len;
	}
	return n;
}

int xs_store_reserve(struct xs_store *st, uint64_t n)
{
	uint32_t size = st->tab_size, i;
	struct xs_node **tab;

	while ((st->count + n) * 5 > (uint64_t)size * 4) {
		if (size >= (1u << 31))
			return -ENOMEM;
		size *= 2;
	}
	if (size == st->tab_size)
		return 0;
	tab = xs_calloc(size, sizeof(*tab));
	if (!tab)
		return -ENOMEM;
	for (i = 0; i < st->tab_size; i++) {
		struct xs_node *m = st->tab[i];

		if (m)
			tab_put(tab, size - 1,
				node_hash(m->parent, m->name, m->nlen) &
				    (size - 1),
				m);
	}
	xs_free(st->tab);
	st->tab = tab;
	st->tab_size = size;
	return 0;
}

struct xs_node *xs_node_alloc(const char *name, size_t nlen, const char *val,
			      uint32_t vlen, struct xs_perms *perms)
{
	uint32_t icap = vlen < XS_NODE_ICAP_MIN ? XS_NODE_ICAP_MIN : vlen;
	struct xs_node *n;
	char *block = NULL;

	if (nlen > XS_ABS_PATH_MAX || vlen > UINT16_MAX) {
		errno = EINVAL;
		return NULL;
	}
	/* Big values live in their own block, the node stays small. */
	if (icap > XS_NODE_ICAP_MAX) {
		block = xs_malloc(vlen);
		if (!block)
			return NULL;
		memcpy(block, val, vlen);
		icap = XS_NODE_ICAP_MIN;
	}
	n = xs_malloc(offsetof(struct xs_node, name) + nlen + icap);
	if (!n) {
		xs_free(block);
		return NULL;
	}
	memset(n, 0, offsetof(struct xs_node, name));
	memcpy(n->name, name, nlen);
	n->nlen = (uint16_t)nlen;
	n->icap = (uint16_t)icap;
	n->vlen = 0;
	xs_node_set_value(n, block, val, vlen);
	n->perms = xs_perms_get_ref(perms);
	return n;
}

void xs_node_set_value(struct xs_node *n, char *block, const char *val,
		       uint32_t vlen)
{
	char *inl = n->name + n->nlen;

	if (n->vlen > n->icap)
		xs_free((char *)xs_node_value(n));
	if (block && vlen > n->icap) {
		memcpy(inl, &block, sizeof(block));
	} else if (block) {
		memcpy(inl, block, vlen);
		xs_free(block);
	} else if (vlen) {
		memmove(inl, val, vlen);
	}
	n->vlen = (uint16_t)vlen;
}

void xs_node_destroy(struct xs_node *n)
{
	if (!n)
		return;
	if (n->vlen > n->icap)
		xs_free((char *)xs_node_value(n));
	xs_perms_put(n->perms);
	xs_free(n);
}

void xs_touch(struct xs_store *st, struct xs_node *n)
{
	n->gen = ++st->gen;
}

void xs_node_link(struct xs_store *st, struct xs_node *parent,
		  struct xs_node *n)
{
	n->parent = parent;
	tab_put(st->tab, st->tab_size - 1, slot_of(st, n), n);
	n->child = NULL;
	if (parent) {
		if (parent->child) {
			struct xs_node *last = parent->child->sib_prev;

			n->sib_prev = last;
			n->sib_next = NULL;
			last->sib_next = n;
			parent->child->sib_prev = n;
		} else {
			parent->child = n;
			n->sib_prev = n;
			n->sib_next = NULL;
		}
	}
	st->count++;
	xs_touch(st, n);
}

static void sib_unlink(struct xs_node *n)
{
	struct xs_node *p = n->parent;

	if (!p)
		return;
	if (p->child == n) {
		p->child = n->sib_next;
		if (p->child)
			p->child->sib_prev = n->sib_prev;
	} else {
		n->sib_prev->sib_next = n->sib_next;
		if (n->sib_next)
			n->sib_next->sib_prev = n->sib_prev;
		else
			p->child->sib_prev = n->sib_prev;
	}
	n->sib_next = n->sib_prev = NULL;
}

/* Linear probing: remove, then pull back what probed past the hole. */
static void hash_unlink(struct xs_store *st, struct xs_node *n)
{
	uint32_t mask = st->tab_size - 1, i, j, k;

	for (i = slot_of(st, n); st->tab[i] != n; i = (i + 1) & mask)
		if (!st->tab[i])
			return; /* not linked */
	st->tab[i] = NULL;
	st->lcache.node = NULL;
	for (j = (i + 1) & mask; st->tab[j]; j = (j + 1) & mask) {
		k = slot_of(st, st->tab[j]);
		/* Leave it if its home slot lies cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		st->tab[i] = st->tab[j];
		st->tab[j] = NULL;
		i = j;
	}
	st->count--;
}

/* Iterative: descend into a child, unlinking it, and free on the way up. */
void xs_subtree_delete(struct xs_store *st, struct xs_node *n)
{
	struct xs_node *cur = n, *up;
	struct xs_domain *d;

	if (n->parent)
		xs_touch(st, n->parent);
	sib_unlink(n);
	while (cur) {
		if (cur->child) {
			struct xs_node *c = cur->child;

			sib_unlink(c);
			cur = c;
			continue;
		}
		up = cur == n ? NULL : cur->parent;
		d = xs_domain_find(st, cur->perms->p[0].domid);
		if (d && d->nodes) {
			d->nodes--;
			xs_domain_maybe_free(st, d);
		}
		hash_unlink(st, cur);
		xs_node_destroy(cur);
		cur = up;
	}
}

int xs_walk(struct xs_store *st, xs_walk_fn fn, void *arg)
{
	char buf[XS_ABS_PATH_MAX + 2];
	const struct xs_node *n = st->root;
	size_t len = 1;
	int rc;

	buf[0] = '/';
	for (;;) {
		rc = fn(n, buf, len, arg);
		if (rc)
			return rc;
		if (n->child) {
			n = n->child;
			if (len > 1)
				buf[len++] = '/';
			memcpy(buf + len, n->name, n->nlen);
			len += n->nlen;
			continue;
		}
		while (n != st->root && !n->sib_next) {
			len -= n->nlen;
			if (len > 1)
				len--;
			n = n->parent;
		}
		if (n == st->root)
			return 0;
		len -= n->nlen;
		n = n->sib_next;
		memcpy(buf + len, n->name, n->nlen);
		len += n->nlen;
	}
}

struct xs_domain *xs_domain_find(struct xs_store *st, uint32_t domid)
{
	struct xs_domain *d;

	for (d = st->doms[domid % XS_DOM_BUCKETS]; d; d = d->next)
		if (d->domid == domid)
			return d;
	return NULL;
}

struct xs_domain *xs_domain_get(struct xs_store *st, uint32_t domid)
{
	struct xs_domain *d = xs_domain_find(st, domid);

	if (d)
		return d;
	d = xs_calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->domid = domid;
	d->next = st->doms[domid % XS_DOM_BUCKETS];
	st->doms[domid % XS_DOM_BUCKETS] = d;
	return d;
}

void xs_domain_maybe_free(struct xs_store *st, struct xs_domain *d)
{
	struct xs_domain **pp;

	if (!d || d->domid == 0 || d->introduced || d->nodes || d->watches ||
	    d->txns || d->has_target)
		return;
	for (pp = &st->doms[d->domid % XS_DOM_BUCKETS]; *pp;
	     pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			xs_free(d);
			return;
		}
	}
}

uint32_t xs_domain_nodes(struct xs_store *st, uint32_t domid)
{
	struct xs_domain *d = xs_domain_find(st, domid);

	return d ? d->nodes : 0;
}

uint32_t xs_domain_watches(struct xs_store *st, uint32_t domid)
{
	struct xs_domain *d = xs_domain_find(st, domid);

	return d ? d->watches : 0;
}

bool xs_domain_introduced(struct xs_store *st, uint32_t domid)
{
	struct xs_domain *d = xs_domain_find(st, domid);

	return d && d->introduced;
}

int xs_domain_introduce(struct xs_store *st, uint32_t domid)
{
	struct xs_domain *d;

	if (domid == 0 || domid > XS_DOMID_MAX)
		return -EINVAL;
	d = xs_domain_get(st, domid);
	if (!d)
		return -ENOMEM;
	if (!d->introduced) {
		d->introduced = true;
		xs_watch_fire(st, "@introduceDomain", NULL);
	}
	return 0;
}

int xs_domain_release(struct xs_store *st, uint32_t domid)
{
	struct xs_domain *d = xs_domain_find(st, domid);
	int rc;

	if (domid == 0 || domid > XS_DOMID_MAX)
		return -EINVAL;
	if (!d || !d->introduced)
		return -ENOENT;
	rc = xs_domain_revoke(st, domid);
	if (rc)
		return rc;
	d->introduced = false;
	d->has_target = false;
	xs_domain_maybe_free(st, d);
	xs_watch_fire(st, "@releaseDomain", NULL);
	return 0;
}

int xs_domain_set_target(struct xs_store *st, uint32_t domid, uint32_t target)
{
	struct xs_domain *d;

	if (domid == 0 || domid > XS_DOMID_MAX || target > XS_DOMID_MAX)
		return -EINVAL;
	d = xs_domain_get(st, domid);
	if (!d)
		return -ENOMEM;
	/* A domain made its own target acts as itself alone again. */
	d->target = target;
	d->has_target = domid != target;
	xs_domain_maybe_free(st, d);
	return 0;
}

void xs_store_set_change_hook(struct xs_store *st, xs_change_fn fn, void *arg)
{
	st->change = fn;
	st->change_arg = arg;
}

void xs_change_set(struct xs_store *st, const char *path, uint32_t plen,
		   const struct xs_node *n)
{
	struct xs_change ch = {XS_CHANGE_SET,	 path,	 plen, n->perms,
			       xs_node_value(n), n->vlen};

	if (st->change)
		st->change(&ch, st->change_arg);
}

void xs_change_rm(struct xs_store *st, const char *path, uint32_t plen)
{
	struct xs_change ch = {
	    .type = XS_CHANGE_RM, .path = path, .plen = plen};

	if (st->change)
		st->change(&ch, st->change_arg);
}

struct xs_special *xs_special_find(struct xs_store *st, const char *path)
{
	size_t i;

	for (i = 0; i < 2; i++)
		if (!strcmp(st->special[i].path, path))
			return &st->special[i];
	return NULL;
}

struct xs_store *xs_store_new(xs_event_fn fn, void *arg)
{
	static const struct xs_perm none0 = {0, XS_PERM_NONE};
	static const char *const layout[] = {"tool", "xenstored"};
	struct xs_store *st;
	struct xs_perms *perms = NULL;
	struct xs_node *parent, *n;
	struct xs_domain *d0;
	size_t i;
	int saved;

	st = xs_calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->quota = xs_quota_default;
	st->fire = fn;
	st->fire_arg = arg;
	st->next_txn_id = 1;
	st->special[0].path = "@introduceDomain";
	st->special[1].path = "@releaseDomain";
	st->tab_size = XS_TAB_INITIAL;
	st->tab = xs_calloc(st->tab_size, sizeof(*st->tab));
	if (!st->tab)
		goto fail;
	st->wtab_size = 64;
	st->wtab = xs_calloc(st->wtab_size, sizeof(*st->wtab));
	if (!st->wtab)
		goto fail;
	perms = xs_perms_new(&none0, 1);
	if (!perms)
		goto fail;
	st->special[0].perms = xs_perms_get_ref(perms);
	st->special[1].perms = xs_perms_get_ref(perms);
	d0 = xs_domain_get(st, 0);
	if (!d0)
		goto fail;
	d0->introduced = true;
	st->root = xs_node_alloc("", 0, NULL, 0, perms);
	if (!st->root)
		goto fail;
	/* The initial table has room: nothing to reserve. */
	xs_node_link(st, NULL, st->root);
	d0->nodes++;
	/* xenstored's own directory, empty, as it makes it at start. */
	for (i = 0, parent = st->root; i < 2; i++, parent = n) {
		n = xs_node_alloc(layout[i], strlen(layout[i]), NULL, 0, perms);
		if (!n)
			goto fail;
		xs_node_link(st, parent, n);
		d0->nodes++;
	}
	xs_perms_put(perms);
	return st;
fail:
	saved = errno;
	xs_perms_put(perms);
	xs_store_free(st);
	errno = saved;
	return NULL;
}

void xs_store_free(struct xs_store *st)
{
	size_t i;

	if (!st)
		return;
	xs_txn_abort_all(st);
	while (st->watches)
		xs_watch_del(st, st->watches);
	if (st->root)
		xs_subtree_delete(st, st->root);
	for (i = 0; i < XS_DOM_BUCKETS; i++) {
		struct xs_domain *d, *next;

		for (d = st->doms[i]; d; d = next) {
			next = d->next;
			xs_free(d);
		}
	}
	for (i = 0; i < 2; i++)
		xs_perms_put(st->special[i].perms);
	xs_free(st->wtab);
	xs_free(st->tab);
	xs_free(st);
}

void xs_store_set_quota(struct xs_store *st, const struct xs_quota *q)
{
	st->quota = *q;
}

const struct xs_quota *xs_store_quota(struct xs_store *st)
{
	return &st->quota;
}

uint64_t xs_store_count(struct xs_store *st)
{
	return st->count;
}

/* A growing text buffer for the dump. */
struct dumpbuf {
	char *p;
	size_t len, cap;
	int err;
};

static void db_put(struct dumpbuf *b, const char *s, size_t n)
{
	char *np;
	size_t cap;

	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		np = xs_malloc(cap);
		if (!np) {
			b->err = -ENOMEM;
			return;
		}
		if (b->len)
			memcpy(np, b->p, b->len);
		xs_free(b->p);
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static int dump_node(const struct xs_node *n, const char *path, size_t plen,
		     void *arg)
{
	const char *val = xs_node_value(n);
	struct dumpbuf *b = arg;
	char tmp[32];
	uint32_t i;

	db_put(b, path, plen);
	db_put(b, " [", 2);
	for (i = 0; i < n->perms->n; i++) {
		int len = xs_perm_format(&n->perms->p[i], tmp, sizeof(tmp));

		if (i)
			db_put(b, ",", 1);
		if (len > 0)
			db_put(b, tmp, (size_t)len);
	}
	db_put(b, "] = \"", 5);
	for (i = 0; i < n->vlen; i++) {
		unsigned char c = (unsigned char)val[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			db_put(b, (const char *)&c, 1);
		} else {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
			db_put(b, tmp, 4);
		}
	}
	db_put(b, "\"\n", 2);
	return 0;
}

char *xs_store_dump(struct xs_store *st)
{
	struct dumpbuf b = {0};

	db_put(&b, "", 0);
	xs_walk(st, dump_node, &b);
	if (b.err) {
		xs_free(b.p);
		errno = -b.err;
		return NULL;
	}
	return b.p;
}
