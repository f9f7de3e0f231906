/* SPDX-License-Identifier: GPL-2.0 */
/* What vif.c gives vif_updown.c: TAPs and store nodes, one vif at a time. */
#ifndef XLD_VIF_INTERNAL_H
#define XLD_VIF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

struct xld_vif;
struct xs_store;

/* A persistent TAP for @v; -EEXIST when one of its name is there. */
int vif_tap_create(const struct xld_vif *v, char *err, size_t errlen);
int vif_tap_delete(const char *name);
/* Backend and frontend nodes of @v before its script runs. */
int vif_nodes_write(struct xs_store *st, uint32_t domid,
		    const struct xld_vif *v);
void vif_nodes_remove(struct xs_store *st, uint32_t domid,
		      const struct xld_vif *v);
/* The domain's backend directory once its last vif is gone. */
void vif_nodes_remove_dom(struct xs_store *st, uint32_t domid);

#endif
