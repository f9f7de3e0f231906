/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's log. */
#ifndef XLD_LOG_H
#define XLD_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum xld_log_level { XLD_LOG_ERR, XLD_LOG_WARN, XLD_LOG_INFO, XLD_LOG_DEBUG };

/* Log to @path (appending) and, if @to_stderr, to stderr too. */
int xld_log_open(const char *path, bool to_stderr);
void xld_log_close(void);
/* Reopen the log file (after it was rotated). */
int xld_log_reopen(void);
/* The file xld logs to, or NULL while it logs to stderr only. */
const char *xld_log_path(void);
void xld_log(enum xld_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define xld_err(fmt, ...)                                                      \
	xld_log(XLD_LOG_ERR, "%s: " fmt, __func__, ##__VA_ARGS__)
#define xld_warn(fmt, ...)                                                     \
	xld_log(XLD_LOG_WARN, "%s: " fmt, __func__, ##__VA_ARGS__)
#define xld_info(fmt, ...)                                                     \
	xld_log(XLD_LOG_INFO, "%s: " fmt, __func__, ##__VA_ARGS__)

#endif
