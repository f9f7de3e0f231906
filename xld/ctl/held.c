// SPDX-License-Identifier: GPL-2.0
/*
 * Domains held by a connection: a "create" with "hold": true makes the
 * domain live only as long as the client's connection, until it is
 * renamed.  xl migrate-receive holds NAME--incoming so: a receiver
 * killed before it renames the domain (SIGKILL, a lost ssh) leaves no
 * paused copy behind at the destination.
 *
 * When the connection goes, its held domains become orphans; each kick
 * destroys those that still exist under the name and UUID they were
 * created with and are not busy (a domain still receiving its stream
 * waits for the start to end).  Orphans are never destroyed from inside
 * a domain event, whose caller still uses the domain.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xld/ctl/ctl_internal.h"
#include "xld/log.h"

struct ctl_held {
	struct ctl_held *next;
	uint32_t domid;
	unsigned char uuid[16];
	char name[XLD_DOM_NAME_MAX + 1];
};

struct ctl_held *ctl_held_new(void)
{
	return calloc(1, sizeof(struct ctl_held));
}

void ctl_held_attach(struct ctl_conn *c, struct ctl_held *h,
		     const struct xld_dom *d)
{
	h->domid = d->domid;
	memcpy(h->uuid, d->uuid, sizeof(h->uuid));
	snprintf(h->name, sizeof(h->name), "%s", d->name);
	h->next = c->held;
	c->held = h;
}

void ctl_held_orphan(struct xld_ctl *ctl, struct ctl_conn *c)
{
	struct ctl_held *h;

	if (!c->held)
		return;
	while ((h = c->held)) {
		c->held = h->next;
		h->next = ctl->orphans;
		ctl->orphans = h;
	}
	ctl_kick(ctl);
}

/* Whether @h is done with: destroyed now, gone, renamed or going. */
static bool reap_one(struct xld_ctl *ctl, const struct ctl_held *h)
{
	struct xld_dom *d = xld_dom_by_id(ctl->doms, h->domid);
	int rc;

	if (!d || memcmp(d->uuid, h->uuid, sizeof(h->uuid)) ||
	    strcmp(d->name, h->name))
		return true;
	switch (xld_dom_busy(d)) {
	case XLD_BUSY_NONE:
		xld_info("domain %" PRIu32 " (%s): the connection that "
			 "created it went before it was renamed: destroying it",
			 d->domid, d->name);
		rc = xld_dom_destroy(ctl->doms, d);
		if (rc)
			xld_err("domain %" PRIu32 " (%s): cannot destroy it: %s",
				h->domid, h->name, strerror(-rc));
		return true;
	case XLD_BUSY_DESTROYING:
		return true;
	default:
		return false; /* the next event tries again */
	}
}

void ctl_held_reap(struct xld_ctl *ctl)
{
	struct ctl_held **pp = &ctl->orphans, *h;

	while ((h = *pp)) {
		if (reap_one(ctl, h)) {
			*pp = h->next;
			free(h);
		} else {
			pp = &h->next;
		}
	}
}

void ctl_held_free(struct ctl_held **list)
{
	struct ctl_held *h;

	while ((h = *list)) {
		*list = h->next;
		free(h);
	}
}
