/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fdatasync away from the event loop.  A disk that takes a second to
 * sync must not hold up every client of the store meanwhile, so the
 * journal hands its file to one background thread and goes on.
 */
#ifndef XLD_XS_SYNCER_H
#define XLD_XS_SYNCER_H

#include <stdbool.h>

struct xs_syncer;

struct xs_syncer *xs_syncer_new(void);
/* Waits for a sync under way, then ends the thread. */
void xs_syncer_free(struct xs_syncer *s);

/*
 * Start an fdatasync of @fd's file (on a duplicate of @fd, so the caller
 * may close or replace its own).  Returns false, starting nothing, while
 * the previous one runs.
 */
bool xs_syncer_start(struct xs_syncer *s, int fd);

/* The error of the last finished sync (0 or -errno), then clears it. */
int xs_syncer_error(struct xs_syncer *s);

/* Wait until no sync is under way. */
void xs_syncer_wait(struct xs_syncer *s);

#endif
