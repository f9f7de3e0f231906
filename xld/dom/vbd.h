/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Disks of a domain, Xen's way: each disk of the config is checked before
 * the monitor starts (its target exists, is a raw image file or a block
 * device, opens in the mode asked, and is not written by another running
 * domain), then written to the store as Xen's vbd backend and frontend
 * nodes and handed to the monitor (dc_build's disks).  On destroy the
 * nodes go.  xld has no block hotplug scripts: xlhv reads the target
 * itself, as QEMU's qdisk backend does.
 */
#ifndef XLD_VBD_H
#define XLD_VBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "domctl.h"
#include "xld/store/xs.h"

/* The disks xlhv serves a guest (--disk, repeated), as libdomctl passes. */
#define XLD_VBD_MAX DC_DISKS_MAX
/* A target path, as the store's "params" node holds it. */
#define XLD_VBD_TARGET_MAX 1024

struct xld_vbd {
	unsigned int devid; /* Xen's device number of vdev */
	char vdev[16];	    /* as the config has it: "xvda", "hdc", "51712" */
	char *target;	    /* absolute path */
	bool readonly;
	bool cdrom;
	/* what the target is, once xld_vbds_check (or _recover) found it */
	bool found;
	bool blockdev;
	dev_t dev, rdev;
	ino_t ino;
	uint64_t sectors; /* of 512 bytes */
};

struct xld_vbds {
	uint32_t domid;
	size_t n;
	struct xld_vbd v[XLD_VBD_MAX]; /* by devid: the guest's order */
};

/* Xen's device number of a vdev (docs/misc/vbd-interface.txt), or -1. */
long xld_vbd_devid(const char *vdev);

/*
 * The disks of @cfg (its "disks" array, as xl sends it) of domain @domid,
 * into a new *@out for xld_vbds_free, sorted by devid: the guest finds
 * them in that order (xvda before xvdb, hda before xvda), whatever the
 * config's order.  A bad entry (no or a relative target, an empty CD-ROM
 * drive, a format other than raw, a bad vdev or access mode, more than
 * XLD_VBD_MAX disks) is -EINVAL with @err naming the value.
 */
int xld_vbds_parse(json_object *cfg, uint32_t domid, struct xld_vbds **out,
		   char *err, size_t errlen);
void xld_vbds_free(struct xld_vbds *vbds);

/*
 * Check every target on the host: it exists, is a regular file or a block
 * device, and opens read-only or read-write as its mode says (a writable
 * block device must not be mounted or held by the host).  Fills in what
 * each target is.  -errno with @err naming the disk, its target and why.
 */
int xld_vbds_check(struct xld_vbds *vbds, char *err, size_t errlen);

/*
 * What the targets of a domain that already runs are (xld restarted),
 * for the in-use check; a target that is gone is logged and not counted.
 */
void xld_vbds_recover(struct xld_vbds *vbds);

/*
 * Would @vbds share a target with @other (the disks of the running domain
 * @other_name) in a way Xen refuses: one of them writable?  -EBUSY with
 * @err naming the target and the other domain; 0 when they can share.
 * @other may be @vbds itself (a target given twice).
 */
int xld_vbds_conflict(const struct xld_vbds *vbds, const struct xld_vbds *other,
		      const char *other_name, char *err, size_t errlen);

/*
 * Write each disk's backend and frontend nodes (state 2 and 1, as before
 * a frontend connects).  On failure nothing is left and @err says why.
 */
int xld_vbds_publish(struct xs_store *st, const struct xld_vbds *vbds,
		     char *err, size_t errlen);

/* Once the monitor runs: state 4 (connected), with the disk's size. */
void xld_vbds_connected(struct xs_store *st, const struct xld_vbds *vbds);

/* The nodes again (a preserved domain's new home); failures are logged. */
void xld_vbds_republish(struct xs_store *st, const struct xld_vbds *vbds);

/* Every vbd node of domain @domid, backend and frontend. */
void xld_vbds_unpublish(struct xs_store *st, uint32_t domid);

/*
 * @vbds as the monitor takes them, in devid order (@disks has XLD_VBD_MAX
 * entries).
 */
size_t xld_vbds_disks(const struct xld_vbds *vbds, struct dc_disk *disks);

/*
 * Domain @domid's disks for xl block-list, from their backend nodes: an
 * array of {devid, vdev, state, mode, target, backend}, by devid.  NULL
 * when out of memory.
 */
json_object *xld_vbds_json(struct xs_store *st, uint32_t domid);

#endif
