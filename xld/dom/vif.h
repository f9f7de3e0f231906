/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network interfaces of a domain, Xen's way: for each vif of the config a
 * persistent TAP device (vif<domid>.<devid>, or the config's vifname), the
 * hotplug script run with "online" (it puts the TAP on the bridge), and
 * the backend and frontend nodes in the store.  The monitor is then given
 * the TAPs (dc_build's nets); on destroy the script runs with "offline"
 * and everything goes.
 */
#ifndef XLD_VIF_H
#define XLD_VIF_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "domctl.h"
#include "xld/loop.h"
#include "xld/store/xs.h"

#define XLD_VIF_MAX DC_NETS_MAX /* xlhv's limit */
#define XLD_VIF_BRIDGE_DEFAULT "xenbr0"
#define XLD_VIF_SCRIPT_DEFAULT "vif-bridge"
/* How long a hotplug script may run (XLD_HOTPLUG_TIMEOUT overrides). */
#define XLD_VIF_SCRIPT_TIMEOUT_S 30

struct xld_vif {
	unsigned int devid;
	char ifname[IFNAMSIZ];
	char mac[18];
	char bridge[IFNAMSIZ];
	char script[4096]; /* absolute */
	/* where a script named without a directory was found, for messages
	 * (dc_path_find); NULL for an absolute one */
	const char *script_how;
	unsigned int mtu;  /* 0: the kernel's default */
	int vifname_given;
};

struct xld_vifs {
	uint32_t domid;
	size_t n;
	struct xld_vif v[XLD_VIF_MAX];
};

/*
 * The vifs of @cfg (its "vifs" array, as xl sends it) for domain @domid
 * into @out.  A bad entry is -EINVAL with @err naming the value.
 */
int xld_vifs_parse(json_object *cfg, uint32_t domid, struct xld_vifs *out,
		   char *err, size_t errlen);

/* Vifs going up or down (vif_updown.c): @fn(@arg, rc, err) at the end. */
struct xld_vifs_job;
typedef void (*xld_vifs_fn)(void *arg, int rc, const char *err);

/*
 * Make every TAP, run each script with "online" and write the store
 * nodes, one vif after the other, off the loop.  On failure everything
 * done so far is undone ("offline" scripts too) and the error says why
 * (the script's own message when it failed).  Returns 0 with *@job NULL
 * when all is done already (no vifs); 0 with *@job set when @fn follows
 * from the loop; or -errno at once, with @err saying why.
 */
int xld_vifs_up(struct xld_loop *loop, struct xs_store *st,
		const struct xld_vifs *vifs, xld_vifs_fn fn, void *arg,
		struct xld_vifs_job **job, char *err, size_t errlen);

/*
 * Script "offline", TAPs deleted, nodes removed, last vif first;
 * failures are logged.  *@job NULL: done already; otherwise @fn (rc 0)
 * follows from the loop.
 */
void xld_vifs_down(struct xld_loop *loop, struct xs_store *st,
		   const struct xld_vifs *vifs, xld_vifs_fn fn, void *arg,
		   struct xld_vifs_job **job);

/* Stop: the script running is killed, nothing more is done or called. */
void xld_vifs_job_cancel(struct xld_vifs_job *job);

/* Once the monitor runs: backend and frontend state 4 (connected). */
void xld_vifs_connected(struct xs_store *st, const struct xld_vifs *vifs);

/* The nodes of vifs that are up again (a preserved domain's new home). */
void xld_vifs_republish(struct xs_store *st, const struct xld_vifs *vifs);

/* @vifs as the monitor takes them (@nets has XLD_VIF_MAX entries). */
size_t xld_vifs_nets(const struct xld_vifs *vifs, struct dc_net *nets);

/*
 * The counters of TAP @ifname (/sys/class/net/IF/statistics), as the
 * host counts them: {rx,tx}_{bytes,packets,errors,dropped}, where rx is
 * what the guest sent.  NULL with errno set when @ifname is not a
 * plausible interface name or its counters cannot be read.
 */
json_object *xld_vif_stats_json(const char *ifname);

#endif
