/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control protocol between xl and xld: one JSON object a line on
 * $XLD_RUNDIR/xld.sock (root only, every method) and xld-ro.sock (anyone,
 * read-only methods).  See man/xld.8 for the methods.
 */
#ifndef XLD_CTL_H
#define XLD_CTL_H

#include "xld/dom/dom.h"
#include "xld/loop.h"

#define XLD_CTL_VERSION 1
/* Longest request line, newline excluded. */
#define XLD_CTL_LINE_MAX (256u * 1024)
/* Past this much queued output a client is dropped. */
#define XLD_CTL_OUT_MAX (16u * 1024 * 1024)
#define XLD_CTL_CONNS_MAX 1024

#include <sys/types.h>

struct xld_ctl;

/*
 * Listen on @rundir/xld.sock (0600, or 0660 owned by @group when it is
 * not (gid_t)-1: its members may then use every method too) and
 * @rundir/xld-ro.sock (0666).  Returns NULL with errno set.
 */
struct xld_ctl *xld_ctl_new(struct xld_loop *loop, struct xld_doms *doms,
			    const char *rundir, gid_t group);
/* Closes every client and removes the sockets. */
void xld_ctl_free(struct xld_ctl *ctl);

#endif
