// SPDX-License-Identifier: GPL-2.0
/*
 * A monitor started or destroyed without holding up the loop: the op's
 * fd (libdomctl's dc_op) is watched, and so are the vifs' scripts before
 * a start and after a destroy (vif_updown.c); the end goes on in
 * lifecycle.c (dom_op_done).  Meanwhile the domain is busy: requests that
 * change it wait (ctl/methods.c), every other domain is served.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "xld/dom/dom.h"
#include "xld/dom/dom_internal.h"
#include "xld/dom/vbd.h"
#include "xld/dom/vif.h"
#include "xld/file.h"
#include "xld/log.h"

struct dom_op {
	enum dom_op_kind kind;
	struct dc_op *op;	   /* the monitor being started or destroyed */
	struct xld_vifs_job *job;  /* or the vifs going up or down */
	struct xld_vifs *vifs;	   /* a start's, up before its monitor */
	struct xld_vbds *vbds;
	uint64_t ram_kib;	   /* the RAM the monitor is built with */
	int rc;			   /* the end's, while the vifs go down */
};

static bool is_start(enum dom_op_kind kind)
{
	return kind == DOM_OP_CREATE || kind == DOM_OP_RESTART;
}

static void op_set_msg(struct xld_dom *d, const char *msg)
{
	free(d->op_msg);
	d->op_msg = msg && *msg ? strdup(msg) : NULL;
}

static void dc_op_end(struct xld_doms *doms, struct dom_op *o)
{
	if (!o->op)
		return;
	xld_loop_del(doms->loop, dc_op_fd(o->op));
	dc_op_free(o->op);
	o->op = NULL;
}

/* Where the loop cannot wait (its fd not taken, or xld exiting). */
static int dc_op_wait(struct dc_op *op)
{
	struct pollfd p = {.fd = dc_op_fd(op), .events = POLLIN};
	int rc;

	while ((rc = dc_op_step(op, NULL)) == -EAGAIN)
		poll(&p, 1, -1);
	return rc;
}

static void op_free(struct xld_doms *doms, struct dom_op *o)
{
	if (!o)
		return;
	dc_op_end(doms, o);
	xld_vifs_job_cancel(o->job);
	xld_vbds_free(o->vbds);
	free(o->vifs);
	free(o);
}

/* @d's op ended with @rc: lifecycle.c goes on. */
static void op_end(struct xld_dom *d, int rc)
{
	struct xld_doms *doms = d->doms;
	enum dom_op_kind kind = d->op->kind;

	op_free(doms, d->op);
	d->op = NULL;
	d->op_rc = rc;
	/* a received stream is in, or never will be */
	if (d->incoming_fd >= 0) {
		close(d->incoming_fd);
		d->incoming_fd = -1;
		free(d->phase);
		d->phase = NULL;
	}
	dom_op_done(doms, d, kind, rc);
}

static void vifs_down_done(void *arg, int rc, const char *err)
{
	struct xld_dom *d = arg;

	(void)rc;
	(void)err;
	d->op->job = NULL;
	op_end(d, d->op->rc);
}

/* Take @d's vifs down (those of its config), then end with @rc. */
static void vifs_down(struct xld_dom *d, int rc)
{
	struct xld_doms *doms = d->doms;
	struct dom_op *o = d->op;
	char err[256];

	o->rc = rc;
	if (!o->vifs) {
		o->vifs = malloc(sizeof(*o->vifs));
		if (!o->vifs || xld_vifs_parse(d->config, d->domid, o->vifs,
					       err, sizeof(err))) {
			op_end(d, rc);
			return;
		}
	}
	xld_vifs_down(doms->loop, doms->st, o->vifs, vifs_down_done, d,
		      &o->job);
	if (!o->job)
		op_end(d, rc);
}

/* A start ended well: the domain runs. */
static void started(struct xld_doms *doms, struct xld_dom *d, pid_t pid)
{
	struct dom_op *o = d->op;

	xld_vifs_connected(doms->st, o->vifs);
	xld_vbds_connected(doms->st, o->vbds);
	xld_vbds_free(d->vbds);
	d->vbds = o->vbds;
	o->vbds = NULL;
	/* the RAM built: what mem-max may come back up to */
	d->ram_kib = o->ram_kib;
	if (d->maxmem_kib > d->ram_kib)
		d->maxmem_kib = d->ram_kib;
	d->pid = pid;
	/* a received guest waits, paused, for xl to unpause it */
	d->state = d->incoming_fd >= 0 ? DC_STATE_PAUSED : DC_STATE_RUNNING;
	d->reason = DC_SHUTDOWN_NONE;
	d->handled = false;
	/* what it runs with is what it was built with: its watch tells the
	 * rest, so no more is asked of a monitor starting its guest */
	monitor_watch_start(doms, d);
	monitor_sched_join(doms, d);
	op_set_msg(d, doms->sched_msg);
}

static void op_event(struct xld_loop *loop, int fd, uint32_t events,
		     void *arg)
{
	struct xld_dom *d = arg;
	struct xld_doms *doms = d->doms;
	struct dom_op *o = d->op;
	pid_t pid = 0;
	int rc;

	(void)loop;
	(void)fd;
	(void)events;
	doms->dc_msg[0] = '\0';
	rc = dc_op_step(o->op, &pid);
	if (rc == -EAGAIN)
		return;
	dc_op_end(doms, o);
	op_set_msg(d, doms->dc_msg);
	if (is_start(o->kind) && !rc) {
		started(doms, d, pid);
		op_end(d, 0);
	} else if (is_start(o->kind)) {
		struct dc_dominfo info;

		/* a monitor killed while it started leaves its socket, tty
		 * link and crash note: gone unless it still answers (one
		 * that timed out may yet) */
		if (rc != -ETIMEDOUT &&
		    dc_domain_info(doms->dc, d->domid, &info) < 0)
			dc_domain_forget(doms->dc, d->domid);
		/* the monitor's message stays the reason given */
		xld_vbds_unpublish(doms->st, d->domid);
		vifs_down(d, rc);
	} else if (rc && rc != -ESRCH) {
		op_end(d, rc); /* still there: nothing of it is taken down */
	} else {
		vifs_down(d, 0);
	}
}

static int op_watch(struct xld_doms *doms, struct xld_dom *d,
		    struct dom_op *o)
{
	return xld_loop_add(doms->loop, dc_op_fd(o->op), EPOLLIN, op_event, d);
}

/* The monitor of @d, its vifs up: started off the loop. */
static int spawn(struct xld_doms *doms, struct xld_dom *d, struct dom_op *o)
{
	struct dc_build b = {0};
	struct dc_net nets[XLD_VIF_MAX];
	struct dc_disk disks[XLD_VBD_MAX];
	json_object *cfg = d->config;
	char console[PATH_MAX];
	size_t nlen = strlen(d->name);
	int rc;

	doms->dc_msg[0] = '\0';
	/* a guest received as NAME--incoming (xl migrate-receive) goes on
	 * writing NAME's console log, the name it runs under after "go" */
	if (d->incoming_fd >= 0 && nlen > 10 &&
	    !strcmp(d->name + nlen - 10, "--incoming"))
		nlen -= 10;
	rc = xld_path_fmt(console, sizeof(console), "%s/%.*s.log",
			  doms->condir, (int)nlen, d->name);
	if (rc)
		return rc;
	b.nets = nets;
	b.nnets = xld_vifs_nets(o->vifs, nets);
	b.disks = disks;
	b.ndisks = xld_vbds_disks(o->vbds, disks);
	b.domid = d->domid;
	b.name = d->name;
	if (d->incoming_fd >= 0 && o->kind == DOM_OP_CREATE) {
		/* built from the stream: its kernel is in the guest's RAM */
		b.flags = DC_BUILD_INCOMING;
		b.incoming_fd = d->incoming_fd;
	} else {
		b.kernel = config_str(cfg, "kernel");
		b.ramdisk = config_str(cfg, "ramdisk");
		b.cmdline = config_str(cfg, "cmdline");
	}
	b.memory_mib = d->memory_kib / 1024;
	b.maxmem_mib = d->maxmem_kib / 1024;
	b.vcpus = d->vcpus;
	b.maxvcpus = d->maxvcpus;
	b.console_log = console;
	b.console_log_max = doms->conlog_max;
	b.console_log_keep = doms->conlog_keep;
	o->ram_kib =
	    (b.maxmem_mib > b.memory_mib ? b.maxmem_mib : b.memory_mib) * 1024;
	rc = dc_domain_create_start(doms->dc, &b, &o->op);
	if (rc)
		return rc;
	rc = op_watch(doms, d, o);
	if (rc) {
		/* its monitor starts without us: stop it again */
		dc_op_free(o->op);
		o->op = NULL;
		dc_domain_destroy(doms->dc, d->domid);
	}
	return rc;
}

static void vifs_up_done(void *arg, int rc, const char *err)
{
	struct xld_dom *d = arg;
	struct xld_doms *doms = d->doms;
	struct dom_op *o = d->op;

	o->job = NULL;
	if (rc) {
		/* the vifs undid themselves */
		op_set_msg(d, err);
		xld_vbds_unpublish(doms->st, d->domid);
		op_end(d, rc);
		return;
	}
	rc = spawn(doms, d, o);
	if (rc) {
		op_set_msg(d, doms->dc_msg[0] ? doms->dc_msg : strerror(-rc));
		xld_vbds_unpublish(doms->st, d->domid);
		vifs_down(d, rc);
	}
}

int monitor_start(struct xld_doms *doms, struct xld_dom *d,
		  enum dom_op_kind kind)
{
	struct dom_op *o = calloc(1, sizeof(*o));
	int rc;

	doms->dc_msg[0] = '\0';
	if (o)
		o->vifs = malloc(sizeof(*o->vifs));
	if (!o || !o->vifs) {
		free(o);
		return -ENOMEM;
	}
	o->kind = kind;
	rc = dom_vbds_up(doms, d, &o->vbds);
	if (rc)
		goto fail;
	rc = xld_vifs_parse(d->config, d->domid, o->vifs, doms->dc_msg,
			    sizeof(doms->dc_msg));
	if (!rc)
		rc = xld_vifs_up(doms->loop, doms->st, o->vifs, vifs_up_done,
				 d, &o->job, doms->dc_msg,
				 sizeof(doms->dc_msg));
	/* no vifs: the monitor at once */
	if (!rc && !o->job)
		rc = spawn(doms, d, o);
	if (rc) {
		xld_vbds_unpublish(doms->st, d->domid);
		goto fail;
	}
	d->op = o;
	d->op_rc = 0;
	op_set_msg(d, NULL);
	/* Xen lists a domain being built as paused */
	d->pid = 0;
	d->state = DC_STATE_PAUSED;
	return 0;
fail:
	op_free(doms, o);
	return rc;
}

int monitor_destroy(struct xld_doms *doms, struct xld_dom *d,
		    enum dom_op_kind kind)
{
	struct dom_op *o = calloc(1, sizeof(*o));
	int rc;

	if (!o)
		return -ENOMEM;
	o->kind = kind;
	monitor_watch_stop(d);
	rc = dc_domain_destroy_start(doms->dc, d->domid, &o->op);
	if (!rc)
		rc = op_watch(doms, d, o);
	if (rc && o->op) {
		/* asked to go already: wait for it here */
		rc = dc_op_wait(o->op);
		dc_op_free(o->op);
		o->op = NULL;
	}
	if (rc && rc != -ESRCH) {
		free(o);
		return rc;
	}
	/* it died before its destroy asked it to go (killed) */
	if (rc == -ESRCH && !o->op)
		monitor_gone(doms, d);
	d->op = o;
	d->op_rc = 0;
	op_set_msg(d, NULL);
	d->state = DC_STATE_DYING;
	/* no monitor (any more): its vifs go now, and the op may end here */
	if (!o->op)
		vifs_down(d, 0);
	return 0;
}

void monitor_ops_end(struct xld_doms *doms)
{
	struct xld_dom *d;

	for (d = doms->list; d; d = d->next) {
		struct dom_op *o = d->op;
		int rc = 0;

		if (!o)
			continue;
		/* a destroy is waited for, so no next xld finds the record
		 * of a guest it was asked to destroy and acts on it; a start
		 * goes on without us (the next xld re-attaches, or applies
		 * the policy to a guest that never ran) */
		if (o->kind == DOM_OP_REMOVE && o->op)
			rc = dc_op_wait(o->op);
		if (o->kind == DOM_OP_REMOVE && (!rc || rc == -ESRCH))
			record_remove(doms, d->domid);
		if (o->job)
			xld_warn("domain %" PRIu32 " (%s): xld exits: its vif "
				 "scripts are stopped, its TAPs may be left",
				 d->domid, d->name);
		op_free(doms, o);
		d->op = NULL;
	}
}

void monitor_op_no_restart(struct xld_dom *d)
{
	if (d->op && d->op->kind == DOM_OP_REPLACE)
		d->op->kind = DOM_OP_REMOVE;
}

enum xld_dom_busy xld_dom_busy(const struct xld_dom *d)
{
	if (d->dumping)
		return XLD_BUSY_DUMPING;
	if (d->send)
		return XLD_BUSY_SENDING;
	if (!d->op)
		return XLD_BUSY_NONE;
	return d->op->kind == DOM_OP_CREATE || d->op->kind == DOM_OP_RESTART
		   ? XLD_BUSY_STARTING
		   : XLD_BUSY_DESTROYING;
}

int xld_dom_op_result(const struct xld_dom *d, const char **msg)
{
	*msg = d->op_msg ? d->op_msg : "";
	return d->op_rc;
}
