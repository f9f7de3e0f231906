// SPDX-License-Identifier: GPL-2.0
/* Xen's backend and frontend nodes of a device (see devnodes.h). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xld/dom/devnodes.h"
#include "xld/log.h"

void xld_devnodes_init(struct xld_devnodes *n, struct xs_store *st,
		       const char *kind, uint32_t domid, unsigned int devid)
{
	memset(n, 0, sizeof(*n));
	n->op.st = st;
	n->op.priv = true;
	n->domid = domid;
	snprintf(n->be, sizeof(n->be),
		 "/local/domain/0/backend/%s/%" PRIu32 "/%u", kind, domid,
		 devid);
	snprintf(n->fe, sizeof(n->fe), "/local/domain/%" PRIu32 "/device/%s/%u",
		 domid, kind, devid);
}

int xld_devnode_write(struct xs_op *op, const char *dir, const char *name,
		      const char *fmt, ...)
{
	char path[256], val[4200];
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= sizeof(val) ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
		sizeof(path))
		return -ENAMETOOLONG;
	return xs_node_write(op, path, val, (uint32_t)r);
}

int xld_devnodes_backend(struct xld_devnodes *n)
{
	const struct xs_perm perm[] = {{0, XS_PERM_NONE},
				       {n->domid, XS_PERM_READ}};
	int rc = xs_node_mkdir(&n->op, n->be);

	if (!rc)
		rc = xs_node_set_perms(&n->op, n->be, perm, 2);
	if (!rc)
		rc = xld_devnode_write(&n->op, n->be, "frontend", "%s", n->fe);
	if (!rc)
		rc = xld_devnode_write(&n->op, n->be, "frontend-id",
				       "%" PRIu32, n->domid);
	if (!rc)
		rc = xld_devnode_write(&n->op, n->be, "online", "1");
	if (!rc)
		rc = xld_devnode_write(&n->op, n->be, "state", "2");
	return rc;
}

int xld_devnodes_frontend(struct xld_devnodes *n)
{
	const struct xs_perm perm[] = {{n->domid, XS_PERM_NONE},
				       {0, XS_PERM_READ}};
	int rc = xs_node_mkdir(&n->op, n->fe);

	if (!rc)
		rc = xs_node_set_perms(&n->op, n->fe, perm, 2);
	if (!rc)
		rc = xld_devnode_write(&n->op, n->fe, "backend", "%s", n->be);
	if (!rc)
		rc = xld_devnode_write(&n->op, n->fe, "backend-id", "0");
	return rc;
}

void xld_devnode_read(struct xs_op *op, const char *dir, const char *name,
		      char *buf, size_t len)
{
	const char *val;
	uint32_t n;
	char p[256];

	buf[0] = '\0';
	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, name) >= sizeof(p) ||
	    xs_node_read(op, p, &val, &n) || n >= len)
		return;
	memcpy(buf, val, n);
	buf[n] = '\0';
}

void xld_devnode_rm(struct xs_op *op, const char *path)
{
	int rc = xs_node_rm(op, path);

	if (rc && rc != -ENOENT)
		xld_err("rm %s: %s", path, strerror(-rc));
}
