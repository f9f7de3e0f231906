// SPDX-License-Identifier: GPL-2.0
/*
 * Core dumps of a domain: xl dump-core, and the coredump-destroy and
 * coredump-restart actions, written by the monitor off the event loop.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xld/dom/dom.h"
#include "xld/dom/dom_internal.h"
#include "xld/dom/dump.h"
#include "xld/log.h"

/* A coredump-* action's dump ended: log it, then destroy or restart. */
static void coredump_done(void *arg, uint32_t domid, uint64_t tag,
			  const char *path, int rc,
			  const struct dc_save_result *res, const char *msg)
{
	struct xld_doms *doms = arg;
	struct xld_dom *d;
	enum xld_action a;

	(void)tag;
	if (rc == -ECANCELED)
		return; /* xld exits: a new one applies the policy again */
	d = xld_dom_by_id(doms, domid);
	if (!d || !d->dumping)
		return;
	d->dumping = false;
	a = dom_stop_action(d);
	if (rc)
		xld_err("domain %" PRIu32 " (%s): core dump to %s failed: "
			"%s%s%s; %s it anyway",
			d->domid, d->name, path, strerror(-rc),
			msg[0] ? ": " : "", msg,
			a == XLD_ACTION_COREDUMP_RESTART ? "restarting"
							 : "destroying");
	else
		xld_info("domain %" PRIu32 " (%s): core dump written to %s: "
			 "%" PRIu64 " bytes in %.3f s",
			 d->domid, d->name, path, res->bytes,
			 (double)res->save_ns / 1e9);
	dom_act(doms, d, a);
}

/*
 * Start the core dump of the stopped @d; its end applies the rest of
 * the action.  -errno when no dump can be written (it was logged).
 */
int coredump_start(struct xld_doms *doms, struct xld_dom *d)
{
	char path[PATH_MAX];
	int rc;

	if (!d->pid) {
		xld_err("domain %" PRIu32 " (%s): its monitor is gone, with "
			"the guest's memory: no core dump",
			d->domid, d->name);
		return -ESRCH;
	}
	rc = xld_dump_dir_make(doms->dumpdir);
	if (!rc)
		rc = xld_dump_path(path, sizeof(path), doms->dumpdir, d->name,
				   d->domid, time(NULL));
	if (!rc)
		rc = xld_dump_start(doms->dumps, d->domid, path, coredump_done,
				    doms, 0);
	if (rc) {
		xld_err("domain %" PRIu32 " (%s): cannot write a core dump "
			"in %s: %s",
			d->domid, d->name, doms->dumpdir, strerror(-rc));
		return rc;
	}
	d->dumping = true;
	xld_info("domain %" PRIu32 " (%s): writing a core dump of %" PRIu64
		 " MiB of RAM to %s",
		 d->domid, d->name, d->memory_kib / 1024, path);
	return 0;
}

/* An xl dump-core in progress. */
struct dump_core {
	struct xld_doms *doms;
	xld_dom_dump_fn fn;
	void *arg;
	uint64_t tag;
	bool resume; /* it ran before: unpause it after */
};

static void dump_core_done(void *arg, uint32_t domid, uint64_t tag,
			   const char *path, int rc,
			   const struct dc_save_result *res, const char *msg)
{
	struct dump_core *dc = arg;
	struct xld_dom *d;
	int r;

	(void)tag;
	if (rc == -ECANCELED)
		goto out; /* xld exits: nobody to tell */
	d = xld_dom_by_id(dc->doms, domid);
	if (d) {
		d->dumping = false;
		if (rc)
			xld_err("domain %" PRIu32 " (%s): dump-core to %s "
				"failed: %s%s%s",
				domid, d->name, path, strerror(-rc),
				msg[0] ? ": " : "", msg);
		else
			xld_info("domain %" PRIu32 " (%s): dump-core written "
				 "to %s: %" PRIu64 " bytes in %.3f s",
				 domid, d->name, path, res->bytes,
				 (double)res->save_ns / 1e9);
		/* a failed save already let a running guest run on */
		r = dc->resume && !rc ? dc_domain_unpause(dc->doms->dc, domid)
				      : 0;
		if (r)
			xld_err("domain %" PRIu32 " (%s): cannot resume it "
				"after its dump: %s",
				domid, d->name, strerror(-r));
		xld_dom_refresh(dc->doms, d);
		dom_notify(dc->doms, d, XLD_DOM_CHANGED);
	}
	dc->fn(dc->arg, dc->tag, rc, path, res, msg);
out:
	free(dc);
}

int xld_dom_dump_core(struct xld_doms *doms, struct xld_dom *d,
		      const char *path, xld_dom_dump_fn fn, void *arg,
		      uint64_t tag)
{
	struct dump_core *dc;
	int rc;

	if (xld_dom_busy(d))
		return -EBUSY;
	if (!d->pid)
		return -ESRCH;
	dc = calloc(1, sizeof(*dc));
	if (!dc)
		return -ENOMEM;
	*dc = (struct dump_core){doms, fn, arg, tag,
				 d->state == DC_STATE_RUNNING ||
				     d->state == DC_STATE_BLOCKED};
	rc = xld_dump_start(doms->dumps, d->domid, path, dump_core_done, dc, 0);
	if (rc) {
		free(dc);
		return rc;
	}
	d->dumping = true;
	if (dc->resume)
		d->state = DC_STATE_PAUSED; /* the monitor pauses it */
	xld_info("domain %" PRIu32 " (%s): dump-core of %" PRIu64
		 " MiB of RAM to %s",
		 d->domid, d->name, d->memory_kib / 1024, path);
	dom_notify(doms, d, XLD_DOM_CHANGED);
	return 0;
}
