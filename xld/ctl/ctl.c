// SPDX-License-Identifier: GPL-2.0
/*
 * The control protocol: newline-delimited JSON on two unix sockets.
 *
 * A request is {"version": 1, "id": ANY, "method": "NAME", "params": {..}};
 * its reply is {"version": 1, "id": ANY, "result": {..}} or
 * {"version": 1, "id": ANY, "error": {"errno": "ENOENT", "code": 2,
 * "message": "..."}}.  Requests on one connection are answered in order,
 * one at a time; shutdown/reboot with "wait" hold the connection until the
 * domain has shut down.  Method, privilege and parameter shape are checked
 * centrally from the method table; every byte from a client is hostile.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include "xld/ctl/ctl.h"
#include "xld/ctl/ctl_list.h"
#include "xld/log.h"
#include "xld/dom/cpu_sched.h"

#define CTL_MODIFIES 0x1 /* refused on the read-only socket */
#define CTL_DOMAIN 0x2	 /* params.domain names a domain */
#define CTL_IN_CAP (XLD_CTL_LINE_MAX + 1)
/* Past this much unsent output a client's requests wait (backpressure). */
#define CTL_OUT_SOFT (256u * 1024)

struct ctl_conn {
	struct ctl_conn *next;
	struct xld_ctl *ctl;
	int fd;
	bool priv;
	bool dead;     /* closed at the next kick */
	bool draining; /* refused: reply sent, input discarded until EOF */
	bool resume;   /* a wait ended: look at buffered requests */
	bool waiting;  /* a reply is held until wait_domid shuts down */
	uint32_t wait_domid; /* 0: until a dump-core ends */
	uint64_t serial;     /* names it to a dump-core that ends later */
	json_object *wait_id;
	bool subscribed; /* "events": domain changes are sent unasked */
	uint32_t events;
	pid_t pid;
	uid_t uid;
	char *in;
	size_t in_len, in_cap; /* grows up to CTL_IN_CAP */
	char *out;
	size_t out_len, out_off, out_cap;
};

struct xld_ctl {
	struct xld_loop *loop;
	struct xld_doms *doms;
	gid_t group; /* may use xld.sock too; (gid_t)-1: root only */
	int lfd[2]; /* rw, ro */
	char *path[2];
	int kick_fd;
	struct ctl_conn *conns;
	unsigned int nconns;
	uint64_t next_serial;
};

struct ctl_req {
	struct ctl_conn *c;
	json_object *params;
	json_object *result; /* set by a handler that succeeds */
	char *text;	     /* or: the result as JSON text (malloc'd) */
	size_t text_len;
	struct xld_dom *dom; /* CTL_DOMAIN: the domain, NULL for Domain-0 */
	const char *qualifier;
	bool pending;  /* the handler holds the reply */
	char msg[512]; /* why a handler failed */
};

struct ctl_method {
	const char *name;
	int (*fn)(struct ctl_req *r);
	unsigned int flags;
};

static void conn_update(struct ctl_conn *c);

static bool backlogged(const struct ctl_conn *c)
{
	return c->out_len - c->out_off > CTL_OUT_SOFT;
}
static void kick(struct xld_ctl *ctl);

static int fail(struct ctl_req *r, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct ctl_req *r, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- output ---- */

static void conn_queue(struct ctl_conn *c, const char *s, size_t len)
{
	size_t need;
	char *n;

	if (c->dead)
		return;
	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	need = c->out_len + len + 1;
	if (need - c->out_off > XLD_CTL_OUT_MAX) {
		xld_warn("client pid %ld: more than %u bytes of replies "
			 "unread: dropped",
			 (long)c->pid, XLD_CTL_OUT_MAX);
		c->dead = true;
		kick(c->ctl);
		return;
	}
	if (need > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;

		while (cap < need)
			cap *= 2;
		n = realloc(c->out, cap);
		if (!n) {
			c->dead = true;
			kick(c->ctl);
			return;
		}
		c->out = n;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
}

static void conn_flush(struct ctl_conn *c)
{
	ssize_t r;

	while (!c->dead && c->out_off < c->out_len) {
		r = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r < 0) {
			c->dead = true;
			kick(c->ctl);
			return;
		}
		c->out_off += (size_t)r;
	}
	/* a refused client reads its error, then EOF (not a reset) */
	if (c->draining && !c->dead && c->out_off == c->out_len)
		shutdown(c->fd, SHUT_WR);
	conn_update(c);
}

static json_object *reply_new(json_object *id)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "version",
			       json_object_new_int(XLD_CTL_VERSION));
	json_object_object_add(o, "id", id ? json_object_get(id) : NULL);
	return o;
}

static void send_obj(struct ctl_conn *c, json_object *o)
{
	const char *s;

	s = o ? json_object_to_json_string_ext(
		    o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
	      : NULL;
	if (!s) {
		static const char oom[] =
		    "{\"version\":1,\"id\":null,\"error\":{\"errno\":"
		    "\"ENOMEM\","
		    "\"code\":12,\"message\":\"xld is out of memory\"}}";

		conn_queue(c, oom, sizeof(oom) - 1);
		return;
	}
	conn_queue(c, s, strlen(s));
}

static void send_error(struct ctl_conn *c, json_object *id, int rc,
		       const char *msg)
{
	json_object *o = reply_new(id), *e = json_object_new_object();
	const char *name = strerrorname_np(-rc);

	if (o && e) {
		json_object_object_add(
		    e, "errno", json_object_new_string(name ? name : "EIO"));
		json_object_object_add(e, "code", json_object_new_int(-rc));
		json_object_object_add(
		    e, "message",
		    json_object_new_string(msg && *msg ? msg : strerror(-rc)));
		json_object_object_add(o, "error", e);
		e = NULL;
	}
	send_obj(c, o);
	json_object_put(e);
	json_object_put(o);
}

/* Takes ownership of @result (NULL: an empty object). */
static void send_result(struct ctl_conn *c, json_object *id,
			json_object *result)
{
	json_object *o = reply_new(id);

	if (o)
		json_object_object_add(
		    o, "result", result ? result : json_object_new_object());
	else
		json_object_put(result);
	send_obj(c, o);
	json_object_put(o);
}

/* @text: a result already in JSON (a large one, made without json-c). */
static void send_text_result(struct ctl_conn *c, json_object *id,
			     const char *text, size_t len)
{
	const char *ids = id ? json_object_to_json_string_ext(
				   id, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE)
			     : "null";
	char head[160];
	size_t hlen;
	char *line;
	int r = -1;

	if (ids)
		r = snprintf(head, sizeof(head),
			     "{\"version\":%d,\"id\":%s,\"result\":",
			     XLD_CTL_VERSION, ids);
	if (!ids || r < 0 || (size_t)r >= sizeof(head)) {
		/* an id too long to echo here: the slow way */
		json_object *res = json_tokener_parse(text);

		if (res)
			send_result(c, id, res);
		else
			send_error(c, id, -ENOMEM, NULL);
		return;
	}
	hlen = (size_t)r;
	line = malloc(hlen + len + 1);
	if (!line) {
		send_error(c, id, -ENOMEM, NULL);
		return;
	}
	memcpy(line, head, hlen);
	memcpy(line + hlen, text, len);
	line[hlen + len] = '}';
	conn_queue(c, line, hlen + len + 1);
	free(line);
}

/* ---- domains as JSON ---- */

/* The list's members too: keep ctl_list.c gen_dom() the same. */
static json_object *dom_json(const struct xld_dom *d)
{
	json_object *o = json_object_new_object();
	const char *reason;
	char uuid[37];

	if (!o)
		return NULL;
	uuid_unparse_lower(d->uuid, uuid);
	reason =
	    d->state == DC_STATE_SHUTDOWN ? xld_reason_name(d->reason) : NULL;
	json_object_object_add(o, "domid", json_object_new_int64(d->domid));
	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "uuid", json_object_new_string(uuid));
	json_object_object_add(
	    o, "state", json_object_new_string(xld_state_name(d->state)));
	json_object_object_add(o, "shutdown_reason",
			       reason ? json_object_new_string(reason) : NULL);
	json_object_object_add(o, "memory_kib",
			       json_object_new_int64((int64_t)d->memory_kib));
	json_object_object_add(o, "maxmem_kib",
			       json_object_new_int64((int64_t)d->maxmem_kib));
	json_object_object_add(o, "vcpus", json_object_new_int64(d->vcpus));
	json_object_object_add(o, "maxvcpus",
			       json_object_new_int64(d->maxvcpus));
	json_object_object_add(o, "cpu_time_ns",
			       json_object_new_int64((int64_t)d->cpu_time_ns));
	json_object_object_add(o, "start_time",
			       json_object_new_int64(d->start_time));
	json_object_object_add(o, "pid", json_object_new_int64(d->pid));
	return o;
}

static json_object *dom0_json(void)
{
	json_object *o = json_object_new_object();
	uint64_t kib, ns;
	uint32_t cpus;
	char line[128];
	double up = 0;
	FILE *f;

	if (!o)
		return NULL;
	xld_dom0_info(&kib, &cpus, &ns);
	f = fopen("/proc/uptime", "re");
	if (f && fgets(line, sizeof(line), f))
		sscanf(line, "%lf", &up);
	if (f)
		fclose(f);
	json_object_object_add(o, "domid", json_object_new_int(0));
	json_object_object_add(o, "name", json_object_new_string("Domain-0"));
	json_object_object_add(
	    o, "uuid",
	    json_object_new_string("00000000-0000-0000-0000-000000000000"));
	json_object_object_add(o, "state", json_object_new_string("running"));
	json_object_object_add(o, "shutdown_reason", NULL);
	json_object_object_add(o, "memory_kib",
			       json_object_new_int64((int64_t)kib));
	json_object_object_add(o, "vcpus", json_object_new_int64(cpus));
	json_object_object_add(o, "cpu_time_ns",
			       json_object_new_int64((int64_t)ns));
	json_object_object_add(
	    o, "start_time",
	    json_object_new_int64((int64_t)(time(NULL) - (time_t)up)));
	json_object_object_add(o, "pid", json_object_new_int(0));
	return o;
}

/* ---- methods ---- */

static int do_hello(struct ctl_req *r)
{
	r->result = json_object_new_object();
	if (!r->result)
		return -ENOMEM;
	json_object_object_add(r->result, "version",
			       json_object_new_int(XLD_CTL_VERSION));
	json_object_object_add(r->result, "xld",
			       json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(r->result, "writable",
			       json_object_new_boolean(r->c->priv));
	return 0;
}

/* As text, not a json-c tree: see ctl_list.c. */
static int do_list(struct ctl_req *r)
{
	json_object *dom0 = dom0_json();
	int rc;

	if (!dom0)
		return -ENOMEM;
	rc = xld_ctl_list_text(r->c->ctl->doms, dom0, &r->text,
			       &r->text_len);
	json_object_put(dom0);
	return rc;
}

static int do_info(struct ctl_req *r)
{
	r->result = r->dom ? dom_json(r->dom) : dom0_json();
	if (!r->result)
		return -ENOMEM;
	/* the config names files on the host: for root only */
	if (r->dom && r->c->priv)
		json_object_object_add(r->result, "config",
				       json_object_get(r->dom->config));
	return 0;
}

static int do_domid(struct ctl_req *r)
{
	r->result = json_object_new_object();
	if (!r->result)
		return -ENOMEM;
	json_object_object_add(
	    r->result, "domid",
	    json_object_new_int64(r->dom ? r->dom->domid : 0));
	return 0;
}

/* The pty of a guest's serial console, for xl console (Xen reads the
 * store's console/tty for it). */
static int do_console(struct ctl_req *r)
{
	char tty[128];
	int rc;

	if (!r->dom)
		return fail(r, -ENODEV, "Domain-0 has no console to attach "
			    "to here");
	rc = xld_dom_console_tty(r->c->ctl->doms, r->dom, tty, sizeof(tty));
	if (rc)
		return fail(r, rc == -ENOENT ? -ENODEV : rc,
			    "domain %" PRIu32 " (%s) offers no console pty",
			    r->dom->domid, r->dom->name);
	r->result = json_object_new_object();
	if (!r->result)
		return -ENOMEM;
	json_object_object_add(r->result, "domid",
			       json_object_new_int64(r->dom->domid));
	json_object_object_add(r->result, "tty", json_object_new_string(tty));
	return 0;
}

static int do_domname(struct ctl_req *r)
{
	r->result = json_object_new_object();
	if (!r->result)
		return -ENOMEM;
	json_object_object_add(
	    r->result, "name",
	    json_object_new_string(r->dom ? r->dom->name : "Domain-0"));
	return 0;
}

static int do_create(struct ctl_req *r)
{
	json_object *cfg, *v = NULL;
	bool paused;
	struct xld_dom *d;
	char uuid[37], warn[sizeof(r->msg)];
	int rc;

	if (!json_object_object_get_ex(r->params, "config", &cfg) ||
	    !json_object_is_type(cfg, json_type_object))
		return fail(r, -EINVAL,
			    "create needs params.config, the "
			    "resolved domain config (an object)");
	if (json_object_object_get_ex(r->params, "paused", &v) &&
	    !json_object_is_type(v, json_type_boolean))
		return fail(r, -EINVAL, "params.paused must be true or false");
	paused = v && json_object_get_boolean(v);
	rc = xld_dom_create(r->c->ctl->doms, cfg, &d, r->msg, sizeof(r->msg));
	if (rc)
		return rc;
	snprintf(warn, sizeof(warn), "%s", r->msg);
	r->msg[0] = '\0';
	/* as xl create -p: the guest has run no further than its start */
	if (paused) {
		rc = xld_dom_pause(r->c->ctl->doms, d);
		if (rc) {
			snprintf(r->msg, sizeof(r->msg),
				 "domain %" PRIu32 " (%s) was created but "
				 "cannot be paused: %s",
				 d->domid, d->name, strerror(-rc));
			return rc;
		}
	}
	r->result = json_object_new_object();
	if (!r->result)
		return -ENOMEM;
	uuid_unparse_lower(d->uuid, uuid);
	json_object_object_add(r->result, "domid",
			       json_object_new_int64(d->domid));
	json_object_object_add(r->result, "name",
			       json_object_new_string(d->name));
	json_object_object_add(r->result, "uuid", json_object_new_string(uuid));
	/* what the domain runs without (xld_dom_create's warning) */
	if (warn[0]) {
		v = json_object_new_array();
		json_object_array_add(v, json_object_new_string(warn));
		json_object_object_add(r->result, "warnings", v);
	}
	return 0;
}

static int refuse_dom0(struct ctl_req *r, const char *what)
{
	return fail(r, -EPERM, "Domain-0 cannot be %s", what);
}

static int do_destroy(struct ctl_req *r)
{
	if (!r->dom)
		return refuse_dom0(r, "destroyed");
	return xld_dom_destroy(r->c->ctl->doms, r->dom);
}

static int refuse_shutdown(struct ctl_req *r)
{
	return fail(r, -EINVAL,
		    "domain %" PRIu32 " (%s) is shut down: destroy it",
		    r->dom->domid, r->dom->name);
}

static int do_pause(struct ctl_req *r)
{
	if (!r->dom)
		return refuse_dom0(r, "paused");
	if (r->dom->state == DC_STATE_SHUTDOWN)
		return refuse_shutdown(r);
	return xld_dom_pause(r->c->ctl->doms, r->dom);
}

static int do_unpause(struct ctl_req *r)
{
	if (!r->dom)
		return refuse_dom0(r, "unpaused");
	if (r->dom->state == DC_STATE_SHUTDOWN)
		return refuse_shutdown(r);
	return xld_dom_unpause(r->c->ctl->doms, r->dom);
}

/* Hold the reply until @r's domain has shut down or is gone. */
static void hold(struct ctl_req *r)
{
	r->c->waiting = true;
	r->c->wait_domid = r->dom->domid;
	r->pending = true;
}

static int stop(struct ctl_req *r, enum dc_shutdown_reason reason)
{
	json_object *v;
	int rc;

	if (!r->dom)
		return refuse_dom0(r, reason == DC_SHUTDOWN_REBOOT
					  ? "rebooted by xld"
					  : "shut down by xld");
	if (r->dom->state == DC_STATE_SHUTDOWN)
		return refuse_shutdown(r);
	rc = xld_dom_shutdown(r->c->ctl->doms, r->dom, reason);
	if (rc == -EOPNOTSUPP)
		return fail(r, rc,
			    "domain %" PRIu32 " (%s): the guest does not "
			    "listen to the ACPI power button, so it cannot be "
			    "asked to %s; xl destroy stops it",
			    r->dom->domid, r->dom->name,
			    reason == DC_SHUTDOWN_REBOOT ? "reboot"
							 : "shut down");
	if (rc)
		return rc;
	if (json_object_object_get_ex(r->params, "wait", &v) &&
	    json_object_get_boolean(v))
		hold(r);
	return 0;
}

static int do_wait(struct ctl_req *r)
{
	const char *reason;

	if (!r->dom)
		return fail(r, -EINVAL, "Domain-0 never shuts down");
	if (r->dom->state != DC_STATE_SHUTDOWN) {
		hold(r);
		return 0;
	}
	r->result = json_object_new_object();
	if (!r->result)
		return -ENOMEM;
	reason = xld_reason_name(r->dom->reason);
	json_object_object_add(r->result, "domid",
			       json_object_new_int64(r->dom->domid));
	json_object_object_add(r->result, "shutdown_reason",
			       reason ? json_object_new_string(reason) : NULL);
	return 0;
}

/*
 * "events": the reply is the list of domains, as "list" gives it; from
 * then on each change of a domain (created, state, name, memory, vCPUs)
 * follows unasked as {"version":1,"event":"changed","domain":{..}}, and
 * its end as "event":"gone".  The loop is single-threaded, so the list
 * and the events that follow it miss nothing between them.  Requests
 * still work on the connection; one that leaves XLD_CTL_OUT_MAX bytes
 * unread is dropped, like any other.
 */
static int do_events(struct ctl_req *r)
{
	int rc = do_list(r);

	if (!rc)
		r->c->subscribed = true;
	return rc;
}

static void send_event(struct ctl_conn *c, const struct xld_dom *d,
		       enum xld_dom_event ev)
{
	json_object *o = reply_new(NULL);

	if (o) {
		json_object_object_del(o, "id");
		json_object_object_add(
		    o, "event",
		    json_object_new_string(ev == XLD_DOM_GONE ? "gone" :
								"changed"));
		json_object_object_add(o, "domain", dom_json(d));
	}
	send_obj(c, o);
	conn_flush(c);
}

static int do_shutdown(struct ctl_req *r)
{
	return stop(r, DC_SHUTDOWN_POWEROFF);
}

static int do_reboot(struct ctl_req *r)
{
	return stop(r, DC_SHUTDOWN_REBOOT);
}

static int do_rename(struct ctl_req *r)
{
	json_object *v;
	const char *name;
	struct xld_dom *other;
	int rc;

	if (!json_object_object_get_ex(r->params, "name", &v) ||
	    !json_object_is_type(v, json_type_string))
		return fail(r, -EINVAL, "rename needs params.name, a string");
	name = json_object_get_string(v);
	if (!r->dom)
		return refuse_dom0(r, "renamed");
	if (xld_dom_name_check(name) || xld_dom_is_dom0(name))
		return fail(r, -EINVAL,
			    "invalid domain name '%.80s': use 1 to %d letters, "
			    "digits and -_.+:@, not digits only",
			    name, XLD_DOM_NAME_MAX);
	other = xld_dom_find(r->c->ctl->doms, name);
	if (other && other != r->dom)
		return fail(r, -EEXIST,
			    "domain name '%s' is already in use by domain "
			    "%" PRIu32,
			    name, other->domid);
	rc = xld_dom_rename(r->c->ctl->doms, r->dom, name);
	return rc;
}

/* xl block-list and network-list: @r's domain's disks and vifs. */
static int do_devices(struct ctl_req *r)
{
	json_object *vbds, *vifs;

	if (!r->dom)
		return fail(r, -ENODEV, "Domain-0 has no virtual devices");
	r->result = json_object_new_object();
	vbds = xld_dom_vbds_json(r->dom);
	vifs = xld_dom_vifs_json(r->c->ctl->doms, r->dom);
	if (!r->result || !vbds || !vifs) {
		json_object_put(vbds);
		json_object_put(vifs);
		return -ENOMEM;
	}
	json_object_object_add(r->result, "domid",
			       json_object_new_int64(r->dom->domid));
	json_object_object_add(r->result, "vbds", vbds);
	json_object_object_add(r->result, "vifs", vifs);
	return 0;
}

/*
 * xl top: every domain as list gives it, each guest with its devices as
 * devices gives them (vifs with their TAP's counters), in one reply.
 */
static int do_stats(struct ctl_req *r)
{
	json_object *arr = json_object_new_array(), *o, *vbds, *vifs;
	struct xld_dom *d;

	r->result = json_object_new_object();
	if (!arr || !r->result ||
	    json_object_object_add(r->result, "domains", arr)) {
		json_object_put(arr);
		return -ENOMEM;
	}
	o = dom0_json();
	if (!o || json_object_array_add(arr, o)) {
		json_object_put(o);
		return -ENOMEM;
	}
	for (d = xld_doms_first(r->c->ctl->doms); d; d = d->next) {
		o = dom_json(d);
		if (!o || json_object_array_add(arr, o)) {
			json_object_put(o);
			return -ENOMEM;
		}
		json_object_object_add(
		    o, "cpu_time_ns",
		    json_object_new_int64((int64_t)xld_dom_cpu_time_now(d)));
		vbds = xld_dom_vbds_json(d);
		vifs = xld_dom_vifs_json(r->c->ctl->doms, d);
		if (!vbds || !vifs ||
		    json_object_object_add(o, "vbds", vbds)) {
			json_object_put(vbds);
			json_object_put(vifs);
			return -ENOMEM;
		}
		if (json_object_object_add(o, "vifs", vifs)) {
			json_object_put(vifs);
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * xl config-update: the config @r's domain starts with next time; the
 * running guest is left as it is.
 */
static int do_config_update(struct ctl_req *r)
{
	json_object *cfg;
	int rc;

	if (!r->dom)
		return fail(r, -EPERM, "Domain-0 has no domain config to "
			    "update");
	if (!json_object_object_get_ex(r->params, "config", &cfg) ||
	    !json_object_is_type(cfg, json_type_object))
		return fail(r, -EINVAL,
			    "config-update needs params.config, the "
			    "resolved domain config (an object)");
	rc = xld_dom_config_update(r->c->ctl->doms, r->dom, cfg, r->msg,
				   sizeof(r->msg));
	if (rc)
		return rc;
	r->result = json_object_new_object();
	if (!r->result)
		return -ENOMEM;
	json_object_object_add(r->result, "domid",
			       json_object_new_int64(r->dom->domid));
	json_object_object_add(r->result, "name",
			       json_object_new_string(r->dom->name));
	return 0;
}

/* xl vcpu-list: the vCPUs of @r's domain, read from its monitor. */
static int do_vcpus(struct ctl_req *r)
{
	json_object *a;
	int rc = 0;

	if (!r->dom)
		return fail(r, -ENODEV, "Domain-0's CPUs are the host's: "
			    "see /proc/stat");
	a = xld_dom_vcpus_json(r->dom, &rc);
	if (!a)
		return fail(r, rc, "domain %" PRIu32 " (%s): cannot read "
			    "its vCPU threads: %s", r->dom->domid,
			    r->dom->name, strerror(-rc));
	r->result = json_object_new_object();
	if (!r->result) {
		json_object_put(a);
		return -ENOMEM;
	}
	json_object_object_add(r->result, "domid",
			       json_object_new_int64(r->dom->domid));
	json_object_object_add(r->result, "name",
			       json_object_new_string(r->dom->name));
	json_object_object_add(r->result, "vcpus", a);
	return 0;
}

/*
 * A CPU list as xl normalizes it ("all", "0-3,5", "all,^1") into @set;
 * CPUs the host does not have are refused.
 */
static int cpulist_set(const char *s, cpu_set_t *set)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	unsigned long lo, hi, i;
	char copy[512], *tok, *save = NULL, *end;
	bool neg;

	if (ncpu < 1 || ncpu > CPU_SETSIZE)
		ncpu = CPU_SETSIZE;
	if (strlen(s) >= sizeof(copy))
		return -EINVAL;
	strcpy(copy, s);
	CPU_ZERO(set);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		neg = *tok == '^';
		tok += neg;
		if (!strcmp(tok, "all")) {
			lo = 0;
			hi = (unsigned long)ncpu - 1;
		} else {
			if (*tok < '0' || *tok > '9')
				return -EINVAL;
			lo = hi = strtoul(tok, &end, 10);
			if (*end == '-' && end[1] >= '0' && end[1] <= '9')
				hi = strtoul(end + 1, &end, 10);
			if (*end || hi < lo || hi >= (unsigned long)ncpu)
				return -EINVAL;
		}
		for (i = lo; i <= hi; i++) {
			if (neg)
				CPU_CLR(i, set);
			else
				CPU_SET(i, set);
		}
	}
	return CPU_COUNT(set) ? 0 : -EINVAL;
}

/* xl vcpu-pin: params.vcpu (-1 for all), params.cpus (a CPU list). */
/* params.@key: a size in KiB, 1 KiB to 1 TiB (xl parsed the suffix). */
static int mem_param(struct ctl_req *r, const char *key, uint64_t *kib)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(r->params, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return fail(r, -EINVAL, "%s needs params.%s (KiB, a number)",
			    key[0] == 't' ? "mem-set" : "mem-max", key);
	n = json_object_get_int64(v);
	if (n < 1 || n > 1024LL * 1024 * 1024)
		return fail(r, -EINVAL, "params.%s %" PRId64 " is not a "
			    "memory size from 1 KiB to 1 TiB", key, n);
	*kib = (uint64_t)n;
	return 0;
}

/* xl mem-set: the guest's balloon target, at most its static maximum. */
static int do_mem_set(struct ctl_req *r)
{
	uint64_t kib;
	int rc;

	rc = mem_param(r, "target_kib", &kib);
	if (rc)
		return rc;
	if (!r->dom)
		return refuse_dom0(r, "ballooned here");
	rc = xld_dom_set_memory(r->c->ctl->doms, r->dom, kib);
	if (rc == -ERANGE)
		return fail(r, rc, "domain %" PRIu32 " (%s): cannot set "
			    "dynamic max memory to %" PRIu64 " KiB: "
			    "memory_dynamic_max must be less than or equal "
			    "to memory_static_max (%" PRIu64 " KiB)",
			    r->dom->domid, r->dom->name, kib,
			    r->dom->maxmem_kib);
	if (rc == -EINVAL)
		return fail(r, rc, "domain %" PRIu32 " (%s): cannot set "
			    "dynamic max memory to %" PRIu64 " KiB: the "
			    "least is %d KiB", r->dom->domid, r->dom->name,
			    kib, XLD_MEM_MIN_KIB);
	if (rc == -ESRCH)
		return fail(r, rc, "domain %" PRIu32 " (%s) is not running: "
			    "its memory cannot change", r->dom->domid,
			    r->dom->name);
	if (rc)
		return fail(r, rc, "domain %" PRIu32 " (%s): cannot set "
			    "dynamic max memory: %s", r->dom->domid,
			    r->dom->name, strerror(-rc));
	return 0;
}

/* xl mem-max: the static maximum, within the RAM the guest has. */
static int do_mem_max(struct ctl_req *r)
{
	uint64_t kib;
	int rc;

	rc = mem_param(r, "maxmem_kib", &kib);
	if (rc)
		return rc;
	if (!r->dom)
		return refuse_dom0(r, "given a memory maximum here");
	rc = xld_dom_set_maxmem(r->c->ctl->doms, r->dom, kib);
	if (rc == -ERANGE)
		return fail(r, rc, "domain %" PRIu32 " (%s): cannot set "
			    "static max memory to %" PRIu64 " KiB: "
			    "memory_static_max must be greater than or equal "
			    "to memory_dynamic_max (%" PRIu64 " KiB)",
			    r->dom->domid, r->dom->name, kib,
			    r->dom->memory_kib);
	if (rc == -ENOSPC)
		return fail(r, rc, "domain %" PRIu32 " (%s): cannot set "
			    "static max memory to %" PRIu64 " KiB: it was "
			    "built with %" PRIu64 " KiB of RAM; more needs a "
			    "new domain (maxmem in its config)",
			    r->dom->domid, r->dom->name, kib,
			    r->dom->ram_kib);
	return rc;
}

/* xl vcpu-set: params.vcpus online, 1..maxvcpus (ACPI CPU hotplug). */
static int do_vcpu_set(struct ctl_req *r)
{
	json_object *v;
	int64_t n;
	int rc;

	if (!json_object_object_get_ex(r->params, "vcpus", &v) ||
	    !json_object_is_type(v, json_type_int))
		return fail(r, -EINVAL, "vcpu-set needs params.vcpus (a "
			    "number)");
	if (!r->dom)
		return refuse_dom0(r, "given vCPUs here");
	n = json_object_get_int64(v);
	if (n < 1 || n > (int64_t)r->dom->maxvcpus)
		/* libxl's words, which scripts may look for */
		return fail(r, -ERANGE, "Domain %" PRIu32 ":Requested %" PRId64
			    " VCPUs, however maxcpus is %" PRIu32 "!",
			    r->dom->domid, n, r->dom->maxvcpus);
	rc = xld_dom_set_vcpus(r->c->ctl->doms, r->dom, (uint32_t)n);
	if (rc == -EOPNOTSUPP)
		return fail(r, rc, "domain %" PRIu32 " (%s): its guest has no "
			    "ACPI CPU hotplug (a test guest, or ACPI off): "
			    "its vCPUs cannot change", r->dom->domid,
			    r->dom->name);
	if (rc == -ESRCH)
		return fail(r, rc, "domain %" PRIu32 " (%s) is not running: "
			    "its vCPUs cannot change", r->dom->domid,
			    r->dom->name);
	if (rc)
		return fail(r, rc, "domain %" PRIu32 " (%s): cannot set its "
			    "vCPUs to %" PRId64 ": %s", r->dom->domid,
			    r->dom->name, n, strerror(-rc));
	return 0;
}

static int do_vcpu_pin(struct ctl_req *r)
{
	json_object *v, *c;
	cpu_set_t set;
	int64_t n;
	int rc;

	if (!json_object_object_get_ex(r->params, "vcpu", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    !json_object_object_get_ex(r->params, "cpus", &c) ||
	    !json_object_is_type(c, json_type_string))
		return fail(r, -EINVAL, "vcpu-pin needs params.vcpu (a "
			    "number, -1 for all) and params.cpus (a string)");
	if (!r->dom)
		return refuse_dom0(r, "pinned here");
	n = json_object_get_int64(v);
	if (n < -1 || n >= (int64_t)r->dom->vcpus)
		return fail(r, -EINVAL, "domain %" PRIu32 " (%s) has no "
			    "vcpu %" PRId64, r->dom->domid, r->dom->name, n);
	if (cpulist_set(json_object_get_string(c), &set))
		return fail(r, -EINVAL, "invalid CPU list '%.100s' for "
			    "this host's %ld CPUs",
			    json_object_get_string(c),
			    sysconf(_SC_NPROCESSORS_CONF));
	rc = xld_dom_vcpu_pin(r->dom, (int)n, &set);
	if (rc)
		return fail(r, rc, "domain %" PRIu32 " (%s): cannot pin: %s",
			    r->dom->domid, r->dom->name, strerror(-rc));
	return 0;
}

/* Past this much, xl dmesg shows the log's end (Xen's ring is smaller). */
#define CTL_DMESG_MAX (1024u * 1024)

/*
 * xl dmesg: the end of xld's log, which stands for Xen's hypervisor
 * console; "dmesg-clear" (xl dmesg -c) empties it after reading.  Root
 * only: the log names files and commands of the host.
 */
static int dmesg(struct ctl_req *r, bool clear)
{
	const char *path = xld_log_path();
	char *buf = NULL, *start;
	struct stat sb;
	off_t off = 0;
	ssize_t n;
	size_t len;
	FILE *f;
	int rc = 0;

	if (!r->c->priv)
		return fail(r, -EACCES, "xld's log is for root only");
	if (!path)
		return fail(r, -ENOENT, "xld has no log file");
	f = fopen(path, "re");
	if (!f)
		return fail(r, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &sb)) {
		rc = -errno;
		goto out;
	}
	if (sb.st_size > (off_t)CTL_DMESG_MAX)
		off = sb.st_size - (off_t)CTL_DMESG_MAX;
	len = (size_t)(sb.st_size - off);
	buf = malloc(len + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	n = pread(fileno(f), buf, len, off);
	if (n < 0) {
		rc = fail(r, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	buf[n] = '\0';
	start = buf;
	/* from the log's start or a whole line */
	if (off && (start = strchr(buf, '\n')))
		start++;
	else if (off)
		start = buf + n;
	r->result = json_object_new_object();
	if (!r->result) {
		rc = -ENOMEM;
		goto out;
	}
	json_object_object_add(r->result, "log",
			       json_object_new_string(start));
	if (clear && truncate(path, 0))
		rc = fail(r, -errno, "cannot clear %s: %s", path,
			  strerror(errno));
	else if (clear)
		xld_info("log cleared by client pid %ld", (long)r->c->pid);
out:
	free(buf);
	fclose(f);
	return rc;
}

static int do_dmesg(struct ctl_req *r)
{
	return dmesg(r, false);
}

static int do_dmesg_clear(struct ctl_req *r)
{
	return dmesg(r, true);
}

static int resolve_domain(struct ctl_req *r);

/* One row of xl sched-credit; @d NULL for Domain-0 (the host's share). */
static json_object *sched_json(struct ctl_req *r, const struct xld_dom *d)
{
	json_object *o = json_object_new_object();
	char path[PATH_MAX];

	if (!o)
		return NULL;
	json_object_object_add(o, "domid",
			       json_object_new_int64(d ? d->domid : 0));
	json_object_object_add(o, "name",
			       json_object_new_string(d ? d->name : "Domain-0"));
	json_object_object_add(
	    o, "weight",
	    json_object_new_int64(d ? d->weight : XLD_SCHED_WEIGHT_DEFAULT));
	json_object_object_add(o, "cap", json_object_new_int64(d ? d->cap : 0));
	if (d && r->c->priv &&
	    !xld_sched_group_path(xld_doms_sched(r->c->ctl->doms), d->domid,
				  path, sizeof(path)))
		json_object_object_add(o, "cgroup",
				       json_object_new_string(path));
	return o;
}

/*
 * xl sched-credit: the weight and cap of params.domain, or of every
 * domain, with the figures of Xen's Pool-0 that Linux's scheduler has no
 * knob for (Xen's defaults).
 */
static int do_sched_credit_get(struct ctl_req *r)
{
	struct xld_sched *s = xld_doms_sched(r->c->ctl->doms);
	json_object *arr, *pool, *o;
	const char *why = xld_sched_unusable(s);
	struct xld_dom *d;
	int rc;

	if (json_object_object_get_ex(r->params, "domain", NULL)) {
		rc = resolve_domain(r);
		if (rc)
			return rc;
	}
	r->result = json_object_new_object();
	arr = json_object_new_array();
	pool = json_object_new_object();
	if (!r->result || !arr || !pool) {
		json_object_put(arr);
		json_object_put(pool);
		return -ENOMEM;
	}
	json_object_object_add(r->result, "domains", arr);
	json_object_object_add(r->result, "pool", pool);
	json_object_object_add(pool, "name", json_object_new_string("Pool-0"));
	json_object_object_add(pool, "tslice_ms", json_object_new_int(30));
	json_object_object_add(pool, "ratelimit_us", json_object_new_int(1000));
	json_object_object_add(pool, "migration_delay_us",
			       json_object_new_int(0));
	json_object_object_add(r->result, "controller",
			       why ? NULL
				   : json_object_new_string(xld_sched_kind(s)));
	json_object_object_add(r->result, "unusable",
			       why ? json_object_new_string(why) : NULL);
	if (r->qualifier) {
		o = sched_json(r, r->dom);
		return !o || json_object_array_add(arr, o) ? -ENOMEM : 0;
	}
	o = sched_json(r, NULL);
	if (!o || json_object_array_add(arr, o))
		return -ENOMEM;
	for (d = xld_doms_first(r->c->ctl->doms); d; d = d->next) {
		o = sched_json(r, d);
		if (!o || json_object_array_add(arr, o))
			return -ENOMEM;
	}
	return 0;
}

/* An optional integer parameter; -EINVAL when it is not one. */
static int param_int(struct ctl_req *r, const char *key, long long *out,
		     bool *given)
{
	json_object *v;

	*given = json_object_object_get_ex(r->params, key, &v);
	if (!*given)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return fail(r, -EINVAL, "params.%s must be an integer", key);
	*out = (long long)json_object_get_int64(v);
	return 0;
}

/* xl sched-credit -d DOM -w WEIGHT -c CAP: params.weight, params.cap. */
static int do_sched_credit_set(struct ctl_req *r)
{
	long long w = 0, c = 0;
	bool has_w, has_c;
	int rc;

	rc = param_int(r, "weight", &w, &has_w);
	if (!rc)
		rc = param_int(r, "cap", &c, &has_c);
	if (rc)
		return rc;
	if (!has_w && !has_c)
		return fail(r, -EINVAL,
			    "sched-credit-set needs params.weight or "
			    "params.cap");
	if (!r->dom)
		return fail(r, -EPERM,
			    "Domain-0 is the host: xld does not set its CPU "
			    "weight or cap");
	rc = xld_dom_sched_set(r->c->ctl->doms, r->dom, has_w ? &w : NULL,
			       has_c ? &c : NULL, r->msg, sizeof(r->msg));
	if (rc)
		return rc;
	r->result = json_object_new_object();
	if (!r->result)
		return -ENOMEM;
	json_object_object_add(r->result, "domid",
			       json_object_new_int64(r->dom->domid));
	json_object_object_add(r->result, "weight",
			       json_object_new_int64(r->dom->weight));
	json_object_object_add(r->result, "cap",
			       json_object_new_int64(r->dom->cap));
	return 0;
}

/* xl dump-core's held reply, when the dump ends (@tag: the serial). */
static void dump_core_done(void *arg, uint64_t tag, int rc, const char *path,
			   const struct dc_save_result *res, const char *msg)
{
	struct xld_ctl *ctl = arg;
	struct ctl_conn *c;
	json_object *o;
	char m[768];

	for (c = ctl->conns; c && c->serial != tag; c = c->next)
		;
	if (!c || c->dead || !c->waiting || c->wait_domid)
		return; /* the client left */
	if (rc) {
		snprintf(m, sizeof(m), "cannot write the dump to %s: %s%s%s",
			 path, strerror(-rc), msg[0] ? ": " : "", msg);
		/* to xl these say "no such domain": the file's own is EIO */
		send_error(c, c->wait_id,
			   rc == -ENOENT || rc == -ESRCH ? -EIO : rc, m);
	} else {
		o = json_object_new_object();
		if (o) {
			json_object_object_add(o, "path",
					       json_object_new_string(path));
			json_object_object_add(
			    o, "bytes",
			    json_object_new_int64((int64_t)res->bytes));
			json_object_object_add(
			    o, "seconds",
			    json_object_new_double((double)res->save_ns / 1e9));
		}
		send_result(c, c->wait_id, o);
	}
	json_object_put(c->wait_id);
	c->wait_id = NULL;
	c->waiting = false;
	c->resume = true;
	conn_flush(c);
	kick(ctl);
}

/*
 * xl dump-core: the monitor writes the guest's state file (paused for
 * it, resumed after); the reply is held until the file is written.
 */
static int do_dump_core(struct ctl_req *r)
{
	const char *path;
	json_object *v;
	int rc;

	if (!json_object_object_get_ex(r->params, "path", &v) ||
	    !json_object_is_type(v, json_type_string))
		return fail(r, -EINVAL,
			    "dump-core needs params.path, the file to write");
	path = json_object_get_string(v);
	if (path[0] != '/')
		return fail(r, -EINVAL,
			    "dump-core: '%.200s' is not an absolute path",
			    path);
	if (strlen(path) >= DC_SAVE_PATH_MAX)
		return fail(r, -ENAMETOOLONG,
			    "dump-core: the path is longer than %d bytes",
			    DC_SAVE_PATH_MAX - 1);
	if (!r->dom)
		return refuse_dom0(r, "dumped");
	rc = xld_dom_dump_core(r->c->ctl->doms, r->dom, path, dump_core_done,
			       r->c->ctl, r->c->serial);
	if (rc)
		return rc;
	r->c->waiting = true;
	r->c->wait_domid = 0;
	r->pending = true;
	return 0;
}

static const struct ctl_method methods[] = {
    {"hello", do_hello, 0},
    {"list", do_list, 0},
    {"info", do_info, CTL_DOMAIN},
    {"domid", do_domid, CTL_DOMAIN},
    {"domname", do_domname, CTL_DOMAIN},
    {"console", do_console, CTL_DOMAIN},
    {"wait", do_wait, CTL_DOMAIN},
    {"events", do_events, 0},
    {"create", do_create, CTL_MODIFIES},
    {"destroy", do_destroy, CTL_MODIFIES | CTL_DOMAIN},
    {"shutdown", do_shutdown, CTL_MODIFIES | CTL_DOMAIN},
    {"reboot", do_reboot, CTL_MODIFIES | CTL_DOMAIN},
    {"pause", do_pause, CTL_MODIFIES | CTL_DOMAIN},
    {"unpause", do_unpause, CTL_MODIFIES | CTL_DOMAIN},
    {"rename", do_rename, CTL_MODIFIES | CTL_DOMAIN},
    {"devices", do_devices, CTL_DOMAIN},
    {"stats", do_stats, 0},
    {"config-update", do_config_update, CTL_MODIFIES | CTL_DOMAIN},
    {"vcpus", do_vcpus, CTL_DOMAIN},
    {"vcpu-pin", do_vcpu_pin, CTL_MODIFIES | CTL_DOMAIN},
    {"vcpu-set", do_vcpu_set, CTL_MODIFIES | CTL_DOMAIN},
    {"mem-set", do_mem_set, CTL_MODIFIES | CTL_DOMAIN},
    {"mem-max", do_mem_max, CTL_MODIFIES | CTL_DOMAIN},
    {"sched-credit-get", do_sched_credit_get, 0},
    {"sched-credit-set", do_sched_credit_set, CTL_MODIFIES | CTL_DOMAIN},
    {"dmesg", do_dmesg, 0},
    {"dmesg-clear", do_dmesg_clear, CTL_MODIFIES},
    {"dump-core", do_dump_core, CTL_MODIFIES | CTL_DOMAIN},
};

/* params.domain: a name or a domid (string or number). */
static int resolve_domain(struct ctl_req *r)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(r->params, "domain", &v))
		return fail(r, -EINVAL,
			    "params.domain is missing: give a "
			    "domain name or id");
	if (json_object_is_type(v, json_type_int)) {
		n = json_object_get_int64(v);
		if (n < 0 || n > XLD_DOMID_MAX)
			return fail(r, -ESRCH,
				    "Domain %" PRId64 " does not "
				    "exist",
				    n);
		r->qualifier = json_object_get_string(v);
		if (n == 0)
			return 0;
		r->dom = xld_dom_by_id(r->c->ctl->doms, (uint32_t)n);
		if (!r->dom)
			return fail(r, -ESRCH,
				    "Domain %" PRId64 " does not "
				    "exist",
				    n);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return fail(r, -EINVAL,
			    "params.domain must be a name or an id");
	r->qualifier = json_object_get_string(v);
	if (xld_dom_is_dom0(r->qualifier))
		return 0;
	r->dom = xld_dom_find(r->c->ctl->doms, r->qualifier);
	if (!r->dom)
		return fail(r, errno == ESRCH ? -ESRCH : -ENOENT,
			    "Domain '%.80s' does not exist", r->qualifier);
	return 0;
}

/* One request line (NUL-terminated, newline stripped). */
static void handle_line(struct ctl_conn *c, const char *line, size_t len)
{
	struct ctl_req r = {.c = c};
	json_tokener *tok = NULL;
	json_object *req = NULL, *v, *id = NULL;
	const struct ctl_method *m = NULL;
	const char *name;
	size_t i;
	int rc;

	if (len == 0)
		return; /* blank lines are allowed between requests */
	tok = json_tokener_new();
	if (!tok) {
		send_error(c, NULL, -ENOMEM, NULL);
		return;
	}
	req = json_tokener_parse_ex(tok, line, (int)len);
	if (!req || json_tokener_get_error(tok) != json_tokener_success ||
	    (size_t)json_tokener_get_parse_end(tok) != len) {
		send_error(c, NULL, -EBADMSG,
			   "the request is not one valid JSON object");
		goto out;
	}
	if (!json_object_is_type(req, json_type_object)) {
		send_error(c, NULL, -EBADMSG,
			   "the request must be a JSON "
			   "object");
		goto out;
	}
	json_object_object_get_ex(req, "id", &id);
	if (!json_object_object_get_ex(req, "version", &v) ||
	    !json_object_is_type(v, json_type_int)) {
		send_error(c, id, -EPROTO, "the request has no \"version\"");
		goto out;
	}
	if (json_object_get_int64(v) != XLD_CTL_VERSION) {
		snprintf(r.msg, sizeof(r.msg),
			 "protocol version %" PRId64 " is not supported; this "
			 "xld speaks version %d",
			 json_object_get_int64(v), XLD_CTL_VERSION);
		send_error(c, id, -EPROTONOSUPPORT, r.msg);
		goto out;
	}
	if (!json_object_object_get_ex(req, "method", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		send_error(c, id, -EINVAL, "the request has no \"method\"");
		goto out;
	}
	name = json_object_get_string(v);
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (!strcmp(methods[i].name, name))
			m = &methods[i];
	if (!m) {
		snprintf(r.msg, sizeof(r.msg), "unknown method '%.64s'", name);
		send_error(c, id, -EOPNOTSUPP, r.msg);
		goto out;
	}
	if ((m->flags & CTL_MODIFIES) && !c->priv) {
		snprintf(r.msg, sizeof(r.msg),
			 "'%s' changes domains: the read-only socket refuses "
			 "it; use xld.sock as root",
			 m->name);
		send_error(c, id, -EACCES, r.msg);
		goto out;
	}
	if (json_object_object_get_ex(req, "params", &r.params)) {
		if (!json_object_is_type(r.params, json_type_object)) {
			send_error(c, id, -EINVAL,
				   "\"params\" must be an object");
			goto out;
		}
	} else {
		r.params = json_object_new_object();
		if (!r.params) {
			send_error(c, id, -ENOMEM, NULL);
			goto out;
		}
		json_object_object_add(req, "params", r.params);
	}
	rc = m->flags & CTL_DOMAIN ? resolve_domain(&r) : 0;
	if (!rc) {
		rc = m->fn(&r);
		if (rc == -EBUSY && r.dom && r.dom->dumping && !r.msg[0])
			snprintf(r.msg, sizeof(r.msg),
				 "domain %" PRIu32 " (%s): its core dump is "
				 "being written; try again when it is done",
				 r.dom->domid, r.dom->name);
		/* ENOENT and ESRCH say "no such domain" to xl: a domain that
		 * exists but whose monitor is gone is another failure */
		if ((rc == -ESRCH || rc == -ENOENT) && r.dom && !r.msg[0]) {
			snprintf(r.msg, sizeof(r.msg),
				 "domain %" PRIu32 " (%s): its monitor does "
				 "not answer",
				 r.dom->domid, r.dom->name);
			rc = -EIO;
		}
	}
	if (rc) {
		json_object_put(r.result);
		send_error(c, id, rc, r.msg);
	} else if (r.pending) {
		json_object_put(r.result);
		c->wait_id = id ? json_object_get(id) : NULL;
	} else if (r.text) {
		send_text_result(c, id, r.text, r.text_len);
	} else {
		send_result(c, id, r.result);
	}
	free(r.text);
out:
	json_object_put(req);
	json_tokener_free(tok);
}

/* Refuse the rest of what @c sends, after one last error. */
static void conn_refuse(struct ctl_conn *c, int rc, const char *msg)
{
	send_error(c, NULL, rc, msg);
	c->draining = true;
	c->in_len = 0;
}

/* Handle every complete line buffered, unless a reply is held. */
static void process(struct ctl_conn *c)
{
	char *nl;
	size_t len;

	while (!c->dead && !c->draining && !c->waiting && !backlogged(c) &&
	       (nl = memchr(c->in, '\n', c->in_len))) {
		len = (size_t)(nl - c->in);
		*nl = '\0';
		handle_line(c, c->in, len);
		memmove(c->in, nl + 1, c->in_len - len - 1);
		c->in_len -= len + 1;
	}
	if (!c->dead && !c->draining && !c->waiting && c->in_len >= CTL_IN_CAP)
		conn_refuse(c, -E2BIG,
			    "request line too long: the limit is 262144 bytes");
	conn_flush(c);
	if (c->dead)
		kick(c->ctl);
}

/* ---- connections ---- */

static void conn_free(struct xld_ctl *ctl, struct ctl_conn *c)
{
	struct ctl_conn **pp;

	for (pp = &ctl->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	ctl->nconns--;
	xld_loop_del(ctl->loop, c->fd);
	close(c->fd);
	json_object_put(c->wait_id);
	free(c->in);
	free(c->out);
	free(c);
}

static void conn_update(struct ctl_conn *c)
{
	uint32_t ev = 0;

	if (c->dead)
		return;
	if (c->draining ||
	    (!c->waiting && !backlogged(c) && c->in_len < CTL_IN_CAP))
		ev |= EPOLLIN;
	if (c->out_off < c->out_len)
		ev |= EPOLLOUT;
	if (ev != c->events && xld_loop_mod(c->ctl->loop, c->fd, ev) == 0)
		c->events = ev;
}

static void conn_event(struct xld_loop *loop, int fd, uint32_t events,
		       void *arg)
{
	struct ctl_conn *c = arg;
	ssize_t r;

	if (c->dead)
		return;
	if (events & EPOLLOUT) {
		conn_flush(c);
		/* drained enough: the requests that waited go on */
		if (!backlogged(c) && !c->waiting && !c->draining &&
		    memchr(c->in, '\n', c->in_len))
			process(c);
	}
	if (c->draining && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		char sink[4096];

		r = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			c->dead = true;
			kick(c->ctl);
		}
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		if (c->in_len < CTL_IN_CAP && !c->waiting && !backlogged(c)) {
			if (c->in_len == c->in_cap) {
				size_t cap = c->in_cap * 2;
				char *n;

				if (cap > CTL_IN_CAP)
					cap = CTL_IN_CAP;
				n = realloc(c->in, cap);
				if (!n) {
					c->dead = true;
					kick(c->ctl);
					return;
				}
				c->in = n;
				c->in_cap = cap;
			}
			r = recv(fd, c->in + c->in_len, c->in_cap - c->in_len,
				 MSG_DONTWAIT);
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			if (r <= 0) {
				c->dead = true;
				kick(c->ctl);
				return;
			}
			c->in_len += (size_t)r;
			process(c);
		} else if (events & (EPOLLHUP | EPOLLERR)) {
			c->dead = true;
			kick(c->ctl);
		}
	}
}

/*
 * Whether process @pid (primary group @gid) is in @group: SO_PEERCRED
 * gives only the primary group, the supplementary ones are in
 * /proc/<pid>/status.
 */
static bool peer_in_group(pid_t pid, gid_t gid, gid_t group)
{
	char path[64], line[4096], *p, *end;
	bool in = gid == group;
	unsigned long g;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = in ? NULL : fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Groups:", 7))
			continue;
		for (p = line + 7; !in; p = end) {
			errno = 0;
			g = strtoul(p, &end, 10);
			if (end == p || errno)
				break;
			in = (gid_t)g == group;
		}
		break;
	}
	if (f)
		fclose(f);
	return in;
}

static void accept_event(struct xld_loop *loop, int fd, uint32_t events,
			 void *arg)
{
	struct xld_ctl *ctl = arg;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct ctl_conn *c = NULL;
	bool priv = fd == ctl->lfd[0];
	int cfd, rc;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		xld_warn("SO_PEERCRED: %s: client refused", strerror(errno));
		goto refuse;
	}
	if (priv && cred.uid != 0 && cred.uid != geteuid() &&
	    (ctl->group == (gid_t)-1 ||
	     !peer_in_group(cred.pid, cred.gid, ctl->group))) {
		xld_warn("uid %ld (pid %ld) on %s refused: %s",
			 (long)cred.uid, (long)cred.pid, ctl->path[0],
			 ctl->group == (gid_t)-1 ? "root only" :
						   "not in its group");
		goto refuse;
	}
	if (ctl->nconns >= XLD_CTL_CONNS_MAX) {
		xld_warn("%u clients already: pid %ld refused", ctl->nconns,
			 (long)cred.pid);
		goto refuse;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->in = malloc(4096)))
		goto refuse;
	c->in_cap = 4096;
	c->ctl = ctl;
	c->serial = ++ctl->next_serial;
	c->fd = cfd;
	c->priv = priv;
	c->pid = cred.pid;
	c->uid = cred.uid;
	c->events = EPOLLIN;
	rc = xld_loop_add(ctl->loop, cfd, EPOLLIN, conn_event, c);
	if (rc)
		goto refuse;
	c->next = ctl->conns;
	ctl->conns = c;
	ctl->nconns++;
	return;
refuse:
	if (c)
		free(c->in);
	free(c);
	close(cfd);
}

/* ---- deferred work: closing clients, resuming after a wait ---- */

static void kick(struct xld_ctl *ctl)
{
	uint64_t one = 1;

	if (write(ctl->kick_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		xld_err("eventfd: %s", strerror(errno));
}

static void kick_event(struct xld_loop *loop, int fd, uint32_t events,
		       void *arg)
{
	struct xld_ctl *ctl = arg;
	struct ctl_conn *c, *next;
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0)
		return;
	for (c = ctl->conns; c; c = next) {
		next = c->next;
		if (c->resume && !c->dead) {
			c->resume = false;
			process(c);
		}
		if (c->dead)
			conn_free(ctl, c);
	}
}

static void dom_event(void *arg, struct xld_dom *d, enum xld_dom_event ev)
{
	struct xld_ctl *ctl = arg;
	struct ctl_conn *c;
	json_object *res;

	for (c = ctl->conns; c; c = c->next)
		if (c->subscribed && !c->dead)
			send_event(c, d, ev);
	for (c = ctl->conns; c; c = c->next) {
		if (!c->waiting || c->dead || c->wait_domid != d->domid)
			continue;
		if (ev != XLD_DOM_GONE && d->state != DC_STATE_SHUTDOWN)
			continue;
		res = json_object_new_object();
		if (res) {
			const char *reason = xld_reason_name(d->reason);

			json_object_object_add(res, "domid",
					       json_object_new_int64(d->domid));
			json_object_object_add(
			    res, "shutdown_reason",
			    reason ? json_object_new_string(reason) : NULL);
		}
		send_result(c, c->wait_id, res);
		json_object_put(c->wait_id);
		c->wait_id = NULL;
		c->waiting = false;
		c->resume = true;
		conn_flush(c);
		kick(ctl);
	}
}

/* ---- setup ---- */

static int listen_on(const char *path, mode_t mode, gid_t group, int *out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (group != (gid_t)-1 && chown(path, (uid_t)-1, group) < 0) ||
	    chmod(path, mode) < 0 || listen(fd, 128) < 0) {
		rc = -errno;
		close(fd);
		unlink(path);
		return rc;
	}
	*out = fd;
	return 0;
}

struct xld_ctl *xld_ctl_new(struct xld_loop *loop, struct xld_doms *doms,
			    const char *rundir, gid_t group)
{
	static const char *const names[2] = {"xld.sock", "xld-ro.sock"};
	const mode_t modes[2] = {group == (gid_t)-1 ? 0600 : 0660, 0666};
	const gid_t groups[2] = {group, (gid_t)-1};
	struct xld_ctl *ctl = calloc(1, sizeof(*ctl));
	char path[PATH_MAX];
	int i, rc = -ENOMEM;

	if (!ctl)
		return NULL;
	ctl->loop = loop;
	ctl->doms = doms;
	ctl->group = group;
	ctl->lfd[0] = ctl->lfd[1] = ctl->kick_fd = -1;
	ctl->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ctl->kick_fd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = xld_loop_add(loop, ctl->kick_fd, EPOLLIN, kick_event, ctl);
	if (rc) {
		close(ctl->kick_fd);
		ctl->kick_fd = -1;
		goto fail;
	}
	for (i = 0; i < 2; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", rundir, names[i]) >=
		    (int)sizeof(path)) {
			rc = -ENAMETOOLONG;
			goto fail;
		}
		ctl->path[i] = strdup(path);
		if (!ctl->path[i]) {
			rc = -ENOMEM;
			goto fail;
		}
		rc = listen_on(path, modes[i], groups[i], &ctl->lfd[i]);
		if (rc) {
			xld_err("listen on %s: %s", path, strerror(-rc));
			free(ctl->path[i]);
			ctl->path[i] = NULL;
			goto fail;
		}
		rc =
		    xld_loop_add(loop, ctl->lfd[i], EPOLLIN, accept_event, ctl);
		if (rc)
			goto fail;
	}
	xld_doms_set_notify(doms, dom_event, ctl);
	return ctl;
fail:
	xld_ctl_free(ctl);
	errno = -rc;
	return NULL;
}

void xld_ctl_free(struct xld_ctl *ctl)
{
	int i;

	if (!ctl)
		return;
	xld_doms_set_notify(ctl->doms, NULL, NULL);
	while (ctl->conns)
		conn_free(ctl, ctl->conns);
	for (i = 0; i < 2; i++) {
		if (ctl->lfd[i] >= 0) {
			xld_loop_del(ctl->loop, ctl->lfd[i]);
			close(ctl->lfd[i]);
		}
		if (ctl->path[i]) {
			unlink(ctl->path[i]);
			free(ctl->path[i]);
		}
	}
	if (ctl->kick_fd >= 0) {
		xld_loop_del(ctl->loop, ctl->kick_fd);
		close(ctl->kick_fd);
	}
	free(ctl);
}
