/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The store on disk: a snapshot (store.db) and a journal of the changes
 * committed since (store.journal), both in XLD_STATEDIR.
 *
 * Every committed change is appended to the journal before its reply goes
 * out, so it survives xld being killed (kill -9); each second
 * (xs_journal_tick) a background thread fdatasyncs it, bounding what a
 * power loss can take to about a second (more only while the disk itself
 * takes longer to sync, which no longer holds up the event loop).  Snapshots are written to a temporary file, fsync'd and renamed.
 * A file that fails its checks is reported and nothing of it is loaded.
 */
#ifndef XLD_XS_JOURNAL_H
#define XLD_XS_JOURNAL_H

#include "xld/xs.h"

#define XS_SNAPSHOT_FILE "store.db"
#define XS_JOURNAL_FILE "store.journal"
/* Past this many journal bytes, the next tick writes a snapshot. */
#define XS_JOURNAL_COMPACT (8u * 1024 * 1024)

struct xs_journal;

/*
 * Load the snapshot and replay the journal in @dir into @st (a new store),
 * then write a fresh snapshot and start journaling @st's changes.
 * -EBADMSG: a file is corrupt (@err says which and where).
 */
int xs_journal_open(struct xs_store *st, const char *dir,
		    struct xs_journal **out, char *err, size_t errlen);
/* Snapshot, sync and stop journaling. */
void xs_journal_close(struct xs_journal *j);
/* Stop journaling and free @j, writing nothing (as if xld had died). */
void xs_journal_discard(struct xs_journal *j);
/* Write out changes journaled since the last call (before replies go). */
int xs_journal_flush(struct xs_journal *j);
/* Once a second: fdatasync if anything was written; compact if large. */
int xs_journal_tick(struct xs_journal *j);
/* Write a snapshot now and start an empty journal. */
int xs_journal_snapshot(struct xs_journal *j);

uint32_t xs_crc32(uint32_t crc, const void *buf, size_t len);

#endif
