// SPDX-License-Identifier: GPL-2.0
/* The daemon's epoll loop. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "xld/loop.h"

struct reg {
	struct reg *next; /* registered, or dead until the batch ends */
	int fd;
	bool dead;
	xld_fd_fn fn;
	void *arg;
};

struct xld_loop {
	int epfd;
	bool stop;
	struct reg *regs;
	struct reg *dead;
};

struct xld_loop *xld_loop_new(void)
{
	struct xld_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		int saved = errno;

		free(loop);
		errno = saved;
		return NULL;
	}
	return loop;
}

static void reap(struct xld_loop *loop)
{
	struct reg *r;

	while ((r = loop->dead)) {
		loop->dead = r->next;
		free(r);
	}
}

void xld_loop_free(struct xld_loop *loop)
{
	struct reg *r;

	if (!loop)
		return;
	while ((r = loop->regs)) {
		loop->regs = r->next;
		free(r);
	}
	reap(loop);
	close(loop->epfd);
	free(loop);
}

static struct reg *reg_find(struct xld_loop *loop, int fd)
{
	struct reg *r;

	for (r = loop->regs; r; r = r->next)
		if (r->fd == fd)
			return r;
	return NULL;
}

int xld_loop_add(struct xld_loop *loop, int fd, uint32_t events, xld_fd_fn fn,
		 void *arg)
{
	struct epoll_event ev = {.events = events};
	struct reg *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->fd = fd;
	r->fn = fn;
	r->arg = arg;
	ev.data.ptr = r;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int rc = -errno;

		free(r);
		return rc;
	}
	r->next = loop->regs;
	loop->regs = r;
	return 0;
}

int xld_loop_mod(struct xld_loop *loop, int fd, uint32_t events)
{
	struct reg *r = reg_find(loop, fd);
	struct epoll_event ev = {.events = events};

	if (!r)
		return -ENOENT;
	ev.data.ptr = r;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	return 0;
}

void xld_loop_del(struct xld_loop *loop, int fd)
{
	struct reg **pp, *r;

	for (pp = &loop->regs; *pp; pp = &(*pp)->next) {
		if ((*pp)->fd == fd) {
			r = *pp;
			*pp = r->next;
			epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
			r->dead = true;
			r->next = loop->dead;
			loop->dead = r;
			return;
		}
	}
}

void xld_loop_stop(struct xld_loop *loop)
{
	loop->stop = true;
}

int xld_loop_run(struct xld_loop *loop)
{
	struct epoll_event evs[64];
	int r, i;

	while (!loop->stop) {
		r = epoll_wait(loop->epfd, evs, 64, -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < r; i++) {
			struct reg *reg = evs[i].data.ptr;

			if (reg->dead)
				continue;
			reg->fn(loop, reg->fd, evs[i].events, reg->arg);
		}
		reap(loop);
	}
	return 0;
}
