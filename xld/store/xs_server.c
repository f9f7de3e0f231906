// SPDX-License-Identifier: GPL-2.0
/*
 * The XenStore wire protocol on unix sockets.
 *
 * Every byte from a socket is hostile.  A header announcing more than
 * XS_PAYLOAD_MAX bytes closes the connection (the stream cannot be trusted
 * after it, as in xenstored); everything else malformed gets an error reply.
 * Requests are handled one at a time in arrival order, so replies go out in
 * request order.  Output is bounded: past XS_OUT_SOFT queued bytes (or the
 * outstanding-request quota) a connection's requests wait until its reader
 * catches up, and a watcher that lets XS_OUT_HARD pile up is dropped.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "xld/log.h"
#include "xld/store/xs.h"

/* Transactions one connection may hold open. */
#define XS_CONN_TXNS_MAX 1024
/* Connections one unprivileged domain may hold open at once. */
#define XS_DOM_CONNS_MAX 128

struct xs_listener {
	struct xs_listener *next;
	struct xs_server *srv;
	int fd;
	unsigned int nconns;
	uint32_t domid;
	bool priv;
	char path[108];
};

struct xs_conn_txn {
	struct xs_conn_txn *next;
	struct xs_txn *t;
};

struct xs_conn {
	struct xs_conn *next, *prev;
	struct xs_conn *flush_next;
	struct xs_server *srv;
	struct xs_listener *via; /* NULL once the listener is gone */
	int fd;
	uint32_t domid;
	bool priv;
	bool closing;
	bool on_flush;
	bool paused;   /* not reading: output backlog */
	bool want_out; /* EPOLLOUT armed */
	char *in; /* XS_HDR_LEN + XS_PAYLOAD_MAX, while a message is partial */
	uint32_t in_len;
	char *out;
	size_t out_off, out_len, out_cap;
	uint32_t out_replies; /* replies queued since the output last drained */
	struct xs_conn_txn *txns;
	uint32_t ntxns;
};

struct xs_server {
	struct xld_loop *loop;
	struct xs_store *st;
	struct xs_listener *listeners;
	struct xs_conn *conns;
	unsigned int nconns;
	struct xs_conn *flush;
	struct xs_arena arena;
	char *dom_dir;
	int spare_fd; /* closed to accept (and refuse) when out of fds */
	void (*flush_hook)(void *);
	void *flush_arg;
};

/* One request being handled. */
struct xs_req {
	struct xs_conn *c;
	struct xs_msg_hdr hdr;
	char *data; /* payload, followed by a NUL we add */
	uint32_t len;
	const char *argv[4];
	uint32_t argc;
	struct xs_op op;
};

#define XF_PRIV 1u /* Domain-0 only */
#define XF_TXN 2u  /* runs inside the transaction in tx_id */
#define XF_RAW 4u  /* payload is "path NUL value" (WRITE) */

struct xs_wire_func {
	const char *name;
	int (*fn)(struct xs_req *r);
	uint32_t nargs; /* NUL-terminated strings required */
	uint32_t flags;
};

static void conn_close(struct xs_conn *c);
static void conn_process(struct xs_conn *c);

/* ---- output ---- */

static void flush_mark(struct xs_conn *c)
{
	if (c->on_flush)
		return;
	c->on_flush = true;
	c->flush_next = c->srv->flush;
	c->srv->flush = c;
}

/* Too much output waiting for the client to read: its requests wait. */
static bool conn_blocked(struct xs_conn *c)
{
	const struct xs_quota *q = xs_store_quota(c->srv->st);
	uint32_t limit = c->priv ? 4096 : q->requests;

	return c->out_len - c->out_off > XS_OUT_SOFT || c->out_replies >= limit;
}

static void conn_update_events(struct xs_conn *c)
{
	bool pause = conn_blocked(c);
	bool want = c->out_len > c->out_off;
	uint32_t ev = 0;

	if (c->closing || (pause == c->paused && want == c->want_out))
		return;
	c->paused = pause;
	c->want_out = want;
	if (!pause)
		ev |= EPOLLIN;
	if (want)
		ev |= EPOLLOUT;
	xld_loop_mod(c->srv->loop, c->fd, ev);
}

static int out_reserve(struct xs_conn *c, size_t n)
{
	size_t hard = c->priv ? XS_OUT_HARD_PRIV : XS_OUT_HARD;
	size_t cap;
	char *p;

	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len + n <= c->out_cap)
		return 0;
	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
		if (c->out_len + n <= c->out_cap)
			return 0;
	}
	if (c->out_len + n > hard)
		return -ENOBUFS;
	cap = c->out_cap ? c->out_cap : 4096 + XS_HDR_LEN;
	while (cap < c->out_len + n)
		cap *= 2;
	p = realloc(c->out, cap);
	if (!p)
		return -ENOMEM;
	c->out = p;
	c->out_cap = cap;
	return 0;
}

static int send_msg(struct xs_conn *c, uint32_t type, uint32_t req_id,
		    uint32_t tx_id, const void *a, uint32_t alen, const void *b,
		    uint32_t blen)
{
	struct xs_msg_hdr h = {type, req_id, tx_id, alen + blen};
	int rc;

	if (c->closing)
		return -EPIPE;
	rc = out_reserve(c, XS_HDR_LEN + alen + blen);
	if (rc)
		return rc;
	memcpy(c->out + c->out_len, &h, XS_HDR_LEN);
	c->out_len += XS_HDR_LEN;
	if (alen)
		memcpy(c->out + c->out_len, a, alen);
	c->out_len += alen;
	if (blen)
		memcpy(c->out + c->out_len, b, blen);
	c->out_len += blen;
	flush_mark(c);
	return 0;
}

static void reply(struct xs_req *r, const void *data, uint32_t len)
{
	struct xs_conn *c = r->c;

	if (send_msg(c, r->hdr.type, r->hdr.req_id, r->hdr.tx_id, data, len,
		     NULL, 0)) {
		xld_warn("domain %u: cannot queue a reply, dropping the "
			 "connection",
			 c->domid);
		c->closing = true;
		return;
	}
	c->out_replies++;
}

static void reply_ok(struct xs_req *r)
{
	reply(r, "OK", 3);
}

static const struct {
	int err;
	const char *name;
} err_names[] = {
    {EINVAL, "EINVAL"}, {EACCES, "EACCES"},   {EEXIST, "EEXIST"},
    {EISDIR, "EISDIR"}, {ENOENT, "ENOENT"},   {ENOMEM, "ENOMEM"},
    {ENOSPC, "ENOSPC"}, {EIO, "EIO"},	      {ENOTEMPTY, "ENOTEMPTY"},
    {ENOSYS, "ENOSYS"}, {EROFS, "EROFS"},     {EBUSY, "EBUSY"},
    {EAGAIN, "EAGAIN"}, {EISCONN, "EISCONN"}, {E2BIG, "E2BIG"},
    {EPERM, "EPERM"},
};

static void reply_error(struct xs_req *r, int err)
{
	struct xs_conn *c = r->c;
	const char *name = "EINVAL";
	size_t i;

	for (i = 0; i < sizeof(err_names) / sizeof(err_names[0]); i++)
		if (err_names[i].err == err)
			name = err_names[i].name;
	if (send_msg(c, XS_MSG_ERROR, r->hdr.req_id, r->hdr.tx_id, name,
		     (uint32_t)strlen(name) + 1, NULL, 0)) {
		c->closing = true;
		return;
	}
	c->out_replies++;
}

void xs_server_event(struct xs_watch *w, const char *epath, void *arg)
{
	struct xs_conn *c = w->owner;
	const char *p = epath;
	int rc;

	(void)arg;
	if (c->closing)
		return;
	if (w->rel_off && strlen(epath) >= w->rel_off)
		p = epath + w->rel_off;
	rc = send_msg(c, XS_MSG_WATCH_EVENT, 0, 0, p, (uint32_t)strlen(p) + 1,
		      w->token, (uint32_t)strlen(w->token) + 1);
	if (rc) {
		xld_warn("domain %u: watch events not read (%zu bytes "
			 "queued): dropping the connection",
			 c->domid, c->out_len - c->out_off);
		c->closing = true;
		flush_mark(c);
	}
}

static void conn_flush(struct xs_conn *c)
{
	ssize_t r;

	while (c->out_off < c->out_len) {
		r = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			c->closing = true;
			return;
		}
		c->out_off += (size_t)r;
	}
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
		c->out_replies = 0;
		/* An idle connection keeps no buffers. */
		if (c->out_cap > 64 * 1024) {
			free(c->out);
			c->out = NULL;
			c->out_cap = 0;
		}
	}
	conn_update_events(c);
}

/* Write what requests and events queued; close what failed. */
static void flush_all(struct xs_server *srv)
{
	struct xs_conn *c;

	while ((c = srv->flush)) {
		srv->flush = c->flush_next;
		c->on_flush = false;
		/* Changes reach the journal before a reply says so. */
		if (srv->flush_hook)
			srv->flush_hook(srv->flush_arg);
		if (!c->closing)
			conn_flush(c);
		/* Requests that waited for the output to drain. */
		if (!c->closing && c->in_len >= XS_HDR_LEN && !conn_blocked(c))
			conn_process(c);
		if (c->closing)
			conn_close(c);
	}
}

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
	reply(r, val, len);
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
	reply_ok(r);
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
	reply_ok(r);
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
	reply_ok(r);
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
	reply(r, buf, len);
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
	reply(r, buf, glen + len);
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
	reply(r, buf, len);
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
	reply_ok(r);
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
	reply_ok(r);
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
	reply_ok(r);
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
	reply(r, buf, (uint32_t)strlen(buf) + 1);
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
	reply_ok(r);
	return 0;
}

static void dom_socket_path(struct xs_server *srv, uint32_t domid, char *buf,
			    size_t len)
{
	snprintf(buf, len, "%s/%u.sock", srv->dom_dir, domid);
}

int xs_server_introduce(struct xs_server *srv, uint32_t domid)
{
	char path[PATH_MAX];
	int rc;

	if (domid == 0 || domid > XS_DOMID_MAX)
		return -EINVAL;
	if (srv->dom_dir && !xs_domain_introduced(srv->st, domid)) {
		dom_socket_path(srv, domid, path, sizeof(path));
		rc = xs_server_listen(srv, path, domid, false);
		if (rc)
			return rc == -EADDRINUSE ? -EEXIST : rc;
	}
	rc = xs_domain_introduce(srv->st, domid);
	if (rc)
		return rc;
	xld_info("domain %u introduced", domid);
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
	reply_ok(r);
	return 0;
}

static void listener_close(struct xs_server *srv, struct xs_listener *l)
{
	struct xs_listener **pp;
	struct xs_conn *c;

	for (c = srv->conns; c; c = c->next)
		if (c->via == l)
			c->via = NULL;

	for (pp = &srv->listeners; *pp; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
	xld_loop_del(srv->loop, l->fd);
	close(l->fd);
	unlink(l->path);
	free(l);
}

int xs_server_release(struct xs_server *srv, uint32_t domid)
{
	struct xs_listener *l, *lnext;
	struct xs_conn *c;
	int rc;

	rc = xs_domain_release(srv->st, domid);
	if (rc)
		return rc;
	for (l = srv->listeners; l; l = lnext) {
		lnext = l->next;
		if (!l->priv && l->domid == domid)
			listener_close(srv, l);
	}
	/* The domain's own connections go with it. */
	for (c = srv->conns; c; c = c->next) {
		if (!c->priv && c->domid == domid) {
			c->closing = true;
			flush_mark(c);
		}
	}
	xld_info("domain %u released", domid);
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
	reply_ok(r);
	return 0;
}

static int do_get_domain_path(struct xs_req *r)
{
	char buf[40];
	uint32_t domid;
	int rc;

	rc = parse_domid(r->argv[0], &domid);
	if (rc)
		return rc;
	snprintf(buf, sizeof(buf), "/local/domain/%u", domid);
	reply(r, buf, (uint32_t)strlen(buf) + 1);
	return 0;
}

static int do_is_introduced(struct xs_req *r)
{
	uint32_t domid;
	int rc;

	rc = parse_domid(r->argv[0], &domid);
	if (rc)
		return rc;
	reply(r,
	      (domid == 0 || xs_domain_introduced(r->op.st, domid)) ? "T" : "F",
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
	reply_ok(r);
	return 0;
}

static int do_set_target(struct xs_req *r)
{
	uint32_t domid, target;
	int rc;

	rc = parse_domid(r->argv[0], &domid);
	if (!rc)
		rc = parse_domid(r->argv[1], &target);
	if (!rc)
		rc = xs_domain_set_target(r->op.st, domid, target);
	if (rc)
		return rc;
	reply_ok(r);
	return 0;
}

static void conn_drop_state(struct xs_conn *c)
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
	conn_drop_state(r->c);
	reply_ok(r);
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
		reply(r, buf, (uint32_t)strlen(buf) + 1);
		return 0;
	} else if (!strcmp(r->argv[0], "help")) {
		static const char help[] = "help\nprint\nquota\n";

		reply(r, help, sizeof(help));
		return 0;
	} else {
		return -EINVAL;
	}
	reply_ok(r);
	return 0;
}

static const struct xs_wire_func wire_funcs[XS_MSG_TYPE_COUNT] = {
    [XS_MSG_CONTROL] = {"CONTROL", do_control, 1, XF_PRIV},
    [XS_MSG_DIRECTORY] = {"DIRECTORY", do_directory, 1, XF_TXN},
    [XS_MSG_READ] = {"READ", do_read, 1, XF_TXN},
    [XS_MSG_GET_PERMS] = {"GET_PERMS", do_get_perms, 1, XF_TXN},
    [XS_MSG_WATCH] = {"WATCH", do_watch, 2, 0},
    [XS_MSG_UNWATCH] = {"UNWATCH", do_unwatch, 2, 0},
    [XS_MSG_TRANSACTION_START] = {"TRANSACTION_START", do_txn_start, 0, 0},
    [XS_MSG_TRANSACTION_END] = {"TRANSACTION_END", do_txn_end, 1, 0},
    [XS_MSG_INTRODUCE] = {"INTRODUCE", do_introduce, 3, XF_PRIV},
    [XS_MSG_RELEASE] = {"RELEASE", do_release, 1, XF_PRIV},
    [XS_MSG_GET_DOMAIN_PATH] = {"GET_DOMAIN_PATH", do_get_domain_path, 1, 0},
    [XS_MSG_WRITE] = {"WRITE", do_write, 1, XF_TXN | XF_RAW},
    [XS_MSG_MKDIR] = {"MKDIR", do_mkdir, 1, XF_TXN},
    [XS_MSG_RM] = {"RM", do_rm, 1, XF_TXN},
    [XS_MSG_SET_PERMS] = {"SET_PERMS", do_set_perms, 2, XF_TXN},
    [XS_MSG_IS_DOMAIN_INTRODUCED] = {"IS_DOMAIN_INTRODUCED", do_is_introduced,
				     1, 0},
    [XS_MSG_RESUME] = {"RESUME", do_resume, 1, XF_PRIV},
    [XS_MSG_SET_TARGET] = {"SET_TARGET", do_set_target, 2, XF_PRIV},
    [XS_MSG_RESET_WATCHES] = {"RESET_WATCHES", do_reset_watches, 0, 0},
    [XS_MSG_DIRECTORY_PART] = {"DIRECTORY_PART", do_directory_part, 2, XF_TXN},
};

/*
 * Split the payload into NUL-terminated strings.  Every payload but
 * WRITE's must end with a NUL; WRITE needs one after the path.
 */
static int split_args(struct xs_req *r, const struct xs_wire_func *f)
{
	uint32_t i, start = 0;

	r->argc = 0;
	if (!(f->flags & XF_RAW) && r->len && r->data[r->len - 1] != '\0')
		return -EINVAL;
	for (i = 0; i < r->len && r->argc < 4; i++) {
		if (r->data[i])
			continue;
		r->argv[r->argc++] = r->data + start;
		start = i + 1;
		if ((f->flags & XF_RAW) && r->argc == f->nargs)
			break;
	}
	if (r->argc < f->nargs)
		return -EINVAL;
	return 0;
}

static void handle(struct xs_conn *c, const struct xs_msg_hdr *h, char *data)
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
		reply_error(&r, -rc);
	xs_arena_reset(&srv->arena);
}

/* ---- connections ---- */

static void conn_close(struct xs_conn *c)
{
	struct xs_server *srv = c->srv;

	conn_drop_state(c);
	if (c->via)
		c->via->nconns--;
	xld_loop_del(srv->loop, c->fd);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->nconns--;
	/* still on the flush list: flush_all unlinks it before closing */
	free(c->in);
	free(c->out);
	free(c);
}

/* Handle every complete message in c->in; keep a partial one. */
static void conn_process(struct xs_conn *c)
{
	struct xs_msg_hdr h;
	uint32_t pos = 0;

	while (!c->closing && c->in_len - pos >= XS_HDR_LEN) {
		if (conn_blocked(c))
			break;
		memcpy(&h, c->in + pos, XS_HDR_LEN);
		if (h.len > XS_PAYLOAD_MAX) {
			xld_warn("domain %u: message of %u bytes (over %u): "
				 "closing the connection",
				 c->domid, h.len, XS_PAYLOAD_MAX);
			c->closing = true;
			break;
		}
		if (c->in_len - pos - XS_HDR_LEN < h.len)
			break;
		/* The byte after the payload is ours: a safety NUL. */
		{
			char *data = c->in + pos + XS_HDR_LEN;
			char saved = data[h.len];

			data[h.len] = '\0';
			handle(c, &h, data);
			data[h.len] = saved;
		}
		pos += XS_HDR_LEN + h.len;
	}
	if (pos) {
		memmove(c->in, c->in + pos, c->in_len - pos);
		c->in_len -= pos;
	}
	if (!c->in_len) {
		free(c->in);
		c->in = NULL;
	}
	if (pos || c->closing)
		flush_mark(c);
}

#define XS_IN_CAP (XS_HDR_LEN + XS_PAYLOAD_MAX + 1)

static void conn_read(struct xs_conn *c)
{
	ssize_t r;

	if (!c->in) {
		c->in = malloc(XS_IN_CAP);
		if (!c->in) {
			c->closing = true;
			return;
		}
		c->in_len = 0;
	}
	/* Leave a byte spare after the largest message for the NUL. */
	r = recv(c->fd, c->in + c->in_len, XS_IN_CAP - 1 - c->in_len,
		 MSG_DONTWAIT);
	if (r < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != EWOULDBLOCK)
			c->closing = true;
		return;
	}
	if (r == 0) {
		c->closing = true;
		return;
	}
	c->in_len += (uint32_t)r;
	conn_process(c);
}

static void conn_event(struct xld_loop *loop, int fd, uint32_t events,
		       void *arg)
{
	struct xs_conn *c = arg;
	struct xs_server *srv = c->srv;

	(void)loop;
	(void)fd;
	if (events & EPOLLOUT)
		conn_flush(c);
	if (!c->closing && !conn_blocked(c)) {
		/* Messages left waiting while the output was backed up. */
		if (c->in_len)
			conn_process(c);
		if (!c->closing && !conn_blocked(c) &&
		    (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
			conn_read(c);
	} else if (events & (EPOLLHUP | EPOLLERR)) {
		c->closing = true;
	}
	flush_mark(c);
	flush_all(srv);
}

static void listener_event(struct xld_loop *loop, int fd, uint32_t events,
			   void *arg)
{
	struct xs_listener *l = arg;
	struct xs_server *srv = l->srv;
	struct xs_conn *c;
	int cfd, i;

	(void)loop;
	(void)events;
	for (i = 0; i < 64; i++) {
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0 && (errno == EMFILE || errno == ENFILE) &&
		    srv->spare_fd >= 0) {
			/* Out of fds: take the client with the spare fd and
			 * hang up on it rather than spin on the listener. */
			close(srv->spare_fd);
			cfd = accept(fd, NULL, NULL);
			if (cfd >= 0)
				close(cfd);
			srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			xld_warn(
			    "out of file descriptors: refused a client on %s",
			    l->path);
			break;
		}
		if (cfd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != EWOULDBLOCK)
				xld_warn("accept on %s: %s", l->path,
					 strerror(errno));
			break;
		}
		if (!l->priv && l->nconns >= XS_DOM_CONNS_MAX) {
			xld_warn("domain %u: over %u connections, refusing one",
				 l->domid, XS_DOM_CONNS_MAX);
			close(cfd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c ||
		    xld_loop_add(srv->loop, cfd, EPOLLIN, conn_event, c) < 0) {
			xld_warn("no memory for a connection on %s", l->path);
			free(c);
			close(cfd);
			continue;
		}
		c->srv = srv;
		c->fd = cfd;
		c->domid = l->domid;
		c->priv = l->priv;
		c->via = l;
		l->nconns++;
		c->next = srv->conns;
		if (srv->conns)
			srv->conns->prev = c;
		srv->conns = c;
		srv->nconns++;
	}
}

int xs_server_listen(struct xs_server *srv, const char *path, uint32_t domid,
		     bool priv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct xs_listener *l = NULL;
	int fd = -1, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	/* A stale socket from a dead daemon is replaced; the caller checked
	 * that no live daemon owns it. */
	if (!priv)
		unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		goto out;
	}
	if (chmod(path, 0600) < 0 || listen(fd, 4096) < 0) {
		rc = -errno;
		unlink(path);
		goto out;
	}
	l->srv = srv;
	l->fd = fd;
	l->domid = domid;
	l->priv = priv;
	strcpy(l->path, path);
	rc = xld_loop_add(srv->loop, fd, EPOLLIN, listener_event, l);
	if (rc) {
		unlink(path);
		goto out;
	}
	l->next = srv->listeners;
	srv->listeners = l;
	l = NULL;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	free(l);
	return rc;
}

struct xs_server *xs_server_new(struct xld_loop *loop, struct xs_store *st,
				const char *dom_dir)
{
	struct xs_server *srv = calloc(1, sizeof(*srv));

	if (!srv)
		return NULL;
	srv->loop = loop;
	srv->st = st;
	srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (dom_dir) {
		srv->dom_dir = strdup(dom_dir);
		if (!srv->dom_dir)
			goto fail;
	}
	if (xs_arena_init(&srv->arena, 16384) < 0)
		goto fail;
	return srv;
fail:
	if (srv->spare_fd >= 0)
		close(srv->spare_fd);
	free(srv->dom_dir);
	free(srv);
	errno = ENOMEM;
	return NULL;
}

void xs_server_set_store(struct xs_server *srv, struct xs_store *st)
{
	srv->st = st;
}

void xs_server_set_flush_hook(struct xs_server *srv, void (*fn)(void *),
			      void *arg)
{
	srv->flush_hook = fn;
	srv->flush_arg = arg;
}

unsigned int xs_server_conns(struct xs_server *srv)
{
	return srv->nconns;
}

void xs_server_free(struct xs_server *srv)
{
	if (!srv)
		return;
	srv->flush = NULL;
	while (srv->conns) {
		srv->conns->on_flush = false;
		conn_close(srv->conns);
	}
	while (srv->listeners)
		listener_close(srv, srv->listeners);
	xs_arena_dispose(&srv->arena);
	if (srv->spare_fd >= 0)
		close(srv->spare_fd);
	free(srv->dom_dir);
	free(srv);
}
