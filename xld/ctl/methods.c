// SPDX-License-Identifier: GPL-2.0
/*
 * The one method table, and a request line checked against it (method,
 * privilege, parameters, domain) and dispatched to its handler.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xld/ctl/ctl_internal.h"

int ctl_fail(struct ctl_req *r, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return rc;
}

int ctl_refuse_dom0(struct ctl_req *r, const char *what)
{
	return ctl_fail(r, -EPERM, "Domain-0 cannot be %s", what);
}

static const struct ctl_method methods[] = {
    {"hello", ctl_do_hello, 0},
    {"list", ctl_do_list, 0},
    {"info", ctl_do_info, CTL_DOMAIN},
    {"domid", ctl_do_domid, CTL_DOMAIN},
    {"domname", ctl_do_domname, CTL_DOMAIN},
    {"console", ctl_do_console, CTL_DOMAIN},
    {"wait", ctl_do_wait, CTL_DOMAIN},
    {"events", ctl_do_events, 0},
    {"create", ctl_do_create, CTL_MODIFIES},
    {"destroy", ctl_do_destroy, CTL_MODIFIES | CTL_DOMAIN},
    {"shutdown", ctl_do_shutdown, CTL_MODIFIES | CTL_DOMAIN},
    {"reboot", ctl_do_reboot, CTL_MODIFIES | CTL_DOMAIN},
    {"pause", ctl_do_pause, CTL_MODIFIES | CTL_DOMAIN},
    {"unpause", ctl_do_unpause, CTL_MODIFIES | CTL_DOMAIN},
    {"rename", ctl_do_rename, CTL_MODIFIES | CTL_DOMAIN},
    {"devices", ctl_do_devices, CTL_DOMAIN},
    {"stats", ctl_do_stats, 0},
    {"config-update", ctl_do_config_update, CTL_MODIFIES | CTL_DOMAIN},
    {"vcpus", ctl_do_vcpus, CTL_DOMAIN},
    {"vcpu-pin", ctl_do_vcpu_pin, CTL_MODIFIES | CTL_DOMAIN},
    {"vcpu-set", ctl_do_vcpu_set, CTL_MODIFIES | CTL_DOMAIN},
    {"mem-set", ctl_do_mem_set, CTL_MODIFIES | CTL_DOMAIN},
    {"mem-max", ctl_do_mem_max, CTL_MODIFIES | CTL_DOMAIN},
    {"sched-credit-get", ctl_do_sched_credit_get, 0},
    {"sched-credit-set", ctl_do_sched_credit_set, CTL_MODIFIES | CTL_DOMAIN},
    {"dmesg", ctl_do_dmesg, 0},
    {"dmesg-clear", ctl_do_dmesg_clear, CTL_MODIFIES},
    {"dump-core", ctl_do_dump_core, CTL_MODIFIES | CTL_DOMAIN},
    {"send", ctl_do_send, CTL_MODIFIES | CTL_DOMAIN},
};

/* params.domain: a name or a domid (string or number). */
int ctl_resolve_domain(struct ctl_req *r)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(r->params, "domain", &v))
		return ctl_fail(r, -EINVAL,
				"params.domain is missing: give a "
				"domain name or id");
	if (json_object_is_type(v, json_type_int)) {
		n = json_object_get_int64(v);
		if (n < 0 || n > XLD_DOMID_MAX)
			return ctl_fail(r, -ESRCH,
					"Domain %" PRId64 " does not "
					"exist",
					n);
		r->qualifier = json_object_get_string(v);
		if (n == 0)
			return 0;
		r->dom = xld_dom_by_id(r->c->ctl->doms, (uint32_t)n);
		if (!r->dom)
			return ctl_fail(r, -ESRCH,
					"Domain %" PRId64 " does not "
					"exist",
					n);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return ctl_fail(r, -EINVAL,
				"params.domain must be a name or an id");
	r->qualifier = json_object_get_string(v);
	if (xld_dom_is_dom0(r->qualifier))
		return 0;
	r->dom = xld_dom_find(r->c->ctl->doms, r->qualifier);
	if (!r->dom)
		return ctl_fail(r, errno == ESRCH ? -ESRCH : -ENOENT,
				"Domain '%.80s' does not exist", r->qualifier);
	return 0;
}

/* Why @r's domain cannot be acted on now. */
static void busy_msg(struct ctl_req *r)
{
	static const char *const why[] = {
	    [XLD_BUSY_STARTING] = "its monitor is starting",
	    [XLD_BUSY_DESTROYING] = "it is being destroyed",
	    [XLD_BUSY_DUMPING] = "its core dump is being written",
	    [XLD_BUSY_SENDING] = "it is being saved or migrated",
	};
	enum xld_dom_busy b = xld_dom_busy(r->dom);

	if (b == XLD_BUSY_NONE)
		return;
	snprintf(r->msg, sizeof(r->msg),
		 "domain %" PRIu32 " (%s): %s; try again when it is done",
		 r->dom->domid, r->dom->name, why[b]);
}

/*
 * A change to a domain whose monitor is starting or going waits for it
 * (a request for another domain never does).  A second destroy is
 * answered with the first, and a core dump's EBUSY is said at once.
 */
static bool must_wait(const struct ctl_req *r, const struct ctl_method *m)
{
	switch (xld_dom_busy(r->dom)) {
	case XLD_BUSY_STARTING:
		return true;
	case XLD_BUSY_DESTROYING:
		return m->fn != ctl_do_destroy;
	default:
		return false;
	}
}

bool ctl_handle_line(struct ctl_conn *c, const char *line, size_t len)
{
	bool handled = true;

	struct ctl_req r = {.c = c, .fd = c->line_fd};
	json_tokener *tok = NULL;
	json_object *req = NULL, *v, *id = NULL;
	const struct ctl_method *m = NULL;
	const char *name;
	size_t i;
	int rc;

	if (len == 0)
		return true; /* blank lines are allowed between requests */
	tok = json_tokener_new();
	if (!tok) {
		ctl_send_error(c, NULL, -ENOMEM, NULL);
		return true;
	}
	req = json_tokener_parse_ex(tok, line, (int)len);
	if (!req || json_tokener_get_error(tok) != json_tokener_success ||
	    (size_t)json_tokener_get_parse_end(tok) != len) {
		ctl_send_error(c, NULL, -EBADMSG,
			       "the request is not one valid JSON object");
		goto out;
	}
	if (!json_object_is_type(req, json_type_object)) {
		ctl_send_error(c, NULL, -EBADMSG,
			       "the request must be a JSON "
			       "object");
		goto out;
	}
	json_object_object_get_ex(req, "id", &id);
	if (!json_object_object_get_ex(req, "version", &v) ||
	    !json_object_is_type(v, json_type_int)) {
		ctl_send_error(c, id, -EPROTO,
			       "the request has no \"version\"");
		goto out;
	}
	if (json_object_get_int64(v) != XLD_CTL_VERSION) {
		snprintf(r.msg, sizeof(r.msg),
			 "protocol version %" PRId64 " is not supported; this "
			 "xld speaks version %d",
			 json_object_get_int64(v), XLD_CTL_VERSION);
		ctl_send_error(c, id, -EPROTONOSUPPORT, r.msg);
		goto out;
	}
	if (!json_object_object_get_ex(req, "method", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		ctl_send_error(c, id, -EINVAL, "the request has no \"method\"");
		goto out;
	}
	name = json_object_get_string(v);
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (!strcmp(methods[i].name, name))
			m = &methods[i];
	if (!m) {
		snprintf(r.msg, sizeof(r.msg), "unknown method '%.64s'", name);
		ctl_send_error(c, id, -EOPNOTSUPP, r.msg);
		goto out;
	}
	if ((m->flags & CTL_MODIFIES) && !c->priv) {
		snprintf(r.msg, sizeof(r.msg),
			 "'%s' changes domains: the read-only socket refuses "
			 "it; use xld.sock as root",
			 m->name);
		ctl_send_error(c, id, -EACCES, r.msg);
		goto out;
	}
	if (json_object_object_get_ex(req, "params", &r.params)) {
		if (!json_object_is_type(r.params, json_type_object)) {
			ctl_send_error(c, id, -EINVAL,
				       "\"params\" must be an object");
			goto out;
		}
	} else {
		r.params = json_object_new_object();
		if (!r.params) {
			ctl_send_error(c, id, -ENOMEM, NULL);
			goto out;
		}
		json_object_object_add(req, "params", r.params);
	}
	rc = m->flags & CTL_DOMAIN ? ctl_resolve_domain(&r) : 0;
	if (!rc && r.dom && (m->flags & CTL_MODIFIES) && must_wait(&r, m)) {
		/* the line stays, handled again when the domain is done */
		c->waiting = true;
		c->wait_for = CTL_WAIT_IDLE;
		c->wait_domid = r.dom->domid;
		handled = false;
		goto out;
	}
	/* a domain whose stream is being sent is changed by nothing else */
	if (!rc && r.dom && (m->flags & CTL_MODIFIES) &&
	    xld_dom_busy(r.dom) == XLD_BUSY_SENDING)
		rc = -EBUSY;
	if (!rc)
		rc = m->fn(&r);
	if (r.fd < 0)
		c->line_fd = -1; /* the handler took it */
	if (rc == -EBUSY && r.dom && !r.msg[0])
		busy_msg(&r);
	/* ENOENT and ESRCH say "no such domain" to xl: a domain that
	 * exists but whose monitor is gone is another failure */
	if ((rc == -ESRCH || rc == -ENOENT) && r.dom && !r.msg[0]) {
		snprintf(r.msg, sizeof(r.msg),
			 "domain %" PRIu32 " (%s): its monitor does not answer",
			 r.dom->domid, r.dom->name);
		rc = -EIO;
	}
	if (rc) {
		json_object_put(r.result);
		ctl_send_error(c, id, rc, r.msg);
	} else if (r.pending) {
		json_object_put(r.result);
		c->wait_id = id ? json_object_get(id) : NULL;
	} else if (r.text) {
		ctl_send_text_result(c, id, r.text, r.text_len);
	} else {
		ctl_send_result(c, id, r.result);
	}
	free(r.text);
out:
	json_object_put(req);
	json_tokener_free(tok);
	return handled;
}
