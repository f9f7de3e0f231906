// SPDX-License-Identifier: GPL-2.0
/*
 * A domain's migration stream sent (xl save, xl migrate) without holding
 * up the loop: libdomctl's send op is watched like a start's, its
 * progress reports passed on and kept as the domain's phase (xl list
 * --json), its end told to whoever asked.  The client going cancels it
 * (dc_op_free): the monitor lets a guest that ran run on.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "xld/dom/dom.h"
#include "xld/dom/dom_internal.h"
#include "xld/log.h"

struct xld_send {
	struct xld_dom *d;
	struct dc_op *op;
	int fd; /* the stream's, until the op ends */
	bool live;
	xld_send_fn fn;
	void *arg;
};

static void set_phase(struct xld_dom *d, const char *what,
		      const struct dc_send_progress *p)
{
	char buf[96];

	free(d->phase);
	d->phase = NULL;
	if (!what)
		return;
	if (p && p->paused)
		snprintf(buf, sizeof(buf), "%s: pass %" PRIu32 ", paused",
			 what, p->pass);
	else if (p)
		snprintf(buf, sizeof(buf), "%s: pass %" PRIu32, what, p->pass);
	else
		snprintf(buf, sizeof(buf), "%s", what);
	d->phase = strdup(buf);
}

/* The op is over: @d forgets @s, which is freed. */
static void send_free(struct xld_send *s)
{
	struct xld_dom *d = s->d;

	if (s->op) {
		xld_loop_del(d->doms->loop, dc_op_fd(s->op));
		dc_op_free(s->op);
	}
	if (s->fd >= 0)
		close(s->fd);
	d->send = NULL;
	set_phase(d, NULL, NULL);
	free(s);
}

static void send_event(struct xld_loop *loop, int fd, uint32_t events,
		       void *arg)
{
	struct xld_send *s = arg;
	struct xld_dom *d = s->d;
	struct xld_doms *doms = d->doms;
	struct dc_send_progress p;
	struct dc_send_result res = {0};
	xld_send_fn fn = s->fn;
	void *farg = s->arg;
	char msg[512];
	int rc;

	(void)loop;
	(void)fd;
	(void)events;
	doms->dc_msg[0] = '\0';
	rc = dc_op_step(s->op, NULL);
	/* the last report may come in the step that ends the send */
	if (dc_op_send_progress(s->op, &p) == 0) {
		set_phase(d, s->live ? "migrating" : "saving", &p);
		fn(farg, -EINPROGRESS, &p, NULL, "");
	}
	if (rc == -EAGAIN)
		return;
	if (!rc)
		rc = dc_op_send_result(s->op, &res);
	snprintf(msg, sizeof(msg), "%s", doms->dc_msg);
	if (rc)
		xld_warn("domain %" PRIu32 " (%s): send: %s%s%s", d->domid,
			 d->name, strerror(-rc), msg[0] ? ": " : "", msg);
	else
		xld_info("domain %" PRIu32 " (%s): stream of %" PRIu64
			 " bytes sent in %" PRIu32 " live passes",
			 d->domid, d->name, res.bytes, res.passes);
	send_free(s);
	/* its monitor's watch tells of the guest paused or running on */
	dom_notify(doms, d, XLD_DOM_CHANGED);
	fn(farg, rc, NULL, &res, msg);
}

struct xld_send *xld_dom_send(struct xld_doms *doms, struct xld_dom *d,
			      int fd, const struct dc_send_opts *opts,
			      xld_send_fn fn, void *arg)
{
	struct xld_send *s;
	int rc;

	if (d->send || xld_dom_busy(d)) {
		close(fd);
		errno = EBUSY;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	s->d = d;
	s->fd = fd;
	s->fn = fn;
	s->arg = arg;
	s->live = opts->flags & DC_SEND_LIVE;
	doms->dc_msg[0] = '\0';
	rc = dc_domain_send_start(doms->dc, d->domid, fd, opts, &s->op);
	if (!rc)
		rc = xld_loop_add(doms->loop, dc_op_fd(s->op), EPOLLIN,
				  send_event, s);
	if (rc) {
		dc_op_free(s->op);
		close(fd);
		free(s);
		errno = -rc;
		return NULL;
	}
	d->send = s;
	set_phase(d, s->live ? "migrating" : "saving", NULL);
	xld_info("domain %" PRIu32 " (%s): sending its migration stream%s",
		 d->domid, d->name, s->live ? " (live)" : "");
	dom_notify(doms, d, XLD_DOM_CHANGED);
	return s;
}

void xld_send_cancel(struct xld_send *s)
{
	struct xld_dom *d;

	if (!s)
		return;
	d = s->d;
	xld_info("domain %" PRIu32 " (%s): send cancelled: its client went",
		 d->domid, d->name);
	send_free(s);
	dom_notify(d->doms, d, XLD_DOM_CHANGED);
}

void send_abort(struct xld_dom *d, int rc)
{
	struct xld_send *s = d->send;
	xld_send_fn fn;
	void *arg;

	if (!s)
		return;
	fn = s->fn;
	arg = s->arg;
	send_free(s);
	fn(arg, rc, NULL, NULL, "the domain is gone");
}
