// SPDX-License-Identifier: GPL-2.0
/*
 * Vifs brought up and taken down off the loop: for each vif in turn its
 * store nodes, its TAP and its hotplug script ("online"), and the reverse
 * with "offline".  A script runs with the environment Xen's vif scripts
 * get (vif, bridge, mac, XENBUS_PATH, ...), in its own process group,
 * with its output logged and a time limit after which the whole group is
 * killed (hotplug.c).  Its last line of output is the reason given when
 * it fails.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xld/dom/devnodes.h"
#include "xld/dom/hotplug.h"
#include "xld/dom/vif.h"
#include "xld/dom/vif_internal.h"
#include "xld/log.h"

/* ---- hotplug scripts ---- */

static unsigned int script_timeout(void)
{
	const char *s = getenv("XLD_HOTPLUG_TIMEOUT");
	unsigned long v;
	char *end;

	if (!s || !*s)
		return XLD_VIF_SCRIPT_TIMEOUT_S;
	v = strtoul(s, &end, 10);
	return *end || !v || v > 3600 ? XLD_VIF_SCRIPT_TIMEOUT_S
				      : (unsigned int)v;
}

#define ENV_OURS 12

/* Bringing vifs up or taking them down, one script at a time. */
struct xld_vifs_job {
	struct xld_loop *loop;
	struct xs_store *st;
	struct xld_hotplug *h; /* the script running, or NULL */
	size_t i;	       /* the vif at hand */
	size_t left;	       /* going down: vifs 0..left-1, last first */
	bool starting;	       /* in xld_vifs_up/down: they return the end */
	bool ended;
	int rc;
	char err[1024];
	xld_vifs_fn fn;
	void *arg;
	struct xld_vifs vifs;
};

/* Run the script of the vif at hand with @action; @fn follows. */
static int script_start(struct xld_vifs_job *j, const char *action,
			xld_hotplug_fn fn)
{
	const struct xld_vif *v = &j->vifs.v[j->i];
	uint32_t domid = j->vifs.domid;
	char ours[ENV_OURS][4200], *vars[ENV_OURS], tag[IFNAMSIZ + 4200];
	size_t n = 0, k;
	int rc;

	if (access(v->script, X_OK) < 0) {
		rc = -errno;
		snprintf(j->err, sizeof(j->err),
			 "vif %u: hotplug script %s: %s%s%s%s", v->devid,
			 v->script, strerror(-rc), v->script_how ? " (" : "",
			 v->script_how ? v->script_how : "",
			 v->script_how ? ")" : "");
		return rc;
	}
	snprintf(ours[n++], sizeof(ours[0]), "vif=%s", v->ifname);
	snprintf(ours[n++], sizeof(ours[0]), "bridge=%s", v->bridge);
	snprintf(ours[n++], sizeof(ours[0]), "mac=%s", v->mac);
	snprintf(ours[n++], sizeof(ours[0]),
	    "XENBUS_PATH=backend/vif/%" PRIu32 "/%u", domid, v->devid);
	snprintf(ours[n++], sizeof(ours[0]), "XENBUS_TYPE=vif");
	snprintf(ours[n++], sizeof(ours[0]), "XENBUS_BASE_PATH=backend");
	snprintf(ours[n++], sizeof(ours[0]), "script=%s", v->script);
	snprintf(ours[n++], sizeof(ours[0]), "domid=%" PRIu32, domid);
	snprintf(ours[n++], sizeof(ours[0]), "devid=%u", v->devid);
	snprintf(ours[n++], sizeof(ours[0]), "command=%s", action);
	snprintf(ours[n++], sizeof(ours[0]), "mtu=%u", v->mtu);
	for (k = 0; k < n; k++)
		vars[k] = ours[k];
	snprintf(tag, sizeof(tag), "vif %s: %s %s", v->ifname, v->script,
		 action);
	rc = xld_hotplug_run(j->loop, v->script, action, vars, n, tag,
			     script_timeout(), fn, j, &j->h);
	if (rc)
		snprintf(j->err, sizeof(j->err),
			 "vif %u: cannot run hotplug script %s: %s", v->devid,
			 v->script, strerror(-rc));
	return rc;
}

/* Why the script of the vif at hand failed, in @j->err. */
static void script_failed(struct xld_vifs_job *j, const char *action,
			  int rc, const char *how, const char *last)
{
	const struct xld_vif *v = &j->vifs.v[j->i];

	if (rc == -ETIMEDOUT)
		snprintf(j->err, sizeof(j->err),
			 "vif %u: hotplug script %s %s %s: did not finish "
			 "within %u s%s%s",
			 v->devid, v->script, action, v->ifname,
			 script_timeout(), *last ? ": " : "", last);
	else
		snprintf(j->err, sizeof(j->err),
			 "vif %u: hotplug script %s %s %s failed (%s)%s%s",
			 v->devid, v->script, action, v->ifname, how,
			 *last ? ": " : "", last);
}

/* ---- up and down ---- */

static void job_end(struct xld_vifs_job *j)
{
	j->ended = true;
	if (j->starting)
		return;
	j->fn(j->arg, j->rc, j->err);
	free(j);
}

/* TAP and nodes of the vif at hand, after its script (if it ran). */
static void vif_gone(struct xld_vifs_job *j)
{
	const struct xld_vif *v = &j->vifs.v[j->i];
	int rc = vif_tap_delete(v->ifname);

	/* a monitor still exiting holds it (one found gone when xld
	 * started, whose pid no record keeps): at most 1 s more */
	for (int n = 0; rc == -EBUSY && n < 100; n++) {
		usleep(10000);
		rc = vif_tap_delete(v->ifname);
	}

	if (rc && rc != -ENODEV)
		xld_err("domain %" PRIu32 ": vif %u: delete TAP %s: %s",
			j->vifs.domid, v->devid, v->ifname, strerror(-rc));
	vif_nodes_remove(j->st, j->vifs.domid, v);
}

static void down_next(struct xld_vifs_job *j);

static void offline_done(void *arg, int rc, const char *how,
			 const char *last)
{
	struct xld_vifs_job *j = arg;
	char err[sizeof(j->err)];

	j->h = NULL;
	if (rc) {
		/* the reason given for a failed start stays the first one */
		memcpy(err, j->err, sizeof(err));
		script_failed(j, "offline", rc, how, last);
		xld_warn("domain %" PRIu32 ": %s", j->vifs.domid, j->err);
		memcpy(j->err, err, sizeof(err));
	}
	vif_gone(j);
	down_next(j);
}

/* The next vif down, last first, each after its "offline" script. */
static void down_next(struct xld_vifs_job *j)
{
	char err[sizeof(j->err)];

	while (j->left) {
		j->i = --j->left;
		memcpy(err, j->err, sizeof(err));
		if (!script_start(j, "offline", offline_done))
			return;
		xld_warn("domain %" PRIu32 ": %s", j->vifs.domid, j->err);
		memcpy(j->err, err, sizeof(err));
		vif_gone(j);
	}
	vif_nodes_remove_dom(j->st, j->vifs.domid);
	job_end(j);
}

/*
 * The vif at hand failed to come up with @rc (@j->err says why): undo
 * it, then the ones before it.  @online: its script ran.
 */
static void up_failed(struct xld_vifs_job *j, int rc, bool online)
{
	j->rc = rc;
	if (online) {
		j->left = j->i + 1;
	} else {
		/* a TAP of that name existing already is not ours */
		if (rc == -EEXIST)
			vif_nodes_remove(j->st, j->vifs.domid, &j->vifs.v[j->i]);
		else
			vif_gone(j);
		j->left = j->i;
	}
	down_next(j);
}

static void up_next(struct xld_vifs_job *j);

static void online_done(void *arg, int rc, const char *how, const char *last)
{
	struct xld_vifs_job *j = arg;
	const struct xld_vif *v = &j->vifs.v[j->i];
	uint32_t domid = j->vifs.domid;
	struct xld_devnodes n;

	j->h = NULL;
	if (rc) {
		script_failed(j, "online", rc, how, last);
		xld_err("domain %" PRIu32 ": %s", domid, j->err);
		up_failed(j, rc, false);
		return;
	}
	xld_devnodes_init(&n, j->st, "vif", domid, v->devid);
	rc = xld_devnode_write(&n.op, n.be, "hotplug-status", "connected");
	if (rc) {
		snprintf(j->err, sizeof(j->err),
			 "vif %u: cannot write hotplug-status: %s", v->devid,
			 strerror(-rc));
		up_failed(j, rc, true);
		return;
	}
	xld_info("domain %" PRIu32 ": vif %u: %s (%s) on %s", domid, v->devid,
		 v->ifname, v->mac, v->bridge);
	j->i++;
	up_next(j);
}

/* Nodes, TAP, then the "online" script of the next vif. */
static void up_next(struct xld_vifs_job *j)
{
	const struct xld_vif *v;
	int rc;

	if (j->i == j->vifs.n) {
		job_end(j);
		return;
	}
	v = &j->vifs.v[j->i];
	rc = vif_nodes_write(j->st, j->vifs.domid, v);
	if (rc) {
		snprintf(j->err, sizeof(j->err),
			 "vif %u: cannot write its store nodes: %s", v->devid,
			 strerror(-rc));
		up_failed(j, rc, false);
		return;
	}
	rc = vif_tap_create(v, j->err, sizeof(j->err));
	if (!rc)
		rc = script_start(j, "online", online_done);
	if (rc) {
		if (rc != -EEXIST)
			xld_err("domain %" PRIu32 ": %s", j->vifs.domid,
				j->err);
		up_failed(j, rc, false);
	}
}

static struct xld_vifs_job *job_new(struct xld_loop *loop,
				    struct xs_store *st,
				    const struct xld_vifs *vifs,
				    xld_vifs_fn fn, void *arg)
{
	struct xld_vifs_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->loop = loop;
	j->st = st;
	j->fn = fn;
	j->arg = arg;
	j->vifs = *vifs;
	j->starting = true;
	return j;
}

/* What xld_vifs_up/down return: the end now, or the job to wait for. */
static int job_started(struct xld_vifs_job *j, struct xld_vifs_job **out,
		       char *err, size_t errlen)
{
	int rc = j->rc;

	j->starting = false;
	*out = NULL;
	if (!j->ended) {
		*out = j;
		return 0;
	}
	if (err)
		snprintf(err, errlen, "%s", j->err);
	free(j);
	return rc;
}

int xld_vifs_up(struct xld_loop *loop, struct xs_store *st,
		const struct xld_vifs *vifs, xld_vifs_fn fn, void *arg,
		struct xld_vifs_job **job, char *err, size_t errlen)
{
	struct xld_vifs_job *j = job_new(loop, st, vifs, fn, arg);

	if (!j) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	up_next(j);
	return job_started(j, job, err, errlen);
}

void xld_vifs_down(struct xld_loop *loop, struct xs_store *st,
		   const struct xld_vifs *vifs, xld_vifs_fn fn, void *arg,
		   struct xld_vifs_job **job)
{
	struct xld_vifs_job *j;

	*job = NULL;
	if (!vifs->n)
		return;
	j = job_new(loop, st, vifs, fn, arg);
	if (!j) {
		xld_err("domain %" PRIu32 ": vifs left up: out of memory",
			vifs->domid);
		return;
	}
	j->left = vifs->n;
	down_next(j);
	job_started(j, job, NULL, 0);
}

void xld_vifs_job_cancel(struct xld_vifs_job *j)
{
	if (!j)
		return;
	xld_hotplug_cancel(j->h);
	free(j);
}
