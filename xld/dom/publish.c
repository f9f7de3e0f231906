// SPDX-License-Identifier: GPL-2.0
/*
 * A domain's nodes in the store, as Xen's toolstack writes them:
 * /local/domain/<domid> and /vm/<uuid>, introduced to the wire server.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <uuid/uuid.h>

#include "xld/dom/dom.h"
#include "xld/dom/dom_internal.h"
#include "xld/log.h"
#include "xld/store/xs.h"

/* Make the store's changes durable before going on (kill -9 safe). */
void store_flush(struct xld_doms *doms)
{
	if (doms->flush)
		doms->flush(doms->flush_arg);
}

int store_write(struct xs_op *op, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int store_write(struct xs_op *op, const char *path, const char *fmt, ...)
{
	char val[256];
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= sizeof(val))
		return -ENAMETOOLONG;
	return xs_node_write(op, path, val, (uint32_t)r);
}

/* Write @d's nodes in one transaction (retried on conflict). */
static int store_publish(struct xld_doms *doms, struct xld_dom *d)
{
	const struct xs_perm ro[] = {{0, XS_PERM_NONE},
				     {d->domid, XS_PERM_READ}};
	const struct xs_perm rw[] = {{d->domid, XS_PERM_NONE}};
	static const char *const rw_dirs[] = {
	    "control/shutdown", "data", "device",
	    "drivers",		"attr", "messages"};
	struct xs_op op = {.st = doms->st, .priv = true};
	char home[64], vm[96], p[256], uuid[37], tty[128];
	struct xs_txn *t = NULL;
	int rc, tries;
	uint32_t i;
	size_t k;
	/* the pty the monitor offers the serial console on, as qemu does */
	bool has_tty =
	    d->pid && !dc_domain_console(doms->dc, d->domid, tty, sizeof(tty));

	uuid_unparse_lower(d->uuid, uuid);
	snprintf(home, sizeof(home), "/local/domain/%" PRIu32, d->domid);
	snprintf(vm, sizeof(vm), "/vm/%s", uuid);
	for (tries = 0; tries < 5; tries++) {
		rc = xs_txn_start(&op, &t);
		if (rc)
			return rc;
		op.txn = t;
		rc = xs_node_mkdir(&op, home);
		if (!rc)
			rc = xs_node_set_perms(&op, home, ro, 2);
		if (!rc)
			rc = store_write(&op, strcat(strcpy(p, home), "/name"),
					 "%s", d->name);
		if (!rc)
			rc = store_write(&op, strcat(strcpy(p, home), "/domid"),
					 "%" PRIu32, d->domid);
		if (!rc)
			rc = store_write(&op, strcat(strcpy(p, home), "/vm"),
					 "%s", vm);
		if (!rc)
			rc = store_write(
			    &op, strcat(strcpy(p, home), "/memory/target"),
			    "%" PRIu64, d->memory_kib);
		if (!rc)
			rc = store_write(
			    &op, strcat(strcpy(p, home), "/memory/static-max"),
			    "%" PRIu64, d->maxmem_kib);
		for (i = 0; !rc && i < d->maxvcpus; i++) {
			snprintf(p, sizeof(p),
				 "%s/cpu/%" PRIu32 "/availability", home, i);
			rc = store_write(&op, p, "%s",
					 i < d->vcpus ? "online" : "offline");
		}
		for (k = 0; !rc && k < sizeof(rw_dirs) / sizeof(*rw_dirs);
		     k++) {
			snprintf(p, sizeof(p), "%s/%s", home, rw_dirs[k]);
			rc = xs_node_mkdir(&op, p);
			if (!rc)
				rc = xs_node_set_perms(&op, p, rw, 1);
		}
		if (!rc)
			rc = store_write(&op, strcat(strcpy(p, vm), "/uuid"),
					 "%s", uuid);
		if (!rc)
			rc = store_write(&op, strcat(strcpy(p, vm), "/name"),
					 "%s", d->name);
		if (!rc)
			rc = store_write(&op,
					 strcat(strcpy(p, vm), "/start_time"),
					 "%lld", (long long)d->start_time);
		if (!rc)
			rc = store_write(&op,
					 strcat(strcpy(p, vm), "/on_poweroff"),
					 "%s", xld_action_name(d->on_poweroff));
		if (!rc)
			rc = store_write(&op,
					 strcat(strcpy(p, vm), "/on_reboot"),
					 "%s", xld_action_name(d->on_reboot));
		if (!rc)
			rc =
			    store_write(&op, strcat(strcpy(p, vm), "/on_crash"),
					"%s", xld_action_name(d->on_crash));
		if (!rc && has_tty)
			rc = store_write(
			    &op, strcat(strcpy(p, home), "/console/tty"), "%s",
			    tty);
		if (!rc && has_tty)
			rc = store_write(
			    &op, strcat(strcpy(p, home), "/console/type"),
			    "ioemu");
		op.txn = NULL;
		rc = xs_txn_end(&op, t, rc == 0);
		if (rc != -EAGAIN)
			break;
	}
	return rc;
}

/* Remove @domid's home and its /vm entry. */
void store_unpublish(struct xld_doms *doms, uint32_t domid, const uint8_t *u)
{
	struct xs_op op = {.st = doms->st, .priv = true};
	char p[96], uuid[37];
	int rc;

	snprintf(p, sizeof(p), "/local/domain/%" PRIu32, domid);
	rc = xs_node_rm(&op, p);
	if (rc && rc != -ENOENT)
		xld_err("rm %s: %s", p, strerror(-rc));
	uuid_unparse_lower(u, uuid);
	snprintf(p, sizeof(p), "/vm/%s", uuid);
	rc = xs_node_rm(&op, p);
	if (rc && rc != -ENOENT)
		xld_err("rm %s: %s", p, strerror(-rc));
}

static void store_dom0(struct xld_doms *doms);

void store_attach(struct xld_doms *doms, struct xld_dom *d)
{
	int rc;

	store_dom0(doms);
	rc = store_publish(doms, d);

	if (rc)
		xld_err("domain %" PRIu32 " (%s): cannot write its store "
			"nodes: %s",
			d->domid, d->name, strerror(-rc));
	store_flush(doms);
	rc = xs_server_introduce(doms->srv, d->domid);
	if (rc && rc != -EEXIST)
		xld_err("domain %" PRIu32 ": introduce: %s", d->domid,
			strerror(-rc));
}

void store_detach(struct xld_doms *doms, struct xld_dom *d)
{
	int rc;

	store_unpublish(doms, d->domid, d->uuid);
	store_flush(doms);
	rc = xs_server_release(doms->srv, d->domid);
	if (rc && rc != -ENOENT)
		xld_err("domain %" PRIu32 ": release: %s", d->domid,
			strerror(-rc));
}

/*
 * Domain-0's home, written with the first guest: a store that only ever
 * served xenstore clients is left as they made it.
 */
static void store_dom0(struct xld_doms *doms)
{
	struct xs_op op = {.st = doms->st, .priv = true};
	int rc;

	if (doms->dom0_published)
		return;
	doms->dom0_published = true;
	rc = store_write(&op, "/local/domain/0/name", "Domain-0");
	if (!rc)
		rc = store_write(&op, "/local/domain/0/domid", "0");
	if (rc)
		xld_err("cannot write Domain-0's nodes: %s", strerror(-rc));
}

/* One memory/ node of @d, as Xen's toolstack keeps them. */
void store_memory(struct xld_doms *doms, struct xld_dom *d, const char *node,
		  uint64_t kib)
{
	struct xs_op op = {.st = doms->st, .priv = true};
	char p[96];
	int rc;

	snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/memory/%s", d->domid,
		 node);
	rc = store_write(&op, p, "%" PRIu64, kib);
	if (rc)
		xld_err("domain %" PRIu32 " (%s): write %s: %s", d->domid,
			d->name, p, strerror(-rc));
	store_flush(doms);
}

/* cpu/<n>/availability of @d for n < maxvcpus: @online of them online. */
void store_vcpus(struct xld_doms *doms, struct xld_dom *d, uint32_t online)
{
	struct xs_op op = {.st = doms->st, .priv = true};
	char p[96];
	int rc = 0;

	for (uint32_t i = 0; !rc && i < d->maxvcpus; i++) {
		snprintf(p, sizeof(p),
			 "/local/domain/%" PRIu32 "/cpu/%" PRIu32
			 "/availability",
			 d->domid, i);
		rc = store_write(&op, p, "%s",
				 i < online ? "online" : "offline");
	}
	if (rc)
		xld_err("domain %" PRIu32 " (%s): write %s: %s", d->domid,
			d->name, p, strerror(-rc));
	store_flush(doms);
}

int xld_dom_console_tty(struct xld_doms *doms, const struct xld_dom *d,
			char *buf, size_t len)
{
	struct xs_op op = {.st = doms->st, .priv = true};
	const char *val;
	uint32_t n;
	char p[96];
	int rc;

	snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/console/tty",
		 d->domid);
	rc = xs_node_read(&op, p, &val, &n);
	if (rc)
		return rc;
	if (n == 0)
		return -ENOENT;
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(buf, val, n);
	buf[n] = '\0';
	return 0;
}
