/* SPDX-License-Identifier: LGPL-2.1 */
/* libdomctl internals: the context and helpers shared across dc_*.c. */
#ifndef DC_INTERNAL_H
#define DC_INTERNAL_H

#include <stdarg.h>

#include "domctl.h"
#include "dc_wire.h"

struct dc_ctx {
	char *rundir;
	char *domdir;		/* rundir/dom: one control socket per domain */
	char *xlhv;		/* the monitor binary */
	const char *xlhv_how;	/* where that came from (dc_path_find) */
	dc_log_fn *log;
	void *log_opaque;
	uint32_t seq;
	uint32_t id_first, id_count;	/* the monitors' own uids; 0: none */
};

void dc__log(dc_ctx *ctx, enum dc_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The control socket path of @domid.  Returns 0 or -ENAMETOOLONG. */
int dc__sock_path(dc_ctx *ctx, uint32_t domid, char *buf, size_t len);

/* Connect to @domid's monitor: an fd, or -ESRCH if nobody answers. */
int dc__connect(dc_ctx *ctx, uint32_t domid);

/* Convert the monitor's info to the public form.  -EPROTO if invalid. */
int dc__info_from_wire(const struct dc_wire_info *wi, struct dc_dominfo *info);

/*
 * One request/reply exchange with @domid's monitor.  Fills @body (exactly
 * @body_len bytes) from a successful reply.  Returns the monitor's status
 * (0 or -errno), -ESRCH when no monitor answers, -EPROTO on a reply that
 * does not match the request.
 */
int dc__call(dc_ctx *ctx, uint32_t domid, uint16_t type, const void *req,
	     uint32_t req_len, void *body, uint32_t body_len);

/* The same on an fd already connected; the fd stays open. */
int dc__call_fd(dc_ctx *ctx, int fd, uint32_t domid, uint16_t type,
		const void *req, uint32_t req_len, void *body,
		uint32_t body_len);
/* The same with @pass (if not -1) passed along (SCM_RIGHTS). */
int dc__call_pass(dc_ctx *ctx, int fd, uint32_t domid, uint16_t type,
		  const void *req, uint32_t req_len, void *body,
		  uint32_t body_len, int pass);

/* Where the monitor of @domid links its console pty. */
int dc__tty_path(dc_ctx *ctx, uint32_t domid, char *buf, size_t len);
/* Where @domid's monitor writes why its sandbox killed it (--crash-note). */
int dc__note_path(dc_ctx *ctx, uint32_t domid, char *buf, size_t len);

/* ---- dc_op.c ---- */
/* Spawn the monitor of @argv (its --ready-fd is 3); the op ends when its
 * guest runs.  @pass_fd, if not -1, is its fd 4 (--incoming 4), and the
 * deadline is then an hour: the stream may take that long. */
int dc__spawn_start(dc_ctx *ctx, uint32_t domid, const char **argv,
		    int pass_fd, struct dc_op **op);
/* The fd 4 dc__spawn_start gives the monitor. */
#define DC__PASS_FD 4
/* A send op on @conn (taken over), which sent request @seq. */
int dc__send_op_new(dc_ctx *ctx, uint32_t domid, int conn, uint32_t seq,
		    struct dc_op **op);
/* Wait for @op to end, free it: dc_op_step's result. */
int dc__op_wait(struct dc_op *op, pid_t *pid);

#endif
