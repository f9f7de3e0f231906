/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hotplug scripts run as children of xld, off its loop: the script's
 * exit is seen through a pidfd, its output through a pipe, and its time
 * limit through a timerfd, all behind one fd in the loop.
 */
#ifndef XLD_HOTPLUG_H
#define XLD_HOTPLUG_H

#include <stddef.h>

#include "xld/loop.h"

struct xld_hotplug;

/*
 * A script ended: @rc is 0 when it exited 0, -EIO when it failed (@how
 * says "status N" or "signal N"), -ETIMEDOUT when it was killed at its
 * time limit.  @last is its last non-empty line of output ("" for none).
 */
typedef void (*xld_hotplug_fn)(void *arg, int rc, const char *how,
			       const char *last);

/*
 * Run @path @action with xld's environment plus @vars ("NAME=value",
 * @nvars of them, overriding xld's), stdin from /dev/null, in a process
 * group of its own that is killed whole after @timeout_s.  Each line of
 * its output is logged after @tag.  @fn(@arg, ...) is called from the
 * loop, never from here.  0, or -errno when it could not be started.
 */
int xld_hotplug_run(struct xld_loop *loop, const char *path,
		    const char *action, char *const vars[], size_t nvars,
		    const char *tag, unsigned int timeout_s, xld_hotplug_fn fn,
		    void *arg, struct xld_hotplug **out);

/* Kill it (its whole group) and wait for it; @fn is not called. */
void xld_hotplug_cancel(struct xld_hotplug *h);

#endif
