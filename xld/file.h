/* SPDX-License-Identifier: GPL-2.0 */
/* Files written whole and atomically (temp file, fsync, rename, dir fsync). */
#ifndef XLD_FILE_H
#define XLD_FILE_H

#include <stddef.h>

/* snprintf into @buf; -ENAMETOOLONG when it does not fit. */
int xld_path_fmt(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Write @data to @dir/@name: temp file, fsync, rename, fsync the dir. */
int xld_file_write_atomic(const char *dir, const char *name, const char *data,
			  size_t len);

/*
 * The two halves, for writing several files with one directory fsync:
 * write and fsync @dir/.@name.tmp (nothing is left on failure), then
 * rename it over @dir/@name, then xld_dir_sync(@dir) once (0 or
 * -errno; xld_file_write_atomic does not report its failure).
 */
int xld_file_write_tmp(const char *dir, const char *name, const char *data,
		       size_t len);
int xld_file_commit(const char *dir, const char *name);
int xld_dir_sync(const char *dir);

#endif
