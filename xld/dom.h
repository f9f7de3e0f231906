/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The domain registry: ids, names, UUIDs, states, the store layout of each
 * domain, lifecycle policy when a guest stops, and the records in
 * $XLD_STATEDIR/domains that let a restarted xld re-attach to its guests.
 */
#ifndef XLD_DOM_H
#define XLD_DOM_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <json-c/json.h>

#include "domctl.h"
#include "xld/xld.h"
#include "xld/xs.h"

#define XLD_DOM_NAME_MAX 64
#define XLD_DOMID_MAX DC_DOMID_MAX /* guests are 1..32751 */

/* What to do when a guest stops (xl.cfg on_poweroff/on_reboot/on_crash). */
enum xld_action {
	XLD_ACTION_DESTROY,
	XLD_ACTION_RESTART,
	XLD_ACTION_RENAME_RESTART,
	XLD_ACTION_PRESERVE,
	XLD_ACTION_COREDUMP_DESTROY,
	XLD_ACTION_COREDUMP_RESTART,
};

struct xld_doms;

struct xld_dom {
	struct xld_dom *next; /* sorted by domid */
	struct xld_doms *doms;
	int watch_fd; /* the monitor's state events, or -1 */
	uint32_t domid;
	char *name;
	uint8_t uuid[16];
	json_object *config; /* the resolved config, as xl sent it */
	pid_t pid;
	enum dc_state state;
	enum dc_shutdown_reason reason;
	uint32_t vcpus;
	uint64_t memory_kib;
	uint64_t cpu_time_ns;
	time_t start_time;
	bool handled; /* the policy for this shutdown was applied */
	bool record_dirty; /* its record could not be written: retried */
	enum xld_action on_poweroff, on_reboot, on_crash;
};

/* Why a domain's state changed, for whoever waits on it. */
enum xld_dom_event {
	XLD_DOM_CHANGED, /* state or name */
	XLD_DOM_GONE,	 /* destroyed; @d is about to be freed */
};

struct xld_doms;
struct xs_server;

typedef void (*xld_dom_notify_fn)(void *arg, struct xld_dom *d,
				  enum xld_dom_event ev);

/*
 * The registry for @rundir's monitors, with records in
 * @statedir/domains and console logs in @logdir/console.  Loads the
 * records, re-attaches to the live monitors and applies the lifecycle
 * policy to guests that stopped or died while no xld watched them.
 * Returns NULL with errno set.
 */
struct xld_doms *xld_doms_new(struct xld_loop *loop, struct xs_store *st,
			      struct xs_server *srv, const char *rundir,
			      const char *statedir, const char *logdir);
/* Forgets the domains (their guests keep running). */
void xld_doms_free(struct xld_doms *doms);
void xld_doms_set_notify(struct xld_doms *doms, xld_dom_notify_fn fn,
			 void *arg);
/* Called after the registry changed the store (the journal's flush). */
void xld_doms_set_flush(struct xld_doms *doms, void (*fn)(void *arg),
			void *arg);

/* The first guest, in domid order (Domain-0 is not in the list). */
struct xld_dom *xld_doms_first(struct xld_doms *doms);
unsigned int xld_doms_count(struct xld_doms *doms);

/*
 * Resolve "3" (a domid) or "web" (a name).  NULL with errno ESRCH (no
 * such domid) or ENOENT (no such name).  Domain-0 is not a struct
 * xld_dom: callers check xld_dom_is_dom0() first.
 */
struct xld_dom *xld_dom_find(struct xld_doms *doms, const char *qualifier);
struct xld_dom *xld_dom_by_id(struct xld_doms *doms, uint32_t domid);
bool xld_dom_is_dom0(const char *qualifier);

/* Domain-0's figures: the host's memory (KiB), CPUs and CPU time. */
void xld_dom0_info(uint64_t *memory_kib, uint32_t *vcpus,
		   uint64_t *cpu_time_ns);

/* Refresh @d's state from its monitor (and act on a shutdown). */
int xld_dom_refresh(struct xld_doms *doms, struct xld_dom *d);

/*
 * Create a domain from @config (a resolved xl config; borrowed).  On
 * success *@out is the new domain.  On failure @err (of @errlen bytes)
 * says why, for the person who asked.
 */
int xld_dom_create(struct xld_doms *doms, json_object *config,
		   struct xld_dom **out, char *err, size_t errlen);
/* Frees @d on success (do not touch it afterwards). */
int xld_dom_destroy(struct xld_doms *doms, struct xld_dom *d);
int xld_dom_pause(struct xld_doms *doms, struct xld_dom *d);
int xld_dom_unpause(struct xld_doms *doms, struct xld_dom *d);
int xld_dom_shutdown(struct xld_doms *doms, struct xld_dom *d,
		     enum dc_shutdown_reason reason);
int xld_dom_rename(struct xld_doms *doms, struct xld_dom *d, const char *name);

/*
 * The pty offering @d's serial console, as published in the store
 * (console/tty), into @buf.  -ENOENT when it has none.
 */
int xld_dom_console_tty(struct xld_doms *doms, const struct xld_dom *d,
			char *buf, size_t len);

/*
 * @d's devices, for xl block-list and network-list: its disks (from its
 * config) and its vifs (from their backend nodes in the store), each an
 * array of {devid, state, backend, ...}.  NULL when out of memory.
 */
json_object *xld_dom_vbds_json(const struct xld_dom *d);
json_object *xld_dom_vifs_json(struct xld_doms *doms, const struct xld_dom *d);
/*
 * @d's vCPUs, read from its monitor's "vcpu<N>" threads: an array of
 * {vcpu, online, cpu, running, paused, cpu_time_ns, affinity}.  NULL
 * with *@rc set on failure.
 */
json_object *xld_dom_vcpus_json(const struct xld_dom *d, int *rc);
/* Hard affinity of vCPU @vcpu (-1: every vCPU) of @d to @set. */
int xld_dom_vcpu_pin(const struct xld_dom *d, int vcpu, const cpu_set_t *set);

/* Is @name acceptable for a domain?  0 or -EINVAL. */
int xld_dom_name_check(const char *name);
const char *xld_action_name(enum xld_action a);
/* 0 or -EINVAL. */
int xld_action_parse(const char *s, enum xld_action *out);
/* "running", "blocked", "paused", "shutdown", "dying". */
const char *xld_state_name(enum dc_state s);
/* "poweroff", "reboot", "crash", or NULL for none. */
const char *xld_reason_name(enum dc_shutdown_reason r);

#endif
