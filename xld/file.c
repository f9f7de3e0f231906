// SPDX-License-Identifier: GPL-2.0
/*
 * Files written whole and atomically, for all of xld: a temporary file
 * in the same directory, fsync'd, renamed over the old one, the directory
 * fsync'd.  A crash leaves the old file or the new one, never a mix.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "xld/file.h"

int xld_path_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* Write @data to @dir/.@name.tmp and fsync it: the first half of an
 * atomic write (xld_file_commit is the second).  Nothing is left on failure. */
int xld_file_write_tmp(const char *dir, const char *name, const char *data,
		       size_t len)
{
	char tmp[PATH_MAX];
	int fd = -1, rc;
	ssize_t r;
	size_t off = 0;

	rc = xld_path_fmt(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	if (rc)
		return rc;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (off < len) {
		r = write(fd, data + off, len - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto out;
		}
		off += (size_t)r;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		rc = -errno;
		goto out;
	}
	fd = -1;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	return rc;
}

/* Rename @dir/.@name.tmp over @dir/@name (durable once the dir is synced). */
int xld_file_commit(const char *dir, const char *name)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int rc;

	rc = xld_path_fmt(path, sizeof(path), "%s/%s", dir, name);
	if (!rc)
		rc = xld_path_fmt(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	if (rc)
		return rc;
	if (rename(tmp, path) < 0) {
		rc = -errno;
		unlink(tmp);
	}
	return rc;
}

int xld_dir_sync(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (dfd < 0)
		return -errno;
	if (fsync(dfd) < 0)
		rc = -errno;
	close(dfd);
	return rc;
}

/* Write @data to @dir/@name: temp file, fsync, rename, fsync the dir. */
int xld_file_write_atomic(const char *dir, const char *name, const char *data,
			  size_t len)
{
	int rc = xld_file_write_tmp(dir, name, data, len);

	if (!rc)
		rc = xld_file_commit(dir, name);
	if (!rc)
		xld_dir_sync(dir);
	return rc;
}
