/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The managed monitor's control socket: libdomctl's requests (dc_wire.h)
 * served by one thread, and state-change events pushed to watchers.
 */
#ifndef HV_CTL_H
#define HV_CTL_H

#include "domctl.h"
#include "hv.h"

struct hv_ctl;

/*
 * Listen on @path (a stale socket nobody answers on is replaced; a live
 * one is -EADDRINUSE) and start the control thread.  While @receiving
 * (a migration stream comes in) it answers every request -ESRCH, as if
 * the domain were not there yet, until hv_ctl_set_paused.  Returns NULL
 * with errno set.
 */
struct hv_ctl *hv_ctl_start(struct hv_vm *vm, const char *path,
			    int receiving);

/* The guest stopped for @why: tell watchers, keep answering as shut down. */
void hv_ctl_guest_stopped(struct hv_ctl *ctl, enum hv_stop why);

/* Readable once a DESTROY request has been answered. */
int hv_ctl_destroy_fd(const struct hv_ctl *ctl);

/* Report the guest as paused (a received guest, now in, waits for
 * UNPAUSE). */
void hv_ctl_set_paused(struct hv_ctl *ctl);

/* Stop the thread, close every connection and remove the socket. */
void hv_ctl_free(struct hv_ctl *ctl);

/*
 * migrate_send.c: the sender of a migration stream (DC_WIRE_SEND), a
 * thread of its own.  hv_send_start takes ownership of @fd; @notify is
 * called from the thread when there is new progress or it has ended.
 * Returns NULL with errno set.
 */
struct hv_send;
typedef void hv_send_notify_fn(void *opaque);
struct hv_send *hv_send_start(struct hv_vm *vm, int fd,
			      const struct dc_send_opts *opts,
			      int was_running, hv_send_notify_fn *notify,
			      void *opaque);
/* The latest progress, or -EAGAIN if there is none new. */
int hv_send_progress(struct hv_send *s, struct dc_send_progress *p);
/* -EAGAIN while it runs; then 0 with @res, or its -errno. */
int hv_send_done(struct hv_send *s, struct dc_send_result *res);
/* Ask it to stop: it ends with -ECANCELED, a running guest runs on. */
void hv_send_cancel(struct hv_send *s);
/* Cancel if still running, wait for the thread, free. */
void hv_send_free(struct hv_send *s);

/*
 * migrate_recv.c: read the migration stream on @fd into @vm, built from
 * the same options as the sender's (its vCPUs created with their CPUID,
 * not started), and apply its state.  Everything is checked before it
 * is applied; a bad stream is said with one hv_err naming the stream,
 * the record and what is wrong, and returns -EINVAL (or -ECONNRESET
 * when it ends early, -ETIMEDOUT when stalled HV_RECV_STALL_MS,
 * -EPROTONOSUPPORT for another version).
 */
#define HV_RECV_STALL_MS	60000
/* On success @summary (@len bytes) says what came, for the log. */
int hv_recv_stream(struct hv_vm *vm, int fd, char *summary, size_t len);

#endif
