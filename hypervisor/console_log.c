// SPDX-License-Identifier: GPL-2.0
/* The size-capped, rotated console log (see console_log.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console_log.h"

#define CARRY_MAX	1024	/* a partial line moved to the next file */
#define COPY_BUF	65536	/* rotation by copying, a piece at a time */

/* @path.@n into @buf (hv_conlog_open checked that it fits). */
static void numbered(char *buf, const char *path, unsigned int n)
{
	snprintf(buf, PATH_MAX, "%s.%u", path, n);
}

static struct hv_conlog *conlog_new(int fd)
{
	struct hv_conlog *log = calloc(1, sizeof(*log));

	if (!log)
		return NULL;
	log->fd = fd;
	log->wait_fd = -1;
	log->line_start = 1;
	return log;
}

/*
 * A pipe or terminal nobody reads would block the console thread for
 * good: write it through our own non-blocking open file description
 * (O_NONBLOCK on the shared one would surprise its other users).  A
 * regular file stays as it is: a second description of it would write
 * at its own offset, over what shares the first (2>&1).
 */
struct hv_conlog *hv_conlog_from_fd(int fd)
{
	struct hv_conlog *log;
	char path[64];
	struct stat st;
	int own = -1;

	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		own = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	}
	log = conlog_new(own >= 0 ? own : fd);
	if (!log) {
		if (own >= 0)
			close(own);
		return NULL;
	}
	log->owned = own >= 0;
	return log;
}

struct hv_conlog *hv_conlog_open(const char *path, uint64_t max,
				 unsigned int keep)
{
	struct hv_conlog *log = NULL;
	struct stat st;
	int fd, err;

	if ((max && max < HV_CONLOG_MAX_MIN) || keep > HV_CONLOG_KEEP_MAX) {
		errno = EINVAL;
		return NULL;
	}
	/* room for ".99" after the name when it rotates */
	if (strlen(path) + 4 > PATH_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		goto fail;
	log = conlog_new(fd);
	if (!log)
		goto fail;
	log->owned = 1;
	if (S_ISREG(st.st_mode) && max) {
		log->path = strdup(path);
		if (!log->path)
			goto fail;
		log->max = max;
		log->keep = keep;
		log->size = (uint64_t)st.st_size;
	}
	return log;
fail:
	err = errno;
	if (log)
		log->owned = 0;
	hv_conlog_free(log);
	close(fd);
	errno = err;
	return NULL;
}

int hv_conlog_hold_rotated(struct hv_conlog *log)
{
	char path[PATH_MAX];

	if (!log->path || !log->keep)
		return 0;
	log->old = malloc(log->keep * sizeof(*log->old));
	if (!log->old)
		return -ENOMEM;
	for (unsigned int n = 0; n < log->keep; n++) {
		numbered(path, log->path, n + 1);
		log->old[n] = open(path, O_RDWR | O_CREAT | O_NOFOLLOW |
					 O_CLOEXEC, 0640);
		if (log->old[n] < 0) {
			int rc = -errno;

			while (n--)
				close(log->old[n]);
			free(log->old);
			log->old = NULL;
			return rc;
		}
	}
	return 0;
}

void hv_conlog_free(struct hv_conlog *log)
{
	if (!log)
		return;
	for (unsigned int n = 0; log->old && n < log->keep; n++)
		close(log->old[n]);
	free(log->old);
	if (log->owned && log->fd >= 0)
		close(log->fd);
	free(log->path);
	free(log);
}

/* Wait until @log->fd takes more, or @log->wait_fd says give up. */
static int wait_room(struct hv_conlog *log)
{
	struct pollfd pfd[2] = {
		{ .fd = log->fd, .events = POLLOUT },
		{ .fd = log->wait_fd, .events = POLLIN },
	};

	while (poll(pfd, 2, -1) < 0)
		if (errno != EINTR)
			return -errno;
	return pfd[1].revents ? -EINTR : 0;
}

static int write_all(struct hv_conlog *log, const uint8_t *p, size_t len)
{
	ssize_t r;
	int rc;

	while (len) {
		r = write(log->fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN) {
			rc = wait_room(log);
			if (rc)
				return rc;
			continue;
		}
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}


/*
 * The file ends in the middle of a line (the guest was writing it when
 * the console caught up): cut that part off into @buf, to begin the next
 * file with, so that lines stay whole (hence O_RDWR).  Returns its
 * length; 0 when there is none or the line is longer than CARRY_MAX.
 */
static size_t carry_cut(struct hv_conlog *log, char *buf)
{
	size_t len = log->size < CARRY_MAX ? (size_t)log->size : CARRY_MAX;
	char *nl;
	ssize_t r;

	if (log->line_start || !len)
		return 0;
	r = pread(log->fd, buf, len, (off_t)(log->size - len));
	if (r != (ssize_t)len)
		return 0;
	/* no line ends there: a line longer than that, or than the file */
	nl = memrchr(buf, '\n', len);
	if (!nl)
		return 0;
	len -= (size_t)(nl + 1 - buf);
	if (ftruncate(log->fd, (off_t)(log->size - len)) < 0)
		return 0;
	memmove(buf, buf + (size_t)r - len, len);
	log->size -= len;
	return len;
}

/* @dst's contents become @src's, @len bytes (@buf, COPY_BUF bytes). */
static int copy_over(int src, int dst, uint64_t len, uint8_t *buf)
{
	uint64_t off = 0;

	if (ftruncate(dst, 0) < 0)
		return -errno;
	while (off < len) {
		size_t n = len - off < COPY_BUF ? (size_t)(len - off) : COPY_BUF;
		ssize_t r = pread(src, buf, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : 0;	/* shorter: so be it */
		if (pwrite(dst, buf, (size_t)r, (off_t)off) != r)
			return -EIO;
		off += (uint64_t)r;
	}
	return 0;
}

/* The rotation of hv_conlog_hold_rotated: the same files, by copying. */
static int rotate_by_copy(struct hv_conlog *log)
{
	uint8_t *buf = malloc(COPY_BUF);
	struct stat st;
	int rc = 0, r;

	if (!buf)
		return -ENOMEM;
	for (unsigned int n = log->keep; n > 1; n--) {
		r = fstat(log->old[n - 2], &st) < 0 ? -errno :
			copy_over(log->old[n - 2], log->old[n - 1],
				  (uint64_t)st.st_size, buf);
		if (r && !rc)
			rc = r;
	}
	r = copy_over(log->fd, log->old[0], log->size, buf);
	if (r && !rc)
		rc = r;
	free(buf);
	return rc;
}

/*
 * FILE.k-1 -> FILE.k down to FILE -> FILE.1, then a new FILE; with keep
 * 0 FILE is simply started again.  Held open (hv_conlog_hold_rotated),
 * the files are copied over instead, and FILE emptied.  Whatever fails, the cap holds: the
 * file being written is emptied rather than let grow.  0 or the first
 * -errno; log->size is 0 (or what was carried over) unless even
 * emptying failed.
 */
static int rotate(struct hv_conlog *log)
{
	char from[PATH_MAX], to[PATH_MAX], carry[CARRY_MAX];
	size_t carried = carry_cut(log, carry);
	int fd, r, rc = 0;

	if (log->old) {
		rc = rotate_by_copy(log);
		if (ftruncate(log->fd, 0) < 0 && !rc)
			rc = -errno;
		goto rotated;
	}
	for (unsigned int n = log->keep; n > 1; n--) {
		numbered(from, log->path, n - 1);
		numbered(to, log->path, n);
		if (rename(from, to) < 0 && errno != ENOENT && !rc)
			rc = -errno;
	}
	numbered(to, log->path, 1);
	r = log->keep ? rename(log->path, to) : unlink(log->path);
	fd = -1;
	if (r < 0 && errno != ENOENT)
		rc = -errno;
	else
		fd = open(log->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC,
			  0640);
	if (fd < 0) {
		if (!rc)
			rc = -errno;
		if (ftruncate(log->fd, 0) < 0)
			return rc;
	} else {
		close(log->fd);
		log->fd = fd;
	}
rotated:
	log->size = 0;
	log->rotations++;
	log->fresh = 1;
	if (carried && write_all(log, (uint8_t *)carry, carried) == 0)
		log->size = carried;
	return rc;
}

/*
 * How much of @p (@len bytes) goes into the current file: whole lines
 * where they fit; 0 to start a new file first; cut at the cap in a new
 * file (a line longer than the cap, or that began before it).
 */
static size_t fitting(const struct hv_conlog *log, const uint8_t *p,
		      size_t len)
{
	uint64_t room = log->max - log->size;
	const uint8_t *nl;

	if (len <= room)
		return len;
	for (nl = p + room; nl > p; nl--)
		if (nl[-1] == '\n')
			return (size_t)(nl - p);
	return log->fresh || !log->size ? (size_t)room : 0;
}

int hv_conlog_write(struct hv_conlog *log, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int full = 0, rc = 0, r;
	uint64_t before;
	size_t n;

	while (len) {
		if (log->max && (full || log->size >= log->max)) {
			before = log->rotations;
			r = rotate(log);
			if (r && !rc)
				rc = r;
			if (log->rotations == before)
				return rc;	/* not even emptied: dropped */
			full = 0;
		}
		n = log->max ? fitting(log, p, len) : len;
		if (!n) {
			full = 1;
			continue;
		}
		r = write_all(log, p, n);
		if (r)
			return r;
		log->size += n;
		log->line_start = p[n - 1] == '\n';
		log->fresh = 0;
		p += n;
		len -= n;
		full = len > 0;
	}
	return rc;
}
