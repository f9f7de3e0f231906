// SPDX-License-Identifier: GPL-2.0
/*
 * The methods of a domain's life: create, destroy, pause, shut down,
 * reboot, wait, rename, config-update, dump-core; its id, name, console.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "xld/ctl/ctl_internal.h"

int ctl_do_domid(struct ctl_req *r)
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
int ctl_do_console(struct ctl_req *r)
{
	char tty[128];
	int rc;

	if (!r->dom)
		return ctl_fail(r, -ENODEV,
				"Domain-0 has no console to attach "
				"to here");
	rc = xld_dom_console_tty(r->c->ctl->doms, r->dom, tty, sizeof(tty));
	if (rc)
		return ctl_fail(r, rc == -ENOENT ? -ENODEV : rc,
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

int ctl_do_domname(struct ctl_req *r)
{
	r->result = json_object_new_object();
	if (!r->result)
		return -ENOMEM;
	json_object_object_add(
	    r->result, "name",
	    json_object_new_string(r->dom ? r->dom->name : "Domain-0"));
	return 0;
}

/* Hold @r's reply until its domain @domid reaches @what. */
static void hold(struct ctl_req *r, uint32_t domid, enum ctl_wait what)
{
	r->c->waiting = true;
	r->c->wait_domid = domid;
	r->c->wait_for = what;
	r->pending = true;
}

int ctl_do_create(struct ctl_req *r)
{
	json_object *cfg, *v = NULL, *in, *holdv = NULL;
	struct ctl_held *held = NULL;
	struct xld_dom *d;
	int rc;

	if (!json_object_object_get_ex(r->params, "config", &cfg) ||
	    !json_object_is_type(cfg, json_type_object))
		return ctl_fail(r, -EINVAL,
				"create needs params.config, the "
				"resolved domain config (an object)");
	if (json_object_object_get_ex(r->params, "paused", &v) &&
	    !json_object_is_type(v, json_type_boolean))
		return ctl_fail(r, -EINVAL,
				"params.paused must be true or false");
	if (json_object_object_get_ex(r->params, "hold", &holdv) &&
	    !json_object_is_type(holdv, json_type_boolean))
		return ctl_fail(r, -EINVAL,
				"params.hold must be true or false");
	/* before the domain exists, which must not outlive the hold */
	if (holdv && json_object_get_boolean(holdv) && !(held = ctl_held_new()))
		return -ENOMEM;
	if (json_object_object_get_ex(r->params, "incoming", &in) &&
	    json_object_get_boolean(in))
		rc = ctl_create_incoming(r, cfg, &d);
	else
		rc = xld_dom_create(r->c->ctl->doms, cfg, &d, r->msg,
				    sizeof(r->msg));
	if (rc) {
		free(held);
		return rc;
	}
	if (held)
		ctl_held_attach(r->c, held, d);
	/* the reply when its monitor runs the guest (create_ran) */
	hold(r, d->domid, CTL_WAIT_RUN);
	r->c->wait_paused = v && json_object_get_boolean(v);
	return 0;
}

/* The reply to xl create, once @d runs: {domid, name, uuid, warnings}. */
static void create_ran(struct ctl_conn *c, struct xld_dom *d)
{
	json_object *res, *v;
	const char *warn;
	char uuid[37];
	int rc;

	xld_dom_op_result(d, &warn);
	/* as xl create -p: the guest has run no further than its start */
	if (c->wait_paused) {
		rc = xld_dom_pause(c->ctl->doms, d);
		if (rc) {
			char msg[256];

			snprintf(msg, sizeof(msg),
				 "domain %" PRIu32 " (%s) was created but "
				 "cannot be paused: %s",
				 d->domid, d->name, strerror(-rc));
			ctl_send_error(c, c->wait_id, rc, msg);
			return;
		}
	}
	res = json_object_new_object();
	if (!res) {
		ctl_send_error(c, c->wait_id, -ENOMEM, NULL);
		return;
	}
	uuid_unparse_lower(d->uuid, uuid);
	json_object_object_add(res, "domid", json_object_new_int64(d->domid));
	json_object_object_add(res, "name", json_object_new_string(d->name));
	json_object_object_add(res, "uuid", json_object_new_string(uuid));
	/* what the domain runs without */
	if (*warn) {
		v = json_object_new_array();
		json_object_array_add(v, json_object_new_string(warn));
		json_object_object_add(res, "warnings", v);
	}
	ctl_send_result(c, c->wait_id, res);
}

/* The reply to xl shutdown -w or xl wait: {domid, shutdown_reason}. */
static json_object *shutdown_result(const struct xld_dom *d)
{
	json_object *res = json_object_new_object();
	const char *reason = xld_reason_name(d->reason);

	if (res) {
		json_object_object_add(res, "domid",
				       json_object_new_int64(d->domid));
		json_object_object_add(
		    res, "shutdown_reason",
		    reason ? json_object_new_string(reason) : NULL);
	}
	return res;
}

bool ctl_wait_event(struct ctl_conn *c, struct xld_dom *d,
		    enum xld_dom_event ev)
{
	const char *msg;
	int rc = xld_dom_op_result(d, &msg);

	switch (c->wait_for) {
	case CTL_WAIT_SHUTDOWN:
		if (ev == XLD_DOM_CHANGED && d->state != DC_STATE_SHUTDOWN)
			return false;
		ctl_send_result(c, c->wait_id, shutdown_result(d));
		return true;
	case CTL_WAIT_GONE:
		if (ev == XLD_DOM_GONE) {
			ctl_send_result(c, c->wait_id, NULL);
			return true;
		}
		if (xld_dom_busy(d) == XLD_BUSY_DESTROYING || !rc)
			return false;
		ctl_send_error(c, c->wait_id, rc, *msg ? msg : NULL);
		return true;
	case CTL_WAIT_IDLE:
		return ev != XLD_DOM_CHANGED || xld_dom_busy(d) == XLD_BUSY_NONE;
	case CTL_WAIT_SEND:
		return false;
	case CTL_WAIT_RUN:
		if (ev == XLD_DOM_FAILED) {
			ctl_send_error(c, c->wait_id, rc ? rc : -EIO,
				       *msg ? msg : NULL);
			return true;
		}
		if (ev != XLD_DOM_CHANGED ||
		    xld_dom_busy(d) == XLD_BUSY_STARTING)
			return false;
		create_ran(c, d);
		return true;
	}
	return false;
}

int ctl_do_destroy(struct ctl_req *r)
{
	struct xld_doms *doms = r->c->ctl->doms;
	uint32_t domid;
	int rc;

	if (!r->dom)
		return ctl_refuse_dom0(r, "destroyed");
	domid = r->dom->domid;
	rc = xld_dom_destroy(doms, r->dom);
	/* the reply once its monitor is gone, unless it is already */
	if (!rc && xld_dom_by_id(doms, domid))
		hold(r, domid, CTL_WAIT_GONE);
	return rc;
}

static int refuse_shutdown(struct ctl_req *r)
{
	return ctl_fail(r, -EINVAL,
			"domain %" PRIu32 " (%s) is shut down: destroy it",
			r->dom->domid, r->dom->name);
}

int ctl_do_pause(struct ctl_req *r)
{
	if (!r->dom)
		return ctl_refuse_dom0(r, "paused");
	if (r->dom->state == DC_STATE_SHUTDOWN)
		return refuse_shutdown(r);
	return xld_dom_pause(r->c->ctl->doms, r->dom);
}

int ctl_do_unpause(struct ctl_req *r)
{
	if (!r->dom)
		return ctl_refuse_dom0(r, "unpaused");
	if (r->dom->state == DC_STATE_SHUTDOWN)
		return refuse_shutdown(r);
	return xld_dom_unpause(r->c->ctl->doms, r->dom);
}

static int stop(struct ctl_req *r, enum dc_shutdown_reason reason)
{
	json_object *v;
	int rc;

	if (!r->dom)
		return ctl_refuse_dom0(r, reason == DC_SHUTDOWN_REBOOT
					      ? "rebooted by xld"
					      : "shut down by xld");
	if (r->dom->state == DC_STATE_SHUTDOWN)
		return refuse_shutdown(r);
	rc = xld_dom_shutdown(r->c->ctl->doms, r->dom, reason);
	if (rc == -EOPNOTSUPP)
		return ctl_fail(
		    r, rc,
		    "domain %" PRIu32 " (%s): the guest does not "
		    "listen to the ACPI power button, so it cannot be "
		    "asked to %s; xl destroy stops it",
		    r->dom->domid, r->dom->name,
		    reason == DC_SHUTDOWN_REBOOT ? "reboot" : "shut down");
	if (rc)
		return rc;
	if (json_object_object_get_ex(r->params, "wait", &v) &&
	    json_object_get_boolean(v))
		hold(r, r->dom->domid, CTL_WAIT_SHUTDOWN);
	return 0;
}

int ctl_do_wait(struct ctl_req *r)
{
	if (!r->dom)
		return ctl_fail(r, -EINVAL, "Domain-0 never shuts down");
	if (r->dom->state != DC_STATE_SHUTDOWN) {
		hold(r, r->dom->domid, CTL_WAIT_SHUTDOWN);
		return 0;
	}
	r->result = shutdown_result(r->dom);
	return r->result ? 0 : -ENOMEM;
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
int ctl_do_events(struct ctl_req *r)
{
	int rc = ctl_do_list(r);

	if (!rc)
		r->c->subscribed = true;
	return rc;
}

int ctl_do_shutdown(struct ctl_req *r)
{
	return stop(r, DC_SHUTDOWN_POWEROFF);
}

int ctl_do_reboot(struct ctl_req *r)
{
	return stop(r, DC_SHUTDOWN_REBOOT);
}

int ctl_do_rename(struct ctl_req *r)
{
	json_object *v;
	const char *name;
	struct xld_dom *other;
	int rc;

	if (!json_object_object_get_ex(r->params, "name", &v) ||
	    !json_object_is_type(v, json_type_string))
		return ctl_fail(r, -EINVAL,
				"rename needs params.name, a string");
	name = json_object_get_string(v);
	if (!r->dom)
		return ctl_refuse_dom0(r, "renamed");
	if (xld_dom_name_check(name) || xld_dom_is_dom0(name))
		return ctl_fail(
		    r, -EINVAL,
		    "invalid domain name '%.80s': use 1 to %d letters, "
		    "digits and -_.+:@, not digits only",
		    name, XLD_DOM_NAME_MAX);
	other = xld_dom_find(r->c->ctl->doms, name);
	if (other && other != r->dom)
		return ctl_fail(r, -EEXIST,
				"domain name '%s' is already in use by domain "
				"%" PRIu32,
				name, other->domid);
	rc = xld_dom_rename(r->c->ctl->doms, r->dom, name);
	if (rc && rc != -EINVAL && rc != -EEXIST && rc != -ENOMEM)
		return ctl_fail(r, rc,
				"domain %" PRIu32 " (%s): not renamed to "
				"'%s': cannot write its record %s/%" PRIu32
				".json: %s",
				r->dom->domid, r->dom->name, name,
				xld_doms_recdir(r->c->ctl->doms), r->dom->domid,
				strerror(-rc));
	return rc;
}

/*
 * xl config-update: the config @r's domain starts with next time; the
 * running guest is left as it is.
 */
int ctl_do_config_update(struct ctl_req *r)
{
	json_object *cfg;
	int rc;

	if (!r->dom)
		return ctl_fail(r, -EPERM,
				"Domain-0 has no domain config to "
				"update");
	if (!json_object_object_get_ex(r->params, "config", &cfg) ||
	    !json_object_is_type(cfg, json_type_object))
		return ctl_fail(r, -EINVAL,
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
		ctl_send_error(c, c->wait_id,
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
		ctl_send_result(c, c->wait_id, o);
	}
	json_object_put(c->wait_id);
	c->wait_id = NULL;
	c->waiting = false;
	c->resume = true;
	ctl_conn_flush(c);
	ctl_kick(ctl);
}

/*
 * xl dump-core: the monitor writes the guest's state file (paused for
 * it, resumed after); the reply is held until the file is written.
 */
int ctl_do_dump_core(struct ctl_req *r)
{
	const char *path;
	json_object *v;
	int rc;

	if (!json_object_object_get_ex(r->params, "path", &v) ||
	    !json_object_is_type(v, json_type_string))
		return ctl_fail(
		    r, -EINVAL,
		    "dump-core needs params.path, the file to write");
	path = json_object_get_string(v);
	if (path[0] != '/')
		return ctl_fail(r, -EINVAL,
				"dump-core: '%.200s' is not an absolute path",
				path);
	if (strlen(path) >= DC_SAVE_PATH_MAX)
		return ctl_fail(r, -ENAMETOOLONG,
				"dump-core: the path is longer than %d bytes",
				DC_SAVE_PATH_MAX - 1);
	if (!r->dom)
		return ctl_refuse_dom0(r, "dumped");
	rc = xld_dom_dump_core(r->c->ctl->doms, r->dom, path, dump_core_done,
			       r->c->ctl, r->c->serial);
	if (rc)
		return rc;
	r->c->waiting = true;
	r->c->wait_domid = 0;
	r->pending = true;
	return 0;
}
