/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's event loop and log. */
#ifndef XLD_XLD_H
#define XLD_XLD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

struct xld_loop;
typedef void (*xld_fd_fn)(struct xld_loop *loop, int fd, uint32_t events,
			  void *arg);

/* Returns NULL with errno set. */
struct xld_loop *xld_loop_new(void);
void xld_loop_free(struct xld_loop *loop);
/* @events are EPOLLIN/EPOLLOUT bits. */
int xld_loop_add(struct xld_loop *loop, int fd, uint32_t events, xld_fd_fn fn,
		 void *arg);
int xld_loop_mod(struct xld_loop *loop, int fd, uint32_t events);
/* Safe from inside a callback, for any fd. */
void xld_loop_del(struct xld_loop *loop, int fd);
/* Runs callbacks until xld_loop_stop(); 0 or -errno. */
int xld_loop_run(struct xld_loop *loop);
void xld_loop_stop(struct xld_loop *loop);

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
