/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Xen's split-driver nodes of one device, shared by vifs (vif.c) and
 * disks (vbd.c): the backend directory under Domain-0,
 * /local/domain/0/backend/KIND/DOMID/DEVID, that the guest may read, and
 * the frontend directory under the guest, /local/domain/DOMID/device/
 * KIND/DEVID, that Domain-0 may read, each naming the other.
 */
#ifndef XLD_DEVNODES_H
#define XLD_DEVNODES_H

#include <stddef.h>
#include <stdint.h>

#include "xld/store/xs.h"

struct xld_devnodes {
	struct xs_op op;	/* privileged, on the store given */
	uint32_t domid;
	char be[96], fe[96];
};

/* The paths of device @devid of @kind ("vif", "vbd") of @domid. */
void xld_devnodes_init(struct xld_devnodes *n, struct xs_store *st,
		       const char *kind, uint32_t domid, unsigned int devid);

/*
 * Make the backend directory with its permissions and its frontend,
 * frontend-id, online=1 and state=2 (initialised wait) nodes.
 */
int xld_devnodes_backend(struct xld_devnodes *n);

/* Make the frontend directory with its permissions, backend, backend-id. */
int xld_devnodes_frontend(struct xld_devnodes *n);

/* Write @dir/@name = the formatted value (-ENAMETOOLONG past 4 KiB). */
int xld_devnode_write(struct xs_op *op, const char *dir, const char *name,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* @dir/@name into @buf (@len bytes); "" when missing or too long. */
void xld_devnode_read(struct xs_op *op, const char *dir, const char *name,
		      char *buf, size_t len);

/* Remove @path and below; a missing one is no error, others are logged. */
void xld_devnode_rm(struct xs_op *op, const char *path);

#endif
