// SPDX-License-Identifier: GPL-2.0
/*
 * The XenStore wire requests: each message type's handler, the table of
 * them, and the checks every request passes first (arguments split and
 * counted, privilege, transaction).  Every argument is hostile.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xld/log.h"
#include "xld/store/xs.h"
#include "xld/store/xs_server_internal.h"

/* ---- helpers ---- */

/* Resolve a relative path against the domain's home, in the arena. */
static const char *canon(struct xs_req *r, const char *path)
{
	char *p;
	size_t len;

	if (path[0] == '/' || path[0] == '@')
		return path;
	if (!path[0])
		return NULL;
	len = strlen(path);
	if (len > XS_ABS_PATH_MAX)
		return NULL;
	p = xs_arena_alloc(r->op.arena, len + 32);
	if (!p)
		return NULL;
	snprintf(p, len + 32, "/local/domain/%u/%s", r->c->domid, path);
	return p;
}

static int parse_domid(const char *s, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > XS_DOMID_MAX + 32768UL)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static struct xs_conn_txn *conn_txn_find(struct xs_conn *c, uint32_t id)
{
	struct xs_conn_txn *ct;

	for (ct = c->txns; ct; ct = ct->next)
		if (xs_txn_id(ct->t) == id)
			return ct;
	return NULL;
}

/* ---- handlers ---- */

static int do_read(struct xs_req *r)
{
	const char *path = canon(r, r->argv[0]), *val;
	uint32_t len;
	int rc;

	if (!path)
		return -EINVAL;
	rc = xs_node_read(&r->op, path, &val, &len);
	if (rc)
		return rc;
	xs_reply(r, val, len);
	return 0;
}

static int do_write(struct xs_req *r)
{
	const char *path = canon(r, r->argv[0]);
	size_t plen = strlen(r->argv[0]) + 1;
	int rc;

	if (!path)
		return -EINVAL;
	rc = xs_node_write(&r->op, path, r->data + plen,
			   r->len - (uint32_t)plen);
	if (rc)
		return rc;
	xs_reply_ok(r);
	return 0;
}

static int do_mkdir(struct xs_req *r)
{
	const char *path = canon(r, r->argv[0]);
	int rc;

	if (!path)
		return -EINVAL;
	rc = xs_node_mkdir(&r->op, path);
	if (rc)
		return rc;
	xs_reply_ok(r);
	return 0;
}

static int do_rm(struct xs_req *r)
{
	const char *path = canon(r, r->argv[0]);
	int rc;

	if (!path)
		return -EINVAL;
	rc = xs_node_rm(&r->op, path);
	if (rc)
		return rc;
	xs_reply_ok(r);
	return 0;
}

static int do_directory(struct xs_req *r)
{
	const char *path = canon(r, r->argv[0]);
	char *buf = xs_arena_alloc(r->op.arena, XS_PAYLOAD_MAX);
	uint32_t len;
	uint64_t gen;
	bool done;
	int rc;

	if (!path)
		return -EINVAL;
	if (!buf)
		return -ENOMEM;
	rc = xs_node_list(&r->op, path, 0, buf, XS_PAYLOAD_MAX, &len, &gen,
			  &done);
	if (rc)
		return rc;
	if (!done)
		return -E2BIG;
	xs_reply(r, buf, len);
	return 0;
}

static int do_directory_part(struct xs_req *r)
{
	const char *path = canon(r, r->argv[0]);
	char *buf = xs_arena_alloc(r->op.arena, XS_PAYLOAD_MAX);
	uint32_t len, off, glen;
	uint64_t gen;
	bool done;
	char *end;
	unsigned long v;
	int rc;

	if (!path || r->argv[1][0] < '0' || r->argv[1][0] > '9')
		return -EINVAL;
	if (!buf)
		return -ENOMEM;
	errno = 0;
	v = strtoul(r->argv[1], &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return -EINVAL;
	off = (uint32_t)v;
	/* Reserve room for the generation and the closing empty name. */
	rc = xs_node_list(&r->op, path, off, buf + 24, XS_PAYLOAD_MAX - 25,
			  &len, &gen, &done);
	if (rc)
		return rc;
	glen = (uint32_t)snprintf(buf, 24, "%" PRIu64, gen) + 1;
	memmove(buf + glen, buf + 24, len);
	if (done)
		buf[glen + len++] = '\0';
	xs_reply(r, buf, glen + len);
	return 0;
}

static int do_get_perms(struct xs_req *r)
{
	const char *path = canon(r, r->argv[0]);
	const struct xs_perms *perms;
	char *buf = xs_arena_alloc(r->op.arena, XS_PAYLOAD_MAX);
	uint32_t i, len = 0;
	int rc, n;

	if (!path)
		return -EINVAL;
	if (!buf)
		return -ENOMEM;
	rc = xs_node_get_perms(&r->op, path, &perms);
	if (rc)
		return rc;
	for (i = 0; i < perms->n; i++) {
		if (XS_PAYLOAD_MAX - len < 16)
			return -E2BIG;
		n = xs_perm_format(&perms->p[i], buf + len, 16);
		if (n < 0)
			return n;
		len += (uint32_t)n + 1;
	}
	xs_reply(r, buf, len);
	return 0;
}

static int do_set_perms(struct xs_req *r)
{
	const char *path = canon(r, r->argv[0]), *s;
	struct xs_perm *perms;
	uint32_t n = 0, i;
	int rc;

	if (!path)
		return -EINVAL;
	for (s = r->argv[0] + strlen(r->argv[0]) + 1; s < r->data + r->len;
	     s += strlen(s) + 1)
		n++;
	if (n == 0)
		return -EINVAL;
	perms = xs_arena_alloc(r->op.arena, n * sizeof(*perms));
	if (!perms)
		return -ENOMEM;
	s = r->argv[0] + strlen(r->argv[0]) + 1;
	for (i = 0; i < n; i++, s += strlen(s) + 1) {
		rc = xs_perm_parse(s, &perms[i]);
		if (rc)
			return rc;
	}
	rc = xs_node_set_perms(&r->op, path, perms, n);
	if (rc)
		return rc;
	xs_reply_ok(r);
	return 0;
}

static int do_watch(struct xs_req *r)
{
	const char *path = canon(r, r->argv[0]);
	struct xs_watch *w;
	uint32_t rel = 0;
	int rc;

	if (!path)
		return -EINVAL;
	if (path != r->argv[0])
		rel = (uint32_t)(strlen(path) - strlen(r->argv[0]));
	rc = xs_watch_add(r->op.st, r->c, r->c->domid, r->c->priv, path,
			  r->argv[1], rel, &w);
	if (rc)
		return rc;
	xs_reply_ok(r);
	/* A new watch fires once at once. */
	xs_server_event(w, w->path, r->c->srv);
	return 0;
}

static int do_unwatch(struct xs_req *r)
{
	const char *path = canon(r, r->argv[0]);
	struct xs_watch *w;

	if (!path)
		return -EINVAL;
	w = xs_watch_find(r->op.st, r->c, path, r->argv[1]);
	if (!w)
		return -ENOENT;
	xs_watch_del(r->op.st, w);
	xs_reply_ok(r);
	return 0;
}

static int do_txn_start(struct xs_req *r)
{
	struct xs_conn *c = r->c;
	struct xs_conn_txn *ct;
	char buf[16];
	int rc;

	if (r->hdr.tx_id)
		return -EBUSY;
	/* The store holds unprivileged domains to their quota; this bounds
	 * what one privileged connection may keep open. */
	if (c->ntxns >= XS_CONN_TXNS_MAX)
		return -ENOSPC;
	ct = xs_malloc(sizeof(*ct));
	if (!ct)
		return -ENOMEM;
	rc = xs_txn_start(&r->op, &ct->t);
	if (rc) {
		xs_free(ct);
		return rc;
	}
	ct->next = c->txns;
	c->txns = ct;
	c->ntxns++;
	snprintf(buf, sizeof(buf), "%u", xs_txn_id(ct->t));
	xs_reply(r, buf, (uint32_t)strlen(buf) + 1);
	return 0;
}

static int do_txn_end(struct xs_req *r)
{
	struct xs_conn *c = r->c;
	struct xs_conn_txn **pp, *ct;
	bool commit;
	int rc;

	if (!strcmp(r->argv[0], "T"))
		commit = true;
	else if (!strcmp(r->argv[0], "F"))
		commit = false;
	else
		return -EINVAL;
	for (pp = &c->txns; *pp; pp = &(*pp)->next)
		if (xs_txn_id((*pp)->t) == r->hdr.tx_id)
			break;
	ct = *pp;
	if (!ct || !r->hdr.tx_id)
		return -ENOENT;
	*pp = ct->next;
	c->ntxns--;
	r->op.txn = NULL;
	rc = xs_txn_end(&r->op, ct->t, commit);
	xs_free(ct);
	if (rc)
		return rc;
	xs_reply_ok(r);
	return 0;
}

static int do_introduce(struct xs_req *r)
{
	uint32_t domid;
	int rc;

	rc = parse_domid(r->argv[0], &domid);
	if (!rc)
		rc = xs_server_introduce(r->c->srv, domid);
	if (rc)
		return rc;
	xs_reply_ok(r);
	return 0;
}

static int do_release(struct xs_req *r)
{
	uint32_t domid;
	int rc;

	rc = parse_domid(r->argv[0], &domid);
	if (!rc)
		rc = xs_server_release(r->c->srv, domid);
	if (rc)
		return rc;
	xs_reply_ok(r);
	return 0;
}

/*
 * A domid as xenstored reads it in GET_DOMAIN_PATH, IS_DOMAIN_INTRODUCED
 * and SET_TARGET: atoi(), so junk is 0 and "7x" is 7, and printed
 * unsigned.
 */
static uint32_t domid_atoi(const char *s)
{
	return (uint32_t)strtol(s, NULL, 10);
}

/* Domain-0 or a domain introduced: one SET_TARGET may name. */
static bool domain_known(struct xs_store *st, uint32_t domid)
{
	return domid == 0 || xs_domain_introduced(st, domid);
}

static int do_get_domain_path(struct xs_req *r)
{
	char buf[40];

	snprintf(buf, sizeof(buf), "/local/domain/%u",
		 domid_atoi(r->argv[0]));
	xs_reply(r, buf, (uint32_t)strlen(buf) + 1);
	return 0;
}

static int do_is_introduced(struct xs_req *r)
{
	xs_reply(r, domain_known(r->op.st, domid_atoi(r->argv[0])) ? "T" : "F",
		 2);
	return 0;
}

static int do_resume(struct xs_req *r)
{
	uint32_t domid;
	int rc;

	rc = parse_domid(r->argv[0], &domid);
	if (rc)
		return rc;
	if (!xs_domain_introduced(r->op.st, domid))
		return -ENOENT;
	xs_reply_ok(r);
	return 0;
}

static int do_set_target(struct xs_req *r)
{
	uint32_t domid = domid_atoi(r->argv[0]);
	uint32_t target = domid_atoi(r->argv[1]);
	int rc;

	if (!domain_known(r->op.st, domid) || !domain_known(r->op.st, target))
		return -ENOENT;
	/* Domain-0 may do everything already. */
	if (domid) {
		rc = xs_domain_set_target(r->op.st, domid, target);
		if (rc)
			return rc;
	}
	xs_reply_ok(r);
	return 0;
}

void xs_conn_drop_state(struct xs_conn *c)
{
	struct xs_op op = {
	    .st = c->srv->st, .domid = c->domid, .priv = c->priv};
	struct xs_conn_txn *ct;

	xs_watch_del_owner(c->srv->st, c);
	while ((ct = c->txns)) {
		c->txns = ct->next;
		xs_txn_end(&op, ct->t, false);
		xs_free(ct);
	}
	c->ntxns = 0;
}

static int do_reset_watches(struct xs_req *r)
{
	xs_conn_drop_state(r->c);
	xs_reply_ok(r);
	return 0;
}

static int do_control(struct xs_req *r)
{
	const struct xs_quota *q = xs_store_quota(r->op.st);
	char buf[512];

	if (!strcmp(r->argv[0], "print")) {
		if (r->argc < 2)
			return -EINVAL;
		xld_info("client: %.256s", r->argv[1]);
	} else if (!strcmp(r->argv[0], "quota")) {
		snprintf(buf, sizeof(buf),
			 "nodes %u\nvalue-len %u\nwatches %u\n"
			 "transactions %u\nperms %u\npath-len %u\n"
			 "outstanding %u\ntransaction-nodes %u\n",
			 q->nodes, q->value_len, q->watches, q->txns, q->perms,
			 q->path_len, q->requests, q->txn_nodes);
		xs_reply(r, buf, (uint32_t)strlen(buf) + 1);
		return 0;
	} else if (!strcmp(r->argv[0], "help")) {
		static const char help[] = "help\nprint\nquota\n";

		xs_reply(r, help, sizeof(help));
		return 0;
	} else {
		return -EINVAL;
	}
	xs_reply_ok(r);
	return 0;
}

/*
 * Payloads are taken as xenstored takes them: a request marked XF_EXACT
 * is refused when it carries more strings than it takes.  For READ,
 * DIRECTORY and GET_PERMS xenstored checks nothing and answers with the
 * errno left from earlier work, which after any request that succeeded is
 * ENOENT, so xld answers ENOENT (XF_BAD_ENOENT).  What it leaves for MKDIR
 * and RM is ENOMEM, which would send clients the wrong way: EINVAL there.
 */
#define XF_ONE_PATH (XF_TXN | XF_EXACT)

static const struct xs_wire_func wire_funcs[XS_MSG_TYPE_COUNT] = {
    [XS_MSG_CONTROL] = {"CONTROL", do_control, 1, XF_PRIV},
    [XS_MSG_DIRECTORY] = {"DIRECTORY", do_directory, 1,
			  XF_ONE_PATH | XF_BAD_ENOENT},
    [XS_MSG_READ] = {"READ", do_read, 1, XF_ONE_PATH | XF_BAD_ENOENT},
    [XS_MSG_GET_PERMS] = {"GET_PERMS", do_get_perms, 1,
			  XF_ONE_PATH | XF_BAD_ENOENT},
    [XS_MSG_WATCH] = {"WATCH", do_watch, 2, XF_EXACT},
    [XS_MSG_UNWATCH] = {"UNWATCH", do_unwatch, 2, XF_EXACT},
    [XS_MSG_TRANSACTION_START] = {"TRANSACTION_START", do_txn_start, 0, 0},
    [XS_MSG_TRANSACTION_END] = {"TRANSACTION_END", do_txn_end, 1, XF_EXACT},
    [XS_MSG_INTRODUCE] = {"INTRODUCE", do_introduce, 3, XF_PRIV},
    [XS_MSG_RELEASE] = {"RELEASE", do_release, 1, XF_PRIV | XF_EXACT},
    [XS_MSG_GET_DOMAIN_PATH] = {"GET_DOMAIN_PATH", do_get_domain_path, 1,
				XF_EXACT},
    [XS_MSG_WRITE] = {"WRITE", do_write, 1, XF_TXN | XF_RAW},
    [XS_MSG_MKDIR] = {"MKDIR", do_mkdir, 1, XF_ONE_PATH},
    [XS_MSG_RM] = {"RM", do_rm, 1, XF_ONE_PATH},
    [XS_MSG_SET_PERMS] = {"SET_PERMS", do_set_perms, 2, XF_TXN},
    [XS_MSG_IS_DOMAIN_INTRODUCED] = {"IS_DOMAIN_INTRODUCED", do_is_introduced,
				     1, XF_EXACT},
    [XS_MSG_RESUME] = {"RESUME", do_resume, 1, XF_PRIV | XF_EXACT},
    [XS_MSG_SET_TARGET] = {"SET_TARGET", do_set_target, 2, XF_PRIV},
    [XS_MSG_RESET_WATCHES] = {"RESET_WATCHES", do_reset_watches, 0, 0},
    [XS_MSG_DIRECTORY_PART] = {"DIRECTORY_PART", do_directory_part, 2,
			       XF_TXN | XF_EXACT},
};

/*
 * Split the payload into NUL-terminated strings.  Every payload but
 * WRITE's must end with a NUL; WRITE needs one after the path.
 */
static int split_args(struct xs_req *r, const struct xs_wire_func *f)
{
	int bad = (f->flags & XF_BAD_ENOENT) ? -ENOENT : -EINVAL;
	uint32_t i, start = 0, n = 0;

	r->argc = 0;
	if (!(f->flags & XF_RAW) && r->len && r->data[r->len - 1] != '\0')
		return bad;
	for (i = 0; i < r->len; i++) {
		if (r->data[i])
			continue;
		if (r->argc < 4)
			r->argv[r->argc++] = r->data + start;
		start = i + 1;
		n++;
		if (r->argc == 4 && !(f->flags & XF_EXACT))
			break;
		if ((f->flags & XF_RAW) && n == f->nargs)
			break;
	}
	if (n < f->nargs || ((f->flags & XF_EXACT) && n != f->nargs))
		return bad;
	return 0;
}

void xs_request_handle(struct xs_conn *c, const struct xs_msg_hdr *h,
		       char *data)
{
	struct xs_server *srv = c->srv;
	const struct xs_wire_func *f = NULL;
	struct xs_req r = {.c = c, .hdr = *h, .data = data, .len = h->len};
	struct xs_conn_txn *ct;
	int rc;

	r.op.st = srv->st;
	r.op.domid = c->domid;
	r.op.priv = c->priv;
	r.op.arena = &srv->arena;
	if (h->type < XS_MSG_TYPE_COUNT)
		f = &wire_funcs[h->type];
	if (!f || !f->fn) {
		rc = -ENOSYS;
		goto out;
	}
	if ((f->flags & XF_PRIV) && !c->priv) {
		rc = -EACCES;
		goto out;
	}
	rc = split_args(&r, f);
	if (rc)
		goto out;
	if ((f->flags & XF_TXN) && h->tx_id) {
		ct = conn_txn_find(c, h->tx_id);
		if (!ct) {
			rc = -ENOENT;
			goto out;
		}
		r.op.txn = ct->t;
	}
	rc = f->fn(&r);
out:
	if (rc)
		xs_reply_error(&r, -rc);
	xs_arena_reset(&srv->arena);
}
