// SPDX-License-Identifier: GPL-2.0
/*
 * Migration streams: "send" writes a domain's stream to the file
 * descriptor that came with the request (xl save's file, xl migrate's
 * ssh pipe), its progress sent on as interim lines
 * {"version":1,"id":ID,"progress":{..}} before the reply; "create" with
 * "incoming": true builds a domain from the stream on its descriptor.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xld/ctl/ctl_internal.h"

int ctl_create_incoming(struct ctl_req *r, json_object *cfg,
			struct xld_dom **d)
{
	int fd = r->fd;

	if (fd < 0)
		return ctl_fail(r, -EBADF,
				"create with params.incoming needs the "
				"stream's file descriptor sent with the "
				"request (SCM_RIGHTS)");
	r->fd = -1; /* taken, even by a create that fails */
	return xld_dom_create_incoming(r->c->ctl->doms, cfg, fd, d, r->msg,
				       sizeof(r->msg));
}

static void add_u64(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

static void send_progress(struct ctl_conn *c, const struct dc_send_progress *p)
{
	json_object *o = json_object_new_object(), *q = json_object_new_object();
	const char *s;

	if (!o || !q) {
		json_object_put(o);
		json_object_put(q);
		return; /* a report missed: the next one comes */
	}
	add_u64(q, "pass", p->pass);
	json_object_object_add(q, "paused", json_object_new_boolean(p->paused));
	add_u64(q, "pages_total", p->pages_total);
	add_u64(q, "pages_sent", p->pages_sent);
	add_u64(q, "pages_dirty", p->pages_dirty);
	add_u64(q, "dirty_pages_per_s", p->dirty_pages_per_s);
	add_u64(q, "bytes_sent", p->bytes_sent);
	add_u64(q, "bytes_per_s", p->bytes_per_s);
	add_u64(q, "est_downtime_ms", p->est_downtime_ms);
	add_u64(q, "throttle_pct", p->throttle_pct);
	json_object_object_add(o, "version",
			       json_object_new_int(XLD_CTL_VERSION));
	json_object_object_add(o, "id",
			       c->wait_id ? json_object_get(c->wait_id) : NULL);
	json_object_object_add(o, "progress", q);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	/* never past the soft limit: a client that does not read misses
	 * reports, not the reply */
	if (s && c->out_len - c->out_off < CTL_OUT_SOFT)
		ctl_conn_queue(c, s, strlen(s));
	json_object_put(o);
	ctl_conn_flush(c);
}

static json_object *result_json(const struct dc_send_result *res)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	add_u64(o, "bytes", res->bytes);
	add_u64(o, "pages_sent", res->pages_sent);
	add_u64(o, "passes", res->passes);
	add_u64(o, "throttle_pct", res->throttle_pct);
	json_object_object_add(
	    o, "downtime_ms",
	    json_object_new_double((double)res->downtime_ns / 1e6));
	json_object_object_add(
	    o, "seconds", json_object_new_double((double)res->total_ns / 1e9));
	return o;
}

/* The held reply is sent: @c takes requests again. */
static void release(struct ctl_conn *c)
{
	json_object_put(c->wait_id);
	c->wait_id = NULL;
	c->waiting = false;
	c->resume = true;
	ctl_conn_flush(c);
	ctl_kick(c->ctl);
}

static void send_done(void *arg, int rc, const struct dc_send_progress *p,
		      const struct dc_send_result *res, const char *msg)
{
	struct ctl_conn *c = arg;
	struct xld_doms *doms = c->ctl->doms;
	struct xld_dom *d;
	uint32_t domid = c->wait_domid;
	char m[768];

	if (rc == -EINPROGRESS) {
		send_progress(c, p);
		return;
	}
	c->send = NULL;
	if (rc) {
		snprintf(m, sizeof(m), "sending the migration stream: %s%s%s",
			 strerror(-rc), msg[0] ? ": " : "", msg);
		/* to xl these say "no such domain": the stream's own is EIO */
		ctl_send_error(c, c->wait_id,
			       rc == -ENOENT || rc == -ESRCH ? -EIO : rc, m);
		release(c);
		return;
	}
	d = xld_dom_by_id(doms, domid);
	if (c->send_destroy && d && xld_dom_destroy(doms, d) == 0 &&
	    xld_dom_by_id(doms, domid)) {
		/* the reply once its monitor is gone (ctl_wait_event) */
		c->wait_for = CTL_WAIT_GONE;
		return;
	}
	ctl_send_result(c, c->wait_id, result_json(res));
	release(c);
}

/* params.flags: an array of "live", "debug", "destroy", "resume". */
static int parse_flags(struct ctl_req *r, uint32_t *flags)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} names[] = {{"live", DC_SEND_LIVE},
		     {"debug", DC_SEND_DEBUG},
		     {"destroy", DC_SEND_DESTROY},
		     {"resume", DC_SEND_RESUME}};
	json_object *a, *v;
	size_t i, k;

	*flags = 0;
	if (!json_object_object_get_ex(r->params, "flags", &a))
		return 0;
	if (!json_object_is_type(a, json_type_array))
		return ctl_fail(r, -EINVAL,
				"params.flags must be an array of strings");
	for (i = 0; i < json_object_array_length(a); i++) {
		v = json_object_array_get_idx(a, i);
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (json_object_is_type(v, json_type_string) &&
			    !strcmp(json_object_get_string(v), names[k].name))
				break;
		if (k == sizeof(names) / sizeof(names[0]))
			return ctl_fail(r, -EINVAL,
					"params.flags: '%.40s' is not one of "
					"live, debug, destroy, resume",
					json_object_get_string(v));
		*flags |= names[k].bit;
	}
	if ((*flags & DC_SEND_DESTROY) && (*flags & DC_SEND_RESUME))
		return ctl_fail(r, -EINVAL,
				"params.flags: destroy and resume exclude "
				"each other");
	return 0;
}

static int get_uint(struct ctl_req *r, const char *key, uint64_t max,
		    uint64_t *out)
{
	json_object *v;
	int64_t n;

	*out = 0;
	if (!json_object_object_get_ex(r->params, key, &v))
		return 0;
	n = json_object_get_int64(v);
	if (!json_object_is_type(v, json_type_int) || n < 0 ||
	    (uint64_t)n > max)
		return ctl_fail(r, -EINVAL,
				"params.%s must be a number 0..%" PRIu64, key,
				max);
	*out = (uint64_t)n;
	return 0;
}

int ctl_do_send(struct ctl_req *r)
{
	struct dc_send_opts o = {0};
	uint64_t ms, bw;
	int rc;

	if (!r->dom)
		return ctl_refuse_dom0(r, "saved or migrated");
	if (r->fd < 0)
		return ctl_fail(r, -EBADF,
				"send needs the stream's file descriptor sent "
				"with the request (SCM_RIGHTS)");
	rc = parse_flags(r, &o.flags);
	if (!rc)
		rc = get_uint(r, "max_downtime_ms", UINT32_MAX, &ms);
	if (!rc)
		rc = get_uint(r, "max_bytes_per_s", UINT64_MAX >> 1, &bw);
	if (rc)
		return rc;
	if (r->dom->state == DC_STATE_SHUTDOWN)
		return ctl_fail(r, -EINVAL,
				"domain %" PRIu32 " (%s) is shut down: there "
				"is nothing to save",
				r->dom->domid, r->dom->name);
	o.max_downtime_ms = (uint32_t)ms;
	o.max_bytes_per_s = bw;
	r->c->send_destroy = o.flags & DC_SEND_DESTROY;
	/* xld destroys it itself once the stream is complete (send_done):
	 * the monitor keeps it paused till then */
	o.flags &= ~DC_SEND_DESTROY;
	r->c->send = xld_dom_send(r->c->ctl->doms, r->dom, r->fd, &o,
				  send_done, r->c);
	r->fd = -1; /* taken */
	if (!r->c->send)
		return ctl_fail(r, -errno, "domain %" PRIu32 " (%s): %s",
				r->dom->domid, r->dom->name,
				strerror(errno));
	r->c->waiting = true;
	r->c->wait_domid = r->dom->domid;
	r->c->wait_for = CTL_WAIT_SEND;
	r->pending = true;
	return 0;
}
