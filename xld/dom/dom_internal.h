/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the modules of xld/dom/ share among themselves; nothing outside
 * xld/dom/ includes this (dom.h is the public side).
 */
#ifndef XLD_DOM_INTERNAL_H
#define XLD_DOM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "domctl.h"
#include "xld/dom/dom.h"
#include "xld/store/xs.h"

struct xld_vbds;

struct xld_doms {
	struct xld_loop *loop;
	struct xs_store *st;
	struct xs_server *srv;
	dc_ctx *dc;
	char *recdir;	      /* statedir/domains */
	char *condir;	      /* logdir/console */
	uint64_t conlog_max;  /* struct dc_build's console_log_max */
	uint32_t conlog_keep; /* and console_log_keep */
	struct xld_dom *list;
	unsigned int count;
	uint32_t next_domid;
	int timer_fd;
	xld_dom_notify_fn notify;
	void *notify_arg;
	void (*flush)(void *arg); /* the store journal's */
	void *flush_arg;
	bool dom0_published;
	char dc_msg[512];	 /* libdomctl's first error, for the reply */
	struct xld_dumps *dumps; /* core dumps being written */
	char *dumpdir;		 /* $XLD_DUMPDIR or statedir/dump */
	struct xld_sched *sched; /* CPU weights and caps (cgroups) */
	char sched_msg[512];	 /* why the last ones were not applied */
	char no_kvm[512];	 /* why no guest can run here; "" if one can */
};

/* ---- registry.c: the list, ids and names ---- */
/* A new, empty domain of @doms; NULL when out of memory. */
struct xld_dom *dom_new(struct xld_doms *doms);
void dom_free(struct xld_dom *d);
void dom_list_insert(struct xld_doms *doms, struct xld_dom *d);
void dom_list_remove(struct xld_doms *doms, struct xld_dom *d);
struct xld_dom *dom_by_name(struct xld_doms *doms, const char *name);
struct xld_dom *dom_by_uuid(struct xld_doms *doms, const uint8_t *u);
/* The next free domid after the last one given, wrapping at the top. */
int dom_domid_alloc(struct xld_doms *doms, uint32_t *out);
void dom_notify(struct xld_doms *doms, struct xld_dom *d,
		enum xld_dom_event ev);

/* ---- record.c: records on disk ---- */
int record_create(struct xld_doms *doms, const struct xld_dom *d);
int record_save(struct xld_doms *doms, const struct xld_dom *d);
/* record_save after the guest runs: a failure is logged and retried
 * (and returned, for a reply that says so). */
int record_update(struct xld_doms *doms, struct xld_dom *d);
void record_remove(struct xld_doms *doms, uint32_t domid);
/* Records that could not be written: try again, quietly. */
void record_retry_dirty(struct xld_doms *doms);
int record_next_domid_save(struct xld_doms *doms);
/* The saved counter into doms->next_domid; false when there is none. */
bool record_load_next_domid(struct xld_doms *doms);
int record_load(struct xld_doms *doms, const char *file, struct xld_dom **out);

/* ---- config.c: the config a domain runs with ---- */
const char *config_str(json_object *cfg, const char *key);
/* Check what xld itself needs from a config and fill @d from it. */
int config_apply(struct xld_dom *d, json_object *cfg, char *err, size_t errlen);
/* As @d restarts, the config xl config-update left becomes its config. */
void config_next(struct xld_dom *d);
/* Refuse a bad disk or vif entry before anything is made. */
int config_check_vbds(json_object *config, char *err, size_t errlen);
int config_check_vifs(json_object *config, char *err, size_t errlen);

/* ---- publish.c: the domain's nodes in the store ---- */
/* Make the store's changes durable before going on (kill -9 safe). */
void store_flush(struct xld_doms *doms);
int store_write(struct xs_op *op, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Publish @d's nodes (Domain-0's with the first) and introduce it. */
void store_attach(struct xld_doms *doms, struct xld_dom *d);
void store_detach(struct xld_doms *doms, struct xld_dom *d);
/* Remove @domid's home and its /vm entry. */
void store_unpublish(struct xld_doms *doms, uint32_t domid, const uint8_t *u);
void store_memory(struct xld_doms *doms, struct xld_dom *d, const char *node,
		  uint64_t kib);
void store_vcpus(struct xld_doms *doms, struct xld_dom *d, uint32_t online);

/* ---- monitor.c: watch, re-attach ---- */
void monitor_watch_start(struct xld_doms *doms, struct xld_dom *d);
void monitor_watch_stop(struct xld_dom *d);
/* Apply the events @d's watch already holds: none older than what an
 * operation reads next may come after it (a watch's first event is the
 * state when it began, and may still be unread). */
void monitor_watch_drain(struct xld_doms *doms, struct xld_dom *d);
/* Put @d's monitor in its cgroup; what cannot be is in doms->sched_msg. */
void monitor_sched_join(struct xld_doms *doms, struct xld_dom *d);
void monitor_info_apply(struct xld_dom *d, const struct dc_dominfo *info);
/*
 * @d's monitor is gone (or going: killed, it may still hold its TAPs and
 * sit in its cgroup; waited for, at most 1 s): log why, if its sandbox
 * killed it, and remove the files it left.
 */
void monitor_gone(struct xld_doms *doms, const struct xld_dom *d);
/* The slow timer that refreshes every domain and retries records. */
int monitor_poll_start(struct xld_doms *doms);
void monitor_poll_stop(struct xld_doms *doms);

/* ---- monitor_op.c: monitors started and destroyed off the loop ---- */
enum dom_op_kind {
	DOM_OP_CREATE,	/* xl create's start */
	DOM_OP_RESTART, /* a start under a new domid */
	DOM_OP_REMOVE,	/* destroy, then the domain is gone */
	DOM_OP_REPLACE, /* destroy, then it restarts */
};
/*
 * Start @d's monitor (its record is written and its domid set), its vifs
 * first.  0: started, dom_op_done() follows.  Otherwise nothing of either
 * is left and doms->dc_msg says why.
 */
int monitor_start(struct xld_doms *doms, struct xld_dom *d,
		  enum dom_op_kind kind);
/* Ask @d's monitor to go (its watch stops): 0, then dom_op_done(). */
int monitor_destroy(struct xld_doms *doms, struct xld_dom *d,
		    enum dom_op_kind kind);
/* A destroy that was to restart @d now ends it (xl destroy meanwhile). */
void monitor_op_no_restart(struct xld_dom *d);
/* xld exits: destroys are waited for, starts go on without us. */
void monitor_ops_end(struct xld_doms *doms);

/* ---- devices.c: disks and vifs brought up and down ---- */
int dom_vbds_up(struct xld_doms *doms, struct xld_dom *d,
		struct xld_vbds **out);
void dom_vbds_recover(struct xld_dom *d);
void dom_vifs_republish(struct xld_doms *doms, struct xld_dom *d);

/* ---- lifecycle.c: the state machine ---- */
/* The action for @d's shutdown reason. */
enum xld_action dom_stop_action(const struct xld_dom *d);
/* Apply @a to the stopped @d; a core dump is written (or not) by now. */
void dom_act(struct xld_doms *doms, struct xld_dom *d, enum xld_action a);
/* @d stopped: apply its policy, once. */
void dom_stopped(struct xld_doms *doms, struct xld_dom *d);
/* @d's op of @kind ended with @rc (d->op_msg says why it failed). */
void dom_op_done(struct xld_doms *doms, struct xld_dom *d,
		 enum dom_op_kind kind, int rc);

/* ---- send.c ---- */
/* @d is going: its send ends with @rc (its client is told). */
void send_abort(struct xld_dom *d, int rc);

/* ---- coredump.c ---- */
/*
 * Start the core dump of the stopped @d; its end applies the rest of
 * the action.  -errno when no dump can be written (it was logged).
 */
int coredump_start(struct xld_doms *doms, struct xld_dom *d);

#endif
