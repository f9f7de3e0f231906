/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's event loop: epoll, callbacks per fd. */
#ifndef XLD_LOOP_H
#define XLD_LOOP_H

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

#endif
