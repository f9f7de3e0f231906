/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The result of xld's list method as JSON text, generated with yajl: with
 * a thousand guests a json-c tree of it (a hash table per domain) was most
 * of xld's time per `xl list'.
 */
#ifndef XLD_CTL_LIST_H
#define XLD_CTL_LIST_H

#include <stddef.h>

#include <json-c/json.h>

#include "xld/dom/dom.h"

/*
 * {"domains": [@dom0, one object per guest of @doms]} into *@text
 * (malloc'd, *@len bytes, no newline).  @dom0 is a flat object (scalar
 * members only); each guest has the members methods_info.c's dom_json
 * gives.
 * Returns 0 or -ENOMEM, -EINVAL for a @dom0 that is not flat.
 */
int xld_ctl_list_text(struct xld_doms *doms, json_object *dom0, char **text,
		      size_t *len);

#endif
