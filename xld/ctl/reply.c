// SPDX-License-Identifier: GPL-2.0
/*
 * What xld sends a client: a reply's envelope with its result or error,
 * and the events of domains.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xld/ctl/ctl_internal.h"

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

		ctl_conn_queue(c, oom, sizeof(oom) - 1);
		return;
	}
	ctl_conn_queue(c, s, strlen(s));
}

void ctl_send_error(struct ctl_conn *c, json_object *id, int rc,
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
void ctl_send_result(struct ctl_conn *c, json_object *id, json_object *result)
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
void ctl_send_text_result(struct ctl_conn *c, json_object *id, const char *text,
			  size_t len)
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
			ctl_send_result(c, id, res);
		else
			ctl_send_error(c, id, -ENOMEM, NULL);
		return;
	}
	hlen = (size_t)r;
	line = malloc(hlen + len + 1);
	if (!line) {
		ctl_send_error(c, id, -ENOMEM, NULL);
		return;
	}
	memcpy(line, head, hlen);
	memcpy(line + hlen, text, len);
	line[hlen + len] = '}';
	ctl_conn_queue(c, line, hlen + len + 1);
	free(line);
}

void ctl_send_event(struct ctl_conn *c, const struct xld_dom *d,
		    enum xld_dom_event ev)
{
	json_object *o = reply_new(NULL);

	if (o) {
		json_object_object_del(o, "id");
		json_object_object_add(o, "event",
				       json_object_new_string(ev == XLD_DOM_GONE
								  ? "gone"
								  : "changed"));
		json_object_object_add(o, "domain", ctl_dom_json(d));
	}
	send_obj(c, o);
	ctl_conn_flush(c);
}
