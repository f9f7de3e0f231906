/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The managed monitor's control socket: libdomctl's requests (dc_wire.h)
 * served by one thread, and state-change events pushed to watchers.
 */
#ifndef HV_CTL_H
#define HV_CTL_H

#include "hv.h"

struct hv_ctl;

/*
 * Listen on @path (a stale socket nobody answers on is replaced; a live
 * one is -EADDRINUSE) and start the control thread.  Returns NULL with
 * errno set.
 */
struct hv_ctl *hv_ctl_start(struct hv_vm *vm, const char *path);

/* The guest stopped for @why: tell watchers, keep answering as shut down. */
void hv_ctl_guest_stopped(struct hv_ctl *ctl, enum hv_stop why);

/* Readable once a DESTROY request has been answered. */
int hv_ctl_destroy_fd(const struct hv_ctl *ctl);

/* Stop the thread, close every connection and remove the socket. */
void hv_ctl_free(struct hv_ctl *ctl);

#endif
