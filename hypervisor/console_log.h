/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The console log: a file that never grows past a cap.  When the next
 * bytes would take it past the cap, FILE becomes FILE.1 (FILE.1 becomes
 * FILE.2 and so on; the one past @keep is deleted) and a new FILE is
 * started, so at most (keep + 1) * cap bytes of it are ever on disk.
 * Only the console thread writes it.
 */
#ifndef HV_CONSOLE_LOG_H
#define HV_CONSOLE_LOG_H

#include <stddef.h>
#include <stdint.h>

#define HV_CONLOG_MAX_DEFAULT	(1024u * 1024)	/* --console-log-max */
#define HV_CONLOG_MAX_MIN	4096u		/* a smaller cap, but 0 */
#define HV_CONLOG_MAX_MAX	(1ULL << 40)
#define HV_CONLOG_KEEP_DEFAULT	2u		/* --console-log-keep */
#define HV_CONLOG_KEEP_MAX	99u

struct hv_conlog {
	int fd;
	int owned;		/* we opened fd: close it */
	int wait_fd;		/* readable: stop waiting for room (or -1) */
	char *path;		/* NULL: never rotated */
	uint64_t max;		/* 0: no cap */
	unsigned int keep;
	uint64_t size;		/* of the current file */
	int line_start;		/* the last byte written ended a line */
	int fresh;		/* rotated, nothing written since */
	uint64_t rotations;
	int *old;		/* FILE.1 .. FILE.keep held open, or NULL */
};

/*
 * Append to @path (created 0640), capped at @max bytes (0: never
 * rotated) keeping @keep old files.  Anything but a regular file (say
 * /dev/null) is written but never rotated.  NULL with errno set.
 */
struct hv_conlog *hv_conlog_open(const char *path, uint64_t max,
				 unsigned int keep);
/*
 * Write to @fd (borrowed: stays open), uncapped: the foreground's stdout.
 * A pipe or terminal is written without blocking the thread for good:
 * it waits for room until wait_fd (the caller's) becomes readable.
 */
struct hv_conlog *hv_conlog_from_fd(int fd);
/*
 * Hold FILE.1 to FILE.keep open (created empty, 0640, if not there) and
 * rotate by copying into them: for a monitor that will have no right to
 * rename in the log's directory (its own uid).  0 or -errno.
 */
int hv_conlog_hold_rotated(struct hv_conlog *log);
void hv_conlog_free(struct hv_conlog *log);

/*
 * Append @len bytes, rotating as needed.  On a write error the rest is
 * lost and -errno returned; the next call tries again.
 */
int hv_conlog_write(struct hv_conlog *log, const void *buf, size_t len);

#endif
