// SPDX-License-Identifier: GPL-2.0
/*
 * Operations on nodes, with xenstored's permission rules: a missing node
 * answers ENOENT only to a domain allowed the same access to the nearest
 * existing ancestor (EACCES otherwise), so nodes a domain may not see do not
 * leak through errors.  Changes outside a transaction run in an implicit one
 * committed at once (see xs_txn.c).
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xld/store/xs_internal.h"

static uint32_t perm_of(struct xs_op *op, const struct xs_perms *perms)
{
	return xs_perms_for(op->st, op->domid, op->priv, perms);
}

/* The error for a missing @path: ENOENT or EACCES by the nearest ancestor. */
static int absent_errno(struct xs_op *op, const char *path, size_t len,
			uint32_t mode)
{
	struct xs_view v;
	int rc;

	while (len > 0) {
		len = xs_parent_len(path, len);
		rc = xs_view_get(op, path, len ? len : 1, &v);
		if (rc)
			return rc;
		if (v.exists)
			return (perm_of(op, v.perms) & mode) ? -ENOENT
							     : -EACCES;
	}
	return -ENOENT;
}

/* Valid, and no longer than xenstored allows (for every domain). */
static int check_path(struct xs_op *op, const char *path)
{
	if (!xs_path_valid(path) ||
	    !xs_path_len_ok(path, op->st->quota.path_len))
		return -EINVAL;
	return 0;
}

/* @path as @op sees it (*@v), checked to exist and be readable by it. */
static int view_readable(struct xs_op *op, const char *path, size_t *plen,
			 struct xs_view *v)
{
	int rc = check_path(op, path);

	if (rc)
		return rc;
	*plen = strlen(path);
	rc = xs_view_get(op, path, *plen, v);
	if (rc)
		return rc;
	if (!v->exists)
		return absent_errno(op, path, *plen, XS_PERM_READ);
	if (!(perm_of(op, v->perms) & XS_PERM_READ))
		return -EACCES;
	return 0;
}

int xs_node_read(struct xs_op *op, const char *path, const char **val,
		 uint32_t *len)
{
	struct xs_view v;
	size_t plen;
	int rc;

	rc = view_readable(op, path, &plen, &v);
	if (rc)
		return rc;
	*val = v.val ? v.val : "";
	*len = v.vlen;
	return 0;
}

struct list_state {
	uint32_t pos, off, cap, len;
	char *buf;
	bool full;
};

static int list_one(const char *name, size_t len, void *arg)
{
	struct list_state *ls = arg;
	uint32_t need = (uint32_t)len + 1;

	if (ls->pos + need <= ls->off) {
		ls->pos += need;
		return 0;
	}
	if (ls->pos < ls->off) {
		/* The offset falls inside a name: resume at the next. */
		ls->pos += need;
		return 0;
	}
	if (ls->len + need > ls->cap) {
		ls->full = true;
		return 1;
	}
	memcpy(ls->buf + ls->len, name, len);
	ls->buf[ls->len + len] = '\0';
	ls->len += need;
	ls->pos += need;
	return 0;
}

/*
 * Outside transactions: list from the store, resuming where the previous
 * call stopped when it asks for the next offset of the same unchanged
 * directory, so reading a huge directory in parts stays linear.
 */
static void list_main(struct xs_store *st, const struct xs_node *n,
		      struct list_state *ls)
{
	const struct xs_node *c = n->child;

	if (st->cursor.dir == n && st->cursor.gen == n->gen &&
	    st->cursor.off == ls->off && ls->off) {
		c = st->cursor.next;
		ls->pos = ls->off;
	}
	for (; c; c = c->sib_next)
		if (list_one(c->name, c->nlen, ls))
			break;
	st->cursor.dir = n;
	st->cursor.gen = n->gen;
	st->cursor.off = ls->pos;
	st->cursor.next = c;
}

int xs_node_list(struct xs_op *op, const char *path, uint32_t off, char *buf,
		 uint32_t cap, uint32_t *len, uint64_t *gen, bool *done)
{
	struct list_state ls = {.off = off, .cap = cap, .buf = buf};
	struct xs_view v;
	size_t plen;
	int rc;

	rc = view_readable(op, path, &plen, &v);
	if (rc)
		return rc;
	if (op->txn) {
		rc = xs_view_children(op, path, plen, list_one, &ls);
		if (rc < 0)
			return rc;
	} else {
		list_main(op->st, xs_lookup(op->st, path, plen), &ls);
	}
	*len = ls.len;
	*gen = v.gen;
	*done = !ls.full;
	return 0;
}

int xs_node_get_perms(struct xs_op *op, const char *path,
		      const struct xs_perms **out)
{
	struct xs_special *sp;
	struct xs_view v;
	size_t plen;
	int rc;

	sp = xs_path_special(path) ? xs_special_find(op->st, path) : NULL;
	if (sp) {
		if (!(perm_of(op, sp->perms) & XS_PERM_READ))
			return -EACCES;
		*out = sp->perms;
		return 0;
	}
	rc = view_readable(op, path, &plen, &v);
	if (rc)
		return rc;
	*out = v.perms;
	return 0;
}

/* The link of @sh at byte @off: one shadow sits on two ordered lists. */
#define SHADOW_LINK(sh, off) \
	((struct xs_shadow_link *)((char *)(sh) + (off)))

static void shadow_list_remove(struct xs_shadow_list *l, struct xs_shadow *sh,
			       size_t off)
{
	struct xs_shadow_link *k = SHADOW_LINK(sh, off);

	if (k->prev)
		SHADOW_LINK(k->prev, off)->next = k->next;
	else
		l->first = k->next;
	if (k->next)
		SHADOW_LINK(k->next, off)->prev = k->prev;
	else
		l->last = k->prev;
}

static void shadow_list_append(struct xs_shadow_list *l, struct xs_shadow *sh,
			       size_t off)
{
	struct xs_shadow_link *k = SHADOW_LINK(sh, off);

	k->next = NULL;
	k->prev = l->last;
	if (l->last)
		SHADOW_LINK(l->last, off)->next = sh;
	else
		l->first = sh;
	l->last = sh;
}

/*
 * Link @sh at the end of its parent's created children and at the end of
 * the transaction's creation order, moving it if it was on them already.
 */
static void created_append(struct xs_txn *t, struct xs_shadow *parent,
			   struct xs_shadow *sh)
{
	const size_t clink = offsetof(struct xs_shadow, clink);
	const size_t crlink = offsetof(struct xs_shadow, crlink);

	if (sh->cparent)
		shadow_list_remove(&sh->cparent->children, sh, clink);
	sh->cparent = parent;
	parent->kids_dirty = 1;
	shadow_list_append(&parent->children, sh, clink);
	if (sh->on_crlist)
		shadow_list_remove(&t->created, sh, crlink);
	shadow_list_append(&t->created, sh, crlink);
	sh->on_crlist = 1;
}

static int do_write(struct xs_op *op, const char *path, const void *val,
		    uint32_t vlen, bool mkdir)
{
	struct xs_perms *newp = NULL, *base;
	struct xs_shadow *sh, *psh;
	struct xs_view v;
	size_t plen, alen, l;
	uint32_t k = 0;
	char *buf = NULL;
	int rc;

	rc = check_path(op, path);
	if (rc)
		return rc;
	if (!op->priv && vlen > op->st->quota.value_len)
		return -ENOSPC;
	if (vlen > XS_PAYLOAD_MAX)
		return -E2BIG;
	plen = strlen(path);
	rc = xs_view_get(op, path, plen, &v);
	if (rc)
		return rc;
	if (v.exists && !(perm_of(op, v.perms) & XS_PERM_WRITE))
		return -EACCES;
	if (v.exists && mkdir)
		return 0;
	if (vlen) {
		rc = xs_txn_charge(op, vlen);
		if (rc)
			return rc;
		buf = xs_malloc(vlen);
		if (!buf)
			return -ENOMEM;
		memcpy(buf, val, vlen);
	}
	if (v.exists) {
		sh = xs_shadow_get(op, path, plen);
		if (!sh) {
			rc = -errno;
			goto out;
		}
		rc = xs_shadow_dirty(op, sh);
		if (rc)
			goto out;
		xs_txn_charge(op, -(long)sh->vlen);
		xs_free(sh->value);
		sh->value = buf;
		sh->vlen = vlen;
		buf = NULL;
		sh->vdirty = 1;
		sh->fire = 1;
		goto out;
	}
	/* Find the nearest existing ancestor; count the levels to create. */
	alen = plen;
	for (;;) {
		k++;
		alen = xs_parent_len(path, alen);
		rc = xs_view_get(op, path, alen ? alen : 1, &v);
		if (rc)
			goto out;
		if (v.exists)
			break;
	}
	if (!alen)
		alen = 1;
	if (!(perm_of(op, v.perms) & XS_PERM_WRITE)) {
		rc = -EACCES;
		goto out;
	}
	if (!op->priv &&
	    xs_domain_nodes(op->st, op->domid) + op->txn->node_delta + k >
		op->st->quota.nodes) {
		rc = -ENOSPC;
		goto out;
	}
	base = v.perms;
	if (!op->priv && base->p[0].domid != op->domid) {
		/* Unprivileged domains own what they create. */
		newp = xs_perms_new(base->p, base->n);
		if (!newp) {
			rc = -ENOMEM;
			goto out;
		}
		newp->p[0].domid = op->domid;
	} else {
		newp = xs_perms_get_ref(base);
	}
	/* Shadows for the ancestor and every new level, before any change. */
	for (l = alen;;) {
		if (!xs_shadow_get(op, path, l)) {
			rc = -errno;
			goto out;
		}
		if (l == plen)
			break;
		l = strchr(path + l + 1, '/')
			? (size_t)(strchr(path + l + 1, '/') - path)
			: plen;
	}
	psh = xs_shadow_find(op->txn, path, alen);
	for (l = alen; l < plen;) {
		l = strchr(path + l + 1, '/')
			? (size_t)(strchr(path + l + 1, '/') - path)
			: plen;
		sh = xs_shadow_find(op->txn, path, l);
		rc = xs_shadow_dirty(op, sh); /* absent: allocates nothing */
		if (rc)
			goto out;
		xs_txn_charge(op, -(long)sh->vlen);
		xs_free(sh->value);
		sh->value = NULL;
		sh->vlen = 0;
		xs_perms_put(sh->perms);
		sh->perms = xs_perms_get_ref(newp);
		sh->exists = 1;
		sh->created = 1;
		created_append(op->txn, psh, sh);
		psh = sh;
	}
	sh = psh;
	sh->value = buf;
	sh->vlen = vlen;
	buf = NULL;
	sh->fire = 1;
	if (!op->priv)
		op->txn->node_delta += k;
	rc = 0;
out:
	if (buf)
		xs_txn_charge(op, -(long)vlen);
	xs_perms_put(newp);
	xs_free(buf);
	return rc;
}

static int run_implicit(struct xs_op *op,
			int (*fn)(struct xs_op *, const void *),
			const void *arg)
{
	struct xs_txn t;
	struct xs_op iop = *op;
	int rc;

	xs_txn_init_implicit(&t, op);
	iop.txn = &t;
	rc = fn(&iop, arg);
	if (!rc)
		rc = xs_txn_commit(&iop, &t);
	xs_txn_dispose(op->st, &t);
	return rc;
}

struct write_args {
	const char *path;
	const void *val;
	uint32_t vlen;
	bool mkdir;
};

static int write_fn(struct xs_op *op, const void *arg)
{
	const struct write_args *a = arg;

	return do_write(op, a->path, a->val, a->vlen, a->mkdir);
}

int xs_node_write(struct xs_op *op, const char *path, const void *val,
		  uint32_t len)
{
	struct write_args a = {path, val, len, false};

	if (op->txn)
		return write_fn(op, &a);
	return run_implicit(op, write_fn, &a);
}

int xs_node_mkdir(struct xs_op *op, const char *path)
{
	struct write_args a = {path, NULL, 0, true};

	if (op->txn)
		return write_fn(op, &a);
	return run_implicit(op, write_fn, &a);
}

/* A stack of paths still to visit, in the arena. */
struct rm_walk {
	struct xs_op *op;
	const char **stack;
	size_t *lens;
	size_t n, cap;
	const char *parent;
	size_t plen;
	int err;
};

static int rm_push(struct rm_walk *w, const char *path, size_t len)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		const char **s = xs_arena_alloc(w->op->arena, cap * sizeof(*s));
		size_t *l = xs_arena_alloc(w->op->arena, cap * sizeof(*l));

		if (!s || !l)
			return -ENOMEM;
		if (w->n) {
			memcpy(s, w->stack, w->n * sizeof(*s));
			memcpy(l, w->lens, w->n * sizeof(*l));
		}
		w->stack = s;
		w->lens = l;
		w->cap = cap;
	}
	w->stack[w->n] = path;
	w->lens[w->n] = len;
	w->n++;
	return 0;
}

static int rm_child(const char *name, size_t len, void *arg)
{
	struct rm_walk *w = arg;
	size_t sep = w->plen == 1 ? 0 : 1;
	size_t clen = w->plen + sep + len;
	char *p = xs_arena_alloc(w->op->arena, clen + 1);

	if (!p)
		return -ENOMEM;
	memcpy(p, w->parent, w->plen);
	if (sep)
		p[w->plen] = '/';
	memcpy(p + w->plen + sep, name, len);
	p[clen] = '\0';
	return rm_push(w, p, clen);
}

static int do_rm(struct xs_op *op, const char *path)
{
	struct rm_walk w = {.op = op};
	struct xs_shadow *sh, *root = NULL;
	struct xs_view v;
	size_t plen, i, total = 0;
	int64_t owned = 0;
	int rc;

	rc = check_path(op, path);
	if (rc)
		return rc;
	if (!strcmp(path, "/"))
		return -EINVAL;
	plen = strlen(path);
	rc = xs_view_get(op, path, plen, &v);
	if (rc)
		return rc;
	if (!v.exists) {
		size_t alen = xs_parent_len(path, plen);

		rc = xs_view_get(op, path, alen, &v);
		if (rc)
			return rc;
		if (v.exists)
			return 0;
		return absent_errno(op, path, alen, XS_PERM_WRITE);
	}
	if (!(perm_of(op, v.perms) & XS_PERM_WRITE))
		return -EACCES;
	/* The parent's shadow records the generation its list had. */
	sh = xs_shadow_get(op, path, xs_parent_len(path, plen));
	if (!sh)
		return -errno;
	sh->kids_dirty = 1;
	/* Shadow every node of the subtree first (allocation only). */
	rc = rm_push(&w, path, plen);
	while (!rc && total < w.n) {
		w.parent = w.stack[total];
		w.plen = w.lens[total];
		total++;
		if (!xs_shadow_get(op, w.parent, w.plen))
			return -errno;
		rc = xs_view_children(op, w.parent, w.plen, rm_child, &w);
	}
	if (rc)
		return rc;
	root = xs_shadow_find(op->txn, path, plen);
	xs_shadow_view(op->st, root, &v);
	xs_perms_put(root->old_perms);
	root->old_perms = xs_perms_get_ref(v.perms);
	for (i = 0; i < w.n; i++) {
		sh = xs_shadow_find(op->txn, w.stack[i], w.lens[i]);
		xs_shadow_view(op->st, sh, &v);
		if (v.exists && v.perms->p[0].domid == op->domid)
			owned++;
		xs_txn_charge(op, -(long)sh->vlen);
		xs_free(sh->value);
		sh->value = NULL;
		sh->vlen = 0;
		xs_perms_put(sh->perms);
		sh->perms = NULL;
		sh->dirty = 1;
		sh->exists = 0;
		sh->deleted = 1;
	}
	root->rm_root = 1;
	root->fire = 1;
	if (!op->priv)
		op->txn->node_delta -= owned;
	return 0;
}

static int rm_fn(struct xs_op *op, const void *arg)
{
	return do_rm(op, arg);
}

int xs_node_rm(struct xs_op *op, const char *path)
{
	struct xs_arena local = {0};
	struct xs_op lop;
	int rc;

	if (op->arena) {
		if (op->txn)
			return do_rm(op, path);
		return run_implicit(op, rm_fn, path);
	}
	/* Callers without a request arena get one for this call. */
	rc = xs_arena_init(&local, 4096);
	if (rc)
		return rc;
	lop = *op;
	lop.arena = &local;
	rc = lop.txn ? do_rm(&lop, path) : run_implicit(&lop, rm_fn, path);
	xs_arena_dispose(&local);
	return rc;
}

struct perms_args {
	const char *path;
	const struct xs_perm *p;
	uint32_t n;
};

static int do_set_perms(struct xs_op *op, const void *arg)
{
	const struct perms_args *a = arg;
	struct xs_perms *newp;
	struct xs_shadow *sh;
	struct xs_view v;
	size_t plen;
	int rc;

	rc = check_path(op, a->path);
	if (rc)
		return rc;
	plen = strlen(a->path);
	rc = xs_view_get(op, a->path, plen, &v);
	if (rc)
		return rc;
	if (!v.exists)
		return absent_errno(op, a->path, plen, XS_PERM_WRITE);
	if (!(perm_of(op, v.perms) & XS_PERM_WRITE))
		return -EACCES;
	if (!op->priv && a->p[0].domid != v.perms->p[0].domid)
		return -EPERM;
	sh = xs_shadow_get(op, a->path, plen);
	if (!sh)
		return -errno;
	newp = xs_perms_new(a->p, a->n);
	if (!newp)
		return -errno;
	rc = xs_shadow_dirty(op, sh);
	if (rc) {
		xs_perms_put(newp);
		return rc;
	}
	xs_perms_put(sh->perms);
	sh->perms = newp;
	sh->pdirty = 1;
	sh->fire = 1;
	return 0;
}

int xs_node_set_perms(struct xs_op *op, const char *path,
		      const struct xs_perm *p, uint32_t n)
{
	struct perms_args a = {path, p, n};
	struct xs_special *sp;
	struct xs_perms *newp;

	if (n == 0)
		return -EINVAL;
	if (!op->priv && n > op->st->quota.perms)
		return -ENOSPC;
	sp = xs_path_special(path) ? xs_special_find(op->st, path) : NULL;
	if (sp) {
		if (!(perm_of(op, sp->perms) & XS_PERM_WRITE))
			return -EACCES;
		newp = xs_perms_new(p, n);
		if (!newp)
			return -errno;
		xs_perms_put(sp->perms);
		sp->perms = newp;
		return 0;
	}
	if (op->txn)
		return do_set_perms(op, &a);
	return run_implicit(op, do_set_perms, &a);
}
