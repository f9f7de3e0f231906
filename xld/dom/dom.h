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
#include "xld/loop.h"
#include "xld/store/xs.h"

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
struct xld_vbds;

struct dom_op; /* monitor_op.c's */

struct xld_dom {
	struct xld_dom *next; /* sorted by domid */
	struct xld_doms *doms;
	int watch_fd; /* the monitor's state events, or -1 */
	uint32_t domid;
	char *name;
	uint8_t uuid[16];
	json_object *config; /* the resolved config, as xl sent it */
	json_object *next_config; /* xl config-update's, for the next start */
	struct xld_vbds *vbds; /* the disks its guest has (vbd.c), or NULL */
	pid_t pid;
	enum dc_state state;
	enum dc_shutdown_reason reason;
	uint32_t vcpus;	   /* online (present): what xl list shows */
	uint32_t maxvcpus; /* possible: xl vcpu-set's limit */
	uint32_t vcpus_asked; /* xl vcpu-set's, until vcpus is that */
	uint64_t memory_kib; /* the balloon target: memory/target */
	uint64_t maxmem_kib; /* the most it may have: memory/static-max */
	uint64_t ram_kib;    /* the RAM its monitor was built with */
	uint64_t cpu_time_ns;
	uint64_t sampled_ms;  /* when xld_dom_sample last read /proc */
	pid_t *tids;	      /* its monitor's vCPU threads, by vCPU */
	uint32_t ntids;
	pid_t tids_pid;	      /* the monitor they are of; 0: look again */
	time_t start_time;
	bool handled; /* the policy for this shutdown was applied */
	bool record_dirty; /* its record could not be written: retried */
	bool dumping;	   /* its monitor is writing a core dump */
	struct dom_op *op; /* its monitor being started or destroyed */
	struct xld_send *send; /* its migration stream being sent (send.c) */
	char *phase;	   /* "migrating: pass 3": xl list --json; or NULL */
	int incoming_fd;   /* a create's migration stream, until it is in */
	int op_rc;	   /* how the last one ended: 0 or -errno */
	char *op_msg;	   /* and why, or a start's warning; NULL: none */
	enum xld_action on_poweroff, on_reboot, on_crash;
	unsigned int weight, cap; /* xl sched-credit's, kept in the record */
};

/* Why a domain's state changed, for whoever waits on it. */
enum xld_dom_event {
	XLD_DOM_CHANGED, /* state or name */
	XLD_DOM_GONE,	 /* destroyed; @d is about to be freed */
	XLD_DOM_FAILED,	 /* never ran: its start failed; about to be freed */
};

/* What a domain is doing that takes a while; other requests wait. */
enum xld_dom_busy {
	XLD_BUSY_NONE,
	XLD_BUSY_STARTING,   /* its monitor is being started */
	XLD_BUSY_DESTROYING, /* its monitor was asked to go */
	XLD_BUSY_DUMPING,    /* its monitor is writing a core dump */
	XLD_BUSY_SENDING,    /* its migration stream is being sent */
};
enum xld_dom_busy xld_dom_busy(const struct xld_dom *d);
/*
 * How @d's last start or destroy ended: 0 or -errno, and in @msg why it
 * failed, or the warning of a start that did not ("" for none).
 */
int xld_dom_op_result(const struct xld_dom *d, const char **msg);

struct xld_doms;
struct xs_server;

typedef void (*xld_dom_notify_fn)(void *arg, struct xld_dom *d,
				  enum xld_dom_event ev);

/*
 * The registry for @rundir's monitors, with records in
 * @statedir/domains and console logs in @logdir/console, still empty:
 * set it up (xld_doms_set_*), then xld_doms_load().  Returns NULL with
 * errno set.
 */
struct xld_doms *xld_doms_new(struct xld_loop *loop, struct xs_store *st,
			      struct xs_server *srv, const char *rundir,
			      const char *statedir, const char *logdir);
/*
 * Load the records, re-attach to the live monitors and apply the
 * lifecycle policy to guests that stopped or died while no xld watched
 * them (a restart starts its monitor with the settings made by then).
 */
void xld_doms_load(struct xld_doms *doms);
/* The store the registry keeps its domains' nodes in. */
struct xs_store *xld_doms_store(struct xld_doms *doms);
/* Forgets the domains (their guests keep running). */
void xld_doms_free(struct xld_doms *doms);
void xld_doms_set_notify(struct xld_doms *doms, xld_dom_notify_fn fn,
			 void *arg);
/* Called after the registry changed the store (the journal's flush). */
void xld_doms_set_flush(struct xld_doms *doms, void (*fn)(void *arg),
			void *arg);
/*
 * The cap and rotation of the console logs of monitors started from now
 * on, as struct dc_build's console_log_max and console_log_keep (0: the
 * monitor's default).
 */
void xld_doms_set_console_log(struct xld_doms *doms, uint64_t max,
			      uint32_t keep);

/*
 * Monitors started from now on run as uid and gid @first plus their
 * domid, of @count (dc_ctx_set_monitor_ids; xld --monitor-uids).
 */
void xld_doms_set_monitor_ids(struct xld_doms *doms, uint32_t first,
			      uint32_t count);

/*
 * This host has no usable KVM, for @why (one line): every create fails at
 * once with it (xld --without-kvm).
 */
void xld_doms_set_no_kvm(struct xld_doms *doms, const char *why);
/* Where the domain records are ($XLD_STATEDIR/domains), for messages. */
const char *xld_doms_recdir(const struct xld_doms *doms);

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
 * success *@out is the new domain, its monitor starting: an
 * XLD_DOM_CHANGED event says it runs (xld_dom_op_result gives the
 * warning, if any), XLD_DOM_FAILED that it did not (and why).  On
 * failure @err (of @errlen bytes) says why, for the person who asked.
 */
int xld_dom_create(struct xld_doms *doms, json_object *config,
		   struct xld_dom **out, char *err, size_t errlen);
/*
 * xl restore and migrate-receive: as xld_dom_create, but the guest is
 * built paused from the migration stream on @fd (taken: closed once the
 * stream is in or the create failed) instead of booted; its domid is the
 * config's "domid" when it has one (-EEXIST if taken).
 */
int xld_dom_create_incoming(struct xld_doms *doms, json_object *config,
			    int fd, struct xld_dom **out, char *err,
			    size_t errlen);

/*
 * xl save and migrate: @d's migration stream written to @fd (taken:
 * libdomctl passes it to the monitor; closed when the send ends, or on
 * failure) without holding up the loop.  @fn
 * is called with @p for each progress report (@res NULL, @rc
 * -EINPROGRESS), then once at the end with @rc 0 and @res, or -errno and
 * @msg (the monitor's reason, or "").  DC_SEND_DESTROY is the caller's
 * to do (xld_dom_destroy once @fn says the stream is complete).  Returns the send, or NULL with errno set (then @fn is never called).
 * A failed or cancelled send leaves a running guest running.
 */
struct xld_send;
typedef void (*xld_send_fn)(void *arg, int rc,
			    const struct dc_send_progress *p,
			    const struct dc_send_result *res, const char *msg);
struct xld_send *xld_dom_send(struct xld_doms *doms, struct xld_dom *d,
			      int fd, const struct dc_send_opts *opts,
			      xld_send_fn fn, void *arg);
/* The client went: the send is cancelled, @fn is not called. */
void xld_send_cancel(struct xld_send *s);

/*
 * xl config-update: @config (borrowed) is checked as create checks it
 * and kept, in @d's record too, for @d's next restart (reboot, restart
 * policies); the running guest is not changed.  Its name and UUID must
 * be @d's.  On failure nothing changed and @err says why.
 */
int xld_dom_config_update(struct xld_doms *doms, struct xld_dom *d,
			  json_object *config, char *err, size_t errlen);
/* Frees @d on success (do not touch it afterwards). */
int xld_dom_destroy(struct xld_doms *doms, struct xld_dom *d);
int xld_dom_pause(struct xld_doms *doms, struct xld_dom *d);
int xld_dom_unpause(struct xld_doms *doms, struct xld_dom *d);
int xld_dom_shutdown(struct xld_doms *doms, struct xld_dom *d,
		     enum dc_shutdown_reason reason);
int xld_dom_rename(struct xld_doms *doms, struct xld_dom *d, const char *name);

/* The smallest memory target a guest may be given (the monitor's floor). */
#define XLD_MEM_MIN_KIB (4 * 1024)
/*
 * xl mem-set: have @d's guest run with @target_kib (rounded down to
 * whole 4 KiB pages) through its balloon, and keep it in the record and
 * memory/target.  -ERANGE above its maxmem, -EINVAL below
 * XLD_MEM_MIN_KIB, or the monitor's error.
 */
int xld_dom_set_memory(struct xld_doms *doms, struct xld_dom *d,
		       uint64_t target_kib);
/*
 * xl mem-max: the most @d may be given with mem-set, kept in the record
 * and memory/static-max.  -ERANGE below its target, -ENOSPC above the
 * RAM its monitor was built with (that needs a new domain).
 */
int xld_dom_set_maxmem(struct xld_doms *doms, struct xld_dom *d,
		       uint64_t max_kib);

/*
 * xl vcpu-set: have @online vCPUs of @d online (ACPI CPU hotplug), and
 * cpu/<n>/availability say which.  -ERANGE outside 1..maxvcpus, or the
 * monitor's error (-EOPNOTSUPP: the guest has no CPU hotplug).
 */
int xld_dom_set_vcpus(struct xld_doms *doms, struct xld_dom *d,
		      uint32_t online);

/*
 * The pty offering @d's serial console, as published in the store
 * (console/tty), into @buf.  -ENOENT when it has none.
 */
int xld_dom_console_tty(struct xld_doms *doms, const struct xld_dom *d,
			char *buf, size_t len);

/*
 * @d's devices, for xl block-list and network-list: its disks and its
 * vifs, from their backend nodes in the store, each an array of {devid,
 * state, backend, ...}.  NULL when out of memory.
 */
json_object *xld_dom_vbds_json(const struct xld_dom *d);
json_object *xld_dom_vifs_json(struct xld_doms *doms, const struct xld_dom *d);
/*
 * @d's vCPUs, read from its monitor's "vcpu<N>" threads: an array of
 * {vcpu, online, cpu, running, paused, cpu_time_ns, affinity}.  NULL
 * with *@rc set on failure.
 */
json_object *xld_dom_vcpus_json(const struct xld_dom *d, int *rc);
/*
 * @d's CPU time now, summed from its monitor's vCPU threads in /proc,
 * rather than as of xld's last look at the monitor (up to a second
 * old); never less than that.  For xl top's CPU(%) over short delays.
 */
uint64_t xld_dom_cpu_time_now(const struct xld_dom *d);
/*
 * Bring @d's CPU time and running/blocked state up to date from its vCPU
 * threads in /proc, unless they were read within XLD_SAMPLE_FRESH_MS:
 * what xl list shows is read when someone asks, never by waking the
 * monitor (the monitor's watch tells of pauses and shutdowns).  Only a
 * domain still ejecting the vCPUs xl vcpu-set took away is asked.
 */
#define XLD_SAMPLE_FRESH_MS 1000
void xld_dom_sample(struct xld_dom *d);
/* Hard affinity of vCPU @vcpu (-1: every vCPU) of @d to @set. */
int xld_dom_vcpu_pin(const struct xld_dom *d, int vcpu, const cpu_set_t *set);

/*
 * xl sched-credit: set @d's CPU weight and/or cap (NULL: unchanged),
 * checked as Xen does, applied to its monitor's cgroup and kept in its
 * record.  -ENOTSUP when the host has no usable cgroup cpu controller;
 * @err says why on failure.
 */
int xld_dom_sched_set(struct xld_doms *doms, struct xld_dom *d,
		      const long long *weight, const long long *cap, char *err,
		      size_t errlen);
/* The cgroups behind the weights and caps (cpu_sched.h). */
struct xld_sched *xld_doms_sched(struct xld_doms *doms);

/*
 * xl dump-core: @d's memory and vCPU state written by its monitor to
 * @path (absolute), the guest paused meanwhile and resumed afterwards if
 * it ran.  The dump is written off the event loop; @fn(@arg, @tag, ...)
 * is called when it ends, or with -ECANCELED when xld exits first.
 * Returns 0 when it started, or -errno (then @fn is never called): -EBUSY
 * while another dump of @d is written.
 */
typedef void (*xld_dom_dump_fn)(void *arg, uint64_t tag, int rc,
				const char *path,
				const struct dc_save_result *res,
				const char *msg);
int xld_dom_dump_core(struct xld_doms *doms, struct xld_dom *d,
		      const char *path, xld_dom_dump_fn fn, void *arg,
		      uint64_t tag);

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
