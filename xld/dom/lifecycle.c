// SPDX-License-Identifier: GPL-2.0
/*
 * The lifecycle state machine: create, destroy, pause, shutdown, rename,
 * and what happens when a guest stops (on_poweroff, on_reboot, on_crash:
 * destroy, restart, rename-restart, preserve).
 *
 * Nothing here kills a guest because xld failed to write something: a
 * record or store write that fails after the guest runs is logged and
 * the guest keeps running.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include "xld/dom/cpu_sched.h"
#include "xld/dom/dom.h"
#include "xld/dom/dom_internal.h"
#include "xld/dom/vbd.h"
#include "xld/log.h"
#include "xld/store/xs.h"

/* The rest of a destroy, once monitor and vifs are gone: @d is freed. */
static void dom_removed(struct xld_doms *doms, struct xld_dom *d)
{
	xld_sched_remove(doms->sched, d->domid);
	xld_vbds_unpublish(doms->st, d->domid);
	store_detach(doms, d);
	record_remove(doms, d->domid);
	dom_notify(doms, d, XLD_DOM_GONE);
	dom_list_remove(doms, d);
	xld_info("domain %" PRIu32 " (%s) destroyed", d->domid, d->name);
	dom_free(d);
}

/* Destroy @d: 0 when it is gone or going (dom_op_done goes on). */
static int dom_remove(struct xld_doms *doms, struct xld_dom *d)
{
	int rc = monitor_destroy(doms, d, DOM_OP_REMOVE);

	if (rc)
		xld_err("domain %" PRIu32 " (%s): destroy: %s", d->domid,
			d->name, strerror(-rc));
	return rc;
}

int xld_dom_destroy(struct xld_doms *doms, struct xld_dom *d)
{
	switch (xld_dom_busy(d)) {
	case XLD_BUSY_DESTROYING:
		/* it goes already; if to restart, it now stays gone */
		monitor_op_no_restart(d);
		return 0;
	case XLD_BUSY_NONE:
		return dom_remove(doms, d);
	default:
		/* a dump: its monitor answers nothing until it is written */
		return -EBUSY;
	}
}

/*
 * Restart @d under a new domid with the same name, UUID and config (as
 * Xen does): its old monitor is destroyed first.  On failure the domain
 * is gone and an error logged.
 */
static void dom_restart(struct xld_doms *doms, struct xld_dom *d)
{
	int rc = monitor_destroy(doms, d, DOM_OP_REPLACE);

	if (rc)
		dom_op_done(doms, d, DOM_OP_REPLACE, rc);
}

/* The old monitor of a restart and its vifs are gone (@rc 0): start the
 * new one. */
static void dom_replaced(struct xld_doms *doms, struct xld_dom *d, int rc)
{
	uint32_t old = d->domid, domid;

	if (rc) {
		xld_err("domain %" PRIu32 " (%s): cannot destroy it to "
			"restart it: %s",
			old, d->name, strerror(-rc));
		d->handled = true;
		dom_notify(doms, d, XLD_DOM_CHANGED);
		return;
	}
	xld_sched_remove(doms->sched, old);
	xld_vbds_unpublish(doms->st, old);
	store_detach(doms, d);
	dom_notify(doms, d, XLD_DOM_GONE);
	dom_list_remove(doms, d);
	rc = dom_domid_alloc(doms, &domid);
	if (!rc) {
		d->domid = domid;
		d->start_time = time(NULL);
		d->handled = false;
		config_next(d);
		dom_list_insert(doms, d);
		record_next_domid_save(doms);
		rc = record_save(doms, d);
		if (!rc) {
			record_remove(doms, old);
			rc = monitor_start(doms, d, DOM_OP_RESTART);
			if (rc)
				record_remove(doms, domid);
		}
		if (rc)
			dom_list_remove(doms, d);
	}
	if (rc) {
		xld_err("domain %s: restart failed: %s%s%s", d->name,
			strerror(-rc), doms->dc_msg[0] ? ": " : "",
			doms->dc_msg);
		record_remove(doms, old);
		dom_free(d);
		return;
	}
	xld_info("domain %s restarting: domid %" PRIu32 " -> %" PRIu32,
		 d->name, old, d->domid);
}

/* @d's monitor did not start: nothing of @d is left. */
static void dom_start_failed(struct xld_doms *doms, struct xld_dom *d)
{
	struct xs_op op = {.st = doms->st, .priv = true};
	char home[48];

	/* its devices' nodes went, but not the parents they made
	 * (/local/domain/N/device): never published, the home goes whole */
	snprintf(home, sizeof(home), "/local/domain/%" PRIu32, d->domid);
	xs_node_rm(&op, home);
	record_remove(doms, d->domid);
	dom_notify(doms, d, XLD_DOM_FAILED);
	dom_list_remove(doms, d);
	dom_free(d);
}

/* A restart's new monitor runs (or did not start: @d goes). */
static void dom_restarted(struct xld_doms *doms, struct xld_dom *d, int rc)
{
	if (rc) {
		xld_err("domain %s: restart failed: %s%s%s", d->name,
			strerror(-rc), d->op_msg ? ": " : "",
			d->op_msg ? d->op_msg : "");
		dom_start_failed(doms, d);
		return;
	}
	store_attach(doms, d);
	xld_info("domain %s restarted as domid %" PRIu32, d->name, d->domid);
	dom_notify(doms, d, XLD_DOM_CHANGED);
}

/* A destroy failed: @d is what its monitor says now, watched again. */
static void dom_not_removed(struct xld_doms *doms, struct xld_dom *d, int rc)
{
	uint32_t domid = d->domid;

	xld_err("domain %" PRIu32 " (%s): destroy: %s", d->domid, d->name,
		strerror(-rc));
	xld_dom_refresh(doms, d);
	/* which may have applied its policy */
	d = xld_dom_by_id(doms, domid);
	if (!d)
		return;
	if (d->pid && !xld_dom_busy(d))
		monitor_watch_start(doms, d);
	dom_notify(doms, d, XLD_DOM_CHANGED);
}

/* xl create's monitor runs, or did not start and @d goes. */
static void dom_created(struct xld_doms *doms, struct xld_dom *d, int rc)
{
	if (rc) {
		dom_start_failed(doms, d);
		return;
	}
	store_attach(doms, d);
	xld_info("domain %" PRIu32 " (%s) created, monitor pid %ld", d->domid,
		 d->name, (long)d->pid);
	dom_notify(doms, d, XLD_DOM_CHANGED);
}

void dom_op_done(struct xld_doms *doms, struct xld_dom *d,
		 enum dom_op_kind kind, int rc)
{
	switch (kind) {
	case DOM_OP_CREATE:
		dom_created(doms, d, rc);
		return;
	case DOM_OP_RESTART:
		dom_restarted(doms, d, rc);
		return;
	case DOM_OP_REPLACE:
		dom_replaced(doms, d, rc);
		return;
	case DOM_OP_REMOVE:
		if (!rc || rc == -ESRCH)
			dom_removed(doms, d);
		else
			dom_not_removed(doms, d, rc);
		return;
	}
}

/* Keep @d as it is, renamed "<name>-<UTC time>" with a new UUID (xl). */
static void dom_preserve(struct xld_doms *doms, struct xld_dom *d)
{
	char stamp[32], *name;
	struct tm tm;
	time_t now = time(NULL);
	int n;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "-%Y%m%dT%H%MZ", &tm);
	name = malloc(strlen(d->name) + strlen(stamp) + 8);
	if (name) {
		/* a second preserved copy within the minute gets a number */
		sprintf(name, "%s%s", d->name, stamp);
		for (n = 2; dom_by_name(doms, name) && n < 100; n++)
			sprintf(name, "%s%s-%d", d->name, stamp, n);
		store_unpublish(doms, d->domid, d->uuid);
		xld_info("preserving domain %" PRIu32 " %s as %s", d->domid,
			 d->name, name);
		free(d->name);
		d->name = name;
		uuid_generate_random(d->uuid);
		store_attach(doms, d);
		dom_vifs_republish(doms, d);
		if (d->vbds)
			xld_vbds_republish(doms->st, d->vbds);
	}
	d->handled = true;
	record_update(doms, d);
	dom_notify(doms, d, XLD_DOM_CHANGED);
}

/* Rename-restart: the old guest preserved, a new one in its place. */
static void dom_rename_restart(struct xld_doms *doms, struct xld_dom *d)
{
	struct xld_dom *n = dom_new(doms);
	uint32_t domid;
	int rc;

	if (!n || !(n->name = strdup(d->name))) {
		dom_free(n);
		xld_err("domain %s: rename-restart: out of memory", d->name);
		d->handled = true;
		return;
	}
	memcpy(n->uuid, d->uuid, 16);
	/* its own copy: renaming the preserved one must not rename it */
	if (json_object_deep_copy(d->config, &n->config, NULL)) {
		dom_free(n);
		xld_err("domain %s: rename-restart: out of memory", d->name);
		d->handled = true;
		return;
	}
	n->memory_kib = d->memory_kib;
	n->maxmem_kib = d->maxmem_kib;
	n->ram_kib = d->ram_kib;
	n->vcpus = d->vcpus;
	n->maxvcpus = d->maxvcpus;
	n->on_poweroff = d->on_poweroff;
	n->on_reboot = d->on_reboot;
	n->on_crash = d->on_crash;
	n->weight = d->weight;
	n->cap = d->cap;
	/* the new one restarts with what xl config-update left */
	n->next_config = d->next_config;
	d->next_config = NULL;
	config_next(n);
	dom_preserve(doms, d);
	rc = dom_domid_alloc(doms, &domid);
	if (!rc) {
		n->domid = domid;
		n->start_time = time(NULL);
		record_next_domid_save(doms);
		rc = record_save(doms, n);
	}
	if (!rc) {
		dom_list_insert(doms, n);
		rc = monitor_start(doms, n, DOM_OP_RESTART);
		if (rc) {
			dom_list_remove(doms, n);
			record_remove(doms, domid);
		}
	}
	if (rc) {
		xld_err("domain %s: restart failed: %s", n->name,
			strerror(-rc));
		dom_free(n);
	}
}

/* The action for @d's shutdown reason. */
enum xld_action dom_stop_action(const struct xld_dom *d)
{
	switch (d->reason) {
	case DC_SHUTDOWN_POWEROFF:
		return d->on_poweroff;
	case DC_SHUTDOWN_REBOOT:
		return d->on_reboot;
	default:
		return d->on_crash;
	}
}

/* Apply @a to the stopped @d; a core dump is written (or not) by now. */
void dom_act(struct xld_doms *doms, struct xld_dom *d, enum xld_action a)
{
	switch (a) {
	case XLD_ACTION_COREDUMP_DESTROY:
	case XLD_ACTION_DESTROY:
		d->handled = true;
		if (dom_remove(doms, d))
			dom_notify(doms, d, XLD_DOM_CHANGED);
		return;
	case XLD_ACTION_COREDUMP_RESTART:
	case XLD_ACTION_RESTART:
		dom_restart(doms, d);
		return;
	case XLD_ACTION_RENAME_RESTART:
		dom_rename_restart(doms, d);
		return;
	case XLD_ACTION_PRESERVE:
		dom_preserve(doms, d);
		return;
	}
}

/* @d stopped: apply its policy, once. */
void dom_stopped(struct xld_doms *doms, struct xld_dom *d)
{
	enum xld_action a;

	if (d->handled || xld_dom_busy(d))
		return;
	a = dom_stop_action(d);
	xld_info("domain %" PRIu32 " (%s) shut down (%s): %s", d->domid,
		 d->name, xld_reason_name(d->reason) ?: "crash",
		 xld_action_name(a));
	if ((a == XLD_ACTION_COREDUMP_DESTROY ||
	     a == XLD_ACTION_COREDUMP_RESTART) &&
	    coredump_start(doms, d) == 0)
		return; /* the dump's end goes on (coredump.c) */
	dom_act(doms, d, a);
}

/* The domid a received config asks for (xl save -D), or 0 for any. */
static int config_domid(struct xld_doms *doms, json_object *config,
			uint32_t *domid, char *err, size_t errlen)
{
	json_object *v;
	int64_t n;

	*domid = 0;
	if (!json_object_object_get_ex(config, "domid", &v) ||
	    json_object_is_type(v, json_type_null))
		return 0;
	n = json_object_get_int64(v);
	if (!json_object_is_type(v, json_type_int) || n < 0 ||
	    n > XLD_DOMID_MAX) {
		snprintf(err, errlen, "config domid must be 0..%d",
			 XLD_DOMID_MAX);
		return -EINVAL;
	}
	if (n && xld_dom_by_id(doms, (uint32_t)n)) {
		snprintf(err, errlen, "domid %" PRId64 " is already in use",
			 n);
		return -EEXIST;
	}
	*domid = (uint32_t)n;
	return 0;
}

static int create(struct xld_doms *doms, json_object *config, int fd,
		  struct xld_dom **out, char *err, size_t errlen)
{
	struct xld_dom *d, *other;
	bool listed = false, recorded = false;
	uint32_t want = 0;
	char uuid[37];
	int rc;

	err[0] = '\0';
	d = dom_new(doms);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -ENOMEM;
	}
	d->incoming_fd = fd;
	rc = fd >= 0 ? config_domid(doms, config, &want, err, errlen) : 0;
	if (!rc)
		rc = config_apply(d, config, err, errlen);
	if (!rc)
		rc = config_check_vifs(config, err, errlen);
	if (!rc)
		rc = config_check_vbds(config, err, errlen);
	/* the host's CPUs bound the cap (a record is not refused for it) */
	if (!rc)
		rc = xld_sched_check(d->weight, d->cap, err, errlen);
	if (rc)
		goto out;
	/* a bad request is still named as such; a good one cannot run here */
	if (doms->no_kvm[0]) {
		snprintf(err, errlen, "%s", doms->no_kvm);
		rc = -ENODEV;
		goto out;
	}
	if ((other = dom_by_name(doms, d->name))) {
		snprintf(
		    err, errlen,
		    "domain name '%s' is already in use by domain %" PRIu32,
		    d->name, other->domid);
		rc = -EEXIST;
		goto out;
	}
	if ((other = dom_by_uuid(doms, d->uuid))) {
		uuid_unparse_lower(d->uuid, uuid);
		snprintf(err, errlen,
			 "uuid %s is already in use by domain %" PRIu32 " (%s)",
			 uuid, other->domid, other->name);
		rc = -EEXIST;
		goto out;
	}
	rc = want ? 0 : dom_domid_alloc(doms, &d->domid);
	if (rc) {
		snprintf(err, errlen, "every domid is in use");
		goto out;
	}
	if (want)
		d->domid = want;
	if (fd >= 0)
		d->phase = strdup("receiving");
	dom_list_insert(doms, d);
	listed = true;
	d->start_time = time(NULL);
	/* the record first: a guest never runs that xld cannot find again */
	rc = record_create(doms, d);
	if (rc) {
		snprintf(err, errlen,
			 "cannot write the domain record in %s: %s",
			 doms->recdir, strerror(-rc));
		goto out;
	}
	recorded = true;
	rc = monitor_start(doms, d, DOM_OP_CREATE);
	if (rc) {
		snprintf(err, errlen, "%s",
			 doms->dc_msg[0] ? doms->dc_msg : strerror(-rc));
		goto out;
	}
	*out = d;
	d = NULL;
out:
	if (d) {
		if (recorded)
			record_remove(doms, d->domid);
		if (listed)
			dom_list_remove(doms, d);
		dom_free(d);
	}
	return rc;
}

int xld_dom_create(struct xld_doms *doms, json_object *config,
		   struct xld_dom **out, char *err, size_t errlen)
{
	return create(doms, config, -1, out, err, errlen);
}

int xld_dom_create_incoming(struct xld_doms *doms, json_object *config,
			    int fd, struct xld_dom **out, char *err,
			    size_t errlen)
{
	return create(doms, config, fd, out, err, errlen);
}

int xld_dom_config_update(struct xld_doms *doms, struct xld_dom *d,
			  json_object *config, char *err, size_t errlen)
{
	struct xld_dom *t = dom_new(doms);
	json_object *old = d->next_config;
	char uuid[37];
	int rc;

	err[0] = '\0';
	if (!t)
		return -ENOMEM;
	/* what create checks, but the name and UUID are taken already */
	rc = config_apply(t, config, err, errlen);
	if (!rc)
		rc = config_check_vifs(config, err, errlen);
	if (!rc)
		rc = config_check_vbds(config, err, errlen);
	if (!rc)
		rc = xld_sched_check(t->weight, t->cap, err, errlen);
	if (rc)
		goto out;
	rc = -EINVAL;
	if (strcmp(t->name, d->name)) {
		snprintf(err, errlen,
			 "the config is for a domain named '%s', not '%s': "
			 "config-update does not rename (xl rename does)",
			 t->name, d->name);
		goto out;
	}
	if (config_str(config, "uuid") && memcmp(t->uuid, d->uuid, 16)) {
		uuid_unparse_lower(d->uuid, uuid);
		snprintf(err, errlen,
			 "the config's uuid is not domain %s's (%s): a "
			 "domain keeps its UUID",
			 d->name, uuid);
		goto out;
	}
	d->next_config = json_object_get(config);
	rc = record_save(doms, d);
	if (rc) {
		json_object_put(d->next_config);
		d->next_config = old;
		snprintf(err, errlen,
			 "cannot write the domain record in %s: %s",
			 doms->recdir, strerror(-rc));
		goto out;
	}
	json_object_put(old);
	d->record_dirty = false;
	xld_info("domain %" PRIu32 " (%s): config updated for its next "
		 "restart",
		 d->domid, d->name);
out:
	dom_free(t);
	return rc;
}

int xld_dom_pause(struct xld_doms *doms, struct xld_dom *d)
{
	int rc = xld_dom_busy(d) ? -EBUSY
				   : dc_domain_pause(doms->dc, d->domid);

	if (!rc) {
		monitor_watch_drain(doms, d);
		xld_dom_refresh(doms, d);
	}
	return rc;
}

int xld_dom_unpause(struct xld_doms *doms, struct xld_dom *d)
{
	int rc = xld_dom_busy(d) ? -EBUSY
				   : dc_domain_unpause(doms->dc, d->domid);

	if (!rc) {
		monitor_watch_drain(doms, d);
		xld_dom_refresh(doms, d);
	}
	return rc;
}

int xld_dom_shutdown(struct xld_doms *doms, struct xld_dom *d,
		     enum dc_shutdown_reason reason)
{
	struct xs_op op = {.st = doms->st, .priv = true};
	char p[96];
	int rc;

	if (xld_dom_busy(d))
		return -EBUSY;
	rc = dc_domain_shutdown(doms->dc, d->domid, reason);
	if (rc)
		return rc;
	/* what Xen's toolstack writes for a PV guest; ACPI did the rest */
	snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/control/shutdown",
		 d->domid);
	store_write(&op, p, "%s",
		    reason == DC_SHUTDOWN_REBOOT ? "reboot" : "poweroff");
	return 0;
}

int xld_dom_rename(struct xld_doms *doms, struct xld_dom *d, const char *name)
{
	struct xs_op op = {.st = doms->st, .priv = true};
	char p[96], uuid[37], *copy, *old;
	int rc;

	if (xld_dom_name_check(name))
		return -EINVAL;
	if (!strcmp(d->name, name))
		return 0;
	if (dom_by_name(doms, name))
		return -EEXIST;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	old = d->name;
	d->name = copy;
	/* the config keeps the name the guest restarts with */
	json_object_object_add(d->config, "name", json_object_new_string(name));
	/* the name lives only in the record: one a crash would lose is
	 * refused (the old record, still on disk, is right again) */
	rc = record_save(doms, d);
	if (rc) {
		d->name = old;
		free(copy);
		json_object_object_add(d->config, "name",
				       json_object_new_string(old));
		return rc;
	}
	free(old);
	snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/name", d->domid);
	store_write(&op, p, "%s", name);
	uuid_unparse_lower(d->uuid, uuid);
	snprintf(p, sizeof(p), "/vm/%s/name", uuid);
	store_write(&op, p, "%s", name);
	store_flush(doms);
	dom_notify(doms, d, XLD_DOM_CHANGED);
	return 0;
}
