// SPDX-License-Identifier: GPL-2.0
/*
 * xld's list reply as text, member by member, with no object per domain.
 * The members are those of ctl_dom_json() in methods_info.c (xl list -j
 * DOMAIN shows them): a member added there is added here too, and
 * tests/xld-list.sh fails until it is.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>
#include <yajl/yajl_gen.h>

#include "xld/ctl/ctl_list.h"

/* yajl fails here only for want of memory (the calls are well formed). */
static int ok(yajl_gen_status st)
{
	return st == yajl_gen_status_ok ? 0 : -ENOMEM;
}

static int gen_key(yajl_gen g, const char *key)
{
	return ok(yajl_gen_string(g, (const unsigned char *)key, strlen(key)));
}

static int gen_str(yajl_gen g, const char *key, const char *s)
{
	int rc = gen_key(g, key);

	if (rc)
		return rc;
	return ok(s ? yajl_gen_string(g, (const unsigned char *)s, strlen(s))
		    : yajl_gen_null(g));
}

static int gen_int(yajl_gen g, const char *key, long long v)
{
	int rc = gen_key(g, key);

	return rc ? rc : ok(yajl_gen_integer(g, v));
}

/* A flat json-c object: each member a string, number, boolean or null. */
static int gen_flat(yajl_gen g, json_object *o)
{
	int rc = ok(yajl_gen_map_open(g));

	json_object_object_foreach(o, key, v)
	{
		if (rc)
			return rc;
		switch (json_object_get_type(v)) {
		case json_type_null:
			rc = gen_str(g, key, NULL);
			break;
		case json_type_string:
			rc = gen_str(g, key, json_object_get_string(v));
			break;
		case json_type_int:
			rc = gen_int(g, key, json_object_get_int64(v));
			break;
		case json_type_boolean:
			rc = gen_key(g, key);
			if (!rc)
				rc = ok(yajl_gen_bool(g,
						      json_object_get_boolean(v)));
			break;
		case json_type_double:
			rc = gen_key(g, key);
			if (!rc)
				rc = ok(yajl_gen_double(g,
							json_object_get_double(v)));
			break;
		default:
			return -EINVAL;
		}
	}
	return rc ? rc : ok(yajl_gen_map_close(g));
}

static int gen_dom(yajl_gen g, const struct xld_dom *d)
{
	const char *reason =
	    d->state == DC_STATE_SHUTDOWN ? xld_reason_name(d->reason) : NULL;
	char uuid[37];
	int rc;

	uuid_unparse_lower(d->uuid, uuid);
	rc = ok(yajl_gen_map_open(g));
	if (!rc)
		rc = gen_int(g, "domid", d->domid);
	if (!rc)
		rc = gen_str(g, "name", d->name);
	if (!rc)
		rc = gen_str(g, "uuid", uuid);
	if (!rc)
		rc = gen_str(g, "state", xld_state_name(d->state));
	if (!rc)
		rc = gen_str(g, "shutdown_reason", reason);
	if (!rc)
		rc = gen_int(g, "memory_kib", (long long)d->memory_kib);
	if (!rc)
		rc = gen_int(g, "maxmem_kib", (long long)d->maxmem_kib);
	if (!rc)
		rc = gen_int(g, "vcpus", d->vcpus);
	if (!rc)
		rc = gen_int(g, "maxvcpus", d->maxvcpus);
	if (!rc)
		rc = gen_int(g, "cpu_time_ns", (long long)d->cpu_time_ns);
	if (!rc)
		rc = gen_int(g, "start_time", (long long)d->start_time);
	if (!rc)
		rc = gen_int(g, "pid", d->pid);
	if (!rc)
		rc = gen_str(g, "phase", d->phase);
	return rc ? rc : ok(yajl_gen_map_close(g));
}

int xld_ctl_list_text(struct xld_doms *doms, json_object *dom0, char **text,
		      size_t *len)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	struct xld_dom *d;
	char *t;
	size_t n;
	int rc;

	if (!g)
		return -ENOMEM;
	rc = ok(yajl_gen_map_open(g));
	if (!rc)
		rc = gen_key(g, "domains");
	if (!rc)
		rc = ok(yajl_gen_array_open(g));
	if (!rc)
		rc = gen_flat(g, dom0);
	for (d = xld_doms_first(doms); d && !rc; d = d->next) {
		xld_dom_sample(d);
		rc = gen_dom(g, d);
	}
	if (!rc)
		rc = ok(yajl_gen_array_close(g));
	if (!rc)
		rc = ok(yajl_gen_map_close(g));
	if (!rc)
		rc = ok(yajl_gen_get_buf(g, &buf, &n));
	if (rc)
		goto out;
	t = malloc(n + 1);
	if (!t) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(t, buf, n);
	t[n] = '\0';
	*text = t;
	*len = n;
out:
	yajl_gen_free(g);
	return rc;
}
