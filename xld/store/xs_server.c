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
#include "xld/store/xs_server_internal.h"

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

/* A whole message (or a header past the limit) waits in c->in. */
static bool conn_has_request(const struct xs_conn *c)
{
	struct xs_msg_hdr h;

	if (c->in_len < XS_HDR_LEN)
		return false;
	memcpy(&h, c->in, XS_HDR_LEN);
	return h.len > XS_PAYLOAD_MAX || c->in_len - XS_HDR_LEN >= h.len;
}

static void conn_update_events(struct xs_conn *c)
{
	bool pause = conn_blocked(c);
	/* Requests left over from a burst: EPOLLOUT (a socket is nearly
	 * always writable) brings the connection back after the others. */
	bool want = c->out_len > c->out_off || (!pause && conn_has_request(c));
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

void xs_reply(struct xs_req *r, const void *data, uint32_t len)
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

void xs_reply_ok(struct xs_req *r)
{
	xs_reply(r, "OK", 3);
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

void xs_reply_error(struct xs_req *r, int err)
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
	size_t plen, tlen;
	int rc;

	(void)arg;
	if (c->closing)
		return;
	if (w->rel_off && strlen(epath) >= w->rel_off)
		p = epath + w->rel_off;
	plen = strlen(p) + 1;
	tlen = strlen(w->token) + 1;
	/* A long token and a long path can make an event longer than a
	 * message may be, which clients take for a broken stream: xenstored
	 * drops such events, and so does xld. */
	if (plen + tlen > XS_PAYLOAD_MAX)
		return;
	rc = send_msg(c, XS_MSG_WATCH_EVENT, 0, 0, p, (uint32_t)plen, w->token,
		      (uint32_t)tlen);
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
		/* Requests that waited for the output to drain (a guest's
		 * wait for their turn: conn_update_events). */
		if (!c->closing && c->priv && c->in_len >= XS_HDR_LEN &&
		    !conn_blocked(c))
			conn_process(c);
		if (c->closing)
			conn_close(c);
	}
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
	/* The domain's own connections go with it: their watches and
	 * transactions at once (a domain introduced again with this domid
	 * must not find them), the sockets when the loop next flushes. */
	for (c = srv->conns; c; c = c->next) {
		if (!c->priv && c->domid == domid) {
			xs_conn_drop_state(c);
			c->closing = true;
			flush_mark(c);
		}
	}
	xld_info("domain %u released", domid);
	return 0;
}

/* ---- connections ---- */

static void conn_close(struct xs_conn *c)
{
	struct xs_server *srv = c->srv;

	xs_conn_drop_state(c);
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
		if (!c->priv && c->burst >= XS_CONN_BURST)
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
			xs_request_handle(c, &h, data);
			data[h.len] = saved;
		}
		pos += XS_HDR_LEN + h.len;
		c->burst++;
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
	/* Requests left from a burst fill it: they go first. */
	if (c->in_len >= XS_IN_CAP - 1)
		return;
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

/*
 * After a guest's request (which may have taken milliseconds), Domain-0's
 * connections read and answer what they have waiting before the loop
 * turns to the next guest: Domain-0 waits for one guest request at most.
 */
static void serve_priv(struct xs_server *srv)
{
	struct xs_conn *p;

	for (p = srv->conns; p; p = p->next) {
		if (!p->priv || p->closing || conn_blocked(p))
			continue;
		conn_read(p);
		if (p->closing)
			flush_mark(p);
	}
}

static void conn_event(struct xld_loop *loop, int fd, uint32_t events,
		       void *arg)
{
	struct xs_conn *c = arg;
	struct xs_server *srv = c->srv;

	(void)loop;
	(void)fd;
	c->burst = 0;
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
	if (!c->priv && c->burst)
		serve_priv(srv);
	flush_all(srv);
}

/* Serve @cfd (not taken on failure) as @domid. */
static struct xs_conn *conn_new(struct xs_server *srv, int cfd, uint32_t domid,
				bool priv, struct xs_listener *via)
{
	struct xs_conn *c = calloc(1, sizeof(*c));

	if (!c || xld_loop_add(srv->loop, cfd, EPOLLIN, conn_event, c) < 0) {
		free(c);
		return NULL;
	}
	c->srv = srv;
	c->fd = cfd;
	c->domid = domid;
	c->priv = priv;
	c->via = via;
	if (via)
		via->nconns++;
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nconns++;
	return c;
}

static void listener_event(struct xld_loop *loop, int fd, uint32_t events,
			   void *arg)
{
	struct xs_listener *l = arg;
	struct xs_server *srv = l->srv;
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
		if (!conn_new(srv, cfd, l->domid, l->priv, l)) {
			xld_warn("no memory for a connection on %s", l->path);
			close(cfd);
		}
	}
}

int xs_server_adopt(struct xs_server *srv, int fd, uint32_t domid, bool priv)
{
	if (!conn_new(srv, fd, domid, priv, NULL)) {
		close(fd);
		return -ENOMEM;
	}
	return 0;
}

void xs_server_poll(struct xs_server *srv)
{
	struct xs_conn *c;

	srv->poll_gen++;
	/* Restart from the head each time: a call may close others. */
	for (;;) {
		for (c = srv->conns; c && c->poll_gen == srv->poll_gen;
		     c = c->next)
			;
		if (!c)
			return;
		c->poll_gen = srv->poll_gen;
		conn_event(srv->loop, c->fd, EPOLLIN | EPOLLOUT, c);
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
