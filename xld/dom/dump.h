/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Core dumps: a domain's state file (xlhv(8), STATE FILE FORMAT) written
 * by its monitor, waited for off xld's event loop.
 */
#ifndef XLD_DUMP_H
#define XLD_DUMP_H

#include <stdint.h>
#include <time.h>

#include "domctl.h"
#include "xld/loop.h"

/* The dumps in progress of one xld. */
struct xld_dumps;

/*
 * A dump to @path ended: @rc is 0 or -errno, @res its size and time (on
 * success), @msg the monitor's reason for a failure ("" when it gave
 * none).  Runs in the event loop; -ECANCELED when xld is exiting, to
 * free what @arg holds and do nothing else.
 */
typedef void (*xld_dump_fn)(void *arg, uint32_t domid, uint64_t tag,
			    const char *path, int rc,
			    const struct dc_save_result *res, const char *msg);

/* Dumps of the monitors under @rundir.  NULL with errno set. */
struct xld_dumps *xld_dumps_new(struct xld_loop *loop, const char *rundir);
/*
 * Waits for the dumps still being written (libdomctl bounds each), logs
 * how each ended, calls its callback with -ECANCELED and frees @dumps.
 */
void xld_dumps_free(struct xld_dumps *dumps);

/*
 * Have @domid's monitor write its state to @path (absolute) in a thread
 * of its own; @fn(@arg, @domid, @tag, ...) is called from the loop when
 * it is done.  0 or -errno (then @fn is never called).
 */
int xld_dump_start(struct xld_dumps *dumps, uint32_t domid, const char *path,
		   xld_dump_fn fn, void *arg, uint64_t tag);

/*
 * The file of a core dump of @name (@domid) taken at @when:
 * "@dir/<name>-<domid>-<YYYYmmdd-HHMMSS>.core", UTC.  -ENAMETOOLONG when
 * it does not fit @len bytes.
 */
int xld_dump_path(char *buf, size_t len, const char *dir, const char *name,
		  uint32_t domid, time_t when);

/* Make @dir (0700) if it is missing; 0 or -errno. */
int xld_dump_dir_make(const char *dir);

#endif
