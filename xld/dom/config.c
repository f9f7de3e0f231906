// SPDX-License-Identifier: GPL-2.0
/*
 * The config a domain runs with: what xld itself takes from xl's resolved
 * config (name, UUID, memory, vCPUs, lifecycle actions, weight and cap),
 * checked before anything is made.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "xld/dom/cpu_sched.h"
#include "xld/dom/dom.h"
#include "xld/dom/dom_internal.h"
#include "xld/dom/vbd.h"
#include "xld/dom/vif.h"
#include "xld/log.h"

const char *config_str(json_object *cfg, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(cfg, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* An integer key in 1..@max; -ENOENT when absent, -EINVAL when bad. */
static int cfg_uint(json_object *cfg, const char *key, uint64_t max,
		    uint64_t *out)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(cfg, key, &v))
		return -ENOENT;
	if (!json_object_is_type(v, json_type_int))
		return -EINVAL;
	errno = 0;
	n = json_object_get_int64(v);
	if (errno || n < 1 || (uint64_t)n > max)
		return -EINVAL;
	*out = (uint64_t)n;
	return 0;
}

static int cfg_action(json_object *cfg, const char *key, enum xld_action def,
		      enum xld_action *out, char *err, size_t errlen)
{
	json_object *v;

	if (!json_object_object_get_ex(cfg, key, &v)) {
		*out = def;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    xld_action_parse(json_object_get_string(v), out)) {
		snprintf(err, errlen,
			 "%s must be one of destroy, restart, rename-restart, "
			 "preserve, coredump-destroy, coredump-restart",
			 key);
		return -EINVAL;
	}
	return 0;
}

/* Check what xld itself needs from a config and fill @d from it. */
int config_apply(struct xld_dom *d, json_object *cfg, char *err, size_t errlen)
{
	const char *name, *uuid;
	uint64_t v;
	int rc;

	if (!json_object_is_type(cfg, json_type_object)) {
		snprintf(err, errlen, "config must be a JSON object");
		return -EINVAL;
	}
	name = config_str(cfg, "name");
	if (!name) {
		snprintf(err, errlen, "config has no name");
		return -EINVAL;
	}
	if (xld_dom_name_check(name)) {
		snprintf(err, errlen,
			 "invalid domain name '%.80s': use 1 to %d letters, "
			 "digits and -_.+:@, not digits only",
			 name, XLD_DOM_NAME_MAX);
		return -EINVAL;
	}
	if (!config_str(cfg, "kernel") || !config_str(cfg, "kernel")[0]) {
		snprintf(err, errlen, "config has no kernel");
		return -EINVAL;
	}
	uuid = config_str(cfg, "uuid");
	if (uuid && uuid_parse(uuid, d->uuid)) {
		snprintf(err, errlen, "invalid uuid '%.40s'", uuid);
		return -EINVAL;
	}
	if (!uuid)
		uuid_generate_random(d->uuid);
	rc = cfg_uint(cfg, "memory", 1024 * 1024, &v);
	if (rc == -EINVAL) {
		snprintf(err, errlen, "memory must be 1..1048576 MiB");
		return rc;
	}
	d->memory_kib = (rc ? 128 : v) * 1024;
	rc = cfg_uint(cfg, "maxmem", 1024 * 1024, &v);
	if (rc == -EINVAL || (!rc && v * 1024 < d->memory_kib)) {
		snprintf(err, errlen,
			 "maxmem must be %" PRIu64 "..1048576 "
			 "MiB (at least memory)",
			 d->memory_kib / 1024);
		return -EINVAL;
	}
	d->maxmem_kib = rc ? d->memory_kib : v * 1024;
	d->ram_kib = d->maxmem_kib;
	rc = cfg_uint(cfg, "vcpus", 512, &v);
	if (rc == -EINVAL) {
		snprintf(err, errlen, "vcpus must be 1..512");
		return rc;
	}
	d->vcpus = rc ? 1 : (uint32_t)v;
	rc = cfg_uint(cfg, "maxvcpus", 512, &v);
	if (rc == -EINVAL || (!rc && v < d->vcpus)) {
		snprintf(err, errlen,
			 "maxvcpus must be %" PRIu32 "..512 (at "
			 "least vcpus)",
			 d->vcpus);
		return -EINVAL;
	}
	d->maxvcpus = rc ? d->vcpus : (uint32_t)v;
	rc = cfg_action(cfg, "on_poweroff", XLD_ACTION_DESTROY, &d->on_poweroff,
			err, errlen);
	if (!rc)
		rc = cfg_action(cfg, "on_reboot", XLD_ACTION_RESTART,
				&d->on_reboot, err, errlen);
	if (!rc)
		rc = cfg_action(cfg, "on_crash", XLD_ACTION_DESTROY,
				&d->on_crash, err, errlen);
	if (!rc)
		rc = xld_sched_config(cfg, &d->weight, &d->cap, err, errlen);
	if (rc)
		return rc;
	d->name = strdup(name);
	if (!d->name)
		return -ENOMEM;
	d->config = json_object_get(cfg);
	return 0;
}

/*
 * As @d restarts, the config xl config-update left becomes its config,
 * as Xen's xl reloads it then; the name and UUID stay the domain's.
 */
void config_next(struct xld_dom *d)
{
	struct xld_dom *t;
	char err[256];

	if (!d->next_config)
		return;
	t = dom_new(d->doms);
	/* the name may have changed since (xl rename) */
	if (!t || json_object_object_add(d->next_config, "name",
					 json_object_new_string(d->name))) {
		xld_err("domain %s: out of memory: restarting with its old "
			"config",
			d->name);
	} else if (config_apply(t, d->next_config, err, sizeof(err))) {
		/* it was checked when stored: only a record edited by hand */
		xld_err("domain %s: its updated config is refused (%s): "
			"restarting with the old one",
			d->name, err);
	} else {
		json_object_put(d->config);
		d->config = t->config;
		t->config = NULL;
		d->memory_kib = t->memory_kib;
		d->maxmem_kib = t->maxmem_kib;
		d->ram_kib = t->ram_kib;
		d->vcpus = t->vcpus;
		d->maxvcpus = t->maxvcpus;
		d->on_poweroff = t->on_poweroff;
		d->on_reboot = t->on_reboot;
		d->on_crash = t->on_crash;
		d->weight = t->weight;
		d->cap = t->cap;
		xld_info("domain %s restarts with its updated config", d->name);
	}
	dom_free(t);
	json_object_put(d->next_config);
	d->next_config = NULL;
}

/* Refuse a bad disk entry before anything is made (targets come later). */
int config_check_vbds(json_object *config, char *err, size_t errlen)
{
	struct xld_vbds *vbds = NULL;
	int rc = xld_vbds_parse(config, 1, &vbds, err, errlen);

	xld_vbds_free(vbds);
	return rc;
}

/* Refuse a bad vif before anything is made. */
int config_check_vifs(json_object *config, char *err, size_t errlen)
{
	struct xld_vifs *vifs = malloc(sizeof(*vifs));
	int rc;

	if (!vifs)
		return -ENOMEM;
	rc = xld_vifs_parse(config, 1, vifs, err, errlen);
	free(vifs);
	return rc;
}
