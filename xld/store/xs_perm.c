// SPDX-License-Identifier: GPL-2.0
/* Node permissions: parsing, formatting, sharing and the access check. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xld/store/xs_internal.h"

const struct xs_quota xs_quota_default = {
    .nodes = 1000,
    .value_len = 2048,
    .watches = 128,
    .txns = 10,
    .perms = 5,
    .path_len = XS_REL_PATH_MAX,
    .requests = 20,
    .txn_nodes = 1024,
    .txn_mem = 2u * 1024 * 1024,
};

struct xs_perms *xs_perms_new(const struct xs_perm *p, uint32_t n)
{
	struct xs_perms *perms;

	if (n == 0 || n > 65536) {
		errno = EINVAL;
		return NULL;
	}
	perms = xs_malloc(sizeof(*perms) + n * sizeof(p[0]));
	if (!perms)
		return NULL;
	perms->ref = 1;
	perms->n = n;
	memcpy(perms->p, p, n * sizeof(p[0]));
	return perms;
}

struct xs_perms *xs_perms_get_ref(struct xs_perms *perms)
{
	if (perms)
		perms->ref++;
	return perms;
}

void xs_perms_put(struct xs_perms *perms)
{
	if (perms && --perms->ref == 0)
		xs_free(perms);
}

bool xs_perms_equal(const struct xs_perms *a, const struct xs_perms *b)
{
	uint32_t i;

	if (a == b)
		return true;
	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->p[i].domid != b->p[i].domid ||
		    a->p[i].mode != b->p[i].mode)
			return false;
	return true;
}

int xs_perm_parse(const char *s, struct xs_perm *out)
{
	unsigned long id;
	uint32_t mode;
	char *end;

	switch (s[0]) {
	case 'n':
		mode = XS_PERM_NONE;
		break;
	case 'r':
		mode = XS_PERM_READ;
		break;
	case 'w':
		mode = XS_PERM_WRITE;
		break;
	case 'b':
		mode = XS_PERM_BOTH;
		break;
	default:
		return -EINVAL;
	}
	if (s[1] < '0' || s[1] > '9')
		return -EINVAL;
	errno = 0;
	id = strtoul(s + 1, &end, 10);
	if (errno || *end || id > XS_DOMID_MAX + 32768UL)
		return -EINVAL;
	out->domid = (uint32_t)id;
	out->mode = mode;
	return 0;
}

int xs_perm_format(const struct xs_perm *p, char *buf, size_t len)
{
	static const char letter[] = "nrwb";
	int r;

	r = snprintf(buf, len, "%c%u", letter[p->mode & 3], p->domid);
	if (r < 0 || (size_t)r >= len)
		return -ENAMETOOLONG;
	return r;
}

/*
 * What @domid may do to a node with @perms: Domain-0 (privileged) and the
 * owner everything; a listed domain its entry; anyone else p[0]'s mode.  A
 * domain given a target (SET_TARGET) also acts as that target.
 */
uint32_t xs_perms_for(struct xs_store *st, uint32_t domid, bool priv,
		      const struct xs_perms *perms)
{
	struct xs_domain *d;
	uint32_t i, alt = UINT32_MAX;

	if (priv)
		return XS_PERM_BOTH;
	if (perms->p[0].domid == domid)
		return XS_PERM_BOTH;
	d = st ? xs_domain_find(st, domid) : NULL;
	if (d && d->has_target) {
		alt = d->target;
		if (perms->p[0].domid == alt)
			return XS_PERM_BOTH;
	}
	for (i = 1; i < perms->n; i++)
		if (perms->p[i].domid == domid)
			return perms->p[i].mode;
	for (i = 1; i < perms->n; i++)
		if (perms->p[i].domid == alt)
			return perms->p[i].mode;
	return perms->p[0].mode;
}
